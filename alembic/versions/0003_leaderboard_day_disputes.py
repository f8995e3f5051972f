"""the weekly leaderboard's day, and disputes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(
            sa.Column("leaderboard_day", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answers.id"], name=op.f("fk_disputes_answer_id_answers")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_disputes_round_id_rounds")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_disputes_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
        sa.UniqueConstraint("round_id", "user_id", name=op.f("uq_disputes_round_id_user_id")),
    )
    op.create_index(op.f("ix_disputes_delivered_at"), "disputes", ["delivered_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_disputes_delivered_at"), table_name="disputes")
    op.drop_table("disputes")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("leaderboard_day")
