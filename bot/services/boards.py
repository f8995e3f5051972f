"""The leaderboards (a week's, all time) and a person's stats, with the streaks they show.

Plain functions of the store, the workspace's settings and the time now, for
bot.services.Services; the ranking itself is the domain's (bot.domain.leaderboard, streaks).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.domain import leaderboard, streaks
from bot.domain.records import AllTimeBoard, PersonalStats, WeeklyBoard, WorkspaceSettings
from bot.ports import RoundRow, Store

# How many of the latest rounds streaks are first read from (widened for longer streaks).
STREAK_WINDOW = 16


def weekly_board(
    store: Store,
    settings: WorkspaceSettings,
    now: datetime,
    day: date | None,
    *,
    revealed_only: bool,
) -> WeeklyBoard:
    """The ISO week containing `day` (default today, local) of daily rounds."""
    team_id = settings.team_id
    today = now.astimezone(settings.zone).date()
    week = leaderboard.week_of(day or today, settings.zone)
    this_week = _tallies(store, team_id, week.start, week.end, revealed_only)
    previous = leaderboard.week_of(week.monday - timedelta(days=7), settings.zone)
    last_week = _tallies(store, team_id, previous.start, previous.end, revealed_only)
    as_of = min(week.sunday, today)
    current = _streaks(store, team_id, set(this_week), as_of, now)
    return WeeklyBoard(
        team_id=team_id,
        week_start=week.monday,
        week_end=week.sunday,
        standings=leaderboard.rank(this_week.values(), current),
        most_improved=leaderboard.most_improved(this_week, last_week),
        weakest_topic=leaderboard.weakest_topic(
            store.topic_scores(team_id, start=week.start, end=week.end, revealed_only=revealed_only)
        ),
    )


def all_time_board(
    store: Store, settings: WorkspaceSettings, now: datetime, *, revealed_only: bool
) -> AllTimeBoard:
    """Every daily round the workspace ever had (revealed ones only if asked)."""
    team_id = settings.team_id
    tallies = _all_time_tallies(store, team_id, revealed_only)
    today = now.astimezone(settings.zone).date()
    current = _streaks(store, team_id, set(tallies), today, now)
    return AllTimeBoard(team_id, leaderboard.rank(tallies.values(), current))


def personal_stats(
    store: Store, settings: WorkspaceSettings, now: datetime, user_id: str, *, revealed_only: bool
) -> PersonalStats:
    """Mastery per topic, streaks, and this week's and all-time rank."""
    team_id = settings.team_id
    today = now.astimezone(settings.zone).date()
    refs = _round_refs(store, team_id, today, now)
    answered = {r.round_id for r in store.user_rounds(team_id, user_id=user_id)}
    week = leaderboard.week_of(today, settings.zone)
    weekly = {
        s.user_id: s
        for s in leaderboard.rank(
            _tallies(store, team_id, week.start, week.end, revealed_only).values()
        )
    }
    all_time = {
        s.user_id: s
        for s in leaderboard.rank(_all_time_tallies(store, team_id, revealed_only).values())
    }
    mastery = sorted(
        store.topic_mastery(team_id, user_id), key=lambda m: (m.average_percent, m.topic)
    )
    mine_week = weekly.get(user_id)
    mine_all = all_time.get(user_id)
    return PersonalStats(
        team_id=team_id,
        user_id=user_id,
        mastery=tuple(mastery),
        rounds_answered=len(answered),
        current_streak=streaks.current_streak(refs, answered),
        longest_streak=streaks.longest_streak(refs, answered),
        weekly_rank=mine_week.rank if mine_week else None,
        weekly_points=mine_week.points if mine_week else 0.0,
        all_time_rank=mine_all.rank if mine_all else None,
        all_time_points=mine_all.points if mine_all else 0.0,
    )


def _tallies(
    store: Store, team_id: str, start: datetime, end: datetime, revealed_only: bool
) -> dict[str, leaderboard.Tally]:
    rows = store.user_rounds(team_id, start=start, end=end, revealed_only=revealed_only)
    return leaderboard.tally((r.user_id, r.points, r.max_points) for r in rows)


def _all_time_tallies(
    store: Store, team_id: str, revealed_only: bool
) -> dict[str, leaderboard.Tally]:
    return {
        t.user_id: leaderboard.Tally(t.user_id, t.points, t.rounds, t.percent_sum)
        for t in store.user_totals(team_id, revealed_only=revealed_only)
    }


def _round_refs(store: Store, team_id: str, as_of: date, now: datetime) -> list[streaks.RoundRef]:
    return [
        streaks.RoundRef(r.round_id, still_open=_still_open(r, now))
        for r in store.round_history(team_id)
        if r.local_date <= as_of and (r.shown or _still_open(r, now))
    ]


def _streaks(
    store: Store, team_id: str, users: set[str], as_of: date, now: datetime
) -> dict[str, int]:
    """Current streaks, reading back from the latest round only as far as they go.

    Rounds are read in widening chunks, and past the first chunk only for the people
    whose streak is still unbroken, so a long history costs little.
    """
    refs = _round_refs(store, team_id, as_of, now)
    streak = dict.fromkeys(users, 0)
    alive = set(users)
    end, window = len(refs), STREAK_WINDOW
    while alive and end > 0:
        start = max(0, end - window)
        chunk = refs[start:end]
        answered: dict[str, set[int]] = {u: set() for u in alive}
        only = None if end == len(refs) else alive
        for user_id, round_id in store.answered_in([r.round_id for r in chunk], only):
            if user_id in answered:
                answered[user_id].add(round_id)
        for user_id, rounds in answered.items():
            for ref in reversed(chunk):
                if ref.round_id in rounds:
                    streak[user_id] += 1
                elif ref is refs[-1] and ref.still_open:
                    continue  # today's round, not answered yet: the streak holds
                else:
                    alive.discard(user_id)
                    break
        end, window = start, window * 4
    return streak


def _still_open(row: RoundRow, now: datetime) -> bool:
    return not row.revealed and now < row.closes_at
