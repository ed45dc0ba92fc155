"""The `rivalry` command line as a person meets it: a database it cannot reach, or a platform without
the embedded PostgreSQL, is one line on stderr and a non-zero exit; API keys are listed, revoked and
named once among the keys in force."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service import db, migrate
from service.settings import load_settings
from tests.conftest import ROOT, _free_port
from tests.database import _stop_embedded, fresh_database

PASSWORD = "Sup3r-Secret-pw"  # never printed


def rivalry(*args: str, env: dict[str, str], hide_pgserver: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the command line as a person would, in a clean environment.

    ``hide_pgserver`` runs it as on a platform where the embedded PostgreSQL is not installed
    (a ``None`` in ``sys.modules`` makes every import of it fail as a missing package would).
    """
    command = [sys.executable, "-m", "service.cli", *args]
    if hide_pgserver:
        program = "import sys; sys.modules['pgserver'] = None; from service.cli import main; main(prog_name='rivalry')"
        command = [sys.executable, "-c", program, *args]
    return subprocess.run(
        command,
        env={"PATH": "/usr/bin:/bin", "RIVALRY_LOG_LEVEL": "ERROR", **env},
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failed command printed on stderr."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    assert PASSWORD not in result.stderr + result.stdout
    return lines[0]


def _with(url: str, *, database: str, username: str | None = None, password: str | None = None) -> str:
    """``url`` (the test server's) for another database, and another role when given."""
    parts = make_url(url).set(drivername="postgresql", database=database)
    if username is not None:
        parts = parts.set(username=username, password=password)
    return parts.render_as_string(hide_password=False)


# Every command that needs the database, from the top of the README's table.
DATABASE_COMMANDS = [
    ("migrate",),
    ("seed",),
    ("up",),
    ("apikey", "create", "--name", "newsroom"),
    ("apikey", "list"),
    ("apikey", "revoke", "newsroom"),
    ("entities", "merge", "mistral", "mistral-ai"),
]


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_an_unknown_role_is_one_line_naming_server_and_role(
    command: tuple[str, ...], pg_server: str, tmp_path: Path
) -> None:
    # A failed login on the shared server: read-only, whatever the server's authentication.
    url = _with(pg_server, username="rivalry_nobody", password=PASSWORD, database="postgres")
    line = one_line_error(rivalry(*command, env={"DATABASE_URL": url, "RIVALRY_DATA_DIR": str(tmp_path)}))
    assert line.startswith("rivalry: cannot connect to PostgreSQL at "), line
    assert " as 'rivalry_nobody': " in line, line


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("missing database", 'database "rivalry_no_such_database" does not exist'),
        ("closed port", "connection refused"),
        ("unknown host", "unknown host"),
        ("missing socket", "no server socket there"),
    ],
)
def test_an_unreachable_database_is_one_line_with_the_reason(
    where: str, reason: str, pg_server: str, tmp_path: Path
) -> None:
    url = {
        "missing database": _with(pg_server, database="rivalry_no_such_database"),
        "closed port": f"postgresql://bob:{PASSWORD}@127.0.0.1:{_free_port()}/rivalry",
        "unknown host": f"postgresql://bob:{PASSWORD}@no-such-host.invalid:5432/rivalry",
        "missing socket": f"postgresql://bob:{PASSWORD}@/rivalry?host=/nonexistent-rivalry-socket-dir",
    }[where]
    line = one_line_error(rivalry("migrate", env={"DATABASE_URL": url, "RIVALRY_DATA_DIR": str(tmp_path)}))
    assert line.startswith("rivalry: cannot connect to PostgreSQL at "), line
    assert f"': {reason}" in line, line


@pytest.fixture
def password_cluster() -> Iterator[str]:
    """A PostgreSQL of this test's own where role ``bob`` must give a password (the shared server,
    and the embedded one as set up, trust every local login). Yields bob's URL with a wrong password."""
    with tempfile.TemporaryDirectory(prefix="rivalry-test-") as tmp:
        yield from _password_cluster(Path(tmp) / "data")


def _password_cluster(data: Path) -> Iterator[str]:
    url = db.start_embedded(load_settings({"RIVALRY_DATA_DIR": str(data)}))
    pgdata = data / "postgres"
    try:

        async def add_bob() -> None:
            conn = await asyncpg.connect(db.sync_url(url))
            try:
                await conn.execute("CREATE ROLE bob LOGIN PASSWORD 'the-right-one'")
                hba = pgdata / "pg_hba.conf"
                # The first matching line wins: bob's goes before the trusting ones.
                hba.write_text("local all bob scram-sha-256\n" + hba.read_text())
                await conn.execute("SELECT pg_reload_conf()")
            finally:
                await conn.close()

        asyncio.run(add_bob())
        socket_dir = make_url(url).query["host"]
        yield f"postgresql://bob:{PASSWORD}@/{db.EMBEDDED_DATABASE}?host={socket_dir}"
    finally:
        _stop_embedded(pgdata)


def test_a_wrong_password_is_one_line_without_the_password(password_cluster: str, tmp_path: Path) -> None:
    for command in (("migrate",), ("apikey", "create", "--name", "newsroom")):
        result = rivalry(*command, env={"DATABASE_URL": password_cluster, "RIVALRY_DATA_DIR": str(tmp_path)})
        line = one_line_error(result)
        assert line.startswith("rivalry: cannot connect to PostgreSQL at /"), line
        assert line.endswith(" as 'bob': password authentication failed"), line


def test_connection_failures_are_recognised_from_asyncpg_sqlalchemy_and_alembic(pg_server: str) -> None:
    bad = _with(pg_server, username="rivalry_nobody", password=PASSWORD, database="postgres")
    expected = "as 'rivalry_nobody': "

    async def direct() -> BaseException:
        with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError) as caught:
            await asyncpg.connect(bad)
        return caught.value

    async def through_sqlalchemy() -> BaseException:
        engine = create_async_engine(bad.replace("postgresql://", "postgresql+asyncpg://", 1), poolclass=NullPool)
        try:
            with pytest.raises(DBAPIError) as caught:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()
        return caught.value

    with pytest.raises(DBAPIError) as alembic:
        migrate.upgrade(bad.replace("postgresql://", "postgresql+asyncpg://", 1))
    for exc in (asyncio.run(direct()), asyncio.run(through_sqlalchemy()), alembic.value):
        failure = db.connection_failure(bad, exc)
        assert failure is not None, repr(exc)
        assert expected in str(failure) and PASSWORD not in str(failure)


def test_an_os_error_that_is_not_a_connection_is_not_called_one(tmp_path: Path) -> None:
    # A corpus file that vanished is no reason to blame the database.
    with pytest.raises(FileNotFoundError) as missing:
        (tmp_path / "gone.txt").read_text()
    assert db.connection_failure("postgresql://bob@127.0.0.1/rivalry", missing.value) is None


@pytest.mark.parametrize("command", [*DATABASE_COMMANDS[:4], ("apikey", "list"), ("db", "url")], ids=" ".join)
def test_without_the_embedded_postgresql_every_database_command_asks_for_database_url(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    line = one_line_error(rivalry(*command, env={"RIVALRY_DATA_DIR": str(tmp_path)}, hide_pgserver=True))
    assert line.startswith("rivalry: ") and "set DATABASE_URL" in line, line
    assert not (tmp_path / "postgres").exists()


async def _fetch(url: str, sql: str) -> list[tuple[object, ...]]:
    conn = await asyncpg.connect(db.sync_url(url))
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


def test_api_keys_are_listed_revoked_and_named_once_among_those_in_force(pg_server: str, tmp_path: Path) -> None:
    with fresh_database(pg_server, "apikeys") as url:
        env = {"DATABASE_URL": url, "RIVALRY_DATA_DIR": str(tmp_path)}
        assert rivalry("apikey", "list", env=env).stdout.strip() == "rivalry: no API keys"

        created = rivalry("apikey", "create", "--name", "newsroom", env=env)
        assert created.returncode == 0, created.stderr
        key = created.stdout.strip()
        assert key.startswith("rk_")
        taken = one_line_error(rivalry("apikey", "create", "--name", "newsroom", env=env))
        assert taken.startswith("rivalry: an API key named 'newsroom' is in force"), taken

        listed = rivalry("apikey", "list", env=env)
        assert listed.returncode == 0, listed.stderr
        header, row = listed.stdout.splitlines()
        assert header.split() == ["NAME", "PREFIX", "CREATED", "LAST", "USED", "REVOKED"]
        assert row.split()[:2] == ["newsroom", key[:10]]
        assert row.split()[-1] == "-"  # not revoked
        assert key not in listed.stdout

        revoked = rivalry("apikey", "revoke", "newsroom", env=env)
        assert revoked.returncode == 0, revoked.stderr
        assert revoked.stdout.strip() == f"rivalry: revoked the API key 'newsroom' ({key[:10]}…)"
        assert revoked.stderr == ""
        again = one_line_error(rivalry("apikey", "revoke", "newsroom", env=env))
        assert again == "rivalry: no API key named 'newsroom' is in force"
        assert rivalry("apikey", "revoke", "newsroom", env=env).returncode == 1
        unknown = one_line_error(rivalry("apikey", "revoke", "nobody-has-this", env=env))
        assert unknown == "rivalry: no API key named 'nobody-has-this' is in force"

        # A revoked key's name is free again; the revoked key stays listed, with its date.
        assert rivalry("apikey", "create", "--name", "newsroom", env=env).returncode == 0
        rows = rivalry("apikey", "list", env=env).stdout.splitlines()[1:]
        assert [r.split()[0] for r in rows] == ["newsroom", "newsroom"]
        assert rows[0].split()[-1] != "-" and rows[1].split()[-1] == "-"
        stored = asyncio.run(_fetch(url, "SELECT key_hash FROM api_keys WHERE revoked_at IS NOT NULL"))
        assert len(stored) == 1


def test_a_key_name_with_a_line_break_is_refused(tmp_path: Path) -> None:
    result = rivalry("apikey", "create", "--name", "news\nroom", env={"RIVALRY_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "printable" in result.stderr


def test_the_unique_key_name_migration_renames_duplicates_in_force(pg_server: str) -> None:
    with fresh_database(pg_server, "keynames") as url:
        migrate.upgrade(url, "c4e8a2f6d1b9")
        asyncio.run(
            _fetch(
                url,
                """
                INSERT INTO api_keys (id, name, key_hash, key_prefix, revoked_at) VALUES
                    (1, 'ops', 'h1', 'rk_1', NULL), (2, 'ops', 'h2', 'rk_2', NULL),
                    (3, 'ops-2', 'h3', 'rk_3', NULL), (4, 'ops', 'h4', 'rk_4', NULL),
                    (5, 'ops', 'h5', 'rk_5', now()), (6, 'ci', 'h6', 'rk_6', now()), (7, 'ci', 'h7', 'rk_7', NULL)
                """,
            )
        )
        migrate.upgrade(url)
        names = asyncio.run(_fetch(url, "SELECT id, name FROM api_keys ORDER BY id"))
        assert names == [(1, "ops"), (2, "ops-3"), (3, "ops-2"), (4, "ops-4"), (5, "ops"), (6, "ci"), (7, "ci")]
        with pytest.raises(asyncpg.UniqueViolationError):
            asyncio.run(
                _fetch(url, "INSERT INTO api_keys (id, name, key_hash, key_prefix) VALUES (8, 'ops', 'h8', 'r')")
            )
        migrate.downgrade(url, "c4e8a2f6d1b9")
        asyncio.run(_fetch(url, "INSERT INTO api_keys (id, name, key_hash, key_prefix) VALUES (8, 'ops', 'h8', 'r')"))
