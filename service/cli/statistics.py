"""`chartready item-analysis`, `bias-audit` and `dif`: the statistics over a CSV file.

For data from anywhere (an auditor's own export): each prints one JSON document on stdout,
or, on bad input, one line naming the file, row and column on stderr and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.cli.common import Add
from service.ground.settings import Settings

BAD_INPUT = 1


def _run(args: argparse.Namespace, compute: Callable[[str], Any]) -> int:
    """Read the file, compute, print JSON; a problem becomes one line on stderr."""
    import msgspec  # noqa: PLC0415 - keeps `chartready --help` fast

    from service.statistics.errors import StatisticsInputError  # noqa: PLC0415

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM from spreadsheet exports is fine
    except (OSError, UnicodeDecodeError) as exc:
        print(f"chartready {args.command}: {path}: cannot read: {exc}", file=sys.stderr)
        return BAD_INPUT
    try:
        result = compute(text)
    except StatisticsInputError as exc:
        print(f"chartready {args.command}: {path}: {exc.detail}", file=sys.stderr)
        return BAD_INPUT
    print(msgspec.json.format(msgspec.json.encode(result), indent=2).decode())
    return 0


def cmd_item_analysis(args: argparse.Namespace, settings: Settings) -> int:
    """Moodle's item and test statistics of one form's marks."""
    from service.statistics import item_analysis  # noqa: PLC0415
    from service.statistics.csv_input import read_marks  # noqa: PLC0415

    def compute(text: str) -> Any:
        table = read_marks(text)
        return item_analysis(table.marks, table.max_marks, table.item_ids)

    return _run(args, compute)


def cmd_bias_audit(args: argparse.Namespace, settings: Settings) -> int:
    """The LL144 bias audit: rates and impact ratios per sex, race/ethnicity, intersection."""
    from service.statistics import bias_audit  # noqa: PLC0415
    from service.statistics.csv_input import read_audit  # noqa: PLC0415

    def compute(text: str) -> Any:
        table = read_audit(text)
        return bias_audit(
            table.sex, table.race_ethnicity, selected=table.selected, scores=table.scores
        )

    return _run(args, compute)


def cmd_dif(args: argparse.Namespace, settings: Settings) -> int:
    """Mantel-Haenszel DIF of every item between two groups, matched on total score."""
    from service.statistics import mantel_haenszel_dif  # noqa: PLC0415
    from service.statistics.csv_input import read_dif  # noqa: PLC0415

    def compute(text: str) -> Any:
        table = read_dif(text, args.group)
        return mantel_haenszel_dif(
            table.responses,
            table.groups,
            reference=args.reference,
            focal=args.focal,
            item_ids=table.item_ids,
            alpha=args.alpha,
        )

    return _run(args, compute)


def register(add: Add) -> None:
    """The commands of this module."""
    p = add(
        "item-analysis",
        cmd_item_analysis,
        "Item analysis of one form (Moodle's statistics) from a CSV: row 1 item ids, "
        "row 2 maximum marks, then one row of marks per attempt. Prints JSON.",
    )
    p.add_argument("file", metavar="FILE.csv")
    p = add(
        "bias-audit",
        cmd_bias_audit,
        "Bias audit (NYC LL144, four-fifths rule) from a CSV with columns sex, "
        "race_ethnicity and selected (0/1) or score; empty cells are unknown. Prints JSON.",
    )
    p.add_argument("file", metavar="FILE.csv")
    p = add(
        "dif",
        cmd_dif,
        "Mantel-Haenszel DIF (ETS A/B/C) from a CSV with a group column and 0/1 item "
        "columns, matched on total score. Prints JSON.",
    )
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--group", required=True, metavar="COLUMN", help="the group column")
    p.add_argument(
        "--reference", required=True, metavar="VALUE", help="the reference group's value"
    )
    p.add_argument("--focal", required=True, metavar="VALUE", help="the focal group's value")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
