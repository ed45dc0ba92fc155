"""With no DATABASE_URL, the embedded PostgreSQL starts from nothing, is reused while it runs, and
is stopped by whoever started it: `rivalry up` and `serve` when they stop, however they are stopped;
the one-shot commands leave it as they found it; `rivalry db stop` on demand."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from service.db import start_embedded
from service.settings import load_settings
from tests.conftest import ROOT, _free_port
from tests.database import _stop_embedded


async def _select_one(url: str) -> object:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetchval("SELECT 1")
    finally:
        await conn.close()


def _env(data: Path, **more: str) -> dict[str, str]:
    """A clean environment without DATABASE_URL: the commands use the embedded PostgreSQL in ``data``."""
    return {
        "RIVALRY_DATA_DIR": str(data),
        "PATH": "/usr/bin:/bin",
        "RIVALRY_LOG_LEVEL": "ERROR",
        "PYTHONFAULTHANDLER": "1",  # a crash prints where it happened
        **more,
    }


def _rivalry(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )


def _postgres_processes(pgdata: Path) -> list[int]:
    """Live processes of a PostgreSQL server on ``pgdata`` (its postmaster names it on its command line)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if state != "Z" and argv and argv[0].endswith(b"postgres") and str(pgdata).encode() in argv:
            found.append(int(proc.name))
    return found


def _running(pgdata: Path) -> bool:
    processes = _postgres_processes(pgdata)
    assert bool(processes) == (pgdata / "postmaster.pid").exists(), processes
    return bool(processes)


@pytest.fixture
def data() -> Iterator[Path]:
    # Not under pytest's tmp_path: each pytest run closes its base directory to other users again,
    # and as root the embedded PostgreSQL runs as pgserver's own user, which must reach its data.
    with tempfile.TemporaryDirectory(prefix="rivalry-test-") as tmp:
        data = Path(tmp) / "data"
        try:
            yield data
        finally:
            # Whatever a failing test left behind: never an orphan from the suite itself.
            _stop_embedded(data / "postgres")


def test_embedded_database_starts_from_an_empty_directory_and_is_reused(data: Path) -> None:
    settings = load_settings({"RIVALRY_DATA_DIR": str(data)})
    url = start_embedded(settings)
    assert (data / "postgres" / "PG_VERSION").is_file()
    assert asyncio.run(_select_one(url)) == 1
    # Another process (another `rivalry` command) gets the same server.
    again = _rivalry(data, "db", "url")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == url.replace("postgresql+asyncpg://", "postgresql://")


def test_one_shot_commands_leave_the_embedded_database_as_they_found_it(data: Path) -> None:
    pgdata = data / "postgres"
    migrated = _rivalry(data, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert not _running(pgdata)  # started for the migration, stopped after it

    # `db url` hands the URL to other tools, so it leaves the server running for them.
    assert _rivalry(data, "db", "url").returncode == 0
    assert _running(pgdata)
    assert _rivalry(data, "apikey", "list").returncode == 0
    assert _running(pgdata)  # found running, left running

    stopped = _rivalry(data, "db", "stop")
    assert (stopped.returncode, stopped.stderr) == (0, "")
    assert stopped.stdout == f"rivalry: stopped the embedded PostgreSQL in {pgdata}\n"
    assert not _running(pgdata)
    again = _rivalry(data, "db", "stop")
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout == f"rivalry: the embedded PostgreSQL in {pgdata} is not running\n"


def _up(data: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "up"],
        env=_env(data, RIVALRY_PORT=str(port), RIVALRY_RATE_LIMIT_PER_MINUTE="0"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_line(process: subprocess.Popen[str], start: str) -> list[str]:
    """The lines ``process`` printed, up to the first that begins with ``start``."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith(start):
            return lines
    raise AssertionError(f"the process ended without printing {start!r}: {lines}")


def _ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/ready", timeout=10) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def test_ctrl_c_on_up_stops_the_embedded_database_with_the_server(data: Path) -> None:
    port = _free_port()
    up = _up(data, port)
    try:
        _wait_for_line(up, "rivalry: API on ")  # migrated and seeded: the server is starting
        while not _ready(f"http://127.0.0.1:{port}"):
            assert up.poll() is None, up.stderr.read() if up.stderr else ""
            time.sleep(0.2)
        pgdata = data / "postgres"
        assert _running(pgdata)
        up.send_signal(signal.SIGINT)
        out, err = up.communicate(timeout=120)
    finally:
        if up.poll() is None:
            up.kill()
    assert up.returncode == 0, err
    assert "rivalry: stopped the embedded PostgreSQL" in out
    assert "Traceback" not in err
    assert not _running(pgdata)


def test_sigterm_on_up_while_it_seeds_stops_the_embedded_database(data: Path) -> None:
    up = _up(data, _free_port())
    try:
        _wait_for_line(up, "rivalry: seeding ")
        pgdata = data / "postgres"
        assert _running(pgdata)
        up.send_signal(signal.SIGTERM)
        _, err = up.communicate(timeout=300)
    finally:
        if up.poll() is None:
            up.kill()
    assert up.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert not _running(pgdata)


def test_db_stop_without_the_embedded_postgresql_installed_says_there_is_nothing_to_stop(tmp_path: Path) -> None:
    program = "import sys; sys.modules['pgserver'] = None; from service.cli import main; main(prog_name='rivalry')"
    result = subprocess.run(
        [sys.executable, "-c", program, "db", "stop"],
        env=_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "rivalry: the embedded PostgreSQL is not installed: nothing to stop\n"
    assert not os.path.exists(tmp_path / "data" / "postgres")
