"""What the loader says is wrong with the bank: one `Problem` each, all raised together.

A problem names its file, line, question and field, so a writer fixes a whole file in one pass
instead of one error per run; `BankError` carries every problem the bank has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.model import DomainError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the bank, named precisely enough to fix without searching."""

    file: str
    question_id: str | None
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where]
        if self.question_id:
            parts.append(self.question_id)
        if self.field:
            parts.append(self.field)
        return ": ".join([*parts, self.message])


class BankError(DomainError):
    """The bank cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        header = f"the question bank has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(str(p) for p in self.problems)]))
