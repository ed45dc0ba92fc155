"""Load soak: `rivalry serve` under wrk at 64 connections over list and detail routes.

    python bench/load.py [--seconds 60] [--connections 64]

Seeds seeds/corpus into a scratch database (DATABASE_URL's server, else the embedded PostgreSQL),
starts one worker with the rate limit off, runs wrk (Debian package `wrk`) with a script that
cycles over list and detail URLs, samples the worker's RSS every second, and prints one JSON
object: requests/s, non-2xx count, latency p50/p99, and memory growth between the first and last
10 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LUA = """
local paths = {}
local i = 0
init = function(args)
  for _, p in ipairs(args) do table.insert(paths, p) end
end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], {["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  io.write(string.format("P50 %d\\nP99 %d\\nREQ %d\\nERR %d\\n", latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _paths(base: str) -> list[str]:
    paths = ["/api/v1/documents", "/api/v1/events?limit=50", "/api/v1/organisations?sort=-mention_count",
             "/api/v1/people", "/api/v1/funding?sort=-amount_usd", "/api/v1/rivalries"]  # fmt: skip
    for resource in ("documents", "events", "organisations", "people", "funding", "rivalries"):
        rows = httpx.get(f"{base}/api/v1/{resource}", params={"limit": 3}, timeout=10).json()["data"]
        paths += [f"/api/v1/{resource}/{row['id']}" for row in rows]
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/load.py needs wrk: apt-get install wrk")

    from service import migrate
    from service.ingest.pipeline import run_seed
    from tests.database import fresh_database, server_url

    with server_url() as (server, _), fresh_database(server, "load") as url, tempfile.TemporaryDirectory() as tmp:
        migrate.upgrade(url)
        asyncio.run(run_seed(url, ROOT / "seeds" / "corpus", reset=False, interactive=False))
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "RIVALRY_RATE_LIMIT_PER_MINUTE": "0", "RIVALRY_LOG_LEVEL": "WARNING"}
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            paths = _paths(base)
            script = Path(tmp) / "cycle.lua"
            script.write_text(LUA)
            subprocess.run(["wrk", "-t2", "-c16", "-d5s", "-s", str(script), base, "--", *paths],
                           capture_output=True, check=True)  # warm-up  # fmt: skip
            worker = psutil.Process(process.pid)
            samples: list[float] = []
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    samples.append(worker.memory_info().rss / 2**20)
                    time.sleep(1)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            run = subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s", str(script), base,
                 "--", *paths],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            stop.set()
            sampler.join()
        finally:
            process.terminate()
            process.wait(timeout=30)
    out = run.stdout
    values = {k: int(v) for k, v in re.findall(r"^(P50|P99|REQ|ERR) (\d+)$", out, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    first, last = samples[:10], samples[-10:]
    result = {
        "seconds": args.seconds,
        "connections": args.connections,
        "requests": values.get("REQ"),
        "requests_per_s": float(rps.group(1)) if rps else None,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": values.get("ERR"),
        "latency_p50_ms": values.get("P50", 0) / 1000,
        "latency_p99_ms": values.get("P99", 0) / 1000,
        "worker_rss_mb_first_10s": round(sum(first) / len(first), 1),
        "worker_rss_mb_last_10s": round(sum(last) / len(last), 1),
        "worker_rss_growth": round(sum(last) / len(last) / (sum(first) / len(first)) - 1, 3),
        "distinct_paths": len(paths),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
