"""RFC 9457 problem details: the domain errors routes raise, and the one place they become HTTP.

Every error response of the API is ``application/problem+json`` with ``type, title, status,
detail, instance`` and, for invalid input, ``errors: [{param, message}]``. Nothing internal
(stack traces, SQL) ever reaches the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import Any, Literal, get_args, get_origin

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

log = structlog.get_logger("service.http")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://rivalry.dev/problems/"
# A database that cannot serve: seconds to wait before retrying, and what the 503 says happened.
OUTAGE_RETRY_AFTER = "5"
TIMED_OUT = "Timed out waiting for the database (a lock or a busy server); retry shortly."
NO_CONNECTION_SLOTS = "The database has no free connection slots (too many clients); retry shortly."
UNREACHABLE = "The database is unreachable; retry shortly."


class ParamError(msgspec.Struct, frozen=True):
    param: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem details object."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ParamError] | None = None


class ProblemError(Exception):
    """Base of the errors a route may raise; :func:`problem_response` turns it into HTTP."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[ParamError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})


class InvalidParameters(ProblemError):
    status = 400
    slug = "invalid-parameters"
    title = "Invalid request parameters"

    def __init__(self, errors: Sequence[ParamError], detail: str | None = None) -> None:
        summary = "; ".join(f"{e.param}: {e.message}" for e in errors)
        super().__init__(detail or summary, errors=errors)


def invalid(param: str, message: str) -> InvalidParameters:
    return InvalidParameters([ParamError(param=param, message=message)])


class InvalidCursor(InvalidParameters):
    slug = "invalid-cursor"
    title = "Invalid cursor"

    def __init__(self, message: str = "cursor is malformed, tampered with, or belongs to another query") -> None:
        super().__init__([ParamError(param="cursor", message=message)])


class NotFound(ProblemError):
    status = 404
    slug = "not-found"
    title = "Not found"


class ServiceUnavailable(ProblemError):
    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"


def _problem(
    request: Request[Any, Any, Any],
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: Sequence[ParamError] = (),
    headers: Mapping[str, str] | None = None,
) -> Response[Problem]:
    body = Problem(
        type=PROBLEM_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=list(errors) or None,
    )
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {}))


def _parameters(request: Request[Any, Any, Any]) -> Iterator[tuple[str, Any]]:
    """(argument name, Litestar's field definition) of the handler's parameters and of the
    dependencies that parse its query (``event_query``, ``funding_query``)."""
    try:
        handler = request.route_handler
        signatures = [handler.parsed_fn_signature]
        signatures += [
            provider.parsed_fn_signature
            for provider in handler.resolve_dependencies().values()
            if getattr(provider, "parsed_fn_signature", None) is not None
        ]
    except Exception:  # no handler resolved (routing errors)
        return
    for signature in signatures:
        yield from signature.parameters.items()


def _public_names(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Argument name → the parameter name clients send (``type_`` → ``type``, ``date_from`` → ``from``)."""
    names: dict[str, str] = {}
    for arg, field in _parameters(request):
        alias = getattr(getattr(field, "kwarg_definition", None), "name", None)
        if alias:
            names[arg] = alias
    return names


def _literal_values(annotation: Any) -> list[Any]:
    """The values a ``Literal`` type allows, found inside ``list[...]``, ``| None`` and ``Annotated``."""
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    return [value for arg in get_args(annotation) for value in _literal_values(arg)]


def _choices(request: Request[Any, Any, Any], param: str) -> list[Any]:
    """The values parameter ``param`` (as clients name it) accepts, when its type lists them."""
    aliases = _public_names(request)
    for arg, field in _parameters(request):
        if aliases.get(arg, arg) == param:
            return _literal_values(getattr(field, "annotation", None))
    return []


_BODY_FIELD = re.compile(r"`\$\.(\w+)|field `(\w+)`")
_MISSING = re.compile(r"Missing required (?:\w+ )?parameter '?([^' ]+)'?")
_BAD_ENUM = "Invalid enum value"


def _validation_errors(request: Request[Any, Any, Any], exc: ValidationException) -> list[ParamError]:
    errors: list[ParamError] = []
    missing = _MISSING.search(str(exc.detail or ""))
    if missing:
        return [ParamError(param=missing.group(1), message="is required")]
    extra = exc.extra if isinstance(exc.extra, list) else []
    aliases = _public_names(request)
    for item in extra:
        if isinstance(item, Mapping):
            param = str(item.get("key") or item.get("source") or "body")
            param = aliases.get(param, param)
            if param == "data":
                # A body problem: name the field msgspec points at ("… at `$.text`", "field `text`").
                field = _BODY_FIELD.search(str(item.get("message") or ""))
                param = (field.group(1) or field.group(2)) if field else "body"
            message = str(item.get("message") or "invalid value")
            if message.startswith(_BAD_ENUM) and (choices := _choices(request, param)):
                # "sort: Invalid enum value 'name'; accepted: occurred_on, -occurred_on, -source_count"
                message = f"{message}; accepted: {', '.join(map(str, choices))}"
            errors.append(ParamError(param=param, message=message))
    return errors


# nginx's status for a request whose client went away before the answer: nobody reads the answer,
# and the logs and metrics must not count it as the server's error.
CLIENT_CLOSED = 499


def _client_closed(exc: BaseException) -> bool:
    # Litestar reports a client gone in the middle of its body as this 500.
    return isinstance(exc, HTTPException) and exc.status_code == 500 and exc.detail == "client disconnected prematurely"


def status_of(exc: BaseException) -> int:
    """The status :func:`problem_response` answers ``exc`` with, for the request log and metrics of
    a request whose error was answered outside them (the rate limiter's 429, for one)."""
    if isinstance(exc, ProblemError):
        return exc.status
    if isinstance(exc, ValidationException):
        return 400
    if _client_closed(exc):
        return CLIENT_CLOSED
    if isinstance(exc, HTTPException):
        return exc.status_code
    return 503 if database_outage(exc) is not None else 500


def problem_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """Map any exception raised while handling ``request`` to a problem details response."""
    if _client_closed(exc):
        return _problem(request, CLIENT_CLOSED, "client-closed", "Client closed request", "The client went away.")
    if isinstance(exc, ProblemError):
        headers = exc.headers
        query = request.scope.get("query_string")
        if 300 <= exc.status < 400 and query and "Location" in headers:
            # A merged id's 308 sends the client to the same request of the canonical id, filters
            # and page included: `/organisations/old/events?type=lawsuit` → `/organisations/new/events?type=lawsuit`.
            headers = {**headers, "Location": f"{headers['Location']}?{query.decode('latin-1')}"}
        return _problem(request, exc.status, exc.slug, exc.title, exc.detail, exc.errors, headers)
    if isinstance(exc, ValidationException):
        errors = _validation_errors(request, exc)
        detail = "; ".join(f"{e.param}: {e.message}" for e in errors) or "the request is invalid"
        return _problem(request, 400, "invalid-parameters", "Invalid request parameters", detail, errors)
    if isinstance(exc, HTTPException):
        status = exc.status_code
        headers = dict(exc.headers or {})
        if status == 429:
            # RFC 9110: tell the client when to come back (the rate limiter's window reset).
            headers.setdefault("Retry-After", headers.get("RateLimit-Reset", "60"))
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        slug = phrase.lower().replace(" ", "-")
        detail = exc.detail if exc.detail and exc.detail != phrase else f"{phrase}."
        if status >= 500:
            detail = f"{phrase}."
        return _problem(request, status, slug, phrase, detail, headers=headers)
    problem = error_problem(exc, request.url.path)
    retry = {"Retry-After": OUTAGE_RETRY_AFTER} if problem.status == 503 else None
    return Response(problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=retry)


def error_problem(exc: BaseException, instance: str) -> Problem:
    """The problem for an error no route mapped: a ``503`` when the database cannot serve (see
    :func:`database_outage`), else a ``500`` with nothing of the error in it (which is logged).
    Also what a stream already under way ends with (``service.exports``)."""
    detail = database_outage(exc)
    if detail is not None:
        log.warning("http.database_unavailable", path=instance, error=exc.__class__.__name__, detail=detail)
        return Problem(
            type=PROBLEM_BASE + "service-unavailable",
            title="Service unavailable",
            status=503,
            detail=detail,
            instance=instance,
        )
    log.exception("http.unhandled_error", path=instance, exc_info=exc)
    return Problem(
        type=PROBLEM_BASE + "internal-error",
        title="Internal server error",
        status=500,
        detail="An unexpected error occurred.",
        instance=instance,
    )


def database_outage(exc: BaseException) -> str | None:
    """What keeps the database from serving, as the detail of a ``503``; None for any other error
    (a bug in a query is a ``500``).

    The error's whole chain of causes is read, since SQLAlchemy and the read path
    (``service.reads``) wrap asyncpg's errors in their own. A cause that names the reason wins over
    the wrappers: a statement or lock wait cancelled by ``statement_timeout`` (57014) or
    ``lock_timeout`` (55P03), or no connection free in time, is a wait that timed out; a refused
    connection with every slot taken (53300) is a database full of clients; anything else is an
    unreachable database.
    """
    import asyncpg
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from service.db import DatabaseBusy, DatabaseUnavailable

    timed_out: tuple[type[BaseException], ...] = (
        DatabaseBusy,
        PoolTimeout,
        asyncpg.exceptions.QueryCanceledError,
        asyncpg.exceptions.LockNotAvailableError,
    )
    unreachable: tuple[type[BaseException], ...] = (
        DatabaseUnavailable,
        OperationalError,
        InterfaceError,
        OSError,  # ConnectionError and TimeoutError (a connection attempt's, or a silent server's) among them
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.ConnectionDoesNotExistError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.InterfaceError,
    )
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(link, timed_out) for link in chain):
        return TIMED_OUT
    if any(isinstance(link, asyncpg.exceptions.TooManyConnectionsError) for link in chain):
        return NO_CONNECTION_SLOTS
    if any(
        isinstance(link, unreachable) or (isinstance(link, DBAPIError) and link.connection_invalidated)
        for link in chain
    ):
        return UNREACHABLE
    return None


ExceptionHandler = Callable[[Request[Any, Any, Any], Exception], Response[Problem]]
EXCEPTION_HANDLERS: dict[type[Exception] | int, ExceptionHandler] = {Exception: problem_response}


# What each problem response of the document means, and an answer the server gives with it.
_RESPONSES: dict[int, tuple[str, Problem]] = {
    308: (
        "A merged or renamed id: the canonical resource is at `Location`, the query string kept.",
        Problem(
            type=PROBLEM_BASE + "moved-permanently",
            title="Permanent redirect",
            status=308,
            detail="'open-ai' is now 'openai'.",
            instance="/api/v1/organisations/open-ai",
        ),
    ),
    400: (
        "Invalid parameters, each listed in `errors`: a value outside its type, bounds or pattern, a query"
        " parameter the route does not take, a cursor altered or reused with other filters, control"
        " characters or invalid UTF-8 in the path or query.",
        Problem(
            type=PROBLEM_BASE + "invalid-parameters",
            title="Invalid request parameters",
            status=400,
            detail="limit: Expected `int` <= 200",
            instance="/api/v1/events",
            errors=[ParamError(param="limit", message="Expected `int` <= 200")],
        ),
    ),
    401: (
        "Missing or unknown API key; `WWW-Authenticate` says how to send one.",
        Problem(
            type=PROBLEM_BASE + "unauthorized",
            title="Unauthorized",
            status=401,
            detail="This route needs an API key: send `Authorization: Bearer <key>`.",
            instance="/api/v1/documents",
        ),
    ),
    404: (
        "No such resource.",
        Problem(
            type=PROBLEM_BASE + "not-found",
            title="Not found",
            status=404,
            detail="No organisation with id 'nope'.",
            instance="/api/v1/organisations/nope",
        ),
    ),
    413: (
        "Request body over 10 MiB.",
        Problem(
            type=PROBLEM_BASE + "request-entity-too-large",
            title="Request Entity Too Large",
            status=413,
            detail="Request Entity Too Large.",
            instance="/api/v1/documents",
        ),
    ),
    414: (
        "Request target (path and query) over 16 KiB, refused before it is read; the connection is closed.",
        Problem(
            type=PROBLEM_BASE + "request-uri-too-long",
            title="Request-URI Too Long",
            status=414,
            detail="The request target is longer than 16384 bytes.",
            instance="",
        ),
    ),
    429: (
        "Rate limit exceeded, or too many wrong API keys from this client; see `Retry-After`.",
        Problem(
            type=PROBLEM_BASE + "too-many-requests",
            title="Too Many Requests",
            status=429,
            detail="Too Many Requests.",
            instance="/api/v1/events",
        ),
    ),
    503: (
        "The database is unavailable: unreachable, out of connection slots, or too slow to answer"
        " (`detail` says which); retry after `Retry-After` seconds.",
        Problem(
            type=PROBLEM_BASE + "service-unavailable",
            title="Service unavailable",
            status=503,
            detail=UNREACHABLE,
            instance="/api/v1/events",
        ),
    ),
}


def problem_responses(*statuses: int) -> dict[int, Any]:
    """OpenAPI descriptions of the problem responses a route can give, each with an example."""
    from litestar.openapi.datastructures import ResponseSpec
    from litestar.openapi.spec import Example

    # Any route answers 400 to a request target with control characters or invalid UTF-8, and 414
    # to one the server refuses to read (service.server; 431 and 408 concern headers and timing,
    # not what a client builds from this document).
    responses: dict[int, Any] = {}
    for status in sorted({400, 414, *statuses}):
        description, example = _RESPONSES[status]
        responses[status] = ResponseSpec(
            data_container=Problem,
            description=description,
            media_type=PROBLEM_MEDIA_TYPE,
            # Litestar would make up an example from the types (`"status": 2562`); this one is real.
            generate_examples=False,
            examples=[Example(summary=example.title, value=msgspec.to_builtins(example))],
        )
    return responses
