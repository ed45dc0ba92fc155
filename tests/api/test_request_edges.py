"""What a client meets at the edges of a request: query parameters a route does not take, a bad
`sort`, the answers to `POST /documents` (Location, an empty body, a lone surrogate), redirects
that keep the query, one charset per content type, and cursors signed with the service's secret."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import re
import stat
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.http.pagination import cursor_key, encode_cursor, query_fingerprint
from service.models import EntityRedirect, Organisation
from service.settings import SECRET_KEY_FILE, Settings, SettingsError, load_secret_key, load_settings
from tests.conftest import API_KEY, AUTH, app_on

ARTICLE = (
    "Publié le 12 mars 2025\n"
    "Elon Musk a intenté une action en justice contre OpenAI, accusant la société de Sam Altman "
    "d’avoir trahi sa mission.\n"
)
# A value for each path parameter, taken from the seeded lists (see ``seeded_ids``).
LISTS = {
    "document_id": "/api/v1/documents",
    "organisation_id": "/api/v1/organisations",
    "person_id": "/api/v1/people",
    "event_id": "/api/v1/events",
    "funding_id": "/api/v1/funding",
    "rivalry_id": "/api/v1/rivalries",
}


@pytest.fixture
async def spec(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture
async def seeded_ids(seeded_client: AsyncTestClient[Litestar]) -> dict[str, str]:
    ids = {}
    for param, path in LISTS.items():
        page = (await seeded_client.get(path, params={"limit": 1})).json()
        assert page["data"], path
        ids[param] = page["data"][0]["id"]
    return ids


def _operations(spec: dict[str, Any], method: str = "get") -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in sorted(spec["paths"].items()):
        if method in item:
            yield path, item[method]


def _query_params(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "some-id"), path)


def _enum(schema: Any) -> list[Any]:
    """The values of the first ``enum`` in a parameter's schema, wherever it is nested."""
    if isinstance(schema, dict):
        if "enum" in schema:
            return list(schema["enum"])
        children: list[Any] = list(schema.values())
    elif isinstance(schema, list):
        children = schema
    else:
        return []
    for child in children:
        found = _enum(child)
        if found:
            return found
    return []


# Query parameters a route does not take.


async def test_an_unknown_parameter_is_named_with_the_accepted_ones(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/events", params={"organization": "openai"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    accepted = "count, cursor, from, limit, min_sources, organisation, person, q, rivalry, sort, status, to, type"
    assert problem["detail"] == f"organization: unknown parameter; accepted: {accepted}"
    assert problem["errors"] == [{"param": "organization", "message": f"unknown parameter; accepted: {accepted}"}]


async def test_every_operation_refuses_unknown_parameters_and_accepts_the_documented_ones(
    client: httpx.AsyncClient, spec: dict[str, Any]
) -> None:
    """The accepted names are those the OpenAPI document lists for the operation, for every
    operation: lists, details, search, exports, the system routes and the writes."""
    checked = 0
    for method in ("get", "post", "delete"):
        for path, operation in _operations(spec, method):
            response = await client.request(
                method.upper(), _fill(path, {}), params={"organization": "openai", "sorting": "x"}, headers=AUTH
            )
            assert response.status_code == 400, (method, path, response.text)
            errors = response.json()["errors"]
            assert [e["param"] for e in errors] == ["organization", "sorting"], (method, path, errors)
            documented = sorted(_query_params(operation))
            expected = f"accepted: {', '.join(documented)}" if documented else "this route takes none"
            assert errors[0]["message"] == f"unknown parameter; {expected}", (method, path)
            checked += 1
    assert checked >= 30  # every operation of the document, not none


async def test_aliases_encoded_names_and_empty_queries_are_not_unknown(client: httpx.AsyncClient) -> None:
    ok = [
        "/api/v1/events?from=2024-01-01&to=2025-12-31&type=lawsuit&type=bid",
        "/api/v1/events?%6Frganisation=openai",  # "organisation", percent-encoded
        "/api/v1/events?",
        "/api/v1/events?&",
        "/api/v1/funding?min_usd=1&currency=USD&sort=-amount_usd",
        "/api/v1/export/events.ndjson?type=lawsuit",
        "/api/v1/search?q=openai&types=organisations",
    ]
    for url in ok:
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text)


async def test_head_checks_the_query_as_get_does(client: httpx.AsyncClient) -> None:
    assert (await client.head("/api/v1/events?organization=openai")).status_code == 400
    assert (await client.head("/api/v1/events?organisation=openai")).status_code == 200


async def test_routes_outside_the_api_document_take_any_query(client: httpx.AsyncClient) -> None:
    """The docs pages (a browser's business) and ``OPTIONS``, whose query is that of the request
    it asks about."""
    assert (await client.get("/schema/openapi.json?v=2")).status_code == 200
    options = await client.options("/api/v1/events?type=lawsuit")
    assert options.status_code == 204, options.text


# A bad sort.


async def test_a_bad_sort_lists_the_accepted_values(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/events", params={"sort": "name"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"param": "sort", "message": "Invalid enum value 'name'; accepted: occurred_on, -occurred_on, -source_count"}
    ]


async def test_every_sort_and_enum_error_lists_what_the_document_allows(
    client: httpx.AsyncClient, spec: dict[str, Any]
) -> None:
    checked = 0
    for path, operation in _operations(spec):
        for param in operation.get("parameters", []):
            allowed = _enum(param.get("schema"))
            if param["in"] != "query" or not allowed:
                continue
            response = await client.get(_fill(path, {}), params={param["name"]: "bogus"})
            assert response.status_code == 400, (path, param["name"], response.text)
            messages = [e["message"] for e in response.json()["errors"] if e["param"] == param["name"]]
            assert messages, (path, param["name"], response.json())
            assert messages[0].endswith(f"; accepted: {', '.join(map(str, allowed))}"), (path, messages)
            checked += 1
    assert checked >= 20


# POST /api/v1/documents.


async def test_a_created_document_is_at_its_location(client: httpx.AsyncClient, spec: dict[str, Any]) -> None:
    created = await client.post("/api/v1/documents", json={"text": ARTICLE}, headers=AUTH)
    assert created.status_code == 201
    document_id = created.json()["document"]["id"]
    assert created.headers["location"] == f"/api/v1/documents/{document_id}"
    fetched = await client.get(created.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json()["id"] == document_id
    again = await client.post("/api/v1/documents", json={"text": ARTICLE}, headers=AUTH)
    assert again.status_code == 200
    assert "location" not in again.headers
    header = spec["paths"]["/api/v1/documents"]["post"]["responses"]["201"]["headers"]["Location"]
    assert header["schema"]["type"] == "string"
    assert header["required"] is True


@pytest.mark.parametrize("body", [b"", b"  \r\n"])
async def test_an_empty_body_says_so(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post(
        "/api/v1/documents", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["detail"].startswith("the request body is empty")
    assert [e["param"] for e in problem["errors"]] == ["body"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"text": "OpenAI \\ud800 rach\\u00e8te"}', "text"),
        (b'{"text": "OpenAI", "title": "fin \\udc00"}', "title"),
        (b'{"text": "OpenAI", "publisher": "\\ud83d"}', "publisher"),
    ],
)
async def test_a_lone_surrogate_names_its_field(client: httpx.AsyncClient, body: bytes, field: str) -> None:
    response = await client.post(
        "/api/v1/documents", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    problem = response.json()
    assert [e["param"] for e in problem["errors"]] == [field], problem
    assert "surrogate" in problem["errors"][0]["message"]


async def test_a_surrogate_pair_is_one_character_and_welcome(client: httpx.AsyncClient) -> None:
    body = b'{"text": "' + ARTICLE.encode().replace(b"\n", b"\\n") + b' \\ud83d\\ude80"}'
    response = await client.post(
        "/api/v1/documents", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text


# Redirects.


async def test_a_redirect_keeps_the_query(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    await conn.execute(insert(Organisation).values(id="open-ai-inc", name="OpenAI Inc", kind="ai_lab"))
    await conn.execute(insert(EntityRedirect).values(kind="organisation", old_id="openai-old", new_id="open-ai-inc"))
    query = "type=lawsuit&type=bid&from=2024-01-01&limit=5"
    events = await client.get(f"/api/v1/organisations/openai-old/events?{query}", follow_redirects=False)
    assert events.status_code == 308
    assert events.headers["location"] == f"/api/v1/organisations/open-ai-inc/events?{query}"
    plain = await client.get("/api/v1/organisations/openai-old", follow_redirects=False)
    assert plain.headers["location"] == "/api/v1/organisations/open-ai-inc"
    followed = await client.get(f"/api/v1/organisations/openai-old/events?{query}", follow_redirects=True)
    assert followed.status_code == 200
    assert followed.json()["meta"]["limit"] == 5


# One charset per content type.


async def test_every_content_type_names_its_charset_at_most_once(
    seeded_client: AsyncTestClient[Litestar], seeded_ids: dict[str, str], spec: dict[str, Any]
) -> None:
    """A 200 and an error of every GET operation, the docs, and the answers of the writes."""
    responses: list[httpx.Response] = []
    for path, _ in _operations(spec):
        url = _fill(path, seeded_ids)
        responses += [await seeded_client.get(url), await seeded_client.get(url, params={"bogus": "1"})]
    for url in ("/schema", "/schema/openapi.json", "/api/v1/nowhere"):
        responses.append(await seeded_client.get(url))
    responses.append(await seeded_client.post("/api/v1/documents", content=b"", headers=AUTH))
    responses.append(await seeded_client.delete("/api/v1/documents/x"))
    responses.append(await seeded_client.head("/api/v1/export/funding.csv"))
    for response in responses:
        content_type = response.headers.get("content-type", "")
        assert content_type.lower().count("charset=") <= 1, (response.request.url, content_type)
    assert sum(r.status_code == 200 for r in responses) >= 30
    types = {r.headers.get("content-type", "") for r in responses}
    assert {"text/csv; charset=utf-8", "application/json", "application/problem+json"} <= types


# Cursors signed with the service's secret.


def _settings(data_dir: Path, **env: str) -> Settings:
    return load_settings({"RIVALRY_DATA_DIR": str(data_dir), "RIVALRY_RATE_LIMIT_PER_MINUTE": "0", **env})


def test_without_a_secret_key_one_is_made_once_and_kept_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = load_secret_key(_settings(data))
    path = data / SECRET_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert load_secret_key(_settings(data)) == first  # a restart, another worker
    assert load_secret_key(_settings(tmp_path / "elsewhere")) != first
    assert sorted(p.name for p in data.iterdir()) == [SECRET_KEY_FILE]


def test_workers_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "data")
    start = threading.Barrier(8)
    keys: list[bytes] = []

    def worker() -> None:
        start.wait()
        keys.append(load_secret_key(settings))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8
    assert len(set(keys)) == 1
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [SECRET_KEY_FILE]


def test_the_secret_key_setting_wins_and_must_be_long(tmp_path: Path) -> None:
    secret = "s" * 40
    assert load_secret_key(_settings(tmp_path, RIVALRY_SECRET_KEY=secret)) == secret.encode()
    assert not (tmp_path / SECRET_KEY_FILE).exists()
    with pytest.raises(SettingsError, match="RIVALRY_SECRET_KEY"):
        _settings(tmp_path, RIVALRY_SECRET_KEY="short")


def test_an_unwritable_data_directory_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    settings = Settings(database_url=None, data_dir=blocked / "data")
    with pytest.raises(SettingsError, match="set RIVALRY_SECRET_KEY"):
        load_secret_key(settings)


@pytest.fixture
async def app_with_secret(settings: Settings, seeded_engine: AsyncEngine) -> Any:
    """``start(secret)``: a client of the app created with ``RIVALRY_SECRET_KEY=secret``, as a
    server started with it (the last one created signs the process's cursors)."""

    @contextlib.asynccontextmanager
    async def start(secret: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
        changed = _settings(settings.data_dir, RIVALRY_SECRET_KEY=secret, RIVALRY_API_KEYS=API_KEY)
        async with AsyncTestClient(app_on(changed, seeded_engine)) as test_client:
            yield test_client

    return start


async def test_cursors_are_signed_with_the_secret_key(app_with_secret: Any) -> None:
    async with app_with_secret("a" * 40) as client:
        first = (await client.get("/api/v1/events", params={"limit": 2})).json()
        cursor = first["meta"]["next_cursor"]
        assert cursor is not None
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        mac = hmac.new(cursor_key(b"a" * 40), raw[12:], hashlib.sha256).digest()[:12]
        assert raw[:12] == mac
        assert (await client.get("/api/v1/events", params={"limit": 2, "cursor": cursor})).status_code == 200
    async with app_with_secret("b" * 40) as other:  # a server with another key refuses it
        refused = await other.get("/api/v1/events", params={"limit": 2, "cursor": cursor})
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["param"] == "cursor"
    async with app_with_secret("a" * 40) as again:  # a restart with the same key takes it
        assert (await again.get("/api/v1/events", params={"limit": 2, "cursor": cursor})).status_code == 200


def test_no_cursor_is_valid_under_the_key_the_source_once_held(settings: Settings, engine: AsyncEngine) -> None:
    """The key written in the source until now signs nothing any more."""
    app_on(settings, engine)
    fingerprint = query_fingerprint("events", {"sort": "occurred_on"})
    cursor = encode_cursor(fingerprint, ["2025-04-02", "evt_1"])
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    old_key = hashlib.sha256(b"rivalry-api cursor v1").digest()
    assert raw[:12] != hmac.new(old_key, raw[12:], hashlib.sha256).digest()[:12]
