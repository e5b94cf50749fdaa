"""The `chartready` command line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service.cli import build_parser, main

COMMANDS = ["serve", "demo", "migrate", "version", "settings", "check-content", "content-stats",
            "invite", "sweep", "worker", "jobs", "equate", "train", "model-card",
            "model-rollback", "item-analysis", "bias-audit", "dif",
            "org-create", "user-create", "api-key-create", "api-key-list", "api-key-revoke"]
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
    out = subprocess.run([sys.executable, "-m", "service.cli", "version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("chartready ")
    bad = subprocess.run([sys.executable, "-m", "service.cli", "version"],
                         capture_output=True, text=True,
                         env={"CHARTREADY_PORT": "x", "PATH": "/usr/bin"})
    assert bad.returncode == 2
    assert "CHARTREADY_PORT" in bad.stderr


@pytest.mark.slow
def test_check_content_passes_shipped_bank_and_names_a_broken_copy(tmp_path: Path) -> None:
    rubrics = Path(__file__).resolve().parents[2] / "rubrics"
    ok = subprocess.run([sys.executable, "-m", "service.cli", "check-content"],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "rubrics"
    shutil.copytree(rubrics, broken)
    form = broken / "assessments" / "coding" / "form-a.toml"
    text = form.read_text(encoding="utf-8")
    first_key = re.search(r'key = \["([A-Z][0-9][0-9A-Z.]+)"', text)
    assert first_key is not None
    form.write_text(text.replace(first_key.group(0), 'key = ["E11"', 1), encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "service.cli", "check-content", str(broken)],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    line = next(x for x in bad.stdout.splitlines() if "E11" in x)
    assert "form-a.toml" in line
    assert "COD-A-" in line
    assert "key" in line
