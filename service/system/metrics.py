"""GET /metrics: Prometheus text format (request counts and latencies per route, process metrics)."""

from __future__ import annotations

from litestar import Response, get
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

# Counted per route template, not per URL: ids would explode the label set.
METRICS = PrometheusConfig(app_name="rivalry", prefix="rivalry", group_path=True, exclude=["/metrics"])


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
