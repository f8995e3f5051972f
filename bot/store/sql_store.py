"""The Store port on SQLAlchemy: rows in, domain values out. One transaction per call.

SqlStore is one class per area of what k8sq remembers, all on the plumbing of
bot.store.sql_base.SqlBase:
- `sql_answers`: the answer's path on statements built once, answers, practice, Home tabs;
- `sql_rounds`: the question bank's copy, and the daily rounds;
- `sql_workspaces`: workspaces and their settings, claimed runs, processed Slack events;
- `sql_stats`: what the leaderboards, streaks and a person's stats read;
- `sql_scores`: regrading, points an admin sets, and disputes.
"""

from __future__ import annotations

from bot.store.sql_answers import AnswerRows
from bot.store.sql_rounds import RoundRows
from bot.store.sql_scores import ScoreRows
from bot.store.sql_stats import StatRows
from bot.store.sql_workspaces import WorkspaceRows


class SqlStore(AnswerRows, RoundRows, WorkspaceRows, StatRows, ScoreRows):
    """Everything k8sq remembers, in SQLite or PostgreSQL."""
