"""Authentication and authorization: API keys for HR systems (staff sessions come later)."""
