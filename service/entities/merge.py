"""Merging two organisations or two people that are one: every fact of FROM moves to INTO, FROM is
deleted, and its id answers ``308`` with INTO's URL from then on.

``rivalry entities merge FROM INTO`` runs a merge in a transaction of its own
(:func:`merge_by_ids`); a document's load runs one inside its own transaction when the gazetteer
comes to name an entity that text alone had created (``service.ingest.load``). Both go through
:func:`merge_entities`, which holds the load lock every writer of facts takes, and locks both rows,
so no load attaches a fact to FROM while it moves: a load waiting for the lock then finds FROM's
redirect and writes under INTO.

What INTO already had wins: an alias, citation, role, event or funding party, relationship or
rivalry both entities had is kept once, as INTO's, with the documents that reported either. A
rivalry or relationship between the two disappears. Rivalries and relationships, whose ids are
made of their parties' ids, take the id a load would now give them, and a rivalry's former id
redirects too. Events and funding keep their ids: they are found by their participants, and their
routes answer no redirect. The list items shown by those rows follow through the triggers that keep
them (migrations 8d4f2a6c1e93, d81f5b3c9e47); the rivalries whose counts may change are queued for
recounting, as a load queues them.
"""

# ruff: noqa: S608 - the names formatted into SQL here are this module's constants; values are parameters
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from sqlalchemy import insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from service.ingest.document_loader import _changes, _Touched, stable_id
from service.ingest.load_sql import LOAD_LOCK_ID
from service.ingest.retract import recount_rivalries
from service.models import Change, RivalryRecount

EntityKind = Literal["organisation", "person"]
KINDS: tuple[EntityKind, ...] = ("organisation", "person")


@dataclass(frozen=True)
class _Tables:
    table: str
    aliases: str
    column: str  # how aliases, roles, event participants and funding payers name an entity of this kind
    recipient: str  # how funding names its recipient
    role_other: str  # the other party of a role


_TABLES: dict[EntityKind, _Tables] = {
    "organisation": _Tables(
        "organisations", "organisation_aliases", "organisation_id", "recipient_organisation_id", "person_id"
    ),
    "person": _Tables("people", "person_aliases", "person_id", "recipient_person_id", "organisation_id"),
}
# (the fact a party takes part in, its party table, the table of the documents that named each
# party, its reference to the party, its reference to the fact, what the summary calls them)
_PARTIES = (
    ("event", "event_participants", "event_participant_sources", "participant_id", "event_id", "events"),
    ("funding", "funding_payers", "funding_payer_sources", "payer_id", "funding_id", "funding paid"),
)
_LOCK = text("SELECT pg_advisory_xact_lock(:id)")


class MergeError(Exception):
    """A merge refused before anything changed; the message says why, in one line."""


class UnknownEntity(MergeError):
    pass


class AlreadyMerged(MergeError):
    pass


class SameEntity(MergeError):
    pass


class KindsDiffer(MergeError):
    pass


class AmbiguousId(MergeError):
    pass


@dataclass
class MergeOutcome:
    kind: EntityKind
    from_id: str
    into_id: str
    moved: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """What moved, in one line."""
        n = self.moved
        rivalries = f"{n['rivalries']} rivalries ({n['rivalries joined']} merged into one {self.into_id!r} had"
        rivalries += f", {n['rivalries dropped']} between the two deleted)"
        relationships = f"{n['relationships']} relationships ({n['relationships dropped']} between the two deleted)"
        return (
            f"merged {self.kind} {self.from_id!r} into {self.into_id!r}: {n['aliases']} aliases, "
            f"{n['citations']} citations, {n['events']} events, {n['funding paid']} funding paid, "
            f"{n['funding received']} funding received, {n['roles']} roles, {relationships}, {rivalries}; "
            f"{self.from_id!r} now redirects to {self.into_id!r}"
        )


async def merge_by_ids(url: str, source: str, target: str, kind: EntityKind | None = None) -> MergeOutcome:
    """``rivalry entities merge``: find the two entities by id, merge them, recount the rivalries
    the merge changed, in one transaction on a connection of its own."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            # Taken before the ids are looked up, so that they stay what was found until the merge.
            await conn.execute(_LOCK, {"id": LOAD_LOCK_ID})
            kind, from_id, into_id = await identify(conn, source, target, kind)
            outcome = await merge_entities(conn, kind, from_id, into_id)
            await recount_rivalries(conn)
            return outcome
    finally:
        await engine.dispose()


async def identify(
    conn: AsyncConnection, source: str, target: str, kind: EntityKind | None = None
) -> tuple[EntityKind, str, str]:
    """(kind, FROM, INTO) for two ids, or the :class:`MergeError` that says why they cannot merge.

    INTO may be a former id: the entity it was merged into is meant. FROM may not: its facts have
    moved already.
    """
    kinds = KINDS if kind is None else (kind,)
    sources = {k for k in kinds if await _stored(conn, k, source)}
    if not sources:
        for k in kinds:
            merged_into = await _redirect_of(conn, k, source)
            if merged_into is not None:
                raise AlreadyMerged(f"{source!r} was already merged into {merged_into!r}: nothing is left to merge")
        raise UnknownEntity(f"no {_named(kinds)} has the id {source!r}")
    targets: dict[EntityKind, str] = {}
    for k in kinds:
        if await _stored(conn, k, target):
            targets[k] = target
        elif (merged_into := await _redirect_of(conn, k, target)) is not None and await _stored(conn, k, merged_into):
            targets[k] = merged_into
    if not targets:
        raise UnknownEntity(f"no {_named(kinds)} has the id {target!r}")
    common = [k for k in kinds if k in sources and k in targets]
    if not common:
        (source_kind, *_), (target_kind, *_) = sorted(sources), sorted(targets)
        raise KindsDiffer(
            f"{source!r} is {_a(source_kind)} and {target!r} {_a(target_kind)}:"
            " only two organisations or two people can be merged"
        )
    if len(common) > 1:
        raise AmbiguousId(f"{source!r} and {target!r} are ids of organisations and of people: say which with --kind")
    (found,) = common
    if targets[found] == source:
        raise SameEntity(f"{source!r} and {target!r} are the same {found}: nothing to merge")
    return found, source, targets[found]


def _named(kinds: tuple[EntityKind, ...]) -> str:
    return " or ".join(kinds)


def _a(kind: str) -> str:
    return f"an {kind}" if kind == "organisation" else f"a {kind}"


async def _stored(conn: AsyncConnection, kind: EntityKind, entity_id: str) -> bool:
    table = _TABLES[kind].table
    return await conn.scalar(text(f"SELECT true FROM {table} WHERE id = :id"), {"id": entity_id}) is not None


async def _redirect_of(conn: AsyncConnection, kind: str, old_id: str) -> str | None:
    return cast(
        "str | None",
        await conn.scalar(
            text("SELECT new_id FROM entity_redirects WHERE kind = :kind AND old_id = :old"),
            {"kind": kind, "old": old_id},
        ),
    )


async def merge_entities(conn: AsyncConnection, kind: EntityKind, from_id: str, into_id: str) -> MergeOutcome:
    """Move every fact of ``from_id`` to ``into_id`` and delete it, in the caller's transaction.

    Writes the redirect, the change log (FROM deleted, INTO and every fact whose shape changed
    updated) and the rivalry recount queue; the caller recounts (:func:`recount_rivalries`) when
    it is done, as loads do.
    """
    if from_id == into_id:
        raise SameEntity(f"{from_id!r} and {into_id!r} are the same {kind}: nothing to merge")
    t = _TABLES[kind]
    ids = {"from_id": from_id, "into_id": into_id, "kind": kind}
    await conn.execute(_LOCK, {"id": LOAD_LOCK_ID})
    # In id order, as any other merge locks them: two merges of the same pair never deadlock.
    locked = set(
        await conn.scalars(
            text(f"SELECT id FROM {t.table} WHERE id IN (:from_id, :into_id) ORDER BY id FOR UPDATE"),
            ids,
        )
    )
    for entity_id in (from_id, into_id):
        if entity_id not in locked:
            raise UnknownEntity(f"no {kind} has the id {entity_id!r}")

    outcome = MergeOutcome(kind, from_id, into_id)
    touched = _Touched()
    recounts: set[tuple[str, str]] = {(kind, into_id)}

    # FROM's name and aliases become INTO's aliases; INTO keeps its name.
    aliases = await _all(
        conn,
        f"""
        INSERT INTO {t.aliases} ({t.column}, alias, is_name)
        SELECT target.id, a.alias, false
        FROM (SELECT alias FROM {t.aliases} WHERE {t.column} = :from_id
              UNION SELECT name FROM {t.table} WHERE id = :from_id) AS a
        JOIN {t.table} AS target ON target.id = :into_id
        WHERE a.alias <> target.name
        ON CONFLICT DO NOTHING
        RETURNING alias
        """,
        ids,
    )
    outcome.moved["aliases"] = len(aliases)
    outcome.moved["citations"] = await _move_citations(conn, kind, from_id, into_id)

    # Roles: a person's detail lists their organisations, an organisation's its people.
    role_rows = await _all(
        conn,
        f"""
        DELETE FROM person_roles AS r USING person_roles AS kept
        WHERE r.{t.column} = :from_id AND kept.{t.column} = :into_id
          AND kept.{t.role_other} IS NOT DISTINCT FROM r.{t.role_other} AND kept.title = r.title
        RETURNING r.{t.role_other}
        """,
        ids,
    )
    role_rows += await _all(
        conn, f"UPDATE person_roles SET {t.column} = :into_id WHERE {t.column} = :from_id RETURNING {t.role_other}", ids
    )
    outcome.moved["roles"] = len(role_rows)
    other_kind = "person" if kind == "organisation" else "organisation"
    for (other,) in role_rows:
        if other is not None:
            touched.touch(other_kind, other, created=False)

    # Event participants and funding payers: where INTO takes part already, FROM's row goes and
    # the documents that named it are credited to INTO's (a retraction keeps the party while any
    # of them is stored); elsewhere the row is INTO's from now on.
    for fact_kind, parties, sources, party_ref, fact_ref, label in _PARTIES:
        await conn.execute(
            text(
                f"""
                INSERT INTO {sources} ({party_ref}, document_id)
                SELECT kept.id, s.document_id
                FROM {parties} AS p
                JOIN {parties} AS kept ON kept.{fact_ref} = p.{fact_ref} AND kept.{t.column} = :into_id
                JOIN {sources} AS s ON s.{party_ref} = p.id
                WHERE p.{t.column} = :from_id
                ON CONFLICT DO NOTHING
                """
            ),
            ids,
        )
        party_rows = await _all(
            conn,
            f"""
            DELETE FROM {parties} AS p USING {parties} AS kept
            WHERE p.{t.column} = :from_id AND kept.{fact_ref} = p.{fact_ref} AND kept.{t.column} = :into_id
            RETURNING p.{fact_ref}
            """,
            ids,
        )
        party_rows += await _all(
            conn, f"UPDATE {parties} SET {t.column} = :into_id WHERE {t.column} = :from_id RETURNING {fact_ref}", ids
        )
        facts = {row[0] for row in party_rows}
        outcome.moved[label] = len(facts)
        for fact_id in facts:
            touched.touch(fact_kind, fact_id, created=False)
        if fact_kind == "event":
            # The rivalries these events count for, a person's through the organisations they run.
            recounts |= {("event", fact_id) for fact_id in facts}
    received = await _all(
        conn, f"UPDATE funding SET {t.recipient} = :into_id WHERE {t.recipient} = :from_id RETURNING id", ids
    )
    outcome.moved["funding received"] = len(received)
    for (funding_id,) in received:
        touched.touch("funding", funding_id, created=False)

    if kind == "organisation":
        await _relationships(conn, from_id, into_id, outcome, touched)
    await _rivalries(conn, kind, from_id, into_id, outcome, touched, recounts)

    # INTO's counters from the citations it now has; what it left unknown, FROM may tell.
    fill = (
        ", country = coalesce(t.country, f.country), description = coalesce(t.description, f.description),"
        " kind = CASE WHEN t.kind = 'other' THEN f.kind ELSE t.kind END"
        if kind == "organisation"
        else ""
    )
    await conn.execute(
        text(
            f"""
            UPDATE {t.table} AS t
            SET mention_count = s.mentions, source_count = s.sources, first_seen_on = s.first,
                last_seen_on = s.last, updated_at = now(){fill}
            FROM (SELECT count(c.id) AS mentions, count(DISTINCT c.document_id) AS sources,
                         min(d.published_on) AS first, max(d.published_on) AS last
                  FROM citations AS c JOIN documents AS d ON d.id = c.document_id
                  WHERE c.fact_kind = :kind AND c.fact_id = :into_id) AS s,
                 {t.table} AS f
            WHERE t.id = :into_id AND f.id = :from_id
            """
        ),
        ids,
    )
    # What is left of FROM (its own aliases) goes with it.
    await conn.execute(text(f"DELETE FROM {t.table} WHERE id = :from_id"), ids)
    await redirect(conn, kind, from_id, into_id)
    touched.deleted[kind].add(from_id)
    touched.touch(kind, into_id, created=False)

    await conn.execute(insert(Change), [{"kind": k, "entity_id": i, "op": op} for k, i, op in _changes(touched)])
    await conn.execute(
        pg_insert(RivalryRecount).values([{"kind": k, "id": i} for k, i in sorted(recounts)]).on_conflict_do_nothing()
    )
    return outcome


async def redirect(conn: AsyncConnection, kind: str, old_id: str, new_id: str) -> None:
    """``old_id`` answers ``308`` to ``new_id``, and so do the ids that redirected to ``old_id``:
    a chain of merges is one hop. ``new_id`` is canonical, so a redirect it kept from an earlier
    life (an id merged away, then made again) goes."""
    params = {"kind": kind, "old": old_id, "new": new_id}
    await conn.execute(text("DELETE FROM entity_redirects WHERE kind = :kind AND old_id = :new"), params)
    await conn.execute(text("UPDATE entity_redirects SET new_id = :new WHERE kind = :kind AND new_id = :old"), params)
    await conn.execute(
        text(
            "INSERT INTO entity_redirects (kind, old_id, new_id) VALUES (:kind, :old, :new)"
            " ON CONFLICT (kind, old_id) DO UPDATE SET new_id = excluded.new_id, created_at = now()"
        ),
        params,
    )


async def _all(conn: AsyncConnection, statement: str, params: Mapping[str, Any]) -> list[Any]:
    return list(await conn.execute(text(statement), params))


async def _move_citations(conn: AsyncConnection, fact_kind: str, old_id: str, new_id: str) -> int:
    """The citations of one fact, now of another; those the other has already (same document and
    span) go. Returns how many moved."""
    params = {"kind": fact_kind, "old": old_id, "new": new_id}
    await conn.execute(
        text(
            """
            DELETE FROM citations AS c USING citations AS kept
            WHERE c.fact_kind = :kind AND c.fact_id = :old AND kept.fact_kind = :kind AND kept.fact_id = :new
              AND kept.document_id = c.document_id AND kept.start = c.start AND kept."end" = c."end"
            """
        ),
        params,
    )
    moved = await conn.execute(
        text("UPDATE citations SET fact_id = :new WHERE fact_kind = :kind AND fact_id = :old"), params
    )
    return int(moved.rowcount)


async def _drop(conn: AsyncConnection, fact_kind: str, table: str, fact_id: str, touched: _Touched) -> None:
    await conn.execute(
        text("DELETE FROM citations WHERE fact_kind = :kind AND fact_id = :id"), {"kind": fact_kind, "id": fact_id}
    )
    await conn.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": fact_id})
    touched.deleted[fact_kind].add(fact_id)


async def _relationships(
    conn: AsyncConnection, from_id: str, into_id: str, outcome: MergeOutcome, touched: _Touched
) -> None:
    """FROM's relationships, INTO's now, under the id a load gives a relationship of INTO
    (``relationship`` UUID of type and both organisations), so that a later report of one
    corroborates it instead of missing it."""
    rows = await _all(
        conn,
        "SELECT id, type, organisation_id, other_organisation_id FROM relationships"
        " WHERE organisation_id = :from_id OR other_organisation_id = :from_id ORDER BY id FOR UPDATE",
        {"from_id": from_id},
    )
    for row in rows:
        organisation, other = (into_id if o == from_id else o for o in (row.organisation_id, row.other_organisation_id))
        for party in {organisation, other} - {into_id}:
            touched.touch("organisation", party, created=False)  # its detail lists the relationship
        outcome.moved["relationships"] += 1
        if organisation == other:
            await _drop(conn, "relationship", "relationships", row.id, touched)
            outcome.moved["relationships dropped"] += 1
            continue
        params = {"id": row.id, "type": row.type, "organisation": organisation, "other": other}
        kept = await conn.scalar(
            text(
                "SELECT id FROM relationships"
                " WHERE type = :type AND organisation_id = :organisation AND other_organisation_id = :other"
            ),
            params,
        )
        if kept is not None:
            await _move_citations(conn, "relationship", row.id, kept)
            await conn.execute(text("DELETE FROM relationships WHERE id = :id"), params)
            touched.deleted["relationship"].add(row.id)
            touched.touch("relationship", kept, created=False)
            continue
        new_id = stable_id("relationship", f"{row.type}|{organisation}|{other}")
        await conn.execute(
            text(
                "UPDATE relationships SET id = :new_id, organisation_id = :organisation,"
                " other_organisation_id = :other, updated_at = now() WHERE id = :id"
            ),
            {**params, "new_id": new_id},
        )
        await _move_citations(conn, "relationship", row.id, new_id)
        touched.deleted["relationship"].add(row.id)
        touched.touch("relationship", new_id, created=True)


async def _rivalries(
    conn: AsyncConnection,
    kind: EntityKind,
    from_id: str,
    into_id: str,
    outcome: MergeOutcome,
    touched: _Touched,
    recounts: set[tuple[str, str]],
) -> None:
    """FROM's rivalries, INTO's now: under the id a load gives them (the two sorted ids), joined to
    the one INTO already has with the same rival, and redirecting from their former id. A rivalry
    between FROM and INTO is gone."""
    column = _TABLES[kind].column
    rows = await _all(
        conn,
        f"""
        SELECT id, summary, party_a_kind, coalesce(party_a_organisation_id, party_a_person_id) AS party_a,
               party_b_kind, coalesce(party_b_organisation_id, party_b_person_id) AS party_b
        FROM rivalries WHERE party_a_{column} = :from_id OR party_b_{column} = :from_id
        ORDER BY id FOR UPDATE
        """,
        {"from_id": from_id},
    )
    for row in rows:
        outcome.moved["rivalries"] += 1
        a, b = (
            (party_kind, into_id if (party_kind, party_id) == (kind, from_id) else party_id)
            for party_kind, party_id in ((row.party_a_kind, row.party_a), (row.party_b_kind, row.party_b))
        )
        if a == b:
            await _drop(conn, "rivalry", "rivalries", row.id, touched)
            # Its former ids would redirect to nothing: they are unknown ids now.
            await conn.execute(
                text("DELETE FROM entity_redirects WHERE kind = 'rivalry' AND new_id = :id"), {"id": row.id}
            )
            outcome.moved["rivalries dropped"] += 1
            continue
        (a_kind, a_id), (b_kind, b_id) = sorted((a, b), key=lambda party: party[1])
        new_id = f"{a_id}--{b_id}"
        params = {"id": row.id, "new_id": new_id, "summary": row.summary}
        kept = await conn.scalar(text("SELECT id FROM rivalries WHERE id = :new_id FOR UPDATE"), params)
        if kept is not None:
            await _move_citations(conn, "rivalry", row.id, new_id)
            await conn.execute(text("DELETE FROM rivalries WHERE id = :id"), params)
            await conn.execute(
                text(
                    """
                    UPDATE rivalries AS r
                    SET source_count = (SELECT count(DISTINCT c.document_id) FROM citations AS c
                                        WHERE c.fact_kind = 'rivalry' AND c.fact_id = r.id),
                        summary = coalesce(r.summary, :summary), updated_at = now()
                    WHERE r.id = :new_id
                    """
                ),
                params,
            )
            touched.touch("rivalry", new_id, created=False)
            outcome.moved["rivalries joined"] += 1
        else:
            await conn.execute(
                text(
                    """
                    UPDATE rivalries
                    SET id = :new_id, party_a_kind = :a_kind, party_a_organisation_id = :a_organisation,
                        party_a_person_id = :a_person, party_b_kind = :b_kind,
                        party_b_organisation_id = :b_organisation, party_b_person_id = :b_person,
                        updated_at = now()
                    WHERE id = :id
                    """
                ),
                {
                    **params,
                    "a_kind": a_kind,
                    "a_organisation": a_id if a_kind == "organisation" else None,
                    "a_person": a_id if a_kind == "person" else None,
                    "b_kind": b_kind,
                    "b_organisation": b_id if b_kind == "organisation" else None,
                    "b_person": b_id if b_kind == "person" else None,
                },
            )
            await _move_citations(conn, "rivalry", row.id, new_id)
            touched.touch("rivalry", new_id, created=True)
        touched.deleted["rivalry"].add(row.id)
        await redirect(conn, "rivalry", row.id, new_id)
        recounts.add(("rivalry", new_id))
