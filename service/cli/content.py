"""`chartready check-content` and `chartready content-stats`: the item bank for authors.

``check-content`` prints one line per problem, ``file: item_id: field: message``, and exits 1
on any problem (CI runs it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from service.assessments.bank import ContentError
from service.assessments.content import check_content
from service.assessments.stats import content_stats
from service.cli.common import Add, Handler


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


def main_stats(argv: Sequence[str] | None = None) -> int:
    """CLI entry point (``chartready content-stats [ROOT]``); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(a.startswith("-") for a in args):
        sys.stderr.write("usage: content-stats [ROOT]\n")
        return 2
    try:
        sys.stdout.write(content_stats(Path(args[0]) if args else None) + "\n")
    except ContentError as error:
        sys.stderr.write(f"{error}\n")
        return 1
    return 0


def register(add: Add) -> None:
    """The commands of this module."""
    for name, main, text in (
        ("check-content", main_check, "Validate the item bank (rubrics/); exit 1 on any problem."),
        ("content-stats", main_stats, "Items per form, competency and type."),
    ):
        handler = _with_root(main)
        add(name, handler, text).add_argument("root", nargs="?", help="rubrics directory")


def _with_root(main: Callable[[Sequence[str]], int]) -> Handler:
    return lambda args, settings: main([args.root] if args.root else [])
