"""Properties of the grader that hold for any answer: no exception, bounded, deterministic,
and more content never costs points."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.grading import grade
from bot.domain.model import (
    Alias,
    Concept,
    Misconception,
    Question,
    Rubric,
    Text,
)
from bot.question_bank import BankError, load_bank


def _alias(*terms: str) -> Alias:
    return Alias(tuple(tuple(t.split("|")) for t in terms))


def _concept(cid: str, *aliases: Alias, naming: bool = False) -> Concept:
    return Concept(cid, Text(cid, cid), 1.0, aliases, Text(cid, cid), naming=naming)


SMALL = Question(
    id="small",
    topic="t",
    difficulty=1,
    section="s",
    prompt=Text(zh="ClusterIP 能从集群外访问吗？", en="Can a ClusterIP be reached from outside?"),
    reference=Text(zh="不能", en="No"),
    rubric=Rubric(
        concepts=(
            _concept("inside", _alias("不能从集群外访问"), _alias("只|only", "集群内|inside")),
            _concept("proxy", _alias("kube-proxy"), naming=True),
            _concept("rules", _alias("iptables|ipvs", "规则|rules")),
        ),
        misconceptions=(
            Misconception(
                "external",
                Text("外部可达", "reachable outside"),
                3.0,
                (_alias("ClusterIP", "外部|集群外|outside", "可以|能|can"),),
            ),
        ),
    ),
)
SMALL_FULL = "ClusterIP 只在集群内可达，不能从集群外访问；kube-proxy 在每个节点写 iptables 规则"

# Words that matter to the grader, so that random answers hit aliases, cues and guards.
WORDS = [
    "ClusterIP", "不能", "不", "能", "可以", "外部", "集群外", "只", "集群内", "kube-proxy",
    "kube proxy", "iptables", "ipvs", "规则", "rules", "not", "never", "only", "inside", "无论",
    "不同", "，", "。", "\n", " ", "apiserver", "watch", "etcd", "副本", "补", "kubectl",
]  # fmt: skip

answers = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=40).map("".join),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=4)), max_size=40).map(" ".join),
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(answer=answers)
def test_grading_never_raises_and_stays_in_range(answer: str) -> None:
    g = grade(answer, SMALL)
    assert 0 <= g.points <= g.max_points
    assert g.points * 2 == int(g.points * 2)
    assert len(g.found) + len(g.missed) == len(SMALL.rubric.concepts)


@FAST
@given(answer=answers)
def test_grading_is_deterministic(answer: str) -> None:
    assert grade(answer, SMALL) == grade(answer, SMALL)


@FAST
@given(answer=answers)
def test_appending_a_full_answer_never_lowers_the_points(answer: str) -> None:
    before = grade(answer, SMALL).points
    assert grade(answer + "\n" + SMALL_FULL, SMALL).points >= before


# ----- on the real bank -----


@cache
def _bank_questions() -> tuple[Question, ...]:
    try:
        return load_bank().questions
    except BankError:
        return ()


def _full_examples() -> list[tuple[Question, str]]:
    return [
        (q, e.answer)
        for q in _bank_questions()
        for e in q.examples
        if e.kind in {"full", "modern"} and e.min_points >= 8
    ]


def _bank_answers() -> st.SearchStrategy[str]:
    fragments = sorted(
        {e.answer for q in _bank_questions() for e in q.examples}
        | {
            alternative
            for q in _bank_questions()
            for c in (*q.rubric.concepts, *q.rubric.misconceptions)
            for a in c.aliases
            for term in a.terms
            for alternative in term
        }
    )
    if not fragments:
        return st.text(max_size=200)
    pieces = st.one_of(st.sampled_from(fragments), st.sampled_from(WORDS), st.text(max_size=6))
    return st.lists(pieces, max_size=12).map("".join)


@pytest.mark.skipif(not _full_examples(), reason="the question bank does not load yet")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_appending_a_full_answer_never_lowers_the_points_on_the_bank(data: st.DataObject) -> None:
    question, full = data.draw(st.sampled_from(_full_examples()))
    answer = data.draw(_bank_answers())
    g = grade(answer, question)
    assert 0 <= g.points <= g.max_points
    assert grade(answer + "\n" + full, question).points >= g.points
