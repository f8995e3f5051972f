"""Typo fixing: the Latin words of an answer it reads."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import typos


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("az09AZ_-. 。，路由éß") + ["\U00020000"]), max_size=30)
)
def test_latin_words_are_the_runs_of_letters_and_digits(folded: str) -> None:
    words, starts, ends = typos._latin_words(folded)
    runs = list(re.finditer("[a-z0-9]+", folded))
    assert words == [m[0] for m in runs]
    assert starts == [m.start() for m in runs]
    assert ends == [m.end() for m in runs]
