"""The panels' pages: dashboards and maps, collection (forms, uploads, waves), rosters."""
