"""The tables of Slack installations and OAuth states, on our metadata, migrated by Alembic.

slack_sdk's SQLAlchemy stores build them (the same columns its queries expect); the token
columns are widened, since they hold Fernet ciphertext, about 2.5 times a token's length,
where slack_sdk allows 200 characters.
"""

from __future__ import annotations

from sqlalchemy import MetaData, Table, Text

INSTALLATIONS = "slack_installations"
BOTS = "slack_bots"
OAUTH_STATES = "slack_oauth_states"

TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


def add_slack_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    """Add the installations, bots and OAuth states tables to `metadata`; return them."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    installations = SQLAlchemyInstallationStore.build_installations_table(metadata, INSTALLATIONS)
    bots = SQLAlchemyInstallationStore.build_bots_table(metadata, BOTS)
    states = SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, OAUTH_STATES)
    for table in (installations, bots):
        for name in TOKEN_COLUMNS:
            if name in table.c:
                table.c[name].type = Text()
    return installations, bots, states
