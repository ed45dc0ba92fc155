"""Streamed exports: /api/v1/export/{events,funding,organisations,people}.{ndjson,csv}.

Each export walks the list query page by page (keyset, 500 rows a page) with the same filters as
the list route (the same ``event_query``/``funding_query`` dependencies) and writes rows as they
come, so memory stays flat whatever the size. The stream opens its own database session: it
outlives the request's.

The first page is read before the response starts, so a database that cannot serve is a ``503``
problem like on any route. Once the ``200`` is sent, a failure can only be told in the body: an
NDJSON export ends with an error line, a CSV export (which has no room for one) is cut off before
the end of its chunked body, which clients report as an incomplete transfer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import msgspec
from litestar import get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from service.events import queries as event_queries
from service.events.routes import EventQuery
from service.events.schemas import EventRead
from service.exports.schemas import ExportError
from service.facts import resolve_entity_ids
from service.funding import queries as funding_queries
from service.funding.routes import FundingQuery
from service.funding.schemas import FundingRead
from service.http.params import NameQuery, OrganisationFilter
from service.http.problems import error_problem, problem_responses
from service.organisations import queries as organisation_queries
from service.organisations.routes import KindParam
from service.organisations.schemas import OrganisationRead
from service.people import queries as people_queries
from service.people.schemas import PersonRead

PAGE = 500
# Litestar adds "; charset=utf-8" to a text/ media type itself: naming it here sent it twice.
MEDIA = {"ndjson": "application/x-ndjson", "csv": "text/csv"}
Page = tuple[list[Any], list[Any] | None]
Fetch = Callable[[AsyncSession, Sequence[Any] | None], Awaitable[Page]]
DESCRIPTIONS = {
    "ndjson": "Streamed, one JSON object per line. A database that cannot serve before the first line is a "
    '`503` problem with `Retry-After`. If the stream breaks after that, its last line is `{"error": {…}}` '
    "(problem details: `type`, `title`, `status`, `detail`, `instance`) instead of a row; an export that "
    "ends without one is complete.",
    "csv": "Streamed, a header row then one row per item. A database that cannot serve before the first "
    "byte is a `503` problem with `Retry-After`. If the stream breaks after that, the connection is closed "
    "before the end of the chunked body: clients report an incomplete transfer, never a complete file.",
}


def _responses(fmt: str, item: type[msgspec.Struct]) -> dict[int, Any]:
    """The export's answers for the OpenAPI document: NDJSON as a sequence of ``item``
    (service.system.openapi describes it line by line), CSV as text with ``item``'s fields as columns."""
    if fmt == "ndjson":
        body: Any = list[item | ExportError]  # type: ignore[valid-type]
        description = f"One `{item.__name__}` per line; a stream that broke ends with an `ExportError` line."
    else:
        body = str
        columns = ", ".join(item.__struct_fields__)
        description = f"A header row, then one row per item: {columns} (lists and objects as JSON)."
    return {
        200: ResponseSpec(data_container=body, media_type=MEDIA[fmt], description=description, generate_examples=False),
        **problem_responses(400, 503),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return msgspec.json.encode(value).decode()
    return str(value)


def _encode(items: Sequence[Any], fmt: str, fields: Sequence[str]) -> bytes:
    chunk = io.StringIO()
    writer = csv.writer(chunk)
    for item in items:
        data = msgspec.to_builtins(item)
        if fmt == "ndjson":
            chunk.write(msgspec.json.encode(data).decode() + "\n")
        else:
            writer.writerow([_cell(data.get(f)) for f in fields])
    return chunk.getvalue().encode()


async def _rows(
    state: State, fetch: Fetch, fmt: str, fields: Sequence[str], first: Page, instance: str
) -> AsyncIterator[bytes]:
    items, after = first
    head = b""
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerow(fields)
        head = out.getvalue().encode()
    if head or items:
        yield head + _encode(items, fmt, fields)
    if after is None:
        return
    async with state.sessionmaker() as session:
        while after is not None:
            try:
                items, after = await fetch(session, after)
            except Exception as exc:
                problem = error_problem(exc, instance)
                if fmt == "csv":
                    raise  # the server then closes the connection before the body's last chunk
                yield msgspec.json.encode(ExportError(error=problem)) + b"\n"
                return
            if items:
                yield _encode(items, fmt, fields)


async def _stream(state: State, fetch: Fetch, fmt: str, fields: Sequence[str], name: str) -> Stream:
    # The first page, on a session of its own that is closed before the response starts: a HEAD
    # request, whose body is never iterated, holds no connection.
    async with state.sessionmaker() as session:
        first = await fetch(session, None)
    return Stream(
        _rows(state, fetch, fmt, fields, first, f"/api/v1/export/{name}.{fmt}"),
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


def _export_routes() -> list[Any]:
    handlers: list[Any] = []
    for fmt in ("ndjson", "csv"):
        handlers += [_events(fmt), _funding(fmt), _organisations(fmt), _people(fmt)]
    return handlers


def _events(fmt: str) -> Any:
    @get(
        f"/api/v1/export/events.{fmt}",
        summary=f"Export events as {fmt.upper()}",
        operation_id=f"exportEvents{fmt.capitalize()}",
        description=DESCRIPTIONS[fmt],
        tags=["export"],
        media_type=MEDIA[fmt],
        responses=_responses(fmt, EventRead),
    )
    async def export_events(state: State, event_query: NamedDependency[EventQuery]) -> Stream:
        return await _stream(
            state,
            lambda session, after: event_queries.list_events(session, event_query.filters, "occurred_on", PAGE, after),
            fmt,
            list(EventRead.__struct_fields__),
            "events",
        )

    return export_events


def _funding(fmt: str) -> Any:
    @get(
        f"/api/v1/export/funding.{fmt}",
        summary=f"Export money facts as {fmt.upper()}",
        operation_id=f"exportFunding{fmt.capitalize()}",
        description=DESCRIPTIONS[fmt],
        tags=["export"],
        media_type=MEDIA[fmt],
        responses=_responses(fmt, FundingRead),
    )
    async def export_funding(state: State, funding_query: NamedDependency[FundingQuery]) -> Stream:
        return await _stream(
            state,
            lambda session, after: funding_queries.list_funding(
                session, funding_query.filters, "-amount_usd", PAGE, after
            ),
            fmt,
            list(FundingRead.__struct_fields__),
            "funding",
        )

    return export_funding


def _organisations(fmt: str) -> Any:
    @get(
        f"/api/v1/export/organisations.{fmt}",
        summary=f"Export organisations as {fmt.upper()}",
        operation_id=f"exportOrganisations{fmt.capitalize()}",
        description=DESCRIPTIONS[fmt],
        tags=["export"],
        media_type=MEDIA[fmt],
        responses=_responses(fmt, OrganisationRead),
    )
    async def export_organisations(state: State, q: NameQuery = None, kind: KindParam = None) -> Stream:
        filters = organisation_queries.OrganisationFilters(q=q, kinds=tuple(kind or ()))
        fields = list(OrganisationRead.__struct_fields__)
        return await _stream(
            state,
            lambda session, after: organisation_queries.list_organisations(session, filters, "name", PAGE, after),
            fmt,
            fields,
            "organisations",
        )

    return export_organisations


def _people(fmt: str) -> Any:
    @get(
        f"/api/v1/export/people.{fmt}",
        summary=f"Export people as {fmt.upper()}",
        operation_id=f"exportPeople{fmt.capitalize()}",
        description=DESCRIPTIONS[fmt],
        tags=["export"],
        media_type=MEDIA[fmt],
        responses=_responses(fmt, PersonRead),
    )
    async def export_people(
        db_session: NamedDependency[AsyncSession],
        state: State,
        q: NameQuery = None,
        organisation: OrganisationFilter = None,
    ) -> Stream:
        organisations = (
            tuple(await resolve_entity_ids(db_session, "organisation", organisation)) if organisation else None
        )
        filters = people_queries.PeopleFilters(q=q, organisations=organisations)
        fields = list(PersonRead.__struct_fields__)
        return await _stream(
            state,
            lambda session, after: people_queries.list_people(session, filters, "name", PAGE, after),
            fmt,
            fields,
            "people",
        )

    return export_people


EXPORT_ROUTES = _export_routes()
