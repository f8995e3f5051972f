"""`k8sq grade`: one answer for a person or a program, many as JSON lines, and bad input."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main

FULL = "不能。ClusterIP 只能在集群内部访问，因为它是一个虚拟 IP，外部没有路由。"
FULL_EN = "No. It is only reachable inside the cluster, because it is a virtual IP."


def feed(monkeypatch: pytest.MonkeyPatch, data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))


def grade_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["grade", *args, "--json"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1
    result: dict[str, Any] = json.loads(out)
    return result


def test_a_full_answer_for_a_person(small_bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grade", "svc-reach", FULL, "--bank", str(small_bank)])
    out = capsys.readouterr().out
    assert code == 0
    first = out.splitlines()[0]
    assert first.endswith("/10  (通过)")
    assert "答到了:" in out and "✓ 仅集群内可达 ← “" in out


def test_an_empty_answer_for_a_person_in_english(
    small_bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["grade", "svc-reach", "", "--bank", str(small_bank), "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("0/10  (not passed)")
    assert "Missed:\n  ✗ reachable only inside the cluster [required]\n    → It is reachable" in out


def test_json_has_every_field_a_program_needs(
    small_bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = grade_json(capsys, "svc-reach", FULL_EN, "--bank", str(small_bank))

    assert result["question_id"] == "svc-reach"
    assert result["max_points"] == 10
    assert 0 < result["points"] <= 10
    found = {hit["concept"]: hit for hit in result["found"]}
    assert "inside-only" in found
    assert found["inside-only"]["matched"] and all(
        isinstance(word, str) for word in found["inside-only"]["matched"]
    )
    assert found["inside-only"]["label"] == "reachable only inside the cluster"
    for miss in result["missed"]:
        assert set(miss) >= {"concept", "hint"}
    assert result["misconceptions"] == []
    assert len(result["rubric_version"]) == 12


def test_json_of_an_empty_answer_lists_every_miss_with_its_hint(
    small_bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = grade_json(capsys, "svc-reach", "", "--bank", str(small_bank), "--lang", "zh")
    assert result["points"] == 0 and result["found"] == []
    assert [(m["concept"], m["hint"]) for m in result["missed"]] == [
        ("inside-only", "它只在集群内部可达。"),
        ("virtual-ip", "它是虚拟 IP。"),
    ]


def test_the_answer_comes_from_stdin_when_omitted(
    small_bank: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(monkeypatch, FULL + "\n第二行。\n")
    from_stdin = grade_json(capsys, "svc-reach", "--bank", str(small_bank))
    from_argument = grade_json(
        capsys, "svc-reach", FULL + "\n第二行。\n", "--bank", str(small_bank)
    )
    assert from_stdin == from_argument
    assert from_stdin["found"]


def test_an_unknown_id_exits_2_with_the_closest(
    small_bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["grade", "svc-raech", "anything", "--bank", str(small_bank)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("unknown question id 'svc-raech' (closest: svc-reach")


def test_stdin_that_is_not_text_is_one_clear_line(
    small_bank: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(monkeypatch, b"ok \xff\xfe\x00 binary")
    code = main(["grade", "svc-reach", "--bank", str(small_bank)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == "stdin is not UTF-8 text (byte 3 is 0xff)\n"


def test_an_argument_that_is_not_text(small_bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # What Python makes of an argument whose bytes are not UTF-8.
    code = main(["grade", "svc-reach", "bad \udcff bytes", "--bank", str(small_bank)])
    assert code == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_an_unreadable_bank_lists_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], write_topic: Any, make_question: Any
) -> None:
    write_topic(tmp_path, questions=[make_question(difficulty=9)])
    code = main(["grade", "svc-reach", "x", "--bank", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "the question bank has 1 problem:" in err
    assert "svc-reach: questions[0].difficulty: must be at most 3" in err


def test_a_missing_question_id_is_a_usage_error(
    small_bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["grade", "--bank", str(small_bank)]) == 2
    assert "QUESTION_ID" in capsys.readouterr().err
    assert main(["grade", "svc-reach", "--jsonl", "--bank", str(small_bank)]) == 2
    assert "--jsonl takes no QUESTION_ID" in capsys.readouterr().err


HOSTILE_ANSWERS = [
    "",
    " \n\t ",
    "🙂" * 300,
    "x" * 20000,
    "不" * 5000,
    "'; DROP TABLE answers; --",
    "<script>alert(1)</script> *bold* <!channel>",
    "\x00\x01\x1b[31m",
    "\ud800 lone surrogate",
    "ClusterIP ClusterIP ClusterIP 集群外 可以 " * 200,
]


@pytest.mark.parametrize("answer", HOSTILE_ANSWERS)
def test_any_string_at_all_is_graded(
    small_bank: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
) -> None:
    line = json.dumps({"question_id": "svc-reach", "answer": answer})
    feed(monkeypatch, line + "\n")
    assert main(["grade", "--jsonl", "--bank", str(small_bank)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["line"] == 1 and result["question_id"] == "svc-reach"
    assert 0 <= result["points"] <= result["max_points"] == 10


def test_jsonl_grades_in_order_and_marks_each_bad_line(
    small_bank: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        json.dumps({"question_id": "svc-reach", "answer": FULL}, ensure_ascii=False),
        "not json at all",
        "[1, 2]",
        json.dumps({"question_id": "svc-reach"}),
        json.dumps({"question_id": 7, "answer": "x"}),
        "",  # blank lines are skipped
        json.dumps({"question_id": "svc-raech", "answer": "x"}),
        json.dumps({"question_id": "probe-kinds", "answer": "", "extra": True}),
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8") + b"\xff\xfe\n"
    feed(monkeypatch, data)

    assert main(["grade", "--jsonl", "--bank", str(small_bank)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert [item["line"] for item in out] == [1, 2, 3, 4, 5, 7, 8, 9]
    assert out[0]["question_id"] == "svc-reach" and out[0]["found"]
    assert out[1]["error"].startswith("not JSON")
    assert out[2]["error"] == "expected an object with question_id and answer"
    assert out[3]["error"] == "answer is missing"
    assert out[4]["error"] == "question_id must be a string"
    assert out[5]["error"].startswith("unknown question id 'svc-raech' (closest: svc-reach")
    assert out[6]["question_id"] == "probe-kinds" and out[6]["points"] == 0
    assert out[7] == {"line": 9, "error": "not UTF-8 text"}
    for item in (out[0], out[6]):
        assert {"question_id", "points", "max_points", "found", "missed", "misconceptions"} <= set(
            item
        )


class ClosedPipe(io.StringIO):
    """A reader that went away after the first line (`k8sq grade --jsonl | head -1`)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines = 0

    def write(self, text: str) -> int:
        if self.lines >= 1:
            raise BrokenPipeError
        self.lines += text.count("\n")
        return super().write(text)


def test_jsonl_stops_quietly_when_the_reader_goes_away(
    small_bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = json.dumps({"question_id": "svc-reach", "answer": "x"})
    feed(monkeypatch, (line + "\n") * 5)
    out = ClosedPipe()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["grade", "--jsonl", "--bank", str(small_bank)]) == 0
    assert out.getvalue().count("\n") == 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    items=st.lists(
        st.one_of(
            st.text(max_size=60).filter(lambda s: "\n" not in s and "\r" not in s),
            JSON_VALUES.map(json.dumps),
            st.builds(
                lambda qid, answer: json.dumps({"question_id": qid, "answer": answer}),
                st.sampled_from(["svc-reach", "probe-kinds", "nope"]),
                st.text(max_size=200),
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_jsonl_answers_every_line_whatever_it_holds(
    small_bank: Path, monkeypatch: pytest.MonkeyPatch, items: list[str]
) -> None:
    feed(monkeypatch, "\n".join(items) + "\n")
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["grade", "--jsonl", "--bank", str(small_bank)]) == 0
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    expected = [n for n, item in enumerate(items, start=1) if item.strip()]
    assert [r["line"] for r in results] == expected
    for result in results:
        assert ("error" in result) != ("points" in result)


def test_a_misconception_is_shown_with_why_and_the_words(
    small_bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = "ClusterIP 可以从集群外访问，它是虚拟 IP"
    assert main(["grade", "svc-reach", answer, "--bank", str(small_bank)]) == 0
    out = capsys.readouterr().out
    assert "错误说法:\n  ! -3  ClusterIP 可以从集群外访问 ← “" in out
    assert "✗ 仅集群内可达 [必答]\n    → 它只在集群内部可达。" in out

    result = grade_json(capsys, "svc-reach", answer, "--bank", str(small_bank), "--lang", "en")
    [bad] = result["misconceptions"]
    assert bad["misconception"] == "external-reach" and bad["penalty"] == 3
    assert bad["statement"] == "a ClusterIP can be reached from outside"
    assert bad["matched"]
