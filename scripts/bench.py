"""Run ChartReady's benchmarks: ``python scripts/bench.py NAME [--quick]``.

Each benchmark lives in ``scripts/benchmarks/NAME.py`` and exposes
``run(quick: bool) -> dict``; the dict holds the figures (medians over repeats) and an
``ok`` flag saying whether they meet the goal written in the issue. The last line printed
is one JSON object: ``{"bench": NAME, ...figures..., "ok": true|false}``. ``all`` runs
every benchmark in turn and prints one line each.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository root, so `service` imports uncompiled


def available() -> list[str]:
    """Names of the benchmarks found in scripts/benchmarks/."""
    return sorted(p.stem for p in (HERE / "benchmarks").glob("*.py") if not p.stem.startswith("_"))


ALIASES = {"results-api": "results_api"}
"""Names written with a hyphen (as the issues name them) for modules that cannot have one."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=[*available(), *ALIASES, "all"])
    parser.add_argument("--quick", action="store_true", help="finish in under 60 s")
    args = parser.parse_args()
    names = available() if args.name == "all" else [args.name]
    all_ok = True
    for name in names:
        module = importlib.import_module(f"scripts.benchmarks.{ALIASES.get(name, name)}")
        figures = module.run(quick=args.quick)
        all_ok = all_ok and bool(figures.get("ok"))
        print(json.dumps({"bench": name, **figures}), flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
