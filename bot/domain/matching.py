"""A question's rubric compiled for matching, once per question version (bot.domain.grading
reads answers against it).

Every alias term, negation cue, word that denies nothing, clause break and negation stop becomes
a literal in the compact form answers are folded to (bot.domain.text), and one Aho-Corasick
automaton finds them all in one pass over an answer; each literal carries what it is (its roles,
as bits) and the (alias, term) of each term it is. Chinese terms are also kept by sound, in a
second automaton, for homophone typos. The question's Latin words are the typo fixer's
vocabulary (bot.domain.typos), and its prompt is kept folded, to tell an answer that copies it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import ahocorasick  # type: ignore[import-not-found]

from bot.domain import lexicon
from bot.domain.model import Alias, ConceptMiss, Question
from bot.domain.text import (
    CJK_CLASS,
    CLAUSE,
    LATIN_WORD_CHARS,
    SENTENCE,
    compact,
    fold,
    fold_phrase,
    is_latin,
    runs,
    sounds,
)
from bot.domain.typos import closest_word

# What a literal of the rubric is (one literal may be several): a kind each, as it is added.
_CUE: Final = 0
_MASK: Final = 1
_BREAK: Final = 2
_TERM: Final = 3
_STOP: Final = 4
_NOT_STOP: Final = 5
# What a literal found in an answer is, as bits: one test for the common case, a term only.
# A term alone with its sound (ROLE_LONE_SOUND) is counted for the homophone pass.
ROLE_TERM: Final = 1
ROLE_CUE: Final = 2
ROLE_MASK: Final = 4
ROLE_BREAK: Final = 8
ROLE_STOP: Final = 16
ROLE_LONE_SOUND: Final = 32
NOT_TERM_ROLES: Final = ROLE_CUE | ROLE_MASK | ROLE_BREAK | ROLE_STOP

_CJK_RE: Final = re.compile(CJK_CLASS)


def _automaton(items: Iterable[tuple[str, object]]) -> Any:
    """An Aho-Corasick automaton of (key, value) items, or None when there are none."""
    automaton = ahocorasick.Automaton()
    for key, value in items:
        automaton.add_word(key, value)
    if not len(automaton):
        return None
    automaton.make_automaton()
    return automaton


# What the automaton carries for a literal: the literal, its length, whether it starts and ends
# with a Latin character, its roles (bits), and the (alias, term) of each term it is.
Hit = tuple[str, int, bool, bool, int, tuple[tuple[int, int], ...]]


@dataclass(frozen=True)
class AliasSpec:
    owner: int  # concept index, or misconception index when `wrong`
    wrong: bool
    n_terms: int
    # For an ordered alias, each term's place in the order: a term of a lower rank comes first.
    ranks: tuple[int, ...] | None = None


@dataclass
class _Literal:
    roles: list[tuple[int, int, int]] = field(default_factory=list)  # (kind, alias, term)
    latin_start: bool = False
    latin_end: bool = False
    terms: tuple[tuple[int, int], ...] = ()  # (alias, term) for each alias term it is
    kinds: frozenset[int] = frozenset()
    holds_cue: bool = False  # a negation cue is part of this literal


class CompiledRubric:
    """A question's rubric compiled for matching: built once per question version."""

    def __init__(self, question: Question) -> None:
        self.question = question
        rubric = question.rubric
        self.aliases: list[AliasSpec] = []
        literals: dict[str, _Literal] = {}

        term_words: set[str] = set()

        def add(text: str, role: tuple[int, int, int]) -> None:
            key = fold_phrase(text)
            if key:
                literals.setdefault(key, _Literal()).roles.append(role)
                if role[0] == _TERM:
                    term_words.update(runs(fold(text)[1], LATIN_WORD_CHARS)[0])

        # (alias, term) of the terms made of words of order: an arrow is one of them too.
        self.order_terms: list[tuple[int, int]] = []

        def add_alias(alias: Alias, owner: int, wrong: bool) -> None:
            index = len(self.aliases)
            terms, ranks, order_words = _ordered_terms(alias.terms)
            self.aliases.append(AliasSpec(owner, wrong, len(terms), ranks))
            self.order_terms.extend((index, t) for t in order_words)
            for t, alternatives in enumerate(terms):
                for alternative in alternatives:
                    add(alternative, (_TERM, index, t))

        for ci, concept in enumerate(rubric.concepts):
            for alias in concept.aliases:
                add_alias(alias, ci, False)
        for mi, misconception in enumerate(rubric.misconceptions):
            for alias in misconception.aliases:
                add_alias(alias, mi, True)
        for word in lexicon.NEGATION_CUES:
            add(word, (_CUE, -1, -1))
        for word in lexicon.NOT_NEGATIONS:
            add(word, (_MASK, -1, -1))
        for word in lexicon.CLAUSE_BREAKS:
            add(word, (_BREAK, -1, -1))
        for word in lexicon.NEGATION_STOPS:
            add(word, (_STOP, -1, -1))
        for word in lexicon.NOT_STOPS:
            add(word, (_NOT_STOP, -1, -1))

        for key, lit in literals.items():
            lit.terms = tuple((alias, term) for kind, alias, term in lit.roles if kind == _TERM)
            lit.kinds = frozenset(kind for kind, _, _ in lit.roles)
            lit.latin_start = is_latin(key[0])
            lit.latin_end = is_latin(key[-1])
        cue_keys = [key for key, lit in literals.items() if _CUE in lit.kinds]
        for key, lit in literals.items():
            lit.holds_cue = any(cue in key for cue in cue_keys)
        self.literals = literals
        # What a reading asks of the literals found, as sets: one lookup in a small set each,
        # rather than in the literals of the whole rubric.
        self.cue_holders = frozenset(key for key, lit in literals.items() if lit.holds_cue)
        self.stop_keys = frozenset(key for key, lit in literals.items() if _STOP in lit.kinds)
        self.not_stop_keys = frozenset(
            key for key, lit in literals.items() if _NOT_STOP in lit.kinds
        )
        # Chinese terms also match by sound, for homophone typos (路有 for 路由).
        by_sound: dict[str, list[str]] = {}
        for key, lit in literals.items():
            if lit.terms and len(_CJK_RE.findall(key)) >= 2:
                by_sound.setdefault(sounds(key), []).append(key)
        self.sound_automaton = _automaton(
            (
                skey,
                (
                    len(skey),
                    tuple(
                        (
                            key,
                            literals[key].latin_start,
                            literals[key].latin_end,
                            literals[key].terms,
                        )
                        for key in keys
                    ),
                ),
            )
            for skey, keys in by_sound.items()
        )
        # Terms alone with their sound: found as written, their sound finds nothing else.
        lone_sound = {keys[0] for keys in by_sound.values() if len(keys) == 1}
        # One Aho-Corasick pass finds every literal wherever it occurs, prefixes included.
        self.automaton = _automaton(
            (
                key,
                (
                    key,
                    len(key),
                    lit.latin_start,
                    lit.latin_end,
                    (ROLE_TERM if lit.terms else 0)
                    | (ROLE_CUE if _CUE in lit.kinds else 0)
                    | (ROLE_MASK if _MASK in lit.kinds else 0)
                    | (ROLE_BREAK if _BREAK in lit.kinds else 0)
                    | (ROLE_STOP if _STOP in lit.kinds or _NOT_STOP in lit.kinds else 0)
                    | (ROLE_LONE_SOUND if key in lone_sound else 0),
                    lit.terms,
                ),
            )
            for key, lit in literals.items()
        )

        vocab: set[str] = set()
        for key, lit in literals.items():
            if any(kind == _TERM for kind, _, _ in lit.roles):
                vocab.update(w for w in runs(key, LATIN_WORD_CHARS)[0] if len(w) >= 4)
        self.vocab = vocab
        self.known = vocab | lexicon.PROTECTED | lexicon.GLUE_LATIN
        # Every Latin word of the rubric, the known words and the glue: not the answer's own.
        self.known_words = self.known | term_words
        self.by_first: dict[str, list[str]] = {}
        for word in sorted(vocab):
            self.by_first.setdefault(word[0], []).append(word)
        self.longest_word = max((len(w) for w in vocab), default=0)
        self.prompt_sentences = tuple(
            part
            for prompt in (question.prompt.zh, question.prompt.en)
            for part in re.split(f"[{SENTENCE}]", compact(prompt).text.replace(CLAUSE, ""))
            if len(part) >= 6
        )
        # The lengths a sentence may have to echo one of these.
        self.echo_sizes = (
            min((0.7 * len(p) for p in self.prompt_sentences), default=1.0),
            max((len(p) + 6 for p in self.prompt_sentences), default=0),
        )
        self.prompts = tuple(
            p for p in (fold_phrase(question.prompt.zh), fold_phrase(question.prompt.en)) if p
        )
        self.total_weight = rubric.total_weight
        # A concept missed is missed alike in every grade (the values are frozen).
        self.misses = tuple(ConceptMiss(c.id, c.label, c.hint, c.required) for c in rubric.concepts)
        # The same unknown words come back answer after answer: remember what they are.
        self._closest: dict[str, tuple[str, int] | None] = {}

    def closest(self, word: str) -> tuple[str, int] | None:
        """The question's word that `word` is a typo of, with the number of edits, if any."""
        try:
            return self._closest[word]
        except KeyError:  # not seen yet (a lookup, not a check first: threads may clear it)
            pass
        if len(self._closest) >= _CLOSEST_LIMIT:
            self._closest.clear()
        found = self._closest[word] = closest_word(self.by_first, word)
        return found


_CLOSEST_LIMIT: Final = 20_000
_CACHE: Final[dict[tuple[str, str], CompiledRubric]] = {}
_CACHE_LIMIT: Final = 4096


def compiled_rubric(question: Question) -> CompiledRubric:
    """The question's compiled rubric, built once for each version of the question."""
    key = (question.id, question.version)
    hit = _CACHE.get(key)
    if hit is not None and (
        hit.question is question or question.version or hit.question == question
    ):
        return hit
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    compiled = CompiledRubric(question)
    _CACHE[key] = compiled
    return compiled


def _ordered_terms(
    terms: tuple[tuple[str, ...], ...],
) -> tuple[tuple[tuple[str, ...], ...], tuple[int, ...] | None, list[int]]:
    """An alias's terms without its order marks, each term's rank in the order, and which
    terms are words of order.

    `[A, ->, B]` says A before B. A term between others made only of words of order
    (`[init, 然后|then, 主容器]`) says the same: A, then the word, then B.
    """
    kept: list[tuple[str, ...]] = []
    ranks: list[int] = []
    order_words: list[int] = []
    rank = 0
    ordered = False
    for t, alternatives in enumerate(terms):
        if all(a.strip() in lexicon.ORDER_MARKS for a in alternatives):
            rank += 1
            ordered = True
            continue
        if 0 < t < len(terms) - 1 and all(
            fold_phrase(a) in lexicon.ORDER_WORDS for a in alternatives
        ):
            ordered = True
            order_words.append(len(kept))
            kept.append(alternatives)
            ranks.append(rank + 1)
            rank += 2
            continue
        kept.append(alternatives)
        ranks.append(rank)
    return tuple(kept), tuple(ranks) if ordered else None, order_words
