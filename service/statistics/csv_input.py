"""The CSV layouts the command line reads (auditors bring exports from anywhere).

Every problem names the row (the file's line number: the header is row 1) and the column
(1-based, with its header), so a person can open the file and fix it:
``row 4, column 3 (COD-A-03): 'x' is not a number``.

- item analysis: row 1 item ids, row 2 each item's maximum mark, then one row of marks per
  attempt;
- bias audit: a header naming ``sex``, ``race_ethnicity`` and one of ``selected`` (0/1) or
  ``score``, in any order (other columns are ignored); an empty sex or race/ethnicity is
  unknown;
- DIF: a header naming the group column and the items; every other column holds 0/1.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator

import msgspec
import numpy as np

from service.statistics.errors import StatisticsInputError
from service.statistics.validation import FloatArray


class CsvInputError(StatisticsInputError):
    """A cell (or row) of an input file that cannot be used, with its position."""

    def __init__(
        self, detail: str, *, line: int, column: int | None = None, header: str | None = None
    ) -> None:
        where = f"row {line}"
        if column is not None:
            where += f", column {column}" + (f" ({header})" if header else "")
        super().__init__(f"{where}: {detail}", field=header or f"row {line}")
        self.row, self.column = line, column


class MarksTable(msgspec.Struct, frozen=True):
    """Item ids, maximum marks and one row of marks per attempt."""

    item_ids: list[str]
    max_marks: list[float]
    marks: FloatArray


class AuditTable(msgspec.Struct, frozen=True):
    """One row per individual: categories (None = unknown) and the outcome."""

    sex: list[str | None]
    race_ethnicity: list[str | None]
    selected: list[int] | None
    scores: list[float] | None


class DifTable(msgspec.Struct, frozen=True):
    """Item ids, each individual's group (None = empty) and 0/1 responses."""

    item_ids: list[str]
    groups: list[str | None]
    responses: FloatArray


def _lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank line."""
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if any(cell.strip() for cell in row):
            yield number, [cell.strip() for cell in row]


def _number(cell: str, line: int, column: int, header: str) -> float:
    if not cell:
        raise CsvInputError(
            "empty cell (a number is needed)", line=line, column=column, header=header
        )
    try:
        value = float(cell)
    except ValueError:
        raise CsvInputError(
            f"{cell!r} is not a number", line=line, column=column, header=header
        ) from None
    if not math.isfinite(value):
        raise CsvInputError(
            f"{cell!r} is not a finite number", line=line, column=column, header=header
        )
    return value


def _width(cells: list[str], expected: int, line: int) -> None:
    if len(cells) != expected:
        raise CsvInputError(f"{len(cells)} cells, but the header has {expected}", line=line)


def _header(rows: Iterator[tuple[int, list[str]]], what: str) -> tuple[int, list[str]]:
    first = next(rows, None)
    if first is None:
        raise CsvInputError(f"the file is empty (expected {what})", line=1)
    line, names = first
    for column, name in enumerate(names, start=1):
        if not name:
            raise CsvInputError("empty column name", line=line, column=column)
        if names.index(name) != column - 1:
            raise CsvInputError(f"column name {name!r} repeats", line=line, column=column)
    return line, names


def read_marks(text: str) -> MarksTable:
    """Parse the item-analysis layout; marks must lie between 0 and each maximum."""
    rows = _lines(text)
    _, ids = _header(rows, "a row of item ids")
    second = next(rows, None)
    if second is None:
        raise CsvInputError("missing the row of maximum marks", line=2)
    line, cells = second
    _width(cells, len(ids), line)
    maxima = [_number(c, line, j, ids[j - 1]) for j, c in enumerate(cells, start=1)]
    for j, maximum in enumerate(maxima, start=1):
        if maximum <= 0:
            raise CsvInputError(
                f"maximum mark {maximum:g} is not positive", line=line, column=j, header=ids[j - 1]
            )
    marks = []
    for line, cells in rows:
        _width(cells, len(ids), line)
        row = []
        for j, cell in enumerate(cells, start=1):
            value = _number(cell, line, j, ids[j - 1])
            if not 0 <= value <= maxima[j - 1]:
                raise CsvInputError(
                    f"mark {value:g} is outside 0..{maxima[j - 1]:g}",
                    line=line,
                    column=j,
                    header=ids[j - 1],
                )
            row.append(value)
        marks.append(row)
    return MarksTable(
        item_ids=ids,
        max_marks=maxima,
        marks=np.array(marks, dtype=np.float64).reshape(-1, len(ids)),
    )


def read_audit(text: str) -> AuditTable:
    """Parse the bias-audit layout (selection decisions or scores)."""
    rows = _lines(text)
    line, names = _header(rows, "a header with sex, race_ethnicity and selected or score")
    for needed in ("sex", "race_ethnicity"):
        if needed not in names:
            raise CsvInputError(f"the header lacks a {needed!r} column", line=line)
    outcome = [n for n in ("selected", "score") if n in names]
    if len(outcome) != 1:
        raise CsvInputError(
            "the header needs exactly one of 'selected' (0/1) or 'score'", line=line
        )
    sex_at, race_at, out_at = (names.index(n) for n in ("sex", "race_ethnicity", outcome[0]))
    sex: list[str | None] = []
    race: list[str | None] = []
    values: list[float] = []
    for line, cells in rows:
        _width(cells, len(names), line)
        sex.append(cells[sex_at] or None)
        race.append(cells[race_at] or None)
        value = _number(cells[out_at], line, out_at + 1, outcome[0])
        if outcome[0] == "selected" and value not in (0, 1):
            raise CsvInputError(
                f"selected must be 0 or 1, not {cells[out_at]!r}",
                line=line,
                column=out_at + 1,
                header="selected",
            )
        values.append(value)
    if outcome[0] == "selected":
        return AuditTable(
            sex=sex, race_ethnicity=race, selected=[int(v) for v in values], scores=None
        )
    return AuditTable(sex=sex, race_ethnicity=race, selected=None, scores=values)


def read_dif(text: str, group_column: str) -> DifTable:
    """Parse the DIF layout: ``group_column`` plus 0/1 item columns."""
    rows = _lines(text)
    line, names = _header(rows, f"a header with {group_column!r} and item columns")
    if group_column not in names:
        raise CsvInputError(f"the header has no {group_column!r} column (the --group)", line=line)
    group_at = names.index(group_column)
    items = [(j, n) for j, n in enumerate(names) if j != group_at]
    if not items:
        raise CsvInputError("the header names no item columns", line=line)
    groups: list[str | None] = []
    responses = []
    for line, cells in rows:
        _width(cells, len(names), line)
        groups.append(cells[group_at] or None)
        row = []
        for j, name in items:
            value = _number(cells[j], line, j + 1, name)
            if value not in (0, 1):
                raise CsvInputError(
                    f"{cells[j]!r} is not 0 or 1", line=line, column=j + 1, header=name
                )
            row.append(value)
        responses.append(row)
    return DifTable(
        item_ids=[n for _, n in items],
        groups=groups,
        responses=np.array(responses, dtype=np.float64).reshape(-1, len(items)),
    )
