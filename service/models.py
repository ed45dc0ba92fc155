"""ORM tables: every table, column, constraint and index the migrations create, so that
``alembic revision --autogenerate`` at head proposes nothing (``tests/test_migrations.py``). The
schema only ever changes through Alembic migrations (``migrations/``). The database functions and
triggers are declared in ``service/*/read_model.sql`` (``service/read_models.py``).

Facts (organisations, people, events, funding, rivalries, relationships) are keyed by stable
ids: readable slugs for named entities, UUIDv5 of a natural key for the rest, so the same corpus
always yields the same ids. Every fact's provenance lives in ``citations``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    FetchedValue,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import (
    text as sql,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from service.db import metadata

ORGANISATION_KINDS = (
    "ai_lab",
    "big_tech",
    "aerospace",
    "investor",
    "chipmaker",
    "media",
    "government",
    "energy",
    "other",
)
EVENT_TYPES = (
    "investment",
    "acquisition",
    "bid",
    "funding_round",
    "joint_venture",
    "partnership",
    "commitment",
    "contract",
    "lawsuit",
    "product_launch",
    "founding",
    "statement",
    "other",
)
EVENT_STATUSES = (
    "rumoured",
    "reported",
    "announced",
    "pending",
    "completed",
    "paused",
    "rejected",
    "cancelled",
)
DATE_PRECISIONS = ("day", "month", "year")
PARTICIPANT_ROLES = (
    "actor",
    "investor",
    "target",
    "acquirer",
    "bidder",
    "partner",
    "plaintiff",
    "defendant",
    "founder",
    "speaker",
    "subject",
)
FUNDING_KINDS = (
    "investment",
    "funding_round",
    "acquisition",
    "bid",
    "commitment",
    "contract",
    "valuation",
    "revenue",
    "other",
)
QUALIFIERS = ("exact", "about", "up_to", "more_than", "less_than")
ENTITY_KINDS = ("organisation", "person")
FACT_KINDS = ("organisation", "person", "event", "funding", "rivalry", "relationship")
CHANGE_KINDS = ("document", *FACT_KINDS)
RECOUNT_KINDS = ("event", "rivalry", "organisation", "person")
CHANGE_OPS = ("created", "updated", "deleted")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def _entity_ref_check(prefix: str) -> str:
    """Exactly one of ``<prefix>organisation_id`` / ``<prefix>person_id`` is set, matching ``<prefix>kind``."""
    return (
        f"({prefix}kind = 'organisation' AND {prefix}organisation_id IS NOT NULL AND {prefix}person_id IS NULL)"
        f" OR ({prefix}kind = 'person' AND {prefix}person_id IS NOT NULL AND {prefix}organisation_id IS NULL)"
    )


# Sort keys that are never NULL, so that a keyset condition on them is one index range: unknown
# dates and amounts sort last in either direction (``service/events/sql.py``, ``service/funding/sql.py``).
def _date_key(column: str, *, descending: bool = False) -> str:
    if descending:
        return f"coalesce({column}, '-infinity'::date) DESC"
    return f"coalesce({column}, 'infinity'::date)"


def _amount_key(column: str, *, descending: bool = False) -> str:
    if descending:
        return f"coalesce({column}, '-Infinity'::numeric) DESC"
    return f"coalesce({column}, 'Infinity'::numeric)"


class Xid8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (``pg_current_xact_id()``), which SQLAlchemy has no type for."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


# Reflection looks types up by name in this table: without the entry a reflected ``xid8`` column is
# an unknown type, which autogenerate cannot compare and SQLAlchemy warns about.
ischema_names.setdefault("xid8", Xid8)


class Base(DeclarativeBase):
    metadata = metadata


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Document(TimestampMixin, Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    file: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), server_default="fr")
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    char_count: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    segments: Mapped[list[Any]] = mapped_column(JSONB, server_default=sql("'[]'::jsonb"))
    fact_counts: Mapped[dict[str, Any]] = mapped_column(
        JSONB,
        server_default=sql("""'{"organisations": 0, "people": 0, "events": 0, "funding": 0}'::jsonb"""),
    )
    pipeline_version: Mapped[str | None] = mapped_column(String(32))
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    search_vector: Mapped[Any] = mapped_column(
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('french', rivalry_unaccent(coalesce(title, ''))), 'A')"
            " || setweight(to_tsvector('french', rivalry_unaccent(left(text, 200000))), 'B')",
            persisted=True,
        ),
    )

    __table_args__ = (
        CheckConstraint("char_count >= 0", name="char_count_non_negative"),
        Index("ix_documents_ingested_at_id", sql("ingested_at DESC"), sql("id DESC")),
        Index("ix_documents_published_on_id", "published_on", "id"),
        # Search's full-text candidates, most recent first (service/search/queries.py).
        Index("ix_documents_published_on_desc_key", sql(_date_key("published_on", descending=True)), sql("id")),
        Index("ix_documents_publisher", "publisher"),
        Index("ix_documents_search_vector", "search_vector", postgresql_using="gin"),
    )


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), server_default="other")
    country: Mapped[str | None] = mapped_column(String(2))
    description: Mapped[str | None] = mapped_column(Text)
    in_gazetteer: Mapped[bool] = mapped_column(server_default=sql("false"))
    mention_count: Mapped[int] = mapped_column(Integer, server_default="0")
    source_count: Mapped[int] = mapped_column(Integer, server_default="0")
    first_seen_on: Mapped[dt.date | None] = mapped_column(Date)
    last_seen_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(_in("kind", ORGANISATION_KINDS), name="kind"),
        Index("ix_organisations_name_id", "name", "id"),
        Index("ix_organisations_mention_count_id", sql("mention_count DESC"), sql("id")),
        Index("ix_organisations_kind", "kind"),
    )


class OrganisationAlias(Base):
    __tablename__ = "organisation_aliases"

    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE", onupdate="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(Text, primary_key=True)
    is_name: Mapped[bool] = mapped_column(server_default=sql("false"))
    alias_folded: Mapped[str] = mapped_column(Text, Computed("lower(rivalry_unaccent(alias))", persisted=True))
    trigrams: Mapped[list[str]] = mapped_column(ARRAY(Text), Computed("rivalry_trigrams(alias)", persisted=True))

    __table_args__ = (
        Index("ix_organisation_aliases_alias_folded", "alias_folded"),
        Index("ix_organisation_aliases_trigrams", "trigrams", postgresql_using="gin"),
    )


class Person(TimestampMixin, Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    in_gazetteer: Mapped[bool] = mapped_column(server_default=sql("false"))
    mention_count: Mapped[int] = mapped_column(Integer, server_default="0")
    source_count: Mapped[int] = mapped_column(Integer, server_default="0")
    first_seen_on: Mapped[dt.date | None] = mapped_column(Date)
    last_seen_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_people_name_id", "name", "id"),
        Index("ix_people_mention_count_id", sql("mention_count DESC"), sql("id")),
    )


class PersonAlias(Base):
    __tablename__ = "person_aliases"

    person_id: Mapped[str] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE", onupdate="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(Text, primary_key=True)
    is_name: Mapped[bool] = mapped_column(server_default=sql("false"))
    alias_folded: Mapped[str] = mapped_column(Text, Computed("lower(rivalry_unaccent(alias))", persisted=True))
    trigrams: Mapped[list[str]] = mapped_column(ARRAY(Text), Computed("rivalry_trigrams(alias)", persisted=True))

    __table_args__ = (
        Index("ix_person_aliases_alias_folded", "alias_folded"),
        Index("ix_person_aliases_trigrams", "trigrams", postgresql_using="gin"),
    )


class PersonRole(Base):
    __tablename__ = "person_roles"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE", onupdate="CASCADE"))
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE", onupdate="CASCADE")
    )
    title: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("person_id", "organisation_id", "title", postgresql_nulls_not_distinct=True),
        Index("ix_person_roles_organisation_id", "organisation_id"),
    )


class Event(TimestampMixin, Base):
    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    cluster_key: Mapped[str] = mapped_column(Text, unique=True)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(8))
    date_text: Mapped[str | None] = mapped_column(Text)
    reported_on: Mapped[dt.date | None] = mapped_column(Date)
    source_count: Mapped[int] = mapped_column(Integer, server_default="0")
    first_reported_on: Mapped[dt.date | None] = mapped_column(Date)
    last_reported_on: Mapped[dt.date | None] = mapped_column(Date)
    conflicts: Mapped[list[Any]] = mapped_column(JSONB, server_default=sql("'[]'::jsonb"))
    # The item as lists show it, kept by triggers (service/events/read_model.sql); never written here.
    list_item: Mapped[Any] = mapped_column(JSON, nullable=True, server_default=FetchedValue(), deferred=True)
    # Its hash, for list pages' ETags (migration f2c6a8d4b913).
    list_hash: Mapped[int | None] = mapped_column(
        BigInteger, Computed("hashtextextended(list_item::text, 0)", persisted=True), deferred=True
    )
    search_vector: Mapped[Any] = mapped_column(
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('french', rivalry_unaccent(title)), 'A')"
            " || setweight(to_tsvector('french', rivalry_unaccent(coalesce(summary, ''))), 'B')",
            persisted=True,
        ),
    )

    __table_args__ = (
        CheckConstraint(_in("type", EVENT_TYPES), name="type"),
        CheckConstraint(_in("status", EVENT_STATUSES), name="status"),
        CheckConstraint(f"date_precision IS NULL OR {_in('date_precision', DATE_PRECISIONS)}", name="precision"),
        Index("ix_events_occurred_on_id", "occurred_on", "id"),
        Index("ix_events_occurred_on_key", sql(_date_key("occurred_on")), sql("id")),
        Index("ix_events_occurred_on_desc_key", sql(_date_key("occurred_on", descending=True)), sql("id")),
        Index("ix_events_type_occurred_on_key", "type", sql(_date_key("occurred_on")), sql("id")),
        Index("ix_events_source_count_id", sql("source_count DESC"), sql("id")),
        Index("ix_events_type", "type"),
        Index("ix_events_status", "status"),
        Index("ix_events_search_vector", "search_vector", postgresql_using="gin"),
    )


class EventParticipant(Base):
    __tablename__ = "event_participants"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE", onupdate="CASCADE")
    )
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE", onupdate="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    # Copies of the event's type and date: with them, one entity's events are read from one index
    # in page order. Triggers fill them for rows written without them and follow the event's
    # changes; the loader writes them itself (its events go in the same statement).
    event_type: Mapped[str | None] = mapped_column(String(16))
    event_occurred_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(_entity_ref_check(""), name="entity_ref"),
        CheckConstraint(_in("role", PARTICIPANT_ROLES), name="role"),
        UniqueConstraint("event_id", "organisation_id", "person_id", postgresql_nulls_not_distinct=True),
        # One entity's events in either date order, with or without one type: a page is one range
        # of one of these, whoever the entity. A row names an organisation or a person, never
        # both, so each is partial and a row enters four of the eight. Their first column also
        # serves looking participants up by entity (renames, cascading deletes).
        *(
            Index(
                f"ix_event_participants_{entity}_{name}",
                f"{entity}_id",
                *columns,
                "event_id",
                postgresql_where=sql(f"{entity}_id IS NOT NULL"),
            )
            for entity in ("organisation", "person")
            for name, columns in (
                ("occurred_on_key", [sql(_date_key("event_occurred_on"))]),
                ("occurred_on_desc_key", [sql(_date_key("event_occurred_on", descending=True))]),
                ("type_occurred_on_key", ["event_type", sql(_date_key("event_occurred_on"))]),
                ("type_occurred_on_desc_key", ["event_type", sql(_date_key("event_occurred_on", descending=True))]),
            )
        ),
    )


class Funding(TimestampMixin, Base):
    __tablename__ = "funding"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    natural_key: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(24, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    qualifier: Mapped[str] = mapped_column(String(16), server_default="exact")
    amount_usd: Mapped[Decimal | None] = mapped_column(Numeric(24, 2))
    fx_rate_on: Mapped[dt.date | None] = mapped_column(Date)
    equivalents: Mapped[list[Any]] = mapped_column(JSONB, server_default=sql("'[]'::jsonb"))
    amount_text: Mapped[str] = mapped_column(Text)
    recipient_kind: Mapped[str | None] = mapped_column(String(16))
    recipient_organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL", onupdate="CASCADE")
    )
    recipient_person_id: Mapped[str | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL", onupdate="CASCADE")
    )
    event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    occurred_on: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    source_count: Mapped[int] = mapped_column(Integer, server_default="0")
    # The item as lists show it, kept by triggers (service/funding/read_model.sql); never written here.
    list_item: Mapped[Any] = mapped_column(JSON, nullable=True, server_default=FetchedValue(), deferred=True)
    # Its hash, for list pages' ETags (migration f2c6a8d4b913).
    list_hash: Mapped[int | None] = mapped_column(
        BigInteger, Computed("hashtextextended(list_item::text, 0)", persisted=True), deferred=True
    )

    __table_args__ = (
        CheckConstraint(_in("kind", FUNDING_KINDS), name="kind"),
        CheckConstraint(_in("qualifier", QUALIFIERS), name="qualifier"),
        CheckConstraint(_in("status", EVENT_STATUSES), name="status"),
        Index("ix_funding_amount_usd_id", sql("amount_usd DESC NULLS LAST"), sql("id")),
        Index("ix_funding_amount_usd_key", sql(_amount_key("amount_usd")), sql("id")),
        Index("ix_funding_amount_usd_desc_key", sql(_amount_key("amount_usd", descending=True)), sql("id")),
        Index("ix_funding_occurred_on_id", "occurred_on", "id"),
        Index("ix_funding_occurred_on_key", sql(_date_key("occurred_on")), sql("id")),
        Index("ix_funding_occurred_on_desc_key", sql(_date_key("occurred_on", descending=True)), sql("id")),
        Index("ix_funding_recipient_organisation_id", "recipient_organisation_id"),
        Index("ix_funding_event_id", "event_id"),
        Index("ix_funding_kind", "kind"),
    )


class FundingPayer(Base):
    __tablename__ = "funding_payers"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    funding_id: Mapped[str] = mapped_column(ForeignKey("funding.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE", onupdate="CASCADE")
    )
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE", onupdate="CASCADE"))

    __table_args__ = (
        CheckConstraint(_entity_ref_check(""), name="entity_ref"),
        UniqueConstraint("funding_id", "organisation_id", "person_id", postgresql_nulls_not_distinct=True),
        Index("ix_funding_payers_organisation_id", "organisation_id"),
        Index("ix_funding_payers_person_id", "person_id"),
    )


# Which documents reported each participant and payer. A participant belongs to its event only
# while a document that named it is stored: the event may outlive a retracted article that
# corroborated it, but not the extra party that article alone added.
class EventParticipantSource(Base):
    __tablename__ = "event_participant_sources"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("event_participants.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_event_participant_sources_document_id", "document_id"),)


class FundingPayerSource(Base):
    __tablename__ = "funding_payer_sources"

    payer_id: Mapped[int] = mapped_column(ForeignKey("funding_payers.id", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_funding_payer_sources_document_id", "document_id"),)


class Relationship(TimestampMixin, Base):
    __tablename__ = "relationships"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE", onupdate="CASCADE"))
    other_organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE", onupdate="CASCADE")
    )

    __table_args__ = (
        UniqueConstraint("type", "organisation_id", "other_organisation_id"),
        Index("ix_relationships_other_organisation_id", "other_organisation_id"),
    )


class Rivalry(TimestampMixin, Base):
    __tablename__ = "rivalries"

    id: Mapped[str] = mapped_column(String(250), primary_key=True)
    party_a_kind: Mapped[str] = mapped_column(String(16))
    party_a_organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE", onupdate="CASCADE")
    )
    party_a_person_id: Mapped[str | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE", onupdate="CASCADE")
    )
    party_b_kind: Mapped[str] = mapped_column(String(16))
    party_b_organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE", onupdate="CASCADE")
    )
    party_b_person_id: Mapped[str | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE", onupdate="CASCADE")
    )
    summary: Mapped[str | None] = mapped_column(Text)
    event_count: Mapped[int] = mapped_column(Integer, server_default="0")
    source_count: Mapped[int] = mapped_column(Integer, server_default="0")
    first_event_on: Mapped[dt.date | None] = mapped_column(Date)
    last_event_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(_entity_ref_check("party_a_"), name="party_a"),
        CheckConstraint(_entity_ref_check("party_b_"), name="party_b"),
        Index("ix_rivalries_event_count_id", sql("event_count DESC"), sql("id")),
        Index("ix_rivalries_party_a_organisation_id", "party_a_organisation_id"),
        Index("ix_rivalries_party_b_organisation_id", "party_b_organisation_id"),
        Index("ix_rivalries_party_a_person_id", "party_a_person_id"),
        Index("ix_rivalries_party_b_person_id", "party_b_person_id"),
    )


class Citation(Base):
    """Where a fact was read: ``documents.text[start:end] == quote``, a W3C TextQuoteSelector."""

    __tablename__ = "citations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    fact_kind: Mapped[str] = mapped_column(String(16))
    fact_id: Mapped[str] = mapped_column(String(250))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(Text, server_default="")
    suffix: Mapped[str] = mapped_column(Text, server_default="")
    extractor: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    field: Mapped[str | None] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(_in("fact_kind", FACT_KINDS), name="fact_kind"),
        CheckConstraint('start >= 0 AND "end" > start', name="span"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
        UniqueConstraint("fact_kind", "fact_id", "document_id", "start", "end"),
        Index("ix_citations_document_id", "document_id"),
        # A list shows each fact's first citation: read in id order, stop at the first row.
        Index("ix_citations_fact_kind_fact_id_id", "fact_kind", "fact_id", "id"),
    )


class EntityRedirect(Base):
    """A merged or renamed id and the canonical id it now answers with (``308``)."""

    __tablename__ = "entity_redirects"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    old_id: Mapped[str] = mapped_column(String(250), primary_key=True)
    new_id: Mapped[str] = mapped_column(String(250))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IngestionRun(Base):
    __tablename__ = "ingestion_runs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), server_default="running")
    source: Mapped[str] = mapped_column(Text)
    corpus_digest: Mapped[str | None] = mapped_column(String(64))
    pipeline_version: Mapped[str] = mapped_column(String(32))
    documents_new: Mapped[int] = mapped_column(Integer, server_default="0")
    documents_unchanged: Mapped[int] = mapped_column(Integer, server_default="0")
    documents_failed: Mapped[int] = mapped_column(Integer, server_default="0")
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=sql("'{}'::jsonb"))
    errors: Mapped[list[Any]] = mapped_column(JSONB, server_default=sql("'[]'::jsonb"))

    __table_args__ = (
        CheckConstraint("status IN ('running', 'completed', 'failed')", name="status"),
        Index("ix_ingestion_runs_corpus_digest", "corpus_digest"),
    )


# A name belongs to one key in force at a time, so `rivalry apikey revoke NAME` means one key;
# revoked keys keep theirs, which a new key may take again.
API_KEY_NAME_IN_FORCE = "uq_api_keys_name_in_force"


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Text)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index(API_KEY_NAME_IN_FORCE, "name", unique=True, postgresql_where=sql("revoked_at IS NULL")),)


# The event and funding rows whose list items a deferring transaction (a document's load) must
# recompute before it commits: the list-item triggers (service/*/read_model.sql) queue them under
# the transaction's id, and ``rivalry_flush_list_items()`` recomputes and deletes them. Only SQL
# reads and writes it, so it is a table without an ORM class.
list_item_queue = Table(
    "list_item_queue",
    metadata,
    Column("xact", Xid8(), nullable=False, server_default=func.pg_current_xact_id()),
    Column("kind", String(8), nullable=False),
    Column("id", String(250), nullable=False),
    PrimaryKeyConstraint("xact", "kind", "id"),
)


class RivalryRecount(Base):
    """What a load changed that rivalry counts depend on, until they are recounted.

    Written in the load's own transaction, so a seed killed between a document's commit and the
    recount of its batch leaves the work queued for the next recount instead of losing it.
    ``kind`` is ``event`` (an event created or reported again), ``rivalry`` (a rivalry a document
    asserted) or ``organisation``/``person`` (a party to events a retraction changed or deleted).
    """

    __tablename__ = "rivalry_recounts"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    id: Mapped[str] = mapped_column(String(250), primary_key=True)

    __table_args__ = (CheckConstraint(_in("kind", RECOUNT_KINDS), name="kind"),)


class Change(Base):
    """The change log behind ``/api/v1/changes``: one row per create/update, tombstones for deletes."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(250))
    op: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(_in("kind", CHANGE_KINDS), name="kind"),
        CheckConstraint(_in("op", CHANGE_OPS), name="op"),
        Index("ix_changes_changed_at_id", "changed_at", "id"),
        Index("ix_changes_kind_entity_id", "kind", "entity_id"),
    )
