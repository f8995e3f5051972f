"""The Slack app manifests: what the app listens to, and the fewest scopes that work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import yaml
from slack_bolt import App, BoltRequest, BoltResponse

from bot.slack import ids
from bot.slack.oauth import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH
from tests.deploy.conftest import REPO

MANIFESTS = ["slack-app-manifest.yml", "slack-app-manifest.socket.yml"]
# Events a Slack bot commonly gets; the app must listen to exactly those the manifest names.
CANDIDATE_EVENTS = (
    "app_home_opened",
    "app_uninstalled",
    "tokens_revoked",
    "app_mention",
    "message",
    "member_joined_channel",
    "team_join",
)


def load(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / name).read_text())
    assert isinstance(loaded, dict)
    return loaded


@contextmanager
def the_app() -> Iterator[App]:
    """The Bolt app with its listeners, as the OAuth web role builds it."""
    from bot.bootstrap import build
    from bot.config import load_settings

    settings = load_settings(
        {
            "SLACK_CLIENT_ID": "1.2",
            "SLACK_CLIENT_SECRET": "s",
            "SLACK_SIGNING_SECRET": "x",
            "K8SQ_TOKEN_KEY": "d4e7cYh4ZLQsGw2m3XmPzpiFPyxcu2dkKvQ5VfQUE4Q=",
            "DATABASE_URL": "sqlite://",
        },
        env_file=None,
    )
    bot = build(settings)
    try:
        yield bot.slack_app()
    finally:
        bot.close()


def listeners_for(app: App, body: dict[str, Any]) -> int:
    """How many of the app's listeners match a request with this body."""
    request = BoltRequest(body=json.dumps(body), headers={"content-type": ["application/json"]})
    response = BoltResponse(status=200)
    return sum(bool(listener.matches(req=request, resp=response)) for listener in app._listeners)


def events_the_app_listens_to() -> set[str]:
    """The event types of the Bolt app's listeners."""
    with the_app() as app:
        return {
            event
            for event in CANDIDATE_EVENTS
            if listeners_for(
                app, {"type": "event_callback", "team_id": "T0", "event": {"type": event}}
            )
        }


def every_request_kind() -> list[tuple[str, dict[str, Any]]]:
    """A request for every id in bot.slack.ids that Slack sends back, and the command."""
    team, user = {"id": "T0"}, {"id": "U0"}
    kinds: list[tuple[str, dict[str, Any]]] = [
        (
            "command",
            {"command": ids.SLASH_COMMAND, "team_id": "T0", "user_id": "U0", "text": ""},
        )
    ]
    for name in dir(ids):
        value = getattr(ids, name)
        if name.endswith("_ACTION_ID"):
            action = {"action_id": value, "block_id": "b", "type": "button", "value": "1"}
            body = {"type": "block_actions", "team": team, "user": user, "actions": [action]}
            kinds.append((name, body))
        elif name.endswith("_MODAL_CALLBACK_ID"):
            view = {"id": "V0", "callback_id": value, "type": "modal"}
            kinds.append(
                (name, {"type": "view_submission", "team": team, "user": user, "view": view})
            )
    return kinds


@pytest.mark.parametrize("name", MANIFESTS)
def test_the_fewest_scopes_and_nothing_that_reads_history(name: str) -> None:
    scopes = load(name)["oauth_config"]["scopes"]
    assert set(scopes) == {"bot"}, "no user scopes"
    assert tuple(scopes["bot"]) == BOT_SCOPES == ("commands", "chat:write", "im:write")
    assert not [s for s in scopes["bot"] if ":history" in s or s.endswith(":read")]


@pytest.mark.parametrize("name", MANIFESTS)
def test_the_command_interactivity_home_tab_and_events(name: str) -> None:
    manifest = load(name)
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == [ids.SLASH_COMMAND]
    assert features["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_home_opened", "app_uninstalled", "tokens_revoked"}


def test_the_manifest_subscribes_to_every_event_the_app_handles() -> None:
    declared = set(load(MANIFESTS[0])["settings"]["event_subscriptions"]["bot_events"])
    assert events_the_app_listens_to() == declared


def test_every_command_button_and_modal_has_exactly_one_listener() -> None:
    # Bolt runs the first listener that matches: a second one would never be reached.
    # The feedback modal has no submit button, so nothing listens to it.
    with the_app() as app:
        counts = {name: listeners_for(app, body) for name, body in every_request_kind()}
    assert counts.pop("FEEDBACK_MODAL_CALLBACK_ID") == 0
    assert counts == dict.fromkeys(counts, 1)
    assert len(counts) >= 12


def test_http_points_slack_at_our_paths_and_socket_mode_at_none() -> None:
    http, socket = load(MANIFESTS[0]), load(MANIFESTS[1])
    urls = [
        http["features"]["slash_commands"][0]["url"],
        http["settings"]["event_subscriptions"]["request_url"],
        http["settings"]["interactivity"]["request_url"],
    ]
    assert all(u.startswith("https://") and u.endswith("/slack/events") for u in urls)
    assert http["oauth_config"]["redirect_urls"][0].endswith(REDIRECT_PATH)
    assert INSTALL_PATH == "/slack/install"
    assert http["settings"]["socket_mode_enabled"] is False
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "/slack/" not in (REPO / MANIFESTS[1]).read_text().split("_metadata")[1]
