"""A small bank, a keyword grader and a settable clock, for the services over a real database."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.model import (
    Alias,
    Bank,
    Concept,
    ConceptHit,
    ConceptMiss,
    Grade,
    Question,
    Rubric,
    Text,
    Topic,
)
from bot.services import Services
from bot.store.sql_store import SqlStore

TEAM = "T0001"
CHANNEL = "C0001"
ADMIN = "UADMIN"


class FakeClock:
    """A clock the test sets."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        assert now.tzinfo is not None
        self._now = now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


def make_question(
    qid: str,
    topic: str,
    difficulty: int = 1,
    concepts: Sequence[str] = ("a", "b"),
    version: str = "v1",
) -> Question:
    return Question(
        id=qid,
        topic=topic,
        difficulty=difficulty,
        section="notes",
        prompt=Text(zh=f"{qid}?", en=f"{qid}?"),
        reference=Text(zh=f"{qid} 参考", en=f"{qid} reference"),
        rubric=Rubric(
            concepts=tuple(
                Concept(
                    id=c,
                    label=Text(zh=c, en=c),
                    weight=1.0,
                    aliases=(Alias(((c,),)),),
                    hint=Text(zh=c, en=c),
                )
                for c in concepts
            )
        ),
        version=version,
    )


def make_bank(questions: Sequence[Question]) -> Bank:
    slugs = dict.fromkeys(q.topic for q in questions)
    return Bank(
        topics=tuple(Topic(s, Text(zh=s, en=s), (s,)) for s in slugs),
        questions=tuple(questions),
    )


def keyword_grade(answer: str, question: Question) -> Grade:
    """A stand-in grader: a concept is found when its id appears as a word."""
    words = set(re.findall(r"[a-z0-9]+", answer.lower()))
    rubric = question.rubric
    found = [c for c in rubric.concepts if c.id in words]
    missed = [c for c in rubric.concepts if c.id not in words]
    weight = sum(c.weight for c in found)
    return Grade(
        question_id=question.id,
        points=round(rubric.max_points * weight / rubric.total_weight, 2),
        max_points=rubric.max_points,
        found=tuple(ConceptHit(c.id, c.label, (c.id,)) for c in found),
        missed=tuple(ConceptMiss(c.id, c.label, c.hint) for c in missed),
        rubric_version=question.version,
    )


DEFAULT_BANK = (
    make_question("pod-what", "pods", 1),
    make_question("pod-pause", "pods", 3),
    make_question("svc-types", "services", 2),
    make_question("svc-nodeport", "services", 1),
    make_question("etcd-raft", "etcd", 3),
)


def build_services(store: SqlStore, clock: FakeClock, questions: Sequence[Question]) -> Services:
    services = Services(store=store, bank=make_bank(questions), clock=clock, grader=keyword_grade)
    services.sync_bank()
    return services
