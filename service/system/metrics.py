"""GET /metrics: Prometheus text format (request counts and latencies per route, process metrics).

With several worker processes (``rivalry serve --workers N``), each request is answered by one of
them, and each kept its own counters: successive scrapes jumped between the workers' numbers. The
workers then write their metrics to files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's
multiprocess mode, set up by :func:`share_among_workers` before they start) and any of them
answers with the sum of all. The process metrics (CPU, memory, open files, garbage collections)
belong to one process and have no such sum: they are left out then.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from litestar import Response, get
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from service.http.problems import problem_responses

# The request metrics themselves are recorded by service.http.edge.

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Litestar adds "; charset=utf-8" to a text/ media type itself; prometheus_client's names it
# already, and the response said it twice.
MEDIA_TYPE = "; ".join(part for part in CONTENT_TYPE_LATEST.split("; ") if not part.startswith("charset="))


def _registry() -> CollectorRegistry:
    """The workers' metrics summed when they write them to files, else this process's own. Read
    once, at import: prometheus_client picks where metrics are kept when it is imported, too."""
    if not os.environ.get(MULTIPROC_DIR):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated
    return registry


_REGISTRY = _registry()


@get(
    "/metrics",
    summary="Prometheus metrics",
    tags=["system"],
    media_type=MEDIA_TYPE,
    cache_control=None,
    sync_to_thread=False,
    responses=problem_responses(),
)
def metrics() -> Response[bytes]:
    return Response(generate_latest(_REGISTRY), media_type=MEDIA_TYPE)


def share_among_workers(workers: int) -> None:
    """With several workers, have them keep their metrics in a directory they share, and that
    nothing else writes to, for the whole of the server's run (called before they start: they
    inherit the environment, and prometheus_client reads it when they import it).

    ``PROMETHEUS_MULTIPROC_DIR`` is the operator's if set, emptied first (prometheus_client would
    otherwise add a previous run's counts to this one's), else a new temporary directory, removed
    when the server exits.
    """
    if workers <= 1:
        return
    given = os.environ.get(MULTIPROC_DIR)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
    else:
        directory = Path(tempfile.mkdtemp(prefix="rivalry-metrics-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
    os.environ[MULTIPROC_DIR] = str(directory)
