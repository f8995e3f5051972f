"""Installs into many workspaces, end to end: Bolt's OAuth flow over HTTP against the Slack fake,
tokens encrypted in the database, the welcome, uninstalls, and two workspaces kept apart."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, select

from bot.config import ConfigError, Settings, load_settings
from bot.jobs import Jobs
from bot.services import Services
from bot.slack.chat import SlackChat
from bot.slack.oauth import WELCOME, EncryptedInstallationStore, Installs, TokenKeyError
from bot.store import tables
from tests.deploy.oauth_slack import CLIENT_ID, CLIENT_SECRET, OAuthSlack
from tests.e2e.conftest import E2E_QUESTIONS, FakeClock, serve
from tests.e2e.slack_client import SlackSender, slash_command

SIGNING_SECRET = "oauth-signing-secret"
KEY = Fernet.generate_key().decode()
STATE_COOKIE = "slack-app-oauth-state"


@dataclass
class Page:
    status: int
    body: str
    headers: dict[str, str]


def get(base: str, path: str, *, cookie: str | None = None, **query: str) -> Page:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        target = path + ("?" + urlencode(query) if query else "")
        conn.request("GET", target, headers={"Cookie": cookie} if cookie else {})
        resp = conn.getresponse()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        return Page(resp.status, resp.read().decode(), headers)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fake() -> Iterator[OAuthSlack]:
    slack = OAuthSlack().start()
    yield slack
    slack.stop()


@pytest.fixture(scope="module")
def settings(fake: OAuthSlack, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    db = tmp_path_factory.mktemp("oauth") / "k8sq.db"
    return load_settings(
        {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "K8SQ_TOKEN_KEY": KEY,
            "SLACK_API_URL": fake.url,
            "DATABASE_URL": f"sqlite:///{db}",
            "K8SQ_QUESTIONS_DIR": str(E2E_QUESTIONS),
            # The single workspace's defaults: an install must not inherit its channel or admins.
            "K8SQ_CHANNEL": "C0ENVCHAN",
            "K8SQ_ADMINS": "U0ENVADMIN",
        },
        env_file=None,
    )


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    """Wednesday 2026-11-25, 01:00 UTC: 09:00 in Shanghai, 20:00 the day before in New York."""
    return FakeClock(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))


@dataclass
class Deployed:
    url: str
    bot: Any  # bot.bootstrap.Bot
    installs: Installs
    services: Services
    engine: Engine


@pytest.fixture(scope="module")
def deployed(settings: Settings, clock: FakeClock, fake: OAuthSlack) -> Iterator[Deployed]:
    """The web role as `k8sq run --role web` builds it (Bot.wsgi), over a migrated database."""
    from bot.bootstrap import build

    bot = build(settings, clock=clock)
    bot.start(migrate=True)
    assert bot.installs is not None and bot.engine is not None
    with serve(bot.wsgi(), path="") as url:
        yield Deployed(url, bot, bot.installs, bot.services, bot.engine)
    bot.close()


def install(deployed: Deployed, fake: OAuthSlack, *, team_id: str, user_id: str) -> Page:
    """Walk the install: the install page (state cookie), Slack's consent, the redirect."""
    page = get(deployed.url, "/slack/install")
    assert page.status == 200, page.body
    state = re.search(r"state=([\w-]+)", page.body)
    assert state is not None, "the install page links to Slack's authorize URL with a state"
    cookie = page.headers["set-cookie"].split(";")[0]
    assert cookie == f"{STATE_COOKIE}={state[1]}"
    code = f"code-{team_id}"
    fake.grant(code, team_id=team_id, user_id=user_id)
    return get(deployed.url, "/slack/oauth_redirect", cookie=cookie, code=code, state=state[1])


def test_an_install_stores_an_encrypted_token_and_welcomes_the_installer_as_admin(
    deployed: Deployed, fake: OAuthSlack
) -> None:
    fake.reset()
    done = install(deployed, fake, team_id="T0AAA1", user_id="U0INSTALL")
    assert done.status == 200, done.body

    with deployed.engine.connect() as conn:
        row = conn.execute(
            select(tables.slack_bots.c.bot_token).where(tables.slack_bots.c.team_id == "T0AAA1")
        ).one()
    stored = row.bot_token
    assert "xoxb" not in stored, "the token is encrypted at rest"
    assert Fernet(KEY.encode()).decrypt(stored.encode()).decode() == "xoxb-t0aaa1-bot-token"
    assert deployed.installs.token_for("T0AAA1") == "xoxb-t0aaa1-bot-token"

    ws = deployed.services.get_settings("T0AAA1")
    assert ws.channel_id is None, "idle until someone picks a channel"
    assert ws.admins == ("U0INSTALL",)
    assert not ws.paused

    dm = fake.wait_for("chat.postMessage")[0]
    assert dm.token == "xoxb-t0aaa1-bot-token"
    assert dm.args["channel"] == "D0INSTALL"
    assert dm.args["text"] == WELCOME
    assert "/k8sq config" in WELCOME


def test_requests_from_an_installed_workspace_use_its_own_token(
    deployed: Deployed, fake: OAuthSlack
) -> None:
    install(deployed, fake, team_id="T0BBB2", user_id="U0B")
    fake.reset()
    sender = SlackSender(deployed.url + "/slack/events", SIGNING_SECRET, team_id="T0BBB2")
    # The installer is the workspace's first admin: the settings open with its own token.
    assert sender.command("config", user="U0B").status == 200
    opened = fake.wait_for("views.open")[0]
    assert opened.token == "xoxb-t0bbb2-bot-token"


def test_a_workspace_that_never_installed_is_told_to_reinstall(
    deployed: Deployed, fake: OAuthSlack
) -> None:
    fake.reset()
    sender = SlackSender(deployed.url + "/slack/events", SIGNING_SECRET, team_id="T0NOPE")
    form = slash_command("T0NOPE", "/k8sq", "", "U0X", "C0GENERAL")
    del form["response_url"]  # Bolt then answers in the acknowledgement, where a test sees it
    answer = sender.send_form(form)
    assert answer.status == 200
    assert "reinstall" in answer.body.decode()
    assert fake.calls_to("views.open") == []


def test_a_forged_or_replayed_state_installs_nothing(deployed: Deployed, fake: OAuthSlack) -> None:
    fake.grant("code-forged", team_id="T0EVIL", user_id="U0EVIL")
    page = get(deployed.url, "/slack/oauth_redirect", code="code-forged", state="made-up")
    assert page.status == 400
    assert deployed.installs.store.bot_token("T0EVIL") is None
    assert deployed.services.store.get_workspace("T0EVIL") is None


def test_uninstalling_deletes_the_tokens_pauses_the_workspace_and_keeps_its_history(
    deployed: Deployed, fake: OAuthSlack
) -> None:
    install(deployed, fake, team_id="T0CCC3", user_id="U0C")
    deployed.services.update_settings("T0CCC3", channel_id="C0CCC")
    round_ = deployed.services.create_round("T0CCC3")
    sender = SlackSender(deployed.url + "/slack/events", SIGNING_SECRET, team_id="T0CCC3")

    assert sender.event({"type": "app_uninstalled"}).status == 200

    assert deployed.installs.store.bot_token("T0CCC3") is None
    with deployed.engine.connect() as conn:
        for table in (tables.slack_bots, tables.slack_installations):
            left = conn.execute(select(table.c.id).where(table.c.team_id == "T0CCC3")).all()
            assert left == []
    assert deployed.services.get_settings("T0CCC3").paused
    assert deployed.services.get_round(round_.id).team_id == "T0CCC3"

    # Installing again picks up where it left off: same channel, unpaused.
    install(deployed, fake, team_id="T0CCC3", user_id="U0C")
    again = deployed.services.get_settings("T0CCC3")
    assert (again.channel_id, again.paused, again.admins) == ("C0CCC", False, ("U0C",))


def test_a_revoked_bot_token_is_deleted(deployed: Deployed, fake: OAuthSlack) -> None:
    install(deployed, fake, team_id="T0DDD4", user_id="U0D")
    sender = SlackSender(deployed.url + "/slack/events", SIGNING_SECRET, team_id="T0DDD4")
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}}
    assert sender.event(event).status == 200
    assert deployed.installs.store.bot_token("T0DDD4") is None
    assert deployed.services.get_settings("T0DDD4").paused


def test_two_workspaces_post_in_their_own_zone_channel_and_token_and_score_apart(
    deployed: Deployed, fake: OAuthSlack, clock: FakeClock
) -> None:
    services = deployed.services
    install(deployed, fake, team_id="T0SHA", user_id="U0SHA")
    install(deployed, fake, team_id="T0NYC", user_id="U0NYC")
    services.update_settings("T0SHA", channel_id="C0SHA", timezone="Asia/Shanghai")
    services.update_settings(
        "T0NYC", channel_id="C0NYC", timezone="America/New_York", post_time="09:30"
    )
    others = [w.team_id for w in services.list_workspaces() if w.team_id not in ("T0SHA", "T0NYC")]
    for team in others:  # the other tests' workspaces stay out of this one
        services.update_settings(team, paused=True)
    chat = SlackChat(base_url=fake.url, token_for=deployed.installs.token_for, max_retries=0)
    jobs = Jobs(services=services, chat=chat, clock=clock)
    fake.reset()
    token_of = {"C0SHA": "xoxb-t0sha-bot-token", "C0NYC": "xoxb-t0nyc-bot-token"}

    def questions_posted(since: int) -> list[str]:
        calls = [c for c in fake.calls[since:] if c.method in ("chat.postMessage", "chat.update")]
        for call in calls:  # every call into a channel carries that workspace's token
            assert call.token == token_of[call.args["channel"]], call
        return [c.args["channel"] for c in calls if c.method == "chat.postMessage"]

    # 09:30 in Shanghai is 20:30 the evening before in New York: only Shanghai posts.
    jobs.tick(datetime(2026, 11, 25, 1, 30, tzinfo=UTC))
    assert questions_posted(0) == ["C0SHA"]
    sha = services.store.round_on("T0SHA", date(2026, 11, 25))
    assert sha is not None
    clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    services.submit_answer(sha.id, "U0SHA", "pods are the smallest unit; pause container")

    # 09:30 in New York is 22:30 in Shanghai: New York posts its question, and Shanghai's
    # round, closed at 18:00 there, is revealed in its own thread.
    seen = len(fake.calls)
    jobs.tick(datetime(2026, 11, 25, 14, 30, tzinfo=UTC))
    assert sorted(questions_posted(seen)) == ["C0NYC", "C0SHA"]
    nyc = services.store.round_on("T0NYC", date(2026, 11, 25))
    assert nyc is not None and nyc.id != sha.id
    reveal = [c for c in fake.calls[seen:] if c.args.get("channel") == "C0SHA"]
    assert all(c.args.get("thread_ts") for c in reveal if c.method == "chat.postMessage")

    assert [s.user_id for s in services.weekly_leaderboard("T0SHA").standings] == ["U0SHA"]
    assert services.weekly_leaderboard("T0NYC").standings == ()
    assert services.count_answers(nyc.id) == 0


def test_oauth_without_a_token_key_refuses_to_start_in_one_line() -> None:
    env = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}
    with pytest.raises(ConfigError) as raised:
        load_settings(env, env_file=None)
    message = str(raised.value)
    assert "K8SQ_TOKEN_KEY" in message and "Fernet" in message and "\n" not in message
    with pytest.raises(ConfigError, match=r"K8SQ_TOKEN_KEY='not-a\.\.\.' is not valid"):
        load_settings({**env, "K8SQ_TOKEN_KEY": "not-a-key"}, env_file=None)


def test_tokens_saved_with_another_key_name_the_fix(deployed: Deployed, fake: OAuthSlack) -> None:
    install(deployed, fake, team_id="T0KEY", user_id="U0K")
    other = EncryptedInstallationStore(
        client_id=CLIENT_ID, engine=deployed.engine, keys=[Fernet.generate_key().decode()]
    )
    with pytest.raises(TokenKeyError, match="K8SQ_TOKEN_KEY"):
        other.bot_token("T0KEY")
    # Rotation: a new key first, the old one after it, reads the old tokens.
    rotated = EncryptedInstallationStore(
        client_id=CLIENT_ID, engine=deployed.engine, keys=[Fernet.generate_key().decode(), KEY]
    )
    assert rotated.bot_token("T0KEY") == "xoxb-t0key-bot-token"


def test_tokens_longer_than_slack_sdks_columns_fit_once_encrypted(engine: Engine) -> None:
    """slack_sdk's columns hold 200 characters; a long token's ciphertext is far longer."""
    from slack_sdk.oauth.installation_store import Installation

    store = EncryptedInstallationStore(client_id=CLIENT_ID, engine=engine, keys=[KEY])
    token = "xoxe.xoxb-1-" + "A" * 188
    store.save(
        Installation(
            app_id="A0K8SQ",
            team_id="T0LONG",
            user_id="U0L",
            bot_token=token,
            bot_id="B0",
            bot_user_id="U0BOT",
            bot_refresh_token="xoxe-1-" + "R" * 193,
        )
    )
    with engine.connect() as conn:
        stored = conn.execute(select(tables.slack_bots.c.bot_token)).scalar_one()
    assert len(stored) > 300
    bot = store.find_bot(enterprise_id=None, team_id="T0LONG")
    assert bot is not None
    assert (bot.bot_token, bot.bot_refresh_token) == (token, "xoxe-1-" + "R" * 193)
    installation = store.find_installation(enterprise_id=None, team_id="T0LONG")
    assert installation is not None and installation.bot_token == token


def test_single_token_mode_builds_no_installs(tmp_path: Path) -> None:
    from bot.bootstrap import build

    settings = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-one", "DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}"},
        env_file=None,
    )
    bot = build(settings)
    try:
        assert bot.installs is None
        assert not settings.oauth
    finally:
        bot.close()
