"""who set an answer's points by hand, so that a regrade keeps them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 21:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("points_set_by", sa.String(length=64), nullable=True))
    # Answers an admin changed before this revision: the latest change not made by a regrade.
    op.execute(
        """
        UPDATE answers SET points_set_by = (
            SELECT c.changed_by FROM score_changes c
            WHERE c.answer_id = answers.id AND c.old_version = c.new_version
              AND c.reason <> 'regraded with the current bank'
            ORDER BY c.id DESC LIMIT 1
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("points_set_by")
