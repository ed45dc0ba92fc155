"""HTTP routes of the organisation resource and its sub-resources."""

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
from service.facts import missing
from service.funding.routes import FundingQuery, funding_page
from service.funding.routes import Sort as FundingSortParam
from service.funding.schemas import FundingRead
from service.http.pagination import Count, Cursor, Limit, Page, paginate
from service.http.params import EntityId, NameQuery
from service.http.problems import problem_responses
from service.models import Organisation
from service.organisations import queries
from service.organisations.schemas import EntitySort, OrganisationDetail, OrganisationKind, OrganisationRead
from service.reads import reader_of
from service.rivalries import queries as rivalry_queries
from service.rivalries.schemas import RivalryRead

KindParam = Annotated[
    list[OrganisationKind] | None,
    QueryParameter(name="kind", description="Organisation kind; repeatable.", max_items=9),
]
SortParam = Annotated[EntitySort, QueryParameter(description="`name` or `-mention_count`.")]


async def _require(session: AsyncSession, organisation_id: str, suffix: str = "") -> None:
    if await session.scalar(select(Organisation.id).where(Organisation.id == organisation_id)) is None:
        raise await missing(session, "organisation", "organisations", organisation_id, suffix)


class OrganisationController(Controller):
    path = "/api/v1/organisations"
    tags = ["organisations"]

    @get("/", summary="List organisations", responses=problem_responses(400, 503))
    async def list_organisations(
        self,
        db_session: NamedDependency[AsyncSession],
        q: NameQuery = None,
        kind: KindParam = None,
        sort: SortParam = "-mention_count",
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Page[OrganisationRead]:
        filters = queries.OrganisationFilters(q=q, kinds=tuple(kind or ()))
        return await paginate(
            lambda after: queries.list_organisations(db_session, filters, sort, limit, after),
            route="organisations",
            params={"q": q, "kind": sorted(kind or []), "sort": sort},
            keys=queries.SORT_KEYS[sort],
            limit=limit,
            cursor=cursor,
            count=(lambda: queries.count_organisations(db_session, filters)) if count else None,
        )

    @get(
        "/{organisation_id:str}",
        summary="Get an organisation",
        description="With every citation, its people and its relationships. A merged id answers 308.",
        responses=problem_responses(308, 404, 503),
    )
    async def get_organisation(
        self, db_session: NamedDependency[AsyncSession], organisation_id: EntityId
    ) -> OrganisationDetail:
        organisation = await queries.get_organisation(db_session, organisation_id)
        if organisation is None:
            raise await missing(db_session, "organisation", "organisations", organisation_id)
        return organisation

    @get(
        "/{organisation_id:str}/events",
        summary="Events of an organisation",
        description="Takes every filter of the events list, narrowed to events this organisation takes part in.",
        responses=problem_responses(308, 400, 404, 503),
    )
    async def organisation_events(
        self,
        db_session: NamedDependency[AsyncSession],
        request: Request[Any, Any, Any],
        event_query: NamedDependency[EventQuery],
        organisation_id: EntityId,
        sort: EventSortParam = "occurred_on",
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Response[Page[EventRead]]:
        await _require(db_session, organisation_id, "/events")
        return await event_page(
            reader_of(request),
            event_query.with_participant("organisation", organisation_id),
            route=f"organisations/{organisation_id}/events",
            sort=sort,
            limit=limit,
            cursor=cursor,
            count=count,
        )

    @get(
        "/{organisation_id:str}/funding",
        summary="Money facts an organisation paid or received",
        description="Takes every filter of the funding list, narrowed to this organisation.",
        responses=problem_responses(308, 400, 404, 503),
    )
    async def organisation_funding(
        self,
        db_session: NamedDependency[AsyncSession],
        request: Request[Any, Any, Any],
        funding_query: NamedDependency[FundingQuery],
        organisation_id: EntityId,
        sort: FundingSortParam = "-amount_usd",
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Response[Page[FundingRead]]:
        await _require(db_session, organisation_id, "/funding")
        return await funding_page(
            reader_of(request),
            funding_query.with_participant(organisation_id),
            route=f"organisations/{organisation_id}/funding",
            sort=sort,
            limit=limit,
            cursor=cursor,
            count=count,
        )

    @get(
        "/{organisation_id:str}/rivals",
        summary="Rivalries an organisation is a party to",
        responses=problem_responses(308, 400, 404, 503),
    )
    async def organisation_rivals(
        self,
        db_session: NamedDependency[AsyncSession],
        organisation_id: EntityId,
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Page[RivalryRead]:
        await _require(db_session, organisation_id, "/rivals")
        filters = rivalry_queries.RivalryFilters(parties=(organisation_id,))
        return await paginate(
            lambda after: rivalry_queries.list_rivalries(db_session, filters, "-event_count", limit, after),
            route=f"organisations/{organisation_id}/rivals",
            params={},
            keys=rivalry_queries.SORT_KEYS["-event_count"],
            limit=limit,
            cursor=cursor,
            count=(lambda: rivalry_queries.count_rivalries(db_session, filters)) if count else None,
        )
