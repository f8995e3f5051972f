"""Ranking: weeks in a workspace's time zone, points to standings, the week's highlights."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.records import Improvement, Standing, TopicScore


@dataclass(frozen=True)
class Week:
    """An ISO week in a time zone: Monday 00:00 to the next Monday 00:00, local."""

    monday: date
    start: datetime  # UTC
    end: datetime  # UTC, exclusive

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


def week_of(day: date, zone: ZoneInfo) -> Week:
    """The ISO week containing `day`; its bounds in UTC (a week can be 167 or 169 hours)."""
    monday = day - timedelta(days=day.weekday())
    return Week(
        monday=monday,
        start=local_midnight(monday, zone),
        end=local_midnight(monday + timedelta(days=7), zone),
    )


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


@dataclass
class Tally:
    """A person's daily-round results being added up."""

    user_id: str
    points: float = 0.0
    rounds: int = 0
    percent_sum: float = 0.0

    def add(self, points: float, max_points: float) -> None:
        self.points += points
        self.rounds += 1
        self.percent_sum += 100.0 * points / max_points if max_points else 0.0

    @property
    def average_percent(self) -> float:
        return self.percent_sum / self.rounds if self.rounds else 0.0


def tally(rows: Iterable[tuple[str, float, float]]) -> dict[str, Tally]:
    """Add up (user, points, max points) rows per person."""
    tallies: dict[str, Tally] = {}
    for user_id, points, max_points in rows:
        entry = tallies.get(user_id)
        if entry is None:
            entry = tallies[user_id] = Tally(user_id)
        entry.add(points, max_points)
    return tallies


def _key_points(points: float) -> float:
    # Sums of floats such as 7.5 + 0.1 must tie with 7.6: compare at a fixed precision.
    return round(points, 6)


def rank(
    tallies: Iterable[Tally], streaks: Mapping[str, int] | None = None
) -> tuple[Standing, ...]:
    """Standings by points, most first; ties share a rank (1, 2, 2, 4), then go by user id."""
    ordered = sorted(tallies, key=lambda t: (-_key_points(t.points), t.user_id))
    standings: list[Standing] = []
    previous: float | None = None
    current_rank = 0
    for position, entry in enumerate(ordered, start=1):
        key = _key_points(entry.points)
        if key != previous:
            current_rank = position
            previous = key
        standings.append(
            Standing(
                user_id=entry.user_id,
                rank=current_rank,
                points=entry.points,
                rounds=entry.rounds,
                average_percent=entry.average_percent,
                streak=(streaks or {}).get(entry.user_id, 0),
            )
        )
    return tuple(standings)


def most_improved(
    this_week: Mapping[str, Tally], last_week: Mapping[str, Tally]
) -> Improvement | None:
    """The person whose average percentage rose most since last week (both weeks answered)."""
    best: Improvement | None = None
    for user_id in sorted(this_week):
        before = last_week.get(user_id)
        if before is None or not before.rounds or not this_week[user_id].rounds:
            continue
        candidate = Improvement(user_id, before.average_percent, this_week[user_id].average_percent)
        if candidate.gain > 0 and (best is None or candidate.gain > best.gain + 1e-9):
            best = candidate
    return best


def weakest_topic(scores: Iterable[TopicScore]) -> TopicScore | None:
    """The topic with the lowest average percentage (ties: the topic name)."""
    return min(scores, key=lambda s: (s.average_percent, s.topic), default=None)
