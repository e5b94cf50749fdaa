"""The `chartready` command line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service.cli import build_parser, main

COMMANDS = [
    "serve",
    "demo",
    "migrate",
    "version",
    "settings",
    "check-content",
    "content-stats",
    "score-answer",
    "invite",
    "sweep",
    "worker",
    "jobs",
    "equate",
    "train",
    "model-card",
    "model-rollback",
    "item-analysis",
    "bias-audit",
    "dif",
    "org-create",
    "user-create",
    "api-key-create",
    "api-key-list",
    "api-key-revoke",
    "invite-revoke",
]
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert f"usage: chartready {command}" in capsys.readouterr().out


def test_parser_knows_every_command_and_the_readme_lists_them() -> None:
    choices = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(COMMANDS) == set(choices)
    readme = README.read_text()
    for command in COMMANDS:
        assert f"| `chartready {command}" in readme, f"README lacks `chartready {command}`"


def test_version_and_bad_setting_via_console_script() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "service.cli", "version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("chartready ")
    bad = subprocess.run(
        [sys.executable, "-m", "service.cli", "version"],
        capture_output=True,
        text=True,
        env={"CHARTREADY_PORT": "x", "PATH": "/usr/bin"},
    )
    assert bad.returncode == 2
    assert "CHARTREADY_PORT" in bad.stderr


@pytest.mark.slow
def test_check_content_passes_shipped_bank_and_names_a_broken_copy(tmp_path: Path) -> None:
    rubrics = Path(__file__).resolve().parents[2] / "rubrics"
    ok = subprocess.run(
        [sys.executable, "-m", "service.cli", "check-content"], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "rubrics"
    shutil.copytree(rubrics, broken)
    form = broken / "assessments" / "coding" / "form-a.toml"
    text = form.read_text(encoding="utf-8")
    first_key = re.search(r'key = \["([A-Z][0-9][0-9A-Z.]+)"', text)
    assert first_key is not None
    form.write_text(text.replace(first_key.group(0), 'key = ["E11"', 1), encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "service.cli", "check-content", str(broken)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    line = next(x for x in bad.stdout.splitlines() if "E11" in x)
    assert "form-a.toml" in line
    assert "COD-A-" in line
    assert "key" in line


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], capture_output=True, text=True
    )


def test_check_content_fails_when_an_exemplar_does_not_score_as_stated(tmp_path: Path) -> None:
    rubrics = Path(__file__).resolve().parents[2] / "rubrics"
    broken = tmp_path / "rubrics"
    shutil.copytree(rubrics, broken)
    form = broken / "assessments" / "communication" / "form-a.toml"
    text = form.read_text(encoding="utf-8")
    stated = 'id = "no-id-no-fee"\nkind = "near_miss"'
    assert stated in text
    start = text.index(stated)
    levels = text.index("levels = { content = 2,", start)
    form.write_text(
        text[:levels] + "levels = { content = 3," + text[levels + 23 :], encoding="utf-8"
    )
    bad = _cli("check-content", str(broken))
    assert bad.returncode == 1
    assert bad.stdout.splitlines() == [
        "assessments/communication/form-a.toml: COM-A-14: exemplars[2].levels.content: "
        "exemplar 'no-id-no-fee' scores 2, stated 3"
    ]


def test_score_answer_prints_marks_max_and_feedback() -> None:
    import json  # noqa: PLC0415

    exact = _cli("score-answer", "COD-A-08", '["h25.12"]')
    assert exact.returncode == 0, exact.stderr
    result = json.loads(exact.stdout)
    assert set(result) == {"marks", "max", "feedback"}
    assert (result["marks"], result["max"]) == (1.0, 1.0)
    assert result["feedback"]["matched"] == ["H25.12"]
    hedged = json.loads(_cli("score-answer", "COD-A-08", '["H25.12", "H25.11"]').stdout)
    assert hedged["marks"] == 0.5
    assert hedged["feedback"]["extra"] == ["H25.11"]
    wrong_side = json.loads(_cli("score-answer", "COD-A-08", '["H25.11"]').stdout)
    assert wrong_side["marks"] == 0.0
    written = json.loads(_cli("score-answer", "COM-A-15", json.dumps("Please sign it.")).stdout)
    assert written["max"] == 15.0 and written["marks"] < 15.0
    assert written["feedback"]["length_ok"] is False
    indexed = json.loads(_cli("score-answer", "ROP-A-07", '{"d1": "lab", "d7": "lab"}').stdout)
    assert indexed["feedback"]["right"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("COD-Z-99", '["E11.9"]'), "unknown item 'COD-Z-99'"),
        (("COD-A-08", "[H25.12"), "not valid JSON"),
        (("COD-A-08", '{"code": "H25.12"}'), "invalid answer for COD-A-08: answer: must be a list"),
        (("ROP-A-07", '{"d1": "memo"}'), "unknown category 'memo'"),
    ],
)
def test_score_answer_exits_1_with_a_clear_message(args: tuple[str, str], message: str) -> None:
    bad = _cli("score-answer", *args)
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert bad.stderr.startswith("chartready score-answer: ")
    assert message in bad.stderr


def test_content_stats_shows_every_assessment_the_levels_and_provisional_cuts() -> None:
    stats = _cli("content-stats")
    assert stats.returncode == 0, stats.stderr
    rows: dict[str, list[str]] = {}
    for line in stats.stdout.splitlines():  # the first table: competencies, totals, cut
        if line.strip():
            rows.setdefault(line.split()[0], line.split())
    assert rows["records_operations-a"][-4:] == [
        "23",
        "34",
        rows["records_operations-a"][-2],
        "provisional",
    ]
    assert "classification" in stats.stdout
    level_table = stats.stdout.split("form (coding level)", 1)[1].split("packages", 1)[0]
    levels = {
        line.split()[0]: line.split()[1:] for line in level_table.splitlines()[2:] if line.strip()
    }
    assert levels == {
        "coding-a": ["13"],
        "coding-b": ["13"],
        "coding_basics-a": ["15"],
        "coding_basics-b": ["15"],
    }
    assert "clerk (Clerk screening): records_operations, privacy" in stats.stdout
    assert (
        "provisional (coding, coding_basics, communication, privacy, records_operations, "
        "scenarios)" in stats.stdout
    )
