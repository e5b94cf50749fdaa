"""Argument checks shared by the statistics: shapes, finiteness, ranges and labels.

Messages name the parameter and say what was expected and what was found, so a caller can
fix the call without reading the code ("marks must be 2-D (n_attempts, n_items); got shape
(3,)").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from service.statistics.errors import StatisticsInputError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]


def _first_bad(mask: BoolArray) -> tuple[int, ...]:
    """Index of the first True in ``mask`` (row-major)."""
    return tuple(int(i) for i in np.argwhere(mask)[0])


def as_float_matrix(values: Any, name: str) -> FloatArray:
    """``values`` as a finite 2-D float64 array."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StatisticsInputError(f"{name} must be numeric: {exc}", field=name) from exc
    if array.ndim != 2:
        raise StatisticsInputError(
            f"{name} must be 2-D (n_rows, n_columns); got shape {array.shape}", field=name
        )
    bad = ~np.isfinite(array)
    if bad.any():
        row, column = _first_bad(bad)
        raise StatisticsInputError(
            f"{name} holds a non-finite value at row {row}, column {column}", field=name
        )
    return array


def as_float_vector(values: Any, name: str, length: int | None = None) -> FloatArray:
    """``values`` as a finite 1-D float64 array (of ``length`` when given)."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StatisticsInputError(f"{name} must be numeric: {exc}", field=name) from exc
    if array.ndim != 1:
        raise StatisticsInputError(f"{name} must be 1-D; got shape {array.shape}", field=name)
    if length is not None and array.size != length:
        raise StatisticsInputError(
            f"{name} must have {length} entries (one per row); got {array.size}", field=name
        )
    bad = ~np.isfinite(array)
    if bad.any():
        raise StatisticsInputError(
            f"{name} holds a non-finite value at index {_first_bad(bad)[0]}", field=name
        )
    return array


def as_binary_vector(values: Any, name: str, length: int) -> BoolArray:
    """``values`` (booleans or 0/1 numbers) as a 1-D bool array of ``length``."""
    array = as_float_vector(values, name, length)
    bad = (array != 0) & (array != 1)
    if bad.any():
        index = _first_bad(bad)[0]
        raise StatisticsInputError(
            f"{name} must hold only 0 or 1; index {index} is {array[index]:g}", field=name
        )
    return np.asarray(array == 1, dtype=np.bool_)


def as_labels(values: Sequence[str | None] | StrArray, name: str, length: int) -> StrArray:
    """Category labels as a 1-D str array; ``None`` and "" both mean unknown ("")."""
    array = np.asarray(["" if v is None else v for v in values], dtype=np.str_)
    if array.ndim != 1 or array.size != length:
        raise StatisticsInputError(
            f"{name} must have {length} labels (one per row); got shape {array.shape}", field=name
        )
    return array


def item_ids_or_default(item_ids: Sequence[str] | None, k: int, name: str) -> list[str]:
    """Given item ids (unique, non-empty, one per column) or "1".."k"."""
    if item_ids is None:
        return [str(i + 1) for i in range(k)]
    ids = [str(i) for i in item_ids]
    if len(ids) != k:
        raise StatisticsInputError(
            f"{name} must name {k} items (one per column); got {len(ids)}", field=name
        )
    if any(not i for i in ids):
        raise StatisticsInputError(f"{name} holds an empty id", field=name)
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise StatisticsInputError(f"{name} repeats {item!r}", field=name)
        seen.add(item)
    return ids


def finite_or_none(value: float | np.floating[Any]) -> float | None:
    """A Python float, or None for NaN and infinities (JSON has no NaN)."""
    number = float(value)
    return number if np.isfinite(number) else None
