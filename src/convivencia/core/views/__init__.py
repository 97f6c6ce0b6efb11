"""The site's own pages: the home page, first-run checklist and notifications."""
