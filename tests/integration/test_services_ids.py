"""Ids that arrive in Slack payloads but that no database column can hold name nothing."""

from __future__ import annotations

import pytest

from bot.domain.records import UnknownDispute, UnknownRound
from bot.services import Services
from tests.integration.game import TEAM

TOO_BIG = (2**31, 2**63, 2**64 + 7, 10**30)


@pytest.mark.parametrize("round_id", (0, -1, *TOO_BIG))
def test_a_round_id_out_of_range_is_an_unknown_round(services: Services, round_id: int) -> None:
    with pytest.raises(UnknownRound):
        services.get_round(round_id)
    with pytest.raises(UnknownRound):
        services.submit_answer(round_id, "U1", "an answer")


@pytest.mark.parametrize("dispute_id", (0, *TOO_BIG))
def test_a_dispute_id_out_of_range_is_an_unknown_dispute(
    services: Services, dispute_id: int
) -> None:
    with pytest.raises(UnknownDispute):
        services.dispute_details(dispute_id)


def test_the_largest_storable_id_is_still_looked_up(services: Services) -> None:
    services.create_round(TEAM)
    with pytest.raises(UnknownRound):  # looked up, and simply not there
        services.get_round(2**31 - 1)
