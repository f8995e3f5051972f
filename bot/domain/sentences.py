"""How a reading of an answer judges its sentences: whether one states something or only lists
terms (the keyword-list guard), and how far apart two places are, in units.

A sentence with `BARE_LIST_MIN_TERMS` terms or more states something when it holds a glue word
(a function word, a common verb, a symbol that relates terms, a word of the answer's own) for
each `TERMS_PER_GLUE` of them, between its first term and its last. A sentence with fewer terms
is one item of a bare list when it says nothing but them, among other such lines.

A Chinese character is one unit, a Latin word two.
"""

from __future__ import annotations

import bisect
import itertools
import re
from typing import Final

from bot.domain import COMPILED, lexicon
from bot.domain.text import CJK_CHARS, CJK_CLASS, CLAUSE, Compact, is_latin, trie_pattern

# Where a literal was found: (start, end) in the compact text. Typed as a tuple of any length
# so that the compiled grader keeps it as one tuple object: typed as a pair, it is two native
# ints, boxed into a new tuple each time it goes into a list, a dict or another tuple, which
# an occurrence does far more often than it is taken apart.
Occurrence = tuple[int, ...]

# A sentence needs one glue word per this many terms to be a statement, not a list.
TERMS_PER_GLUE: Final = 4
# Fewer terms than this in a sentence are a terse answer, not a keyword list.
BARE_LIST_MIN_TERMS: Final = 3
# A term of at most this many characters is a name, even with a glue word inside.
SHORT_TERM: Final = 4
# Symbols that relate terms: "exec (exit 0)", "200 <= code < 400", "L4: Service".
_STATEMENT_SYMBOLS: Final = frozenset("=<>→(:（：")
_SYMBOLS: Final = "=<>→"

_DUTY_CJK = [w for w in lexicon.DUTY_VERBS if not w.isascii()]
# The words a sentence's glue is counted from, in one search: glue words (group 1), Latin words
# of three letters or more that may be the answer's own (group 2), and symbols. The three sets
# of matches are those of three searches: glue and symbols hold no character of each other's,
# no Latin glue word starts inside a Latin word, and a Latin word the glue takes is known.
# Among the glue, a list joiner is matched first, and counts for nothing. The lookahead of
# every first character turns most places down in one test, before the branches are tried.
_FIRSTS = {
    w[0] for w in (*lexicon.LIST_JOINERS, *_DUTY_CJK, *lexicon.GLUE_CJK, *lexicon.GLUE_LATIN)
}
_WORDS_RE: Final = re.compile(
    f"(?=[{re.escape(''.join(sorted(_FIRSTS)))}a-z0-9{_SYMBOLS}])"
    f"(?:({trie_pattern(lexicon.LIST_JOINERS)}"
    f"|{trie_pattern(_DUTY_CJK)}"
    f"|[{''.join(sorted(lexicon.GLUE_CJK))}]"
    f"|(?<![a-z0-9'])(?:{trie_pattern(lexicon.GLUE_LATIN)})(?![a-z0-9']))"
    f"|([a-z0-9]{{3,}})|[{_SYMBOLS}])"
)
_GLUE: Final = 1
_OWN_WORD: Final = 2
# Glue that makes a statement by itself, verbs of duty included ("负责").
_STRONG_GLUE = lexicon.STRONG_GLUE | frozenset(lexicon.DUTY_VERBS)
# The weight of each glue word _WORDS_RE finds; a joiner weighs nothing. (A joiner found is always
# the joiner alternative's: it comes first, and no other alternative finds a joiner.)
_GLUE_WEIGHTS: Final[dict[str, float]] = {
    **{
        w: 2.0 if w in _STRONG_GLUE else 1.0
        for w in itertools.chain(_DUTY_CJK, lexicon.GLUE_CJK, lexicon.GLUE_LATIN)
    },
    **dict.fromkeys(lexicon.LIST_JOINERS, 0.0),
}
# Every character a glue word or a word of the answer's own may hold: no match of _WORDS_RE
# reaches over a character that is none of these.
_GLUE_CHARS: Final = frozenset("".join(_GLUE_WEIGHTS) + "abcdefghijklmnopqrstuvwxyz0123456789'")
_JOINER_RE: Final = re.compile("|".join(lexicon.LIST_JOINERS))
_SEPARATOR_CHARS: Final = " _-/"
_SEPARATORS_RE: Final = re.compile("[ _\\-/]+")
# The last characters of the verbs of duty: the text before the terms ends with one of them
# (but for separators) before it can end with a verb of duty.
_DUTY_LAST_CHARS: Final = frozenset(w[-1] for w in lexicon.DUTY_VERBS)
_CJK_RE: Final = re.compile(CJK_CLASS)


def index_left(sorted_ints: list[int], x: int) -> int:
    """`bisect.bisect_left` for a list of ints: where x goes before any equal value.

    Compiled, a loop on native ints costs a tenth of a call into the bisect module, which
    compares objects; readings look up their positions tens of times per answer.
    """
    lo, hi = 0, len(sorted_ints)
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_ints[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def index_right(sorted_ints: list[int], x: int) -> int:
    """`bisect.bisect_right` for a list of ints: where x goes after any equal value."""
    lo, hi = 0, len(sorted_ints)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < sorted_ints[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


if not COMPILED:
    # Interpreted, these loops cost more than the bisect module's calls: use those instead.
    globals().update(index_left=bisect.bisect_left, index_right=bisect.bisect_right)


class SentenceReading:
    """The sentence judgements of a reading (grading._Reading), which sets what they read."""

    text: Compact
    # (start, end, literal) of every term found, sorted, and where each starts.
    term_spans: list[tuple[int, int, str]]
    span_starts: list[int]
    sentence_bounds: list[int]
    cues: list[Occurrence]
    cue_starts: list[int]
    # The question's words and the known ones: no Latin word of the answer's own.
    known_words: frozenset[str] | set[str]

    def start_sentences(self) -> None:
        """Set up the judgements, once the reading has found its terms and cues."""
        self._statement: dict[int, bool] = {}
        self._items: dict[int, bool] = {}
        self._merged: dict[int, list[tuple[int, int]]] = {}
        self._symbols: bool | None = None

    def within(self, start: int, end: int, width: int) -> bool:
        """Whether compact positions start and end are at most `width` units apart.

        Each compact character is at most two units (a Latin word that is one letter), so a
        short stretch needs no counting.
        """
        return 2 * (end - start) <= width or self.gap_units(start, end) <= width

    def gap_units(self, start: int, end: int) -> int:
        """Units of text between compact positions start and end."""
        if end <= start:
            return 0
        to_folded = self.text.to_folded
        return _units(self.text.folded, to_folded[start], to_folded[end - 1] + 1)

    def statement(self, sentence: int) -> bool:
        """Whether a sentence says something, rather than listing terms."""
        cached = self._statement.get(sentence)
        if cached is not None:
            return cached
        merged = self._merged_terms(sentence)
        n_terms = len(merged)
        if n_terms >= BARE_LIST_MIN_TERMS:
            glue = self._glue(sentence, merged, n_terms / TERMS_PER_GLUE)
            result = glue * TERMS_PER_GLUE >= n_terms
        else:
            # One item a line: a bare term alone on its line, among other such lines.
            run = 1 if self._item(sentence) else 0
            if run:
                for step in (-1, 1):
                    other = sentence + step
                    while self._item(other):
                        run += 1
                        other += step
            result = run < BARE_LIST_MIN_TERMS
        self._statement[sentence] = result
        return result

    def _item(self, sentence: int) -> bool:
        """A sentence that is nothing but one or two terms, like a line of a list."""
        if sentence < 0 or sentence > len(self.sentence_bounds):
            return False
        cached = self._items.get(sentence)
        if cached is None:
            merged = self._merged_terms(sentence)
            n_terms = len(merged)
            start, end = self._sentence_span(sentence)
            cached = 0 < n_terms < BARE_LIST_MIN_TERMS and not self._glue(sentence, merged, 1e-9)
            cached = cached and self.within(start, end, 4 * n_terms)
            self._items[sentence] = cached
        return cached

    def _sentence_span(self, sentence: int) -> tuple[int, int]:
        bounds = self.sentence_bounds
        start = bounds[sentence - 1] + 1 if sentence > 0 else 0
        end = bounds[sentence] if sentence < len(bounds) else len(self.text.text)
        return start, end

    def _merged_terms(self, sentence: int) -> list[tuple[int, int]]:
        """The folded spans of a sentence's terms; terms that touch or overlap read as one."""
        merged = self._merged.get(sentence)
        if merged is not None:
            return merged
        start, end = self._sentence_span(sentence)
        starts = self.span_starts
        spans = self.term_spans
        # A one-character Chinese term (都, 只, 各) is a function word, not a listed term.
        # The spans are sorted as the term spans are: compact positions map to folded ones in
        # order.
        to_folded = self.text.to_folded
        merged = []
        span_start = span_end = -1  # the span being merged, once there is one
        for i in range(index_left(starts, start), index_left(starts, end)):
            s, e, key = spans[i]
            if len(key) > 1 or is_latin(key):
                fs, fe = to_folded[s], to_folded[e - 1] + 1
                if span_start >= 0 and fs <= span_end:
                    if fe > span_end:
                        span_end = fe
                else:
                    if span_start >= 0:
                        merged.append((span_start, span_end))
                    span_start, span_end = fs, fe
        if span_start >= 0:
            merged.append((span_start, span_end))
        self._merged[sentence] = merged
        return merged

    def _glue(self, sentence: int, merged: list[tuple[int, int]], enough: float) -> float:
        """The glue between a sentence's terms (`merged`), stopping once there is `enough`:
        the count is exact when it is less.

        Every word adds to the glue (but the Chinese words of the answer's own, counted last),
        so it is counted in any order: the words `_WORDS_RE` finds first, as they are asked
        for, since a few of them usually settle the count. A Latin word that is neither a term,
        a known Kubernetes word nor glue is the answer's own wording, worth half a glue word.
        Symbols that relate terms are glue of weight 1.

        Each sentence's glue is counted once at most: for `statement` when it has
        `BARE_LIST_MIN_TERMS` terms or more, for `_item` when fewer, and both keep their answer.
        """
        if not merged:
            return 0.0
        # Only words between the first term and the last relate them: "... 七层 四层 都有"
        # is still a list.
        first, last = merged[0][0], merged[-1][1]
        # From the mark that ends the sentence before to the one that ends this one: no word
        # crosses a mark, so the matches are those of the whole text.
        bounds = self.sentence_bounds
        to_folded = self.text.to_folded
        folded = self.text.folded
        lo = to_folded[bounds[sentence - 1]] if sentence > 0 else 0
        hi = to_folded[bounds[sentence]] if sentence < len(bounds) else len(folded)
        # Searching from a little before `first` finds the same matches after it as searching
        # from lo: from the first place before it that no match can reach over (or lo), where
        # the search from lo is between two matches too. The search stops at the first match
        # from `last` on, usually just after it.
        start = first
        while start > lo and folded[start - 1] in _GLUE_CHARS:
            start -= 1
        glue = 0.0
        # A short Chinese term with glue inside is half a name ("只读"), half a verb ("创建"):
        # it counts once, for three quarters of its strongest glue character.
        in_short: dict[int, float] = {}
        weights = _GLUE_WEIGHTS
        known = self.known_words
        for m in _WORDS_RE.finditer(folded, start, hi):
            at = m.start()
            if at >= last:
                break
            if at < first:
                continue
            kind = m.lastindex
            if kind == _OWN_WORD:
                word = m[0]
                if word in known or word.isdigit():
                    continue
                glue += 0.5  # a word that is no term: the answer says something of its own
            else:
                weight = weights[m[0]] if kind == _GLUE else 1.0  # glue, or a symbol
                if not weight:
                    continue  # a joiner
                glue += self._glue_at(merged, at, weight, in_short)
            if glue >= enough:
                return glue
        # "负责故障检测、自动扩展、滚动更新": a verb of duty before the terms relates them.
        before = folded[max(0, first - 24) : first]
        tail = before.rstrip(_SEPARATOR_CHARS)
        if (
            tail
            and tail[-1] in _DUTY_LAST_CHARS
            and _SEPARATORS_RE.sub("", before).endswith(lexicon.DUTY_VERBS)
        ):
            glue += 2.0
        # Negation cues: a negation says something of what it denies ("No controller, no
        # effect" is no list).
        cues = self.cues
        if cues:
            k = index_left(self.cue_starts, bounds[sentence - 1] if sentence else 0)
            while k < len(cues):
                at = to_folded[cues[k][0]]
                if at >= last:
                    break
                if at >= first:
                    glue += self._glue_at(merged, at, 1.0, in_short)
                k += 1
        # "(" and ":" as written, which fold into clause marks.
        spans = self.text.folded_spans
        if (spans is not None or CLAUSE in folded) and self._symbols_written():
            original = self.text.original
            at = folded.find(CLAUSE, first, last)
            while at >= 0:
                os_ = spans[at][0] if spans is not None else at
                if original[os_ : os_ + 1] in _STATEMENT_SYMBOLS:
                    glue += self._glue_at(merged, at, 1.0, in_short)
                at = folded.find(CLAUSE, at + 1, last)
        glue += sum(in_short.values())
        if glue >= enough:
            return glue
        # Chinese words of the answer's own between the terms, but for the words that join
        # list items: a quarter of a glue word each.
        own = -sum(map(len, _JOINER_RE.findall(folded, first, last)))
        for i in range(1, len(merged)):
            own += len(_CJK_RE.findall(folded, merged[i - 1][1], merged[i][0]))
        return glue + own / 4

    def _glue_at(
        self, merged: list[tuple[int, int]], at: int, weight: float, in_short: dict[int, float]
    ) -> float:
        """What glue of `weight` at folded position `at` adds between the terms `merged`.

        Inside a long phrase ("不能从集群外访问") glue still says something, and so does an
        English verb that is a term ("calls"). Inside a short Chinese term it adds nothing
        here, but its share of the term's `in_short`.
        """
        for s, e in merged:
            if e > at:
                if s <= at and e - s <= SHORT_TERM:
                    ch = self.text.folded[at]
                    if not is_latin(ch):
                        if ch not in lexicon.FUNCTION_GLUE:
                            in_short[s] = max(in_short.get(s, 0.0), 0.75 * weight)
                        return 0.0  # a function word inside a term ("每个节点") relates nothing
                break
        return weight

    def _symbols_written(self) -> bool:
        """Whether the answer as written holds a symbol that relates terms at all."""
        if self._symbols is None:
            original = self.text.original
            self._symbols = any(c in original for c in _STATEMENT_SYMBOLS)
        return self._symbols


_CJK_TABLE: Final = CJK_CHARS.table


def _units(folded: str, start: int, end: int) -> int:
    """Units of folded[start:end]: a Chinese character (of `CJK_CHARS`) is one unit, a Latin
    word two, counted where it starts (not at all when it starts before `start`).

    A loop over the code points, since a compiled one costs a tenth of the two searches it
    replaces, which make a string of each Chinese character they find.
    """
    units = 0
    code = ord(folded[start - 1]) if start else 0
    latin = 97 <= code <= 122 or 48 <= code <= 57  # a-z, 0-9, as `is_latin`
    for i in range(start, end):
        code = ord(folded[i])
        if 97 <= code <= 122 or 48 <= code <= 57:
            if not latin:
                units += 2
                latin = True
        else:
            latin = False
            if code < len(_CJK_TABLE) and _CJK_TABLE[code]:
                units += 1
    return units
