"""GET /api/v1/changes: every created or updated fact, and tombstones for deleted ones, oldest first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.params import QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.http.pagination import Cursor, Limit, Page, SortKey, keyset_rows, paginate
from service.http.problems import invalid, problem_responses
from service.models import Change

ChangeKind = Literal["document", "organisation", "person", "event", "funding", "rivalry", "relationship"]
KEYS = (SortKey(Change.changed_at, type="datetime"), SortKey(Change.id, type="int"))
_COLUMNS: tuple[Any, ...] = (Change.id, Change.kind, Change.entity_id, Change.op, Change.changed_at)
# The seconds of 0001-01-01T00:00:00Z and of 10000-01-01T00:00:00Z since the Unix epoch.
_FIRST_SECOND = -62135596800
_AFTER_LAST_SECOND = 253402300800


class ChangeRead(msgspec.Struct, omit_defaults=True):
    """``op: deleted`` entries are tombstones and carry ``deleted_at``."""

    kind: ChangeKind
    id: str
    op: Literal["created", "updated", "deleted"]
    changed_at: dt.datetime
    deleted_at: dt.datetime | None = None


# `since` is read as Litestar reads a timestamp in a query, leniently: ISO 8601, or seconds since the
# Unix epoch. It is taken as text and read here: Litestar let the error of a number of seconds past
# the year 9999 through as a 500. The document says both forms.
Since = Annotated[
    str | None,
    QueryParameter(
        description="Only changes at or after this time: an ISO 8601 timestamp (UTC when no offset is given),"
        " or seconds since the Unix epoch.",
        schema_extra={
            "one_of": [
                Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
                Schema(type=OpenAPIType.NUMBER, minimum=_FIRST_SECOND, exclusive_maximum=_AFTER_LAST_SECOND),
                Schema(type=OpenAPIType.NULL),
            ]
        },
    ),
]


def _timestamp(since: str) -> dt.datetime | None:
    """``since`` as a UTC time (None for `null`, as for any optional parameter); :func:`invalid`
    when it is no time."""
    try:
        moment = msgspec.convert(since, dt.datetime | None, strict=False)
    except (msgspec.ValidationError, ValueError, OverflowError):
        raise invalid("since", "must be an ISO 8601 timestamp or seconds since the Unix epoch") from None
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


KindFilter = Annotated[
    list[ChangeKind] | None, QueryParameter(name="kind", description="Kind of fact; repeatable.", max_items=7)
]


async def _page(
    session: AsyncSession, since: dt.datetime | None, kinds: Sequence[str], limit: int, after: Sequence[Any] | None
) -> tuple[list[ChangeRead], list[Any] | None]:
    stmt = select(*_COLUMNS)
    if since is not None:
        stmt = stmt.where(Change.changed_at >= since)
    if kinds:
        stmt = stmt.where(Change.kind.in_(kinds))
    rows, last = await keyset_rows(session, stmt, KEYS, limit, after)
    return [
        ChangeRead(
            kind=r.kind,
            id=r.entity_id,
            op=r.op,
            changed_at=r.changed_at,
            deleted_at=r.changed_at if r.op == "deleted" else None,
        )
        for r in rows
    ], last


@get(
    "/api/v1/changes",
    summary="Change feed",
    description="Every fact created, updated or deleted (tombstones) since a timestamp, oldest first.",
    tags=["changes"],
    responses=problem_responses(400, 503),
)
async def list_changes(
    db_session: NamedDependency[AsyncSession],
    since: Since = None,
    kind: KindFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ChangeRead]:
    moment = _timestamp(since) if since is not None else None
    kinds = sorted(set(kind or []))
    return await paginate(
        lambda after: _page(db_session, moment, kinds, limit, after),
        route="changes",
        params={"since": moment, "kind": kinds},
        keys=KEYS,
        limit=limit,
        cursor=cursor,
    )
