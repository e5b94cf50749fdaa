"""HR API v1: what applicant-tracking systems call with an API key."""
