"""`k8sq practice` and `k8sq run` without Slack: practice recorded in a SQLite file, and chosen
by the practice rule (unanswered questions first, then the weakest; never one twice in a row).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.cli import main
from bot.cli.practice import TERMINAL_TEAM, local_user
from bot.store import tables as t
from bot.store.engine import create_engine_for

# Two concepts of equal weight: "alpha beta" earns 10/10, "alpha" 5/10, anything else 0/10.
FULL, HALF, NOTHING = "alpha beta", "alpha", "zzz"


def _question(qid: str) -> dict[str, Any]:
    concept = {"label": {"zh": "概念", "en": "a concept"}, "weight": 1}
    return {
        "id": qid,
        "difficulty": 1,
        "section": "笔记",
        "style": "explain",
        "prompt": {"zh": f"{qid} 是什么？", "en": f"What is {qid}?"},
        "reference": {"zh": f"{qid} 的参考答案。", "en": f"The reference of {qid}."},
        "rubric": {
            "concepts": [
                {**concept, "id": "a", "aliases": ["alpha"], "hint": {"zh": "a", "en": "a"}},
                {**concept, "id": "b", "aliases": ["beta"], "hint": {"zh": "b", "en": "b"}},
            ]
        },
        "examples": [
            {"kind": "full", "answer": FULL, "points": [10, 10]},
            {"kind": "partial", "answer": HALF, "points": [5, 5]},
            {"kind": "wrong", "answer": NOTHING, "points": [0, 0]},
        ],
    }


def _write_bank(folder: Path) -> Path:
    folder.mkdir()
    topics = {
        "services": ("服务类型", "Service types", "svc", ["svc-1", "svc-2", "svc-3"]),
        "probes": ("探针", "Probes", "probe", ["probe-1"]),
    }
    for slug, (zh, en, alias, ids) in topics.items():
        document = {
            "topic": {"slug": slug, "title": {"zh": zh, "en": en}, "aliases": [alias]},
            "questions": [_question(qid) for qid in ids],
        }
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
        (folder / f"{slug}.yaml").write_text(text, "utf-8")
    return folder


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory without .env, the small bank configured, a SQLite file not made yet."""
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "data" / "k8sq.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("K8SQ_QUESTIONS_DIR", str(_write_bank(tmp_path / "bank")))
    return path


def feed(monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
    """Answers one after another, each ended by an empty line ("" skips); then end of input."""
    data = "".join(f"{answer}\n\n" if answer else "\n" for answer in answers)
    monkeypatch.setattr(sys, "stdin", io.StringIO(data))


def asked(out: str) -> list[str]:
    return [line.split(" · ")[0].removeprefix("── ") for line in out.splitlines() if "──" in line]


def attempts(path: Path) -> list[tuple[Any, ...]]:
    engine = create_engine_for(f"sqlite:///{path}")
    p = t.practice_attempts
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(p.c.team_id, p.c.user_id, p.c.question_id, p.c.points, p.c.reason).order_by(
                    p.c.id
                )
            ).all()
    finally:
        engine.dispose()
    return [tuple(row) for row in rows]


def test_a_session_records_each_answer_and_follows_the_practice_rule(
    db_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # svc-1 in full; svc-2 skipped; then svc-3 (unanswered, and not svc-2 straight back) in
    # half; svc-2 (still unanswered) wrong; then the weakest that is not the one just tried.
    feed(monkeypatch, FULL, "", HALF, NOTHING)
    assert main(["practice", "svc", "--user", "alice"]) == 0
    out = capsys.readouterr().out

    assert asked(out) == ["svc-1", "svc-2", "svc-3", "svc-2", "svc-3"]
    assert f"recording as alice (workspace terminal) in sqlite:///{db_file}" in out
    assert attempts(db_file) == [
        (TERMINAL_TEAM, "alice", "svc-1", 10.0, "practice"),
        (TERMINAL_TEAM, "alice", "svc-3", 5.0, "practice"),
        (TERMINAL_TEAM, "alice", "svc-2", 0.0, "practice"),
    ]
    assert "再见 / Goodbye: 3 answered, 15/30 (50%)" in out
    assert "   50%  服务类型 / Service types (3 answers)" in out

    # The next session remembers: svc-2 (0%) was tried last, so svc-3 (50%) comes first.
    feed(monkeypatch, FULL)
    assert main(["practice", "services", "--user", "alice"]) == 0
    out = capsys.readouterr().out
    assert asked(out)[0] == "svc-3"
    assert attempts(db_file)[-1][1:4] == ("alice", "svc-3", 10.0)

    # Another person starts from the beginning; every topic is on offer without one; once all
    # are tried at 50%, the one tried longest ago comes back.
    feed(monkeypatch, HALF, HALF, HALF, HALF, HALF)
    assert main(["practice", "--user", "bob"]) == 0
    out = capsys.readouterr().out
    assert asked(out)[:5] == ["probe-1", "svc-1", "svc-2", "svc-3", "probe-1"]
    mastery = out[out.index("掌握程度 / Mastery") :]
    assert "   50%  探针 / Probes (2 answers)" in mastery
    assert "   50%  服务类型 / Service types (3 answers)" in mastery
    assert [row[1] for row in attempts(db_file)].count("bob") == 5


def test_run_without_slack_practises_and_records_for_the_os_user(
    db_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed(monkeypatch, HALF)
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "starting terminal practice" in out.splitlines()[0]
    # Every topic is on offer: the bank's first question (probes.yaml comes first).
    assert attempts(db_file) == [(TERMINAL_TEAM, local_user(), "probe-1", 5.0, "practice")]


def test_the_terminal_workspace_is_paused_without_a_channel(
    db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A channel in the environment must not reach it: the scheduler would post there.
    monkeypatch.setenv("K8SQ_CHANNEL", "C0CHANNEL")
    feed(monkeypatch)
    assert main(["practice", "--user", "alice"]) == 0
    engine = create_engine_for(f"sqlite:///{db_file}")
    w = t.workspaces
    with engine.connect() as conn:
        rows = conn.execute(select(w.c.team_id, w.c.paused, w.c.channel_id)).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [(TERMINAL_TEAM, True, None)]


def test_another_bank_records_nothing(
    db_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    feed(monkeypatch, FULL)
    bank = tmp_path / "bank"
    assert main(["practice", "svc", "--bank", str(bank)]) == 0
    out = capsys.readouterr().out
    assert "--bank: 不记录 / nothing is recorded" in out
    assert "1 answered, 10/10 (100%)" in out
    assert not db_file.exists()


def test_an_unreachable_database_is_one_line_and_exit_2(
    db_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+psycopg://k8sq:hunter2@127.0.0.1:9/k8sq?connect_timeout=2"
    )
    feed(monkeypatch, FULL)
    assert main(["practice", "--user", "alice"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("k8sq: cannot use the database postgresql+psycopg://k8sq:***@")
    assert "hunter2" not in captured.err
