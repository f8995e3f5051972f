"""`k8sq practice`: a scripted terminal session, topic matching, and a clean exit.

These practise on a bank of their own (`--bank`), which records nothing; practice recorded in
the database is tested in tests/integration/test_practice_store.py.
"""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.practice import ShuffledChooser, local_user, run_practice
from bot.domain.model import Bank, Grade, Question
from bot.domain.records import InvalidAnswer
from bot.question_bank import load_bank

FULL = "ClusterIP 只能在集群内部访问，"
FULL_2 = "因为它是一个虚拟 IP。"


def feed(monkeypatch: pytest.MonkeyPatch, data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))


def test_a_session_asks_grades_and_reveals_until_end_of_input(
    small_bank: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An answer over two lines, a skip, an answer, then Ctrl-D at the fourth question.
    feed(monkeypatch, f"{FULL}\n{FULL_2}\n\n\n不知道\n\n")

    code = main(["practice", "Service", "--bank", str(small_bank)])
    out = capsys.readouterr().out

    assert code == 0
    assert out.startswith("k8sq practice: 服务类型 / Service types, 2 questions\n")
    asked = [line.split(" · ")[0].removeprefix("── ") for line in out.splitlines() if "──" in line]
    assert len(asked) == 4 and set(asked) == {"svc-reach", "svc-vip"}
    assert all(a != b for a, b in zip(asked, asked[1:], strict=False))
    assert out.count("ClusterIP 类型的 Service 能从集群外访问吗？") == 4
    assert out.count("Can a ClusterIP Service be reached from outside the cluster?") == 4
    assert "✓ 仅集群内可达 ← “" in out  # the first answer, both lines graded together
    assert "（跳过 / skipped）" in out  # the empty second answer skips
    assert out.count("参考答案 / Reference answer:") == 3
    assert out.count("不能，ClusterIP 只在集群内部可达，它是虚拟 IP。") == 3
    assert out.rstrip().splitlines()[-1].startswith("再见 / Goodbye: 2 answered, ")


def test_an_answer_ended_by_end_of_input_is_still_graded(
    small_bank: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(monkeypatch, FULL)
    assert main(["practice", "probe", "--bank", str(small_bank)]) == 0
    out = capsys.readouterr().out
    assert "── probe-kinds · 探针 / Probes · ★☆☆ ──" in out
    assert "答到了:" in out and "参考答案 / Reference answer:" in out
    assert "再见 / Goodbye: 1 answered, " in out


def test_immediate_end_of_input_says_goodbye(
    small_bank: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(monkeypatch, "")
    assert main(["practice", "--bank", str(small_bank)]) == 0
    out = capsys.readouterr().out
    assert "all topics / 全部主题, 3 questions" in out
    assert out.rstrip().endswith("再见 / Goodbye")


@pytest.mark.parametrize("words", [["kube", "proxy"], ["存储"], ["🙂"], ["x" * 2000]])
def test_an_unknown_topic_shows_the_closest_and_the_list(
    small_bank: Path, capsys: pytest.CaptureFixture[str], words: list[str]
) -> None:
    assert main(["practice", *words, "--bank", str(small_bank)]) == 2
    out = capsys.readouterr().out
    assert out.startswith("no topic '")
    assert "可选主题: probes (探针), services (服务类型)" in out
    assert len(out) < 400


def test_topics_are_matched_like_slack_does(
    small_bank: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for words in (["探针"], ["PROBES"], ["prboes"], ["ｓｖｃ"], ["service", "types"]):
        feed(monkeypatch, "")
        assert main(["practice", *words, "--bank", str(small_bank)]) == 0, words


class InterruptingStdin(io.StringIO):
    """A terminal where the person presses Ctrl-C at the second line."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def readline(self, size: int | None = -1) -> str:
        self.reads += 1
        if self.reads == 2:
            raise KeyboardInterrupt
        return "一行答案\n"


def test_ctrl_c_says_goodbye(small_bank: Path) -> None:
    stdin = InterruptingStdin()
    stdout = io.StringIO()
    assert run_practice(load_bank(small_bank), None, stdin=stdin, stdout=stdout) == 0
    assert stdout.getvalue().rstrip().endswith("再见 / Goodbye")
    assert stdin.reads == 2


def test_a_line_that_is_not_text_is_left_out(
    small_bank: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(monkeypatch, b"\xff\xfe broken\n" + FULL.encode() + b"\n\n")
    assert main(["practice", "svc", "--bank", str(small_bank)]) == 0
    out = capsys.readouterr().out
    assert "not UTF-8 text and was left out" in out
    assert "再见 / Goodbye: 1 answered, " in out


def test_a_topic_without_questions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], write_topic: object
) -> None:
    (tmp_path / "empty.yaml").write_text(
        "topic: {slug: empty, title: {zh: 空, en: Empty}}\nquestions: []\n", "utf-8"
    )
    assert main(["practice", "empty", "--bank", str(tmp_path)]) == 2
    assert "topic 'empty' has no questions yet" in capsys.readouterr().out


class RecordingGrader:
    """Grades everything 0 and records what it was asked, to check what practice passes on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, answer: str, question: Question) -> Grade:
        self.calls.append((question.id, answer))
        return Grade(question.id, 0.0, question.rubric.max_points, (), ())


def test_practice_grades_the_whole_answer_against_the_question_asked(small_bank: Path) -> None:
    bank: Bank = load_bank(small_bank)
    grader = RecordingGrader()
    stdin = io.StringIO("第一行\n  第二行  \n\n\n答案二\n")
    stdout = io.StringIO()
    code = run_practice(
        bank,
        "services",
        stdin=stdin,
        stdout=stdout,
        grade=grader,
        choose=lambda questions, last: questions[0],
    )
    assert code == 0
    assert grader.calls == [("svc-reach", "第一行\n  第二行  "), ("svc-reach", "答案二")]
    assert "2 answered, 0/20 (0%)" in stdout.getvalue()


def test_the_chooser_never_repeats_a_question_twice_in_a_row(small_bank: Path) -> None:
    questions = load_bank(small_bank).questions
    choose = ShuffledChooser(random.Random(7))
    last = None
    picked: list[str] = []
    for _ in range(300):
        last = choose(questions, last)
        picked.append(last.id)
    assert all(a != b for a, b in zip(picked, picked[1:], strict=False))
    # Every round of three asks each question once.
    for start in range(0, 300, 3):
        assert sorted(picked[start : start + 3]) == ["probe-kinds", "svc-reach", "svc-vip"]


def test_the_chooser_with_one_question(small_bank: Path) -> None:
    only = load_bank(small_bank).by_topic("probes")
    choose = ShuffledChooser(random.Random(1))
    assert [choose(only, None).id for _ in range(3)] == ["probe-kinds"] * 3


class RefusingGrader:
    """Refuses every answer, as the services refuse one too long to grade."""

    def __call__(self, answer: str, question: Question) -> Grade:
        raise InvalidAnswer(f"an answer has at most 10000 characters, this one {len(answer)}")


def test_an_answer_refused_is_said_and_not_counted(small_bank: Path) -> None:
    stdout = io.StringIO()
    code = run_practice(
        load_bank(small_bank),
        "probes",
        stdin=io.StringIO("太长的答案\n"),
        stdout=stdout,
        grade=RefusingGrader(),
    )
    out = stdout.getvalue()
    assert code == 0
    assert "（未评分 / not graded: an answer has at most 10000 characters, this one 5）" in out
    assert "skipped" not in out
    assert "参考答案 / Reference answer:" in out
    assert out.rstrip().endswith("再见 / Goodbye")


@pytest.mark.parametrize("name", ["", "   ", "x" * 33, "a\x1bb"])
def test_a_user_name_that_cannot_be_one_is_refused(
    small_bank: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["practice", "--user", name, "--bank", str(small_bank)])
    assert exit_.value.code == 2
    assert "argument --user: " in capsys.readouterr().err


def test_the_user_name_defaults_to_the_os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "  alice ")
    assert local_user() == "alice"

    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr("getpass.getuser", no_user)
    assert local_user() == "local"
