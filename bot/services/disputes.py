"""An admin's changes to a person's points, and the disputes that ask for them.

Plain functions of the store and the clock, for bot.services.Services: each checks what it is
given (who may change points, to what, with which words) before anything is stored.
"""

from __future__ import annotations

from bot.domain.records import (
    Dispute,
    DisputeDetails,
    InvalidAnswer,
    InvalidPoints,
    InvalidSetting,
    NotAdmin,
    NotAnswered,
    RoundInfo,
    ScoreChange,
    WorkspaceSettings,
)
from bot.ports import Clock, Store

# A dispute's comment, at most (a Slack input allows 3000 characters).
MAX_DISPUTE_CHARS = 3000


def set_points(
    store: Store,
    clock: Clock,
    settings: WorkspaceSettings,
    round_id: int,
    user_id: str,
    points: float,
    *,
    by: str,
    reason: str,
) -> ScoreChange:
    """Set the person's points for a round of the workspace, as an admin (`by`) asked, with why."""
    if by not in settings.admins:
        raise NotAdmin(by)
    answer = store.find_answer(round_id, user_id)
    if answer is None:
        raise NotAnswered(round_id, user_id)
    if not 0 <= points <= answer.max_points:
        raise InvalidPoints(points, answer.max_points)
    if not reason.strip():
        raise InvalidSetting("reason", reason, "say why the points change")
    return store.set_points(
        answer.answer_id, points, changed_by=by, reason=reason.strip(), at=clock.now()
    )


def file(
    store: Store, clock: Clock, round_: RoundInfo, user_id: str, comment: str
) -> tuple[Dispute, bool]:
    """Dispute the person's scored answer in the round, once; the dispute and whether it is new."""
    answer = store.find_answer(round_.id, user_id)
    if answer is None:
        raise NotAnswered(round_.id, user_id)
    comment = (comment or "").strip()
    if len(comment) > MAX_DISPUTE_CHARS:
        raise InvalidAnswer(
            f"the comment is {len(comment)} characters long; at most {MAX_DISPUTE_CHARS}"
        )
    return store.add_dispute(
        team_id=round_.team_id,
        round_id=round_.id,
        user_id=user_id,
        answer_id=answer.answer_id,
        comment=comment,
        at=clock.now(),
    )


def details(store: Store, dispute: Dispute, round_: RoundInfo) -> DisputeDetails:
    """The dispute with its round, and the disputed answer's text and grade."""
    answer = store.find_answer(dispute.round_id, dispute.user_id)
    if answer is None:
        raise NotAnswered(dispute.round_id, dispute.user_id)
    return DisputeDetails(
        dispute=dispute,
        round=round_,
        question_id=round_.question_id,
        answer_text=store.answer_text(answer.answer_id) or "",
        points=answer.points,
        max_points=answer.max_points,
        missed=answer.missed,
    )
