"""Readers of the files panels import: answers, rosters, XLSForms."""
