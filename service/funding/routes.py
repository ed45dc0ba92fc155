"""HTTP routes of the funding resource."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from service.funding import queries, sql
from service.funding.schemas import FundingKind, FundingRead, FundingSort
from service.http.pagination import Count, Cursor, Limit, Page
from service.http.params import FactId, From, OrganisationFilter, To
from service.http.problems import NotFound, invalid, problem_responses
from service.reads import Reader, json_body, reader_of, sql_page, statement

KindFilter = Annotated[
    list[FundingKind] | None, QueryParameter(name="kind", description="Funding kind; repeatable.", max_items=9)
]
EntityFilter = Annotated[
    list[str] | None,
    QueryParameter(description="Organisation or person id, slug or name; repeatable.", max_items=50),
]
# An ISO 4217 code, in either case; the route checks it and the document states it.
CURRENCY = re.compile("^[A-Za-z]{3}$")
CurrencyFilter = Annotated[
    list[str] | None,
    QueryParameter(
        name="currency",
        description="ISO 4217 code (3 letters, either case); repeatable.",
        max_items=20,
        schema_extra={"items": {"type": "string", "pattern": CURRENCY.pattern}},
    ),
]
# Litestar's document leaves out a bound of 0 (it tests the bound's truth): `schema_extra` restores it.
MinUsd = Annotated[
    float | None,
    QueryParameter(
        description="Least `amount_usd`, inclusive; not above `max_usd`.", ge=0, le=1e18, schema_extra={"minimum": 0}
    ),
]
MaxUsd = Annotated[
    float | None,
    QueryParameter(
        description="Greatest `amount_usd`, inclusive; not below `min_usd` (a `400` naming `max_usd`).",
        ge=0,
        le=1e18,
        schema_extra={"minimum": 0},
    ),
]
Sort = Annotated[FundingSort, QueryParameter(description="Largest first by default; unknown amounts last.")]


class FundingQuery(msgspec.Struct, frozen=True):
    """The funding list's filters, parsed and validated once for every route that lists money facts."""

    filters: queries.FundingFilters
    params: dict[str, Any]  # what defines the query, for its cursors

    def with_participant(self, entity_id: str) -> FundingQuery:
        return FundingQuery(
            filters=msgspec.structs.replace(self.filters, participant=entity_id),
            params={**self.params, "participant": entity_id},
        )


async def provide_funding_query(
    kind: KindFilter = None,
    organisation: OrganisationFilter = None,
    payer: EntityFilter = None,
    recipient: EntityFilter = None,
    currency: CurrencyFilter = None,
    min_usd: MinUsd = None,
    max_usd: MaxUsd = None,
    date_from: From = None,
    date_to: To = None,
) -> FundingQuery:
    """Dependency ``funding_query``: every contract filter of the funding list (names are resolved
    by the list query itself, so parsing the filters costs no database round trip)."""
    for code in currency or ():
        if not CURRENCY.fullmatch(code):
            raise invalid("currency", f"must be a 3-letter ISO 4217 code (got {code[:20]!r})")
    if min_usd is not None and max_usd is not None and min_usd > max_usd:
        raise invalid("max_usd", "must not be below `min_usd`")
    if date_from is not None and date_to is not None and date_from > date_to:
        raise invalid("to", "must not be before `from`")

    filters = queries.FundingFilters(
        kinds=tuple(kind or ()),
        organisations=tuple(organisation) if organisation else None,
        payers=tuple(payer) if payer else None,
        recipients=tuple(recipient) if recipient else None,
        currencies=tuple(c.upper() for c in currency or ()),
        min_usd=Decimal(str(min_usd)) if min_usd is not None else None,
        max_usd=Decimal(str(max_usd)) if max_usd is not None else None,
        date_from=date_from,
        date_to=date_to,
    )
    params = {
        "kind": tuple(sorted(kind or [])),
        "organisation": tuple(sorted(organisation or [])),
        "payer": tuple(sorted(payer or [])),
        "recipient": tuple(sorted(recipient or [])),
        "currency": tuple(sorted(c.upper() for c in currency or [])),
        "min_usd": min_usd,
        "max_usd": max_usd,
        "from": date_from,
        "to": date_to,
    }
    return FundingQuery(filters=filters, params=params)


async def funding_page(
    reader: Reader,
    query: FundingQuery,
    *,
    route: str,
    sort: FundingSort,
    limit: int,
    cursor: str | None,
    count: bool,
) -> Response[Page[FundingRead]]:
    """One page of money facts for any route that lists them: one SQL statement (two with ``count``)."""
    filters = await sql.resolve(reader, query.filters)
    return await sql_page(
        reader,
        route=route,
        params={**query.params, "sort": sort},
        keys=queries.SORT_KEYS[sort],
        limit=limit,
        cursor=cursor,
        page=lambda after: sql.page_sql(filters, sort, limit, after),
        count=(lambda: sql.count_sql(filters)) if count else None,
        filtered=query.filters != queries.FundingFilters(),
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
        request: Request[Any, Any, Any],
        funding_query: NamedDependency[FundingQuery],
        sort: Sort = "-amount_usd",
        limit: Limit = 50,
        cursor: Cursor = None,
        count: Count = False,
    ) -> Response[Page[FundingRead]]:
        return await funding_page(
            reader_of(request), funding_query, route="funding", sort=sort, limit=limit, cursor=cursor, count=count
        )

    @get("/{funding_id:str}", summary="Get a money fact", responses=problem_responses(404, 503))
    async def get_funding(self, request: Request[Any, Any, Any], funding_id: FactId) -> Response[FundingRead]:
        row = await reader_of(request).fetchrow(*statement(sql.detail_sql(funding_id)))
        if row is None:
            raise NotFound(f"No funding with id {funding_id!r}.")
        return json_body(row["data"])
