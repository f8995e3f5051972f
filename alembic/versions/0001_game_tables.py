"""the game's tables

Revision ID: 0001
Revises:
Create Date: 2026-11-25 20:34:08.139822
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('questions',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('difficulty', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    op.create_table('run_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_run_claims')),
    sa.UniqueConstraint('job', 'period', 'team_id', name=op.f('uq_run_claims_job_period_team_id'))
    )
    op.create_table('slack_events',
    sa.Column('event_id', sa.String(length=128), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_slack_events'))
    )
    op.create_table('workspaces',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('post_time', sa.Time(), nullable=False),
    sa.Column('close_time', sa.Time(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('weekdays', sa.String(length=20), nullable=False),
    sa.Column('holiday_country', sa.String(length=8), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('admins', sa.JSON(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_workspaces'))
    )
    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_channel', sa.String(length=32), nullable=True),
    sa.Column('message_ts', sa.String(length=32), nullable=True),
    sa.Column('message_state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_rounds_question_id_questions')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_rounds_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds')),
    sa.UniqueConstraint('team_id', 'local_date', name=op.f('uq_rounds_team_id_local_date'))
    )
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rounds_revealed_at_closes_at'), ['revealed_at', 'closes_at'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('max_points', sa.Float(), nullable=False),
    sa.Column('found', sa.JSON(), nullable=False),
    sa.Column('missed', sa.JSON(), nullable=False),
    sa.Column('rubric_version', sa.String(length=64), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_answers_question_id_questions')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_answers_round_id_rounds')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_answers_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_answers_round_id_user_id'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answers_team_id_answered_at'), ['team_id', 'answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_answers_team_id_user_id_round_id_points_max_points'), ['team_id', 'user_id', 'round_id', 'points', 'max_points'], unique=False)

    op.create_table('practice_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('max_points', sa.Float(), nullable=False),
    sa.Column('found', sa.JSON(), nullable=False),
    sa.Column('missed', sa.JSON(), nullable=False),
    sa.Column('rubric_version', sa.String(length=64), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_practice_attempts_question_id_questions')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_practice_attempts_round_id_rounds')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_practice_attempts_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_attempts'))
    )
    with op.batch_alter_table('practice_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_attempts_team_id_user_id'), ['team_id', 'user_id'], unique=False)

    op.create_table('score_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('old_points', sa.Float(), nullable=False),
    sa.Column('new_points', sa.Float(), nullable=False),
    sa.Column('old_version', sa.String(length=64), nullable=False),
    sa.Column('new_version', sa.String(length=64), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_score_changes_answer_id_answers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_changes'))
    )
    with op.batch_alter_table('score_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_changes_answer_id'), ['answer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('score_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_changes_answer_id'))

    op.drop_table('score_changes')
    with op.batch_alter_table('practice_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_attempts_team_id_user_id'))

    op.drop_table('practice_attempts')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_team_id_user_id_round_id_points_max_points'))
        batch_op.drop_index(batch_op.f('ix_answers_team_id_answered_at'))
        batch_op.drop_index(batch_op.f('ix_answers_question_id'))

    op.drop_table('answers')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rounds_revealed_at_closes_at'))

    op.drop_table('rounds')
    op.drop_table('workspaces')
    op.drop_table('slack_events')
    op.drop_table('run_claims')
    op.drop_table('questions')
