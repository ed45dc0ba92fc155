"""A 64-bit hash of each stored list item, so a list page's ETag need not hash the page.

The edge gives every ``200`` to a ``GET`` an ETag: a CRC-32 of the body. For a 57 kB page of
events that pass was 15–30 µs, 5–7 % of the worker's CPU for a list request (``bench/RESULTS.md``,
session 8). A page's body is its items (each row's ``list_item``) in order plus its ``meta``, so a
checksum of the items' hashes and the meta changes whenever the body does: the list routes send
that instead (``service.reads.sql_page``), 51 eight-byte values rather than 57 kB.

``list_hash`` is a generated column: PostgreSQL computes it whenever ``list_item`` is written, by
the triggers that keep the items or by ``rivalry_flush_list_items``, so no trigger changes.
``hashtextextended`` is the hash PostgreSQL's hash partitioning relies on, immutable and the same
on every platform. Adding the column rewrites both tables once.

Revision ID: f2c6a8d4b913
Revises: e5b7c1d94a28
Create Date: 2026-11-23 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "f2c6a8d4b913"
down_revision: str | None = "e5b7c1d94a28"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("events", "funding")


def upgrade() -> None:
    for table in TABLES:
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN list_hash bigint"
            " GENERATED ALWAYS AS (hashtextextended(list_item::text, 0)) STORED"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN list_hash")
