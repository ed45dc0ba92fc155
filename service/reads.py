"""The read path of the hot list and detail routes: hand-written SQL on raw asyncpg connections.

Why not the ORM session here: a list request through SQLAlchemy costs ``BEGIN``, a keyset
query, three hydration queries and ``ROLLBACK`` — five round trips and most of the worker's CPU
in statement compilation and row objects. The routes served by this module send **one**
statement (a prepared statement, cached by asyncpg per connection) and get JSON that PostgreSQL
wrote: a page's items are stored with their rows (``list_item``, kept by triggers) and a detail
is built by a SQL function, so the worker only joins text into the list envelope. SQLAlchemy
still owns the schema, the migrations and every write.

Two readers share one interface:

- :class:`PoolReader` — production: its own few asyncpg connections (one set per plan mode, see
  :class:`Reader`), handed out in the order requests asked for them, autocommit (a single
  ``SELECT`` needs no transaction), one retry when a kept connection turned out to be dead
  (PostgreSQL restarted, ``pg_terminate_backend``), and outages raised as
  :class:`~service.db.DatabaseUnavailable` (→ ``503``).
- :class:`SessionReader` — when the app is given a sessionmaker (the tests run every request
  inside one rolled-back transaction): the same SQL on the session's own asyncpg connection.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.response.base import ASGIResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.db import DatabaseBusy, DatabaseUnavailable, statement_timeouts, sync_url
from service.http.caching import etag_of_items
from service.http.pagination import PageMeta, SortKey, decode_cursor, next_cursor, query_fingerprint
from service.settings import STATEMENT_TIMEOUT

# A pooled connection that died while idle: safe to retry a read once on a fresh one.
_STALE_CONNECTION = (asyncpg.exceptions.ConnectionDoesNotExistError, asyncpg.exceptions.InterfaceError)
# How long a read waits for a connection before the request fails (503).
ACQUIRE_TIMEOUT = 5.0
_UNREACHABLE = (OSError, asyncpg.exceptions.CannotConnectNowError, asyncpg.exceptions.PostgresConnectionError)


class Reader(abc.ABC):
    """Runs one read statement (an abstract base class: route signatures are checked with
    ``isinstance``, which a ``Protocol`` cannot serve).

    ``custom_plan``: plan the statement for these very values every time. Statements whose cost
    depends on which values they get (a filter by an organisation in 17 % of events or in 3 of
    them; a search text) need it: a generic plan cannot tell them apart (1.4 s instead of 2 ms at
    1M events). The others (a row by id, an unfiltered page, a page read through one entity's
    participant rows) always get the generic plan PostgreSQL keeps (``force_generic_plan``):
    planning them costs more than running them (0.33 ms against 0.12 ms for an event by id).
    Left to choose (``auto``), PostgreSQL planned a page after a cursor anew every time, because
    the generic plan's estimate for an unknown ``LIMIT`` looked costlier (82,000 against 60),
    although both plans are the same index range scan (``bench/RESULTS.md``, session 7).
    """

    async def fetchrow(self, sql: str, *args: Any, custom_plan: bool = False) -> asyncpg.Record | None:
        rows = await self.fetch(sql, *args, custom_plan=custom_plan)
        return rows[0] if rows else None

    @abc.abstractmethod
    async def fetch(self, sql: str, *args: Any, custom_plan: bool = False) -> list[asyncpg.Record]: ...


class _Connections:
    """The connections of one plan mode: at most ``size``, opened on demand, kept while healthy.

    Why not ``asyncpg.Pool``: these connections only ever run one autocommitted ``SELECT`` at a
    time, and the pool's general machinery cost 22 µs a request (``acquire(timeout=…)`` runs in a
    task of its own, ``release`` in a shielded task under a timeout, plus the reset round trip we
    had already turned off): 5 % of a list request's CPU (``bench/RESULTS.md``, session 7). Here a
    request takes its turn at the turnstile, then an idle connection or a new one, and gives it
    back. A connection is kept only when its statement completed, or failed in PostgreSQL (which
    leaves the connection ready for the next); anything else (cancelled, timed out, broken) closes it.
    """

    def __init__(self, dsn: str, size: int, *, connect_timeout: float, statement_timeout: float, custom_plan: bool):
        self._dsn = dsn
        self._connect_timeout = connect_timeout
        server_timeout, self._command_timeout = statement_timeouts(statement_timeout)
        self._settings = {
            "application_name": "rivalry-read",
            "plan_cache_mode": "force_custom_plan" if custom_plan else "force_generic_plan",
            "statement_timeout": server_timeout,
        }
        self._idle: list[asyncpg.Connection] = []
        # Requests take a connection in the order they asked for one (Python's semaphore serves
        # waiters first). asyncpg's pool let a newcomer take a connection just released to a
        # waiter, which then queued again at the back: one request in a hundred waited 36 ms.
        self.turnstile = asyncio.Semaphore(size)
        self._closed = False

    async def _connect(self) -> asyncpg.Connection:
        try:
            return await asyncpg.connect(
                self._dsn,
                timeout=self._connect_timeout,
                command_timeout=self._command_timeout,
                server_settings=self._settings,
            )
        except (*_UNREACHABLE, TimeoutError) as exc:
            raise DatabaseUnavailable(str(exc) or exc.__class__.__name__) from exc

    async def fetch(self, sql: str, args: Sequence[Any]) -> list[asyncpg.Record]:
        """``sql`` on a connection of the set; the caller holds the turnstile."""
        for attempt in (1, 2):
            conn = self._idle.pop() if self._idle else await self._connect()
            healthy = False
            try:
                rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
                healthy = True
                return rows
            except _STALE_CONNECTION as exc:
                # A connection that died while idle (PostgreSQL restarted, the backend was
                # terminated): the others idle beside it most likely died with it. Retry once on a
                # new connection.
                self._drop_idle()
                if attempt == 2:
                    raise DatabaseUnavailable(str(exc) or exc.__class__.__name__) from exc
            except _UNREACHABLE as exc:
                raise DatabaseUnavailable(str(exc) or exc.__class__.__name__) from exc
            except asyncpg.PostgresError:
                healthy = not conn.is_closed()  # an error of the statement, not of the connection
                raise
            finally:
                if healthy and not self._closed:
                    self._idle.append(conn)
                else:
                    conn.terminate()
        raise AssertionError("unreachable")  # pragma: no cover

    def _drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.terminate()

    async def warm(self, connections: int) -> None:
        opened = [await self._connect() for _ in range(connections - len(self._idle))]
        self._idle += opened

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)


class PoolReader(Reader):
    """Reads on dedicated connections (opened on demand, so the app starts with the database down)."""

    def __init__(
        self,
        url: str,
        *,
        max_size: int = 5,
        connect_timeout: float = 1.5,
        statement_timeout: float = STATEMENT_TIMEOUT,
    ):
        self._dsn = sync_url(url)
        self._max_size = max_size
        self._connect_timeout = connect_timeout
        self._statement_timeout = statement_timeout
        # One set of connections per plan mode (see Reader), each made on first use.
        self._sets: dict[bool, _Connections] = {}

    def _connections(self, custom_plan: bool) -> _Connections:
        connections = self._sets.get(custom_plan)
        if connections is None:
            # Filtered lists and search get half as many connections as the rest.
            size = max(2, self._max_size // 2) if custom_plan else self._max_size
            connections = self._sets[custom_plan] = _Connections(
                self._dsn,
                size,
                connect_timeout=self._connect_timeout,
                statement_timeout=self._statement_timeout,
                custom_plan=custom_plan,
            )
        return connections

    async def fetch(self, sql: str, *args: Any, custom_plan: bool = False) -> list[asyncpg.Record]:
        connections = self._connections(custom_plan)
        turnstile = connections.turnstile
        if turnstile.locked():
            try:
                async with asyncio.timeout(ACQUIRE_TIMEOUT):
                    await turnstile.acquire()
            except TimeoutError as exc:
                # Every connection busy that long: a busy server, not an unreachable one.
                raise DatabaseBusy(f"no read connection free within {ACQUIRE_TIMEOUT:.0f} s") from exc
        else:
            await turnstile.acquire()
        try:
            return await connections.fetch(sql, args)
        finally:
            turnstile.release()

    async def warm(self, connections: int = 2) -> None:
        """Open a few connections ahead of the first requests (best effort: the database may be down)."""
        with contextlib.suppress(Exception):  # warming is an optimisation; requests report outages
            await self._connections(False).warm(connections)

    async def close(self) -> None:
        for connections in self._sets.values():
            await connections.close()
        self._sets.clear()


class SessionReader(Reader):
    """The same SQL through the app's sessionmaker (inside the tests' transaction)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def fetch(self, sql: str, *args: Any, custom_plan: bool = False) -> list[asyncpg.Record]:
        # One-off statements in the tests' transaction: planned for their values either way.
        async with self._sessionmaker() as session:
            conn = await session.connection()
            raw = await conn.get_raw_connection()
            driver: asyncpg.Connection = raw.driver_connection
            return list(await driver.fetch(sql, *args))


def reader_of(request: Request[Any, Any, Any]) -> Reader:
    """The app's reader: the pool set up by the lifespan, else the sessionmaker's connection.

    Taken from the app's state by the handlers rather than injected as a dependency: Litestar
    resolves two dependencies of one handler (this and ``event_query``) concurrently, in an anyio
    task group, which cost more than the rest of the dependency injection (``bench/RESULTS.md``).
    And reached through the ``request`` the handler is given, not a ``state`` parameter: for that
    one Litestar copies the app's state into a new ``State`` on every request (3 % of a list
    request's CPU, session 8)."""
    state = request.app.state
    reader: Reader | None = state.get("reader")
    if reader is None:
        reader = SessionReader(state.sessionmaker)
        state.reader = reader
    return reader


class SqlArgs:
    """Positional parameters for hand-written SQL: ``args.add(value)`` returns its ``$n``."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any, cast: str = "") -> str:
        self.values.append(value)
        return f"${len(self.values)}{'::' + cast if cast else ''}"


@dataclass(frozen=True)
class Ordering:
    """A keyset ordering: ``key`` (never NULL: NULLs replaced by a sentinel sorting last), then ``id``."""

    key: str  # SQL expression, matches an index
    column: str  # the raw column, returned for the next cursor
    cast: str  # SQL type of the cursor value
    sentinel: str  # what a NULL cursor value stands for
    descending: bool
    alias: str = "e"  # of the table in the statement
    # The row's id as the index that gives the order has it (another table's copy of it, when the
    # page is read through that table's index); the row's own ``id`` by default.
    id_column: str | None = None

    @property
    def id(self) -> str:
        return self.id_column or f"{self.alias}.id"

    @property
    def returned(self) -> str:
        """``column`` as the page's statement returns it for the next cursor: a ``numeric`` as its
        text, which is what the cursor stores (decoding 51 ``Decimal``s to keep the last one cost
        a funding page 14 µs), anything else as is."""
        return f"{self.column}::text" if self.cast == "numeric" else self.column

    def order_by(self) -> str:
        return f"{self.key}{' DESC' if self.descending else ''}, {self.id}"

    def after(self, args: SqlArgs, values: Sequence[Any]) -> list[str]:
        """Rows strictly after the cursor row, as conditions that are each one range of the
        ordering's index, in page order: every row of the first range comes before any row of the
        next.

        Ascending, one range: ``(key, id) > (bound, last_id)``. Descending, the index runs ``key``
        down and ``id`` up, which no row comparison describes, so two: the cursor key's remaining
        ids, then the keys below it. One condition ``key <= bound AND (key < bound OR id >
        last_id)`` had PostgreSQL start at the cursor's key and throw away the rows before the
        cursor one by one: 1,097 for a ``-occurred_on`` page 100,000 rows deep at 1M events (0.65
        ms against 0.13 ms now), 100,001 index entries for ``-source_count``, which has four
        values (23.9 ms against 0.15 ms; ``bench/RESULTS.md``, session 9).
        """
        bound = f"coalesce({args.add(values[0], self.cast)}, {self.sentinel})"
        last_id = args.add(values[1], "text")
        if not self.descending:
            return [f"({self.key}, {self.id}) > ({bound}, {last_id})"]
        # `key <= bound AND key >= bound`, not `key = bound`: an equality would let PostgreSQL drop
        # `key` from the range's order (it is constant there), and sort the range's rows again to
        # merge it with the next one.
        return [f"{self.key} <= {bound} AND {self.key} >= {bound} AND {self.id} > {last_id}", f"{self.key} < {bound}"]


def date_range_on_key(ordering: Ordering, args: SqlArgs, date_from: Any, date_to: Any) -> list[str]:
    """``from``/``to`` restated on the sort key, so the index range scan starts (and stops) there.

    Redundant with the column conditions (which exclude undated rows), so the result is unchanged;
    without it PostgreSQL would walk the index from the beginning and filter.
    """
    bounds = []
    if date_from is not None:
        bounds.append(f"{ordering.key} >= {args.add(date_from, 'date')}")
    if date_to is not None:
        bounds.append(f"{ordering.key} <= {args.add(date_to, 'date')}")
    return bounds


def as_utf8(json_expression: str) -> str:
    """``json_expression`` as UTF-8 bytes (``bytea``), which asyncpg hands over as ``bytes``.

    As ``json`` or ``text`` the value would be decoded to a ``str`` by asyncpg, then encoded back
    to bytes for the response: two passes over every 55 kB page for nothing, the second of them
    slow (French names are not ASCII).
    """
    return f"convert_to({json_expression}::text, 'UTF8')"


def keyset_page_sql(
    table: str,
    conditions: list[str],
    ordering: Ordering,
    args: SqlArgs,
    limit: int,
    after: Sequence[Any] | None,
) -> str:
    """Up to ``limit + 1`` rows of ``table`` (aliased ``ordering.alias``) in page order, each with
    ``item`` (its stored ``list_item``, as UTF-8 JSON bytes), ``sort_value`` and ``id`` (the next
    cursor's values) and ``list_hash`` (the item's hash, for the page's ETag). The extra row only
    says whether another page follows.

    An index range scan reading stored items: a page 100,000 rows deep costs what the first does,
    and no item is built at read time (see migration ``8d4f2a6c1e93``).
    """
    alias = ordering.alias
    fetch = page_limit(limit)
    ranges = [conditions] if after is None else [[*conditions, r] for r in ordering.after(args, after)]
    if len(ranges) == 1:
        clause = f" WHERE {' AND '.join(ranges[0])}" if ranges[0] else ""
        return (
            f"SELECT {as_utf8(f'{alias}.list_item')} AS item, {ordering.returned} AS sort_value, {alias}.id,"
            f" {alias}.list_hash FROM {table} {alias}{clause} ORDER BY {ordering.order_by()} LIMIT {fetch}"
        )
    # One index range scan per range, merged; the items are converted for the page's rows only.
    branches = [
        f"SELECT {alias}.list_item, {ordering.returned} AS sort_value, {alias}.id, {alias}.list_hash,"
        f" {ordering.key} AS key FROM {table} {alias} WHERE {' AND '.join(range_)}"
        f" ORDER BY {ordering.order_by()} LIMIT {fetch}"
        for range_ in ranges
    ]
    return (
        f"SELECT {as_utf8('p.list_item')} AS item, p.sort_value, p.id, p.list_hash"
        f" FROM {merged(branches, ordering, 'p', fetch)}"
    )


def merged(branches: Sequence[str], ordering: Ordering, alias: str, fetch: str) -> str:
    """The rows of ``branches`` (statements each returning one range of :meth:`Ordering.after`
    in page order, with columns ``key`` and ``id``) as one range in page order: a ``FROM`` item
    named ``alias`` and the ``ORDER BY``/``LIMIT`` that PostgreSQL runs as a ``Merge Append``."""
    union = " UNION ALL ".join(f"({branch})" for branch in branches)
    return f"({union}) {alias} ORDER BY {alias}.key{' DESC' if ordering.descending else ''}, {alias}.id LIMIT {fetch}"


def page_limit(limit: int) -> str:
    """``LIMIT``'s value written into the statement, not passed as a parameter: the generic plan
    that unfiltered pages keep (:class:`Reader`) must know it. For an unknown ``LIMIT`` PostgreSQL
    assumes a tenth of the table, and planned the first page of 1M events as a sort of all of them
    (4.7 ms instead of 0.1). One statement per page size a client uses; sizes are 1–200."""
    rows = int(limit) + 1  # one more: whether another page follows
    if rows < 2:
        raise ValueError(f"page size out of range: {limit}")
    return str(rows)


def count_sql(table: str, alias: str, conditions: list[str]) -> str:
    clause = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT count(*) AS total FROM {table} {alias} {clause}"


def statement(built: tuple[str, list[Any]]) -> tuple[Any, ...]:
    """``(sql, values)`` from a builder as the positional arguments of ``Reader.fetchrow``."""
    text, values = built
    return (text, *values)


_META = msgspec.json.Encoder()


Statement = tuple[str, list[Any]]


async def sql_page(
    reader: Reader,
    *,
    route: str,
    params: Mapping[str, Any],
    keys: Sequence[SortKey],
    limit: int,
    cursor: str | None,
    page: Callable[[Sequence[Any] | None], Statement],
    count: Callable[[], Statement] | None,
    filtered: bool,
) -> Response[Any]:
    """A keyset list route on the SQL-first path: the cursor checked against the query, one
    statement for the page (built by ``page`` from the cursor values), one more for ``count``.
    ``filtered``: the statements carry filter values, so they are planned for them (:class:`Reader`)."""
    fingerprint = query_fingerprint(route, params)
    after = decode_cursor(cursor, fingerprint, len(keys)) if cursor else None
    rows = await reader.fetch(*statement(page(after)), custom_plan=filtered)
    total = None
    if count is not None:
        counted = await reader.fetchrow(*statement(count()), custom_plan=filtered)
        total = int(counted["total"]) if counted is not None else 0
    next_key = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_key = next_cursor(keys, (rows[-1]["sort_value"], rows[-1]["id"]), fingerprint)
    return json_page(
        [row[0] for row in rows],
        PageMeta(limit=limit, next_cursor=next_key, total=total),
        item_hashes=[row[3] for row in rows],
    )


class EncodedJson(Response[Any]):
    """A ``200`` whose body is JSON already encoded (by PostgreSQL, :func:`as_utf8`).

    Handlers still declare ``Response[Page[…]]`` for the OpenAPI schema. Litestar's ``Response``
    merges headers, cookies and type encoders and looks up a serializer before it finds the
    content is bytes; here the body goes straight to the ASGI response with the route's own
    headers (``bench/RESULTS.md``, session 7)."""

    def __init__(self, body: bytes, etag: bytes | None = None) -> None:
        self.content = body
        self.etag = etag
        self.background = None
        self.cookies = []
        self.encoding = "utf-8"
        self.headers = {}
        self.media_type = "application/json"
        self.status_code = 200
        self.response_type_encoders = {}

    def to_asgi_response(
        self,
        app: Any,
        request: Any,
        *,
        background: Any = None,
        cookies: Any = None,
        encoded_headers: Any = None,
        headers: dict[str, str] | None = None,
        is_head_response: bool = False,
        media_type: Any = None,
        status_code: int | None = None,
        type_encoders: Any = None,
    ) -> ASGIResponse:
        if background is not None or cookies or is_head_response:  # none of our routes has them
            extra = {"etag": self.etag.decode("latin-1")} if self.etag is not None else {}
            return ASGIResponse(
                body=self.content,
                background=background,
                cookies=cookies,
                headers={**(headers or {}), **extra},
                is_head_response=is_head_response,
                media_type="application/json",
                status_code=200,
            )
        raw = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(self.content))]
        if headers:
            raw += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
        if self.etag is not None:
            raw.append((b"etag", self.etag))
        return _EncodedBody(self.content, raw)


class _EncodedBody(ASGIResponse):
    """The ASGI side of :class:`EncodedJson`: its start message and its body, sent as they are.

    ``ASGIResponse`` keeps its headers in a ``MutableScopeHeaders`` that decodes every header to
    look for ``content-type`` and ``content-length`` before setting them, then encodes them back:
    7 % of a list request's CPU (``bench/RESULTS.md``, session 8). These headers are built encoded."""

    __slots__ = ("_raw_headers",)

    def __init__(self, body: bytes, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.body = body
        self._raw_headers = raw_headers
        self.status_code = 200
        self.background = None
        self.is_head_response = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self._raw_headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


def json_page(items: Sequence[bytes], meta: Any, *, item_hashes: Sequence[int] | None = None) -> Response[Any]:
    """The list envelope around items PostgreSQL already encoded as JSON (:func:`as_utf8`);
    with ``item_hashes`` (their stored ``list_hash``), the page's ETag is computed from them.

    One pass over the page's bytes: the envelope's head and tail are glued to the first and last
    items (a kilobyte each) and the whole is joined once. Joining the items, then the envelope
    around them, copied a 57 kB page twice (6 µs of a list request)."""
    encoded_meta = _META.encode(meta)
    tail = b'],"meta":' + encoded_meta + b"}"
    if not items:
        body = b'{"data":[' + tail
    elif len(items) == 1:
        body = b'{"data":[' + items[0] + tail
    else:
        body = b",".join([b'{"data":[' + items[0], *items[1:-1], items[-1] + tail])
    etag = None if item_hashes is None else etag_of_items(len(body), item_hashes, encoded_meta)
    return EncodedJson(body, etag)


def json_body(document: bytes) -> Response[Any]:
    """A response of one JSON document PostgreSQL encoded (:func:`as_utf8`)."""
    return EncodedJson(document)


def resolved_ids_sql(kind: str, args: SqlArgs, values: list[str]) -> str:
    """An ``ARRAY(...)`` of the ids that filter values name: ids, exact names/aliases (accent- and
    case-insensitive) or former ids of merged entities — resolved inside the one statement."""
    table, alias_table, owner = (
        ("organisations", "organisation_aliases", "organisation_id")
        if kind == "organisation"
        else ("people", "person_aliases", "person_id")
    )
    stripped = args.add([v.strip() for v in values], "text[]")
    raw = args.add(list(values), "text[]")
    folded = args.add([v.strip().lower() for v in values], "text[]")
    return (
        f"ARRAY(SELECT t.id FROM {table} t WHERE t.id = ANY({stripped})"
        f" UNION SELECT a.{owner} FROM {alias_table} a"
        f" WHERE a.alias_folded = ANY(ARRAY(SELECT lower(rivalry_unaccent(v)) FROM unnest({folded}) v))"
        f" UNION SELECT r.new_id FROM entity_redirects r WHERE r.kind = '{kind}' AND r.old_id = ANY({raw}))"
    )


async def resolve_names(
    reader: Reader, wanted: dict[str, tuple[tuple[str, ...], Sequence[str]]]
) -> dict[str, list[str]]:
    """Ids named by filter values, one array per key: ``{key: (kinds, values)}`` → ``{key: ids}``.

    One statement for all of a request's name filters. Run before the list query so that the ids
    are parameters PostgreSQL plans with (how popular an organisation is decides the plan), unless
    the page's plan does not depend on them (``service.events.sql.reads_through``).
    """
    if not wanted:
        return {}
    args = SqlArgs()
    columns = []
    for position, (kinds, values) in enumerate(wanted.values()):
        arrays = " || ".join(resolved_ids_sql(kind, args, list(values)) for kind in kinds)
        columns.append(f"{arrays} AS r{position}")
    row = await reader.fetchrow(f"SELECT {', '.join(columns)}", *args.values)
    assert row is not None
    return {key: sorted(set(row[f"r{position}"])) for position, key in enumerate(wanted)}
