"""Which question comes next: the day's round's, and the one a person should practise.

Plain functions of the store and the bank, for bot.services.Services; the rules themselves are
the domain's (bot.domain.selection).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.domain import selection
from bot.domain.model import Bank, Question
from bot.domain.records import NoQuestionAvailable
from bot.ports import Store

# How far back "the team scored lowest on recently" looks when choosing the daily question.
RECENT_DAYS = 28


def daily_question(store: Store, bank: Bank, team_id: str, day: date, now: datetime) -> Question:
    """The day's question, by the workspace's past rounds and the topics it scored lowest on."""
    history = store.round_history(team_id)
    recent = store.topic_scores(
        team_id, start=now - timedelta(days=RECENT_DAYS), end=now + timedelta(seconds=1)
    )
    choice = selection.choose_daily(
        _candidates(bank.questions),
        [r.question_id for r in history],
        {s.topic: s.average_percent for s in recent},
        day,
    )
    if choice is None:
        raise NoQuestionAvailable("the question bank is empty")
    return bank.question(choice.question_id)


def practice_question(
    store: Store, bank: Bank, team_id: str, user_id: str, topic: str | None, now: datetime
) -> Question:
    """The person's next practice question, in a topic (slug or alias) or any."""
    questions = bank.questions
    if topic is not None and topic.strip():
        from bot.domain.topics import match_topic

        slug = match_topic(topic, bank.topics).slug
        questions = bank.by_topic(slug)
    tried = {
        s.question_id: selection.Tried(s.best_percent, s.last_at)
        for s in store.question_scores(team_id, user_id)
    }
    excluded = store.open_question_ids(team_id, now)
    choice = selection.choose_practice(_candidates(questions), tried, excluded)
    if choice is None:
        why = "every question of this topic is in a round still open"
        raise NoQuestionAvailable(why if questions else "the question bank is empty")
    return bank.question(choice.question_id)


def _candidates(questions: tuple[Question, ...]) -> list[selection.Candidate]:
    return [
        selection.Candidate(q.id, q.topic, q.difficulty, position)
        for position, q in enumerate(questions)
    ]
