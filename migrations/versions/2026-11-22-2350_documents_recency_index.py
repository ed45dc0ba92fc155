"""An index on documents from the most recent publication date: search's full-text candidates.

Search ranks the 1,000 most recent documents matching a query (``FULL_TEXT_CANDIDATES``,
service/search/queries.py). For a frequent word PostgreSQL walks this index and stops after
1,000 matches instead of reading every match; undated documents sort last, as in the events'
``ix_events_occurred_on_desc_key``.

Revision ID: b7e3a91d5c20
Revises: 8d4f2a6c1e93
Create Date: 2026-11-22 23:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "b7e3a91d5c20"
down_revision: str | None = "8d4f2a6c1e93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_documents_published_on_desc_key"
        " ON documents (coalesce(published_on, '-infinity'::date) DESC, id)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_documents_published_on_desc_key")
