"""`/metrics` of `rivalry serve --workers 2` counts the requests of both workers, whichever answers
the scrape: they keep their metrics in one directory (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.system.metrics import MULTIPROC_DIR, share_among_workers
from tests.conftest import running_server

REQUESTS = 60


def _health_requests(metrics: str) -> float:
    """``rivalry_requests_total`` of ``GET /health`` answered 200, in a scrape."""
    for family in text_string_to_metric_families(metrics):
        if family.name == "rivalry_requests":
            for sample in family.samples:
                labels = sample.labels
                if (
                    sample.name == "rivalry_requests_total"
                    and labels["path"] == "/health"
                    and labels["method"] == "GET"
                    and labels["status_code"] == "200"
                ):
                    return sample.value
    return 0.0


def test_every_scrape_counts_the_requests_of_every_worker(seeded_url: str, tmp_path: Path) -> None:
    with running_server(seeded_url, tmp_path / "serve.log", RIVALRY_WORKERS="2") as base:

        def request(_: int) -> int:
            # A connection of its own each time, so that both workers take some of them.
            return httpx.get(f"{base}/health", timeout=30).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(request, range(REQUESTS))) == [200] * REQUESTS
        scrapes = []
        for _ in range(4):  # on new connections too: any worker may answer each
            response = httpx.get(f"{base}/metrics", timeout=30)
            assert response.status_code == 200
            assert response.headers["content-type"].count("charset=") == 1
            scrapes.append(_health_requests(response.text))
    assert scrapes == [REQUESTS] * 4


def test_the_workers_directory_is_a_new_one_or_the_operator_s_emptied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROC_DIR, raising=False)
    share_among_workers(1)
    assert MULTIPROC_DIR not in os.environ  # one worker: its own registry
    share_among_workers(2)
    made = Path(os.environ[MULTIPROC_DIR])
    assert made.is_dir()
    assert not list(made.iterdir())

    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_12345.db").write_bytes(b"a previous run's counts")
    (given / "notes.txt").write_text("not prometheus_client's")
    monkeypatch.setenv(MULTIPROC_DIR, str(given))
    share_among_workers(2)
    assert os.environ[MULTIPROC_DIR] == str(given)
    assert sorted(p.name for p in given.iterdir()) == ["notes.txt"]
