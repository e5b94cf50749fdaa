"""``python -m service.assessments.check [ROOT]``: validate the item bank (CI runs this).

Prints one line per problem, ``file: item_id: field: message``, and exits 1 on any problem.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from service.assessments.checks import semantic_problems
from service.assessments.content import DEFAULT_ROOT, decode_tree
from service.assessments.model import Problem


def check_content(root: Path | None = None) -> list[Problem]:
    """Every problem in the tree under ``root`` (default: the repo's rubrics/); empty = valid."""
    root = (root or DEFAULT_ROOT).resolve()
    if not root.is_dir():
        return [Problem(str(root), "", "", "content root is not a directory")]
    decoded = decode_tree(root)
    return [*decoded.problems, *semantic_problems(decoded)]


def main_check(argv: Sequence[str] | None = None) -> int:
    """CLI entry point (``chartready check-content [ROOT]``); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(a.startswith("-") for a in args):
        sys.stderr.write("usage: check-content [ROOT]\n")
        return 2
    root = Path(args[0]) if args else None
    problems = check_content(root)
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s)\n")
        return 1
    sys.stderr.write("content OK\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_check())
