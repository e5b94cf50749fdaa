"""One code as a code book shows it: where it sits in the hierarchy, whether it is billable,
its inclusion terms, and the instructional notes that apply to it (excludes1/excludes2,
code first, use additional code, code also, 7th characters), each labeled with the level
of the classification that carries it, since a category's notes apply to every code under
it."""

from __future__ import annotations

import warnings
from typing import Literal

import msgspec

from service.lookup.index import CodeIndex, Hit, System, code_key

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # see service/assessments/codes.py
    import simple_icd_10_cm as icd

MAX_CHILDREN = 60
HCPCS_SECTIONS = {
    "A": "Transportation, medical and surgical supplies, miscellaneous and experimental",
    "B": "Enteral and parenteral therapy",
    "C": "Outpatient prospective payment system (temporary codes)",
    "E": "Durable medical equipment",
    "G": "Procedures and professional services (temporary codes)",
    "H": "Alcohol and drug abuse treatment services",
    "J": "Drugs administered other than by oral method",
    "K": "Durable medical equipment (temporary codes)",
    "L": "Orthotic and prosthetic procedures and devices",
    "M": "Other medical services",
    "P": "Pathology and laboratory services",
    "Q": "Miscellaneous services (temporary codes)",
    "R": "Diagnostic radiology services",
    "S": "Private payer codes (temporary national codes)",
    "T": "State Medicaid agency codes",
    "U": "Coronavirus laboratory tests",
    "V": "Vision, hearing and speech-language pathology services",
}
NoteKind = Literal[
    "inclusion_terms",
    "includes",
    "excludes1",
    "excludes2",
    "code_first",
    "use_additional_code",
    "code_also",
    "notes",
    "seventh_character",
]
NOTE_TITLES: dict[str, str] = {
    "inclusion_terms": "Inclusion terms",
    "includes": "Includes",
    "excludes1": "Excludes1 (never coded together with this code)",
    "excludes2": "Excludes2 (not included here; may be coded together)",
    "code_first": "Code first",
    "use_additional_code": "Use additional code",
    "code_also": "Code also",
    "notes": "Note",
    "seventh_character": "7th character",
}


class Level(msgspec.Struct, frozen=True):
    """One level of the classification above (or at) a code."""

    code: str
    description: str
    kind: str  # chapter, block, category, subcategory, code, or the HCPCS equivalents


class Note(msgspec.Struct, frozen=True):
    """An instructional note and the level that carries it."""

    kind: NoteKind
    title: str
    source: str  # the code (or block/chapter) whose note this is
    lines: tuple[str, ...]


class CodeDetail(msgspec.Struct, frozen=True):
    """A code as a code book shows it."""

    code: str
    system: System
    description: str
    billable: bool
    hierarchy: tuple[Level, ...]
    notes: tuple[Note, ...]
    children: tuple[Hit, ...]
    release: str


def _kind(code: str) -> str:
    if icd.is_chapter(code):
        return "chapter"
    if icd.is_block(code):
        return "block"
    if icd.is_category(code):
        return "category"
    return "subcategory" if not icd.is_leaf(code) else "code"


def _lines(text: str | list[str]) -> tuple[str, ...]:
    parts = text if isinstance(text, list) else text.split("\n")
    return tuple(p.strip() for p in parts if p and p.strip())


def _notes_of(code: str, own: bool) -> list[Note]:
    found: list[Note] = []

    def add(kind: NoteKind, lines: tuple[str, ...]) -> None:
        if lines:
            found.append(Note(kind, NOTE_TITLES[kind], _label(code), lines))

    if own:
        add("inclusion_terms", _lines(icd.get_inclusion_term(code)))
    add("includes", _lines(icd.get_includes(code)))
    add("excludes1", _lines(icd.get_excludes1(code)))
    add("excludes2", _lines(icd.get_excludes2(code)))
    add("code_first", _lines(icd.get_code_first(code)))
    add("use_additional_code", _lines(icd.get_use_additional_code(code)))
    add("code_also", _lines(icd.get_code_also(code)))
    add("notes", _lines(icd.get_notes(code)))
    return found


def _label(code: str) -> str:
    return f"Chapter {code}" if icd.is_chapter(code) else code


def _icd_detail(index: CodeIndex, code: str) -> CodeDetail:
    # Chapter first; a block named like its only category (O09) is the category itself.
    ancestors = [a for a in reversed(icd.get_ancestors(code)) if a != code]
    hierarchy = tuple(Level(_label(a), icd.get_description(a), _kind(a)) for a in ancestors)
    hierarchy += (Level(code, icd.get_description(code), _kind(code)),)
    notes = _notes_of(code, own=True)
    for ancestor in reversed(ancestors):  # nearest level first
        notes += _notes_of(ancestor, own=False)
    seventh = icd.get_seven_chr_def(code, search_in_ancestors=True)
    if seventh:
        note = icd.get_seven_chr_note(code, search_in_ancestors=True)
        lines = _lines(note) + tuple(f"{k}: {v}" for k, v in sorted(seventh.items()))
        notes.append(Note("seventh_character", NOTE_TITLES["seventh_character"], code, lines))
    children = []
    for child in icd.get_children(code)[:MAX_CHILDREN]:
        hit = index.find(child)
        if hit is not None:
            children.append(hit)
    return CodeDetail(
        code=code,
        system="icd10cm",
        description=icd.get_description(code),
        billable=icd.is_leaf(code),
        hierarchy=hierarchy,
        notes=tuple(notes),
        children=tuple(children),
        release=index.icd_release,
    )


def code_detail(index: CodeIndex, code: str) -> CodeDetail | None:
    """The code-book view of ``code`` (either system; dot and case optional), or None."""
    hit = index.find(code)
    if hit is None:
        return None
    if hit.system == "icd10cm":
        return _icd_detail(index, hit.code)
    letter = code_key(hit.code)[:1]
    hierarchy = (
        Level("HCPCS", "HCPCS Level II", "code set"),
        Level(f"{letter}0000-{letter}9999", HCPCS_SECTIONS.get(letter, "Other"), "section"),
        Level(hit.code, hit.description, "code"),
    )
    return CodeDetail(
        code=hit.code,
        system="hcpcs",
        description=hit.description,
        billable=True,
        hierarchy=hierarchy,
        notes=(),
        children=(),
        release=index.hcpcs_release,
    )
