"""Search, stats, the change feed, exports and metrics on the seeded corpus."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]


async def test_search_is_accent_insensitive_and_stemmed(seeded_client: Client) -> None:
    body = (await seeded_client.get("/api/v1/search", params={"q": "fusees", "types": "documents"})).json()
    assert body["data"]
    assert all(hit["type"] == "document" for hit in body["data"])
    assert any("«fusées»" in hit["snippet"] or "«fusée" in hit["snippet"] for hit in body["data"])


async def test_search_matches_misspelt_and_partial_names_first(seeded_client: Client) -> None:
    stoke = (await seeded_client.get("/api/v1/search", params={"q": "stoke"})).json()["data"]
    assert stoke[0] == {**stoke[0], "type": "organisation", "id": "stoke-space"}
    altman = (await seeded_client.get("/api/v1/search", params={"q": "altmann", "types": "people"})).json()["data"]
    assert altman[0]["id"] == "sam-altman"
    scores = [h["score"] for h in stoke]
    assert scores == sorted(scores, reverse=True)


async def test_search_pages_with_a_cursor(seeded_client: Client) -> None:
    first = (await seeded_client.get("/api/v1/search", params={"q": "openai", "limit": 2})).json()
    assert len(first["data"]) == 2 and first["meta"]["next_cursor"]
    second = (
        await seeded_client.get(
            "/api/v1/search", params={"q": "openai", "limit": 2, "cursor": first["meta"]["next_cursor"]}
        )
    ).json()
    assert not {(h["type"], h["id"]) for h in first["data"]} & {(h["type"], h["id"]) for h in second["data"]}


async def test_search_rejects_bad_input(seeded_client: Client) -> None:
    for params, param in (({"q": "  "}, "q"), ({"q": "x", "types": "planets"}, "types"), ({}, "q")):
        response = await seeded_client.get("/api/v1/search", params=params)
        assert response.status_code == 400
        assert param in [e["param"] for e in response.json()["errors"]]


async def test_stats_count_what_is_served(seeded_client: Client) -> None:
    stats = (await seeded_client.get("/api/v1/stats")).json()
    documents = (await seeded_client.get("/api/v1/documents", params={"count": "true"})).json()
    assert stats["counts"]["documents"] == documents["meta"]["total"] == 5
    events = (await seeded_client.get("/api/v1/events", params={"count": "true"})).json()
    assert stats["counts"]["events"] == events["meta"]["total"] == sum(stats["events_by_type"].values())
    assert stats["last_ingestion"]["status"] == "completed"


async def test_stats_total_funding_apart_from_valuations_revenues_and_ended_bids(seeded_client: Client) -> None:
    stats = (await seeded_client.get("/api/v1/stats")).json()
    funding: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        body = (await seeded_client.get("/api/v1/funding", params=params)).json()
        funding += body["data"]
        if not (cursor := body["meta"]["next_cursor"]):
            break
    by_kind: dict[str, float] = {}
    for f in funding:
        by_kind[f["kind"]] = by_kind.get(f["kind"], 0.0) + (f["amount_usd"] or 0.0)
    assert stats["money_usd_by_kind"] == pytest.approx(by_kind)
    kept = [
        f["amount_usd"] or 0.0
        for f in funding
        if f["kind"] not in ("valuation", "revenue", "other") and f["status"] not in ("rejected", "cancelled")
    ]
    assert stats["funding_usd_total"] == pytest.approx(sum(kept))
    assert stats["funding_usd_total"] < sum(by_kind.values())  # the seed corpus states valuations too


async def test_change_feed_lists_every_fact_oldest_first(seeded_client: Client) -> None:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200, "since": "2000-01-01T00:00:00Z"}
        if cursor:
            params["cursor"] = cursor
        body = (await seeded_client.get("/api/v1/changes", params=params)).json()
        seen += body["data"]
        cursor = body["meta"]["next_cursor"]
        if not cursor:
            break
    stamps = [c["changed_at"] for c in seen]
    assert stamps == sorted(stamps)
    created = {(c["kind"], c["id"]) for c in seen if c["op"] == "created"}
    assert ("organisation", "openai") in created
    assert ("rivalry", "elon-musk--sam-altman") in created
    future = (await seeded_client.get("/api/v1/changes", params={"since": "2999-01-01T00:00:00Z"})).json()
    assert future["data"] == []
    bad = await seeded_client.get("/api/v1/changes", params={"since": "last week"})
    assert bad.status_code == 400


async def test_deletions_appear_as_tombstones(client: Any, conn: Any) -> None:
    from sqlalchemy import insert

    from service.models import Change

    await conn.execute(insert(Change).values(kind="event", entity_id="gone-event", op="deleted"))
    body = (await client.get("/api/v1/changes", params={"kind": "event", "limit": 200})).json()
    tombstone = next(c for c in body["data"] if c["id"] == "gone-event")
    assert tombstone["op"] == "deleted"
    assert tombstone["deleted_at"] == tombstone["changed_at"]


async def test_exports_stream_every_row_with_the_list_filters(seeded_client: Client) -> None:
    listed = (await seeded_client.get("/api/v1/events", params={"limit": 200, "type": "statement"})).json()["data"]
    ndjson = await seeded_client.get("/api/v1/export/events.ndjson", params={"type": "statement"})
    assert ndjson.status_code == 200
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in ndjson.text.splitlines()]
    assert {e["id"] for e in lines} == {e["id"] for e in listed}
    assert all(e["type"] == "statement" for e in lines)
    for name in ("events", "funding", "organisations", "people"):
        response = await seeded_client.get(f"/api/v1/export/{name}.csv")
        assert response.status_code == 200, name
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        total = (await seeded_client.get(f"/api/v1/{name}", params={"count": "true", "limit": 1})).json()["meta"][
            "total"
        ]
        assert len(rows) == total, name
        assert rows[0]["id"]
    bad = await seeded_client.get("/api/v1/export/events.csv", params={"type": "coup"})
    assert bad.status_code == 400


async def test_metrics_in_prometheus_text_format(seeded_client: Client) -> None:
    await seeded_client.get("/api/v1/events")
    response = await seeded_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "rivalry_requests_total" in text
    assert "rivalry_request_duration_seconds_bucket" in text
    assert 'path="/api/v1/events"' in text


async def test_cors_headers_for_configured_origins(seeded_client: Client) -> None:
    response = await seeded_client.get("/api/v1/documents", headers={"Origin": "https://example.org"})
    assert response.headers.get("access-control-allow-origin") == "*"
    preflight = await seeded_client.options(
        "/api/v1/documents",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers.get("access-control-allow-origin") == "*"
    assert "GET" in preflight.headers.get("access-control-allow-methods", "")
    # Without an Origin (not a browser's cross-origin request) the answer carries no CORS headers.
    plain = await seeded_client.get("/api/v1/documents")
    assert plain.status_code == 200
    assert not [name for name in plain.headers if name.startswith("access-control-")]
