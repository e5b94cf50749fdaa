"""Settings: validation names the variable; every setting is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.ground.settings import SETTINGS, SettingsError, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults_load_from_empty_environment() -> None:
    s = load_settings({})
    assert s.database_url is None
    assert s.port == 8000
    assert s.embedded_pgdata.name == "pgdata"


def test_values_are_converted() -> None:
    s = load_settings(
        {
            "CHARTREADY_PORT": "9001",
            "CHARTREADY_WORKERS": "2",
            "DATABASE_URL": "postgresql://x@h/db",
        }
    )
    assert (s.port, s.workers, s.database_url) == (9001, 2, "postgresql://x@h/db")


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("CHARTREADY_PORT", "eighty"),
        ("CHARTREADY_PORT", "70000"),
        ("CHARTREADY_LOG_LEVEL", "LOUD"),
        ("CHARTREADY_PUBLIC_BASE_URL", "ftp://nope"),
        ("CHARTREADY_READINESS_NEARLY_READY", "0.9"),
        ("CHARTREADY_DB_POOL_MIN", "50"),
    ],
)
def test_bad_value_names_the_variable(env: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({env: value})
    assert str(info.value).startswith(env + ":")


def test_every_setting_is_in_the_readme_table() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in text]
    assert not missing, f"README configuration table lacks {missing}; run `chartready settings`"
