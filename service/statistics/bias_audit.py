"""Bias audit as NYC Local Law 144 defines it (6 RCNY § 5-300 ff.), with the EEOC
four-fifths rule (29 CFR 1607.4(D)).

For each category of sex, of race/ethnicity and of every sex × race/ethnicity intersection:

- count: individuals in the category;
- selected: how many were selected (a 0/1 outcome), or, for a tool that outputs a score,
  how many scored *above the median of the whole sample* (every individual, unknowns too);
- rate: selected / count, the selection rate or scoring rate;
- impact_ratio: rate / the highest rate among the categories compared;
- below_four_fifths: impact_ratio < 4/5, decided in exact rational arithmetic on the counts,
  so a ratio of exactly 0.8 is never flagged however floats round;
- excluded_under_2_percent: the category holds less than 2% of the individuals assessed.
  LL144 lets an auditor leave such a category out of the impact-ratio calculation: it is
  still counted and its rate reported, but it gets no impact ratio and cannot be the
  reference.

Individuals of unknown category (no label) are counted per dimension (``unknown``) and left
out of that dimension's rates; an intersection is unknown when either part is.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Literal

import msgspec
import numpy as np

from service.statistics.errors import InsufficientData, StatisticsInputError
from service.statistics.validation import StrArray, as_binary_vector, as_float_vector, as_labels

FOUR_FIFTHS = Fraction(4, 5)
SMALL_CATEGORY_SHARE = Fraction(2, 100)
INTERSECTION_SEPARATOR = " × "


class CategoryRate(msgspec.Struct, frozen=True):
    """One category's count, rate and impact ratio (``None`` where undefined).

    ``sex`` and ``race_ethnicity`` name the parts of an intersection (one of them for a
    single dimension)."""

    category: str
    sex: str | None
    race_ethnicity: str | None
    count: int
    selected: int
    rate: float | None
    impact_ratio: float | None
    below_four_fifths: bool | None
    excluded_under_2_percent: bool


class DimensionTable(msgspec.Struct, frozen=True):
    """Every category of one dimension, the unknown count and the reference category."""

    categories: list[CategoryRate]
    unknown: int
    highest: str | None
    highest_rate: float | None


class BiasAudit(msgspec.Struct, frozen=True):
    """The three tables of an LL144 bias audit."""

    method: Literal["selection_rate", "scoring_rate"]
    n: int
    selected: int
    median_score: float | None
    sex: DimensionTable
    race_ethnicity: DimensionTable
    intersections: DimensionTable
    notes: list[str]


def _categories(labels: StrArray, given: Sequence[str] | None, name: str) -> list[str]:
    """The dimension's categories: as given (every label must be one), else as found."""
    found = sorted({str(v) for v in np.unique(labels) if v})
    if given is None:
        return found
    listed = [str(c) for c in given]
    if len(set(listed)) != len(listed) or "" in listed:
        raise StatisticsInputError(f"{name} must be distinct non-empty labels", field=name)
    stray = sorted(set(found) - set(listed))
    if stray:
        raise StatisticsInputError(f"labels {stray} are not among the {name} {listed}", field=name)
    return listed


def _table(
    codes: Any,
    categories: list[str],
    parts: list[tuple[str | None, str | None]],
    positive: Any,
    n: int,
) -> DimensionTable:
    """Rates and impact ratios of one dimension. ``codes`` holds each individual's category
    index (-1 = unknown); all counting is vectorised, the rest runs once per category."""
    known = codes >= 0
    size = len(categories)
    counts = np.bincount(codes[known], minlength=size)
    chosen = np.bincount(codes[known], weights=positive[known], minlength=size)
    rates = [Fraction(int(chosen[i]), int(counts[i])) if counts[i] else None for i in range(size)]
    excluded = [Fraction(int(counts[i]), n) < SMALL_CATEGORY_SHARE for i in range(size)]
    compared = [r for r, out in zip(rates, excluded, strict=True) if r is not None and not out]
    best = max(compared, default=None)
    highest = (
        next(categories[i] for i in range(size) if rates[i] == best and not excluded[i])
        if best is not None
        else None
    )
    rows = []
    for i, category in enumerate(categories):
        rate = rates[i]
        ratio = rate / best if rate is not None and best and not excluded[i] else None
        rows.append(
            CategoryRate(
                category=category,
                sex=parts[i][0],
                race_ethnicity=parts[i][1],
                count=int(counts[i]),
                selected=int(chosen[i]),
                rate=None if rate is None else float(rate),
                impact_ratio=None if ratio is None else float(ratio),
                below_four_fifths=None if ratio is None else ratio < FOUR_FIFTHS,
                excluded_under_2_percent=excluded[i],
            )
        )
    return DimensionTable(
        categories=rows,
        unknown=int((~known).sum()),
        highest=highest,
        highest_rate=None if best is None else float(best),
    )


def _codes(labels: StrArray, categories: list[str]) -> Any:
    """Index of each label in ``categories``; -1 for unknown ("")."""
    lookup = np.asarray([*categories, ""], dtype=np.str_)
    order = np.argsort(lookup)
    position = order[np.searchsorted(lookup, labels, sorter=order)]
    return np.where(labels == "", -1, position)


def bias_audit(
    sex: Sequence[str | None],
    race_ethnicity: Sequence[str | None],
    *,
    selected: Any = None,
    scores: Any = None,
    sex_categories: Sequence[str] | None = None,
    race_ethnicity_categories: Sequence[str] | None = None,
) -> BiasAudit:
    """An LL144 bias audit of one outcome over individuals.

    Parameters
    ----------
    sex, race_ethnicity : sequence of str or None, each of length n_individuals
        Self-reported category labels; ``None`` or "" means unknown.
    selected : array-like of shape (n_individuals,) of 0/1 or bool, optional
        The tool's selection decisions. Give exactly one of ``selected`` and ``scores``.
    scores : array-like of shape (n_individuals,), optional
        The tool's scores; the scoring rate is the share scoring above the whole sample's
        median.
    sex_categories, race_ethnicity_categories : sequence of str, optional
        Every category to report, in order (categories with nobody in them are listed
        with count 0). Default: the labels found, sorted.

    Returns
    -------
    BiasAudit
        ``sex``, ``race_ethnicity`` and ``intersections`` tables (see the module docstring
        for each field), the method, the sample's median score for the scoring rate.

    Raises
    ------
    InsufficientData
        No individuals.
    StatisticsInputError
        Neither or both outcomes, lengths that differ, a selection other than 0/1,
        non-finite scores, labels outside the given categories.
    """
    n = len(sex)
    if n == 0:
        raise InsufficientData("a bias audit needs at least one individual", field="sex")
    sex_labels = as_labels(sex, "sex", n)
    race_labels = as_labels(race_ethnicity, "race_ethnicity", n)
    if (selected is None) == (scores is None):
        raise StatisticsInputError(
            "give exactly one of selected (0/1 decisions) or scores", field="selected"
        )
    median: float | None = None
    if selected is not None:
        positive = as_binary_vector(selected, "selected", n).astype(np.float64)
        method: Literal["selection_rate", "scoring_rate"] = "selection_rate"
    else:
        values = as_float_vector(scores, "scores", n)
        median = float(np.median(values))
        positive = (values > median).astype(np.float64)
        method = "scoring_rate"
    sexes = _categories(sex_labels, sex_categories, "sex_categories")
    races = _categories(race_labels, race_ethnicity_categories, "race_ethnicity_categories")
    sex_codes = _codes(sex_labels, sexes)
    race_codes = _codes(race_labels, races)
    both = (sex_codes >= 0) & (race_codes >= 0)
    cross_codes = np.where(both, sex_codes * len(races) + race_codes, -1)
    cross = [f"{s}{INTERSECTION_SEPARATOR}{r}" for s in sexes for r in races]
    notes = []
    tables = {
        "sex": _table(sex_codes, sexes, [(s, None) for s in sexes], positive, n),
        "race_ethnicity": _table(race_codes, races, [(None, r) for r in races], positive, n),
        "intersections": _table(
            cross_codes, cross, [(s, r) for s in sexes for r in races], positive, n
        ),
    }
    for name, table in tables.items():
        if table.highest is None:
            notes.append(
                f"{name}: no category of at least 2% of the individuals, so no impact ratios"
            )
        elif table.highest_rate == 0:
            notes.append(f"{name}: the highest rate is 0, so impact ratios are undefined")
    return BiasAudit(
        method=method,
        n=n,
        selected=int(positive.sum()),
        median_score=median,
        sex=tables["sex"],
        race_ethnicity=tables["race_ethnicity"],
        intersections=tables["intersections"],
        notes=notes,
    )
