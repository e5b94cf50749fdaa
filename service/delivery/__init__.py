"""Candidate delivery: invitations, attempts and timing, autosave, integrity signals, the
sweeper and the candidate pages."""
