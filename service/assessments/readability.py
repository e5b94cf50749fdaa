"""Flesch–Kincaid reading grade, offline and fast.

textstat 0.7.13's English syllable counter loads NLTK's cmudict, which it downloads from the
network on first use (and importing textstat costs ~1 s for NLTK). Scoring must not touch the
network, so this module applies the same formula with textstat's own fallback syllable
counter: pyphen's hyphenation dictionary (pyphen ships with textstat and WeasyPrint).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyphen  # type: ignore[import-untyped]

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_HYPHENATOR = pyphen.Pyphen(lang="en_US")


def words(text: str) -> list[str]:
    """The words of ``text`` (letters with inner apostrophes, or numbers)."""
    return _WORD.findall(text)


@lru_cache(maxsize=32768)
def syllables(word: str) -> int:
    """Syllables in one word: hyphenation points + 1 (numbers count as one)."""
    if not word[0].isalpha():
        return 1
    return len(_HYPHENATOR.positions(word.lower())) + 1


def flesch_kincaid_grade(text: str) -> float:
    """0.39 x words/sentence + 11.8 x syllables/word - 15.59; 0.0 for text without words."""
    found = words(text)
    if not found:
        return 0.0
    sentences = max(1, len(_SENTENCE_END.findall(text)))
    syllable_count = sum(syllables(word) for word in found)
    return 0.39 * len(found) / sentences + 11.8 * syllable_count / len(found) - 15.59
