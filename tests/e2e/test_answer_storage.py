"""The database down while someone answers: they are told it was not saved, nothing is."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url

from bot.config import Settings
from bot.services import Services
from bot.slack import ids
from bot.store.sql_store import SqlStore
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.slack_client import SlackSender, text_input
from tests.e2e.test_answer import ALICE, full_answer, post_round, updates_of


@contextmanager
def database_down(services: Services, settings: Settings) -> Iterator[None]:
    """Replace the SQLite file with one that is not a database, then put it back."""
    store = services.store
    assert isinstance(store, SqlStore)
    path = Path(str(make_url(settings.database_url).database))
    store.engine.dispose()  # closing the last connection folds the WAL into the file
    saved = path.with_suffix(".saved")
    shutil.move(path, saved)
    path.write_bytes(b"this is not a database file" * 100)
    try:
        yield
    finally:
        store.engine.dispose()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.move(saved, path)


def submit(slack: SlackSender, round_id: int, text: str) -> dict[str, object]:
    resp = slack.submit(
        ids.ANSWER_MODAL_CALLBACK_ID,
        text_input(ids.ANSWER_BLOCK_ID, ids.ANSWER_INPUT_ID, text),
        user=ALICE,
        private_metadata=json.dumps({"round": round_id, "lang": "en"}),
    )
    assert resp.status == 200
    body: dict[str, object] = resp.json()
    return body


def test_an_answer_that_cannot_be_stored_says_so_and_can_be_sent_again(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, settings: Settings
) -> None:
    round_ = post_round(services, fake_slack, slack.team_id)
    text = full_answer(services.question(round_.question_id))

    with database_down(services, settings):
        body = submit(slack, round_.id, text)
        assert body["response_action"] == "errors"
        errors = body["errors"]
        assert isinstance(errors, dict)
        assert "could not be saved" in errors[ids.ANSWER_BLOCK_ID]
        assert "again" in errors[ids.ANSWER_BLOCK_ID]

    # Nothing half-written: no scored answer, no practice answer.
    assert services.count_answers(round_.id) == 0
    assert services.store.question_scores(slack.team_id, ALICE) == []
    assert updates_of(fake_slack, round_) == []

    # Submitting again once the database is back counts.
    body = submit(slack, round_.id, text)
    assert body["response_action"] == "update"
    assert services.count_answers(round_.id) == 1


def test_the_answer_button_says_when_the_database_is_unavailable(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, settings: Settings
) -> None:
    round_ = post_round(services, fake_slack, slack.team_id)
    with database_down(services, settings):
        assert slack.click(ids.ANSWER_ACTION_ID, str(round_.id), user=ALICE).status == 200
        (call,) = fake_slack.wait_for("views.open")
        assert "cannot reach its database" in json.dumps(call.args["view"])
        resp = slack.command("svc", user=ALICE)
        assert resp.status == 200
        assert "cannot reach its database" in resp.text


def test_every_button_that_opens_a_modal_says_when_the_database_is_unavailable(
    slack: SlackSender, fake_slack: FakeSlack, services: Services, settings: Settings
) -> None:
    round_ = post_round(services, fake_slack, slack.team_id)
    question_id = round_.question_id
    clicks = [
        (ids.OTHER_LANGUAGE_ACTION_ID, str(round_.id)),
        (ids.PRACTICE_ANSWER_ACTION_ID, question_id),
        (ids.PRACTICE_TOPIC_ACTION_ID, services.question(question_id).topic),
    ]
    with database_down(services, settings):
        for at, (action_id, value) in enumerate(clicks, start=1):
            assert slack.click(action_id, value, user=ALICE).status == 200
            opened = fake_slack.wait_for("views.open", at)[-1]
            assert "cannot reach its database" in json.dumps(opened.args["view"]), action_id
