"""Readers of the files the evidence registry imports."""
