"""Block Kit for what one person sees: the answer modals and their graded feedback.

Pure functions from domain values to Slack's JSON. Every text object stays within Slack's
limits (3,000 characters for a section, 150 for a header, 24 for a modal title, 100 blocks
per modal): long texts are split at paragraph, sentence or word boundaries, never mid-word.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from bot.domain.model import Grade, Lang, Question, format_points
from bot.slack import ids

Block = dict[str, Any]
View = dict[str, Any]

# Slack's limits (https://docs.slack.dev/reference/block-kit).
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
CONTEXT_TEXT_LIMIT = 2000
TITLE_LIMIT = 24
MODAL_BLOCK_LIMIT = 100
MESSAGE_BLOCK_LIMIT = 50
ANSWER_MAX_CHARS = 3000

# Why an answer did or did not count: the services' practice reasons, plus "counted".
Outcome = Literal["counted", "repeat", "late", "practice"]

_UI: dict[str, dict[Lang, str]] = {
    "answer_title": {"zh": "作答", "en": "Your answer"},
    "practice_title": {"zh": "练习", "en": "Practice"},
    "feedback_title": {"zh": "评分结果", "en": "Your grade"},
    "question_title": {"zh": "题目", "en": "The question"},
    "submit": {"zh": "提交", "en": "Submit"},
    "cancel": {"zh": "取消", "en": "Cancel"},
    "done": {"zh": "完成", "en": "Done"},
    "answer_label": {"zh": "你的回答", "en": "Your answer"},
    "answer_hint": {
        "zh": "中文、英文或混合都可以，最多 3000 字。只有你自己能看到，揭晓之前没人知道你的分数。",
        "en": "Chinese, English or both; at most 3,000 characters. Only you see it and "
        "your grade until the reveal.",
    },
    "difficulty": {"zh": "难度", "en": "difficulty"},
    "closes": {"zh": "截止", "en": "closes"},
    "points": {"zh": "得分", "en": "Points"},
    "found": {"zh": "答到的要点", "en": "What you got"},
    "missed": {"zh": "漏掉的要点", "en": "What you missed"},
    "required": {"zh": "必答", "en": "required"},
    "wrong": {"zh": "错误的说法", "en": "Not right"},
    "none_found": {"zh": "没有答到要点。", "en": "None of the key points yet."},
    "none_missed": {"zh": "全部答到了！", "en": "Nothing: every point is there!"},
    "reference": {"zh": "参考答案", "en": "Reference answer"},
    "reference_cut": {
        "zh": "（参考答案较长，其余部分见揭晓帖。）",
        "en": "(The reference goes on; the rest is in the reveal.)",
    },
    "counted": {
        "zh": "已记分：这是你本轮的正式回答。",
        "en": "Counted: this is your answer for today's round.",
    },
    "repeat": {
        "zh": "练习：你本轮的第一次回答已经记分，这次不计入排行榜。",
        "en": "Practice: your first answer to this round already counts; this one does not.",
    },
    "late": {
        "zh": "练习：本轮已截止，这次回答不计入排行榜。",
        "en": "Practice: this round has closed, so this answer does not count.",
    },
    "practice": {
        "zh": "练习题：不计入排行榜。",
        "en": "Practice question: it does not count for the leaderboard.",
    },
    "closed_note": {
        "zh": "本轮已截止：现在的回答只算练习。",
        "en": "This round has closed: answers now are practice.",
    },
    "not_saved": {
        "zh": "回答没能保存（数据库暂时不可用）。请稍后再提交一次。",
        "en": "Your answer could not be saved (the database is unavailable). "
        "Please submit it again in a moment.",
    },
    "empty": {"zh": "回答不能为空。", "en": "Write an answer first."},
    "too_long": {
        "zh": "回答最多 3000 字，现在是 {n} 字。",
        "en": "An answer can have at most 3,000 characters; this one has {n}.",
    },
}


class Texts:
    """A table of the interface's texts: `texts(key, lang, **values)` is one, filled in."""

    def __init__(self, table: dict[str, dict[Lang, str]]) -> None:
        self.table = table

    def __call__(self, key: str, lang: Lang, **values: object) -> str:
        text = self.table[key][lang]
        return text.format(**values) if values else text


# One of the answer modals' texts in `lang`.
ui = Texts(_UI)


# ----- text -----


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Shorten `text` to `limit` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


# Where a long text may be cut, best first: a paragraph, a line, a sentence, a clause,
# a word. Each pattern matches the text that ends a piece.
_BREAKS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])"),
    re.compile(r"(?<=[;:,])\s+|(?<=[，、：])"),
    re.compile(r"\s+"),
)


def split_text(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Split `text` into pieces of at most `limit` characters at the best boundary.

    Paragraphs first, then lines, sentences (also Chinese 。！？), clauses and words; a piece
    is cut mid-word only when a single word is longer than `limit`, and never inside an
    mrkdwn entity such as `&amp;`.
    """
    if limit < 10:
        raise ValueError("limit too small to split text sensibly")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _best_cut(rest, limit)
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
    if rest:
        pieces.append(rest)
    return pieces


def _best_cut(text: str, limit: int) -> int:
    window = text[: limit + 1]
    # A cut in the first quarter would leave a run of tiny pieces: try coarser breaks first.
    for floor in (limit // 4, 1):
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(window) if floor <= m.start() <= limit]
            if ends:
                return ends[-1]
    # One word longer than the limit: cut it, but not inside an `&...;` entity.
    amp = text.rfind("&", max(0, limit - 6), limit)
    if amp > 0 and ";" not in text[amp:limit]:
        return amp
    return limit


def plain(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def mrkdwn_sections(text: str) -> list[Block]:
    """`text` (already mrkdwn) as as many section blocks as Slack's limit needs."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_text(text, SECTION_TEXT_LIMIT)
    ]


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_TEXT_LIMIT)}


def context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(text, CONTEXT_TEXT_LIMIT)}],
    }


def fit_blocks(blocks: list[Block], limit: int, *, overflow: Block | None = None) -> list[Block]:
    """Keep at most `limit` blocks; when some must go, end with `overflow` (a note)."""
    if len(blocks) <= limit:
        return blocks
    keep = limit - 1 if overflow is not None else limit
    return blocks[:keep] + ([overflow] if overflow is not None else [])


def _modal(
    title: str,
    blocks: list[Block],
    *,
    lang: Lang,
    callback_id: str,
    private_metadata: str = "",
    submit: str | None = None,
    close: str | None = None,
) -> View:
    view: View = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, TITLE_LIMIT),
        "close": plain(close or ui("done", lang), TITLE_LIMIT),
        "blocks": fit_blocks(blocks, MODAL_BLOCK_LIMIT),
        "private_metadata": private_metadata,
    }
    if submit is not None:
        view["submit"] = plain(submit, TITLE_LIMIT)
    return view


# ----- the question -----


def _question_blocks(question: Question, lang: Lang, closes: str | None) -> list[Block]:
    facts = [f"*{escape(question.topic)}*", f"{ui('difficulty', lang)} {question.difficulty}/3"]
    if closes:
        facts.append(f"{ui('closes', lang)} {closes}")
    blocks = [context(" · ".join(facts))]
    blocks += mrkdwn_sections(escape(question.prompt.get(lang)))
    other = question.prompt.other(lang)
    if other:
        blocks.append(context(escape(other)))
    return blocks


def answer_modal(
    question: Question,
    *,
    lang: Lang,
    callback_id: str = ids.ANSWER_MODAL_CALLBACK_ID,
    private_metadata: str = "",
    closes: str | None = None,
    note: str | None = None,
    practice: bool = False,
) -> View:
    """The modal with the question and a multi-line input for the answer.

    Args:
        private_metadata: what the submission must carry back (a round or question id).
        closes: the local close time to show, e.g. "18:00".
        note: a line above the input, e.g. that the round has closed.
    """
    blocks = _question_blocks(question, lang, closes)
    if note:
        blocks.append(context(f":information_source: {escape(note)}"))
    blocks.append(
        {
            "type": "input",
            "block_id": ids.ANSWER_BLOCK_ID,
            "label": plain(ui("answer_label", lang), 2000),
            "hint": plain(ui("answer_hint", lang), 2000),
            "element": {
                "type": "plain_text_input",
                "action_id": ids.ANSWER_INPUT_ID,
                "multiline": True,
                "min_length": 1,
                "max_length": ANSWER_MAX_CHARS,
            },
        }
    )
    title = ui("practice_title" if practice else "answer_title", lang)
    return _modal(
        title,
        blocks,
        lang=lang,
        callback_id=callback_id,
        private_metadata=private_metadata,
        submit=ui("submit", lang),
        close=ui("cancel", lang),
    )


def practice_modal(question: Question, lang: Lang) -> View:
    """The answer modal of a practice question: its submission never counts."""
    return answer_modal(
        question,
        lang=lang,
        callback_id=ids.PRACTICE_MODAL_CALLBACK_ID,
        private_metadata=json.dumps({"question": question.id, "lang": lang}),
        note=ui("practice", lang),
        practice=True,
    )


def done_modal(text: str, lang: Lang) -> View:
    """A modal that only says something: a submission's outcome, or why nothing opened."""
    return _modal(
        "k8sq", mrkdwn_sections(escape(text)), lang=lang, callback_id=ids.FEEDBACK_MODAL_CALLBACK_ID
    )


def prompt_modal(question: Question, *, lang: Lang) -> View:
    """The question in both languages, `lang` first (the "other language" button)."""
    blocks = _question_blocks(question, lang, None)
    return _modal(
        ui("question_title", lang), blocks, lang=lang, callback_id=ids.FEEDBACK_MODAL_CALLBACK_ID
    )


# ----- the grade -----


def _bullets(lines: list[str]) -> list[Block]:
    return mrkdwn_sections("\n".join(lines)) if lines else []


def grade_blocks(grade: Grade, question: Question, *, lang: Lang, outcome: Outcome) -> list[Block]:
    """The points, what was found (with the words that matched), missed (with hints), notes."""
    mark = ":white_check_mark:" if grade.passed else ":memo:"
    blocks: list[Block] = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"{mark} *{ui('points', lang)}: "
                f"{format_points(grade.points, grade.max_points)}*",
            },
        },
        context(ui(outcome, lang)),
        {"type": "divider"},
        header(ui("found", lang)),
    ]
    found = [
        f"• *{escape(hit.label.get(lang))}*"
        + (f" — _{escape(', '.join(hit.matched))}_" if hit.matched else "")
        for hit in grade.found
    ]
    blocks += _bullets(found) or [context(ui("none_found", lang))]
    blocks.append(header(ui("missed", lang)))
    missed = [
        f"• *{escape(miss.label.get(lang))}*"
        + (f" ({ui('required', lang)})" if miss.required else "")
        + (f": {escape(miss.hint.get(lang))}" if miss.hint.get(lang) else "")
        for miss in grade.missed
    ]
    blocks += _bullets(missed) or [context(ui("none_missed", lang))]
    if grade.misconceptions:
        blocks.append(header(ui("wrong", lang)))
        blocks += _bullets(
            [
                f"• {escape(m.statement.get(lang))} (−{m.penalty:g})"
                + (f" — _{escape(', '.join(m.matched))}_" if m.matched else "")
                for m in grade.misconceptions
            ]
        )
    if grade.notes:
        blocks.append(context(escape(" ".join(grade.notes))))
    return blocks


def feedback_modal(grade: Grade, question: Question, *, lang: Lang, outcome: Outcome) -> View:
    """What the answer modal turns into after submitting: the grade and the reference."""
    blocks = grade_blocks(grade, question, lang=lang, outcome=outcome)
    blocks += [{"type": "divider"}, header(ui("reference", lang))]
    reference = mrkdwn_sections(escape(question.reference.get(lang)))
    room = MODAL_BLOCK_LIMIT - len(blocks)
    if len(reference) > room:
        reference = reference[: room - 1] + [context(ui("reference_cut", lang))]
    blocks += reference
    return _modal(
        ui("feedback_title", lang), blocks, lang=lang, callback_id=ids.FEEDBACK_MODAL_CALLBACK_ID
    )
