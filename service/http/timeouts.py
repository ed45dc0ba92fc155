"""A deadline per request, so one slow request (or client) cannot hold a worker indefinitely.

Reads get ``READ_TIMEOUT`` seconds, writes ``WRITE_TIMEOUT`` (ingesting a long article runs the
NLP pipeline). Past it the request is cancelled and answered 503 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.http.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, Problem

READ_TIMEOUT = 30.0
WRITE_TIMEOUT = 300.0


class RequestTimeoutMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        limit = READ_TIMEOUT if scope.get("method") in ("GET", "HEAD", "OPTIONS") else WRITE_TIMEOUT
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(limit):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if started:
                raise
            body = msgspec.json.encode(
                Problem(
                    type=PROBLEM_BASE + "timeout",
                    title="Request timed out",
                    status=503,
                    detail=f"The request took longer than {limit:.0f} s and was stopped.",
                    instance=scope.get("path", ""),
                )
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", b"5"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body, "more_body": False})
