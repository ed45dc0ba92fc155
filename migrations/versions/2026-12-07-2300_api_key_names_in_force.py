"""A name belongs to one API key in force at a time.

`rivalry apikey revoke NAME` must mean one key, so a partial unique index covers the names of the
keys not revoked; a revoked key keeps its name, which a new key may take again.

Keys in force that share a name before this revision keep working: the oldest (lowest id) keeps
the name and each later one is renamed NAME-2, NAME-3… (the first suffix no key in force has),
so `rivalry apikey list` shows which is which. Downgrading drops the index and keeps the renames.

Revision ID: e2b7c9d4a8f3
Revises: c4e8a2f6d1b9
Create Date: 2026-12-07 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2b7c9d4a8f3"
down_revision: str | None = "c4e8a2f6d1b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# In SQL rather than Python, so that `alembic upgrade --sql` writes it out too. The loop's query
# reads the keys as they were when it began; the look-ups inside see the renames already made.
RENAME_DUPLICATES = """
DO $$
DECLARE
    key record;
    candidate text;
    suffix integer;
BEGIN
    FOR key IN
        SELECT k.id, k.name FROM api_keys AS k
        WHERE k.revoked_at IS NULL AND EXISTS (
            SELECT FROM api_keys AS older
            WHERE older.revoked_at IS NULL AND older.name = k.name AND older.id < k.id
        )
        ORDER BY k.id
    LOOP
        suffix := 2;
        LOOP
            candidate := key.name || '-' || suffix;
            EXIT WHEN NOT EXISTS (SELECT FROM api_keys WHERE revoked_at IS NULL AND name = candidate);
            suffix := suffix + 1;
        END LOOP;
        UPDATE api_keys SET name = candidate WHERE id = key.id;
    END LOOP;
END
$$;
"""


def upgrade() -> None:
    op.execute(RENAME_DUPLICATES)
    op.create_index(
        "uq_api_keys_name_in_force", "api_keys", ["name"], unique=True, postgresql_where=sa.text("revoked_at IS NULL")
    )


def downgrade() -> None:
    op.drop_index("uq_api_keys_name_in_force", table_name="api_keys", postgresql_where=sa.text("revoked_at IS NULL"))
