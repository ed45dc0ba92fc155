"""Keyset indexes on never-NULL sort keys for the SQL-first list routes; a cheaper name similarity.

The events and funding lists sort unknown dates and amounts last. With the plain column in the
index, "rows after the cursor" is ``col > v OR col IS NULL OR (col = v AND id > last)``, which
PostgreSQL cannot turn into one index range, so a deep page scanned every row before it. Sorting
on ``coalesce(col, ±infinity)`` gives the same order with a key that is never NULL, and the
cursor condition becomes a single range: a page 100,000 rows deep costs what the first one does.
``(type, coalesce(occurred_on, 'infinity'), id)`` serves the common "one type, from a date" filter.

``rivalry_similarity`` is rewritten without INTERSECT/UNION (a hash aggregate per call): trigram
arrays come from ``rivalry_trigrams``, which de-duplicates them, so |a ∩ b| is a count of a's
elements found in b, and |a ∪ b| = |a| + |b| − |a ∩ b|. Same values, several times cheaper, which
matters when a common word ("research", "capital") makes thousands of names share a trigram.

Revision ID: 3b9e2f41c0d7
Revises: 7d550b78689f
Create Date: 2026-11-22 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "3b9e2f41c0d7"
down_revision: str | None = "7d550b78689f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_events_occurred_on_key": "events (coalesce(occurred_on, 'infinity'::date), id)",
    "ix_events_occurred_on_desc_key": "events (coalesce(occurred_on, '-infinity'::date) DESC, id)",
    "ix_events_type_occurred_on_key": "events (type, coalesce(occurred_on, 'infinity'::date), id)",
    "ix_funding_amount_usd_desc_key": "funding (coalesce(amount_usd, '-Infinity'::numeric) DESC, id)",
    "ix_funding_amount_usd_key": "funding (coalesce(amount_usd, 'Infinity'::numeric), id)",
    "ix_funding_occurred_on_key": "funding (coalesce(occurred_on, 'infinity'::date), id)",
    "ix_funding_occurred_on_desc_key": "funding (coalesce(occurred_on, '-infinity'::date) DESC, id)",
    # A list shows each fact's first citation: read in id order and stop at the first row.
    "ix_citations_fact_kind_fact_id_id": "citations (fact_kind, fact_id, id)",
}


SIMILARITY = """
CREATE OR REPLACE FUNCTION rivalry_similarity(a text[], b text[]) RETURNS real
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN cardinality(a) = 0 OR cardinality(b) = 0 THEN 0::real
    ELSE shared::real / (cardinality(a) + cardinality(b) - shared)::real END
    FROM (SELECT count(*) AS shared FROM unnest(a) AS x WHERE x = ANY(b)) AS s;
END
"""

SIMILARITY_BEFORE = """
CREATE OR REPLACE FUNCTION rivalry_similarity(a text[], b text[]) RETURNS real
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN cardinality(a) = 0 OR cardinality(b) = 0 THEN 0::real
    ELSE (SELECT count(*) FROM (SELECT unnest(a) INTERSECT SELECT unnest(b)) AS shared)::real
         / (SELECT count(*) FROM (SELECT unnest(a) UNION SELECT unnest(b)) AS everything)::real
    END;
END
"""


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
    op.execute(SIMILARITY)


def downgrade() -> None:
    op.execute(SIMILARITY_BEFORE)
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
