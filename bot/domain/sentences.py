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
from collections.abc import Iterator

from bot.domain import lexicon
from bot.domain.text import CJK_CLASS, CLAUSE, Compact, is_latin, trie_pattern

# Where a literal was found: (start, end) in the compact text.
Occurrence = tuple[int, int]

# A sentence needs one glue word per this many terms to be a statement, not a list.
TERMS_PER_GLUE = 4
# Fewer terms than this in a sentence are a terse answer, not a keyword list.
BARE_LIST_MIN_TERMS = 3
# A term of at most this many characters is a name, even with a glue word inside.
SHORT_TERM = 4
# Symbols that relate terms: "exec (exit 0)", "200 <= code < 400", "L4: Service".
_STATEMENT_SYMBOLS = frozenset("=<>→(:（：")
_SYMBOLS = "=<>→"
_CLAUSE_RE = re.compile(CLAUSE)

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
_WORDS_RE = re.compile(
    f"(?=[{re.escape(''.join(sorted(_FIRSTS)))}a-z0-9{_SYMBOLS}])"
    f"(?:({trie_pattern(lexicon.LIST_JOINERS)}"
    f"|{trie_pattern(_DUTY_CJK)}"
    f"|[{''.join(sorted(lexicon.GLUE_CJK))}]"
    f"|(?<![a-z0-9'])(?:{trie_pattern(lexicon.GLUE_LATIN)})(?![a-z0-9']))"
    f"|([a-z0-9]{{3,}})|[{_SYMBOLS}])"
)
_GLUE, _OWN_WORD = 1, 2
# Glue that makes a statement by itself, verbs of duty included ("负责").
_STRONG_GLUE = lexicon.STRONG_GLUE | frozenset(lexicon.DUTY_VERBS)
# The weight of each glue word _WORDS_RE finds; a joiner weighs nothing. (A joiner found is always
# the joiner alternative's: it comes first, and no other alternative finds a joiner.)
_GLUE_WEIGHTS: dict[str, float] = {
    **{
        w: 2.0 if w in _STRONG_GLUE else 1.0
        for w in itertools.chain(_DUTY_CJK, lexicon.GLUE_CJK, lexicon.GLUE_LATIN)
    },
    **dict.fromkeys(lexicon.LIST_JOINERS, 0.0),
}
# Every character a glue word or a word of the answer's own may hold: no match of _WORDS_RE
# reaches over a character that is none of these.
_GLUE_CHARS = frozenset("".join(_GLUE_WEIGHTS) + "abcdefghijklmnopqrstuvwxyz0123456789'")
_NO_GLUE_RE = re.compile(f"[^{re.escape(''.join(sorted(_GLUE_CHARS)))}]")
_JOINER_RE = re.compile("|".join(lexicon.LIST_JOINERS))
_SEPARATOR_CHARS = " _-/"
_SEPARATORS_RE = re.compile("[ _\\-/]+")
# The last characters of the verbs of duty: the text before the terms ends with one of them
# (but for separators) before it can end with a verb of duty.
_DUTY_LAST_CHARS = frozenset(w[-1] for w in lexicon.DUTY_VERBS)
_WORD_START_RE = re.compile("(?<![a-z0-9])[a-z0-9]")
_CJK_RE = re.compile(CJK_CLASS)


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
        self._glue_cache: dict[int, tuple[float, bool]] = {}
        self._merged: dict[int, list[list[int]]] = {}
        # Whether the answer as written holds a symbol that relates terms at all.
        self.symbols_written = any(c in self.text.original for c in _STATEMENT_SYMBOLS)

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
        fs, fe = to_folded[start], to_folded[end - 1] + 1
        folded = self.text.folded
        # A Chinese character is one unit, a Latin word (counted where it starts) two.
        return len(_CJK_RE.findall(folded, fs, fe)) + 2 * len(
            _WORD_START_RE.findall(folded, fs, fe)
        )

    def statement(self, sentence: int) -> bool:
        """Whether a sentence says something, rather than listing terms."""
        cached = self._statement.get(sentence)
        if cached is not None:
            return cached
        n_terms = self._n_terms(sentence)
        if n_terms >= BARE_LIST_MIN_TERMS:
            result = self._glue(sentence, n_terms / TERMS_PER_GLUE) * TERMS_PER_GLUE >= n_terms
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
            n_terms = self._n_terms(sentence)
            start, end = self._sentence_span(sentence)
            cached = 0 < n_terms < BARE_LIST_MIN_TERMS and not self._glue(sentence, 1e-9)
            cached = cached and self.within(start, end, 4 * n_terms)
            self._items[sentence] = cached
        return cached

    def _sentence_span(self, sentence: int) -> tuple[int, int]:
        bounds = self.sentence_bounds
        start = bounds[sentence - 1] + 1 if sentence > 0 else 0
        end = bounds[sentence] if sentence < len(bounds) else len(self.text.text)
        return start, end

    def _n_terms(self, sentence: int) -> int:
        """How many separate terms a sentence names."""
        return len(self._merged_terms(sentence))

    def _glue(self, sentence: int, enough: float) -> float:
        """How much a sentence says around its terms: exact, or at least `enough`."""
        cached = self._glue_cache.get(sentence)
        if cached is not None and (cached[1] or cached[0] >= enough):
            return cached[0]
        glue, exact = self._count_glue(sentence, enough)
        self._glue_cache[sentence] = (glue, exact)
        return glue

    def _merged_terms(self, sentence: int) -> list[list[int]]:
        """The folded spans of a sentence's terms; terms that touch or overlap read as one."""
        merged = self._merged.get(sentence)
        if merged is not None:
            return merged
        start, end = self._sentence_span(sentence)
        in_sentence = self.term_spans[
            bisect.bisect_left(self.span_starts, start) : bisect.bisect_left(self.span_starts, end)
        ]
        # A one-character Chinese term (都, 只, 各) is a function word, not a listed term.
        # The spans are sorted as the term spans are: compact positions map to folded ones in
        # order.
        to_folded = self.text.to_folded
        merged = []
        last: list[int] = []
        for s, e, key in in_sentence:
            if len(key) > 1 or is_latin(key):
                fs, fe = to_folded[s], to_folded[e - 1] + 1
                if merged and fs <= last[1]:
                    if fe > last[1]:
                        last[1] = fe
                else:
                    last = [fs, fe]
                    merged.append(last)
        self._merged[sentence] = merged
        return merged

    def _glue_items(self, sentence: int, first: int, last: int) -> Iterator[tuple[int, float]]:
        """The glue of a sentence between folded positions `first` and `last`, as (position,
        weight), in order; found as it is asked for, since a few glue words usually settle the
        count.

        A Latin word that is neither a term, a known Kubernetes word nor glue gets weight -1:
        it is the answer's own wording, worth half a glue word. Symbols that relate terms are
        glue of weight 1.
        """
        # From the mark that ends the sentence before to the one that ends this one: no word
        # crosses a mark, so the matches are those of the whole text.
        bounds = self.sentence_bounds
        to_folded = self.text.to_folded
        folded = self.text.folded
        lo = to_folded[bounds[sentence - 1]] if sentence > 0 else 0
        hi = to_folded[bounds[sentence]] if sentence < len(bounds) else len(folded)
        # Searching from a little before `first` finds the same matches after it as searching
        # from lo: from the first place before it that no match can reach over (or lo), where
        # the search from lo is between two matches too. Likewise, searching up to the first
        # such place from `last` on finds the same matches before `last` as searching to hi:
        # none reaches over that place, and the lookaheads see no word character there either
        # way.
        start = first
        while start > lo and folded[start - 1] in _GLUE_CHARS:
            start -= 1
        outside = _NO_GLUE_RE.search(folded, last, hi)
        if outside is not None:
            hi = outside.start()
        # The few others at once, in order: negation cues (a negation says something of what
        # it denies: "No controller, no effect" is no list), and "(" and ":" as written, which
        # fold into clause marks.
        others: list[tuple[int, float]] = []
        if self.cues:
            k = bisect.bisect_left(self.cue_starts, bounds[sentence - 1] if sentence else 0)
            for cue in self.cues[k:]:
                at = to_folded[cue[0]]
                if at >= last:
                    break
                if at >= first:
                    others.append((at, 1.0))
        spans = self.text.folded_spans
        if self.symbols_written and (spans is not None or "，" in folded):
            original = self.text.original
            for m in _CLAUSE_RE.finditer(folded, first, last):
                i = m.start()
                os_ = spans[i][0] if spans is not None else i
                if original[os_ : os_ + 1] in _STATEMENT_SYMBOLS:
                    others.append((i, 1.0))
        others.sort()
        k, n = 0, len(others)
        weights = _GLUE_WEIGHTS
        skip = self.known_words
        for m in _WORDS_RE.finditer(folded, start, hi):
            at = m.start()
            if at >= last:
                break
            kind = m.lastindex
            if kind == _GLUE:
                weight = weights[m.group()]
                if not weight:
                    continue  # a joiner
            elif kind == _OWN_WORD:
                word = m.group()
                if word in skip or word.isdigit():
                    continue
                weight = -1.0
            else:  # a symbol
                weight = 1.0
            if at < first:
                continue
            item = (at, weight)
            while k < n and others[k] < item:
                yield others[k]
                k += 1
            yield item
        yield from others[k:]

    def _count_glue(self, sentence: int, enough: float) -> tuple[float, bool]:
        """The glue between a sentence's terms, stopping once there is `enough`.

        Returns the glue counted and whether the count is complete.
        """
        merged = self._merged_terms(sentence)
        if not merged:
            return 0.0, True
        starts = [m[0] for m in merged]

        def covering(a: int, b: int) -> list[int] | None:
            i = bisect.bisect_right(starts, a) - 1
            return merged[i] if i >= 0 and merged[i][1] >= b else None

        # Only words between the first term and the last relate them: "... 七层 四层 都有"
        # is still a list.
        fs, fe = merged[0][0], merged[-1][1]
        glue = 0.0
        # "负责故障检测、自动扩展、滚动更新": a verb of duty before the terms relates them.
        before = self.text.folded[max(0, fs - 24) : fs]
        tail = before.rstrip(_SEPARATOR_CHARS)
        if (
            tail
            and tail[-1] in _DUTY_LAST_CHARS
            and _SEPARATORS_RE.sub("", before).endswith(lexicon.DUTY_VERBS)
        ):
            glue += 2.0
        # A short Chinese term with glue inside is half a name ("只读"), half a verb ("创建"):
        # it counts once, for three quarters of its strongest glue character.
        in_short: dict[int, float] = {}
        for at, weight in self._glue_items(sentence, fs, fe):
            if weight < 0:  # a word that is no term: the answer says something of its own
                glue += 0.5
            else:
                seg = covering(at, at + 1)
                # Inside a long phrase ("不能从集群外访问") glue still says something, and so
                # does an English verb that is a term ("calls").
                if (
                    seg is not None
                    and seg[1] - seg[0] <= SHORT_TERM
                    and not is_latin(self.text.folded[at])
                ):
                    if self.text.folded[at] not in lexicon.FUNCTION_GLUE:
                        in_short[seg[0]] = max(in_short.get(seg[0], 0.0), 0.75 * weight)
                    continue  # a function word inside a term ("每个节点") relates nothing
                glue += weight
            if glue >= enough:
                return glue, False
        glue += sum(in_short.values())
        if glue >= enough:
            return glue, False
        # Chinese words of the answer's own between the terms, but for the words that join
        # list items: a quarter of a glue word each.
        folded = self.text.folded
        own = (
            len(_CJK_RE.findall(folded, fs, fe))
            - sum(len(_CJK_RE.findall(folded, a, b)) for a, b in merged)
            - sum(map(len, _JOINER_RE.findall(folded, fs, fe)))
        )
        return glue + own / 4, True
