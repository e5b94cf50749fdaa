"""The public verification face: ``GET /verify/{profile_id}`` as an HTML page or JSON."""
