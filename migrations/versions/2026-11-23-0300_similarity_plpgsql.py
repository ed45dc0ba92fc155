"""``rivalry_similarity`` in PL/pgSQL: name search calls it on every candidate alias.

The SQL-language version (migration 3b9e2f41c0d7) counts the shared trigrams with a subquery,
so PostgreSQL runs a small executor per call: 4.1 µs a call over the 80,000 aliases of the 1M
benchmark dataset, against 2.5 µs for this loop (same result on every alias). A name search
evaluates it on several thousand candidates.

Revision ID: c4a8e2f71b36
Revises: b7e3a91d5c20
Create Date: 2026-11-23 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "c4a8e2f71b36"
down_revision: str | None = "b7e3a91d5c20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Jaccard similarity of two trigram sets: shared / (|a| + |b| - shared); 0 when either is empty.
SIMILARITY = """
CREATE OR REPLACE FUNCTION rivalry_similarity(a text[], b text[]) RETURNS real
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    shared int := 0;
    gram text;
BEGIN
    IF cardinality(a) = 0 OR cardinality(b) = 0 THEN
        RETURN 0;
    END IF;
    FOREACH gram IN ARRAY a LOOP
        IF gram = ANY(b) THEN
            shared := shared + 1;
        END IF;
    END LOOP;
    RETURN shared::real / (cardinality(a) + cardinality(b) - shared)::real;
END
$$
"""

SIMILARITY_BEFORE = """
CREATE OR REPLACE FUNCTION rivalry_similarity(a text[], b text[]) RETURNS real
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN cardinality(a) = 0 OR cardinality(b) = 0 THEN 0::real
    ELSE shared::real / (cardinality(a) + cardinality(b) - shared)::real END
    FROM (SELECT count(*) AS shared FROM unnest(a) AS x WHERE x = ANY(b)) AS s;
END
"""


def upgrade() -> None:
    op.execute(SIMILARITY)


def downgrade() -> None:
    op.execute(SIMILARITY_BEFORE)
