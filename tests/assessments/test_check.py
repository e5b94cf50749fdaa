"""check-content: precise problems on deliberately broken copies, CLI output and exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.assessments.content import check_content
from service.assessments.stats import content_stats
from service.cli.content import main_check, main_stats
from tests.assessments.helpers import FIXTURE_ROOT

CODING_A = "assessments/coding/form-a.toml"
PRIVACY_A = "assessments/privacy/form-a.toml"
SCENARIOS_A = "assessments/scenarios/form-a.toml"
COMMUNICATION_A = "assessments/communication/form-a.toml"


def _broken(tmp_path: Path, rel: str, old: str, new: str) -> Path:
    root = Path(shutil.copytree(FIXTURE_ROOT, tmp_path / "rubrics"))
    path = root / rel
    text = path.read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1))
    return root


def test_fixture_tree_has_no_problems() -> None:
    assert check_content(FIXTURE_ROOT) == []


BROKEN = [
    (
        CODING_A,
        '["E11.65", "I10"]',
        '["E11.65", "E11.6"]',
        CODING_A,
        "COD-A-01",
        "key[1]",
        "not billable",
    ),
    (
        CODING_A,
        '["E11.65", "I10"]',
        '["E11.65", "Q99.99"]',
        CODING_A,
        "COD-A-01",
        "key[1]",
        "not an ICD-10-CM code",
    ),
    (
        CODING_A,
        '["E11.65", "I10"]',
        '["e1165", "I10"]',
        CODING_A,
        "COD-A-01",
        "key[0]",
        "write 'e1165' as 'E11.65'",
    ),
    (CODING_A, '["E11.65", "I10"]', '["E11.65", "99213"]', CODING_A, "COD-A-01", "key[1]", "CPT"),
    (
        CODING_A,
        '["E0114"]',
        '["E0115"]',
        CODING_A,
        "COD-A-02",
        "key[0]",
        "not listed in code_sets/hcpcs.toml",
    ),
    (
        CODING_A,
        'competency = "terminology"',
        'competency = "anatomy"',
        CODING_A,
        "COD-A-03",
        "competency",
        "unknown competency",
    ),
    (
        CODING_A,
        'section = "terms"',
        'section = "nowhere"',
        CODING_A,
        "COD-A-03",
        "section",
        "unknown section",
    ),
    (CODING_A, 'key = "b"', 'key = "e"', CODING_A, "COD-A-03", "key", "not an option id"),
    (
        CODING_A,
        '{id = "c", text',
        '{id = "b", text',
        CODING_A,
        "COD-A-03",
        "options",
        "duplicate option id",
    ),
    (
        CODING_A,
        "angoff = [0.8, 0.9]",
        "angoff = [0.8, 1.9]",
        CODING_A,
        "COD-A-03",
        "angoff[1]",
        "outside [0, 1]",
    ),
    (
        CODING_A,
        'id = "COD-A-03"',
        'id = "COD-A-02"',
        CODING_A,
        "COD-A-02",
        "id",
        "duplicate item id",
    ),
    (
        CODING_A,
        'type = "single_choice"',
        'type = "essay"',
        CODING_A,
        "COD-A-03",
        "type",
        "Invalid value 'essay'",
    ),
    (
        CODING_A,
        'stem = "Which term',
        'stme = "Which term',
        CODING_A,
        "COD-A-03",
        "",
        "unknown field `stme`",
    ),
    (
        PRIVACY_A,
        "occurrence = 2",
        "occurrence = 3",
        PRIVACY_A,
        "PRI-A-01",
        "spans[2].text",
        "occurs 2 time(s)",
    ),
    (
        PRIVACY_A,
        '{text = "555-0142"',
        '{text = "555-9999"',
        PRIVACY_A,
        "PRI-A-01",
        "spans[1].text",
        "occurs 0 time(s)",
    ),
    (
        PRIVACY_A,
        'label = "phone"',
        'label = "telephone"',
        PRIVACY_A,
        "PRI-A-01",
        "spans[1].label",
        "Invalid enum value",
    ),
    (
        SCENARIOS_A,
        'key = ["t1", "t2", "t3", "t4"]',
        'key = ["t1", "t2", "t3"]',
        SCENARIOS_A,
        "SCN-A-01",
        "key",
        "every element id exactly once",
    ),
    (
        SCENARIOS_A,
        'key = ["t1", "t2", "t3", "t4"]',
        'key = ["t1", "t3", "t2", "t4"]',
        SCENARIOS_A,
        "SCN-A-01",
        "key",
        "after its must_be_within 2",
    ),
    (
        SCENARIOS_A,
        '[["r1", "r3"], ["r2"], ["r4"]]',
        '[["r1", "r3"], ["r2"]]',
        SCENARIOS_A,
        "SCN-A-03",
        "key",
        "exactly one cluster",
    ),
    (
        SCENARIOS_A,
        '"1980-03-02", "MR200"]',
        '"1980-03-02"]',
        SCENARIOS_A,
        "SCN-A-03",
        "records[1].values",
        "2 values for 3 fields",
    ),
    (
        COMMUNICATION_A,
        'criterion = "content"',
        'criterion = "contnet"',
        COMMUNICATION_A,
        "COM-A-01",
        "rules[0].criterion",
        "unknown criterion",
    ),
    (
        COMMUNICATION_A,
        "patterns = ['cost-based'",
        "patterns = ['cost-(based'",
        COMMUNICATION_A,
        "COM-A-01",
        "rules[2].patterns[0]",
        "invalid regex",
    ),
    (
        COMMUNICATION_A,
        "max_words = 250",
        "max_words = 20",
        COMMUNICATION_A,
        "COM-A-01",
        "max_words",
        "must exceed min_words",
    ),
    (
        "assessments/coding/assessment.toml",
        "coding = 75",
        "coding = 70",
        "assessments/coding/assessment.toml",
        "",
        "blueprint",
        "sum to 95",
    ),
]


@pytest.mark.parametrize(("rel", "old", "new", "file", "item_id", "field", "message"), BROKEN)
def test_a_broken_copy_yields_a_precise_problem(
    tmp_path: Path, rel: str, old: str, new: str, file: str, item_id: str, field: str, message: str
) -> None:
    problems = check_content(_broken(tmp_path, rel, old, new))
    matching = [p for p in problems if (p.file, p.item_id, p.field) == (file, item_id, field)]
    assert matching, problems
    assert any(message in p.message for p in matching), matching


def test_forms_off_blueprint_are_named(tmp_path: Path) -> None:
    root = _broken(tmp_path, CODING_A, "points = 2\n", "points = 6\n")
    problems = check_content(root)
    fields = {(p.file, p.field) for p in problems}
    assert (CODING_A, "blueprint.coding") in fields
    assert ("assessments/coding/assessment.toml", "forms") in fields


def test_a_single_form_is_not_enough(tmp_path: Path) -> None:
    root = Path(shutil.copytree(FIXTURE_ROOT, tmp_path / "rubrics"))
    (root / "assessments" / "privacy" / "form-b.toml").unlink()
    problems = check_content(root)
    assert [p.message for p in problems if p.file == "assessments/privacy/assessment.toml"] == [
        "needs at least two parallel forms, has 1"
    ]


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    root = _broken(tmp_path, CODING_A, 'id = "coding-a"', 'id = "coding-a')
    problems = check_content(root)
    assert problems[0].file == CODING_A
    assert "not valid TOML" in problems[0].message


def test_main_check_prints_one_line_per_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _broken(tmp_path, CODING_A, 'key = "b"', 'key = "e"')
    assert main_check([str(root)]) == 1
    out = capsys.readouterr().out
    assert out == f"{CODING_A}: COD-A-03: key: 'e' is not an option id\n"


def test_main_check_exits_0_on_good_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main_check([str(FIXTURE_ROOT)]) == 0
    assert capsys.readouterr().out == ""


def test_main_check_rejects_options_and_missing_roots(tmp_path: Path) -> None:
    assert main_check(["--verbose"]) == 2
    assert main_check([str(tmp_path / "absent")]) == 1


def test_content_stats_counts_items_per_form_competency_and_type(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = content_stats(FIXTURE_ROOT)
    coding_rows = [line.split() for line in text.splitlines() if line.startswith("coding-a")]
    # competency table: terminology 1, coding 2, items 3, points 4, raw cut 2.6
    assert coding_rows[0] == ["coding-a", "1", "2", "3", "4", "2.6"]
    # type table: single_choice 1, code_entry 2
    assert coding_rows[1] == ["coding-a", "1", "2"]
    assert main_stats([str(FIXTURE_ROOT)]) == 0
    assert capsys.readouterr().out.strip() == text
