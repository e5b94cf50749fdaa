"""`chartready item-analysis`, `bias-audit` and `dif` on CSV files an auditor brings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from service.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_item_analysis_prints_items_and_test(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The hand-worked example of tests/statistics/test_item_analysis.py, with a BOM as
    # spreadsheets write it.
    path = _write(tmp_path, "\ufeffq1,q2,q3\n1,1,2\n1,1,2\n1,0,1\n0,1,0\n0,0,1\n")
    code, out, _ = _run(capsys, "item-analysis", path)
    assert code == 0
    doc = json.loads(out)
    assert [i["id"] for i in doc["items"]] == ["q1", "q2", "q3"]
    assert doc["items"][2]["discrimination_index"] == pytest.approx(50.0)
    assert doc["items"][1]["flags"] == ["low_discrimination", "dubious"]
    assert doc["test"]["n"] == 4
    assert doc["test"]["cic"] == pytest.approx(50.0)
    assert set(doc["test"]) >= {
        "n",
        "mean",
        "median",
        "sd",
        "skewness",
        "kurtosis",
        "cic",
        "error_ratio",
        "standard_error",
    }


@pytest.mark.parametrize(("text", "message"), [
    ("q1,q2\n1,1\n1,x\n", "row 3, column 2 (q2): 'x' is not a number"),
    ("q1,q2\n1,1\n1,2\n", "row 3, column 2 (q2): mark 2 is outside 0..1"),
    ("q1,q2\n1,1\n1\n", "row 3: 1 cells, but the header has 2"),
    ("q1,q2\n1,0\n", "row 2, column 2 (q2): maximum mark 0 is not positive"),
    ("q1,q2\n1,1\n1,\n", "row 3, column 2 (q2): empty cell"),
    ("q1,q1\n1,1\n", "row 1, column 2: column name 'q1' repeats"),
    ("q1,q2\n1,1\n1,0\n", "at least 2 attempts"),
    ("", "row 1: the file is empty"),
])  # fmt: skip
def test_item_analysis_bad_input_names_row_and_column(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    path = _write(tmp_path, text)
    code, out, err = _run(capsys, "item-analysis", path)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"chartready item-analysis: {path}: ")
    assert message in err


def test_bias_audit_of_selections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Women 3 of 4 selected, men 3 of 5: impact ratio exactly 4/5, not adverse impact.
    rows = ["female,white,1"] * 3 + ["female,white,0"] + ["male,black,1"] * 3
    rows += ["male,black,0"] * 2 + [",,1"]
    path = _write(
        tmp_path,
        "id_ignored,sex,race_ethnicity,selected\n"
        + "\n".join(f"{i},{r}" for i, r in enumerate(rows))
        + "\n",
    )
    code, out, _ = _run(capsys, "bias-audit", path)
    assert code == 0
    doc = json.loads(out)
    assert doc["method"] == "selection_rate"
    men = next(c for c in doc["sex"]["categories"] if c["category"] == "male")
    assert men["impact_ratio"] == 0.8 and men["below_four_fifths"] is False
    assert doc["sex"]["unknown"] == 1 and doc["race_ethnicity"]["unknown"] == 1
    assert {c["category"] for c in doc["intersections"]["categories"]} == {
        "female × black",
        "female × white",
        "male × black",
        "male × white",
    }
    assert all(
        {"count", "rate", "impact_ratio", "below_four_fifths", "excluded_under_2_percent"} <= set(c)
        for c in doc["sex"]["categories"]
    )


def test_bias_audit_of_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(
        tmp_path, "sex,race_ethnicity,score\nfemale,white,3\nmale,white,1\nfemale,asian,2.5\n"
    )
    code, out, _ = _run(capsys, "bias-audit", path)
    assert code == 0
    doc = json.loads(out)
    assert doc["method"] == "scoring_rate" and doc["median_score"] == 2.5


@pytest.mark.parametrize(("text", "message"), [
    ("sex,race_ethnicity\n", "row 1: the header needs exactly one of 'selected'"),
    ("sex,selected\nfemale,1\n", "row 1: the header lacks a 'race_ethnicity' column"),
    ("sex,race_ethnicity,selected\nfemale,white,yes\n",
     "row 2, column 3 (selected): 'yes' is not a number"),
    ("sex,race_ethnicity,selected\nfemale,white,2\n",
     "row 2, column 3 (selected): selected must be 0 or 1"),
    ("sex,race_ethnicity,score\nfemale,white,inf\n", "row 2, column 3 (score)"),
    ("sex,race_ethnicity,selected\n", "at least one individual"),
])  # fmt: skip
def test_bias_audit_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    code, _, err = _run(capsys, "bias-audit", _write(tmp_path, text))
    assert code == 1
    assert message in err


def test_dif_per_item(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ["r,1,0", "r,0,1", "r,1,1", "r,0,0", "f,1,0", "f,0,1", "f,1,1", "f,0,0"]
    path = _write(tmp_path, "grp,i1,i2\n" + "\n".join(rows) + "\n")
    code, out, _ = _run(capsys, "dif", path, "--group", "grp", "--reference", "r", "--focal", "f")
    assert code == 0
    doc = json.loads(out)
    assert (doc["reference"], doc["focal"], doc["n_reference"]) == ("r", "f", 4)
    assert [i["id"] for i in doc["items"]] == ["i1", "i2"]
    assert {"alpha_mh", "delta_mh", "chi_square", "p_value", "ets_class"} <= set(doc["items"][0])
    assert [i["ets_class"] for i in doc["items"]] == ["A", "A"]


@pytest.mark.parametrize(("text", "extra", "message"), [
    ("grp,i1\nr,1\nf,0.5\n", [], "row 3, column 2 (i1): '0.5' is not 0 or 1"),
    ("team,i1\nr,1\n", [], "row 1: the header has no 'grp' column"),
    ("grp,i1\nr,1\nr,0\n", [], "nobody is in the focal group 'f'"),
])  # fmt: skip
def test_dif_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, extra: list[str], message: str
) -> None:
    code, _, err = _run(
        capsys,
        "dif",
        _write(tmp_path, text),
        "--group",
        "grp",
        "--reference",
        "r",
        "--focal",
        "f",
        *extra,
    )
    assert code == 1
    assert message in err


def test_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "item-analysis", str(tmp_path / "nope.csv"))
    assert code == 1
    assert "cannot read" in err and err.count("\n") == 1


@pytest.mark.slow
def test_console_script_exit_codes(tmp_path: Path) -> None:
    good = _write(tmp_path, "q1,q2\n1,1\n1,0\n0,1\n", "good.csv")
    bad = _write(tmp_path, "q1,q2\n1,1\n1,x\n", "bad.csv")
    ok = subprocess.run(
        [sys.executable, "-m", "service.cli", "item-analysis", good], capture_output=True, text=True
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["test"]["n"] == 2
    fail = subprocess.run(
        [sys.executable, "-m", "service.cli", "item-analysis", bad], capture_output=True, text=True
    )
    assert fail.returncode == 1 and "row 3, column 2 (q2)" in fail.stderr
