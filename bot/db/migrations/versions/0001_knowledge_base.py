"""Knowledge base: areas and their sourced facts, shared vocabulary.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _area_fk() -> sa.Column:
    return sa.Column("area_id", sa.String(40), sa.ForeignKey("areas.id", ondelete="CASCADE"), nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "area_aliases",
        sa.Column("id", sa.Integer(), primary_key=True),
        _area_fk(),
        sa.Column("alias", sa.String(120), nullable=False, index=True),
        sa.UniqueConstraint("area_id", "alias"),
    )
    op.create_table(
        "levels",
        sa.Column("id", sa.Integer(), primary_key=True),
        _area_fk(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.UniqueConstraint("area_id", "number"),
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), primary_key=True),
        _area_fk(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False, index=True),
        sa.Column("domain", sa.String(200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _area_fk(),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.UniqueConstraint("area_id", "key"),
    )
    op.create_table(
        "pathway_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        _area_fk(),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(30), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.UniqueConstraint("area_id", "key"),
    )
    op.create_table(
        "guidance",
        sa.Column("id", sa.Integer(), primary_key=True),
        _area_fk(),
        sa.Column("kind", sa.String(30), nullable=False, index=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "glossary",
        sa.Column("id", sa.Integer(), primary_key=True),
        _area_fk(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(120), nullable=False, index=True),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_table(
        "shared_knowledge",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    for table in ("shared_knowledge", "glossary", "guidance", "pathway_steps", "contacts",
                  "indicators", "levels", "area_aliases", "areas"):
        op.drop_table(table)
