"""HTTP routes of the funding resource."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from service.facts import resolve_entity_ids
from service.funding import queries
from service.funding.schemas import FundingKind, FundingRead, FundingSort
from service.http.pagination import Count, Cursor, Limit, Page, paginate
from service.http.params import FactId, From, OrganisationFilter, To
from service.http.problems import NotFound, invalid, problem_responses

KindFilter = Annotated[
    list[FundingKind] | None, QueryParameter(name="kind", description="Funding kind; repeatable.", max_items=9)
]
EntityFilter = Annotated[
    list[str] | None,
    QueryParameter(description="Organisation or person id, slug or name; repeatable.", max_items=50),
]
CurrencyFilter = Annotated[
    list[str] | None,
    QueryParameter(name="currency", description="ISO 4217 code (3 letters); repeatable.", max_items=20),
]
Usd = Annotated[float | None, QueryParameter(description="Bound on `amount_usd`, inclusive.", ge=0, le=1e18)]
Sort = Annotated[FundingSort, QueryParameter(description="Largest first by default; unknown amounts last.")]


async def funding_page(
    session: AsyncSession,
    *,
    route: str,
    kinds: list[FundingKind] | None = None,
    organisations: list[str] | None = None,
    payers: list[str] | None = None,
    recipients: list[str] | None = None,
    currencies: list[str] | None = None,
    min_usd: float | None = None,
    max_usd: float | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    sort: FundingSort = "-amount_usd",
    limit: int = 50,
    cursor: str | None = None,
    count: bool = False,
) -> Page[FundingRead]:
    for code in currencies or ():
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise invalid("currency", f"must be a 3-letter ISO 4217 code (got {code[:20]!r})")
    if min_usd is not None and max_usd is not None and min_usd > max_usd:
        raise invalid("max_usd", "must not be below `min_usd`")
    if date_from is not None and date_to is not None and date_from > date_to:
        raise invalid("to", "must not be before `from`")

    async def ids(values: list[str] | None) -> tuple[str, ...] | None:
        if not values:
            return None
        found = await resolve_entity_ids(session, "organisation", values)
        found += await resolve_entity_ids(session, "person", values)
        return tuple(found)

    filters = queries.FundingFilters(
        kinds=tuple(kinds or ()),
        organisations=await ids(organisations),
        payers=await ids(payers),
        recipients=await ids(recipients),
        currencies=tuple(c.upper() for c in currencies or ()),
        min_usd=Decimal(str(min_usd)) if min_usd is not None else None,
        max_usd=Decimal(str(max_usd)) if max_usd is not None else None,
        date_from=date_from,
        date_to=date_to,
    )
    params = {
        "kind": sorted(kinds or []),
        "organisation": sorted(organisations or []),
        "payer": sorted(payers or []),
        "recipient": sorted(recipients or []),
        "currency": sorted(c.upper() for c in currencies or []),
        "min_usd": min_usd,
        "max_usd": max_usd,
        "from": date_from,
        "to": date_to,
        "sort": sort,
    }
    return await paginate(
        lambda after: queries.list_funding(session, filters, sort, limit, after),
        route=route,
        params=params,
        keys=queries.SORT_KEYS[sort],
        limit=limit,
        cursor=cursor,
        count=(lambda: queries.count_funding(session, filters)) if count else None,
    )


class FundingController(Controller):
    path = "/api/v1/funding"
    tags = ["funding"]

    @get(
        "/",
        summary="List money facts",
        description="Investments, rounds, bids, commitments, valuations… with the amount as written and in USD.",
        responses=problem_responses(400, 503),
    )
    async def list_funding(
        self,
        db_session: NamedDependency[AsyncSession],
        kind: KindFilter = None,
        organisation: OrganisationFilter = None,
        payer: EntityFilter = None,
        recipient: EntityFilter = None,
        currency: CurrencyFilter = None,
        min_usd: Usd = None,
        max_usd: Usd = None,
        date_from: From = None,
        date_to: To = None,
        sort: Sort = "-amount_usd",
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Page[FundingRead]:
        return await funding_page(
            db_session,
            route="funding",
            kinds=kind,
            organisations=organisation,
            payers=payer,
            recipients=recipient,
            currencies=currency,
            min_usd=min_usd,
            max_usd=max_usd,
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            limit=limit,
            cursor=cursor,
            count=count,
        )

    @get("/{funding_id:str}", summary="Get a money fact", responses=problem_responses(404, 503))
    async def get_funding(self, db_session: NamedDependency[AsyncSession], funding_id: FactId) -> FundingRead:
        funding = await queries.get_funding(db_session, funding_id)
        if funding is None:
            raise NotFound(f"No funding with id {funding_id!r}.")
        return funding
