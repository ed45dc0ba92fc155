"""Conditional GETs and compression in one ASGI middleware.

The ETag is a hash of the *uncompressed* body, so it is the same whether or not the client
accepts gzip; a matching ``If-None-Match`` answers ``304`` with no body. Bodies are then gzipped
(deterministically, ``mtime=0``) when the client accepts it. Streaming responses (exports) pass
through with chunk-by-chunk compression and no ETag.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Message, Receive, Scope, Send

MIN_COMPRESS_SIZE = 500
_COMPRESSIBLE = (b"application/json", b"application/problem+json", b"text/", b"application/x-ndjson")


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _start(status: int, headers: list[tuple[bytes, bytes]]) -> HTTPResponseStartEvent:
    return {"type": "http.response.start", "status": status, "headers": headers}


def _body(body: bytes, more: bool = False) -> HTTPResponseBodyEvent:
    return {"type": "http.response.body", "body": body, "more_body": more}


def _etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    if if_none_match.strip() == b"*":
        return True
    candidates = [c.strip() for c in if_none_match.split(b",")]
    bare = etag.removeprefix(b"W/")
    return any(c.removeprefix(b"W/") == bare for c in candidates)


class HttpCachingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        accepts_gzip = b"gzip" in (_header(request_headers, b"accept-encoding") or b"").lower()
        if_none_match = _header(request_headers, b"if-none-match")
        conditional = scope.get("method") in ("GET", "HEAD")

        start: dict[str, Any] | None = None
        chunks: list[bytes] = []
        streaming = False
        compressor: Any = None

        async def wrapped_send(message: Message) -> None:
            nonlocal start, streaming, compressor
            if message["type"] == "http.response.start":
                start = dict(message)
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body: bytes = message.get("body", b"")
            more = bool(message.get("more_body", False))
            headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
            content_type = _header(headers, b"content-type") or b""
            compressible = (
                accepts_gzip and content_type.startswith(_COMPRESSIBLE) and not _header(headers, b"content-encoding")
            )
            if streaming or (more and not chunks):
                # A streamed response: compress as it flows, never buffer it.
                if not streaming:
                    streaming = True
                    if compressible:
                        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
                        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                        headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
                    await send(_start(int(start["status"]), headers))
                if compressor is not None:
                    body = compressor.compress(body) + (b"" if more else compressor.flush())
                await send(_body(body, more))
                return
            chunks.append(body)
            if more:
                return
            full = b"".join(chunks)
            status = int(start["status"])
            headers = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"etag")]
            if conditional and status == 200:
                etag = b'W/"' + hashlib.blake2b(full, digest_size=12).hexdigest().encode() + b'"'
                headers.append((b"etag", etag))
                if if_none_match is not None and _etag_matches(if_none_match, etag):
                    kept = (b"etag", b"cache-control", b"vary", b"access-control-allow-origin")
                    not_modified = [(k, v) for k, v in headers if k.lower() in kept]
                    await send(_start(304, not_modified))
                    await send(_body(b""))
                    return
            if compressible and len(full) >= MIN_COMPRESS_SIZE:
                full = gzip.compress(full, compresslevel=6, mtime=0)
                headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
            headers.append((b"content-length", str(len(full)).encode()))
            await send(_start(status, headers))
            await send(_body(full if scope.get("method") != "HEAD" else b""))

        await self.app(scope, receive, wrapped_send)
