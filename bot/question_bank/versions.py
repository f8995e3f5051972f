"""A question's version: a short hash of what grades an answer to it.

A grade is stored with the version of its question (`rubric_version`): a change to the prompt, the
reference or the rubric makes a new version, and a change that cannot alter a grade does not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace

from bot.domain.model import Question

VERSION_LENGTH = 12


def question_version(question: Question) -> str:
    """A short hash of what grades an answer: prompt, reference and rubric.

    The examples, difficulty and section are left out: they do not change a grade.
    """
    content = {
        "id": question.id,
        "topic": question.topic,
        "prompt": asdict(question.prompt),
        "reference": asdict(question.reference),
        "rubric": asdict(question.rubric),
    }
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:VERSION_LENGTH]


def with_version(question: Question) -> Question:
    """`question` with its `version` set from its content."""
    return replace(question, version=question_version(question))
