"""HTTP routes of the event resource."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from service.events import queries, sql
from service.events.schemas import EventRead, EventSort, EventStatus, EventType
from service.http.pagination import (
    Count,
    Cursor,
    Limit,
    Page,
)
from service.http.params import FactId, From, OrganisationFilter, PersonFilter, SearchText, To
from service.http.problems import NotFound, invalid, problem_responses
from service.reads import Reader, json_body, reader_of, sql_page, statement

TypeFilter = Annotated[
    list[EventType] | None, QueryParameter(name="type", description="Event type; repeatable.", max_items=13)
]
StatusFilter = Annotated[
    list[EventStatus] | None, QueryParameter(name="status", description="Event status; repeatable.", max_items=8)
]
MinSources = Annotated[
    int | None, QueryParameter(description="Only events reported by at least this many documents.", ge=1, le=1000)
]
RivalryFilter = Annotated[
    str | None, QueryParameter(description="Rivalry id: events involving both of its parties.", max_length=250)
]
Sort = Annotated[
    EventSort, QueryParameter(description="`occurred_on` (undated last), `-occurred_on`, `-source_count`.")
]


class EventQuery(msgspec.Struct, frozen=True):
    """The events list's filters, parsed and validated once for every route that lists events."""

    filters: queries.EventFilters
    params: dict[str, Any]  # what defines the query, for its cursors

    def with_participant(self, kind: str, entity_id: str) -> EventQuery:
        return EventQuery(
            filters=msgspec.structs.replace(self.filters, participant=(kind, entity_id)),
            params={**self.params, "participant": f"{kind}:{entity_id}"},
        )


async def provide_event_query(
    type_: TypeFilter = None,
    status: StatusFilter = None,
    organisation: OrganisationFilter = None,
    person: PersonFilter = None,
    rivalry: RivalryFilter = None,
    date_from: From = None,
    date_to: To = None,
    q: SearchText = None,
    min_sources: MinSources = None,
) -> EventQuery:
    """Dependency ``event_query``: every contract filter of the events list (names are resolved by
    the list query itself, so parsing the filters costs no database round trip)."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise invalid("to", "must not be before `from`")
    filters = queries.EventFilters(
        types=tuple(type_ or ()),
        statuses=tuple(status or ()),
        organisations=tuple(organisation) if organisation else None,
        people=tuple(person) if person else None,
        rivalry=rivalry,
        date_from=date_from,
        date_to=date_to,
        q=q,
        min_sources=min_sources,
    )
    params = {
        "type": tuple(sorted(type_ or [])),
        "status": tuple(sorted(status or [])),
        "organisation": tuple(sorted(organisation or [])),
        "person": tuple(sorted(person or [])),
        "rivalry": rivalry,
        "from": date_from,
        "to": date_to,
        "q": q,
        "min_sources": min_sources,
    }
    return EventQuery(filters=filters, params=params)


async def event_page(
    reader: Reader,
    query: EventQuery,
    *,
    route: str,
    sort: EventSort,
    limit: int,
    cursor: str | None,
    count: bool,
) -> Response[Page[EventRead]]:
    """One page of events for any route that lists them: one SQL statement (two with ``count``; one
    more to resolve names first when the plan depends on which entities they name)."""
    # Read through participant rows, a page's plan is the same for any entity: its names are
    # resolved in the statement. Otherwise they are resolved first and the page is planned for them.
    names = sql.reads_through(query.filters, sort)
    filters = query.filters if names else await sql.resolve(reader, query.filters)
    return await sql_page(
        reader,
        route=route,
        params={**query.params, "sort": sort},
        keys=queries.SORT_KEYS[sort],
        limit=limit,
        cursor=cursor,
        page=lambda after: sql.page_sql(filters, sort, limit, after, names=names),
        count=(lambda: sql.count_sql(filters, names=names)) if count else None,
        # Read through participant rows, the plan is the same whatever the values: PostgreSQL's
        # cached plan serves (planning it each time took as long as running it).
        filtered=query.filters != queries.EventFilters() and not names,
    )


class EventController(Controller):
    path = "/api/v1/events"
    tags = ["events"]

    @get(
        "/",
        summary="List events",
        description="Typed events (deals, lawsuits, launches…) with participants and sources. Keyset-paginated.",
        responses=problem_responses(400, 503),
    )
    async def list_events(
        self,
        request: Request[Any, Any, Any],
        event_query: NamedDependency[EventQuery],
        sort: Sort = "occurred_on",
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Response[Page[EventRead]]:
        return await event_page(
            reader_of(request), event_query, route="events", sort=sort, limit=limit, cursor=cursor, count=count
        )

    @get("/{event_id:str}", summary="Get an event", responses=problem_responses(404, 503))
    async def get_event(self, request: Request[Any, Any, Any], event_id: FactId) -> Response[EventRead]:
        row = await reader_of(request).fetchrow(*statement(sql.detail_sql(event_id)))
        if row is None:
            raise NotFound(f"No event with id {event_id!r}.")
        return json_body(row["data"])
