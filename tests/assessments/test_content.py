"""Loading the item bank: hashing, caching, immutability, span resolution."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import msgspec
import pytest

from service.assessments.bank import ContentError, ContentVersion
from service.assessments.content import content_hash, load_content
from service.assessments.items import ConstructedResponseItem, SpanMarkingItem
from tests.assessments.helpers import FIXTURE_ROOT


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE_ROOT, tmp_path / "rubrics"))


def test_version_id_is_c_plus_12_hex_of_the_hash(content: ContentVersion) -> None:
    assert re.fullmatch(r"c-[0-9a-f]{12}", content.version_id)
    assert content.content_hash.startswith(content.version_id[2:])
    assert len(content.content_hash) == 64


def test_loads_every_assessment_form_and_item(content: ContentVersion) -> None:
    assert set(content.assessments) == {
        "coding", "privacy", "communication", "scenarios", "records_operations",
    }  # fmt: skip
    assert content.assessments["coding"].form_ids == ("coding-a", "coding-b")
    assert len(content.forms) == 10
    assert set(content.packages) == {"starter"}
    assert sum(len(form.items) for form in content.forms.values()) == len(content.items)
    assert "E0114" in content.hcpcs_codes


def test_editing_a_file_creates_a_new_version_and_the_old_one_is_unchanged(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    first = load_content(root)
    path = root / "assessments" / "scenarios" / "form-a.toml"
    path.write_text(path.read_text().replace("key = 75", "key = 76"))
    second = load_content(root)
    assert second.version_id != first.version_id
    assert first.items["SCN-A-02"].key == 75  # type: ignore[union-attr]
    assert second.items["SCN-A-02"].key == 76  # type: ignore[union-attr]


def test_same_bytes_anywhere_give_the_same_version_and_the_cached_object(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    assert content_hash(root) == content_hash(FIXTURE_ROOT)
    assert load_content(root) is load_content(FIXTURE_ROOT)


def test_renaming_a_file_changes_the_hash(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = content_hash(root)
    (root / "assessments" / "coding" / "form-b.toml").rename(
        root / "assessments" / "coding" / "form-c.toml"
    )
    assert content_hash(root) != before


def test_hidden_files_do_not_change_the_hash(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = content_hash(root)
    (root / ".scratch.toml").write_text("x = 1\n")
    assert content_hash(root) == before


def test_a_loaded_version_cannot_be_modified(content: ContentVersion) -> None:
    with pytest.raises(AttributeError):
        content.version_id = "c-000000000000"  # type: ignore[misc]
    with pytest.raises(TypeError):
        content.forms["coding-a"] = content.forms["coding-b"]  # type: ignore[index]
    item = content.items["COD-A-01"]
    with pytest.raises(AttributeError):
        item.points = 99  # type: ignore[misc]
    assert isinstance(content.forms["coding-a"].items, tuple)


def test_gold_spans_are_resolved_from_text_and_occurrence(content: ContentVersion) -> None:
    item = content.items["PRI-A-01"]
    assert isinstance(item, SpanMarkingItem)
    first, phone, second = item.spans
    assert item.document[first.start : first.end] == "Maria Lopez"
    assert item.document[phone.start : phone.end] == "555-0142"
    assert item.document[second.start : second.end] == "Maria Lopez"
    assert second.start > first.start


def test_constructed_response_points_are_weights_times_three(content: ContentVersion) -> None:
    item = content.items["COM-A-01"]
    assert isinstance(item, ConstructedResponseItem)
    assert item.points == 6.0


def test_rubric_defaults_apply_when_omitted(content: ContentVersion) -> None:
    item = content.items["COD-A-01"]
    assert item.rubric.near_misses == ()  # type: ignore[union-attr]
    assert item.rubric.extra_code_penalty == 0.5  # type: ignore[union-attr]
    assert item.rubric.sequencing_weight == 0.2  # type: ignore[union-attr]


def test_raw_cut_is_the_mean_judge_sum(content: ContentVersion) -> None:
    # coding-a: 2 x mean(0.6, 0.7) + 1 x 0.5 + 1 x mean(0.8, 0.9)
    assert content.forms["coding-a"].raw_cut == pytest.approx(1.3 + 0.5 + 0.85)


def test_broken_content_raises_content_error_naming_every_problem(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "assessments" / "coding" / "form-a.toml"
    path.write_text(path.read_text().replace('key = "b"', 'key = "q"'))
    with pytest.raises(ContentError) as caught:
        load_content(root)
    assert [(p.item_id, p.field) for p in caught.value.problems] == [("COD-A-03", "key")]


def test_items_round_trip_through_json(content: ContentVersion) -> None:
    item = content.items["SCN-A-03"]
    decoded = msgspec.json.decode(msgspec.json.encode(item), type=type(item))
    assert decoded == item
