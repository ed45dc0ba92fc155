"""Which documents reported each event participant and funding payer.

Citations tell which documents support an event or a funding, but not which of them named each
party: an article that corroborated a stored event and added a party left that party behind when
it was deleted. ``event_participant_sources`` and ``funding_payer_sources`` hold one row per
(party, document); deleting a document removes its rows (``ON DELETE CASCADE``) and the retraction
deletes the parties no stored document names any more.

Parties stored before this revision are credited to every document citing their event or funding:
that keeps them while any of those documents is stored, which is what retraction did before.

Revision ID: c4e8a2f6d1b9
Revises: a7d3e9f1b2c4
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e8a2f6d1b9"
down_revision: str | None = "a7d3e9f1b2c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (source table, party column, party table, the citations' fact kind, the party's fact column)
TABLES = (
    ("event_participant_sources", "participant_id", "event_participants", "event", "event_id"),
    ("funding_payer_sources", "payer_id", "funding_payers", "funding", "funding_id"),
)


def upgrade() -> None:
    for table, column, parties, fact_kind, fact_column in TABLES:
        op.create_table(
            table,
            sa.Column(column, sa.BigInteger(), nullable=False),
            sa.Column("document_id", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                [column], [f"{parties}.id"], name=f"fk_{table}_{column}_{parties}", ondelete="CASCADE"
            ),
            sa.ForeignKeyConstraint(
                ["document_id"], ["documents.id"], name=f"fk_{table}_document_id_documents", ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint(column, "document_id", name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_document_id", table, ["document_id"])
        op.execute(
            f"""
            INSERT INTO {table} ({column}, document_id)
            SELECT DISTINCT p.id, c.document_id
            FROM {parties} AS p
            JOIN citations AS c ON c.fact_kind = '{fact_kind}' AND c.fact_id = p.{fact_column}
            """  # noqa: S608 - constant names only
        )


def downgrade() -> None:
    for table, *_ in TABLES:
        op.drop_table(table)
