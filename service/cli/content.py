"""`chartready check-content`, `content-stats` and `score-answer`: the item bank for authors.

``check-content`` prints one line per problem, ``file: item_id: field: message``, and exits 1
on any problem (CI runs it). ``score-answer`` prints what one answer earns on one item.
"""

from __future__ import annotations

import argparse
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
        (
            "content-stats",
            main_stats,
            "Items and points per form, competency, type and "
            "coding level; Angoff cuts and whether they are provisional; packages.",
        ),
    ):
        handler = _with_root(main)
        add(name, handler, text).add_argument("root", nargs="?", help="rubrics directory")
    p = add(
        "score-answer",
        cmd_score_answer,
        "Score one answer (JSON, as the candidate "
        "pages send it) against one item of the bank; print marks, max and feedback.",
    )
    p.add_argument("item_id", metavar="ITEM_ID", help="an item id, e.g. COD-A-01")
    p.add_argument(
        "answer",
        metavar="ANSWER_JSON",
        help="the answer as the candidate pages send it, e.g. '[\"E11.22\"]'",
    )
    p.add_argument("--root", help="rubrics directory (default: the shipped bank)")


def cmd_score_answer(args: argparse.Namespace, settings: object) -> int:
    """Print {marks, max, feedback} as one JSON line; exit 1 with a message when it fails."""
    from service.assessments.try_answer import TrialError, try_answer  # noqa: PLC0415

    try:
        trial = try_answer(Path(args.root) if args.root else None, args.item_id, args.answer)
    except (TrialError, ContentError) as error:
        sys.stderr.write(f"chartready score-answer: {error}\n")
        return 1
    sys.stdout.write(trial.to_json() + "\n")
    return 0


def _with_root(main: Callable[[Sequence[str]], int]) -> Handler:
    return lambda args, settings: main([args.root] if args.root else [])
