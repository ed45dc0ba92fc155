"""GET /metrics: Prometheus text format (request counts and latencies per route, process metrics)."""

from __future__ import annotations

from litestar import Response, get
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

# The request metrics themselves are recorded by service.http.edge.


@get(
    "/metrics",
    summary="Prometheus metrics",
    tags=["system"],
    media_type=CONTENT_TYPE_LATEST,
    cache_control=None,
    sync_to_thread=False,
)
def metrics() -> Response[bytes]:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
