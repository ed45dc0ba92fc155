"""Request targets no handler should see: invalid UTF-8, NUL and other control characters, and
query parameters the route does not take.

PostgreSQL cannot store NUL in text, and control characters in a query value are never
meaningful; such requests get a 400 problem naming the parameter before any handler runs
(:class:`service.http.edge.EdgeMiddleware` asks :func:`bad_request_target`). So do parameters the
route does not declare (:func:`unknown_params`): ``?organization=openai`` on the events list
would otherwise be ignored, and the client would take every event for OpenAI's.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.types import Scope

from service.http.problems import ParamError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Printable ASCII without "%": nothing in it can decode to a control character or bad UTF-8.
_PLAIN = re.compile(rb"[\x20-\x24\x26-\x7e]*")
MAX_QUERY_BYTES = 16 * 1024


def _bad_param(query: bytes) -> ParamError | None:
    if len(query) > MAX_QUERY_BYTES:
        return ParamError(param="query", message=f"the query string is over {MAX_QUERY_BYTES} bytes")
    if _PLAIN.fullmatch(query):
        return None
    try:
        pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True, errors="strict", encoding="utf-8")
    except (UnicodeDecodeError, ValueError):
        return ParamError(param="query", message="the query string is not valid UTF-8")
    for name, value in pairs:
        if _CONTROL.search(name) or _CONTROL.search(value):
            return ParamError(
                param=name if not _CONTROL.search(name) else "query", message="contains control characters"
            )
    return None


def _bad_path(raw_path: bytes) -> ParamError | None:
    if _PLAIN.fullmatch(raw_path):
        return None
    try:
        path = unquote(raw_path.decode("ascii", errors="strict"), errors="strict")
    except (UnicodeDecodeError, ValueError):
        return ParamError(param="path", message="the path is not valid UTF-8")
    if _CONTROL.search(path):
        return ParamError(param="path", message="contains control characters")
    return None


def bad_request_target(scope: Scope) -> ParamError | None:
    """What is wrong with this request's query string or path, if anything."""
    return _bad_param(scope.get("query_string", b"")) or _bad_path(
        scope.get("raw_path") or scope.get("path", "").encode()
    )


def declared_params(scope: Scope) -> frozenset[bytes] | None:
    """The query parameters the route handler of ``scope`` takes, its own and its dependencies',
    by the names clients send (``from``, ``type``): Litestar's own list, the one it parses the query
    with. None where anything goes: a bare app (no handler), and the routes the OpenAPI document
    leaves out, the docs pages and their assets (a browser's business) and the automatic
    ``OPTIONS`` answers (a preflight carries the query of the request it asks about)."""
    handler: Any = scope.get("route_handler")
    if handler is None or "litestar_app" not in scope or not handler.resolve_include_in_schema():
        return None
    for route in Litestar.from_scope(scope).routes:
        if isinstance(route, HTTPRoute):
            for candidate, model in route.route_handler_map.values():
                if candidate is handler:
                    return frozenset(param.field_alias.encode() for param in model.expected_query_params)
    return None


def unknown_params(query: bytes, declared: frozenset[bytes]) -> list[ParamError]:
    """A 400's errors for the names in ``query`` that are not ``declared``, naming those that are
    (as Stripe does: ``organization: unknown parameter; accepted: cursor, from, …``).

    One split and one set difference; only names that differ are decoded (``%6Frganisation`` is
    ``organisation``), as Litestar decodes them. ``query`` has passed :func:`bad_request_target`."""
    names = {pair.partition(b"=")[0] for pair in query.split(b"&")}
    names.difference_update(declared)
    if not names:
        return []
    unknown = set()
    for name in names:
        decoded = unquote_plus(name.decode("latin-1")) if b"%" in name or b"+" in name else name.decode("latin-1")
        if decoded and decoded.encode() not in declared:  # an empty name (``?=x``, ``?&``) names nothing
            unknown.add(decoded)
    if not unknown:
        return []
    accepted = ", ".join(sorted(name.decode() for name in declared))
    message = f"unknown parameter; accepted: {accepted}" if accepted else "unknown parameter; this route takes none"
    return [ParamError(param=name, message=message) for name in sorted(unknown)]
