"""Fold text before matching: width, case, script, punctuation and the spellings of one term.

Folding turns an answer (or an alias) into a *compact* string that the grader matches against:

- Unicode NFKC, lower case, full-width and half-width forms, Traditional to Simplified Chinese
  (one character at a time, through OpenCC's character table), all in one `str.translate`;
- sentence ends (`。！？；`, `.` before a space, new lines) become `。` and clause breaks
  (`，、：（）` ...) become `，`, so that a phrase never matches across them;
- every other separator (spaces, `-`, `_`, `/`, quotes, emoji, ...) is dropped, so
  `kube-proxy`, `kube proxy`, `kubeproxy` and `Kube_Proxy` all read `kubeproxy`. Where Latin
  words were glued this way the compact string remembers the word boundary, so `node` does not
  match inside `nodeport` while `proxy` still matches the second half of `kube-proxy`.

Taiwan words become mainland ones (叢集 reads 集群, through OpenCC's phrase table), and
`sounds()` gives a same-length copy in which Chinese homophones read alike (路有 and 路由), for
the grader's typo tolerance. Every compact character maps back to the answer as written, so a
grade can quote the answer's own words.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Final

from bot.domain import COMPILED

SENTENCE = "。"
CLAUSE = "，"
MARKERS = SENTENCE + CLAUSE

# After NFKC (which already turns `，！？；：（）` into their ASCII forms).
_SENTENCE_CHARS = "。!?;\n\r\u2026\u2028\u2029\u3002\uff61"
_CLAUSE_CHARS = ",\u3001:()[]{}\u3010\u3011\u3014\u3015\u2014\u2013\uff5e\u300a\u300b"


class CharClass:
    """Characters given as ranges of code points, in the two forms `runs` looks for them in.

    The compiled grader reads each character of a text as a number and tests it in a table:
    the regex engine spends more on each run it finds than that loop on each character. A loop
    in pure Python spends more on each character, so the pure Python grader lets the regex
    engine split the text.
    """

    __slots__ = ("table", "pattern", "runs_re")

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        table = bytearray(max(last for _, last in ranges) + 1)
        for first, last in ranges:
            table[first : last + 1] = b"\x01" * (last + 1 - first)
        # 1 at the code points of the class, up to the last.
        self.table: Final = bytes(table)
        body = "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in ranges)
        # The class in a pattern: one character of it.
        self.pattern: Final = f"[{body}]"
        # With a group, for `split` to keep the runs; a class first, for the search to skip to them.
        self.runs_re: Final = re.compile(f"({self.pattern}{self.pattern}*)")


def runs(text: str, chars: CharClass) -> tuple[list[str], list[int]]:
    """The runs of `chars` in `text`, and where each starts."""
    pieces: list[str] = []
    starts: list[int] = []
    if not COMPILED:
        # Text, run, text, ..., text.
        parts = chars.runs_re.split(text)
        at = len(parts[0])
        for k in range(1, len(parts), 2):
            pieces.append(parts[k])
            starts.append(at)
            at += len(parts[k]) + len(parts[k + 1])
        return pieces, starts
    table = chars.table
    beyond = len(table)
    size = len(text)
    i = 0
    while i < size:
        code = ord(text[i])
        if code >= beyond or not table[code]:
            i += 1
            continue
        j = i + 1
        while j < size:
            code = ord(text[j])
            if code >= beyond or not table[code]:
                break
            j += 1
        pieces.append(text[i:j])
        starts.append(i)
        i = j + 1
    return pieces, starts


# Chinese characters: the CJK blocks, compatibility ideographs and extensions.
_CJK_RANGES: Final = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F)]
CJK_CHARS: Final = CharClass(_CJK_RANGES)
CJK_CLASS: Final = CJK_CHARS.pattern
# Characters that carry content in the compact string, with the markers; every other character
# is a separator.
_KEPT: Final = CharClass(
    [
        (ord("a"), ord("z")),
        (ord("0"), ord("9")),
        (0x00C0, 0x024F),  # other Latin letters
        (0x0370, 0x04FF),  # Greek, Cyrillic
        (0x3040, 0x30FF),  # kana
        (0xAC00, 0xD7AF),  # Hangul
        *_CJK_RANGES,
        *((ord(marker), ord(marker)) for marker in MARKERS),
    ]
)
# The letters and digits Latin words are made of, as a class and in a pattern.
LATIN_WORD_CHARS: Final = CharClass([(ord("a"), ord("z")), (ord("0"), ord("9"))])
# A full stop ends a sentence unless a letter or digit follows it (`1.31`, `k8s.io`) or it ends
# an abbreviation (`e.g.`, `i.e.`, `etc.`, `vs.`).
# The dot comes first in the pattern, so that the search skips to dots.
_PERIOD_RE = re.compile(
    f"\\.(?<!e\\.g\\.)(?<!i\\.e\\.)(?<!etc\\.)(?<!\\bvs\\.)(?!{LATIN_WORD_CHARS.pattern})"
)


def trie_pattern(words: Iterable[str]) -> str:
    """One regex for many literals that matches the longest one starting at a position."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def is_latin(ch: str) -> bool:
    return "a" <= ch <= "z" or "0" <= ch <= "9"


@cache
def _traditional_to_simplified() -> dict[str, str]:
    """OpenCC's one-character Traditional -> Simplified table (the first reading of each)."""
    table: dict[str, str] = {}
    path = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        first = simp.split(" ")[0] if simp else ""
        if len(trad) == 1 and len(first) == 1:
            table[trad] = first
    table.update(_CHARACTER_OVERRIDES)
    return table


# Characters whose most common reading in chat differs from OpenCC's first one.
_CHARACTER_OVERRIDES = {"著": "着"}


# Taiwan words whose usual mainland word is not OpenCC's first choice (預設 is 默认 far more
# often than 缺省), and the one-character word 埠 (port).
_PHRASE_OVERRIDES = {"预设": "默认", "埠": "端口", "埠口": "端口"}

# Keys of the Taiwan table that are everyday mainland words of their own, which the table would
# turn into another word: 宕机 (down) is no 死机 (frozen), 程序 (a program) no 进程 (a
# process), 文件 (a file) no 文档 (a document), 核心组件 no 内核组件, 序列化 no 串行化.
_MAINLAND_WORDS = frozenset(
    [
        "宕机",
        "程序",
        "文件",
        "核心",
        "序列",
        "模拟",
        "通道",
        "建立",
        "查询",
        "复制",
        "储存",
        "存取",
        "整合",
        "互动",
        "文字",
        "社群",
        "联络",
        "呼叫",
        "数位",
    ]
)


@cache
def _taiwan_phrases() -> dict[str, str]:
    """Taiwan words for mainland ones (叢集 is 集群, 伺服器 is 服务器), both sides folded."""
    table: dict[str, str] = {}
    path = resources.files("opencc").joinpath("dictionary", "TWPhrasesRev.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        trad, _, simp = line.partition("\t")
        first = simp.split(" ")[0] if simp else ""
        key, value = trad.translate(_TABLE), first.translate(_TABLE)
        if key and value and key != value and len(key) > 1 and key not in _MAINLAND_WORDS:
            table[key] = value
    table.update(_PHRASE_OVERRIDES)
    return table


# What a character is to the Taiwan words, as bits: the first of a word, the second of one, a
# word alone.
_FIRST: Final = 1
_SECOND: Final = 2
_ALONE: Final = 4


@cache
def _taiwan_index() -> tuple[bytes, re.Pattern[str], dict[str, list[int]]]:
    """What the search for Taiwan words looks up.

    Where a word may start, in the two forms `_phrase_starts` looks for it in: by code point,
    what the character is to the words (bits); and a pattern. Then by the first two characters
    of the words, their lengths, longest first.
    """
    words = _taiwan_phrases()
    roles = bytearray(max(ord(ch) for word in words for ch in word) + 1)
    lengths: dict[str, list[int]] = {}
    for word in words:
        if len(word) == 1:
            roles[ord(word)] |= _ALONE
            continue
        roles[ord(word[0])] |= _FIRST
        roles[ord(word[1])] |= _SECOND
        lengths.setdefault(word[:2], []).append(len(word))
    for sizes in lengths.values():
        sizes.sort(reverse=True)
    table = bytes(roles)

    def having(role: int) -> str:
        return "".join(re.escape(chr(code)) for code in range(len(table)) if table[code] & role)

    starts = f"[{having(_FIRST)}](?=[{having(_SECOND)}])"
    if having(_ALONE):
        starts += f"|[{having(_ALONE)}]"
    return table, re.compile(starts), lengths


def _fold_char(ch: str) -> str:
    """Fold one character; the result may be longer (NFKC expands `㎏` to `kg`)."""
    return "".join(map(_fold_normal, unicodedata.normalize("NFKC", ch).lower())) or " "


def _fold_normal(c: str) -> str:
    """Fold one character that NFKC and lower case keep as it is."""
    c = _traditional_to_simplified().get(c, c)
    if c in _SENTENCE_CHARS:
        return SENTENCE
    if c in _CLAUSE_CHARS:
        return CLAUSE
    if c in "\u2018\u2019\u02bc`":
        return "'"
    if unicodedata.category(c)[0] == "C":
        return " "  # control and format characters (zero-width spaces, ...) separate words
    return c


_CACHED_BELOW = 0x30000


class _FoldTable(dict[int, str]):
    """A `str.translate` table that folds each character the first time it is seen."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if (
            code < _CACHED_BELOW
        ):  # rarer characters are folded again each time: memory stays bounded
            self[code] = folded
        return folded


_TABLE = _FoldTable()


@cache
def _changing() -> CharClass:
    """The characters that folding changes.

    Most characters of an answer fold to themselves (lower-case Latin letters, digits, spaces,
    simplified Chinese, `，` and `。`), and `str.translate` spends as long on each of them as on
    the others: only the runs of the others go through the table. Past the BMP every character
    is taken as changing, which keeps the class a bitmap the regex engine tests in one step.
    """
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        ch = chr(code)
        if unicodedata.is_normalized("NFKC", ch) and ch.lower() == ch:
            changes = _fold_normal(ch) != ch  # what `_fold_char` comes to, without its work
        else:
            changes = _fold_char(ch) != ch
        if not changes:
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return CharClass([*ranges, (0x10000, 0x10FFFF)])


def fold(text: str) -> tuple[str, str]:
    """Fold `text` one character at a time.

    Returns the text the folding starts from (the input in NFC) and the folded text. When both
    have the same length, character i of one is character i of the other.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    runs_found, starts = runs(text, _changing())
    pieces: list[str] = []
    kept = 0  # where the characters kept as they are start
    for k in range(len(runs_found)):
        run, at = runs_found[k], starts[k]
        if kept < at:
            pieces.append(text[kept:at])
        pieces.append(_fold_run(run))
        kept = at + len(run)
    if kept < len(text):
        pieces.append(text[kept:])
    return text, _PERIOD_RE.sub(SENTENCE, "".join(pieces))


def _fold_run(run: str) -> str:
    # Most runs are one character (a capital, a new line): one lookup, not a translate.
    return _TABLE[ord(run)] if len(run) == 1 else run.translate(_TABLE)


def fold_spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Fold `text` and map every folded character to the span of `text` it came from."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        piece = ch.translate(_TABLE)
        pieces.append(piece)
        spans.extend([(i, i + 1)] * len(piece))
    return _PERIOD_RE.sub(SENTENCE, "".join(pieces)), spans


class Compact:
    """A folded text without separators, and the way back to the text as written.

    A plain class with final attributes rather than a frozen dataclass: one is built for each
    answer, and a dataclass's `__init__` sets each field through `object.__setattr__`.
    """

    __slots__ = ("original", "folded", "text", "to_folded", "folded_spans", "breaks")

    def __init__(
        self,
        original: str,
        folded: str,
        text: str,
        to_folded: list[int],
        folded_spans: Spans | None,
        breaks: frozenset[int],
    ) -> None:
        self.original: Final = original
        self.folded: Final = folded
        self.text: Final = text
        # Compact index -> folded index.
        self.to_folded: Final = to_folded
        # Folded index -> span of `original`, or None when folding kept every length.
        self.folded_spans: Final = folded_spans
        # Compact indexes where a run of content starts or ends: separators were dropped there.
        self.breaks: Final = breaks

    def word_start(self, i: int) -> bool:
        """True when a match may start at i: not inside a Latin word."""
        t = self.text
        return not is_latin(t[i]) or i == 0 or i in self.breaks or not is_latin(t[i - 1])

    def word_end(self, j: int) -> bool:
        """True when a match may end at j (exclusive): not inside a Latin word."""
        t = self.text
        return not is_latin(t[j - 1]) or j == len(t) or j in self.breaks or not is_latin(t[j])

    def folded_span(self, start: int, end: int) -> tuple[int, int]:
        return self.to_folded[start], self.to_folded[end - 1] + 1

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        fs, fe = self.folded_span(start, end)
        if self.folded_spans is None:
            return fs, fe
        return self.folded_spans[fs][0], self.folded_spans[fe - 1][1]

    def quote(self, start: int, end: int) -> str:
        """The answer's own words for compact[start:end]."""
        os_, oe = self.original_span(start, end)
        return self.original[os_:oe].strip()


# Comparisons with a number read as words, so that `>= 200`, `≥200` and `大于等于 200` match
# alike; an arrow (`->`, `=>`, `>>`) or a placeholder (`<仓库地址>`) is no comparison.
# As written plainly: `(?<![-=<>])(<=|>=|<|>)(?![-=<>])(?= *[0-9])|[≤≥≦≧]`. Patterns that start
# with a lookbehind or with alternatives of other kinds than one character are tried at every
# character of the answer; these start with the class of their first characters, which the
# search skips to, and then tell by a lookbehind which of them it was.
_COMPARISON_RE = re.compile("[<>≤≥≦≧](?:(?<=[<>])(?<![-=<>].)=?(?![-=<>])(?= *[0-9])|(?<=[≤≥≦≧]))")
_COMPARISON_WORDS = {
    "<": "小于",
    "<=": "小于等于",
    ">": "大于",
    ">=": "大于等于",
    "≤": "小于等于",
    "≦": "小于等于",
    "≥": "大于等于",
    "≧": "大于等于",
}
# What a comparison is written with. A test of each (a fast search for one character) costs
# less than the regex engine's test of every character of the answer against the set.
_COMPARISON_CHARS: Final = "<>≤≥≦≧"
# A half-open range `[200,400)` folds to `，200，400，`; as written it reads 大于等于 200，小于 400.
_RANGE_RE = re.compile(f"{CLAUSE} *([0-9]+) *{CLAUSE} *([0-9]+) *{CLAUSE}")


# Arrows: dropped like other symbols ("认证→授权" reads 认证授权), but the grader reads them
# as words of order, so that a chain keeps its direction.
# As written plainly: `-+>|=+>|[→⇒⟶➔➡]|(?<= )>(?= )`, in the form the comparisons have (above).
_ARROWS = "\u2192\u21d2\u27f6\u2794\u27a1"
ARROW_RE = re.compile(f"[-=>{_ARROWS}](?:(?<=-)-*>|(?<==)=*>|(?<=[{_ARROWS}])|(?<= >)(?= ))")


def _comparisons(original: str, folded: str, spans: Spans | None) -> list[tuple[int, int, str]]:
    """The comparisons of a folded text, as (start, end, words) to replace."""
    arrows = [m.span() for m in ARROW_RE.finditer(folded)]
    found = []
    found += [
        (m.start(), m.end(), _COMPARISON_WORDS[m.group()])
        for m in _COMPARISON_RE.finditer(folded)
        if not any(s <= m.start() < e for s, e in arrows)
    ]
    for m in _RANGE_RE.finditer(folded):
        first = spans[m.start()][0] if spans is not None else m.start()
        last = spans[m.end() - 1][0] if spans is not None else m.end() - 1
        if original[first] in "[\uff3b" and original[last] in ")\uff09":
            found.append((m.start(), m.start(1), "，大于等于"))
            found.append((m.end(1), m.start(2), "，小于"))
    return sorted(found)


def compact(text: str) -> Compact:
    """Fold `text` and drop its separators, keeping sentence and clause markers."""
    original, folded = fold(text)
    spans: Spans | None = None
    if len(folded) != len(original):
        folded, spans = fold_spans(original)
    if any(ch in folded for ch in _COMPARISON_CHARS) or "[" in original or "\uff3b" in original:
        comparisons = _comparisons(original, folded, spans)
        if comparisons:
            folded, spans = _replace(folded, spans, comparisons)
    if not original.isascii():
        found = _find_phrases(folded)
        if found:
            folded, spans = _replace(folded, spans, found)
    return _compact(original, folded, spans)


def _find_phrases(folded: str) -> list[tuple[int, int, str]]:
    """The Taiwan words of a folded text, as (start, end, mainland word): searching the text left
    to right, at each place the longest word that starts there, and on after it."""
    phrases = _taiwan_phrases()
    lengths = _taiwan_index()[2]
    found: list[tuple[int, int, str]] = []
    end = 0
    for at in _phrase_starts(folded):
        if at < end:
            continue  # inside the word found before
        stop = 0
        sizes = lengths.get(folded[at : at + 2])
        if sizes is not None:
            for n in sizes:
                if at + n <= len(folded) and folded[at : at + n] in phrases:
                    stop = at + n
                    break
        if not stop and folded[at] in phrases:
            stop = at + 1
        if stop:
            found.append((at, stop, phrases[folded[at:stop]]))
            end = stop
    return found


def _phrase_starts(folded: str) -> list[int]:
    """Where a Taiwan word may start: where the first two characters of one stand (or a
    one-character word). Most Chinese text has many of the first characters, few of the pairs.

    As `runs` does, the compiled grader reads each character as a number and tests it in a
    table, the pure Python grader lets the regex engine search.
    """
    roles, pattern, _ = _taiwan_index()
    if not COMPILED:
        return [m.start() for m in pattern.finditer(folded)]
    beyond = len(roles)
    last = len(folded) - 1
    starts: list[int] = []
    for at in range(last + 1):
        code = ord(folded[at])
        role = roles[code] if code < beyond else 0
        if not role:
            continue
        if role & _FIRST and at < last:
            code = ord(folded[at + 1])
            if code < beyond and roles[code] & _SECOND:
                starts.append(at)
                continue
        if role & _ALONE:
            starts.append(at)
    return starts


class ReplacedSpans:
    """Folded index -> span of the original, for a folded text with stretches replaced.

    Built in time proportional to the replacements, not to the text: an index outside them maps
    through the spans of the text before the replacements (or to itself).
    """

    __slots__ = ("_base", "_starts", "_stretches")

    def __init__(
        self, base: Spans | None, stretches: list[tuple[int, int, int, tuple[int, int]]]
    ) -> None:
        # (new start, new end, shift after the stretch, original span), sorted.
        self._base = base
        self._stretches = stretches
        self._starts = [st[0] for st in stretches]

    def __getitem__(self, i: int) -> tuple[int, int]:
        k = bisect.bisect_right(self._starts, i) - 1
        shift = 0
        if k >= 0:
            start, end, shift, span = self._stretches[k]
            if i < end:
                return span
        j = i - shift
        return self._base[j] if self._base is not None else (j, j + 1)


Spans = list[tuple[int, int]] | ReplacedSpans


def _replace(
    folded: str, spans: Spans | None, replacements: list[tuple[int, int, str]]
) -> tuple[str, ReplacedSpans]:
    """Replace (start, end, text) stretches of a folded text, keeping the map to the original.

    `replacements` are sorted and do not overlap. Each new character maps to the whole span of
    the original that its stretch replaced.
    """
    pieces: list[str] = []
    stretches: list[tuple[int, int, int, tuple[int, int]]] = []
    pos = 0
    shift = 0  # new index - old index, after the stretches so far
    for start, end, word in replacements:
        pieces.append(folded[pos:start])
        first = spans[start][0] if spans is not None else start
        last = spans[end - 1][1] if spans is not None else end
        pieces.append(word)
        new_start = start + shift
        shift += len(word) - (end - start)
        stretches.append((new_start, new_start + len(word), shift, (first, last)))
        pos = end
    pieces.append(folded[pos:])
    return "".join(pieces), ReplacedSpans(spans, stretches)


def _compact(original: str, folded: str, spans: Spans | None) -> Compact:
    pieces, starts = runs(folded, _KEPT)
    # The map of a run is a slice of a list of indexes made once: no int object made per
    # character.
    indexes = _indexes(len(folded))
    to_folded: list[int] = []
    breaks = {0}
    kept = 0  # compact characters so far
    for k in range(len(pieces)):
        size = len(pieces[k])
        start = starts[k]
        to_folded += indexes[start : start + size]
        kept += size
        breaks.add(kept)
    return Compact(original, folded, "".join(pieces), to_folded, spans, frozenset(breaks))


# Folded indexes 0, 1, 2, ..., made once and grown to the longest text so far, up to
# _INDEXES_KEPT: a longer text (a rare one; folding may make 40,000 characters 18 times as many)
# gets its own, so that one such answer does not hold tens of megabytes for good.
_INDEXES: list[int] = []
_INDEXES_KEPT: Final = 100_000


def _indexes(size: int) -> list[int]:
    """At least `size` indexes."""
    global _INDEXES
    indexes = _INDEXES
    if len(indexes) < size:
        # A new list, never one grown in place: another thread may be slicing the old one.
        indexes = list(range(size))
        if size <= _INDEXES_KEPT:
            _INDEXES = indexes
    return indexes


def replace_words(base: Compact, replacements: list[tuple[int, int, str]]) -> Compact:
    """Rebuild `base` with folded stretches replaced by compact words (typo corrections).

    `replacements` are (folded start, folded end, word), sorted and not overlapping.
    """
    folded, spans = _replace(base.folded, base.folded_spans, replacements)
    return _compact(base.original, folded, spans)


# Characters below the CJK blocks have no sound of their own: they are kept as they are.
_FIRST_SOUND: Final = 0x3000


@cache
def _sounds() -> dict[int, str]:
    """Chinese character -> one private-use character per toneless pinyin syllable."""
    from pypinyin.pinyin_dict import pinyin_dict

    syllables: dict[str, str] = {}
    # Characters below the CJK blocks map to themselves: a hit is faster than a miss.
    table: dict[int, str] = {code: chr(code) for code in range(_FIRST_SOUND)}
    for code, readings in pinyin_dict.items():
        first = unicodedata.normalize("NFD", readings.split(",")[0])
        plain = "".join(c for c in first if not unicodedata.combining(c))
        table[code] = syllables.setdefault(plain, chr(0xE000 + len(syllables)))
    return table


@cache
def _bmp_sounds() -> list[str | None]:
    """The sounds of the characters of the BMP, by code point (None: kept as it is)."""
    table: list[str | None] = [None] * 0x10000
    for code, sound in _sounds().items():
        if _FIRST_SOUND <= code < len(table):
            table[code] = sound
    return table


def sounds(text: str) -> str:
    """`text` with each Chinese character replaced by its sound: 路有 and 路由 read alike.

    One character for one, so positions stay the same. Other characters are kept.
    """
    if not COMPILED:
        return text.translate(_sounds())
    # `str.translate` makes an int object for each character to look it up in the table: the
    # compiled grader reads each character as a number and looks it up in a list.
    bmp = _bmp_sounds()
    pieces: list[str] = []
    kept = 0  # where the characters kept as they are start
    for i in range(len(text)):
        code = ord(text[i])
        if code < _FIRST_SOUND:
            continue
        sound = bmp[code] if code < len(bmp) else _sounds().get(code)
        if sound is None:
            continue
        if kept < i:
            pieces.append(text[kept:i])
        pieces.append(sound)
        kept = i + 1
    if not pieces:
        return text
    pieces.append(text[kept:])
    return "".join(pieces)


def fold_phrase(phrase: str) -> str:
    """Fold an alias or a prompt the way answers are folded, without markers."""
    c = compact(phrase)
    return c.text.replace(SENTENCE, "").replace(CLAUSE, "")
