"""The edge middleware on bare ASGI apps: guard, deadline, ETags, metrics and the request log in one layer."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
import structlog
from litestar.types import Message, Receive, Scope, Send

from service.http.caching import etag_of, etag_of_items
from service.http.edge import DURATION, REQUESTS, EdgeMiddleware


def _scope(path: str = "/api/v1/things/1", query: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None) -> Any:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode("latin-1"),
        "path_template": "/api/v1/things/{thing_id}",
        "query_string": query,
        "headers": headers or [],
        "client": ("127.0.0.1", 5000),
    }


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    body = json.dumps({"id": "1", "name": "thing"}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _call(app: Any, scope: Any) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return int(start["status"]), dict(start["headers"]), body


def test_control_characters_and_bad_utf8_are_refused_before_the_app() -> None:
    called: list[bool] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        called.append(True)
        await _ok(scope, receive, send)

    edge = EdgeMiddleware(app)
    status, headers, body = asyncio.run(_call(edge, _scope(query=b"q=a%00b")))
    assert status == 400
    assert headers[b"content-type"] == b"application/problem+json"
    problem = json.loads(body)
    assert problem["errors"] == [{"param": "q", "message": "contains control characters"}]
    status, _, body = asyncio.run(_call(edge, _scope(query=b"q=%ff")))
    assert (status, json.loads(body)["errors"][0]["param"]) == (400, "query")
    status, _, body = asyncio.run(_call(edge, _scope(path="/api/v1/things/%ff")))
    assert (status, json.loads(body)["errors"][0]["param"]) == (400, "path")
    assert called == []
    # Percent-escapes of ordinary UTF-8 and "+" pass.
    status, _, _ = asyncio.run(_call(edge, _scope(query=b"q=f%C3%A9e+x&limit=5")))
    assert status == 200 and called == [True]


def test_a_request_past_its_deadline_is_answered_503_with_retry_after() -> None:
    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(5)

    status, headers, body = asyncio.run(_call(EdgeMiddleware(slow, read_timeout=0.05), _scope()))
    assert status == 503
    assert headers[b"retry-after"] == b"5"
    assert json.loads(body)["type"].endswith("/timeout")


def test_deadlines_stop_only_the_requests_past_theirs() -> None:
    """One timer watches every request in flight: a fast request is untouched, slow ones started at
    different times each get their 503, and a request that ended in time is never cancelled later."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(float(scope["query_string"] or b"0"))
        await _ok(scope, receive, send)

    async def scenario() -> tuple[list[int], float]:
        edge = EdgeMiddleware(app, read_timeout=0.2)
        loop = asyncio.get_running_loop()
        started = loop.time()
        first = asyncio.create_task(_call(edge, _scope(query=b"5")))
        await asyncio.sleep(0.1)
        fast = asyncio.create_task(_call(edge, _scope(query=b"0.01")))
        second = asyncio.create_task(_call(edge, _scope(query=b"5")))
        results = await asyncio.gather(first, fast, second)
        elapsed = loop.time() - started

        async def survives() -> bool:
            await _call(edge, _scope(query=b"0"))
            await asyncio.sleep(0.4)  # past the deadline the request had: nothing cancels it now
            return True

        assert await survives()
        return [status for status, _, _ in results], elapsed

    statuses, elapsed = asyncio.run(scenario())
    assert statuses == [503, 200, 503]
    assert elapsed < 1.0  # the second slow request timed out on its own deadline, not at the end of its sleep


def test_a_request_cancelled_from_outside_is_not_turned_into_a_503() -> None:
    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(5)

    async def scenario() -> str:
        task = asyncio.create_task(_call(EdgeMiddleware(slow, read_timeout=10), _scope()))
        await asyncio.sleep(0.05)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        return "answered"

    assert asyncio.run(scenario()) == "cancelled"


def test_etag_then_304_and_gzip_for_clients_that_accept_it() -> None:
    edge = EdgeMiddleware(_ok)
    status, headers, body = asyncio.run(_call(edge, _scope()))
    assert status == 200 and json.loads(body)["id"] == "1"
    etag = headers[b"etag"]
    status, headers, body = asyncio.run(_call(edge, _scope(headers=[(b"if-none-match", etag)])))
    assert (status, body, headers[b"etag"]) == (304, b"", etag)


def test_the_etag_tells_apart_bodies_of_the_same_length() -> None:
    bodies = [b'{"id":"1","name":"OpenAI"}', b'{"id":"2","name":"OpenAI"}', b'{"id":"1","name":"OpenAl"}']
    tags = {etag_of(body) for body in bodies}
    assert len(tags) == 3
    assert all(tag.startswith(b'W/"') and tag.endswith(b'"') for tag in tags)
    assert etag_of(b"x" + bodies[0]) != etag_of(bodies[0])  # the length is part of it


def test_an_etag_the_app_set_is_kept_and_answers_conditional_gets() -> None:
    async def tagged(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"etag", b'W/"2a-0000beef"')]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"data":[],"meta":{}}', "more_body": False})

    edge = EdgeMiddleware(tagged)
    status, headers, _ = asyncio.run(_call(edge, _scope()))
    assert (status, headers[b"etag"]) == (200, b'W/"2a-0000beef"')
    status, headers, body = asyncio.run(_call(edge, _scope(headers=[(b"if-none-match", b'"2a-0000beef"')])))
    assert (status, body, headers[b"etag"]) == (304, b"", b'W/"2a-0000beef"')


def test_a_list_page_s_etag_changes_with_any_item_hash_their_order_or_the_rest() -> None:
    hashes = [-4823584971619798398, 6967146772167592544, 17]
    base = etag_of_items(1000, hashes, b'{"limit":3,"next_cursor":"abc"}')
    variants = [
        etag_of_items(1000, [hashes[0], hashes[1], 18], b'{"limit":3,"next_cursor":"abc"}'),  # an item changed
        etag_of_items(1000, [hashes[1], hashes[0], 17], b'{"limit":3,"next_cursor":"abc"}'),  # reordered
        etag_of_items(1000, hashes[:2], b'{"limit":3,"next_cursor":"abc"}'),  # one fewer
        etag_of_items(1000, hashes, b'{"limit":3,"next_cursor":"abd"}'),  # the meta changed
        etag_of_items(1001, hashes, b'{"limit":3,"next_cursor":"abc"}'),  # the length
    ]
    assert len({base, *variants}) == 6
    assert base == etag_of_items(1000, list(hashes), b'{"limit":3,"next_cursor":"abc"}')
    assert base.startswith(b'W/"3e8-') and base.endswith(b'"')


def _count(status: str) -> float:
    value = REQUESTS.labels("GET", "/api/v1/things/{thing_id}", status, "rivalry")._value.get()
    return float(value)


def test_metrics_by_route_template_and_one_log_line_per_request() -> None:
    edge = EdgeMiddleware(_ok)
    before_ok, before_bad = _count("200"), _count("400")
    configured = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    try:
        with structlog.testing.capture_logs() as logs:
            asyncio.run(_call(edge, _scope(path="/api/v1/things/1")))
            asyncio.run(_call(edge, _scope(path="/api/v1/things/2")))
            asyncio.run(_call(edge, _scope(query=b"q=%00")))
    finally:
        structlog.configure(**configured)
    assert _count("200") == before_ok + 2
    assert _count("400") == before_bad + 1
    samples = {s.name: s.value for s in DURATION.collect()[0].samples if s.labels.get("status_code") == "200"}
    assert samples["rivalry_request_duration_seconds_count"] >= 2
    requests = [entry for entry in logs if entry["event"] == "http.request"]
    assert [(r["path"], r["status"]) for r in requests] == [
        ("/api/v1/things/1", 200),
        ("/api/v1/things/2", 200),
        ("/api/v1/things/1", 400),
    ]
    assert all(r["duration_ms"] >= 0 and r["client"] == "127.0.0.1" for r in requests)


def test_errors_answered_further_out_are_logged_and_counted_with_their_status() -> None:
    """A 429 of the rate limiter, a client gone in the middle of its body and a database outage
    pass through the edge as exceptions: the log and the metrics say 429, 499 and 503, not 500."""
    import asyncpg
    from litestar.exceptions import InternalServerException, TooManyRequestsException

    def raising(exc: Exception) -> Any:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            raise exc

        return app

    cases = [
        (TooManyRequestsException(), "429"),
        (InternalServerException("client disconnected prematurely"), "499"),
        (asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"), "503"),
        (RuntimeError("a bug"), "500"),
    ]
    for exc, status in cases:
        before = _count(status)
        with pytest.raises(type(exc)):
            asyncio.run(_call(EdgeMiddleware(raising(exc)), _scope()))
        assert _count(status) == before + 1, status
