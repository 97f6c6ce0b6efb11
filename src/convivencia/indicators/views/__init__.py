"""The indicators' pages: the public explorer, the upload page, managing indicators."""
