"""What a 503 says when the database cannot serve: a wait that timed out (a lock, a busy server, no
connection free in time), a server out of connection slots, or an unreachable server. The real
thing, on a cluster of the test's own, is in ``test_outage.py``; these name each cause."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service import reads
from service.db import DatabaseBusy, DatabaseUnavailable
from service.http.problems import NO_CONNECTION_SLOTS, TIMED_OUT, UNREACHABLE, database_outage


def _raised(exc: BaseException, cause: BaseException | None = None) -> BaseException:
    """``exc`` as raised (``from cause``), with its chain of causes set."""
    try:
        raise exc from cause
    except BaseException as raised:
        return raised


def _wrapped_by_sqlalchemy(error: Exception) -> BaseException:
    """``error`` as SQLAlchemy raises it: wrapped, ``from`` the original."""
    return _raised(DBAPIError.instance("SELECT 1", None, error, Exception), error)


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"), TIMED_OUT),
        (_wrapped_by_sqlalchemy(asyncpg.exceptions.QueryCanceledError("canceling statement")), TIMED_OUT),
        (asyncpg.exceptions.LockNotAvailableError("canceling statement due to lock timeout"), TIMED_OUT),
        (PoolTimeout("QueuePool limit of size 10 overflow 10 reached"), TIMED_OUT),
        (DatabaseBusy("no read connection free within 5 s"), TIMED_OUT),
        (asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"), NO_CONNECTION_SLOTS),
        (_wrapped_by_sqlalchemy(asyncpg.exceptions.TooManyConnectionsError("too many clients")), NO_CONNECTION_SLOTS),
        (ConnectionRefusedError(111, "Connection refused"), UNREACHABLE),
        (_raised(DatabaseUnavailable("timed out connecting"), TimeoutError()), UNREACHABLE),
        (TimeoutError(), UNREACHABLE),  # asyncpg's own timeout: the server stopped answering
        (asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"), UNREACHABLE),
        (ValueError("a bug"), None),
        (asyncpg.exceptions.UndefinedColumnError('column "x" does not exist'), None),
    ],
)
def test_each_cause_of_an_outage_has_its_own_detail(error: BaseException, detail: str | None) -> None:
    assert database_outage(error) == detail


async def test_a_read_that_finds_no_connection_free_in_time_says_it_timed_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reads, "ACQUIRE_TIMEOUT", 0.05)
    reader = reads.PoolReader("postgresql://nobody@127.0.0.1:1/none", max_size=2, statement_timeout=30)
    turnstile = reader._connections(False).turnstile
    for _ in range(2):  # every connection in use by other requests
        await turnstile.acquire()
    with pytest.raises(DatabaseBusy) as raised:
        await reader.fetch("SELECT 1")
    assert database_outage(raised.value) == TIMED_OUT
