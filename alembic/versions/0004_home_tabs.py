"""the people who opened the Home tab

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 21:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_tabs",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_home_tabs_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_home_tabs")),
    )


def downgrade() -> None:
    op.drop_table("home_tabs")
