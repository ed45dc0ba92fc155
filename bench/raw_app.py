"""The ceiling of our own stack: a minimal Litestar app on a raw asyncpg pool, same SQL, no extras.

    BENCH_DSN=postgresql://… uvicorn bench.raw_app:app --port 8001

Each handler parses the few query parameters it needs by hand, runs the very statement the
production route sends (built by ``service/*/sql.py``, in the same plan mode) and answers the same bytes — but with no
middleware (logging, timeouts, input guard, metrics, ETag, CORS), no dependency injection, no
signature validation, no cursor signing and no problem-details mapping. ``bench/api.py``
compares the production routes against it: the difference is what our framework layers cost.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Request, Response, get

from service.events import sql as event_sql
from service.events.queries import EventFilters
from service.funding import sql as funding_sql
from service.funding.queries import FundingFilters
from service.reads import SqlArgs, resolved_ids_sql
from service.search import sql as search_sql
from service.search.queries import snippet
from service.settings import load_settings

POOL: dict[str, asyncpg.Pool] = {}


def _page(rows: list[Any], limit: int) -> Response[Any]:
    last = rows[limit - 1] if len(rows) > limit else None
    meta = {"limit": limit, "next_cursor": f"{last['sort_value']}|{last['id']}" if last else None}
    items = b",".join(row["item"] for row in rows[:limit])
    body = b"".join((b'{"data":[', items, b'],"meta":', msgspec.json.encode(meta), b"}"))
    return Response(content=body, media_type="application/json")


async def _row(sql: str, values: list[Any], pool: str = "generic") -> Any:
    async with POOL[pool].acquire() as conn:
        return await conn.fetchrow(sql, *values)


async def _rows(sql: str, values: list[Any], pool: str = "generic") -> list[Any]:
    async with POOL[pool].acquire() as conn:
        return list(await conn.fetch(sql, *values))


@get("/events")
async def events(request: Request[Any, Any, Any]) -> Response[Any]:
    params = request.query_params
    limit = int(params.get("limit", 50))
    types = tuple(params.getall("type", []))
    organisations = tuple(params.getall("organisation", [])) or None
    date_from = dt.date.fromisoformat(params["from"]) if "from" in params else None
    after = [params["after_key"], params["after_id"]] if "after_id" in params else None
    filters = EventFilters(types=types, organisations=organisations, date_from=date_from)
    # As the production route does: names resolved in the page's statement when it reads through
    # participant rows, else first.
    names = event_sql.reads_through(filters, "occurred_on")
    if organisations and not names:
        args = SqlArgs()
        ids = resolved_ids_sql("organisation", args, list(organisations))
        row = await _row(f"SELECT {ids} AS r0", args.values)
        filters = msgspec.structs.replace(filters, organisations=tuple(sorted(set(row["r0"]))))
    sql, values = event_sql.page_sql(filters, "occurred_on", limit, after, names=names)
    pool = "custom" if filters != EventFilters() and not names else "generic"
    return _page(await _rows(sql, values, pool), limit)


@get("/events/{event_id:str}")
async def event(event_id: str) -> Response[Any]:
    row = await _row(*event_sql.detail_sql(event_id))
    return Response(content=row["data"], media_type="application/json")


@get("/funding")
async def funding(request: Request[Any, Any, Any]) -> Response[Any]:
    limit = int(request.query_params.get("limit", 50))
    return _page(await _rows(*funding_sql.page_sql(FundingFilters(), "-amount_usd", limit, None)), limit)


@get("/search")
async def search(request: Request[Any, Any, Any]) -> Response[Any]:
    q = request.query_params["q"]
    limit = int(request.query_params.get("limit", 20))
    sql, values = search_sql.search_sql(q, ["documents", "organisations", "people", "events"], limit, None)
    rows = await _rows(sql, values, "custom")
    hits = [
        {"type": r["type"], "id": r["id"], "title": r["title"], "snippet": snippet(r["body"] or "", q),
         "score": round(r["score"], 6)}
        for r in rows[:limit]
    ]  # fmt: skip
    body = msgspec.json.encode({"data": hits, "meta": {"limit": limit, "next_cursor": None}})
    return Response(content=body, media_type="application/json")


async def _no_reset(_: asyncpg.Connection) -> None:
    return None


@asynccontextmanager
async def lifespan(_: Litestar) -> AsyncIterator[None]:
    # The plan modes of production's two sets of connections (service.reads.Reader), as many as
    # production's worker opens (RIVALRY_READ_CONNECTIONS shared out among RIVALRY_WORKERS), and no
    # reset round trip on release (single SELECTs leave no session state to reset).
    share = load_settings().read_connections_per_worker
    for mode, size in (("generic", share), ("custom", max(2, share // 2))):
        POOL[mode] = await asyncpg.create_pool(
            os.environ["BENCH_DSN"], min_size=2, max_size=size,
            server_settings={"plan_cache_mode": f"force_{mode}_plan"}, reset=_no_reset,
        )  # fmt: skip
    try:
        yield
    finally:
        for pool in POOL.values():
            await pool.close()
        POOL.clear()


app = Litestar([events, event, funding, search], lifespan=[lifespan], openapi_config=None, debug=False)
