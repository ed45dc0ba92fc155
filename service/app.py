"""``create_app()``: the one place routes, plugins, middleware and error mapping are wired."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, cast

from litestar import Litestar, Request, Response
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.exceptions import MethodNotAllowedException
from litestar.middleware._internal.cors import CORSMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, Contact, License, SecurityScheme, Server, Tag
from litestar.routes import HTTPRoute
from litestar.types import HTTPScope, LifeSpanReceive, LifeSpanScope, LifeSpanSend, Message, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from service.changes.routes import list_changes
from service.db import create_engine, database_url, session_factory
from service.documents.ingest import warm as warm_extraction
from service.documents.routes import DocumentController
from service.events.routes import EventController, provide_event_query
from service.exports.routes import EXPORT_ROUTES
from service.funding.routes import FundingController, provide_funding_query
from service.http.auth import FailedAuthLimit
from service.http.caching import HEAD_REQUEST
from service.http.edge import EdgeMiddleware
from service.http.pagination import sign_cursors_with
from service.http.problems import EXCEPTION_HANDLERS, Problem, problem_response
from service.logs import configure_logging
from service.organisations.routes import OrganisationController
from service.people.routes import PersonController
from service.reads import PoolReader
from service.rivalries.routes import RivalryController
from service.search.routes import search
from service.settings import Settings, get_settings
from service.stats.routes import stats
from service.system.docs import DOCS_PATH, docs_router, render_plugins
from service.system.examples import add_seeded_examples
from service.system.metrics import metrics
from service.system.operation_ids import readable_operation_id
from service.system.routes import health, ready

MAX_BODY_BYTES = 10 * 1024 * 1024
# The document's groups of operations, in the order the docs pages show them.
OPENAPI_TAGS = [
    Tag(name="documents", description="The source articles, their text, and writing: ingest or retract one."),
    Tag(name="organisations", description="Companies, labs, investors, governments… with their people and ties."),
    Tag(name="people", description="The people the articles name, with their roles."),
    Tag(name="events", description="Deals, lawsuits, launches, statements: who did what to whom, and when."),
    Tag(name="funding", description="Money facts: amounts as written, in USD, who paid and who received."),
    Tag(name="rivalries", description="Pairs of rivals and the events that set them against each other."),
    Tag(name="search", description="Ranked full-text and name search over everything."),
    Tag(name="stats", description="What the database holds."),
    Tag(name="changes", description="Every fact created, updated or deleted, for keeping a copy in step."),
    Tag(name="export", description="Whole lists, streamed as NDJSON or CSV, with the lists' filters."),
    Tag(name="system", description="Liveness, readiness and metrics."),
]
_CORS_HEADERS = ["Authorization", "Content-Type", "If-None-Match"]
_CORS_EXPOSED = ["ETag", "Retry-After", "Location"]

API_DESCRIPTION = """Structured, source-backed data on rivalries between tech companies and their leaders.

Every fact carries `citations`: the document, the exact quote and its character offsets, so that
`GET /api/v1/documents/{document_id}` → `text[start:end] == quote`.

Reads are public; writes (`POST`, `DELETE`) take an API key as `Authorization: Bearer <key>`.
Errors are RFC 9457 problems (`application/problem+json`). Any request whose target (path and
query) is over 16 KiB answers `414`, whose header lines are over 64 KiB in total `431`, and a client
that sends nothing of its headers or body for 10 s gets a `408`; each closes the connection.
"""


async def provide_db_session(state: State) -> AsyncIterator[AsyncSession]:
    """One session per request, closed (and rolled back if uncommitted) when the response is sent."""
    async with state.sessionmaker() as session:
        yield session


def _freeze_startup_objects() -> None:
    """Move what start-up built out of the cyclic garbage collector's sight.

    The routes, the OpenAPI schema and the ingestion pipeline's modules (spaCy among them) are
    about 170,000 objects that live as long as the worker. Every full collection walked them all,
    138 ms each, and a request that arrived meanwhile waited: that pause was the p99 of the cheap
    routes (``bench/RESULTS.md``). Frozen, they are still freed by reference counting if dropped;
    collections only look at what requests allocate.
    """
    gc.collect()
    gc.freeze()


def _cors_configs(origins: Iterable[str]) -> tuple[CORSConfig, CORSConfig]:
    """The CORS of reads (``GET``, ``HEAD``) and of writes (``POST``, ``DELETE``).

    Reads are public: they answer the configured origins, ``*`` (any) by default. Writes carry an
    API key and answer only the origins ``RIVALRY_CORS_ORIGINS`` names (the operator's own
    frontends), none by default: ``*`` opens the reads only.
    """
    origins = list(origins)
    reads = CORSConfig(
        allow_origins=origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=_CORS_HEADERS,
        expose_headers=_CORS_EXPOSED,
    )
    writes = CORSConfig(
        allow_origins=[origin for origin in origins if origin != "*"],
        allow_methods=["DELETE", "POST"],
        allow_headers=_CORS_HEADERS,
        expose_headers=_CORS_EXPOSED,
    )
    return reads, writes


class _CorsWhenOrigin:
    """Litestar's CORS middleware, entered only by requests that carry an ``Origin`` header, with
    the configuration of reads or of writes (:func:`_cors_configs`) by the method the request is
    for: its own, or for a preflight the one it asks about.

    A request without ``Origin`` gets nothing from CORS, yet the middleware built a
    case-insensitive copy of all its headers to find that out: 4 % of a list request's CPU
    (``bench/RESULTS.md``, session 8). Browsers send ``Origin`` on every cross-origin request and
    preflight, so those still get the full treatment; the rest go straight to the app inside.
    """

    __slots__ = ("_inner", "_reads", "_writes")

    def __init__(self, reads: CORSMiddleware, writes: CORSConfig) -> None:
        self._reads = reads
        self._writes = CORSMiddleware(reads.app, writes)
        self._inner = reads.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._reads(scope, receive, send)
            return
        for name, _ in scope["headers"]:
            if name.lower() == b"origin":
                break
        else:
            await self._inner(scope, receive, send)
            return
        cors = self._reads if _method_asked(scope) in ("GET", "HEAD", "OPTIONS") else self._writes
        await cors(scope, receive, send)


def _method_asked(scope: HTTPScope) -> str:
    """The request's method or, for a preflight, the method it asks about (Litestar answers every
    ``OPTIONS`` with an ``Origin`` as a preflight)."""
    method = scope["method"]
    if method == "OPTIONS":
        for name, value in scope["headers"]:
            if name.lower() == b"access-control-request-method":
                return value.decode("latin-1").strip()
    return method


def _allow(methods: Iterable[str]) -> str:
    """An ``Allow`` header: the methods of a path, ``HEAD`` wherever ``GET`` (see :class:`RivalryApp`)."""
    names = {*methods, "OPTIONS"}
    if "GET" in names:
        names.add("HEAD")
    return ", ".join(sorted(names))


def _method_not_allowed(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """A 405 problem whose ``Allow`` has ``HEAD`` too: Litestar lists the path's handlers only."""
    listed = str((getattr(exc, "headers", None) or {}).get("allow", ""))
    allow = _allow(method.strip() for method in listed.split(",") if method.strip())
    return problem_response(request, MethodNotAllowedException(headers={"Allow": allow}))


class RivalryApp(Litestar):
    """Litestar answering ``HEAD`` wherever it answers ``GET``, as HTTP requires of every server
    (RFC 9110 §9.1): Litestar routes ``HEAD`` only to handlers declared for it, and refuses a
    handler declared for both. A ``HEAD`` request is routed as the ``GET`` it mirrors; the response
    keeps its status and headers (``content-length`` and ``etag`` included) and loses its body
    (:class:`service.http.caching.ResponseWriter`; the server drops it too). Requests without an
    ``Origin`` header skip the CORS middleware (:class:`_CorsWhenOrigin`); ``write_cors_config``
    is the CORS of the other methods.

    ``OPTIONS`` answers ``Allow`` with every method of the path, ``HEAD`` included: Litestar's own
    ``OPTIONS`` handler lists only the methods registered with the path's first handlers
    (``OPTIONS, POST`` on ``/api/v1/documents``) and never ``HEAD``, so its ``Allow`` is replaced
    by the path's (405s get theirs from :func:`_method_not_allowed`)."""

    def __init__(self, *args: Any, write_cors_config: CORSConfig | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.asgi_handler, CORSMiddleware):
            self.asgi_handler = _CorsWhenOrigin(self.asgi_handler, write_cors_config or self.asgi_handler.config)
        self._allow = {
            route.path_format: _allow(route.methods).encode() for route in self.routes if isinstance(route, HTTPRoute)
        }

    async def __call__(
        self, scope: Scope | LifeSpanScope, receive: Receive | LifeSpanReceive, send: Send | LifeSpanSend
    ) -> None:
        if scope["type"] == ScopeType.HTTP:
            method = cast("HTTPScope", scope)["method"]
            if method == "HEAD":
                routed: Any = {**scope, "method": "GET", HEAD_REQUEST: True}  # uvicorn keeps its own scope: HEAD
                scope = routed
            elif method == "OPTIONS":
                send = self._allow_of_path(cast("HTTPScope", scope), cast("Send", send))
        await super().__call__(scope, receive, send)

    def _allow_of_path(self, scope: HTTPScope, send: Send) -> Send:
        """``send``, with the ``Allow`` of an ``OPTIONS`` answer replaced by the path's methods."""

        async def send_allow(message: Message) -> None:
            if message["type"] == "http.response.start":
                allow = self._allow.get(scope.get("path_template", ""))
                headers = list(message.get("headers", ()))
                if allow is not None and any(name.lower() == b"allow" for name, _ in headers):
                    message["headers"] = [(n, v) for n, v in headers if n.lower() != b"allow"] + [(b"allow", allow)]
            await send(message)

        return send_allow


def create_app(
    settings: Settings | None = None,
    engine: AsyncEngine | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> Litestar:
    """The application. ``engine``/``sessionmaker`` let tests run it inside their own transaction."""
    settings = settings or get_settings()
    configure_logging(settings)
    sign_cursors_with(settings)
    owns_engine = engine is None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db_engine = (
            engine
            if engine is not None
            else create_engine(database_url(settings), statement_timeout=settings.statement_timeout)
        )
        app.state.engine = db_engine
        app.state.sessionmaker = sessionmaker or session_factory(db_engine)
        if sessionmaker is None:
            # The hot read routes' own pool (service.reads); with an injected sessionmaker (tests)
            # they read through its connection instead.
            app.state.reader = PoolReader(
                db_engine.url.render_as_string(hide_password=False),
                max_size=settings.read_connections_per_worker,
                statement_timeout=settings.statement_timeout,
            )
            await app.state.reader.warm()
        await add_seeded_examples(app, app.state.sessionmaker)
        if owns_engine:
            _freeze_startup_objects()
            app.state.extraction = warm_extraction()  # on its thread; /ready answers 503 until it is done
        try:
            yield
        finally:
            if isinstance(app.state.get("reader"), PoolReader):
                await app.state.reader.close()
            if owns_engine:
                await db_engine.dispose()

    # The guard, the deadline, ETags and compression, metrics and the request log are one layer
    # (service.http.edge); the rate limit, when on, sits inside it.
    middleware: list[Any] = [EdgeMiddleware]
    read_cors, write_cors = _cors_configs(settings.cors_origins)
    if settings.rate_limit_per_minute > 0:
        limit = RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_minute),
            exclude=["^/health$", "^/ready$", "^/metrics$", "^/schema"],
        )
        middleware.append(limit.middleware)

    return RivalryApp(
        route_handlers=[
            health,
            ready,
            DocumentController,
            OrganisationController,
            PersonController,
            EventController,
            FundingController,
            RivalryController,
            search,
            stats,
            list_changes,
            *EXPORT_ROUTES,
            metrics,
        ],
        dependencies={
            "db_session": Provide(provide_db_session),
            "event_query": Provide(provide_event_query),
            "funding_query": Provide(provide_funding_query),
        },
        lifespan=[lifespan],
        exception_handlers={**EXCEPTION_HANDLERS, MethodNotAllowedException: _method_not_allowed},
        middleware=middleware,
        cors_config=read_cors,
        write_cors_config=write_cors,
        openapi_config=OpenAPIConfig(
            operation_id_creator=readable_operation_id,
            title="Rivalry API",
            version="1.0.0",
            description=API_DESCRIPTION,
            path=DOCS_PATH,
            render_plugins=render_plugins(),
            openapi_router=docs_router(),  # the pages' scripts and styles are served here (service.system.docs)
            servers=[Server(url="/")],
            contact=Contact(name="Rivalry API"),
            license=License(name="MIT", identifier="MIT"),
            use_handler_docstrings=True,
            tags=OPENAPI_TAGS,
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http", scheme="bearer", description="An API key from `rivalry apikey create`."
                    )
                }
            ),
        ),
        state=State(
            {
                "settings": settings,
                "ingest_lock": asyncio.Lock(),
                "auth_failures": FailedAuthLimit(settings.auth_failures_per_minute),
            }
        ),
        request_max_body_size=MAX_BODY_BYTES,
        # structlog (service.logs) owns logging; Litestar's default config would reset the root logger.
        logging_config=None,
        debug=False,
    )
