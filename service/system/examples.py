"""Real examples for the docs page: at start-up, one page of each list from the database the API
serves is put into the OpenAPI document as the 200 example, so /schema shows actual data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import structlog
from litestar import Litestar
from litestar.openapi.spec import Example, OpenAPIMediaType
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.documents import queries as documents
from service.events import queries as events
from service.funding import queries as funding
from service.http.pagination import Page, PageMeta
from service.organisations import queries as organisations
from service.people import queries as people
from service.rivalries import queries as rivalries

log = structlog.get_logger("service.docs")
EXAMPLE_ROWS = 2

Fetch = Callable[[AsyncSession], Awaitable[tuple[list[Any], list[Any] | None]]]
LISTS: dict[str, Fetch] = {
    "/api/v1/documents": lambda s: documents.list_documents(
        s, documents.DocumentFilters(), "-ingested_at", EXAMPLE_ROWS, None
    ),
    "/api/v1/organisations": lambda s: organisations.list_organisations(
        s, organisations.OrganisationFilters(), "-mention_count", EXAMPLE_ROWS, None
    ),
    "/api/v1/people": lambda s: people.list_people(s, people.PeopleFilters(), "-mention_count", EXAMPLE_ROWS, None),
    "/api/v1/events": lambda s: events.list_events(s, events.EventFilters(), "-source_count", EXAMPLE_ROWS, None),
    "/api/v1/funding": lambda s: funding.list_funding(s, funding.FundingFilters(), "-amount_usd", EXAMPLE_ROWS, None),
    "/api/v1/rivalries": lambda s: rivalries.list_rivalries(
        s, rivalries.RivalryFilters(), "-event_count", EXAMPLE_ROWS, None
    ),
}


async def add_seeded_examples(app: Litestar, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Attach examples to the list operations; returns how many were added (0 on an empty database)."""
    schema = app.openapi_schema
    added = 0
    try:
        async with sessionmaker() as session:
            for path, fetch in LISTS.items():
                rows, _ = await fetch(session)
                if not rows:
                    continue
                operation = schema.paths[path].get if schema.paths else None
                response = (operation.responses or {}).get("200") if operation else None
                content = getattr(response, "content", None)
                media: OpenAPIMediaType | None = content.get("application/json") if content else None
                if media is None:
                    continue
                page = Page(data=rows, meta=PageMeta(limit=EXAMPLE_ROWS, next_cursor="…"))
                media.examples = {
                    "seeded": Example(summary="From the data this server holds", value=msgspec.to_builtins(page))
                }
                added += 1
    except Exception as exc:  # the docs must never keep the API from starting
        log.warning("docs.examples.skipped", error=exc.__class__.__name__)
    return added
