"""The harness itself: it sets settings the code reads, so its tests run on its own bank."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings
from bot.services import Services
from tests.e2e.conftest import E2E_QUESTIONS

BOT = Path(__file__).resolve().parents[2] / "bot"
SETTING = re.compile(r"[\"']((?:K8SQ|SLACK)_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL|PORT)[\"']")


def settings_the_code_reads() -> set[str]:
    """Every quoted setting name in bot/: what `load_settings` and its helpers read."""
    return {name for path in BOT.rglob("*.py") for name in SETTING.findall(path.read_text())}


def test_every_name_the_harness_sets_is_read_by_the_code(slack_env: dict[str, str]) -> None:
    unread = set(slack_env) - settings_the_code_reads()
    assert not unread, f"the harness sets {sorted(unread)}, which no code reads"


def test_the_tests_run_on_the_small_e2e_bank(settings: Settings, services: Services) -> None:
    assert settings.questions_dir == E2E_QUESTIONS
    ids = [q.id for topic in services.bank.topics for q in services.bank.by_topic(topic.slug)]
    assert ids and all(i.startswith("e2e-") for i in ids)
