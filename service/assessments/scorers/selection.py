"""The rule every selection task shares: hits minus false alarms (informedness).

For "select all that apply" items a candidate's choice of each option is a yes/no call. The
share of the keyed options chosen (the hit rate) minus the share of the unkeyed options
chosen (the false-alarm rate), floored at 0, is the chance-corrected score of signal
detection (Youden's J, also called informedness):

- the key earns 1; a blank answer earns 0 (no hits);
- choosing every option earns 0 (hit rate 1, false-alarm rate 1), never more than a
  coin-flip answer, whose expected score is above 0;
- each keyed option chosen adds, and each unkeyed option chosen costs, a fixed amount.

``all_or_nothing`` gives full marks for exactly the key and nothing otherwise.
Classification (each entry into one category) applies the same rule to every category the
key uses and averages them, so putting every entry into one category also earns 0.
"""

from __future__ import annotations

from collections.abc import Mapping


def informedness(chosen: frozenset[str], keyed: frozenset[str], offered: frozenset[str]) -> float:
    """Hit rate minus false-alarm rate, floored at 0 (see the module docstring).

    ``keyed`` must be a non-empty proper subset of ``offered`` (check-content enforces it).
    """
    hits = len(chosen & keyed) / len(keyed)
    false_alarms = len(chosen - keyed) / len(offered - keyed)
    return max(0.0, hits - false_alarms)


def selection_share(
    rule: str, chosen: frozenset[str], keyed: frozenset[str], offered: frozenset[str]
) -> float:
    """The share of the points a set of chosen options earns under ``rule``."""
    if rule == "all_or_nothing":
        return 1.0 if chosen == keyed else 0.0
    return informedness(chosen, keyed, offered)


def classification_share(rule: str, answer: Mapping[str, str], key: Mapping[str, str]) -> float:
    """Mean over the key's categories of (entries of it placed there) minus (others placed
    there), floored at 0; ``all_or_nothing``: 1 for exactly the key."""
    if rule == "all_or_nothing":
        return 1.0 if dict(answer) == dict(key) else 0.0
    entries = frozenset(key)
    scores = []
    for category in sorted(set(key.values())):
        members = frozenset(e for e, c in key.items() if c == category)
        placed = frozenset(e for e, c in answer.items() if c == category)
        scores.append(informedness(placed, members, entries))
    return max(0.0, sum(scores) / len(scores)) if scores else 0.0
