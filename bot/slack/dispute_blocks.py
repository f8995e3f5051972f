"""Block Kit for disputes: the button under a grade, the person's form, the admins' side.

Pure functions. A dispute reaches the admins only after its round is revealed, so what they
are shown (the answer, the grade) is no longer secret by then.
"""

from __future__ import annotations

import json
from typing import Any

from bot.domain.model import Lang, Question, format_points
from bot.domain.records import DisputeDetails, ScoreChange
from bot.slack import ids
from bot.slack.blocks import Block, Texts, View, context, escape, header, mrkdwn_sections, plain
from bot.slack.leaderboard_blocks import mention

COMMENT_BLOCK_ID = "comment"
COMMENT_INPUT_ID = "comment_text"
POINTS_BLOCK_ID = "points"
POINTS_INPUT_ID = "points_value"
REASON_BLOCK_ID = "reason"
REASON_INPUT_ID = "reason_text"
COMMENT_MAX_CHARS = 3000

_T: dict[str, dict[Lang, str]] = {
    "dispute": {"zh": "申诉评分", "en": "Dispute"},
    "dispute_hint": {
        "zh": "觉得评分不对？申诉会在本轮揭晓后交给管理员。",
        "en": "Think the grade is wrong? A dispute goes to the admins once the round is revealed.",
    },
    "dispute_title": {"zh": "申诉评分", "en": "Dispute the grade"},
    "send": {"zh": "提交申诉", "en": "Send"},
    "cancel": {"zh": "取消", "en": "Cancel"},
    "comment_label": {"zh": "说明（可选）", "en": "Why (optional)"},
    "dispute_intro": {
        "zh": "管理员会看到题目、你的回答和评分，在本轮揭晓之后。",
        "en": "The admins will see the question, your answer and the grade, after the reveal.",
    },
    "filed_now": {
        "zh": "申诉已交给管理员，他们改分后会通知你。",
        "en": "Your dispute went to the admins; you will be told if they change the points.",
    },
    "filed_later": {
        "zh": "申诉已记下，本轮揭晓后会交给管理员。",
        "en": "Your dispute is noted; it goes to the admins when the round is revealed.",
    },
    "filed_before": {
        "zh": "你已经申诉过这一轮了。",
        "en": "You have already disputed this round.",
    },
    "admin_title": {"zh": "评分申诉", "en": "A disputed grade"},
    "admin_intro": {
        "zh": "{who} 对 {date} 那一轮的评分提出申诉：{points}。",
        "en": "{who} disputes their grade for the round of {date}: {points}.",
    },
    "comment": {"zh": "说明", "en": "Comment"},
    "no_comment": {"zh": "（没有说明）", "en": "(no comment)"},
    "question": {"zh": "题目", "en": "Question"},
    "answer": {"zh": "回答", "en": "Answer"},
    "missed": {"zh": "评分认为漏掉的要点", "en": "What the grader found missing"},
    "settle": {"zh": "修改得分", "en": "Set points"},
    "settle_title": {"zh": "修改得分", "en": "Set the points"},
    "save": {"zh": "保存", "en": "Save"},
    "points_label": {"zh": "新的得分（0–{max}）", "en": "New points (0–{max})"},
    "reason_label": {"zh": "理由（会告诉答题人）", "en": "Reason (the person is told)"},
    "settled_person": {
        "zh": "管理员 {admin} 把你在 {date} 那一轮的得分从 {old} 改为 {new}。理由：{reason}",
        "en": "{admin} changed your points for the round of {date} from {old} to {new}. "
        "Reason: {reason}",
    },
    "settled_admin": {
        "zh": "已把 {who} 的得分从 {old} 改为 {new}，排行榜随之更新。",
        "en": "Set {who}'s points from {old} to {new}; the leaderboards follow.",
    },
}


t = Texts(_T)


def dispute_action(round_id: int, label: str, *, block_id: str = "k8sq.dispute") -> Block:
    """The Dispute button of a round: under a grade, and in the round's reveal."""
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            {
                "type": "button",
                "action_id": ids.DISPUTE_ACTION_ID,
                "value": str(round_id),
                "text": plain(label, 75),
            }
        ],
    }


def dispute_button(round_id: int, lang: Lang) -> list[Block]:
    """The blocks added under the grade of a scored answer."""
    return [
        {"type": "divider"},
        context(t("dispute_hint", lang)),
        dispute_action(round_id, t("dispute", lang)),
    ]


def with_dispute_button(view: View, round_id: int, lang: Lang) -> View:
    """The feedback modal with the Dispute button, within Slack's 100 blocks."""
    extra = dispute_button(round_id, lang)
    blocks = list(view.get("blocks", []))
    blocks = blocks[: 100 - len(extra)] + extra
    return {**view, "blocks": blocks}


def dispute_modal(round_id: int, lang: Lang) -> View:
    """The person's form: an optional comment."""
    return {
        "type": "modal",
        "callback_id": ids.DISPUTE_MODAL_CALLBACK_ID,
        "title": plain(t("dispute_title", lang), 24),
        "submit": plain(t("send", lang), 24),
        "close": plain(t("cancel", lang), 24),
        "private_metadata": json.dumps({"round": round_id, "lang": lang}),
        "blocks": [
            context(t("dispute_intro", lang)),
            {
                "type": "input",
                "block_id": COMMENT_BLOCK_ID,
                "optional": True,
                "label": plain(t("comment_label", lang), 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": COMMENT_INPUT_ID,
                    "multiline": True,
                    "max_length": COMMENT_MAX_CHARS,
                },
            },
        ],
    }


def admin_message(
    details: DisputeDetails, question: Question, lang: Lang
) -> tuple[str, list[dict[str, Any]]]:
    """The admins' direct message: who, the question, the answer, the grade, a button."""
    d = details.dispute
    points = format_points(details.points, details.max_points)
    intro = t(
        "admin_intro",
        lang,
        who=mention(d.user_id),
        date=details.round.local_date.isoformat(),
        points=points,
    )
    missed_labels = [c.label.get(lang) for c in question.rubric.concepts if c.id in details.missed]
    blocks: list[Block] = [header(t("admin_title", lang))]
    blocks += mrkdwn_sections(intro)
    blocks += mrkdwn_sections(
        f"*{t('comment', lang)}:* " + (escape(d.comment) if d.comment else t("no_comment", lang))
    )
    blocks += mrkdwn_sections(f"*{t('question', lang)}:* " + escape(question.prompt.get(lang)))
    blocks += mrkdwn_sections(f"*{t('answer', lang)}:*\n" + escape(details.answer_text or "-"))
    if missed_labels:
        blocks += mrkdwn_sections(f"*{t('missed', lang)}:* " + escape(", ".join(missed_labels)))
    blocks.append(
        {
            "type": "actions",
            "block_id": "k8sq.settle",
            "elements": [
                {
                    "type": "button",
                    "style": "primary",
                    "action_id": ids.SETTLE_ACTION_ID,
                    "value": str(d.id),
                    "text": plain(t("settle", lang), 75),
                }
            ],
        }
    )
    return intro, blocks[:50]


def settle_modal(details: DisputeDetails, lang: Lang) -> View:
    """The admin's form: the new points and why."""
    return {
        "type": "modal",
        "callback_id": ids.SETTLE_MODAL_CALLBACK_ID,
        "title": plain(t("settle_title", lang), 24),
        "submit": plain(t("save", lang), 24),
        "close": plain(t("cancel", lang), 24),
        "private_metadata": json.dumps({"dispute": details.dispute.id, "lang": lang}),
        "blocks": [
            context(
                t(
                    "admin_intro",
                    lang,
                    who=mention(details.dispute.user_id),
                    date=details.round.local_date.isoformat(),
                    points=format_points(details.points, details.max_points),
                )
            ),
            {
                "type": "input",
                "block_id": POINTS_BLOCK_ID,
                "label": plain(t("points_label", lang, max=f"{details.max_points:g}"), 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": POINTS_INPUT_ID,
                    "initial_value": f"{details.points:g}",
                    "max_length": 10,
                },
            },
            {
                "type": "input",
                "block_id": REASON_BLOCK_ID,
                "label": plain(t("reason_label", lang), 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_INPUT_ID,
                    "multiline": True,
                    "max_length": 1000,
                },
            },
        ],
    }


def settled_for_person(change: ScoreChange, details: DisputeDetails, lang: Lang) -> str:
    return t(
        "settled_person",
        lang,
        admin=mention(change.changed_by),
        date=details.round.local_date.isoformat(),
        old=format_points(change.old_points, details.max_points),
        new=format_points(change.new_points, details.max_points),
        reason=escape(change.reason),
    )


def settled_for_admin(change: ScoreChange, details: DisputeDetails, lang: Lang) -> str:
    return t(
        "settled_admin",
        lang,
        who=mention(change.user_id),
        old=format_points(change.old_points, details.max_points),
        new=format_points(change.new_points, details.max_points),
    )
