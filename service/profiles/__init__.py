"""Competency profiles: data, SVG charts, signing, PDF rendering and storage.

The profile is assembled once as a :class:`~service.profiles.data.ProfileData` Struct, turned
into canonical JSON, signed with Ed25519, rendered to a tagged PDF/A-3a in a process pool and
stored with its PDF so a re-download costs no rendering.
"""
