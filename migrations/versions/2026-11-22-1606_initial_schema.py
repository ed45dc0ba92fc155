"""Initial schema: documents, entities, events, funding, citations, rivalries, runs, keys, change log.

Revision ID: 7d550b78689f
Revises:
Create Date: 2026-11-22 16:06:00.655511
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7d550b78689f"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The embedded PostgreSQL (pgserver wheel) ships no contrib modules, so neither `unaccent` nor
# `pg_trgm` can be relied on. These IMMUTABLE functions give the same behaviour everywhere and can
# back generated columns and indexes: accent folding for French full-text search, and word
# trigrams (pg_trgm's padding scheme) stored as text[] under a GIN index for fuzzy name search.
UNACCENT_FROM = "àáâãäåāăąçćčďèéêëēĕėęěìíîïĩīįıñńňòóôõöøōőùúûüũūůűųýÿžźżšśşřŕľĺłţťÀÁÂÃÄÅĀĂĄÇĆČĎÈÉÊËĒĔĖĘĚÌÍÎÏĨĪĮİÑŃŇÒÓÔÕÖØŌŐÙÚÛÜŨŪŮŰŲÝŸŽŹŻŠŚŞŘŔĽĹŁŢŤ’‘"
UNACCENT_TO = "aaaaaaaaacccdeeeeeeeeeiiiiiiiinnnoooooooouuuuuuuuuyyzzzsssrrlllttAAAAAAAAACCCDEEEEEEEEEIIIIIIIINNNOOOOOOOOUUUUUUUUUYYZZZSSSRRLLLTT''''"

FUNCTIONS = [
    f"""
    CREATE FUNCTION rivalry_unaccent(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(
        replace(replace(replace(replace(replace(value, 'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE'), 'ß', 'ss'),
        '{UNACCENT_FROM}', '{UNACCENT_TO}'
    )
    """,
    """
    CREATE FUNCTION rivalry_trigrams(value text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT coalesce(array_agg(DISTINCT substr(padded, i, 3) ORDER BY substr(padded, i, 3)), '{}')
        FROM (
            SELECT '  ' || word || ' ' AS padded
            FROM regexp_split_to_table(lower(rivalry_unaccent(value)), '[^a-z0-9]+') AS word
            WHERE word <> ''
        ) AS words
        CROSS JOIN LATERAL generate_series(1, length(padded) - 2) AS i;
    END
    """,
    """
    CREATE FUNCTION rivalry_similarity(a text[], b text[]) RETURNS real
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC
        SELECT CASE WHEN cardinality(a) = 0 OR cardinality(b) = 0 THEN 0::real
        ELSE (SELECT count(*) FROM (SELECT unnest(a) INTERSECT SELECT unnest(b)) AS shared)::real
             / (SELECT count(*) FROM (SELECT unnest(a) UNION SELECT unnest(b)) AS everything)::real
        END;
    END
    """,
]


def upgrade() -> None:
    for statement in FUNCTIONS:
        op.execute(statement)
    op.create_table(
        "api_keys",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=250), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('document', 'organisation', 'person', 'event', 'funding', 'rivalry', 'relationship')",
            name=op.f("ck_changes_kind"),
        ),
        sa.CheckConstraint("op IN ('created', 'updated', 'deleted')", name=op.f("ck_changes_op")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    op.create_index("ix_changes_changed_at_id", "changes", ["changed_at", "id"], unique=False)
    op.create_index("ix_changes_kind_entity_id", "changes", ["kind", "entity_id"], unique=False)
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("file", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), server_default="fr", nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("char_count", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "segments",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "fact_counts",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text('\'{"organisations": 0, "people": 0, "events": 0, "funding": 0}\'::jsonb'),
            nullable=False,
        ),
        sa.Column("pipeline_version", sa.String(length=32), nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('french', rivalry_unaccent(coalesce(title, ''))), 'A') || setweight(to_tsvector('french', rivalry_unaccent(left(text, 200000))), 'B')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("char_count >= 0", name=op.f("ck_documents_char_count_non_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("sha256", name=op.f("uq_documents_sha256")),
    )
    op.create_index(
        "ix_documents_ingested_at_id",
        "documents",
        [sa.literal_column("ingested_at DESC"), sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index("ix_documents_published_on_id", "documents", ["published_on", "id"], unique=False)
    op.create_index("ix_documents_publisher", "documents", ["publisher"], unique=False)
    op.create_index("ix_documents_search_vector", "documents", ["search_vector"], unique=False, postgresql_using="gin")
    op.create_table(
        "entity_redirects",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("old_id", sa.String(length=250), nullable=False),
        sa.Column("new_id", sa.String(length=250), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("kind", "old_id", name=op.f("pk_entity_redirects")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("cluster_key", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=8), nullable=True),
        sa.Column("date_text", sa.Text(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("source_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_reported_on", sa.Date(), nullable=True),
        sa.Column("last_reported_on", sa.Date(), nullable=True),
        sa.Column(
            "conflicts",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('french', rivalry_unaccent(title)), 'A') || setweight(to_tsvector('french', rivalry_unaccent(coalesce(summary, ''))), 'B')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "date_precision IS NULL OR date_precision IN ('day', 'month', 'year')",
            name=op.f("ck_events_precision"),
        ),
        sa.CheckConstraint(
            "status IN ('rumoured', 'reported', 'announced', 'pending', 'completed', 'paused', 'rejected', 'cancelled')",
            name=op.f("ck_events_status"),
        ),
        sa.CheckConstraint(
            "type IN ('investment', 'acquisition', 'bid', 'funding_round', 'joint_venture', 'partnership', 'commitment', 'contract', 'lawsuit', 'product_launch', 'founding', 'statement', 'other')",
            name=op.f("ck_events_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("cluster_key", name=op.f("uq_events_cluster_key")),
    )
    op.create_index("ix_events_occurred_on_id", "events", ["occurred_on", "id"], unique=False)
    op.create_index("ix_events_search_vector", "events", ["search_vector"], unique=False, postgresql_using="gin")
    op.create_index(
        "ix_events_source_count_id",
        "events",
        [sa.literal_column("source_count DESC"), sa.literal_column("id")],
        unique=False,
    )
    op.create_index("ix_events_status", "events", ["status"], unique=False)
    op.create_index("ix_events_type", "events", ["type"], unique=False)
    op.create_table(
        "ingestion_runs",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="running", nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("corpus_digest", sa.String(length=64), nullable=True),
        sa.Column("pipeline_version", sa.String(length=32), nullable=False),
        sa.Column("documents_new", sa.Integer(), server_default="0", nullable=False),
        sa.Column("documents_unchanged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("documents_failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "counts",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "errors",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.CheckConstraint("status IN ('running', 'completed', 'failed')", name=op.f("ck_ingestion_runs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingestion_runs")),
    )
    op.create_index("ix_ingestion_runs_corpus_digest", "ingestion_runs", ["corpus_digest"], unique=False)
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), server_default="other", nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("in_gazetteer", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("mention_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("source_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_seen_on", sa.Date(), nullable=True),
        sa.Column("last_seen_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('ai_lab', 'big_tech', 'aerospace', 'investor', 'chipmaker', 'media', 'government', 'energy', 'other')",
            name=op.f("ck_organisations_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    op.create_index("ix_organisations_kind", "organisations", ["kind"], unique=False)
    op.create_index(
        "ix_organisations_mention_count_id",
        "organisations",
        [sa.literal_column("mention_count DESC"), sa.literal_column("id")],
        unique=False,
    )
    op.create_index("ix_organisations_name_id", "organisations", ["name", "id"], unique=False)
    op.create_table(
        "people",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("in_gazetteer", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("mention_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("source_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_seen_on", sa.Date(), nullable=True),
        sa.Column("last_seen_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(
        "ix_people_mention_count_id",
        "people",
        [sa.literal_column("mention_count DESC"), sa.literal_column("id")],
        unique=False,
    )
    op.create_index("ix_people_name_id", "people", ["name", "id"], unique=False)
    op.create_table(
        "citations",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("fact_kind", sa.String(length=16), nullable=False),
        sa.Column("fact_id", sa.String(length=250), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("prefix", sa.Text(), server_default="", nullable=False),
        sa.Column("suffix", sa.Text(), server_default="", nullable=False),
        sa.Column("extractor", sa.String(length=40), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "fact_kind IN ('organisation', 'person', 'event', 'funding', 'rivalry', 'relationship')",
            name=op.f("ck_citations_fact_kind"),
        ),
        sa.CheckConstraint("confidence >= 0 AND confidence <= 1", name=op.f("ck_citations_confidence")),
        sa.CheckConstraint('start >= 0 AND "end" > start', name=op.f("ck_citations_span")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_citations_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citations")),
        sa.UniqueConstraint(
            "fact_kind",
            "fact_id",
            "document_id",
            "start",
            "end",
            name=op.f("uq_citations_fact_kind_fact_id_document_id_start_end"),
        ),
    )
    op.create_index("ix_citations_document_id", "citations", ["document_id"], unique=False)
    op.create_table(
        "event_participants",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.String(length=120), nullable=True),
        sa.Column("person_id", sa.String(length=120), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "(kind = 'organisation' AND organisation_id IS NOT NULL AND person_id IS NULL) OR (kind = 'person' AND person_id IS NOT NULL AND organisation_id IS NULL)",
            name=op.f("ck_event_participants_entity_ref"),
        ),
        sa.CheckConstraint(
            "role IN ('actor', 'investor', 'target', 'acquirer', 'bidder', 'partner', 'plaintiff', 'defendant', 'founder', 'speaker', 'subject')",
            name=op.f("ck_event_participants_role"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_participants_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_event_participants_organisation_id_organisations"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_event_participants_person_id_people"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_participants")),
        sa.UniqueConstraint(
            "event_id",
            "organisation_id",
            "person_id",
            name=op.f("uq_event_participants_event_id_organisation_id_person_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(
        "ix_event_participants_organisation_id_event_id",
        "event_participants",
        ["organisation_id", "event_id"],
        unique=False,
    )
    op.create_index(
        "ix_event_participants_person_id_event_id",
        "event_participants",
        ["person_id", "event_id"],
        unique=False,
    )
    op.create_table(
        "funding",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("natural_key", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Numeric(precision=24, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("qualifier", sa.String(length=16), server_default="exact", nullable=False),
        sa.Column("amount_usd", sa.Numeric(precision=24, scale=2), nullable=True),
        sa.Column("fx_rate_on", sa.Date(), nullable=True),
        sa.Column(
            "equivalents",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("amount_text", sa.Text(), nullable=False),
        sa.Column("recipient_kind", sa.String(length=16), nullable=True),
        sa.Column("recipient_organisation_id", sa.String(length=120), nullable=True),
        sa.Column("recipient_person_id", sa.String(length=120), nullable=True),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('investment', 'funding_round', 'acquisition', 'bid', 'commitment', 'contract', 'valuation', 'revenue', 'other')",
            name=op.f("ck_funding_kind"),
        ),
        sa.CheckConstraint(
            "qualifier IN ('exact', 'about', 'up_to', 'more_than', 'less_than')",
            name=op.f("ck_funding_qualifier"),
        ),
        sa.CheckConstraint(
            "status IN ('rumoured', 'reported', 'announced', 'pending', 'completed', 'paused', 'rejected', 'cancelled')",
            name=op.f("ck_funding_status"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_funding_event_id_events"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["recipient_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_funding_recipient_organisation_id_organisations"),
            onupdate="CASCADE",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_person_id"],
            ["people.id"],
            name=op.f("fk_funding_recipient_person_id_people"),
            onupdate="CASCADE",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding")),
        sa.UniqueConstraint("natural_key", name=op.f("uq_funding_natural_key")),
    )
    op.create_index(
        "ix_funding_amount_usd_id",
        "funding",
        [sa.literal_column("amount_usd DESC NULLS LAST"), sa.literal_column("id")],
        unique=False,
    )
    op.create_index("ix_funding_event_id", "funding", ["event_id"], unique=False)
    op.create_index("ix_funding_kind", "funding", ["kind"], unique=False)
    op.create_index("ix_funding_occurred_on_id", "funding", ["occurred_on", "id"], unique=False)
    op.create_index("ix_funding_recipient_organisation_id", "funding", ["recipient_organisation_id"], unique=False)
    op.create_table(
        "organisation_aliases",
        sa.Column("organisation_id", sa.String(length=120), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("is_name", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "alias_folded",
            sa.Text(),
            sa.Computed("lower(rivalry_unaccent(alias))", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "trigrams",
            postgresql.ARRAY(sa.Text()),
            sa.Computed("rivalry_trigrams(alias)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_aliases_organisation_id_organisations"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "alias", name=op.f("pk_organisation_aliases")),
    )
    op.create_index("ix_organisation_aliases_alias_folded", "organisation_aliases", ["alias_folded"], unique=False)
    op.create_index(
        "ix_organisation_aliases_trigrams",
        "organisation_aliases",
        ["trigrams"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "person_aliases",
        sa.Column("person_id", sa.String(length=120), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("is_name", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "alias_folded",
            sa.Text(),
            sa.Computed("lower(rivalry_unaccent(alias))", persisted=True),
            nullable=False,
        ),
        sa.Column(
            "trigrams",
            postgresql.ARRAY(sa.Text()),
            sa.Computed("rivalry_trigrams(alias)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_aliases_person_id_people"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "alias", name=op.f("pk_person_aliases")),
    )
    op.create_index("ix_person_aliases_alias_folded", "person_aliases", ["alias_folded"], unique=False)
    op.create_index("ix_person_aliases_trigrams", "person_aliases", ["trigrams"], unique=False, postgresql_using="gin")
    op.create_table(
        "person_roles",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=120), nullable=False),
        sa.Column("organisation_id", sa.String(length=120), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_person_roles_organisation_id_organisations"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_roles_person_id_people"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_roles")),
        sa.UniqueConstraint(
            "person_id",
            "organisation_id",
            "title",
            name=op.f("uq_person_roles_person_id_organisation_id_title"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index("ix_person_roles_organisation_id", "person_roles", ["organisation_id"], unique=False)
    op.create_table(
        "relationships",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.String(length=120), nullable=False),
        sa.Column("other_organisation_id", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_relationships_organisation_id_organisations"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_relationships_other_organisation_id_organisations"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationships")),
        sa.UniqueConstraint(
            "type",
            "organisation_id",
            "other_organisation_id",
            name=op.f("uq_relationships_type_organisation_id_other_organisation_id"),
        ),
    )
    op.create_index("ix_relationships_other_organisation_id", "relationships", ["other_organisation_id"], unique=False)
    op.create_table(
        "rivalries",
        sa.Column("id", sa.String(length=250), nullable=False),
        sa.Column("party_a_kind", sa.String(length=16), nullable=False),
        sa.Column("party_a_organisation_id", sa.String(length=120), nullable=True),
        sa.Column("party_a_person_id", sa.String(length=120), nullable=True),
        sa.Column("party_b_kind", sa.String(length=16), nullable=False),
        sa.Column("party_b_organisation_id", sa.String(length=120), nullable=True),
        sa.Column("party_b_person_id", sa.String(length=120), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("event_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("source_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_event_on", sa.Date(), nullable=True),
        sa.Column("last_event_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(party_a_kind = 'organisation' AND party_a_organisation_id IS NOT NULL AND party_a_person_id IS NULL) OR (party_a_kind = 'person' AND party_a_person_id IS NOT NULL AND party_a_organisation_id IS NULL)",
            name=op.f("ck_rivalries_party_a"),
        ),
        sa.CheckConstraint(
            "(party_b_kind = 'organisation' AND party_b_organisation_id IS NOT NULL AND party_b_person_id IS NULL) OR (party_b_kind = 'person' AND party_b_person_id IS NOT NULL AND party_b_organisation_id IS NULL)",
            name=op.f("ck_rivalries_party_b"),
        ),
        sa.ForeignKeyConstraint(
            ["party_a_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_rivalries_party_a_organisation_id_organisations"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_a_person_id"],
            ["people.id"],
            name=op.f("fk_rivalries_party_a_person_id_people"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_b_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_rivalries_party_b_organisation_id_organisations"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_b_person_id"],
            ["people.id"],
            name=op.f("fk_rivalries_party_b_person_id_people"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rivalries")),
    )
    op.create_index(
        "ix_rivalries_event_count_id",
        "rivalries",
        [sa.literal_column("event_count DESC"), sa.literal_column("id")],
        unique=False,
    )
    op.create_index("ix_rivalries_party_a_organisation_id", "rivalries", ["party_a_organisation_id"], unique=False)
    op.create_index("ix_rivalries_party_a_person_id", "rivalries", ["party_a_person_id"], unique=False)
    op.create_index("ix_rivalries_party_b_organisation_id", "rivalries", ["party_b_organisation_id"], unique=False)
    op.create_index("ix_rivalries_party_b_person_id", "rivalries", ["party_b_person_id"], unique=False)
    op.create_table(
        "funding_payers",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("funding_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.String(length=120), nullable=True),
        sa.Column("person_id", sa.String(length=120), nullable=True),
        sa.CheckConstraint(
            "(kind = 'organisation' AND organisation_id IS NOT NULL AND person_id IS NULL) OR (kind = 'person' AND person_id IS NOT NULL AND organisation_id IS NULL)",
            name=op.f("ck_funding_payers_entity_ref"),
        ),
        sa.ForeignKeyConstraint(
            ["funding_id"],
            ["funding.id"],
            name=op.f("fk_funding_payers_funding_id_funding"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_funding_payers_organisation_id_organisations"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_funding_payers_person_id_people"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_payers")),
        sa.UniqueConstraint(
            "funding_id",
            "organisation_id",
            "person_id",
            name=op.f("uq_funding_payers_funding_id_organisation_id_person_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index("ix_funding_payers_organisation_id", "funding_payers", ["organisation_id"], unique=False)
    op.create_index("ix_funding_payers_person_id", "funding_payers", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_funding_payers_person_id", table_name="funding_payers")
    op.drop_index("ix_funding_payers_organisation_id", table_name="funding_payers")
    op.drop_table("funding_payers")
    op.drop_index("ix_rivalries_party_b_person_id", table_name="rivalries")
    op.drop_index("ix_rivalries_party_b_organisation_id", table_name="rivalries")
    op.drop_index("ix_rivalries_party_a_person_id", table_name="rivalries")
    op.drop_index("ix_rivalries_party_a_organisation_id", table_name="rivalries")
    op.drop_index("ix_rivalries_event_count_id", table_name="rivalries")
    op.drop_table("rivalries")
    op.drop_index("ix_relationships_other_organisation_id", table_name="relationships")
    op.drop_table("relationships")
    op.drop_index("ix_person_roles_organisation_id", table_name="person_roles")
    op.drop_table("person_roles")
    op.drop_index("ix_person_aliases_trigrams", table_name="person_aliases", postgresql_using="gin")
    op.drop_index("ix_person_aliases_alias_folded", table_name="person_aliases")
    op.drop_table("person_aliases")
    op.drop_index("ix_organisation_aliases_trigrams", table_name="organisation_aliases", postgresql_using="gin")
    op.drop_index("ix_organisation_aliases_alias_folded", table_name="organisation_aliases")
    op.drop_table("organisation_aliases")
    op.drop_index("ix_funding_recipient_organisation_id", table_name="funding")
    op.drop_index("ix_funding_occurred_on_id", table_name="funding")
    op.drop_index("ix_funding_kind", table_name="funding")
    op.drop_index("ix_funding_event_id", table_name="funding")
    op.drop_index("ix_funding_amount_usd_id", table_name="funding")
    op.drop_table("funding")
    op.drop_index("ix_event_participants_person_id_event_id", table_name="event_participants")
    op.drop_index("ix_event_participants_organisation_id_event_id", table_name="event_participants")
    op.drop_table("event_participants")
    op.drop_index("ix_citations_document_id", table_name="citations")
    op.drop_table("citations")
    op.drop_index("ix_people_name_id", table_name="people")
    op.drop_index("ix_people_mention_count_id", table_name="people")
    op.drop_table("people")
    op.drop_index("ix_organisations_name_id", table_name="organisations")
    op.drop_index("ix_organisations_mention_count_id", table_name="organisations")
    op.drop_index("ix_organisations_kind", table_name="organisations")
    op.drop_table("organisations")
    op.drop_index("ix_ingestion_runs_corpus_digest", table_name="ingestion_runs")
    op.drop_table("ingestion_runs")
    op.drop_index("ix_events_type", table_name="events")
    op.drop_index("ix_events_status", table_name="events")
    op.drop_index("ix_events_source_count_id", table_name="events")
    op.drop_index("ix_events_search_vector", table_name="events", postgresql_using="gin")
    op.drop_index("ix_events_occurred_on_id", table_name="events")
    op.drop_table("events")
    op.drop_table("entity_redirects")
    op.drop_index("ix_documents_search_vector", table_name="documents", postgresql_using="gin")
    op.drop_index("ix_documents_publisher", table_name="documents")
    op.drop_index("ix_documents_published_on_id", table_name="documents")
    op.drop_index("ix_documents_ingested_at_id", table_name="documents")
    op.drop_table("documents")
    op.drop_index("ix_changes_kind_entity_id", table_name="changes")
    op.drop_index("ix_changes_changed_at_id", table_name="changes")
    op.drop_table("changes")
    op.drop_table("api_keys")
    op.execute("DROP FUNCTION rivalry_similarity(text[], text[])")
    op.execute("DROP FUNCTION rivalry_trigrams(text)")
    op.execute("DROP FUNCTION rivalry_unaccent(text)")
