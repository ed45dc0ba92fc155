"""GET /api/v1/documents and /{id} on the seeded corpus: envelope, cursors, filters, errors, caching."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import CORPUS

Client = AsyncTestClient[Litestar]
ORIGINALS = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}


async def _all_pages(client: Client, params: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(20):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = await client.get("/api/v1/documents", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        rows += body["data"]
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return rows
    raise AssertionError("pagination did not end")


async def test_lists_the_five_seed_documents_in_the_envelope(seeded_client: Client) -> None:
    response = await seeded_client.get("/api/v1/documents")
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"limit": 50, "next_cursor": None}
    files = sorted(d["file"] for d in body["data"])
    assert files == sorted(p.name for p in CORPUS.glob("*.txt"))
    first = body["data"][0]
    assert set(first) == {
        "id", "file", "title", "publisher", "author", "url", "language", "published_on",
        "sha256", "char_count", "ingested_at", "fact_counts",
    }  # fmt: skip
    assert set(first["fact_counts"]) == {"organisations", "people", "events", "funding"}
    assert "text" not in first


async def test_count_true_adds_the_total(seeded_client: Client) -> None:
    body = (await seeded_client.get("/api/v1/documents", params={"count": "true", "limit": 2})).json()
    assert body["meta"]["total"] == 5
    assert len(body["data"]) == 2


async def test_keyset_cursor_walks_every_document_once(seeded_client: Client) -> None:
    for sort in ("-ingested_at", "published_on"):
        rows = await _all_pages(seeded_client, {"limit": 2, "sort": sort})
        ids = [r["id"] for r in rows]
        assert len(ids) == 5
        assert len(set(ids)) == 5


async def test_detail_returns_the_verbatim_text(seeded_client: Client) -> None:
    listing = (await seeded_client.get("/api/v1/documents")).json()["data"]
    for summary in listing:
        detail = (await seeded_client.get(f"/api/v1/documents/{summary['id']}")).json()
        original = ORIGINALS[summary["file"]]
        assert detail["text"] == original
        assert detail["sha256"] == hashlib.sha256(original.encode()).hexdigest()
        assert detail["char_count"] == len(original)
        for note in detail["annotations"]:
            assert original[note["start"] : note["end"]].strip()
            assert note["entity_kind"] in ("organisation", "person")


async def test_same_corpus_gives_same_document_ids(seeded_client: Client) -> None:
    from service.ingest.load import document_id

    listing = (await seeded_client.get("/api/v1/documents")).json()["data"]
    for summary in listing:
        assert summary["id"] == document_id(summary["sha256"])


async def test_publisher_and_title_come_from_the_page(seeded_client: Client) -> None:
    listing = (await seeded_client.get("/api/v1/documents")).json()["data"]
    by_file = {d["file"]: d for d in listing}
    assert by_file["002_e6a76347499c0039.txt"]["publisher"] == "BlockTempo"
    assert by_file["004_4257ad5b048eb414.txt"]["publisher"] == "Le Courrier des Stratèges"
    assert by_file["000_1e0f857f42afa24d.txt"]["publisher"] == "Gate"
    assert by_file["004_4257ad5b048eb414.txt"]["title"].startswith("Elon Musk s’allie à Microsoft")


async def test_filters_by_publisher_and_full_text(seeded_client: Client) -> None:
    gate = (await seeded_client.get("/api/v1/documents", params={"publisher": "gate"})).json()["data"]
    assert {d["file"] for d in gate} == {"000_1e0f857f42afa24d.txt", "003_948aede06cde9f83.txt"}
    # Accent-insensitive, stemmed: "fusees" finds "fusées".
    found = (await seeded_client.get("/api/v1/documents", params={"q": "fusees"})).json()["data"]
    assert "002_e6a76347499c0039.txt" in {d["file"] for d in found}
    none = (await seeded_client.get("/api/v1/documents", params={"q": "zzzqqq"})).json()["data"]
    assert none == []


async def test_unknown_document_is_404_problem(seeded_client: Client) -> None:
    response = await seeded_client.get("/api/v1/documents/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


async def test_invalid_parameters_are_400_with_the_param_named(seeded_client: Client) -> None:
    cases = {
        "limit": {"limit": "0"},
        "sort": {"sort": "title"},
        "cursor": {"cursor": "not-a-cursor"},
        "count": {"count": "perhaps"},
    }
    for param, query in cases.items():
        response = await seeded_client.get("/api/v1/documents", params=query)
        assert response.status_code == 400, (param, response.text)
        problem = response.json()
        assert problem["status"] == 400
        assert param in [e["param"] for e in problem["errors"]], problem
    too_big = await seeded_client.get("/api/v1/documents", params={"limit": "201"})
    assert too_big.status_code == 400


async def test_a_cursor_cannot_be_altered_or_reused_for_another_query(seeded_client: Client) -> None:
    page = (await seeded_client.get("/api/v1/documents", params={"limit": 2})).json()
    cursor = page["meta"]["next_cursor"]
    assert cursor
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    response = await seeded_client.get("/api/v1/documents", params={"limit": 2, "cursor": tampered})
    assert response.status_code == 400
    other = await seeded_client.get("/api/v1/documents", params={"limit": 2, "cursor": cursor, "sort": "published_on"})
    assert other.status_code == 400
    assert other.json()["errors"][0]["param"] == "cursor"


async def test_etag_and_conditional_get(seeded_client: Client) -> None:
    first = await seeded_client.get("/api/v1/documents")
    etag = first.headers["etag"]
    again = await seeded_client.get("/api/v1/documents", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    changed = await seeded_client.get("/api/v1/documents", params={"limit": 1}, headers={"If-None-Match": etag})
    assert changed.status_code == 200


async def test_gzip_when_accepted(seeded_client: Client) -> None:
    response = await seeded_client.get("/api/v1/documents", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    assert int(response.headers["content-length"]) < len(response.content)
    plain = await seeded_client.get("/api/v1/documents", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["etag"] == response.headers["etag"]
    assert response.json() == plain.json()
