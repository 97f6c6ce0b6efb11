"""The territories' pages: browsing and search, and the upload page."""
