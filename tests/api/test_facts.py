"""Fact resources on the seeded corpus: lists, details, filters, sub-resources, redirects, errors."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]


async def _json(client: Client, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params)
    assert response.status_code == 200, (path, response.text)
    return response.json()


async def test_organisation_detail_has_citations_people_and_relationships(seeded_client: Client) -> None:
    openai = await _json(seeded_client, "/api/v1/organisations/openai")
    assert openai["name"] == "OpenAI"
    assert openai["kind"] == "ai_lab"
    assert openai["mention_count"] >= openai["source_count"] >= 3
    assert len(openai["citations"]) == openai["mention_count"]
    assert "sam-altman" in {p["person_id"] for p in openai["people"]}
    stoke = await _json(seeded_client, "/api/v1/organisations/stoke-space")
    founded = [(r["type"], r["organisation_id"]) for r in stoke["relationships"]]
    assert ("founded_by_former_staff_of", "blue-origin") in founded
    blue = await _json(seeded_client, "/api/v1/organisations/blue-origin")
    assert ("alumni_founded", "stoke-space") in [(r["type"], r["organisation_id"]) for r in blue["relationships"]]
    assert all(r["citations"] for r in stoke["relationships"])


async def test_lists_embed_only_the_first_citation(seeded_client: Client) -> None:
    body = await _json(seeded_client, "/api/v1/organisations", sort="-mention_count", limit=5)
    assert body["data"][0]["id"] == "openai"
    assert all(len(o["citations"]) == 1 for o in body["data"])
    counts = [o["mention_count"] for o in body["data"]]
    assert counts == sorted(counts, reverse=True)


async def test_organisation_filters_kind_and_fuzzy_name(seeded_client: Client) -> None:
    labs = await _json(seeded_client, "/api/v1/organisations", kind="ai_lab")
    assert {"openai", "xai"} <= {o["id"] for o in labs["data"]}
    assert all(o["kind"] == "ai_lab" for o in labs["data"])
    stoke = await _json(seeded_client, "/api/v1/organisations", q="stoke")
    assert [o["id"] for o in stoke["data"]] == ["stoke-space"]
    by_name = await _json(seeded_client, "/api/v1/organisations", sort="name", limit=200)
    names = [o["name"] for o in by_name["data"]]
    assert names == sorted(names)


async def test_people_fuzzy_search_and_organisation_filter(seeded_client: Client) -> None:
    found = await _json(seeded_client, "/api/v1/people", q="altmann")
    assert [p["id"] for p in found["data"]] == ["sam-altman"]
    assert {"organisation_id": "openai", "title": "PDG"} in found["data"][0]["roles"]
    at_openai = await _json(seeded_client, "/api/v1/people", organisation="OpenAI")
    assert "sam-altman" in {p["id"] for p in at_openai["data"]}
    person = await _json(seeded_client, "/api/v1/people/elon-musk")
    assert person["citations"] and all(c["quote"] for c in person["citations"])


async def test_events_filters(seeded_client: Client) -> None:
    lawsuits = await _json(seeded_client, "/api/v1/events", type="lawsuit")
    assert lawsuits["data"] and all(e["type"] == "lawsuit" for e in lawsuits["data"])
    lawsuit = lawsuits["data"][0]
    assert lawsuit["source_count"] == 3
    assert {"elon-musk", "openai"} <= {p["id"] for p in lawsuit["participants"]}
    two_types = await _json(seeded_client, "/api/v1/events", type=["lawsuit", "bid"])
    assert {e["type"] for e in two_types["data"]} == {"lawsuit", "bid"}
    multi = await _json(seeded_client, "/api/v1/events", min_sources=2)
    assert all(e["source_count"] >= 2 for e in multi["data"])
    dated = await _json(seeded_client, "/api/v1/events", **{"from": "2015-01-01", "to": "2015-12-31"})
    assert dated["data"] and all(e["occurred_on"].startswith("2015") for e in dated["data"])
    by_person = await _json(seeded_client, "/api/v1/events", person="elon-musk", organisation="openai")
    assert by_person["data"]
    for event in by_person["data"]:
        ids = {p["id"] for p in event["participants"]}
        assert "elon-musk" in ids and "openai" in ids


async def test_events_sort_oldest_first_with_undated_last(seeded_client: Client) -> None:
    rows = (await _json(seeded_client, "/api/v1/events", limit=200))["data"]
    dates = [e["occurred_on"] for e in rows]
    dated = [d for d in dates if d]
    assert dated == sorted(dated)
    assert dates[: len(dated)] == dated
    newest = (await _json(seeded_client, "/api/v1/events", sort="-occurred_on", limit=200))["data"]
    assert [e["occurred_on"] for e in newest if e["occurred_on"]] == sorted(dated, reverse=True)


async def test_event_detail_keeps_conflicting_claims_side_by_side(seeded_client: Client) -> None:
    rows = (await _json(seeded_client, "/api/v1/events", limit=200))["data"]
    with_conflicts = [e for e in rows if e["conflicts"]]
    assert with_conflicts
    for event in with_conflicts:
        detail = await _json(seeded_client, f"/api/v1/events/{event['id']}")
        for conflict in detail["conflicts"]:
            assert len(conflict["values"]) >= 2
            docs = {c["document_id"] for v in conflict["values"] for c in v["citations"]}
            assert len(docs) >= 2


async def test_funding_sorted_by_usd_and_filtered(seeded_client: Client) -> None:
    rows = (await _json(seeded_client, "/api/v1/funding", limit=200))["data"]
    amounts = [f["amount_usd"] for f in rows if f["amount_usd"] is not None]
    assert amounts == sorted(amounts, reverse=True)
    assert [f["amount_usd"] for f in rows[len(amounts) :]] == [None] * (len(rows) - len(amounts))
    big = await _json(seeded_client, "/api/v1/funding", min_usd=100_000_000_000)
    assert big["data"] and all(f["amount_usd"] >= 1e11 for f in big["data"])
    bids = await _json(seeded_client, "/api/v1/funding", kind="bid", payer="elon-musk")
    assert [(f["amount"], f["recipient"]["id"]) for f in bids["data"]] == [(97_400_000_000.0, "openai")]
    converted = [f for f in rows if f["equivalents"]]
    assert converted and all(e["currency"] == "EUR" for f in converted for e in f["equivalents"])


async def test_rivalries_and_timeline(seeded_client: Client) -> None:
    rivalries = (await _json(seeded_client, "/api/v1/rivalries"))["data"]
    ids = {r["id"] for r in rivalries}
    assert {"elon-musk--sam-altman", "openai--xai"} <= ids
    counts = [r["event_count"] for r in rivalries]
    assert counts == sorted(counts, reverse=True)
    musk = await _json(seeded_client, "/api/v1/rivalries/elon-musk--sam-altman")
    assert {p["id"] for p in musk["parties"]} == {"elon-musk", "sam-altman"}
    assert musk["citations"]
    timeline = (await _json(seeded_client, "/api/v1/rivalries/elon-musk--sam-altman/timeline"))["data"]
    assert len(timeline) == musk["event_count"] >= 3
    # Altman's side includes OpenAI, the company he runs: Musk's suit against it and his bid for it.
    assert {"lawsuit", "bid"} <= {e["type"] for e in timeline}
    for event in timeline:
        roles = {p["id"]: p["role"] for p in event["participants"]}
        altman_side = [roles[i] for i in ("sam-altman", "openai") if i in roles]
        assert "elon-musk" in roles and altman_side
        assert any(role != roles["elon-musk"] for role in altman_side)  # on opposite sides
    party = (await _json(seeded_client, "/api/v1/rivalries", party="xai"))["data"]
    assert all("xai" in {p["id"] for p in r["parties"]} for r in party)


async def test_organisation_sub_resources(seeded_client: Client) -> None:
    events = (await _json(seeded_client, "/api/v1/organisations/openai/events", limit=200))["data"]
    assert events and all("openai" in {p["id"] for p in e["participants"]} for e in events)
    funding = (await _json(seeded_client, "/api/v1/organisations/openai/funding"))["data"]
    assert funding
    for f in funding:
        assert "openai" in {p["id"] for p in f["payers"]} | ({f["recipient"]["id"]} if f["recipient"] else set())
    lawsuits = (await _json(seeded_client, "/api/v1/organisations/openai/events", type="lawsuit"))["data"]
    assert lawsuits and all(e["type"] == "lawsuit" for e in lawsuits)
    with_musk = (await _json(seeded_client, "/api/v1/organisations/openai/events", person="elon-musk"))["data"]
    assert with_musk and all({"openai", "elon-musk"} <= {p["id"] for p in e["participants"]} for e in with_musk)
    bids = (await _json(seeded_client, "/api/v1/organisations/openai/funding", kind="bid"))["data"]
    assert [f["amount"] for f in bids] == [97_400_000_000.0]
    bad = await seeded_client.get("/api/v1/organisations/openai/events", params={"from": "2025-13-01"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["param"] == "from"
    rivals = (await _json(seeded_client, "/api/v1/organisations/openai/rivals"))["data"]
    assert "openai--xai" in {r["id"] for r in rivals}
    person_events = (await _json(seeded_client, "/api/v1/people/sam-altman/events"))["data"]
    assert person_events


async def test_unknown_ids_are_404_problems(seeded_client: Client) -> None:
    for path in (
        "/api/v1/organisations/nope",
        "/api/v1/organisations/nope/events",
        "/api/v1/people/nope",
        "/api/v1/events/nope",
        "/api/v1/funding/nope",
        "/api/v1/rivalries/nope",
        "/api/v1/rivalries/nope/timeline",
    ):
        response = await seeded_client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_bad_filter_values_name_the_parameter(seeded_client: Client) -> None:
    cases = [
        ("/api/v1/events", {"type": "coup"}, "type"),
        ("/api/v1/events", {"status": "maybe"}, "status"),
        ("/api/v1/events", {"from": "yesterday"}, "from"),
        ("/api/v1/events", {"from": "2025-02-30"}, "from"),
        ("/api/v1/events", {"from": "2025-01-02", "to": "2025-01-01"}, "to"),
        ("/api/v1/events", {"min_sources": "0"}, "min_sources"),
        ("/api/v1/events", {"sort": "title"}, "sort"),
        ("/api/v1/funding", {"min_usd": "-5"}, "min_usd"),
        ("/api/v1/funding", {"currency": "dollars"}, "currency"),
        ("/api/v1/funding", {"kind": "gift"}, "kind"),
        ("/api/v1/organisations", {"kind": "bank"}, "kind"),
        ("/api/v1/rivalries", {"sort": "name"}, "sort"),
    ]
    for path, params, param in cases:
        response = await seeded_client.get(path, params=params)
        assert response.status_code == 400, (path, params, response.text)
        assert param in [e["param"] for e in response.json()["errors"]], (path, params, response.json())


async def test_merged_id_redirects_permanently(client: Any, conn: Any) -> None:
    from sqlalchemy import insert

    from service.models import EntityRedirect, Organisation

    await conn.execute(insert(Organisation).values(id="open-ai-inc", name="OpenAI Inc", kind="ai_lab"))
    await conn.execute(insert(EntityRedirect).values(kind="organisation", old_id="openai-old", new_id="open-ai-inc"))
    response = await client.get("/api/v1/organisations/openai-old", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "/api/v1/organisations/open-ai-inc"
    events = await client.get("/api/v1/organisations/openai-old/events", follow_redirects=False)
    assert events.status_code == 308
    assert events.headers["location"] == "/api/v1/organisations/open-ai-inc/events"
