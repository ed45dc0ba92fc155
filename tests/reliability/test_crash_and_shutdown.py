"""A seed killed with SIGKILL midway completes on the next run with exactly what one clean run
produces; SIGTERM lets in-flight requests finish and the server exits 0."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.corpus import generate
from tests.conftest import ROOT, _free_port
from tests.database import fresh_database
from tests.ingest.test_seed import STALE_RIVALRIES, _rows, _snapshot

ARTICLES = 90


def _seed(url: str, corpus: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "seed", "--corpus", str(corpus)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "RIVALRY_LOG_LEVEL": "ERROR"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_seed_killed_midway_completes_to_the_same_result(pg_server: str, tmp_path: Path) -> None:
    corpus = generate(ARTICLES, tmp_path / "corpus")
    with fresh_database(pg_server, "clean") as clean_url, fresh_database(pg_server, "crash") as crash_url:
        assert _seed(clean_url, corpus).wait(timeout=600) == 0
        expected = _snapshot(clean_url)
        # Several batches, loaded with the extraction worker: rivalry counts kept per batch are exact.
        assert asyncio.run(_rows(clean_url, STALE_RIVALRIES)) == []

        victim = _seed(crash_url, corpus)
        deadline = time.monotonic() + 300
        loaded = 0
        while loaded < ARTICLES // 3 and time.monotonic() < deadline and victim.poll() is None:
            time.sleep(0.2)
            try:
                loaded = int(asyncio.run(_rows(crash_url, "SELECT count(*) FROM documents"))[0][0])  # type: ignore[arg-type]
            except Exception:  # the schema may not exist yet
                loaded = 0
        assert victim.poll() is None, "the seed finished before it could be killed"
        workers = _children(victim.pid)
        assert workers, "the seed should be extracting in a worker process"
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        # The extraction worker does not outlive the seed (it would hold the model's memory).
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)
        partial = int(asyncio.run(_rows(crash_url, "SELECT count(*) FROM documents"))[0][0])  # type: ignore[arg-type]
        assert 0 < partial < ARTICLES

        assert _seed(crash_url, corpus).wait(timeout=600) == 0
        assert _snapshot(crash_url) == expected
        assert asyncio.run(_rows(crash_url, STALE_RIVALRIES)) == []
        orphans = asyncio.run(
            _rows(
                crash_url,
                "SELECT count(*) FROM citations c LEFT JOIN documents d ON d.id = c.document_id WHERE d.id IS NULL",
            )
        )
        assert orphans == [(0,)]
        runs = asyncio.run(_rows(crash_url, "SELECT status, errors::text FROM ingestion_runs ORDER BY id"))
        assert [status for status, _ in runs] == ["failed", "completed"]
        assert "interrupted" in str(runs[0][1])


def test_sigterm_lets_in_flight_requests_finish(seeded_url: str, tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": seeded_url,
            "RIVALRY_RATE_LIMIT_PER_MINUTE": "0",
            "RIVALRY_LOG_LEVEL": "ERROR",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)

    async def in_flight_then_sigterm() -> list[tuple[int, int]]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            streams = [client.stream("GET", "/api/v1/export/events.ndjson") for _ in range(8)]
            responses = [await stream.__aenter__() for stream in streams]  # headers received: in flight
            process.send_signal(signal.SIGTERM)
            results = []
            for stream, response in zip(streams, responses, strict=True):
                body = await response.aread()
                results.append((response.status_code, len(body.splitlines())))
                await stream.__aexit__(None, None, None)
            return results

    results = asyncio.run(in_flight_then_sigterm())
    assert process.wait(timeout=30) == 0
    assert all(status == 200 for status, _ in results)
    assert len({lines for _, lines in results}) == 1 and results[0][1] > 0
