"""Latin typos of a question's own words: "controler" is "controller", "ingress controler" is
"ingress controller".

A word (or a run of up to three written together or apart) that is no known word is read as the
question's word it is closest to, when few enough edits apart for its length (`max_edits`); a
word that is itself a known term (kubelet, egress) is never read as another.
"""

from __future__ import annotations

import itertools
from typing import Final, Protocol

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from bot.domain.text import LATIN_WORD_CHARS, runs


class TypoRubric(Protocol):
    """What typo fixing asks of a compiled rubric."""

    @property
    def by_first(self) -> dict[str, list[str]]:
        """The question's words, by their first letter."""

    @property
    def known(self) -> set[str] | frozenset[str]:
        """Words that are no typo."""

    @property
    def longest_word(self) -> int: ...

    def closest(self, word: str) -> tuple[str, int] | None:
        """The question's word that `word` is a typo of, with the number of edits, if any."""


def max_edits(word: str) -> int:
    """How many typos a Latin word of this length forgives (a transposition is one)."""
    n = len(word)
    if n < _SHORTEST_TYPO:
        return 0
    if n < 10:
        return 1
    return 2


# A shorter word forgives no edit: it is never read as another.
_SHORTEST_TYPO: Final = 4


def typo_fixes(rubric: TypoRubric, folded: str) -> list[tuple[int, int, str]]:
    """Latin words (or runs of up to three) that are a typo of one of the question's words."""
    if not rubric.by_first:
        return []
    known = rubric.known
    words, starts = runs(folded, LATIN_WORD_CHARS)
    # Most answers have no unknown word long enough to be a typo. A short one is in no
    # candidate either: alone it forgives no edit, and runs are made of long words only.
    unknown = [
        k for k, word in enumerate(words) if len(word) >= _SHORTEST_TYPO and word not in known
    ]
    if not unknown:
        return []
    # (-n, distance, start, end, word, where the written words end in `joined`)
    candidates: list[tuple[int, int, int, int, str, tuple[int, ...]]] = []
    limit = rubric.longest_word + 2
    count = len(words)
    # Known words, and runs of known words, are no typos: start only up to two words before an
    # unknown one.
    for i in sorted({i for u in unknown for i in (u - 2, u - 1, u) if i >= 0}):
        start, joined = starts[i], words[i]
        # A short word is no typo alone, and a typo is read inside words, never in a short word
        # glued to another.
        if len(joined) > limit or len(joined) < _SHORTEST_TYPO:
            continue
        if joined not in known:
            _consider(rubric, words, i, 1, joined, start, start + len(joined), candidates)
        exact_parts = joined in known
        for j in range(i + 1, min(i + 3, count)):
            if _has_content(folded[starts[j - 1] + len(words[j - 1]) : starts[j]]):
                break  # something stands between word j - 1 and word j
            part = words[j]
            if len(part) < _SHORTEST_TYPO:
                break
            exact_parts = exact_parts and part in known
            joined += part
            if len(joined) > limit:
                break
            if not exact_parts and joined not in known:
                _consider(
                    rubric, words, i, j - i + 1, joined, start, starts[j] + len(part), candidates
                )
    chosen: list[tuple[int, int, str]] = []
    for _, _, start, end, word, _ in sorted(candidates):
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, word))
    return sorted(chosen)


def _consider(
    rubric: TypoRubric,
    words: list[str],
    first: int,
    n: int,
    joined: str,
    start: int,
    end: int,
    candidates: list[tuple[int, int, int, int, str, tuple[int, ...]]],
) -> None:
    """Add `joined`, words[first:first + n] written together, to the candidates if it is a
    typo."""
    fix = rubric.closest(joined)
    if fix is not None:
        cuts = tuple(itertools.accumulate(len(words[k]) for k in range(first, first + n)))
        candidates.append((-n, fix[1], start, end, _split_like(joined, cuts, fix[0]), cuts))


def _split_like(written: str, ends: tuple[int, ...], word: str) -> str:
    """The fix of several written words, split where they were: "ingress controler" becomes
    "ingress controller", not one word, so that "ingress" alone still matches."""
    if len(ends) < 2:
        return word
    # Where each written word ends, carried over to the fix through their alignment.
    opcodes = [
        (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in Levenshtein.opcodes(written, word)
    ]
    cuts: set[int] = set()
    for b in ends[:-1]:
        for tag, i1, i2, j1, j2 in opcodes:
            if i1 <= b <= i2:
                cuts.add(j1 if tag in ("delete", "insert") else j1 + min(b - i1, j2 - j1))
                break
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(word)), len(word)]
    return " ".join(word[a:b] for a, b in itertools.pairwise(bounds))


def _has_content(gap: str) -> bool:
    return bool(gap.strip(" -_./\\|'\"`*+~#@&^=<>"))


def closest_word(by_first: dict[str, list[str]], word: str) -> tuple[str, int] | None:
    """The word of `by_first` (words by their first letter) that `word` is a typo of, with the
    number of edits, if any."""
    allowed = max_edits(word)
    candidates = by_first.get(word[0]) if allowed else None
    if not candidates:
        return None
    # One C call finds the few closest words; each is then held to its own allowance.
    for candidate, distance, _ in process.extract(
        word, candidates, scorer=OSA.distance, score_cutoff=allowed, limit=3
    ):
        if distance > max_edits(candidate):
            continue
        if min(len(word), len(candidate)) < 5 and sorted(word) != sorted(candidate):
            continue  # a four-letter word forgives only a swap of two letters (etdc)
        return candidate, int(distance)
    return None
