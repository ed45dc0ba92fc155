"""Request targets no handler should see: invalid UTF-8, NUL and other control characters.

PostgreSQL cannot store NUL in text, and control characters in a query value are never
meaningful; such requests get a 400 problem naming the parameter before any handler runs
(:class:`service.http.edge.EdgeMiddleware` asks :func:`bad_request_target`).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote

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
