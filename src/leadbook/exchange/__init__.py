"""Exchange with Excel and other programs (DOMAIN section 9): export and import."""
