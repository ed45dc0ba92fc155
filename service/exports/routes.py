"""Streamed exports: /api/v1/export/{events,funding,organisations,people}.{ndjson,csv}.

Each export walks the list query page by page (keyset, 500 rows a page) with the same filters as
the list route and writes rows as they come, so memory stays flat whatever the size. The stream
opens its own database session: it outlives the request's.
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
from service.events.routes import MinSources, RivalryFilter, StatusFilter, TypeFilter
from service.events.schemas import EventRead
from service.facts import resolve_entity_ids
from service.funding import queries as funding_queries
from service.funding.routes import CurrencyFilter, EntityFilter, KindFilter, Usd
from service.funding.schemas import FundingRead
from service.http.params import From, NameQuery, OrganisationFilter, PersonFilter, SearchText, To
from service.http.problems import invalid, problem_responses
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
    async def export_events(
        db_session: NamedDependency[AsyncSession],
        state: State,
        type_: TypeFilter = None,
        status: StatusFilter = None,
        organisation: OrganisationFilter = None,
        person: PersonFilter = None,
        rivalry: RivalryFilter = None,
        date_from: From = None,
        date_to: To = None,
        q: SearchText = None,
        min_sources: MinSources = None,
    ) -> Stream:
        if date_from is not None and date_to is not None and date_from > date_to:
            raise invalid("to", "must not be before `from`")
        filters = event_queries.EventFilters(
            types=tuple(type_ or ()),
            statuses=tuple(status or ()),
            organisations=tuple(await resolve_entity_ids(db_session, "organisation", organisation))
            if organisation
            else None,
            people=tuple(await resolve_entity_ids(db_session, "person", person)) if person else None,
            rivalry=rivalry,
            date_from=date_from,
            date_to=date_to,
            q=q,
            min_sources=min_sources,
        )
        fields = list(EventRead.__struct_fields__)
        return _stream(
            state,
            lambda session, after: event_queries.list_events(session, filters, "occurred_on", PAGE, after),
            fmt,
            fields,
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
    async def export_funding(
        db_session: NamedDependency[AsyncSession],
        state: State,
        kind: KindFilter = None,
        organisation: OrganisationFilter = None,
        payer: EntityFilter = None,
        recipient: EntityFilter = None,
        currency: CurrencyFilter = None,
        min_usd: Usd = None,
        max_usd: Usd = None,
        date_from: From = None,
        date_to: To = None,
    ) -> Stream:
        from decimal import Decimal

        for code in currency or ():
            if len(code) != 3 or not code.isascii() or not code.isalpha():
                raise invalid("currency", f"must be a 3-letter ISO 4217 code (got {code[:20]!r})")

        async def ids(values: list[str] | None) -> tuple[str, ...] | None:
            if not values:
                return None
            return tuple(
                await resolve_entity_ids(db_session, "organisation", values)
                + await resolve_entity_ids(db_session, "person", values)
            )

        filters = funding_queries.FundingFilters(
            kinds=tuple(kind or ()),
            organisations=await ids(organisation),
            payers=await ids(payer),
            recipients=await ids(recipient),
            currencies=tuple(c.upper() for c in currency or ()),
            min_usd=Decimal(str(min_usd)) if min_usd is not None else None,
            max_usd=Decimal(str(max_usd)) if max_usd is not None else None,
            date_from=date_from,
            date_to=date_to,
        )
        fields = list(FundingRead.__struct_fields__)
        return _stream(
            state,
            lambda session, after: funding_queries.list_funding(session, filters, "-amount_usd", PAGE, after),
            fmt,
            fields,
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
