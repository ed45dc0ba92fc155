"""A queue of what rivalry counts must be recounted for, written with each load's commit.

``rivalry seed`` recounts the rivalries a batch of documents touched once per batch. It used to
keep that list in memory: a seed killed between a document's commit and its batch's recount lost
it, and the next run only recounted rivalries of the companies *it* mentioned, which happened to
cover the lost ones. Recounting only the rivalries whose parties meet in the batch's events is
far cheaper, but needs the list to survive a crash, hence this table: loads insert into it in
their own transaction and each recount consumes it.

Revision ID: 5c1d7e9a2b40
Revises: 3b9e2f41c0d7
Create Date: 2026-11-22 21:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1d7e9a2b40"
down_revision: str | None = "3b9e2f41c0d7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rivalry_recounts",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=250), nullable=False),
        sa.CheckConstraint(
            "kind IN ('event', 'rivalry', 'organisation', 'person')", name=op.f("ck_rivalry_recounts_kind")
        ),
        sa.PrimaryKeyConstraint("kind", "id", name=op.f("pk_rivalry_recounts")),
    )


def downgrade() -> None:
    op.drop_table("rivalry_recounts")
