"""Staff face: sign-in, rating queue, rescoring (coordinators, raters, admins)."""
