"""HTTP routes of the person resource."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.routes import EventQuery, event_page
from service.events.routes import Sort as EventSortParam
from service.events.schemas import EventRead
from service.facts import missing, resolve_entity_ids
from service.http.pagination import Count, Cursor, Limit, Page, paginate
from service.http.params import EntityId, NameQuery, OrganisationFilter
from service.http.problems import problem_responses
from service.models import Person
from service.organisations.schemas import EntitySort
from service.people import queries
from service.people.schemas import PersonRead
from service.reads import reader_of

SortParam = Annotated[EntitySort, QueryParameter(description="`name` or `-mention_count`.")]


class PersonController(Controller):
    path = "/api/v1/people"
    tags = ["people"]

    @get("/", summary="List people", responses=problem_responses(400, 503))
    async def list_people(
        self,
        db_session: NamedDependency[AsyncSession],
        q: NameQuery = None,
        organisation: OrganisationFilter = None,
        sort: SortParam = "-mention_count",
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Page[PersonRead]:
        organisations = (
            tuple(await resolve_entity_ids(db_session, "organisation", organisation)) if organisation else None
        )
        filters = queries.PeopleFilters(q=q, organisations=organisations)
        return await paginate(
            lambda after: queries.list_people(db_session, filters, sort, limit, after),
            route="people",
            params={"q": q, "organisation": sorted(organisation or []), "sort": sort},
            keys=queries.SORT_KEYS[sort],
            limit=limit,
            cursor=cursor,
            count=(lambda: queries.count_people(db_session, filters)) if count else None,
        )

    @get(
        "/{person_id:str}",
        summary="Get a person",
        description="With every citation. A merged id answers 308.",
        responses=problem_responses(308, 404, 503),
    )
    async def get_person(self, db_session: NamedDependency[AsyncSession], person_id: EntityId) -> PersonRead:
        person = await queries.get_person(db_session, person_id)
        if person is None:
            raise await missing(db_session, "person", "people", person_id)
        return person

    @get("/{person_id:str}/events", summary="Events of a person", responses=problem_responses(308, 400, 404, 503))
    async def person_events(
        self,
        db_session: NamedDependency[AsyncSession],
        request: Request[Any, Any, Any],
        event_query: NamedDependency[EventQuery],
        person_id: EntityId,
        sort: EventSortParam = "occurred_on",
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Response[Page[EventRead]]:
        if await db_session.scalar(select(Person.id).where(Person.id == person_id)) is None:
            raise await missing(db_session, "person", "people", person_id, "/events")
        return await event_page(
            reader_of(request),
            event_query.with_participant("person", person_id),
            route=f"people/{person_id}/events",
            sort=sort,
            limit=limit,
            cursor=cursor,
            count=count,
        )
