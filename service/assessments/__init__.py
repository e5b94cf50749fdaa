"""Assessment content (the TOML item bank under rubrics/) and the pure scoring engine.

Nothing in this package touches the database, the web layer or PDFs: content is loaded into
immutable msgspec Structs and every scorer is a deterministic function of item and answer.
"""
