"""HTTP routes of the rivalry resource and its timeline."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.queries import EventFilters
from service.events.routes import EventQuery, event_page
from service.events.schemas import EventRead
from service.facts import missing, resolve_entity_ids
from service.http.pagination import Count, Cursor, Limit, Page, paginate
from service.http.params import FactId
from service.http.problems import problem_responses
from service.models import Rivalry
from service.reads import reader_of
from service.rivalries import queries
from service.rivalries.schemas import RivalryRead, RivalrySort

PartyFilter = Annotated[
    list[str] | None,
    QueryParameter(name="party", description="Organisation or person id, slug or name; repeatable.", max_items=50),
]
SortParam = Annotated[RivalrySort, QueryParameter(description="Most events first.")]


class RivalryController(Controller):
    path = "/api/v1/rivalries"
    tags = ["rivalries"]

    @get("/", summary="List rivalries", responses=problem_responses(400, 503))
    async def list_rivalries(
        self,
        db_session: NamedDependency[AsyncSession],
        party: PartyFilter = None,
        sort: SortParam = "-event_count",
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Page[RivalryRead]:
        parties = None
        if party:
            parties = tuple(
                await resolve_entity_ids(db_session, "organisation", party)
                + await resolve_entity_ids(db_session, "person", party)
            )
        filters = queries.RivalryFilters(parties=parties)
        return await paginate(
            lambda after: queries.list_rivalries(db_session, filters, sort, limit, after),
            route="rivalries",
            params={"party": sorted(party or []), "sort": sort},
            keys=queries.SORT_KEYS[sort],
            limit=limit,
            cursor=cursor,
            count=(lambda: queries.count_rivalries(db_session, filters)) if count else None,
        )

    @get("/{rivalry_id:str}", summary="Get a rivalry", responses=problem_responses(308, 404, 503))
    async def get_rivalry(self, db_session: NamedDependency[AsyncSession], rivalry_id: FactId) -> RivalryRead:
        rivalry = await queries.get_rivalry(db_session, rivalry_id)
        if rivalry is None:
            raise await missing(db_session, "rivalry", "rivalries", rivalry_id)
        return rivalry

    @get(
        "/{rivalry_id:str}/timeline",
        summary="Events of a rivalry",
        description="Events in which both parties take part, oldest first, undated last.",
        responses=problem_responses(308, 400, 404, 503),
    )
    async def rivalry_timeline(
        self,
        db_session: NamedDependency[AsyncSession],
        request: Request[Any, Any, Any],
        rivalry_id: FactId,
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Response[Page[EventRead]]:
        if await db_session.scalar(select(Rivalry.id).where(Rivalry.id == rivalry_id)) is None:
            raise await missing(db_session, "rivalry", "rivalries", rivalry_id, "/timeline")
        query = EventQuery(filters=EventFilters(rivalry=rivalry_id), params={"rivalry": rivalry_id})
        return await event_page(
            reader_of(request),
            query,
            route=f"rivalries/{rivalry_id}/timeline",
            sort="occurred_on",
            limit=limit,
            cursor=cursor,
            count=count,
        )
