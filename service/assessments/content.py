"""Load the TOML item bank into an immutable, hashed ContentVersion.

The version hash is SHA-256 over every ``*.toml`` file under the root, in sorted relative-path
order, feeding each path and its bytes; ``version_id`` is "c-" + its first 12 hex digits.
Loaded versions are cached by hash, so reloading an unchanged tree is cheap and editing any
file yields a new version.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from types import MappingProxyType
from typing import Any

import msgspec

from service.assessments.bank import (
    Assessment,
    Competency,
    ContentError,
    ContentVersion,
    Form,
    HcpcsCodeSet,
    Package,
    Problem,
)
from service.assessments.items import ConstructedResponseItem, GoldSpan, Item, SpanMarkingItem
from service.assessments.scaling import angoff_raw_cut

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "rubrics"
_FORM_KEYS = frozenset({"id", "assessment", "items"})
_ERROR_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_CACHE: dict[str, ContentVersion] = {}


class DecodedTree(msgspec.Struct, frozen=True):
    """What decoding produced: the version built from every part that decoded, the problems
    met on the way, and which file each item, form and assessment came from."""

    version: ContentVersion
    problems: list[Problem]
    item_files: dict[str, str]
    form_files: dict[str, str]
    assessment_files: dict[str, str]


def toml_files(root: Path) -> list[Path]:
    """The content files under ``root`` in hashing order (sorted relative paths, no hidden)."""
    found = [p for p in root.rglob("*.toml") if p.is_file()]
    visible = [
        p for p in found if not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(visible, key=lambda p: p.relative_to(root).as_posix())


def content_hash(root: Path) -> str:
    """SHA-256 hex digest of the tree: each relative path, a NUL, its length and its bytes."""
    digest = hashlib.sha256()
    for path in toml_files(root):
        data = path.read_bytes()
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0" + str(len(data)).encode() + b"\0")
        digest.update(data)
    return digest.hexdigest()


def load_content(root: Path | None = None, *, validate: bool = True) -> ContentVersion:
    """Load (or fetch from cache) the content version under ``root`` (default: repo rubrics/).

    Raises ContentError listing every problem when the tree does not decode or, with
    ``validate`` (the default), fails check_content's semantic checks.
    """
    root = (root or DEFAULT_ROOT).resolve()
    digest = content_hash(root)
    cached = _CACHE.get(digest)
    if cached is not None:
        return cached
    decoded = decode_tree(root, digest)
    problems = list(decoded.problems)
    if validate:
        from service.assessments.checks import semantic_problems  # noqa: PLC0415 (cycle)

        problems += semantic_problems(decoded)
    if problems:
        raise ContentError(problems)
    _CACHE[digest] = decoded.version
    return decoded.version


def _problem_from_error(file: str, item_id: str, error: msgspec.ValidationError) -> Problem:
    match = _ERROR_PATH.match(str(error))
    assert match is not None
    path = (match.group("path") or "").lstrip(".")
    return Problem(file, item_id, path, match.group("message"))


def _read_toml(path: Path, rel: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        problems.append(Problem(rel, "", "", f"not valid TOML: {error}"))
    except UnicodeDecodeError as error:
        problems.append(Problem(rel, "", "", f"not UTF-8: {error}"))
    return None


def _resolve_spans(item: SpanMarkingItem, rel: str, problems: list[Problem]) -> SpanMarkingItem:
    resolved: list[GoldSpan] = []
    for index, span in enumerate(item.spans):
        start = -1
        for _ in range(span.occurrence):
            start = item.document.find(span.text, start + 1)
            if start < 0:
                break
        if start < 0:
            count = item.document.count(span.text)
            problems.append(Problem(
                rel, item.id, f"spans[{index}].text",
                f"{span.text!r} occurs {count} time(s) in the document; occurrence "
                f"{span.occurrence} asked",
            ))  # fmt: skip
            continue
        resolved.append(msgspec.structs.replace(span, start=start, end=start + len(span.text)))
    return msgspec.structs.replace(item, spans=tuple(resolved))


def _decode_item(raw: object, index: int, rel: str, problems: list[Problem]) -> Item | None:
    if not isinstance(raw, dict):
        problems.append(Problem(rel, f"#{index + 1}", "", "an item must be a table"))
        return None
    item_id = str(raw.get("id", f"#{index + 1}"))
    try:
        item: Item = msgspec.convert(raw, Item, str_keys=True)
    except msgspec.ValidationError as error:
        problems.append(_problem_from_error(rel, item_id, error))
        return None
    if isinstance(item, SpanMarkingItem):
        item = _resolve_spans(item, rel, problems)
    if isinstance(item, ConstructedResponseItem):
        implied = item.criteria_max_points
        if "points" in raw and abs(item.points - implied) > 1e-9:
            problems.append(Problem(
                rel, item.id, "points",
                f"must equal the sum of criterion weights x 3 = {implied:g} (or be omitted)",
            ))  # fmt: skip
        item = msgspec.structs.replace(item, points=implied)
    return item


def _decode_competencies(root: Path, problems: list[Problem]) -> dict[str, Competency]:
    rel = "competencies.toml"
    found: dict[str, Competency] = {}
    path = root / rel
    if not path.is_file():
        problems.append(Problem(rel, "", "", "missing file"))
        return found
    data = _read_toml(path, rel, problems)
    if data is None:
        return found
    for index, raw in enumerate(data.get("competency", [])):
        label = str(raw.get("id", f"#{index + 1}")) if isinstance(raw, dict) else f"#{index + 1}"
        try:
            competency = msgspec.convert(raw, Competency)
        except msgspec.ValidationError as error:
            problems.append(_problem_from_error(rel, label, error))
            continue
        if competency.id in found:
            problems.append(Problem(rel, competency.id, "id", "duplicate competency id"))
        found[competency.id] = competency
    if not found:
        problems.append(Problem(rel, "", "competency", "no [[competency]] tables"))
    return found


def _decode_hcpcs(root: Path, problems: list[Problem]) -> frozenset[str]:
    rel = "code_sets/hcpcs.toml"
    path = root / rel
    if not path.is_file():
        problems.append(Problem(rel, "", "", "missing file"))
        return frozenset()
    data = _read_toml(path, rel, problems)
    if data is None:
        return frozenset()
    try:
        code_set = msgspec.convert(data, HcpcsCodeSet)
    except msgspec.ValidationError as error:
        problems.append(_problem_from_error(rel, "", error))
        return frozenset()
    return frozenset(code.code for code in code_set.codes)


def _decode_packages(root: Path, problems: list[Problem]) -> dict[str, Package]:
    """rubrics/packages.toml (optional): the named sets of assessments invitations offer."""
    rel = "packages.toml"
    path = root / rel
    found: dict[str, Package] = {}
    if not path.is_file():
        return found
    data = _read_toml(path, rel, problems)
    if data is None:
        return found
    for unknown in sorted(set(data) - {"packages"}):
        problems.append(Problem(rel, "", unknown, "unknown field"))
    for index, raw in enumerate(data.get("packages", [])):
        label = str(raw.get("id", f"#{index + 1}")) if isinstance(raw, dict) else f"#{index + 1}"
        try:
            package = msgspec.convert(raw, Package)
        except msgspec.ValidationError as error:
            problems.append(_problem_from_error(rel, label, error))
            continue
        if package.id in found:
            problems.append(Problem(rel, package.id, "id", "duplicate package id"))
        found[package.id] = package
    return found


def _decode_form(
    path: Path, rel: str, assessment_id: str, problems: list[Problem]
) -> tuple[str, str, list[Item]] | None:
    data = _read_toml(path, rel, problems)
    if data is None:
        return None
    for unknown in sorted(set(data) - _FORM_KEYS):
        problems.append(Problem(rel, "", unknown, "unknown field"))
    form_id, form_assessment = data.get("id"), data.get("assessment")
    if not isinstance(form_id, str) or not form_id:
        problems.append(Problem(rel, "", "id", "missing or not a string"))
        return None
    if form_assessment != assessment_id:
        problems.append(Problem(rel, "", "assessment", f"must be {assessment_id!r} (its folder)"))
    raw_items = data.get("items", [])
    if not isinstance(raw_items, list) or not raw_items:
        problems.append(Problem(rel, "", "items", "a form needs at least one [[items]] table"))
        return None
    items = [_decode_item(raw, i, rel, problems) for i, raw in enumerate(raw_items)]
    return form_id, assessment_id, [item for item in items if item is not None]


class _TreeBuilder:
    """Accumulates what decoded, and the problems met, while walking assessments/."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.assessments: dict[str, Assessment] = {}
        self.forms: dict[str, Form] = {}
        self.items: dict[str, Item] = {}
        self.item_files: dict[str, str] = {}
        self.form_files: dict[str, str] = {}
        self.assessment_files: dict[str, str] = {}

    def add_assessment(self, folder: Path) -> None:
        rel = f"assessments/{folder.name}/assessment.toml"
        if not (folder / "assessment.toml").is_file():
            self.problems.append(Problem(rel, "", "", "missing file"))
            return
        data = _read_toml(folder / "assessment.toml", rel, self.problems)
        if data is None:
            return
        try:
            assessment = msgspec.convert(data, Assessment)
        except msgspec.ValidationError as error:
            self.problems.append(_problem_from_error(rel, "", error))
            return
        if assessment.id != folder.name:
            self.problems.append(Problem(rel, "", "id", f"must match its folder {folder.name!r}"))
        for extra in sorted(folder.glob("*.toml")):
            if extra.name != "assessment.toml" and not extra.name.startswith("form-"):
                message = "unexpected file (forms are named form-<letter>.toml)"
                self.problems.append(
                    Problem(f"assessments/{folder.name}/{extra.name}", "", "", message)
                )
        form_ids = [
            form_id
            for form_path in sorted(folder.glob("form-*.toml"))
            if (form_id := self.add_form(form_path, assessment.id)) is not None
        ]
        self.assessments[assessment.id] = msgspec.structs.replace(
            assessment, form_ids=tuple(form_ids)
        )
        self.assessment_files[assessment.id] = rel

    def add_form(self, path: Path, assessment_id: str) -> str | None:
        rel = f"assessments/{path.parent.name}/{path.name}"
        decoded = _decode_form(path, rel, assessment_id, self.problems)
        if decoded is None:
            return None
        form_id, _, form_items = decoded
        if form_id in self.forms:
            self.problems.append(Problem(rel, "", "id", f"duplicate form id {form_id!r}"))
            return None
        for item in form_items:
            if item.id in self.items:
                message = f"duplicate item id (also in {self.item_files[item.id]})"
                self.problems.append(Problem(rel, item.id, "id", message))
                continue
            self.items[item.id] = item
            self.item_files[item.id] = rel
        self.forms[form_id] = Form(
            id=form_id, assessment=assessment_id, items=tuple(form_items),
            max_points=sum(item.points for item in form_items),
            raw_cut=angoff_raw_cut(form_items),
        )  # fmt: skip
        self.form_files[form_id] = rel
        return form_id


def decode_tree(root: Path, digest: str | None = None) -> DecodedTree:
    """Decode every file under ``root``, collecting problems instead of stopping at the first."""
    digest = digest or content_hash(root)
    tree = _TreeBuilder()
    competencies = _decode_competencies(root, tree.problems)
    hcpcs = _decode_hcpcs(root, tree.problems)
    packages = _decode_packages(root, tree.problems)
    folders = sorted(p for p in (root / "assessments").glob("*") if p.is_dir())
    if not folders:
        tree.problems.append(Problem("assessments", "", "", "no assessment folders"))
    for folder in folders:
        tree.add_assessment(folder)
    version = ContentVersion(
        version_id="c-" + digest[:12], content_hash=digest, root=str(root),
        competencies=MappingProxyType(competencies), assessments=MappingProxyType(tree.assessments),
        forms=MappingProxyType(tree.forms), items=MappingProxyType(tree.items), hcpcs_codes=hcpcs,
        packages=MappingProxyType(packages),
    )  # fmt: skip
    return DecodedTree(
        version, tree.problems, tree.item_files, tree.form_files, tree.assessment_files
    )


def check_content(root: Path | None = None) -> list[Problem]:
    """Every problem in the tree under ``root`` (default: the repo's rubrics/); empty = valid."""
    root = (root or DEFAULT_ROOT).resolve()
    if not root.is_dir():
        return [Problem(str(root), "", "", "content root is not a directory")]
    from service.assessments.checks import semantic_problems  # noqa: PLC0415 (cycle)

    decoded = decode_tree(root)
    return [*decoded.problems, *semantic_problems(decoded)]
