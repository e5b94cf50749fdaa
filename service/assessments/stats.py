"""``python -m service.assessments.stats [ROOT]``: items per form, competency and type."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from service.assessments.bank import ContentVersion
from service.assessments.content import load_content
from service.assessments.items import ITEM_TYPES, item_type


def _table(
    title: str, rows: list[str], columns: list[str], cells: dict[tuple[str, str], str]
) -> str:
    width = max([len(title), *(len(r) for r in rows)])
    widths = [max(len(c), 3) for c in columns]
    header = " ".join(
        [title.ljust(width), *(c.rjust(w) for c, w in zip(columns, widths, strict=True))]
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        values = [cells.get((row, c), "").rjust(w) for c, w in zip(columns, widths, strict=True)]
        lines.append(" ".join([row.ljust(width), *values]).rstrip())
    return "\n".join(lines)


def content_stats_for(content: ContentVersion) -> str:
    """Tables over the forms of ``content``: items per competency (with points and the Angoff
    raw cut, marked provisional until a panel has rated the items), per item type and per
    level; then the packages and what the cut statuses mean."""
    forms = sorted(content.forms.values(), key=lambda f: f.id)
    rows = [f.id for f in forms]
    by_competency: Counter[tuple[str, str]] = Counter()
    by_type: Counter[tuple[str, str]] = Counter()
    by_level: Counter[tuple[str, str]] = Counter()
    totals: dict[tuple[str, str], str] = {}
    for form in forms:
        for item in form.items:
            by_competency[(form.id, item.competency)] += 1
            by_type[(form.id, item_type(item))] += 1
            by_level[(form.id, item.level or "none")] += 1
        totals[(form.id, "items")] = str(len(form.items))
        totals[(form.id, "points")] = f"{form.max_points:g}"
        totals[(form.id, "raw cut")] = f"{form.raw_cut:.1f}"
        totals[(form.id, "cut")] = content.assessments[form.assessment].cut_score.status
    competencies = [c for c in content.competencies if any((r, c) in by_competency for r in rows)]
    types = [t for t in ITEM_TYPES if any((r, t) in by_type for r in rows)]
    levelled = [r for r in rows if by_level[(r, "clerk")] or by_level[(r, "coder")]]
    return "\n\n".join(
        [
            f"content version {content.version_id}",
            _table(
                "form",
                rows,
                [*competencies, "items", "points", "raw cut", "cut"],
                {**{k: str(v) for k, v in by_competency.items()}, **totals},
            ),
            _table("form", rows, types, {k: str(v) for k, v in by_type.items()}),
            _table(
                "form (coding level)",
                levelled,
                ["clerk", "coder"],
                {k: str(v) for k, v in by_level.items() if k[0] in levelled},
            ),
            _packages(content),
            _cut_notes(content),
        ]
    )


def _packages(content: ContentVersion) -> str:
    lines = ["packages"]
    for package in sorted(content.packages.values(), key=lambda p: p.id):
        lines.append(f"  {package.id} ({package.title}): {', '.join(package.assessments)}")
    return "\n".join(lines if len(lines) > 1 else [*lines, "  (none)"])


def _cut_notes(content: ContentVersion) -> str:
    """Which assessments' cuts are provisional or final, and why (the content's own notes)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for assessment in sorted(content.assessments.values(), key=lambda a: a.id):
        cut = assessment.cut_score
        groups.setdefault((cut.status, " ".join(cut.note.split())), []).append(assessment.id)
    lines = ["cut: status of each form's modified-Angoff raw cut"]
    for (status, note), ids in sorted(groups.items()):
        lines.append(f"  {status} ({', '.join(ids)}): {note}")
    return "\n".join(lines)


def content_stats(root: Path | None = None) -> str:
    """The stats tables for the content under ``root`` (default: the repo's rubrics/)."""
    return content_stats_for(load_content(root, validate=False))
