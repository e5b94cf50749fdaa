"""Docs that cannot drift: the README's architecture names every package of the code."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _architecture() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Architecture")
    return readme[start : readme.index("\n## ", start + 1)]


def test_architecture_section_names_every_package() -> None:
    section = _architecture()
    packages = sorted(
        str(init.parent.relative_to(ROOT / "service"))
        for init in (ROOT / "service").glob("*/__init__.py")
    ) + sorted(
        str(init.parent.relative_to(ROOT / "service"))
        for init in (ROOT / "service" / "faces").glob("*/__init__.py")
    )
    missing = [p for p in packages if f"{p}/" not in section]
    assert not missing, f"README architecture lacks {missing}"


def test_architecture_section_names_no_package_that_is_gone() -> None:
    section = _architecture()
    folder = r"(?<![\w/`])([a-z][a-z_]*/(?:[a-z_]+/)?)(?=[\s|])"
    named = {word.rstrip("/") for word in re.findall(folder, section)}
    gone = sorted(n for n in named if not (ROOT / "service" / n / "__init__.py").exists())
    assert not gone, f"README architecture names missing packages {gone}"
