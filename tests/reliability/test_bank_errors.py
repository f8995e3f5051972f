"""A broken question bank at start: the bot refuses to start, lists every problem, and leaves
the database untouched (a migrated one byte for byte; none created where there was none)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import BOT_TOKEN, E2E_QUESTIONS
from tests.reliability import figures
from tests.reliability.processes import ROOT


def broken_bank(folder: Path) -> Path:
    """Three files, three kinds of trouble: bad YAML, a bad field, a duplicate question id."""
    good = (E2E_QUESTIONS / "services.yaml").read_text(encoding="utf-8")
    folder.mkdir()
    (folder / "syntax.yaml").write_text("topic: {slug: broken\nquestions: [\n", encoding="utf-8")
    (folder / "fields.yaml").write_text(
        good.replace("slug: services", "slug: fields")
        .replace("e2e-clusterip-reach", "fields-question")
        .replace("difficulty: 1", "difficulty: 99", 1),
        encoding="utf-8",
    )
    (folder / "services.yaml").write_text(good, encoding="utf-8")
    (folder / "again.yaml").write_text(
        good.replace("slug: services", "slug: again"), encoding="utf-8"
    )
    return folder


def start(database: Path, questions: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": "http://127.0.0.1:9/api/",  # never reached: the bank fails first
        "K8SQ_QUESTIONS_DIR": str(questions),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", "--role", "scheduler"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def problems_in(err: str) -> int:
    """N of "the question bank has N problems" in the refusal."""
    found = re.search(r"has (\d+) problems?", err)
    assert found, err
    return int(found.group(1))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("database", ["migrated", "none yet"])
def test_a_broken_bank_stops_the_start_and_leaves_the_database_alone(
    database: str, sqlite_template: Path, tmp_path: Path
) -> None:
    questions = broken_bank(tmp_path / "questions")
    db = tmp_path / "k8sq.db"
    if database == "migrated":
        shutil.copy(sqlite_template, db)
        before = digest(db)
    result = start(db, questions)
    assert result.returncode != 0
    err = result.stderr
    assert problems_in(err) >= 3
    for problem in ("syntax.yaml", "fields.yaml", "difficulty", "e2e-clusterip-reach"):
        assert problem in err, (problem, err)
    if database == "migrated":
        assert digest(db) == before
        assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    else:
        assert not db.exists()
    figures.record(
        f"broken bank at start ({database} database)",
        exit_code=result.returncode,
        problems_listed=problems_in(err),
        database_touched="no",
    )
