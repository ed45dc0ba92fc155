"""GET /api/v1/search."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, get_args

from litestar import Request, get
from litestar.params import QueryParameter

from service.http.pagination import Cursor, Limit, Page, paginate
from service.http.params import WHITESPACE, WORDS
from service.http.problems import invalid, problem_responses
from service.reads import Reader, reader_of, statement
from service.search import queries, sql
from service.search.schemas import SearchHit, SearchType

ALL_TYPES: tuple[str, ...] = get_args(SearchType)
# `types` as the route reads it: comma-separated kinds, blanks around them and empty items ignored,
# at least one kind unless the whole value is empty (every kind). The route checks it and the
# document states it with this one expression.
_KIND = f"(?:{'|'.join(ALL_TYPES)})"
_BLANKS = f"[{WHITESPACE}]*"
TYPES = re.compile(f"^(?:(?:{_BLANKS},)*{_BLANKS}{_KIND}{_BLANKS}(?:,(?:{_BLANKS}{_KIND})?{_BLANKS})*)?$")
Query = Annotated[
    str,
    QueryParameter(
        description="Words to find: French full text (stemmed, accent-insensitive) and fuzzy names; not only spaces.",
        min_length=1,
        max_length=300,
        schema_extra={"pattern": WORDS},
    ),
]
Types = Annotated[
    str | None,
    QueryParameter(
        description=f"Comma-separated kinds to search: {', '.join(ALL_TYPES)} (empty or left out: all).",
        max_length=100,
        schema_extra={"pattern": TYPES.pattern},
    ),
]


@get(
    "/api/v1/search",
    summary="Search",
    description=(
        "Ranked hits over documents and events (full text: the"
        f" {queries.FULL_TEXT_CANDIDATES:,} most recent matches of each are ranked)"
        " and organisations and people (names)."
    ),
    tags=["search"],
    responses=problem_responses(400, 503),
)
async def search(
    request: Request[Any, Any, Any],
    q: Query,
    types: Types = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[SearchHit]:
    if not re.fullmatch(WORDS, q):
        raise invalid("q", "must contain at least one non-space character")
    if types is not None and not TYPES.fullmatch(types):
        raise invalid("types", f"must be a comma-separated list of {', '.join(ALL_TYPES)}")
    chosen = [t.strip() for t in types.split(",") if t.strip()] if types else list(ALL_TYPES)
    return await paginate(
        lambda after: _hits(reader_of(request), q.strip(), chosen, limit, after),
        route="search",
        params={"q": q.strip(), "types": sorted(set(chosen))},
        keys=queries.CURSOR_KEYS,
        limit=limit,
        cursor=cursor,
    )


async def _hits(
    reader: Reader, q: str, types: list[str], limit: int, after: Sequence[Any] | None
) -> tuple[list[SearchHit], list[Any] | None]:
    """One page of hits in one statement; snippets are cut here, around the first matching word."""
    if after is not None:
        after = [key.parse(value) for key, value in zip(queries.CURSOR_KEYS, after, strict=True)]
    rows = await reader.fetch(*statement(sql.search_sql(q, types, limit, after)), custom_plan=True)
    more = len(rows) > limit
    rows = rows[:limit]
    hits = [
        SearchHit(type=r["type"], id=r["id"], title=r["title"], snippet=queries.snippet(r["body"] or "", q),
                  score=round(r["score"], 6))
        for r in rows
    ]  # fmt: skip
    last = [rows[-1]["score"], rows[-1]["type"], rows[-1]["id"]] if more else None
    return hits, last
