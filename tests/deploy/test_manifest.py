"""The Slack app manifests: what the app listens to, and the fewest scopes that work."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import yaml
from slack_bolt import App, BoltRequest, BoltResponse

from bot.slack import ids
from bot.slack.commands import SUBCOMMANDS, parse
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


# The bot scope each Web API method the code calls needs (docs.slack.dev/reference/methods);
# None: no scope. A method missing here fails the test below: add it with its scope.
SCOPE_OF_METHOD: dict[str, str | None] = {
    "auth.test": None,
    "chat.postEphemeral": "chat:write",
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "conversations.open": "im:write",  # a direct message with one person
    "users.info": "users:read",  # is_admin / is_owner: who may run the game
    "views.open": None,
    "views.publish": None,
    "views.update": None,
}
# Scopes that read what people write (messages, files, reactions...) or search it: never.
CONTENT_SCOPES = {
    "bookmarks:read",
    "calls:read",
    "files:read",
    "links:read",
    "pins:read",
    "reactions:read",
    "reminders:read",
    "remote_files:read",
    "search:read",
    "stars:read",
}


def web_api_methods_the_code_calls() -> set[str]:
    """Every slack_sdk WebClient method named in bot/, as its Web API method name."""
    from slack_sdk import WebClient

    names = {n for n in vars(WebClient) if not n.startswith("_")}
    used: set[str] = set()
    for path in (REPO / "bot").rglob("*.py"):
        used |= set(re.findall(r"\.([a-z]+_[A-Za-z_]+)\b", path.read_text())) & names
    # chat_postMessage -> chat.postMessage, admin_apps_approve -> admin.apps.approve
    return {name.replace("_", ".") for name in used}


def test_the_code_calls_the_web_api_methods_the_scopes_were_chosen_for() -> None:
    called = web_api_methods_the_code_calls()
    assert {"chat.postMessage", "users.info", "conversations.open", "views.open"} <= called
    unknown = called - set(SCOPE_OF_METHOD)
    assert not unknown, f"add {sorted(unknown)} and the scope each needs to SCOPE_OF_METHOD"


@pytest.mark.parametrize("name", MANIFESTS)
def test_every_scope_the_calls_need_and_nothing_that_reads_messages(name: str) -> None:
    scopes = load(name)["oauth_config"]["scopes"]
    assert set(scopes) == {"bot"}, "no user scopes"
    needed = {SCOPE_OF_METHOD[m] for m in web_api_methods_the_code_calls()} - {None}
    needed.add("commands")  # the slash command
    assert set(scopes["bot"]) == needed, "every scope the calls need, and no other"
    assert tuple(scopes["bot"]) == BOT_SCOPES, "OAuth installs ask for the same scopes"
    history = {"channels:history", "groups:history", "im:history", "mpim:history"}
    forbidden = [s for s in scopes["bot"] if s in history | CONTENT_SCOPES or "history" in s]
    assert not forbidden


@pytest.mark.parametrize("name", MANIFESTS)
def test_the_usage_hint_lists_every_subcommand(name: str) -> None:
    (command,) = load(name)["features"]["slash_commands"]
    words = set(re.findall(r"[a-z]+", command["usage_hint"]))
    assert words == SUBCOMMANDS | {"topic", "all"}
    assert {parse(word).sub for word in words - {"topic", "all"}} == SUBCOMMANDS


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
