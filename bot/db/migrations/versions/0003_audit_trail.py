"""The audit trail of advice given, and practitioners' feedback on it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "advice_given",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("area_id", sa.String(40), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("indicator_keys", sa.JSON(), nullable=False),
        sa.Column("red_flag_keys", sa.JSON(), nullable=False),
        sa.Column("contacts_offered", sa.JSON(), nullable=False),
        sa.Column("urgent_contact", sa.String(80), nullable=True),
        sa.Column("pack_hash", sa.String(64), nullable=False),
        sa.Column("code_version", sa.String(80), nullable=False),
        sa.Column("conversation_hash", sa.String(64), nullable=True),
    )
    op.create_index("ix_advice_given_at", "advice_given", ["at"])
    op.create_index("ix_advice_given_area_id", "advice_given", ["area_id"])
    op.create_index("ix_advice_given_conversation_hash", "advice_given", ["conversation_hash"])
    op.create_table(
        "advice_feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("advice_id", sa.String(32), sa.ForeignKey("advice_given.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agrees", sa.Boolean(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(300), nullable=True),
    )
    op.create_index("ix_advice_feedback_advice_id", "advice_feedback", ["advice_id"])


def downgrade() -> None:
    op.drop_index("ix_advice_feedback_advice_id", table_name="advice_feedback")
    op.drop_table("advice_feedback")
    op.drop_index("ix_advice_given_conversation_hash", table_name="advice_given")
    op.drop_index("ix_advice_given_area_id", table_name="advice_given")
    op.drop_index("ix_advice_given_at", table_name="advice_given")
    op.drop_table("advice_given")
