"""Streamed exports: /api/v1/export/{events,funding,organisations,people}.{ndjson,csv}.

Each export walks the list query page by page (keyset, 500 rows a page) with the same filters as
the list route (the same ``event_query``/``funding_query`` dependencies) and writes rows as they
come, so memory stays flat whatever the size. The stream opens its own database session: it
outlives the request's.
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
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from service.events import queries as event_queries
from service.events.routes import EventQuery
from service.events.schemas import EventRead
from service.facts import resolve_entity_ids
from service.funding import queries as funding_queries
from service.funding.routes import FundingQuery
from service.funding.schemas import FundingRead
from service.http.params import NameQuery, OrganisationFilter
from service.http.problems import problem_responses
from service.organisations import queries as organisation_queries
from service.organisations.routes import KindParam
from service.organisations.schemas import OrganisationRead
from service.people import queries as people_queries
from service.people.schemas import PersonRead

PAGE = 500
MEDIA = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}
Fetch = Callable[[AsyncSession, Sequence[Any] | None], Awaitable[tuple[list[Any], list[Any] | None]]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return msgspec.json.encode(value).decode()
    return str(value)


async def _rows(state: State, fetch: Fetch, fmt: str, fields: Sequence[str]) -> AsyncIterator[bytes]:
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerow(fields)
        yield out.getvalue().encode()
    after: Sequence[Any] | None = None
    async with state.sessionmaker() as session:
        while True:
            items, last = await fetch(session, after)
            chunk = io.StringIO()
            writer = csv.writer(chunk)
            for item in items:
                data = msgspec.to_builtins(item)
                if fmt == "ndjson":
                    chunk.write(msgspec.json.encode(data).decode() + "\n")
                else:
                    writer.writerow([_cell(data.get(f)) for f in fields])
            if items:
                yield chunk.getvalue().encode()
            if last is None:
                return
            after = last


def _stream(state: State, fetch: Fetch, fmt: str, fields: Sequence[str], name: str) -> Stream:
    return Stream(
        _rows(state, fetch, fmt, fields),
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
        operation_id=f"ExportEvents{fmt.capitalize()}",
        tags=["export"],
        media_type=MEDIA[fmt],
        responses=problem_responses(400, 503),
    )
    async def export_events(state: State, event_query: NamedDependency[EventQuery]) -> Stream:
        return _stream(
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
        operation_id=f"ExportFunding{fmt.capitalize()}",
        tags=["export"],
        media_type=MEDIA[fmt],
        responses=problem_responses(400, 503),
    )
    async def export_funding(state: State, funding_query: NamedDependency[FundingQuery]) -> Stream:
        return _stream(
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
        operation_id=f"ExportOrganisations{fmt.capitalize()}",
        tags=["export"],
        media_type=MEDIA[fmt],
        responses=problem_responses(400, 503),
    )
    async def export_organisations(state: State, q: NameQuery = None, kind: KindParam = None) -> Stream:
        filters = organisation_queries.OrganisationFilters(q=q, kinds=tuple(kind or ()))
        fields = list(OrganisationRead.__struct_fields__)
        return _stream(
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
        operation_id=f"ExportPeople{fmt.capitalize()}",
        tags=["export"],
        media_type=MEDIA[fmt],
        responses=problem_responses(400, 503),
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
        return _stream(
            state,
            lambda session, after: people_queries.list_people(session, filters, "name", PAGE, after),
            fmt,
            fields,
            "people",
        )

    return export_people


EXPORT_ROUTES = _export_routes()
