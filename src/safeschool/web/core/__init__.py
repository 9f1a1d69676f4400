"""Site-wide pieces: home page, layout, security headers, permission helper, template filters."""
