"""Everything every HTTP request goes through, in one ASGI middleware with one ``send`` wrapper.

In order: the input guard (400 before any handler runs, for a request target no handler should
see or a query parameter the route does not take), the deadline (503 past it), the handler,
then on the way out conditional GETs and compression (:class:`ResponseWriter`), the Prometheus
metrics and the request log. They used to be five middlewares (plus Litestar's Prometheus one),
each wrapping ``send`` and, for the log, handing every line to a thread: 0.35 ms per request,
a quarter of the time of a cheap route (see ``bench/RESULTS.md``).

The request log is written synchronously: one short JSON line to stderr, as uvicorn writes its
own access log; handing it to a thread cost more than writing it.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import msgspec
import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from prometheus_client import Counter, Gauge, Histogram

from service.http.caching import ResponseWriter
from service.http.guard import bad_request_target, declared_params, unknown_params
from service.http.problems import PROBLEM_BASE, ParamError, Problem, status_of

READ_TIMEOUT = 30.0
WRITE_TIMEOUT = 300.0
_READS = ("GET", "HEAD", "OPTIONS")
_UNMEASURED = ("/metrics",)

# The names, labels and help texts Litestar's Prometheus middleware used, so dashboards built on
# them keep working. Counted per route template (``/api/v1/events/{event_id}``), never per URL.
_LABELS = ("method", "path", "status_code", "app_name")
REQUESTS = Counter("rivalry_requests_total", "Total requests", _LABELS)
ERRORS = Counter("rivalry_requests_error_total", "Total errors in requests", _LABELS)
DURATION = Histogram("rivalry_request_duration_seconds", "Request duration, in seconds", _LABELS)
IN_PROGRESS = Gauge(
    "rivalry_requests_in_progress",
    "Total requests currently in progress",
    ("method", "path", "app_name"),
    multiprocess_mode="livesum",
)
APP_NAME = "rivalry"


class _Series:
    """The labelled children of the request metrics for one (method, route, status), looked up once."""

    __slots__ = ("duration", "errors", "requests")

    def __init__(self, method: str, path: str, status: int) -> None:
        labels = (method, path, str(status), APP_NAME)
        self.requests = REQUESTS.labels(*labels)
        self.duration = DURATION.labels(*labels)
        self.errors = ERRORS.labels(*labels) if status >= 500 else None


def _problem(status: int, kind: str, title: str, detail: str, instance: str, **extra: Any) -> bytes:
    return msgspec.json.encode(
        Problem(type=PROBLEM_BASE + kind, title=title, status=status, detail=detail, instance=instance, **extra)
    )


class _Deadlines:
    """The deadlines of the requests in flight, watched by one timer set for the earliest.

    ``asyncio.timeout`` per request made and cancelled a timer each time and cost 4 % of a list
    request's CPU (``bench/RESULTS.md``, session 7). Requests end in the order of milliseconds and
    their deadlines are 30 s away, so this timer rarely fires; when it does, it cancels the tasks
    past their deadline (as ``asyncio.timeout`` would) and is set again for the next one.
    """

    __slots__ = ("_due", "_expired", "_loop", "_timer", "_timer_at")

    def __init__(self) -> None:
        self._due: dict[asyncio.Task[Any], float] = {}
        self._expired: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    def start(self, task: asyncio.Task[Any], seconds: float) -> None:
        loop = task.get_loop()
        if loop is not self._loop:  # a new event loop (tests run one per call): nothing carries over
            self._due.clear()
            self._expired.clear()
            self._loop, self._timer, self._timer_at = loop, None, math.inf
        due = loop.time() + seconds
        self._due[task] = due
        if due < self._timer_at:
            self._set_timer(loop, due)

    def stop(self, task: asyncio.Task[Any]) -> bool:
        """Forget ``task``'s deadline; True when it was cancelled for passing it (and nothing
        else cancelled it): that cancellation is then taken back, as ``asyncio.timeout`` does."""
        self._due.pop(task, None)
        if task not in self._expired:
            return False
        self._expired.discard(task)
        return task.uncancel() == 0

    def _set_timer(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._timer_at = loop.call_at(when, self._check), when

    def _check(self) -> None:
        loop = self._loop
        assert loop is not None
        self._timer, self._timer_at = None, math.inf
        now = loop.time() + 0.001  # the loop may run a timer up to its clock's resolution early
        following = math.inf
        for task, due in list(self._due.items()):
            if due <= now:
                del self._due[task]
                self._expired.add(task)
                task.cancel()
            elif due < following:
                following = due
        if following < math.inf:
            self._set_timer(loop, following)


class EdgeMiddleware:
    def __init__(
        self, app: ASGIApp, *, read_timeout: float = READ_TIMEOUT, write_timeout: float = WRITE_TIMEOUT
    ) -> None:
        self.app = app
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self._log: Any = None  # bound on the first request (see _logger)
        self._series: dict[tuple[str, str, int], _Series] = {}
        self._in_progress: dict[tuple[str, str], Any] = {}
        self._deadlines = _Deadlines()
        # The query parameters of the route handler behind this instance (Litestar builds one per
        # route and method), found on its first request with a query and kept: each later request
        # with a query costs one set difference, one without none.
        self._declared_for: Any = None
        self._declared: frozenset[bytes] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method: str = scope["method"]
        route: str = scope.get("path_template") or scope["path"]
        measured = route not in _UNMEASURED
        gauge: Any = None
        if measured:
            gauge = self._in_progress.get((method, route))
            if gauge is None:
                gauge = self._in_progress[method, route] = IN_PROGRESS.labels(method, route, APP_NAME)
            gauge.inc()
        response = ResponseWriter(scope, send)
        try:
            error = bad_request_target(scope)
            if error is not None:
                await self._reject(response, scope, [error])
            elif scope.get("query_string") and (unknown := self._unknown_params(scope)):
                await self._reject(response, scope, unknown)
            else:
                await self._handle(scope, receive, response)
        except Exception as exc:
            if not response.started:  # answered further out, by the app's exception handler
                response.status = status_of(exc)
            raise
        finally:
            seconds = time.perf_counter() - started
            status = response.status
            if gauge is not None:
                gauge.inc(-1)
                series = self._series.get((method, route, status))
                if series is None:
                    series = self._series[method, route, status] = _Series(method, route, status)
                series.requests.inc()
                series.duration.observe(seconds)
                if series.errors is not None:
                    series.errors.inc()
            client = scope.get("client")
            (self._log or self._logger()).info(
                "http.request",
                method=method,
                path=scope["path"],
                status=status,
                duration_ms=round(seconds * 1000, 2),
                client=client[0] if client else None,
            )

    def _unknown_params(self, scope: Scope) -> list[ParamError]:
        handler = scope.get("route_handler")
        if handler is not self._declared_for:
            self._declared_for, self._declared = handler, declared_params(scope)
        return unknown_params(scope["query_string"], self._declared) if self._declared is not None else []

    def _logger(self) -> Any:
        """The request logger, bound once with the logging configuration of the first request.
        structlog's lazy proxy (``get_logger``) bound a new logger for every line, 4 % of a list
        request's CPU even when the level drops the line (``bench/RESULTS.md``, session 7)."""
        self._log = structlog.get_logger("service.http").bind()
        return self._log

    async def _handle(self, scope: Scope, receive: Receive, response: ResponseWriter) -> None:
        limit = self.read_timeout if scope.get("method") in _READS else self.write_timeout
        task = asyncio.current_task()
        assert task is not None
        deadlines = self._deadlines
        deadlines.start(task, limit)
        expired = False
        try:
            await self.app(scope, receive, response.send)
        except asyncio.CancelledError:
            expired = deadlines.stop(task)
            if not expired:
                raise
        finally:
            if not expired:
                deadlines.stop(task)
        if not expired:
            return
        if response.started:
            raise TimeoutError(f"the response took longer than {limit:.0f} s")
        body = _problem(
            503, "timeout", "Request timed out", f"The request took longer than {limit:.0f} s and was stopped.",
            scope["path"],
        )  # fmt: skip
        await response.send_direct(503, body, [(b"retry-after", b"5")])

    @staticmethod
    async def _reject(response: ResponseWriter, scope: Scope, errors: list[ParamError]) -> None:
        detail = "; ".join(f"{error.param}: {error.message}" for error in errors)
        body = _problem(400, "invalid-parameters", "Invalid request parameters", detail, scope["path"], errors=errors)
        await response.send_direct(400, body)
