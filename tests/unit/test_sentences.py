"""Sentence judgements: how far apart two places of an answer are, in units."""

from __future__ import annotations

import re

import pytest

from bot.domain.sentences import _units
from bot.domain.text import CJK_CLASS, is_latin


def test_a_character_is_one_unit_when_cjk_class_holds_it() -> None:
    cjk = re.compile(CJK_CLASS)
    for code in range(0x30000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates: no character of a text
        ch = chr(code)
        expected = 1 if cjk.fullmatch(ch) else 2 if is_latin(ch) else 0
        assert _units(ch, 0, 1) == expected, hex(code)


@pytest.mark.parametrize(
    ("folded", "start", "end", "expected"),
    [
        ("pod 不会 restore", 0, 14, 6),
        ("不会补", 0, 3, 3),
        ("does not restore", 0, 16, 6),
        ("kubeproxy", 0, 9, 2),
        ("a1b2 c3", 0, 7, 4),
        # A word is counted where it starts: not at all when it starts before the stretch.
        ("kubeproxy 重启", 4, 12, 2),
        ("kubeproxy 重启", 9, 12, 2),
        ("。，→ ≤", 0, 5, 0),
        ("𠀀𪚥", 0, 2, 2),
        ("abc", 1, 1, 0),
    ],
)
def test_units_count_chinese_characters_and_latin_words(
    folded: str, start: int, end: int, expected: int
) -> None:
    assert _units(folded, start, end) == expected
