"""Grade an answer against a question's rubric: pure and deterministic.

How an answer is read (see questions/README.md for the authors' side):

1. The answer is folded into a compact string (bot.domain.text). Latin typos of the question's
   own words are corrected (never when the word is itself a known term), and every alias term,
   negation cue and clause break is found in one pass of the question's compiled rubric
   (bot.domain.matching); Chinese terms are also found by sound (路有 for 路由), when at most
   one character in four differs and none of the differing ones is a negation.
2. A phrase alias matches where it appears; a multi-term alias matches when every term appears
   in one sentence, within `ALIAS_WINDOW` units (a Chinese character is one unit, a Latin word
   two). A misconception's terms must also sit within `MISCONCEPTION_CLAUSES` clause(s) and
   `MISCONCEPTION_WINDOW` units: a wrong claim is read narrowly ("A 会重启，B 是..." claims
   nothing about B restarting).
3. A negation cue in the same clause as a match, at most `NEGATION_BEFORE` units before it or
   `NEGATION_AFTER` units after it, cancels that match. Cues inside the alias's own terms are
   part of the alias; words like 不同 or "not only" are no cues (bot.domain.lexicon).
4. A sentence made of terms without the words that relate them is a bare list: on an "explain"
   question a concept found only in bare lists earns `BARE_LIST_CREDIT` of its weight; on a
   "list" question it earns its weight when it is a naming concept, else nothing. A bare list
   states nothing, so it makes no misconception, and neither does a question ("…吗？"). A
   sentence that repeats the question earns and costs nothing; an answer that is no more than
   the question earns 0.
5. Points = max * (credited weight / total weight) - penalties of the misconceptions made (each
   once), clamped to [0, max] and rounded to the nearest half point.

Each sentence is judged on its own, and concept credit is the best over all matches, so
appending a full answer (in a new sentence) never lowers the points: the concepts can only
gain, and the penalties stay those already made, as long as the full answer makes no wrong
claim itself (the bank's examples are checked for that by the property tests).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterator
from typing import Final, cast

from rapidfuzz import fuzz

from bot.domain.matching import (
    NOT_TERM_ROLES,
    ROLE_BREAK,
    ROLE_CUE,
    ROLE_LONE_SOUND,
    ROLE_MASK,
    ROLE_STOP,
    ROLE_TERM,
    CompiledRubric,
    Hit,
    compiled_rubric,
)
from bot.domain.model import ConceptHit, ConceptMiss, Grade, MisconceptionHit, Question
from bot.domain.sentences import (
    BARE_LIST_MIN_TERMS as BARE_LIST_MIN_TERMS,  # part of this module's interface
)
from bot.domain.sentences import SHORT_TERM as SHORT_TERM
from bot.domain.sentences import TERMS_PER_GLUE as TERMS_PER_GLUE
from bot.domain.sentences import Occurrence as _Occurrence
from bot.domain.sentences import SentenceReading, index_left, index_right
from bot.domain.text import (
    ARROW_RE,
    CLAUSE,
    SENTENCE,
    Compact,
    compact,
    replace_words,
    sounds,
)
from bot.domain.typos import max_edits as max_edits  # part of this module's interface
from bot.domain.typos import typo_fixes

ALIAS_WINDOW: Final = 40
# A wrong claim is read more narrowly: within one clause and a shorter window.
MISCONCEPTION_WINDOW: Final = 30
MISCONCEPTION_CLAUSES: Final = 1
NEGATION_BEFORE: Final = 8
NEGATION_AFTER: Final = 6
BARE_LIST_CREDIT: Final = 0.2
# Words quoted for a concept or misconception found; past this, its other aliases are skipped.
ENOUGH_QUOTES: Final = 4
# Longer answers are graded on their first characters only (a Slack message holds 40,000).
MAX_ANSWER_CHARS: Final = 40_000

NOTE_KEYWORD_LIST: Final = "keyword list"
NOTE_COPIES_QUESTION: Final = "copies the question"
NOTE_TRUNCATED: Final = "only the first 40000 characters were graded"


_NEGATION_CHARS: Final = frozenset("不没无非别未否勿莫")
_LATIN_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
MARKER_CHARS: Final = SENTENCE + CLAUSE
# A 的-phrase opened by a cue is at most this many characters before its 的.
_MODIFIER_CHARS: Final = 5
# A cue followed by one of these denies the verb, not a modifier: 不是, 不会, 不能, 不要.
_VERB_AFTER_CUE: Final = frozenset("是会能要可应该")
# A cue at most this many units before an alias's own negation denies it: 不是没有, 并非没有.
_DOUBLE_NEGATION: Final = 2


def _longest_first(occ: _Occurrence) -> tuple[int, int]:
    return occ[0], -occ[1]


def _positions(text: str, mark: str) -> list[int]:
    """Where a character stands in a text, in order."""
    found = []
    i = text.find(mark)
    while i >= 0:
        found.append(i)
        i = text.find(mark, i + 1)
    return found


# ----- reading one answer -----


class _Reading(SentenceReading):
    """Everything found in one answer for one rubric."""

    def __init__(self, rubric: CompiledRubric, text: Compact) -> None:
        self.rubric = rubric
        self.text = text
        self.cues: list[_Occurrence] = []
        self.terms: dict[int, dict[int, list[_Occurrence]]] = {}
        self.term_spans: list[tuple[int, int, str]] = []
        # Cues inside a word that denies nothing ("不只"), with that word.
        self.masked: list[tuple[_Occurrence, _Occurrence]] = []
        masks: list[_Occurrence] = []
        clause_starts: list[int] = []
        stops: list[tuple[int, int, str]] = []
        t = text.text
        terms = self.terms
        term_spans = self.term_spans
        # (alias, term) whose occurrences came out of the order of the text: found through
        # several literals, or an arrow.
        unsorted: set[tuple[int, int]] = set()
        exact = 0  # occurrences of the terms alone with their sound
        if rubric.automaton is not None:
            breaks = text.breaks
            size = len(t)
            cues = self.cues
            hits = cast("Iterator[tuple[int, Hit]]", rubric.automaton.iter(t))
            for last, (key, n, latin_start, latin_end, roles, lit_terms) in hits:
                start = last + 1 - n
                # Not inside a Latin word, for literals that start or end with a letter or digit.
                if latin_start and start and start not in breaks and t[start - 1] in _LATIN_CHARS:
                    continue
                end = last + 1
                if latin_end and end < size and end not in breaks and t[end] in _LATIN_CHARS:
                    continue
                if roles & ROLE_TERM:
                    term_spans.append((start, end, key))
                    occ = (start, end)
                    # The (alias, term) each literal is, carried by the automaton: the rubric's
                    # literals need no lookup.
                    for alias, term in lit_terms:
                        by_term = terms.get(alias)
                        if by_term is None:
                            terms[alias] = {term: [occ]}
                            continue
                        occs = by_term.get(term)
                        if occs is None:
                            by_term[term] = [occ]
                            continue
                        before = occs[-1]
                        if before[0] > start or (before[0] == start and before[1] > end):
                            unsorted.add((alias, term))
                        occs.append(occ)
                    if roles & ROLE_LONE_SOUND:
                        exact += 1
                    if not roles & NOT_TERM_ROLES:  # the common case: nothing more to note
                        continue
                if roles & ROLE_CUE:
                    cues.append((start, end))
                if roles & ROLE_MASK:
                    masks.append((start, end))
                if roles & ROLE_BREAK:
                    clause_starts.append(start)
                if roles & ROLE_STOP:
                    stops.append((start, end, key))
        literals = rubric.literals
        # Whether a match may hold an empty occurrence, which is never quoted.
        self.empty_occurrences = False
        if rubric.order_terms:
            # An arrow is a word of order ("init -> 主容器" is "init 然后主容器"), found where
            # it was dropped, as an empty occurrence.
            to_folded = text.to_folded
            for m in ARROW_RE.finditer(text.folded):
                self.empty_occurrences = True
                at = index_left(to_folded, m.start())
                for alias, term in rubric.order_terms:
                    terms.setdefault(alias, {}).setdefault(term, []).append((at, at))
                    unsorted.add((alias, term))
        for alias, term in unsorted:
            # In the order of the text; at one place, the shortest literal first.
            terms[alias][term].sort()
        if rubric.sound_automaton is not None and not t.isascii():
            self._find_by_sound(rubric, text, exact)
        if masks:
            masks.sort(key=_longest_first)
            kept = []
            for c in self.cues:
                word = next((m for m in masks if m[0] <= c[0] and c[1] <= m[1]), None)
                if word is None:
                    kept.append(c)
                else:
                    self.masked.append((c, word))
            self.cues = kept
        if len(self.cues) > 1:
            self.cues.sort(key=_longest_first)
        self.cue_starts = [c[0] for c in self.cues]
        # For each cue, the aliases with a term occurrence around it: the cue is their own.
        self.cue_owners: dict[_Occurrence, set[int]] = {}
        if self.cues:
            holders = rubric.cue_holders
            for s, e, key in self.term_spans:
                if key not in holders:
                    continue
                lo = index_left(self.cue_starts, s)
                for cue in self.cues[lo:]:
                    if cue[0] >= e:
                        break
                    if cue[1] <= e:
                        owners = self.cue_owners.setdefault(cue, set())
                        owners.update(alias for alias, _ in literals[key].terms)
        self._near: dict[_Occurrence, list[tuple[_Occurrence, bool]]] = {}
        self._modifiers: dict[_Occurrence, int | None] = {}
        # Where a negation's reach ends without a new clause, but for words that hold a stop
        # and are none (就是, 规则).
        not_stops = [(s, e) for s, e, key in stops if key in rubric.not_stop_keys]
        self.stop_starts = sorted(
            s
            for s, e, key in stops
            if key in rubric.stop_keys and not any(a <= s and e <= b for a, b in not_stops)
        )
        self.sentence_bounds = _positions(t, SENTENCE)
        clause_bounds = self.sentence_bounds + _positions(t, CLAUSE)
        # A clause break word starts a new clause just before itself.
        if clause_starts:
            clause_bounds = sorted(set(clause_bounds) | {s - 1 for s in clause_starts if s})
        else:
            clause_bounds.sort()
        self.clause_bounds = clause_bounds
        # The cues of each clause, in order: a match looks only at those of its own clause.
        self.clause_cues: dict[int, list[_Occurrence]] = {}
        for cue in self.cues:
            self.clause_cues.setdefault(index_right(clause_bounds, cue[0]), []).append(cue)
        self.term_spans.sort()
        self.span_starts = [span[0] for span in self.term_spans]
        self._echoes: dict[int, bool] = {}
        self._others_cache: dict[tuple[int, int], list[_Occurrence]] = {}
        self._masked_denies: dict[_Occurrence, bool] = {}
        self.known_words = rubric.known_words
        self.start_sentences()

    def quotable(self, occs: list[_Occurrence]) -> list[_Occurrence]:
        """The occurrences of a match to quote: all, but for empty ones (arrows)."""
        return [o for o in occs if o[0] < o[1]] if self.empty_occurrences else occs

    def quotes(self, occs: list[_Occurrence]) -> list[str]:
        """The answer's own words for each occurrence, each occurrence quoted once: the same
        terms come back in many matches. (Few come back in the quotes of another concept:
        remembering the words would cost more than quoting them again.)"""
        seen: set[_Occurrence] = set()
        words = []
        for occ in occs:
            if occ not in seen:
                seen.add(occ)
                words.append(self.text.quote(occ[0], occ[1]))
        return words

    def _find_by_sound(self, rubric: CompiledRubric, text: Compact, exact: int) -> None:
        """Chinese terms written with a homophone: 路有 for 路由, 组建 for 组件.

        `exact` is how many terms alone with their sound were found as written. Each of them is
        found again by its sound, so when the sounds find no more than these (the common case),
        every hit is a term as written, and there is nothing to look at.
        """
        assert rubric.sound_automaton is not None
        hits = list(rubric.sound_automaton.iter(sounds(text.text)))
        if len(hits) == exact:
            return
        t = text.text
        breaks = text.breaks
        size = len(t)
        found: list[tuple[int, int, int, str, tuple[tuple[int, int], ...]]] = []
        for last, (n, keys) in hits:
            start = last + 1 - n
            end = last + 1
            written = t[start:end]
            for i, (key, latin_start, latin_end, key_terms) in enumerate(keys):
                if written == key or not _misspelt(written, key):
                    continue
                if latin_start and start and start not in breaks and t[start - 1] in _LATIN_CHARS:
                    continue
                if latin_end and end < size and end not in breaks and t[end] in _LATIN_CHARS:
                    continue
                found.append((start, -n, i, key, key_terms))
        # In the order of the text; at one place, the longest first.
        for start, minus_n, _, key, key_terms in sorted(found):
            occ = (start, start - minus_n)
            self.term_spans.append((occ[0], occ[1], key))
            for alias, term in key_terms:
                self.terms.setdefault(alias, {}).setdefault(term, []).append(occ)

    def echoes(self, sentence: int) -> bool:
        """Whether a sentence repeats a sentence of the question: it earns and costs nothing."""
        cached = self._echoes.get(sentence)
        if cached is None:
            start, end = self._sentence_span(sentence)
            t = self.text.text
            size = end - start - t.count(CLAUSE, start, end)
            low, high = self.rubric.echo_sizes
            if low <= size <= high:
                said = t[start:end].replace(CLAUSE, "")
                cached = any(
                    0.7 * len(p) <= len(said) <= len(p) + 6 and fuzz.ratio(said, p) >= 85
                    for p in self.rubric.prompt_sentences
                )
            else:  # no sentence of the question is near its length
                cached = False
            self._echoes[sentence] = cached
        return cached

    def asks(self, sentence: int) -> bool:
        """Whether a sentence is a question: it makes no claim."""
        start, end = self._sentence_span(sentence)
        t = self.text.text
        if end < len(t):
            os_, _ = self.text.original_span(end, end + 1)
            if self.text.original[os_ : os_ + 1] in "?？":
                return True
        return t[start:end].rstrip(CLAUSE).endswith(("吗", "么"))

    def sentence(self, i: int) -> int:
        return index_right(self.sentence_bounds, i)

    def clause(self, i: int) -> int:
        return index_right(self.clause_bounds, i)

    def near_cues(self, occ: _Occurrence) -> list[tuple[_Occurrence, bool]]:
        """The negation cues that reach a match: same clause, close before or after it, with
        no stop between (就, 然后, then). Each comes with whether it is after the match."""
        in_clause = self.clause_cues.get(self.clause(occ[0]))
        if not in_clause:
            return []  # most clauses hold no cue: no need to remember
        near = self._near.get(occ)
        if near is not None:
            return near
        near = []
        # The cues close enough to reach it, in its clause.
        first = occ[0] - 4 * NEGATION_BEFORE - 12
        past = occ[1] + 4 * NEGATION_AFTER
        stops = self.stop_starts
        for cue in in_clause:
            if cue[0] < first:
                continue
            if cue[0] > past:
                break
            modifier = self.modifier_end(cue)
            if cue[1] <= occ[0]:
                # A cue before a 的-phrase denies that phrase only ("没用的镜像"), and
                # what starts in it ("没有容器在用的镜像").
                if modifier is not None and occ[0] > modifier:
                    continue
                a, b, width = cue[1], occ[0], NEGATION_BEFORE
                after = False
            elif cue[0] >= occ[1]:
                if modifier is not None:
                    continue  # "清理没用的镜像": the cue is in what follows
                a, b, width = occ[1], cue[0], NEGATION_AFTER
                after = True
            else:
                continue  # the cue overlaps the match: it is part of the alias
            if 2 * (b - a) > width and self.gap_units(a, b) > width:
                continue  # too far (see `within`)
            if stops:
                i = index_left(stops, a)
                if i < len(stops) and stops[i] < b:
                    continue  # a stop (就, 然后, then) between
            near.append((cue, after))
        self._near[occ] = near
        return near

    def _subject_only(self, cue: _Occurrence, others: list[_Occurrence]) -> bool:
        """Whether a term follows a cue in its clause, out of the cue's reach."""
        clause = self.clause(cue[0])
        for o in others[bisect_left(others, (cue[1], -1)) :]:
            if self.clause(o[0]) != clause:
                break
            if all(c != cue for c, _ in self.near_cues(o)):
                return True
        return False

    def modifier_end(self, cue: _Occurrence) -> int | None:
        try:
            return self._modifiers[cue]
        except KeyError:
            found = self._modifiers[cue] = self._modifier_end(cue)
            return found

    def _modifier_end(self, cue: _Occurrence) -> int | None:
        """Where the 的-phrase that a cue opens ends, when the cue denies only that modifier:
        "没用的镜像", "没人用的", "不再使用的", "没绑定节点的 pod". A cue followed by a verb it
        denies (不是, 不会, 不能, 不要) or a 的 that ends the clause (不会管的) opens none."""
        t = self.text.text
        after = t[cue[1] : cue[1] + _MODIFIER_CHARS + 1]
        if not after or after[0] in _VERB_AFTER_CUE:
            return None
        i = after.find("的")
        if i <= 0 or any(c in MARKER_CHARS for c in after[:i]):
            return None
        end = cue[1] + i
        following = t[end + 1 : end + 2]
        if not following or following in MARKER_CHARS or following == "话":
            return None
        return end

    def negated(self, occ: _Occurrence, alias: int, term: int | None = None) -> bool:
        """Whether a cue denies a match of the alias's `term`. A cue after this match belongs
        to what follows it: when another term of the alias follows in the cue's clause out of
        its reach ("scheduler 不做过滤然后启动容器"), the cue denies neither."""
        owners = self.cue_owners
        for cue, after in self.near_cues(occ):
            if alias in owners.get(cue, ()):
                continue
            if after and term is not None:
                others = self._others(alias, term)
                if others and self._subject_only(cue, others):
                    continue
            if not after and self._own_cue_between(cue, occ, alias):
                continue
            return True
        if not self.masked:
            return False
        # "不只是规则" denies "只是规则": a word that denies nothing elsewhere does deny the
        # term it overlaps. (The same for every alias: asked once for each occurrence.)
        denied = self._masked_denies.get(occ)
        if denied is None:
            denied = self._masked_denies[occ] = any(
                mask[0] < occ[1]
                and occ[0] < mask[1]
                and not (occ[0] <= cue[0] and cue[1] <= occ[1])
                for cue, mask in self.masked
            )
        return denied

    def _others(self, alias: int, term: int) -> list[_Occurrence]:
        """The occurrences of an alias's other terms, sorted: built once, when first needed."""
        key = (alias, term)
        others = self._others_cache.get(key)
        if others is None:
            found = self.terms[alias]
            others = self._others_cache[key] = sorted(
                o for t, more in found.items() if t != term for o in more
            )
        return others

    def _own_cue_between(self, cue: _Occurrence, occ: _Occurrence, alias: int) -> bool:
        """Whether the alias's own negation stands between a cue and a match, apart from the
        cue: in "不选 pod 也没有 ClusterIP" the 不 denies 选, while "没有 ClusterIP" is said.
        A cue right before the alias's own one denies it ("不是没有", "并非没有")."""
        owners = self.cue_owners
        starts = self.cue_starts
        i = index_left(starts, cue[1])
        while i < len(starts) and starts[i] < occ[1]:
            own = self.cues[i]
            if alias in owners.get(own, ()) and not self.within(cue[1], own[0], _DOUBLE_NEGATION):
                return True
            i += 1
        return False

    def alias_matches(self, index: int) -> list[list[_Occurrence]]:
        """Each way the alias matches: one occurrence per term, none of them negated."""
        spec = self.rubric.aliases[index]
        found = self.terms.get(index)
        if not found or len(found) < spec.n_terms:
            return []
        if spec.n_terms == 1:
            if not self.cues and not self.masked:  # nothing can deny it
                return [[o] for o in found[0]]
            return [[o] for o in found[0] if not self.negated(o, index)]
        return self._windows(
            self._valid_points(index, found),
            spec.n_terms,
            MISCONCEPTION_WINDOW if spec.wrong else ALIAS_WINDOW,
            MISCONCEPTION_CLAUSES if spec.wrong else None,
            spec.ranks,
        )

    def _valid_points(
        self, index: int, found: dict[int, list[_Occurrence]]
    ) -> list[tuple[int, int, int, _Occurrence]]:
        """(sentence, start, term, occurrence) of an alias's terms in the order of the text,
        but for the negated ones."""
        bounds = self.sentence_bounds
        points = sorted(
            [
                (index_right(bounds, o[0]), o[0], term, o)
                for term, occs in found.items()
                for o in occs
            ]
        )
        if not self.cues and not self.masked:
            return points
        return [p for p in points if not self.negated(p[3], index, p[2])]

    def _windows(
        self,
        points: list[tuple[int, int, int, _Occurrence]],
        n_terms: int,
        width: int,
        max_clauses: int | None,
        ranks: tuple[int, ...] | None = None,
    ) -> list[list[_Occurrence]]:
        """Smallest stretches of one sentence that hold every term, within the window, and in
        the order of `ranks` when the alias is ordered."""
        clause_bounds = self.clause_bounds
        found: list[list[_Occurrence]] = []
        # The occurrences of each term (an index below n_terms) in the window, and how many
        # terms have some.
        counts = [0] * n_terms
        present = 0
        left = 0
        for right, point in enumerate(points):
            sentence, term = point[0], point[2]
            if points[left][0] != sentence:
                counts = [0] * n_terms
                present = 0
                left = right
            if not counts[term]:
                present += 1
            counts[term] += 1
            while present == n_terms:
                # Each term's last occurrence in the window (each term is there: none stays
                # empty).
                latest: list[_Occurrence] = [()] * n_terms
                for i in range(left, right + 1):
                    latest[points[i][2]] = points[i][3]
                occs = sorted(latest)
                first, last = occs[0]
                for o in occs:
                    if o[1] > last:
                        last = o[1]
                if ranks is not None and not _in_order(latest, ranks):
                    pass
                elif 2 * (last - first) > width and self.gap_units(first, last) > width:
                    pass  # too wide (see `within`)
                elif (
                    max_clauses is not None
                    and index_right(clause_bounds, last - 1) - index_right(clause_bounds, first)
                    >= max_clauses
                ):
                    pass  # over too many clauses
                else:
                    found.append(occs)
                lt = points[left][2]
                counts[lt] -= 1
                if not counts[lt]:
                    present -= 1
                left += 1
        return found


def _in_order(latest: list[_Occurrence], ranks: tuple[int, ...]) -> bool:
    """Whether every term of a lower rank ends before any term of a higher rank starts."""
    for a, occ_a in enumerate(latest):
        for b, occ_b in enumerate(latest):
            if ranks[a] < ranks[b] and occ_a[1] > occ_b[0]:
                return False
    return True


def _copies_prompt(rubric: CompiledRubric, text: Compact) -> bool:
    answer = text.text.replace(SENTENCE, "").replace(CLAUSE, "")
    if len(answer) < 4:
        return False
    for prompt in rubric.prompts:
        extra = max(8, len(prompt) // 4)
        if len(answer) > len(prompt) + extra or len(answer) * 2 < len(prompt):
            continue
        if fuzz.partial_ratio(answer, prompt) >= 90 or fuzz.ratio(answer, prompt) >= 85:
            return True
    return False


def _misspelt(written: str, term: str) -> bool:
    """Whether a homophone of a term is a typo of it: few characters off, none a negation."""
    wrong = [w for w, c in zip(written, term, strict=True) if w != c]
    return len(wrong) <= (1 if len(term) <= 4 else 2) and not any(
        w in _NEGATION_CHARS for w in wrong
    )


def round_half(x: float) -> float:
    return math.floor(x * 2 + 0.5) / 2


def _unique(words: list[str], limit: int = 6) -> tuple[str, ...]:
    """The words to quote: each once, none that is part of another, single characters last."""
    seen: list[str] = []
    once: set[str] = set()
    for w in words:
        if w and w not in once:
            once.add(w)
            seen.append(w)
    # In the quotes joined by new lines, a word found only once is part of no other, when no
    # quote holds a new line (none does: lines end sentences, and no term runs over one).
    joined = "\n".join(seen)
    if joined.count("\n") == len(seen) - 1:
        kept = [w for w in seen if joined.count(w) == 1]
    else:
        kept = [w for w in seen if not any(w != other and w in other for other in seen)]
    if any(len(w) < 2 for w in kept):  # single characters last, each in order of appearance
        kept = [w for w in kept if len(w) >= 2] + [w for w in kept if len(w) < 2]
    return tuple(kept[:limit])


def grade(answer: str, question: Question) -> Grade:
    """Grade an answer to a question; any string at all gets a grade."""
    rubric = compiled_rubric(question)
    concepts = question.rubric.concepts
    max_points = question.rubric.max_points
    notes: list[str] = []
    if len(answer) > MAX_ANSWER_CHARS:
        answer = answer[:MAX_ANSWER_CHARS]
        notes.append(NOTE_TRUNCATED)
    text = compact(answer)
    if _copies_prompt(rubric, text):
        return Grade(
            question_id=question.id,
            points=0.0,
            max_points=max_points,
            found=(),
            missed=rubric.misses,
            notes=(*notes, NOTE_COPIES_QUESTION),
            rubric_version=question.version,
        )

    fixes = typo_fixes(rubric, text.folded)
    if fixes:
        text = replace_words(text, fixes)
    reading = _Reading(rubric, text)

    credit = [0.0] * len(concepts)
    # The occurrences to quote, quoted once the grade is known.
    quotes: list[list[_Occurrence]] = [[] for _ in concepts]
    wrong: dict[int, list[_Occurrence]] = {}
    style = question.rubric.style
    listed: set[int] = set()  # concepts named in a bare list
    for index in sorted(reading.terms):
        spec = rubric.aliases[index]
        owner = spec.owner
        # Enough is known of this concept or misconception: skip its other aliases.
        if spec.wrong:
            if len(wrong.get(owner, ())) >= ENOUGH_QUOTES:
                continue
        elif credit[owner] == 1.0 and len(quotes[owner]) >= ENOUGH_QUOTES:
            continue
        for occs in reading.alias_matches(index):
            if spec.wrong:
                if len(wrong.get(owner, ())) >= ENOUGH_QUOTES:
                    break
            elif credit[owner] == 1.0 and len(quotes[owner]) >= ENOUGH_QUOTES:
                break
            sentence = reading.sentence(occs[0][0])
            if reading.echoes(sentence):
                continue
            said = reading.statement(sentence)
            if spec.wrong:
                if said and not reading.asks(sentence):
                    wrong.setdefault(owner, []).extend(reading.quotable(occs))
                continue
            if said:
                value = 1.0
            else:
                listed.add(owner)
                if style == "list":
                    value = 1.0 if concepts[owner].naming else 0.0
                else:
                    value = BARE_LIST_CREDIT
            if value > credit[owner]:
                credit[owner] = value
                quotes[owner] = reading.quotable(occs) + quotes[owner]
            elif value == credit[owner]:
                quotes[owner].extend(reading.quotable(occs))

    found: list[ConceptHit] = []
    missed: list[ConceptMiss] = []
    earned = 0.0
    for i, concept in enumerate(concepts):
        if credit[i] > 0:
            earned += concept.weight * credit[i]
            found.append(ConceptHit(concept.id, concept.label, _unique(reading.quotes(quotes[i]))))
        else:
            missed.append(rubric.misses[i])
    if any(credit[i] < 1.0 for i in listed):
        notes.append(NOTE_KEYWORD_LIST)

    misconceptions = tuple(
        MisconceptionHit(m.id, m.statement, m.penalty, _unique(reading.quotes(wrong[i])))
        for i, m in enumerate(question.rubric.misconceptions)
        if i in wrong
    )
    total = rubric.total_weight
    points = max_points * earned / total if total > 0 else 0.0
    points -= sum(m.penalty for m in misconceptions)
    # Rounding to half points never takes a grade past the maximum (which may be 7.3).
    points = min(round_half(max(points, 0.0)), max_points)
    return Grade(
        question_id=question.id,
        points=points,
        max_points=max_points,
        found=tuple(found),
        missed=tuple(missed),
        misconceptions=misconceptions,
        notes=tuple(notes),
        rubric_version=question.version,
    )
