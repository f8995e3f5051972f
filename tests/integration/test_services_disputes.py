"""Disputes, the leaderboard day, revealed-only boards, the next round, Home tab holders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.domain.records import (
    InvalidAnswer,
    InvalidSetting,
    NotAdmin,
    NotAnswered,
    RoundNotRevealed,
    UnknownDispute,
)
from bot.services import Services
from bot.store import tables as t
from bot.store.sql_store import SqlStore
from tests.integration.game import ADMIN, TEAM, FakeClock


def test_a_dispute_is_filed_once_per_answer(services: Services) -> None:
    round_ = services.create_round(TEAM)
    services.submit_answer(round_.id, "U1", "a")
    first, new = services.file_dispute(round_.id, "U1", "  b is in there  ")
    again, new_again = services.file_dispute(round_.id, "U1", "really")
    assert new and not new_again
    assert again.id == first.id and again.comment == "b is in there"
    with pytest.raises(NotAnswered):
        services.file_dispute(round_.id, "U2", "")
    with pytest.raises(InvalidAnswer):
        services.file_dispute(round_.id, "U1", "x" * 3001)


def test_a_dispute_waits_for_the_reveal_then_goes_out_once(services: Services) -> None:
    round_ = services.create_round(TEAM)
    services.submit_answer(round_.id, "U1", "a")
    dispute, _ = services.file_dispute(round_.id, "U1", "")
    assert services.disputes_to_deliver() == ()
    with pytest.raises(RoundNotRevealed):
        services.settle_dispute(dispute.id, 10, by=ADMIN, reason="b is implied")

    services.reveal_round(round_.id)
    assert [d.id for d in services.disputes_to_deliver()] == [dispute.id]
    assert services.claim_dispute_delivery(dispute.id)
    assert not services.claim_dispute_delivery(dispute.id)
    assert services.disputes_to_deliver() == ()


def test_settling_a_dispute_changes_the_points_and_records_why(
    services: Services, store: SqlStore
) -> None:
    round_ = services.create_round(TEAM)
    services.submit_answer(round_.id, "U1", "a")
    services.submit_answer(round_.id, "U2", "a b")
    dispute, _ = services.file_dispute(round_.id, "U1", "b is implied")
    services.reveal_round(round_.id)
    details = services.dispute_details(dispute.id)
    assert details.answer_text == "a" and details.points == 5.0 and details.missed == ("b",)

    with pytest.raises(NotAdmin):
        services.settle_dispute(dispute.id, 10, by="U2", reason="mine is better")
    with pytest.raises(InvalidSetting):
        services.settle_dispute(dispute.id, 10, by=ADMIN, reason="  ")
    change = services.settle_dispute(dispute.id, 10, by=ADMIN, reason="b is implied")

    assert (change.old_points, change.new_points, change.changed_by) == (5.0, 10.0, ADMIN)
    standings = services.weekly_leaderboard(TEAM).standings
    assert [(s.user_id, s.rank, s.points) for s in standings] == [("U1", 1, 10.0), ("U2", 1, 10.0)]
    settled = store.get_dispute(dispute.id)
    assert settled is not None and settled.resolved_by == ADMIN
    with store.engine.connect() as conn:
        reasons = conn.scalars(select(t.score_changes.c.reason)).all()
    assert reasons == ["b is implied"]
    with pytest.raises(UnknownDispute):
        services.dispute_details(dispute.id + 100)


def test_boards_of_revealed_rounds_hide_the_open_round(services: Services) -> None:
    round_ = services.create_round(TEAM)
    services.submit_answer(round_.id, "U1", "a b")
    assert services.weekly_leaderboard(TEAM, revealed_only=True).standings == ()
    assert services.all_time_leaderboard(TEAM, revealed_only=True).standings == ()
    stats = services.personal_stats(TEAM, "U1", revealed_only=True)
    assert stats.weekly_rank is None and stats.all_time_rank is None
    assert [s.user_id for s in services.weekly_leaderboard(TEAM).standings] == ["U1"]

    services.reveal_round(round_.id)
    assert [s.user_id for s in services.weekly_leaderboard(TEAM, revealed_only=True).standings] == [
        "U1"
    ]
    assert services.personal_stats(TEAM, "U1", revealed_only=True).weekly_rank == 1


@pytest.mark.parametrize(("given", "day"), [(0, 0), (4, 4), ("fri", 4), ("Sun", 6), ("2", 2)])
def test_the_leaderboard_day_is_a_setting(services: Services, given: int | str, day: int) -> None:
    assert services.get_settings(TEAM).leaderboard_day == 0  # Monday by default
    assert services.update_settings(TEAM, leaderboard_day=given).leaderboard_day == day
    assert services.get_settings(TEAM).leaderboard_day == day


@pytest.mark.parametrize("bad", [7, -1, "mon-fri", "someday", ""])
def test_a_bad_leaderboard_day_is_named(services: Services, bad: int | str) -> None:
    with pytest.raises(InvalidSetting, match="leaderboard day"):
        services.update_settings(TEAM, leaderboard_day=bad)


def test_the_next_post_skips_todays_round_weekends_and_pauses(
    services: Services, clock: FakeClock
) -> None:
    # Wednesday 10:00 in Shanghai, before any round: today's post time has passed.
    assert services.next_post_at(TEAM) == datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
    clock.set(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))  # Friday 20:00
    assert services.next_post_at(TEAM) == datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
    clock.set(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))  # Wednesday 08:00
    assert services.next_post_at(TEAM) == datetime(2026, 11, 25, 1, 30, tzinfo=UTC)
    services.update_settings(TEAM, paused=True)
    assert services.next_post_at(TEAM) is None


def test_the_week_had_rounds(services: Services) -> None:
    services.create_round(TEAM)  # Wednesday 2026-11-25
    assert services.week_had_rounds(TEAM, date(2026, 11, 23))
    assert not services.week_had_rounds(TEAM, date(2026, 11, 16))


def test_home_tabs_are_remembered_per_workspace(services: Services) -> None:
    assert not services.has_home_tab(TEAM, "U1")
    services.note_home_opened(TEAM, "U1")
    services.note_home_opened(TEAM, "U1")  # again: nothing new
    assert services.has_home_tab(TEAM, "U1")
    services.ensure_workspace("T0OTHER")
    assert not services.has_home_tab("T0OTHER", "U1")
