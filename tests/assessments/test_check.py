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
RECORDS_A = "assessments/records_operations/form-a.toml"
NEAR_MISS = (
    '["E11.65", "I10"]\nrubric = { near_misses = [{ code = "CODE", instead_of = "E11.65", '
    'credit = 0.5, reason = "A written reason for the partial credit." }] }'
)
OFF_TOPIC = (
    'levels = {{ content = {content}, clarity = 3 }}\ntext = """\n'
    "Dear Ms. Rivera, thank you for your message"
)
SHORT_REASON = NEAR_MISS.replace("CODE", "E11.69").replace(
    "A written reason for the partial credit.", "close"
)
SCENARIOS_LISTED_IN_KEY_ORDER = """elements = [
  {id = "t1", text = "Subpoena due today", must_be_within = 1},
  {id = "t2", text = "Access request due in 3 days", must_be_within = 2},
  {id = "t3", text = "Scan yesterday's discharge papers"},
  {id = "t4", text = "File loose reports"},
]"""


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
    # An exemplar that does not score as stated fails the check.
    (
        COMMUNICATION_A,
        "levels = { content = 2, clarity = 3 }",
        "levels = { content = 3, clarity = 3 }",
        COMMUNICATION_A,
        "COM-A-01",
        "exemplars[1].levels.content",
        "exemplar 'no-fee' scores 2, stated 3",
    ),
    (
        COMMUNICATION_A,
        OFF_TOPIC.format(content=0),
        OFF_TOPIC.format(content=3),
        COMMUNICATION_A,
        "COM-A-01",
        "exemplars[5].levels",
        "an off-topic reply must not earn full marks",
    ),
    (
        COMMUNICATION_A,
        'kind = "off_topic"',
        'kind = "near_miss"',
        COMMUNICATION_A,
        "COM-A-01",
        "exemplars",
        "needs at least one 'off_topic' exemplar",
    ),
    (
        COMMUNICATION_A,
        "patterns = ['\\bother patient\\b', 'MRN\\s*\\d+']",
        "patterns = ['never-written-by-anyone']",
        COMMUNICATION_A,
        "COM-A-01",
        "rules[3]",
        "no exemplar matches it",
    ),
    (
        COMMUNICATION_A,
        "patterns = ['\\b30\\b.{0,20}\\bdays?\\b', 'thirty\\s+days']",
        "patterns = ['\\w']",
        COMMUNICATION_A,
        "COM-A-01",
        "rules[0]",
        "every exemplar matches it",
    ),
    (
        COMMUNICATION_A,
        'description = "Asks for identity verification"',
        'description = "Asks for identity verification"\ncap = 3',
        COMMUNICATION_A,
        "COM-A-01",
        "rules[1].cap",
        "Expected `int` <= 2",
    ),
    # Scoring loopholes the check refuses.
    (
        CODING_A,
        'level = "coder"\n',
        "",
        CODING_A,
        "COD-A-01",
        "level",
        "a coding item carries a level",
    ),
    (
        CODING_A,
        '["E11.65", "I10"]',
        NEAR_MISS.replace("CODE", "I10"),
        CODING_A,
        "COD-A-01",
        "rubric.near_misses[0].code",
        "'I10' is a key code, not a near miss",
    ),
    (
        CODING_A,
        '["E11.65", "I10"]',
        NEAR_MISS.replace("CODE", "E11.655"),
        CODING_A,
        "COD-A-01",
        "rubric.near_misses[0].code",
        "not a real icd10cm code",
    ),
    (
        CODING_A,
        '["E11.65", "I10"]',
        SHORT_REASON,
        CODING_A,
        "COD-A-01",
        "rubric.near_misses[0].reason",
        "length >= 20",
    ),
    (
        PRIVACY_A,
        'key = ["a", "c", "d"]',
        'key = ["a", "b", "c", "d"]',
        PRIVACY_A,
        "PRI-A-03",
        "key",
        "keys every option",
    ),
    (
        SCENARIOS_A,
        '[["r1", "r3"], ["r2"], ["r4"]]',
        '[["r1"], ["r3"], ["r2"], ["r4"]]',
        SCENARIOS_A,
        "SCN-A-03",
        "key",
        "leaving every record separate would earn full marks",
    ),
    (
        RECORDS_A,
        'key = {p1 = "lab", p2 = "consent", p3 = "lab", p4 = "note"}',
        'key = {p1 = "lab", p2 = "lab", p3 = "lab", p4 = "lab"}',
        RECORDS_A,
        "ROP-A-01",
        "key",
        "uses one category only",
    ),
    (
        RECORDS_A,
        'key = {p1 = "lab", p2 = "consent", p3 = "lab", p4 = "note"}',
        'key = {p1 = "lab", p2 = "consent", p3 = "lab"}',
        RECORDS_A,
        "ROP-A-01",
        "key",
        "must place every entry exactly once",
    ),
    (
        RECORDS_A,
        'key = {p1 = "lab", p2 = "consent", p3 = "lab", p4 = "note"}',
        'key = {p1 = "lab", p2 = "consent", p3 = "lab", p4 = "memo"}',
        RECORDS_A,
        "ROP-A-01",
        "key.p4",
        "'memo' is not a category id",
    ),
    (
        "packages.toml",
        'assessments = ["coding", "privacy"]',
        'assessments = ["coding", "privacy", "filing"]',
        "packages.toml",
        "starter",
        "assessments[2]",
        "unknown assessment 'filing'",
    ),
    (
        "assessments/privacy/assessment.toml",
        'status = "provisional"',
        'status = "draft"',
        "assessments/privacy/assessment.toml",
        "",
        "cut_score.status",
        "Invalid enum value",
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


def test_ordering_listed_in_key_order_is_refused(tmp_path: Path) -> None:
    """An untouched ordering item submits the order shown, so that order must earn nothing."""
    root = Path(shutil.copytree(FIXTURE_ROOT, tmp_path / "rubrics"))
    path = root / SCENARIOS_A
    text = path.read_text()
    start, end = text.index("elements = ["), text.index("]\nkey = ")
    path.write_text(text[:start] + SCENARIOS_LISTED_IN_KEY_ORDER + text[end + 1 :])
    problems = [p for p in check_content(root) if p.item_id == "SCN-A-01"]
    assert [(p.field, "already earns credit" in p.message) for p in problems] == [
        ("elements", True)
    ]


def test_an_assessment_level_binds_its_items(tmp_path: Path) -> None:
    root = _broken(
        tmp_path, "assessments/coding/assessment.toml", 'title = "', 'level = "clerk"\ntitle = "'
    )
    problems = {(p.item_id, p.field): p.message for p in check_content(root)}
    assert problems == {
        ("COD-A-01", "level"): "every item of 'coding' carries level 'clerk'",
        ("COD-A-03", "level"): "every item of 'coding' carries level 'clerk'",
        ("COD-B-01", "level"): "every item of 'coding' carries level 'clerk'",
        ("COD-B-03", "level"): "every item of 'coding' carries level 'clerk'",
    }


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
    # competency table: terminology 1, coding 2, items 3, points 4, raw cut 2.6, provisional
    assert coding_rows[0] == ["coding-a", "1", "2", "3", "4", "2.6", "provisional"]
    # type table: single_choice 1, code_entry 2
    assert coding_rows[1] == ["coding-a", "1", "2"]
    # level table: one clerk-level and one coder-level code-entry item
    assert coding_rows[2] == ["coding-a", "1", "1"]
    assert "provisional (coding, communication, privacy, scenarios): Fixture ratings" in text
    assert main_stats([str(FIXTURE_ROOT)]) == 0
    assert capsys.readouterr().out.strip() == text
