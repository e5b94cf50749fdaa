"""An in-memory inverted index over ICD-10-CM (simple_icd_10_cm's April 2026 tabular list) and
the shipped HCPCS Level II list, built once per process and searched in a few milliseconds.

Why in memory and not PostgreSQL full-text search: the code sets are static, public and the
same for every organization (no tenant data, nothing to write), ~98,500 ICD-10-CM entries
plus the HCPCS list fit in ~15 MB of int32 postings, and a search is then a handful of
sorted-array operations with no network round trip, no migration, no copy of the code set
per database, and no dependence on PostgreSQL extensions (the embedded server has no
pg_trgm). Prefix search (typing "diab") is a binary search over the sorted vocabulary; the
postings of every 3-letter prefix are merged at build time, so no query has to merge
thousands of lists (``scripts/bench.py lookup`` checks the worst cases).

What is searched: each code's description, its inclusion terms and the "includes" notes of
the tabular list. ICD-10-CM's separate Alphabetic Index is not shipped by simple_icd_10_cm,
so the tabular list's inclusion terms stand in for index entries (they are the synonyms the
index leads to).

Ranking: codes are numbered once in order of (description length, code), so within a result
set the smallest numbers are the most specific matches; matches in the description come
before matches only in an inclusion term or note.
"""

from __future__ import annotations

import bisect
import gc
import re
import threading
import tomllib
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import msgspec
import numpy as np
import numpy.typing as npt

with warnings.catch_warnings():
    # simple_icd_10_cm 1.5 reads its data with a deprecated importlib API (see codes.py).
    warnings.simplefilter("ignore", DeprecationWarning)
    import simple_icd_10_cm as icd

from service.assessments.bank import HcpcsCodeSet

System = Literal["icd10cm", "hcpcs"]
Ids = npt.NDArray[np.int32]
MAX_QUERY_CHARS = 100
MAX_TOKENS = 8
MIN_PREFIX = 3  # shorter words match whole words only ("in", "of", "2")
DEFAULT_LIMIT = 25
_WORD = re.compile(r"[a-z0-9]+")
_CODE_LIKE = re.compile(r"^[A-Za-z][0-9][0-9A-Za-z]?(?:\.?[0-9A-Za-z]{0,4})?$")
_EMPTY: Ids = np.zeros(0, dtype=np.int32)


def words(text: str) -> list[str]:
    """Lower-case words without accents ("Ménière's" -> ["meniere", "s"])."""
    folded = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD.findall(plain.lower())


def code_key(code: str) -> str:
    """A code as compared in searches: upper case, no dot or spaces."""
    return re.sub(r"[\s.]+", "", code).upper()


class Hit(msgspec.Struct, frozen=True):
    """One search result."""

    code: str
    system: System
    description: str
    billable: bool
    matched: str = ""  # the inclusion term or note that matched, when not the description


class SearchResult(msgspec.Struct, frozen=True):
    """The best hits and how many codes matched in all."""

    query: str
    kind: Literal["code", "term", "empty"]
    total: int
    hits: tuple[Hit, ...]


class _Postings:
    """Words -> sorted int32 arrays of code numbers, with merged 3-letter prefixes.

    A query token becomes a boolean mask over all codes (set from the postings of every word
    it matches); masks intersect with ``&`` and ``flatnonzero`` lists the hits in rank order.
    That costs time in proportion to the postings touched plus one pass over the codes, and
    never sorts, so common words and short prefixes stay fast.
    """

    def __init__(self, word_ids: dict[str, list[int]], size: int) -> None:
        self.size = size
        self.vocab = sorted(word_ids)
        self.arrays = [np.unique(np.asarray(word_ids[w], dtype=np.int32)) for w in self.vocab]
        self.exact = dict(zip(self.vocab, self.arrays, strict=True))
        merged: dict[str, list[Ids]] = {}
        for word, array in zip(self.vocab, self.arrays, strict=True):
            if len(word) >= MIN_PREFIX:
                merged.setdefault(word[:MIN_PREFIX], []).append(array)
        self.prefix3 = {
            p: np.unique(np.concatenate(a)) if len(a) > 1 else a[0] for p, a in merged.items()
        }

    def matching(self, token: str) -> list[Ids]:
        """Postings of the words ``token`` matches: the word itself, or every word it starts
        when it has at least ``MIN_PREFIX`` characters (and is not a number)."""
        if len(token) < MIN_PREFIX or token.isdigit():
            found = self.exact.get(token)
            return [] if found is None else [found]
        if len(token) == MIN_PREFIX:
            found = self.prefix3.get(token)
            return [] if found is None else [found]
        lo = bisect.bisect_left(self.vocab, token)
        hi = bisect.bisect_left(self.vocab, token + "\uffff", lo)
        return self.arrays[lo:hi]

    def mask(self, token: str) -> npt.NDArray[np.bool_]:
        """Which codes contain ``token`` (see ``matching``)."""
        mask = np.zeros(self.size, dtype=bool)
        for array in self.matching(token):
            mask[array] = True
        return mask

    def ids(self, token: str) -> Ids:
        """The codes containing ``token``, in rank order."""
        return np.flatnonzero(self.mask(token)).astype(np.int32)


def _all(masks: Sequence[npt.NDArray[np.bool_]]) -> npt.NDArray[np.bool_]:
    result = masks[0].copy()
    for other in masks[1:]:
        result &= other
    return result


class CodeIndex:
    """The searchable code sets. Build with :func:`build_index` (or :func:`get_index`)."""

    def __init__(
        self,
        entries: Iterable[tuple[str, System, str, bool, tuple[str, ...]]],
        *,
        icd_release: str,
        hcpcs_release: str,
    ) -> None:
        rows = sorted(entries, key=lambda e: (len(e[2]), e[0]))
        self.codes = [r[0] for r in rows]
        self.systems: list[System] = [r[1] for r in rows]
        self.descriptions = [r[2] for r in rows]
        self.billable = [r[3] for r in rows]
        self.terms = [r[4] for r in rows]
        self.icd_release, self.hcpcs_release = icd_release, hcpcs_release
        self.number = {(r[1], r[0]): i for i, r in enumerate(rows)}
        described: dict[str, list[int]] = {}
        everything: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            for word in set(words(row[2])):
                described.setdefault(word, []).append(i)
                everything.setdefault(word, []).append(i)
            for word in {w for term in row[4] for w in words(term)}:
                everything.setdefault(word, []).append(i)
        self.in_description = _Postings(described, len(rows))
        self.anywhere = _Postings(everything, len(rows))
        # ICD-10-CM G04.39 and HCPCS G0439 share a key: exact spellings decide (``_exact``).
        self.by_code = {code.upper(): i for i, code in enumerate(self.codes)}
        keyed = sorted((code_key(code), i) for i, code in enumerate(self.codes))
        self.code_keys = [k for k, _ in keyed]
        self.code_ids = np.asarray([i for _, i in keyed], dtype=np.int32)
        self.system_mask = {
            s: np.asarray([sys == s for sys in self.systems], dtype=bool)
            for s in ("icd10cm", "hcpcs")
        }

    def __len__(self) -> int:
        return len(self.codes)

    def search(
        self, query: str, *, system: System | None = None, limit: int = DEFAULT_LIMIT
    ) -> SearchResult:
        """Codes whose code starts with the query (when it looks like a code), else codes
        whose description, inclusion terms or notes contain every word of the query."""
        text = query.strip()[:MAX_QUERY_CHARS]
        if not text:
            return SearchResult(query=text, kind="empty", total=0, hits=())
        if _CODE_LIKE.match(text):
            key = code_key(text)
            lo = bisect.bisect_left(self.code_keys, key)
            hi = bisect.bisect_left(self.code_keys, key + "\uffff", lo)
            ids = self._only(self.code_ids[lo:hi], system)  # already in code order
            if ids.size or len(words(text)) == 1:
                exact = [
                    i for i in self._exact(text) if system is None or self.systems[i] == system
                ]
                rest = [int(i) for i in ids[: limit + len(exact)] if int(i) not in exact]
                ordered = (exact + rest)[:limit]
                return SearchResult(
                    query=text,
                    kind="code",
                    total=int(ids.size),
                    hits=tuple(self._hit(i, ()) for i in ordered),
                )
        tokens = list(dict.fromkeys(words(text)))[:MAX_TOKENS]
        if not tokens:
            return SearchResult(query=text, kind="empty", total=0, hits=())
        everywhere = _all([self.anywhere.mask(t) for t in tokens])
        described = _all([self.in_description.mask(t) for t in tokens]) & everywhere
        if system is not None:
            everywhere &= self.system_mask[system]
            described &= self.system_mask[system]
        best = list(np.flatnonzero(described)[:limit])
        if len(best) < limit:  # then matches found only in inclusion terms or notes
            best += list(np.flatnonzero(everywhere & ~described)[: limit - len(best)])
        return SearchResult(
            query=text,
            kind="term",
            total=int(np.count_nonzero(everywhere)),
            hits=tuple(self._hit(int(i), tokens) for i in best),
        )

    def _only(self, ids: Ids, system: System | None) -> Ids:
        return ids if system is None or ids.size == 0 else ids[self.system_mask[system][ids]]

    def _hit(self, i: int, tokens: Sequence[str]) -> Hit:
        matched = ""
        if tokens and not _all_found(tokens, words(self.descriptions[i])):
            matched = next(
                (t for t in self.terms[i] if _all_found(tokens, words(t))),
                next(iter(self.terms[i]), ""),
            )
        return Hit(
            code=self.codes[i],
            system=self.systems[i],
            description=self.descriptions[i],
            billable=self.billable[i],
            matched=matched,
        )

    def _exact(self, text: str) -> list[int]:
        """Codes spelled exactly as typed: as is (HCPCS G0439, ICD-10-CM G04.39), then the
        ICD-10-CM spelling of a code typed without its dot."""
        typed = re.sub(r"\s+", "", text).upper()
        dotted = f"{typed[:3]}.{typed[3:]}" if len(typed) > 3 and "." not in typed else typed
        found = [self.by_code.get(typed), self.by_code.get(dotted)]
        return list(dict.fromkeys(i for i in found if i is not None))

    def find(self, code: str) -> Hit | None:
        """One code of either system by its code (dot and case optional; an exact spelling
        wins when an ICD-10-CM and a HCPCS code differ only by the dot)."""
        exact = self._exact(code)
        return self._hit(exact[0], ()) if exact else None


def _all_found(tokens: Sequence[str], found: Sequence[str]) -> bool:
    return all(
        any(w == t or (len(t) >= MIN_PREFIX and not t.isdigit() and w.startswith(t)) for w in found)
        for t in tokens
    )


def _icd_entries() -> Iterable[tuple[str, System, str, bool, tuple[str, ...]]]:
    for code in icd.get_all_codes(with_dots=True):
        if not (icd.is_category(code) or icd.is_subcategory(code)):
            continue  # chapters and blocks are shown as hierarchy, not offered as codes
        terms = tuple(icd.get_inclusion_term(code)) + tuple(icd.get_includes(code))
        yield code, "icd10cm", icd.get_description(code), icd.is_leaf(code), terms


def load_hcpcs(rubrics_root: Path) -> HcpcsCodeSet:
    """The shipped HCPCS Level II list (rubrics/code_sets/hcpcs.toml)."""
    with (rubrics_root / "code_sets" / "hcpcs.toml").open("rb") as handle:
        return msgspec.convert(tomllib.load(handle), HcpcsCodeSet)


def build_index(rubrics_root: Path) -> CodeIndex:
    """Build the index (about 3 s on one core; call it off the event loop)."""
    hcpcs = load_hcpcs(rubrics_root)
    entries = list(_icd_entries())
    entries += [
        (c.code, "hcpcs", c.description or "(no description shipped)", True, ())
        for c in hcpcs.codes
    ]
    return CodeIndex(
        entries,
        icd_release="ICD-10-CM April 2026 (NCHS, via simple-icd-10-cm)",
        hcpcs_release=f"HCPCS Level II {hcpcs.release} (CMS; short descriptions "
        "are our own paraphrases)",
    )


_built: dict[str, CodeIndex] = {}
_lock = threading.Lock()


def built_index(rubrics_root: Path) -> CodeIndex | None:
    """The index if it is already built (no waiting)."""
    return _built.get(str(rubrics_root))


def get_index(rubrics_root: Path) -> CodeIndex:
    """The process's index for ``rubrics_root``, built on first use (thread-safe).

    After building, the long-lived objects (the index and the ICD-10-CM tree, ~600,000
    objects) are moved out of the garbage collector's sight with ``gc.freeze``: otherwise a
    full collection walks them all, a pause of tens of milliseconds in some request.
    """
    key = str(rubrics_root)
    found = _built.get(key)
    if found is None:
        with _lock:
            found = _built.get(key)
            if found is None:
                found = build_index(rubrics_root)
                gc.collect()
                gc.freeze()
                _built[key] = found
    return found
