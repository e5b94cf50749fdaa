"""Mantel-Haenszel differential item functioning (Holland & Thayer, 1988), ETS A/B/C.

Individuals of the reference and the focal group are matched on a criterion (by default
their total score, the studied item included); each distinct value is a stratum ``k`` with
the 2×2 table

    reference: A_k right, B_k wrong (n_Rk)      focal: C_k right, D_k wrong (n_Fk)

and N_k = n_Rk + n_Fk, m_1k = A_k + C_k right in all, m_0k = N_k − m_1k wrong. Strata with
only one group or a single person carry no information and are skipped.

- alpha_MH = Σ (A_k D_k / N_k) / Σ (B_k C_k / N_k), the common odds ratio (> 1: the item
  favors the reference group);
- delta_MH = −2.35 ln alpha_MH, on the ETS delta scale (negative: harder for the focal
  group);
- chi_square = (|Σ A_k − Σ E(A_k)| − 1/2)² / Σ Var(A_k), with E(A_k) = n_Rk m_1k / N_k and
  Var(A_k) = n_Rk n_Fk m_1k m_0k / (N_k² (N_k − 1)), the MH statistic with the continuity
  correction; p_value from the chi-square distribution with 1 degree of freedom;
- se_delta = 2.35 · SE(ln alpha_MH), the Robins–Breslow–Greenland (1986) estimate;
- ets_class (Zwick, 2012): "A" when |delta_MH| < 1 or the chi-square is not significant at
  ``alpha``; "C" when |delta_MH| ≥ 1.5 and |delta_MH| is significantly greater than 1,
  i.e. (|delta_MH| − 1) / se_delta > z(1 − alpha) (one-sided); "B" otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

import msgspec
import numpy as np
from scipy import stats

from service.statistics.errors import InsufficientData, StatisticsInputError
from service.statistics.validation import (
    BoolArray,
    FloatArray,
    StrArray,
    as_float_matrix,
    as_float_vector,
    as_labels,
    finite_or_none,
    item_ids_or_default,
)

DELTA_SCALE = 2.35
CONTINUITY_CORRECTION = 0.5


class DifItem(msgspec.Struct, frozen=True):
    """One item's Mantel-Haenszel statistics (``None`` where not estimable, with a note)."""

    id: str
    n_reference: int
    n_focal: int
    p_reference: float | None
    p_focal: float | None
    alpha_mh: float | None
    delta_mh: float | None
    se_delta: float | None
    chi_square: float | None
    p_value: float | None
    ets_class: Literal["A", "B", "C"] | None
    favors: Literal["reference", "focal"] | None
    note: str | None


class DifAnalysis(msgspec.Struct, frozen=True):
    """DIF of every item between two groups."""

    reference: str
    focal: str
    n_reference: int
    n_focal: int
    n_excluded: int
    alpha: float
    items: list[DifItem]


def _stratum_sums(values: FloatArray, strata: Any, size: int) -> FloatArray:
    """Per-stratum column sums of ``values`` (rows) without a per-row Python loop."""
    sums = np.zeros((size, values.shape[1]))
    np.add.at(sums, strata, values)
    return sums


def whole_marks(totals: Any) -> FloatArray:
    """Thin matching for partial credit: each total rounded to the nearest whole mark (halves
    up), so half-point totals do not split score levels into strata too sparse to use."""
    values = as_float_vector(totals, "totals")
    return np.floor(values + 0.5)


def score_groups(totals: Any, groups: int) -> FloatArray:
    """Thick matching: the totals' equal-frequency group (0..groups-1; tied totals share a
    group), for samples too small for a stratum per score level."""
    values = as_float_vector(totals, "totals")
    if not 2 <= groups <= 100:
        raise StatisticsInputError(f"groups must lie in [2, 100]; got {groups}", field="groups")
    edges = np.quantile(values, np.linspace(0.0, 1.0, groups + 1)[1:-1])
    return np.searchsorted(edges, values, side="right").astype(np.float64)


def _classify(
    delta: float | None, se: float | None, p_value: float | None, alpha: float
) -> Literal["A", "B", "C"] | None:
    if delta is None or p_value is None:
        return None
    size = abs(delta)
    if size < 1.0 or p_value >= alpha:
        return "A"
    z = float(stats.norm.ppf(1.0 - alpha))
    if size >= 1.5 and se is not None and se > 0 and (size - 1.0) / se > z:
        return "C"
    return "B"


class _Sums(NamedTuple):
    """Per-item sums over the informative strata (arrays of shape (n_items,))."""

    r: FloatArray
    s: FloatArray
    var_log: FloatArray
    variance: FloatArray
    chi: FloatArray
    shared: bool
    n_reference: int
    n_focal: int


def _sums(x: FloatArray, ref: BoolArray, criterion: FloatArray) -> _Sums:
    """The Mantel-Haenszel sums of every item at once (strata are rows of (K, k) arrays)."""
    values, strata = np.unique(criterion, return_inverse=True)
    size = values.size
    n_ref = np.bincount(strata, weights=ref, minlength=size)[:, None]
    n_foc = np.bincount(strata, weights=~ref, minlength=size)[:, None]
    a = _stratum_sums(x[ref], strata[ref], size)
    c = _stratum_sums(x[~ref], strata[~ref], size)
    b, d = n_ref - a, n_foc - c
    total = n_ref + n_foc
    right = a + c
    # Which strata count depends on the groups' scores only, so it is the same for all items.
    informative = (n_ref > 0) & (n_foc > 0) & (total >= 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(informative, a * d / total, 0.0)
        s = np.where(informative, b * c / total, 0.0)
        expected = np.where(informative, n_ref * right / total, 0.0)
        variance = np.where(
            informative,
            n_ref * n_foc * right * (total - right) / (total * total * (total - 1)),
            0.0,
        )
        p = np.where(informative, (a + d) / total, 0.0)
        q = np.where(informative, (b + c) / total, 0.0)
        sum_r, sum_s = r.sum(axis=0), s.sum(axis=0)
        var_log = (
            (p * r).sum(axis=0) / (2 * sum_r**2)
            + (p * s + q * r).sum(axis=0) / (2 * sum_r * sum_s)
            + (q * s).sum(axis=0) / (2 * sum_s**2)
        )
        sum_var = variance.sum(axis=0)
        deviation = np.abs((np.where(informative, a, 0.0) - expected).sum(axis=0))
        chi = (deviation - CONTINUITY_CORRECTION) ** 2 / sum_var
    return _Sums(
        r=sum_r,
        s=sum_s,
        var_log=var_log,
        variance=sum_var,
        chi=chi,
        shared=bool(informative.any()),
        n_reference=int((n_ref * informative).sum()),
        n_focal=int((n_foc * informative).sum()),
    )


def _note(sums: _Sums, j: int, estimable: bool) -> str | None:
    if not sums.shared:
        return "no score level has members of both groups"
    if sums.variance[j] == 0:
        return "everyone at each shared score level answered alike"
    if not estimable:
        return "the common odds ratio is 0 or infinite (no discordant pairs on one side)"
    return None


def _check(
    responses: Any, groups: Sequence[str | None], reference: str, focal: str, alpha: float
) -> tuple[FloatArray, StrArray]:
    x = as_float_matrix(responses, "responses")
    bad = (x != 0) & (x != 1)
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise StatisticsInputError(
            f"responses must be 0 or 1; row {row}, column {column} is {x[row, column]:g}",
            field="responses",
        )
    labels = as_labels(groups, "groups", x.shape[0])
    if not 0 < alpha < 0.5:
        raise StatisticsInputError(f"alpha must lie in (0, 0.5); got {alpha}", field="alpha")
    if reference == focal:
        raise StatisticsInputError("reference and focal must be different groups", field="focal")
    for name, group in (("reference", reference), ("focal", focal)):
        if not (labels == group).any():
            raise InsufficientData(f"nobody is in the {name} group {group!r}", field=name)
    return x, labels


def mantel_haenszel_dif(
    responses: Any,
    groups: Sequence[str | None],
    *,
    reference: str,
    focal: str,
    item_ids: Sequence[str] | None = None,
    matching: Any = None,
    alpha: float = 0.05,
) -> DifAnalysis:
    """Mantel-Haenszel DIF of each item between ``reference`` and ``focal``.

    Parameters
    ----------
    responses : array-like of shape (n_individuals, n_items)
        1 right, 0 wrong.
    groups : sequence of str or None of length n_individuals
        Each individual's group label; individuals in neither group are left out (counted
        in ``n_excluded``).
    reference, focal : str
        The two groups compared (distinct, each with at least one individual).
    item_ids : sequence of str of length n_items, optional
        Column ids; "1".."n_items" when omitted.
    matching : array-like of shape (n_individuals,), optional
        The matching criterion; default the total score (row sums, studied item included).
    alpha : float, default 0.05
        Significance level of the chi-square test and of the "greater than 1" test.

    Returns
    -------
    DifAnalysis
        One ``DifItem`` per column, in order.

    Raises
    ------
    InsufficientData
        A group has nobody in it.
    StatisticsInputError
        Wrong shapes, responses other than 0/1, equal groups, alpha outside (0, 0.5).
    """
    x, labels = _check(responses, groups, reference, focal, alpha)
    n, k = x.shape
    ids = item_ids_or_default(item_ids, k, "item_ids")
    criterion = x.sum(axis=1) if matching is None else as_float_vector(matching, "matching", n)
    is_ref, is_focal = labels == reference, labels == focal
    keep = is_ref | is_focal
    x, ref = x[keep], is_ref[keep]
    sums = _sums(x, ref, criterion[keep])
    p_values = stats.chi2.sf(sums.chi, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = sums.r / sums.s
    items = []
    for j in range(k):
        estimable = bool(sums.r[j] > 0 and sums.s[j] > 0)
        delta = finite_or_none(-DELTA_SCALE * np.log(odds[j])) if estimable else None
        se = finite_or_none(DELTA_SCALE * np.sqrt(sums.var_log[j])) if estimable else None
        chi = finite_or_none(sums.chi[j]) if sums.variance[j] > 0 else None
        p_value = finite_or_none(p_values[j]) if chi is not None else None
        items.append(
            DifItem(
                id=ids[j],
                n_reference=sums.n_reference,
                n_focal=sums.n_focal,
                p_reference=finite_or_none(x[ref, j].mean()),
                p_focal=finite_or_none(x[~ref, j].mean()),
                alpha_mh=finite_or_none(odds[j]) if estimable else None,
                delta_mh=delta,
                se_delta=se,
                chi_square=chi,
                p_value=p_value,
                ets_class=_classify(delta, se, p_value, alpha),
                favors=None if not delta else ("reference" if delta < 0 else "focal"),
                note=_note(sums, j, estimable),
            )
        )
    return DifAnalysis(
        reference=reference,
        focal=focal,
        n_reference=int(is_ref.sum()),
        n_focal=int(is_focal.sum()),
        n_excluded=int((~keep).sum()),
        alpha=alpha,
        items=items,
    )
