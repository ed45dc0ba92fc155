"""Real examples for the docs page: at start-up, one page of each list from the database the API
serves becomes the 200 example of that list in the OpenAPI document, so /schema shows actual data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import msgspec
import structlog
from litestar import Litestar
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
# Where the app keeps them for the document (service.system.openapi): path → page, as JSON values.
EXAMPLES_STATE = "openapi_examples"

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
    """Read the examples of the lists for the document; returns how many (0 on an empty database)."""
    found: dict[str, Any] = {}
    try:
        async with sessionmaker() as session:
            for path, fetch in LISTS.items():
                rows, _ = await fetch(session)
                if rows:
                    page = Page(data=rows, meta=PageMeta(limit=EXAMPLE_ROWS, next_cursor="…"))
                    # As the API sends it: nulls are kept, and a schema requires the fields that hold them.
                    found[path] = msgspec.json.decode(msgspec.json.encode(page))
    except Exception as exc:  # the docs must never keep the API from starting
        log.warning("docs.examples.skipped", error=exc.__class__.__name__)
    app.state[EXAMPLES_STATE] = found
    return len(found)


def add_examples(document: dict[str, Any], examples: Mapping[str, Any]) -> None:
    """Put ``examples`` (from :func:`add_seeded_examples`) on the 200 answers of their lists."""
    for path, page in examples.items():
        operation = document.get("paths", {}).get(path, {}).get("get", {})
        media = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json")
        if media is not None:
            media["examples"] = {"seeded": {"summary": "From the data this server holds", "value": page}}
