"""GET /api/v1/search."""

from __future__ import annotations

from typing import Annotated, get_args

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from service.http.pagination import Cursor, Limit, Page, paginate
from service.http.problems import invalid, problem_responses
from service.search import queries
from service.search.schemas import SearchHit, SearchType

ALL_TYPES: tuple[str, ...] = get_args(SearchType)
Query = Annotated[
    str,
    QueryParameter(
        description="Words to find: French full text (stemmed, accent-insensitive) and fuzzy names.",
        min_length=1,
        max_length=300,
    ),
]
Types = Annotated[
    str | None,
    QueryParameter(
        description=f"Comma-separated kinds to search: {', '.join(ALL_TYPES)} (default: all).",
        max_length=100,
    ),
]


@get(
    "/api/v1/search",
    summary="Search",
    description="Ranked hits over documents and events (full text) and organisations and people (names).",
    tags=["search"],
    responses=problem_responses(400, 503),
)
async def search(
    db_session: NamedDependency[AsyncSession],
    q: Query,
    types: Types = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[SearchHit]:
    if not q.strip():
        raise invalid("q", "must contain at least one non-space character")
    chosen = [t.strip() for t in types.split(",") if t.strip()] if types else list(ALL_TYPES)
    unknown = [t for t in chosen if t not in ALL_TYPES]
    if unknown or not chosen:
        raise invalid("types", f"must be a comma-separated list of {', '.join(ALL_TYPES)}")
    return await paginate(
        lambda after: queries.search(db_session, q.strip(), chosen, limit, after),
        route="search",
        params={"q": q.strip(), "types": sorted(set(chosen))},
        keys=queries.CURSOR_KEYS,
        limit=limit,
        cursor=cursor,
    )
