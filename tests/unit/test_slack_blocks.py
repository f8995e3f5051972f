"""Block Kit for one person: the answer and feedback modals stay within Slack's limits."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bot.slack
from bot.domain.model import (
    Alias,
    Concept,
    ConceptHit,
    ConceptMiss,
    Grade,
    MisconceptionHit,
    Question,
    Rubric,
    Text,
)
from bot.slack import blocks, ids


def question(
    reference: str = "ClusterIP 只在集群内部可达。", prompt: str = "ClusterIP?"
) -> Question:
    concept = Concept(
        id="inside",
        label=Text("仅集群内可达", "reachable only inside the cluster"),
        weight=1.0,
        aliases=(Alias((("集群内",),)),),
        hint=Text("想想从哪里能访问", "think about where it can be reached from"),
        required=True,
    )
    return Question(
        id="services-clusterip",
        topic="services",
        difficulty=1,
        section="Kubernetes 中的服务类型",
        prompt=Text(prompt, "Where can a ClusterIP Service be reached from?"),
        reference=Text(reference, "Only inside the cluster. <b> & co."),
        rubric=Rubric(concepts=(concept,)),
    )


def grade(**changes: Any) -> Grade:
    values: dict[str, Any] = {
        "question_id": "services-clusterip",
        "points": 7.5,
        "max_points": 10.0,
        "found": (ConceptHit("vip", Text("虚拟 IP", "a virtual IP"), ("VIP", "虚拟IP")),),
        "missed": (
            ConceptMiss(
                "inside",
                Text("仅集群内可达", "reachable only inside"),
                Text("提示", "a <hint> & more"),
                required=True,
            ),
        ),
    }
    values.update(changes)
    return Grade(**values)


def all_texts(node: Any) -> list[tuple[str, str]]:
    """Every (type, text) of a text object anywhere in the view."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
            found.append((node["type"], node["text"]))
        for value in node.values():
            found += all_texts(value)
    elif isinstance(node, list):
        for item in node:
            found += all_texts(item)
    return found


def assert_within_limits(view: dict[str, Any]) -> None:
    assert len(view["blocks"]) <= blocks.MODAL_BLOCK_LIMIT
    assert len(view["title"]["text"]) <= blocks.TITLE_LIMIT
    for block in view["blocks"]:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= blocks.HEADER_TEXT_LIMIT
    for _kind, text in all_texts(view):
        assert 0 < len(text) <= blocks.SECTION_TEXT_LIMIT
    assert len(view.get("private_metadata", "")) <= 3000
    json.dumps(view)  # serialisable as Slack needs it


# ----- splitting -----


def test_short_text_is_one_piece() -> None:
    assert blocks.split_text("  hello world  ", 100) == ["hello world"]
    assert blocks.split_text("", 100) == []


def test_words_are_never_cut() -> None:
    text = " ".join(f"word{i}" for i in range(2000))
    pieces = blocks.split_text(text, 300)
    assert all(len(p) <= 300 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_paragraphs_then_sentences_are_preferred() -> None:
    para = "First sentence here. Second one follows. " * 3
    text = para.strip() + "\n\n" + para.strip()
    pieces = blocks.split_text(text, len(para) + 10)
    assert pieces == [para.strip(), para.strip()]
    pieces = blocks.split_text("Aaaa aaaa aaaa. Bbbb bbbb bbbb. Cccc cccc cccc.", 32)
    assert pieces == ["Aaaa aaaa aaaa. Bbbb bbbb bbbb.", "Cccc cccc cccc."]


def test_chinese_is_split_after_a_full_stop() -> None:
    sentence = "kube-proxy 把 Service 的虚拟 IP 转发到后端 Pod。"
    pieces = blocks.split_text(sentence * 200, 3000)
    assert len(pieces) > 1
    assert all(len(p) <= 3000 and p.endswith("。") for p in pieces)
    assert "".join(pieces) == sentence * 200


def test_a_word_longer_than_the_limit_is_cut_but_not_inside_an_entity() -> None:
    text = blocks.escape("a&b" * 100)
    pieces = blocks.split_text(text, 50)
    assert "".join(pieces) == text
    for piece in pieces:
        assert len(piece) <= 50
        assert not re.search(r"&[a-z]*$", piece)


@given(st.text(alphabet=st.sampled_from("ab 。\n.&<"), max_size=800), st.integers(10, 120))
def test_splitting_loses_nothing_but_boundary_space(text: str, limit: int) -> None:
    pieces = blocks.split_text(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_escape() -> None:
    assert blocks.escape("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"


# ----- modals -----


def test_answer_modal_has_a_bounded_multiline_input_and_carries_the_round() -> None:
    view = blocks.answer_modal(
        question(), lang="zh", private_metadata='{"round": 3}', closes="18:00"
    )
    assert view["callback_id"] == ids.ANSWER_MODAL_CALLBACK_ID
    assert view["private_metadata"] == '{"round": 3}'
    (input_block,) = [b for b in view["blocks"] if b["type"] == "input"]
    assert input_block["block_id"] == ids.ANSWER_BLOCK_ID
    element = input_block["element"]
    assert element["action_id"] == ids.ANSWER_INPUT_ID
    assert element["multiline"] is True
    assert (element["min_length"], element["max_length"]) == (1, 3000)
    assert "submit" in view
    assert "18:00" in json.dumps(view, ensure_ascii=False)
    assert_within_limits(view)


def test_feedback_shows_points_found_with_words_missed_with_hints_and_the_reference() -> None:
    view = blocks.feedback_modal(grade(), question(), lang="en", outcome="counted")
    text = json.dumps(view, ensure_ascii=False)
    assert "7.5/10" in text
    assert "a virtual IP" in text and "VIP, 虚拟IP" in text
    assert "reachable only inside" in text and "a &lt;hint&gt; &amp; more" in text
    assert "Only inside the cluster. &lt;b&gt; &amp; co." in text
    assert "Counted" in text
    assert "submit" not in view
    assert_within_limits(view)


@pytest.mark.parametrize(
    ("outcome", "words"),
    [("repeat", "first answer"), ("late", "closed"), ("practice", "Practice")],
)
def test_feedback_says_why_an_answer_did_not_count(outcome: blocks.Outcome, words: str) -> None:
    view = blocks.feedback_modal(grade(), question(), lang="en", outcome=outcome)
    assert words in json.dumps(view)


def test_feedback_lists_misconceptions_and_notes() -> None:
    wrong = MisconceptionHit("ext", Text("外部可达", "reachable from outside"), 3.0, ("外部",))
    view = blocks.feedback_modal(
        grade(misconceptions=(wrong,), notes=("keyword list",)),
        question(),
        lang="en",
        outcome="counted",
    )
    text = json.dumps(view, ensure_ascii=False)
    assert "reachable from outside (−3)" in text
    assert "keyword list" in text


def test_a_huge_reference_is_split_and_the_modal_stays_within_100_blocks() -> None:
    reference = "这是参考答案的一句话，讲 Service 和 kube-proxy。" * 20_000
    many = tuple(
        ConceptMiss(f"c{i}", Text(f"要点{i}", f"point {i}"), Text("提示" * 100, "hint " * 100))
        for i in range(200)
    )
    view = blocks.feedback_modal(
        grade(missed=many), question(reference=reference), lang="zh", outcome="counted"
    )
    assert_within_limits(view)
    assert len(view["blocks"]) == blocks.MODAL_BLOCK_LIMIT
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert "参考答案" in headers
    start = next(
        i
        for i, b in enumerate(view["blocks"])
        if b["type"] == "header" and b["text"]["text"] == "参考答案"
    )
    reference_blocks = view["blocks"][start + 1 :]
    assert reference_blocks[-1]["type"] == "context"  # says the rest is in the reveal
    assert all(b["text"]["text"].endswith("。") for b in reference_blocks[:-1])


def test_a_long_prompt_and_title_stay_within_limits() -> None:
    view = blocks.answer_modal(question(prompt="为什么" * 3000), lang="zh", practice=True)
    assert_within_limits(view)


def test_the_practice_modal_carries_its_question_and_says_it_never_counts() -> None:
    view = blocks.practice_modal(question(), "zh")
    assert view["callback_id"] == ids.PRACTICE_MODAL_CALLBACK_ID
    assert json.loads(view["private_metadata"]) == {"question": question().id, "lang": "zh"}
    assert view["title"]["text"] == "练习"
    assert blocks.ui("practice", "zh") in json.dumps(view, ensure_ascii=False)
    assert_within_limits(view)


def every_text_table() -> dict[str, blocks.Texts]:
    """Every table of interface texts in bot.slack, each once (by a module that has it)."""
    tables: dict[int, tuple[str, blocks.Texts]] = {}
    for info in pkgutil.iter_modules(bot.slack.__path__):
        module = importlib.import_module(f"bot.slack.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, blocks.Texts):
                tables.setdefault(id(value), (f"{info.name}.{name}", value))
    return dict(tables.values())


def test_every_interface_text_has_both_languages_with_the_same_blanks() -> None:
    tables = every_text_table()
    assert len(tables) == 8
    blank = re.compile(r"\{(\w*)\}")
    for name, texts in tables.items():
        for key, by_lang in texts.table.items():
            assert set(by_lang) == {"zh", "en"}, f"{name} {key}"
            zh, en = (sorted(blank.findall(by_lang[lang])) for lang in ("zh", "en"))
            assert zh == en, f"{name} {key}: {zh} against {en}"
