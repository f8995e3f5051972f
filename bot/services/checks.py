"""Checks on what arrives before anything is graded or looked up: an answer's text, an id's size.

What fails is a domain error (InvalidAnswer) or, for an id no column can hold, False: the caller
then says that it names nothing.
"""

from __future__ import annotations

from bot.domain.records import InvalidAnswer

# Longer answers are refused rather than graded: a Slack modal allows 3000 characters.
MAX_ANSWER_CHARS = 10_000
# Ids arrive from Slack payloads (button values, modal metadata). One that the id columns
# cannot hold (INTEGER: 32 bits on PostgreSQL, 64 on SQLite) names nothing: asking the
# database would fail with an overflow instead of finding no row.
_MAX_ID = 2**31 - 1


def checked_answer(text: str) -> str:
    """The answer without surrounding spaces; InvalidAnswer if empty or overlong."""
    stripped = (text or "").strip()
    if not stripped:
        raise InvalidAnswer("the answer is empty")
    if len(stripped) > MAX_ANSWER_CHARS:
        raise InvalidAnswer(
            f"the answer is {len(stripped)} characters long; at most {MAX_ANSWER_CHARS}"
        )
    return stripped


def storable_id(value: int) -> bool:
    """Whether a round's or dispute's id fits the id columns (see _MAX_ID)."""
    return 0 < value <= _MAX_ID
