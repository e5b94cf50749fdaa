"""A cohort roster uploaded as CSV, checked in full before anything is stored.

The whole file is read and every row judged; the import goes ahead only when the report is
empty, so a coordinator never has to find out which half of a file got in. Pure: bytes in,
candidates or a report of numbered problems out (the csv module parses; nothing here touches
the database).
"""

from __future__ import annotations

import csv
import io
import re

import msgspec

from service.tenancy.candidates import NewCandidate

MAX_BYTES = 512 * 1024
"""Largest roster accepted (about 5,000 typical rows, far above MAX_ROWS)."""
MAX_ROWS = 1000
"""Most candidates one file may add; split larger rosters."""
REQUIRED = ("given_name", "family_name", "email")
OPTIONAL = ("external_id",)
MAX_FIELD = 200

# The same rule as service.ground.types.Email (the HR API's), so both faces agree.
_EMAIL = re.compile(r"^[^@\x00-\x20\x7f]+@[^@\x00-\x20\x7f]+\.[^@\x00-\x20\x7f]+$")


class RowProblem(msgspec.Struct, frozen=True):
    """One reason a roster cannot be imported: the file's line (1 is the header; 0 for the
    file as a whole), the column when one is at fault, and what to fix."""

    line: int
    column: str | None
    reason: str


class Roster(msgspec.Struct, frozen=True):
    """A judged roster: the candidates to add (meaningful only when ``problems`` is empty)."""

    candidates: list[NewCandidate]
    problems: list[RowProblem]
    rows: int

    @property
    def clean(self) -> bool:
        """Nothing to fix: the roster may be imported."""
        return not self.problems


def check_email(value: str) -> str | None:
    """Why ``value`` is not an acceptable e-mail address, or None when it is."""
    if not value:
        return "e-mail is missing"
    if len(value) > 320:
        return "e-mail is longer than 320 characters"
    if not _EMAIL.match(value):
        return f"{value!r} is not a valid e-mail address"
    return None


def check_text(column: str, value: str, *, required: bool) -> str | None:
    """Why a name or id cell is not acceptable, or None."""
    label = column.replace("_", " ")
    if not value:
        return f"{label} is missing" if required else None
    if len(value) > MAX_FIELD:
        return f"{label} is longer than {MAX_FIELD} characters"
    if "\x00" in value:
        return f"{label} contains a NUL character"
    return None


def _decode(data: bytes) -> str | RowProblem:
    if not data.strip():
        return RowProblem(0, None, "the file is empty")
    if len(data) > MAX_BYTES:
        return RowProblem(
            0, None, f"the file is larger than {MAX_BYTES // 1024} KiB; split it into parts"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        line = data[: bad.start].count(b"\n") + 1
        return RowProblem(
            line,
            None,
            "the file is not UTF-8 text; in your spreadsheet choose 'CSV UTF-8' when saving",
        )


def _header(cells: list[str]) -> tuple[dict[str, int], list[RowProblem]]:
    names = [c.strip().lower().replace(" ", "_") for c in cells]
    problems = []
    unknown = [n for n in names if n not in REQUIRED + OPTIONAL]
    missing = [n for n in REQUIRED if n not in names]
    repeated = sorted({n for n in names if names.count(n) > 1})
    expected = ", ".join(REQUIRED + OPTIONAL)
    if missing:
        problems.append(
            RowProblem(1, None, f"the header lacks {', '.join(missing)} (expected: {expected})")
        )
    if unknown:
        shown = ", ".join(repr(u) for u in unknown)
        problems.append(RowProblem(1, None, f"unknown column(s) {shown} (expected: {expected})"))
    if repeated:
        problems.append(RowProblem(1, None, f"column(s) {', '.join(repeated)} appear twice"))
    return {n: i for i, n in enumerate(names)}, problems


def _judge_row(
    line: int, cells: list[str], columns: dict[str, int], first_seen: dict[tuple[str, str], int]
) -> tuple[NewCandidate | None, list[RowProblem]]:
    """One data row: the candidate, or why not (``first_seen`` remembers e-mails and external
    ids of earlier lines, to report repeats)."""
    values = {name: cells[i].strip() for name, i in columns.items()}
    problems = []
    for name in REQUIRED[:2] + OPTIONAL:
        why = check_text(name, values.get(name, ""), required=name in REQUIRED)
        if why:
            problems.append(RowProblem(line, name, why))
    why = check_email(values["email"])
    if why:
        problems.append(RowProblem(line, "email", why))
    for key in ("email", "external_id"):
        value = values.get(key, "")
        if not value:
            continue
        seen = first_seen.setdefault((key, value.lower()), line)
        if seen != line:
            problems.append(RowProblem(line, key, f"{key.replace('_', ' ')} repeats line {seen}"))
    if problems:
        return None, problems
    return NewCandidate(
        given_name=values["given_name"],
        family_name=values["family_name"],
        email=values["email"],
        external_id=values.get("external_id") or None,
    ), []


def read_roster(data: bytes) -> Roster:
    """Judge a CSV roster: a header naming given_name, family_name, email (external_id
    optional, any order, case-insensitive), then one candidate per row. Blank lines are
    skipped. Problems: size, encoding, header, CSV syntax, row length, missing or invalid
    values, an e-mail or external id repeated in the file, too many rows."""
    text = _decode(data)
    if isinstance(text, RowProblem):
        return Roster([], [text], 0)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[RowProblem] = []
    candidates: list[NewCandidate] = []
    columns: dict[str, int] | None = None
    first_seen: dict[tuple[str, str], int] = {}
    rows = 0
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as bad:
            problems.append(RowProblem(start, None, f"this line is not valid CSV ({bad})"))
            break  # the reader cannot resynchronise after a broken quote
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if columns is None:
            columns, header_problems = _header(cells)
            problems.extend(header_problems)
            if header_problems:
                break  # rows cannot be read against a wrong header
            continue
        rows += 1
        if rows > MAX_ROWS:
            problems.append(
                RowProblem(line, None, f"more than {MAX_ROWS} rows; split the file into parts")
            )
            break
        if len(cells) != len(columns):
            problems.append(
                RowProblem(line, None, f"{len(cells)} fields where the header has {len(columns)}")
            )
            continue
        candidate, row_problems = _judge_row(line, cells, columns, first_seen)
        problems.extend(row_problems)
        if candidate is not None:
            candidates.append(candidate)
    if columns is None and not problems:
        problems.append(RowProblem(0, None, "the file has no header row"))
    elif not problems and rows == 0:
        problems.append(RowProblem(0, None, "the file has a header but no candidates"))
    return Roster(candidates, problems, rows)
