"""When a daily round opens, closes and is next due, and what its reveal says.

Plain functions of the workspace's settings, the store and the time now, for
bot.services.Services.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.model import Question
from bot.domain.records import (
    MissedConcept,
    RevealSummary,
    RoundInfo,
    Scorer,
    WorkspaceSettings,
)
from bot.ports import AnswerRow, Store

TOP_SCORERS = 3


def _local_time(day: date, at: time, settings: WorkspaceSettings) -> datetime:
    """A local wall-clock time that day, in UTC."""
    return datetime.combine(day, at, tzinfo=settings.zone).astimezone(UTC)


def round_window(
    day: date, now: datetime, settings: WorkspaceSettings
) -> tuple[datetime, datetime]:
    """When the day's round opens and closes (UTC), by the rules Services.create_round gives."""
    opens_at = max(now, _local_time(day, settings.post_time, settings))
    if day <= now.astimezone(settings.zone).date():
        opens_at = now
    closes_at = _local_time(day, settings.close_time, settings)
    if closes_at <= opens_at:
        window = _local_time(day, settings.close_time, settings) - _local_time(
            day, settings.post_time, settings
        )
        closes_at = opens_at + max(window, timedelta(hours=1))
    return opens_at, closes_at


def next_post_at(
    store: Store, settings: WorkspaceSettings, now: datetime, horizon_days: int
) -> datetime | None:
    """When the next daily question is due (UTC): a working day's post time with no round yet."""
    from bot.calendar import is_working_day

    day = now.astimezone(settings.zone).date()
    for offset in range(horizon_days + 1):
        candidate = day + timedelta(days=offset)
        at = _local_time(candidate, settings.post_time, settings)
        if at <= now or store.round_on(settings.team_id, candidate) is not None:
            continue
        if is_working_day(candidate, weekdays=settings.weekdays, country=settings.holiday_country):
            return at
    return None


def reveal_summary(
    round_: RoundInfo, question: Question, answers: Sequence[AnswerRow], *, newly_revealed: bool
) -> RevealSummary:
    """What the reveal says: the reference answer, the average, the top scorers, the most missed."""
    # Top scorers scored something; ties go to whoever answered first.
    ranked = sorted((a for a in answers if a.points > 0), key=lambda a: (-a.points, a.answer_id))
    missed = Counter(concept for a in answers for concept in a.missed)
    concepts = {c.id: c for c in question.rubric.concepts}
    most_missed = None
    for concept_id, count in sorted(missed.items(), key=lambda kv: (-kv[1], kv[0])):
        if concept_id in concepts:
            most_missed = MissedConcept(concept_id, concepts[concept_id].label, count)
            break
    return RevealSummary(
        round=round_,
        reference=question.reference,
        answered=len(answers),
        average_points=(sum(a.points for a in answers) / len(answers)) if answers else None,
        max_points=question.rubric.max_points,
        top=tuple(Scorer(a.user_id, a.points, a.max_points) for a in ranked[:TOP_SCORERS]),
        most_missed=most_missed,
        newly_revealed=newly_revealed,
    )
