"""The code look-up tool beside code-entry items: search ICD-10-CM and HCPCS Level II by
term or code, and show one code as a code book would (hierarchy, notes, excludes)."""
