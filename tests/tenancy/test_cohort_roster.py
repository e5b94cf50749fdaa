"""The CSV roster check alone: every problem with its line, nothing half-read."""

from __future__ import annotations

from service.tenancy.cohort_roster import MAX_ROWS, read_roster


def _problems(text: str | bytes) -> list[tuple[int, str | None, str]]:
    data = text.encode() if isinstance(text, str) else text
    return [(p.line, p.column, p.reason) for p in read_roster(data).problems]


def test_a_clean_roster_in_any_column_order_with_blank_lines_and_a_bom() -> None:
    roster = read_roster(
        "\ufeffEmail, Family Name ,given_name\r\n\r\nana@example.org,Lopez,Ana\r\n"
        '"ben@example.org","Moss, Jr.",Ben\r\n'.encode()
    )
    assert roster.clean and roster.rows == 2
    assert [(c.given_name, c.family_name, c.email, c.external_id) for c in roster.candidates] == [
        ("Ana", "Lopez", "ana@example.org", None),
        ("Ben", "Moss, Jr.", "ben@example.org", None),
    ]


def test_line_numbers_count_physical_lines_of_quoted_multiline_fields() -> None:
    text = (
        "given_name,family_name,email,external_id\n"
        '"Ana","Lopez\nSecond line",ana@example.org,X1\n'  # lines 2-3
        "Ben,Moss,,X1\n"  # line 4
    )
    assert _problems(text) == [
        (4, "email", "e-mail is missing"),
        (4, "external_id", "external id repeats line 2"),
    ]


def test_repeats_are_case_insensitive_and_each_bad_row_is_reported() -> None:
    text = (
        "given_name,family_name,email\n"
        "Ana,Lopez,Ana@Example.org\n"
        "Ana,Lopez,ana@example.org\n"
        f"{'x' * 201},Long,long@example.org\n"
        "Nul,\x00,nul@example.org\n"
    )
    assert [(line, column) for line, column, _ in _problems(text)] == [
        (3, "email"),
        (4, "given_name"),
        (5, "family_name"),
    ]


def test_file_level_problems() -> None:
    assert _problems(b"") == [(0, None, "the file is empty")]
    assert _problems("given_name,family_name,email\n") == [
        (0, None, "the file has a header but no candidates")
    ]
    header = _problems("given_name,given_name,family_name,email,phone\n")
    assert [reason.split(" (")[0] for _, _, reason in header] == [
        "unknown column(s) 'phone'",
        "column(s) given_name appear twice",
    ]
    assert _problems(b"given_name,family_name,email\nA,B,\xe9@x.org\n")[0][:2] == (2, None)
    broken = _problems('given_name,family_name,email\nA,"B,c@x.org\n')
    assert broken[0][0] == 2 and "not valid CSV" in broken[0][2]
    many = "given_name,family_name,email\n" + "A,B,a@x.org\n" * (MAX_ROWS + 5)
    assert _problems(many)[-1] == (
        MAX_ROWS + 2,
        None,
        f"more than {MAX_ROWS} rows; split the file into parts",
    )
