"""The evidence registry's pages: public (the dashboard) and curation."""
