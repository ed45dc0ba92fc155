"""Stored list items (``events.list_item``, ``funding.list_item``, migration 8d4f2a6c1e93) stay
equal to the item computed from the rows now, whatever writes: the API's article posts and
retractions, and direct writes to each table an item shows (names, participants, payers, funding
links, citations). A page reads these stored items, so a stale one would be served as is."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.api.test_write import FIRST, SECOND, _created, _post
from tests.conftest import AUTH

STALE = {
    "events": "SELECT e.id FROM events e WHERE e.list_item::text IS DISTINCT FROM rivalry_event_json(e, true)::text",
    "funding": (
        "SELECT f.id FROM funding f WHERE f.list_item::text IS DISTINCT FROM rivalry_funding_json(f, true)::text"
    ),
}

FUNDED = (
    "Publié le 2 avril 2025\n"
    "SoftBank a investi 30 milliards de dollars dans OpenAI, a annoncé Sam Altman. "
    "Microsoft a également participé au tour de table d’OpenAI.\n"
)


async def _stale(conn: AsyncConnection) -> dict[str, list[str]]:
    return {table: list(await conn.scalars(text(query))) for table, query in STALE.items()}


async def _listed(client: httpx.AsyncClient, route: str) -> dict[str, Any]:
    body = (await client.get(f"/api/v1/{route}", params={"limit": 200})).json()
    return {item["id"]: item for item in body["data"]}


async def test_items_follow_posts_and_retractions(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    first = (await _post(client, FIRST)).json()
    second = (await _post(client, SECOND)).json()
    funded = (await _post(client, FUNDED)).json()
    assert funded["created"]["funding"], funded
    assert await _stale(conn) == {"events": [], "funding": []}
    lawsuit = await _created(client, first, "lawsuit")
    assert (await _listed(client, "events"))[lawsuit]["source_count"] == 2

    await client.delete(f"/api/v1/documents/{second['document']['id']}", headers=AUTH)
    assert await _stale(conn) == {"events": [], "funding": []}
    listed = (await _listed(client, "events"))[lawsuit]
    detail = (await client.get(f"/api/v1/events/{lawsuit}")).json()
    assert listed["source_count"] == 1
    # The list shows the first citation, the detail all of them; otherwise the same fields.
    assert {**listed, "citations": detail["citations"]} == detail
    assert listed["citations"] == detail["citations"][:1]


async def test_items_follow_writes_to_every_table_they_show(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    await _post(client, FIRST)
    await _post(client, FUNDED)
    event_id, organisation_id = (
        await conn.execute(
            text(
                "SELECT p.event_id, p.organisation_id FROM event_participants p"
                " WHERE p.organisation_id IS NOT NULL ORDER BY p.id LIMIT 1"
            )
        )
    ).one()
    funding_id = await conn.scalar(text("SELECT id FROM funding ORDER BY id LIMIT 1"))
    payer_id = await conn.scalar(
        text("SELECT organisation_id FROM funding_payers WHERE funding_id = :f AND organisation_id IS NOT NULL"),
        {"f": funding_id},
    )
    assert event_id and funding_id and payer_id

    writes = [
        # A renamed participant, payer and recipient.
        ("UPDATE organisations SET name = name || ' (renamed)' WHERE id = :o", {"o": organisation_id}),
        ("UPDATE organisations SET name = name || ' (payer)' WHERE id = :o", {"o": payer_id}),
        ("UPDATE people SET name = upper(name)", {}),
        # Participants and payers added, changed and removed.
        (
            "INSERT INTO event_participants (event_id, kind, role, organisation_id)"
            " SELECT :e, 'organisation', 'investor', id FROM organisations WHERE id <> :o ORDER BY id LIMIT 1",
            {"e": event_id, "o": organisation_id},
        ),
        ("UPDATE event_participants SET role = 'target' WHERE event_id = :e", {"e": event_id}),
        ("DELETE FROM funding_payers WHERE funding_id = :f", {"f": funding_id}),
        # Funding linked to an event, then moved off it; the event's funding ids follow.
        ("UPDATE funding SET event_id = :e WHERE id = :f", {"e": event_id, "f": funding_id}),
        # The first citation removed: the next one leads.
        (
            "DELETE FROM citations WHERE id = (SELECT min(id) FROM citations"
            " WHERE fact_kind = 'event' AND fact_id = :e AND field IS NULL)",
            {"e": event_id},
        ),
        ("DELETE FROM citations WHERE fact_kind = 'funding' AND fact_id = :f", {"f": funding_id}),
        ("UPDATE funding SET event_id = NULL WHERE id = :f", {"f": funding_id}),
        # An organisation gone: its participant rows cascade away.
        ("DELETE FROM organisations WHERE id = :o", {"o": organisation_id}),
    ]
    for statement, params in writes:
        await conn.execute(text(statement), params)
        assert await _stale(conn) == {"events": [], "funding": []}, statement

    # And the routes serve the new values.
    events = await _listed(client, "events")
    assert organisation_id not in {p["id"] for p in events[event_id]["participants"]}
    assert all(
        p["name"] == p["name"].upper()
        for e in events.values()
        for p in e["participants"]
        if p["entity_kind"] == "person"
    )
    funding = (await _listed(client, "funding"))[funding_id]
    assert funding["payers"] == [] and funding["citations"] == [] and funding["event_id"] is None


async def test_a_page_s_etag_follows_its_items_and_nothing_else(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    """List pages take their ETag from their items' stored hashes (migration f2c6a8d4b913): it
    changes when an item does, not when a row changes in a way no item shows."""
    await _post(client, FIRST)
    await _post(client, FUNDED)

    async def etags() -> dict[str, str]:
        tags = {}
        for route in ("events", "funding"):
            page = await client.get(f"/api/v1/{route}", params={"limit": 200})
            assert page.status_code == 200 and page.json()["data"], route
            tags[route] = page.headers["etag"]
            again = await client.get(f"/api/v1/{route}", params={"limit": 200}, headers={"If-None-Match": tags[route]})
            assert (again.status_code, again.content) == (304, b""), route
            shorter = await client.get(f"/api/v1/{route}", params={"limit": 1})
            assert shorter.headers["etag"] != tags[route], route  # another page, another tag
        return tags

    before = await etags()
    assert (await conn.execute(text("UPDATE events SET updated_at = updated_at + interval '1 second'"))).rowcount
    assert await etags() == before  # rewritten rows, same items

    await conn.execute(text("UPDATE organisations SET name = name || ' (renamed)'"))
    after = await etags()
    assert all(after[route] != before[route] for route in before), (before, after)
    for route, etag in before.items():
        changed = await client.get(f"/api/v1/{route}", params={"limit": 200}, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and "(renamed)" in changed.text, route


async def test_items_are_the_wire_shape(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    """Items are JSON objects with exactly the fields of the schema the OpenAPI spec publishes."""
    await _post(client, FUNDED)
    spec = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    for table, schema in (("events", "EventRead"), ("funding", "FundingRead")):
        items = list(await conn.scalars(text(f"SELECT list_item::text FROM {table}")))
        assert items, table
        for item in items:
            assert set(json.loads(item)) == set(spec[schema]["properties"]), table


async def test_a_deferring_writer_is_caught_up_at_commit(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    """Loads defer the items (migration d81f5b3c9e47) and recompute them once when done; a writer
    that defers and never does is caught up by the commit itself."""
    await _post(client, FIRST)
    organisation_id = await conn.scalar(
        text("SELECT organisation_id FROM event_participants WHERE organisation_id IS NOT NULL ORDER BY id LIMIT 1")
    )
    await conn.execute(text("SELECT set_config('rivalry.defer_list_items', 'on', true)"))
    await conn.execute(
        text("UPDATE organisations SET name = name || ' (renamed)' WHERE id = :o"), {"o": organisation_id}
    )
    stale = await _stale(conn)
    queued = set(await conn.scalars(text("SELECT id FROM list_item_queue WHERE kind = 'event'")))
    assert stale["events"] and set(stale["events"]) <= queued  # deferred: queued, not yet recomputed

    await conn.execute(text("SET CONSTRAINTS list_item_queue_at_commit IMMEDIATE"))  # what COMMIT runs
    assert await _stale(conn) == {"events": [], "funding": []}
    assert list(await conn.scalars(text("SELECT id FROM list_item_queue"))) == []


COPIES = (
    "SELECT p.id FROM event_participants p JOIN events e ON e.id = p.event_id"
    " WHERE (p.event_type, p.event_occurred_on) IS DISTINCT FROM (e.type, e.occurred_on)"
)


async def test_participants_carry_their_event_s_type_and_date(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    """``event_participants`` keeps a copy of its event's type and date (migration e5b7c1d94a28),
    which the one-entity pages read in order: it follows every write, and the write that passes
    a change on does not recompute the event's list item a second time."""
    await _post(client, FIRST)  # the loader: events and participants written by one statement
    await _post(client, FUNDED)
    assert list(await conn.scalars(text(COPIES))) == []
    event_id, other_id = list(await conn.scalars(text("SELECT id FROM events ORDER BY id LIMIT 2")))
    writes = [
        ("UPDATE events SET type = 'bid', occurred_on = DATE '2021-03-04' WHERE id = :e", {"e": event_id}),
        ("UPDATE events SET occurred_on = NULL WHERE id = :e", {"e": event_id}),
        # Written without the copies (as any writer but the loader does), or moved to another event.
        (
            "INSERT INTO event_participants (event_id, kind, role, organisation_id)"
            " SELECT :e, 'organisation', 'partner', id FROM organisations"
            " WHERE id NOT IN (SELECT organisation_id FROM event_participants WHERE event_id IN (:e, :o)"
            " AND organisation_id IS NOT NULL) ORDER BY id LIMIT 1",
            {"e": other_id, "o": event_id},
        ),
        ("UPDATE event_participants SET event_id = :e WHERE id = (SELECT max(id) FROM event_participants)",
         {"e": event_id}),
    ]  # fmt: skip
    for statement, params in writes:
        await conn.execute(text(statement), params)
        assert list(await conn.scalars(text(COPIES))) == [], statement
        assert await _stale(conn) == {"events": [], "funding": []}, statement

    version = "SELECT ctid::text FROM events WHERE id = :e"  # a new row version, a new ctid
    before = await conn.scalar(text(version), {"e": event_id})
    await conn.execute(
        text("UPDATE event_participants SET event_type = event_type WHERE event_id = :e"), {"e": event_id}
    )
    assert await conn.scalar(text(version), {"e": event_id}) == before  # nothing the item shows changed
    await conn.execute(text("UPDATE event_participants SET role = 'target' WHERE event_id = :e"), {"e": event_id})
    assert await conn.scalar(text(version), {"e": event_id}) != before  # this one it shows
