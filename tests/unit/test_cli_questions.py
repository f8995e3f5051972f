"""`k8sq questions check | list` on small banks written to tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.cli import main


def test_check_passes_on_a_good_bank(small_bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["questions", "check", str(small_bank)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[-1] == (
        "2 files, 2 topics, 3 questions, 9 examples: all within their range"
    )
    assert "  services: 2 questions" in out and "  probes: 1 question\n" in out


def test_check_reports_each_example_outside_its_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_question: Any, write_topic: Any
) -> None:
    question = make_question("svc-reach")
    question["examples"][2] = {"kind": "empty", "answer": "", "points": [5, 10]}
    question["examples"].append({"kind": "wrong", "answer": "不知道", "points": [4, 6]})
    path = write_topic(tmp_path, questions=[make_question("svc-ok"), question])

    code = main(["questions", "check", str(path)])
    out = capsys.readouterr().out
    lines = (tmp_path / "services.yaml").read_text("utf-8").splitlines()

    assert code == 1
    failures = [line for line in out.splitlines() if "examples[" in line]
    assert len(failures) == 2
    empty = failures[0]
    location, _, rest = empty.partition(": ")
    assert location.startswith(str(path) + ":")
    line_number = int(location.rsplit(":", 1)[1])
    assert "kind: empty" in lines[line_number - 1]
    assert rest == "svc-reach: examples[2] (empty): expected [5, 10], got 0/10"
    block = out[out.index(empty) :]
    assert "    answer: (empty)\n    found: -\n    missed: inside-only*, virtual-ip\n" in block
    assert "svc-reach: examples[3] (wrong): expected [4, 6], got 0/10" in failures[1]
    assert "  services: 2 questions, 2 outside their range\n" in out
    assert out.splitlines()[-1] == (
        "1 files, 1 topics, 2 questions, 7 examples: 2 outside their range (in 1 questions)"
    )


def test_check_fails_on_an_invalid_bank_with_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_question: Any, write_topic: Any
) -> None:
    bad = make_question("svc-bad", difficulty=0)
    bad["rubric"]["concepts"][0]["weigth"] = bad["rubric"]["concepts"][0].pop("weight")
    write_topic(tmp_path, questions=[bad])
    (tmp_path / "broken.yaml").write_text("topic: [\n", "utf-8")

    code = main(["questions", "check", str(tmp_path)])
    out = capsys.readouterr().out

    assert code == 1
    assert "the question bank has 4 problems:" in out  # weight is missing, too
    assert "broken.yaml:2: YAML syntax error" in out
    assert "svc-bad: questions[0].difficulty: must be at least 1, got 0" in out
    assert "unknown key 'weigth' (did you mean 'weight'?)" in out
    assert out.splitlines()[-1] == "bank check FAILED: fix the problems above"


def test_check_of_a_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questions", "check", str(tmp_path / "nope")]) == 1
    assert "no such file or folder" in capsys.readouterr().out


def test_check_defaults_to_the_configured_bank(
    small_bank: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("K8SQ_QUESTIONS_DIR", str(small_bank))
    assert main(["questions", "check", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out == "2 files, 2 topics, 3 questions, 9 examples: all within their range\n"


def test_list_shows_topics_and_counts(small_bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questions", "list", str(small_bank)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["probes", "1", "★:1"]
    assert "探针 / Probes  [probe, 探针, liveness]" in out[0]
    assert out[1].split()[:3] == ["services", "2", "★:2"]
    assert out[-1] == "2 topics, 3 questions"


def test_questions_without_a_subcommand_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["questions"]) == 2
    assert "check" in capsys.readouterr().err
