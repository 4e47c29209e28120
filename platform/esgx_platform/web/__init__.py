"""The platform's HTTP face (Flask): sign-in, pages for lead factories and procurement, JSON API."""
