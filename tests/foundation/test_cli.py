"""The `chartready` command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from service.cli import build_parser, main

COMMANDS = ["serve", "demo", "migrate", "version", "settings", "check-content", "content-stats"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert f"usage: chartready {command}" in capsys.readouterr().out


def test_parser_knows_every_command() -> None:
    choices = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(COMMANDS) <= set(choices)


def test_version_and_bad_setting_via_console_script() -> None:
    out = subprocess.run([sys.executable, "-m", "service.cli", "version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("chartready ")
    bad = subprocess.run([sys.executable, "-m", "service.cli", "version"],
                         capture_output=True, text=True,
                         env={"CHARTREADY_PORT": "x", "PATH": "/usr/bin"})
    assert bad.returncode == 2
    assert "CHARTREADY_PORT" in bad.stderr
