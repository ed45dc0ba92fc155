"""``create_app()``: the one place routes, plugins, middleware and error mapping are wired."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.middleware._internal.cors import CORSMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, Contact, License, SecurityScheme, Server
from litestar.types import HTTPScope, LifeSpanReceive, LifeSpanScope, LifeSpanSend, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from service.changes.routes import changes
from service.db import create_engine, database_url, session_factory
from service.documents.ingest import warm as warm_extraction
from service.documents.routes import DocumentController
from service.events.routes import EventController, provide_event_query
from service.exports.routes import EXPORT_ROUTES
from service.funding.routes import FundingController, provide_funding_query
from service.http.caching import HEAD_REQUEST
from service.http.edge import EdgeMiddleware
from service.http.problems import EXCEPTION_HANDLERS
from service.logs import configure_logging
from service.organisations.routes import OrganisationController
from service.people.routes import PersonController
from service.reads import PoolReader
from service.rivalries.routes import RivalryController
from service.search.routes import search
from service.settings import Settings, get_settings
from service.stats.routes import stats
from service.system.examples import add_seeded_examples
from service.system.links import add_links
from service.system.metrics import metrics
from service.system.routes import health, ready

MAX_BODY_BYTES = 10 * 1024 * 1024

API_DESCRIPTION = """Structured, source-backed data on rivalries between tech companies and their leaders.

Every fact carries `citations`: the document, the exact quote and its character offsets, so that
`GET /api/v1/documents/{document_id}` → `text[start:end] == quote`.
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


class _CorsWhenOrigin:
    """Litestar's CORS middleware, entered only by requests that carry an ``Origin`` header.

    A request without one gets nothing from CORS, yet the middleware built a case-insensitive
    copy of all its headers to find that out: 4 % of a list request's CPU (``bench/RESULTS.md``,
    session 8). Browsers send ``Origin`` on every cross-origin request and preflight, so those
    still get the full treatment; the rest go straight to the app inside.
    """

    __slots__ = ("_cors", "_inner")

    def __init__(self, cors: CORSMiddleware) -> None:
        self._cors = cors
        self._inner = cors.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            for name, _ in scope["headers"]:
                if name.lower() == b"origin":
                    break
            else:
                await self._inner(scope, receive, send)
                return
        await self._cors(scope, receive, send)


class RivalryApp(Litestar):
    """Litestar answering ``HEAD`` wherever it answers ``GET``, as HTTP requires of every server
    (RFC 9110 §9.1): Litestar routes ``HEAD`` only to handlers declared for it, and refuses a
    handler declared for both. A ``HEAD`` request is routed as the ``GET`` it mirrors; the response
    keeps its status and headers (``content-length`` and ``etag`` included) and loses its body
    (:class:`service.http.caching.ResponseWriter`; the server drops it too). Requests without an
    ``Origin`` header skip the CORS middleware (:class:`_CorsWhenOrigin`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.asgi_handler, CORSMiddleware):
            self.asgi_handler = _CorsWhenOrigin(self.asgi_handler)

    async def __call__(
        self, scope: Scope | LifeSpanScope, receive: Receive | LifeSpanReceive, send: Send | LifeSpanSend
    ) -> None:
        if scope["type"] == ScopeType.HTTP and cast("HTTPScope", scope)["method"] == "HEAD":
            routed: Any = {**scope, "method": "GET", HEAD_REQUEST: True}  # uvicorn keeps its own scope: HEAD
            scope = routed
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    engine: AsyncEngine | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> Litestar:
    """The application. ``engine``/``sessionmaker`` let tests run it inside their own transaction."""
    settings = settings or get_settings()
    configure_logging(settings)
    owns_engine = engine is None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db_engine = engine if engine is not None else create_engine(database_url(settings))
        app.state.engine = db_engine
        app.state.sessionmaker = sessionmaker or session_factory(db_engine)
        if sessionmaker is None:
            # The hot read routes' own pool (service.reads); with an injected sessionmaker (tests)
            # they read through its connection instead.
            app.state.reader = PoolReader(
                db_engine.url.render_as_string(hide_password=False), max_size=settings.read_connections_per_worker
            )
            await app.state.reader.warm()
        add_links(app)
        await add_seeded_examples(app, app.state.sessionmaker)
        if owns_engine:
            _freeze_startup_objects()
            warm_extraction()  # in the background: reads are served meanwhile
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
            changes,
            *EXPORT_ROUTES,
            metrics,
        ],
        dependencies={
            "db_session": Provide(provide_db_session),
            "event_query": Provide(provide_event_query),
            "funding_query": Provide(provide_funding_query),
        },
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=middleware,
        cors_config=CORSConfig(
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD", "OPTIONS", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
            expose_headers=["ETag", "Retry-After", "Location"],
        ),
        openapi_config=OpenAPIConfig(
            title="Rivalry API",
            version="1.0.0",
            description=API_DESCRIPTION,
            path="/schema",
            render_plugins=[ScalarRenderPlugin(path="/")],
            servers=[Server(url="/")],
            contact=Contact(name="Rivalry API"),
            license=License(name="MIT", identifier="MIT"),
            use_handler_docstrings=True,
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http", scheme="bearer", description="An API key from `rivalry apikey create`."
                    )
                }
            ),
        ),
        state=State({"settings": settings, "ingest_lock": asyncio.Lock()}),
        request_max_body_size=MAX_BODY_BYTES,
        # structlog (service.logs) owns logging; Litestar's default config would reset the root logger.
        logging_config=None,
        debug=False,
    )
