"""Rejects request targets no handler should see: invalid UTF-8, NUL and other control characters.

PostgreSQL cannot store NUL in text, and control characters in a query value are never
meaningful; such requests get a 400 problem naming the parameter before any handler runs.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from service.http.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, ParamError, Problem

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_QUERY_BYTES = 16 * 1024


def _bad_param(query: bytes) -> ParamError | None:
    if len(query) > MAX_QUERY_BYTES:
        return ParamError(param="query", message=f"the query string is over {MAX_QUERY_BYTES} bytes")
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


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            error = _bad_param(scope.get("query_string", b""))
            if error is None:
                raw_path = scope.get("raw_path") or scope.get("path", "").encode()
                try:
                    path = unquote(raw_path.decode("ascii", errors="strict"), errors="strict")
                    if _CONTROL.search(path):
                        error = ParamError(param="path", message="contains control characters")
                except (UnicodeDecodeError, ValueError):
                    error = ParamError(param="path", message="the path is not valid UTF-8")
            if error is not None:
                body = msgspec.json.encode(
                    Problem(
                        type=PROBLEM_BASE + "invalid-parameters",
                        title="Invalid request parameters",
                        status=400,
                        detail=f"{error.param}: {error.message}",
                        instance=scope.get("path", ""),
                        errors=[error],
                    )
                )
                await send(
                    {
                        "type": "http.response.start",
                        "status": 400,
                        "headers": [
                            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
        await self.app(scope, receive, send)
