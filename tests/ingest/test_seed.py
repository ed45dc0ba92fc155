"""`rivalry seed`: idempotent, stable ids, bad files reported and skipped while the rest lands."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from service import migrate
from service.ingest import pipeline
from service.ingest.pipeline import run_seed
from tests.conftest import CORPUS, ROOT
from tests.database import fresh_database


async def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


def _served_counts_names() -> tuple[str, ...]:
    from service.stats.routes import Counts

    return Counts.__struct_fields__


async def _served_counts(url: str) -> dict[str, int]:
    from litestar.testing import AsyncTestClient
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from service.settings import load_settings
    from tests.conftest import app_on

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        settings = load_settings({"DATABASE_URL": url, "RIVALRY_LOG_LEVEL": "WARNING"})
        async with AsyncTestClient(app_on(settings, engine)) as client:
            return dict((await client.get("/api/v1/stats")).json()["counts"])
    finally:
        await engine.dispose()


SNAPSHOT = {
    "documents": "SELECT id, sha256 FROM documents ORDER BY id",
    "organisations": "SELECT id, mention_count FROM organisations ORDER BY id",
    "people": "SELECT id, mention_count FROM people ORDER BY id",
    "events": "SELECT id, type, source_count FROM events ORDER BY id",
    "funding": "SELECT id, amount, currency FROM funding ORDER BY id",
    "rivalries": "SELECT id, event_count FROM rivalries ORDER BY id",
    "citations": "SELECT count(*) FROM citations",
}


# Rivalries whose stored event count or date range differs from a recount from scratch (the
# loader keeps them up to date incrementally, per batch of documents).
# A recount written apart from the service's: an event counts when one side (the party, or an
# organisation a party runs) takes part in it in a role that faces the other side's.
SIDES = """
    SELECT r.id AS rivalry, 'a' AS side, coalesce(r.party_a_organisation_id, r.party_a_person_id) AS entity
    FROM rivalries AS r
    UNION SELECT r.id, 'b', coalesce(r.party_b_organisation_id, r.party_b_person_id) FROM rivalries AS r
    UNION SELECT r.id, 'a', pr.organisation_id FROM rivalries AS r JOIN person_roles AS pr
        ON pr.person_id = r.party_a_person_id AND lower(pr.title) IN ({chiefs})
    UNION SELECT r.id, 'b', pr.organisation_id FROM rivalries AS r JOIN person_roles AS pr
        ON pr.person_id = r.party_b_person_id AND lower(pr.title) IN ({chiefs})
"""
CHIEFS = ", ".join(
    f"'{t}'"
    for t in (
        "pdg", "ceo", "directeur général", "directrice générale", "président-directeur général",
        "patron", "patronne", "propriétaire", "dirigeant", "dirigeante",
    )
)  # fmt: skip
FACING = ", ".join(
    f"('{x}', '{y}')"
    for a, b in (("plaintiff", "defendant"), ("bidder", "target"), ("acquirer", "target"), ("speaker", "subject"))
    for x, y in ((a, b), (b, a))
)
STALE_RIVALRIES = f"""
    WITH sides AS ({SIDES.format(chiefs=CHIEFS)}),
    roles AS (
        SELECT s.rivalry, s.side, p.event_id, p.role
        FROM sides AS s JOIN event_participants AS p ON coalesce(p.organisation_id, p.person_id) = s.entity
    ),
    counted AS (
        SELECT r.id, count(e.id) AS n, min(e.occurred_on) AS first, max(e.occurred_on) AS last
        FROM rivalries AS r
        LEFT JOIN events AS e ON EXISTS (
            SELECT FROM roles AS a JOIN roles AS b ON b.rivalry = a.rivalry AND b.event_id = a.event_id
            WHERE a.rivalry = r.id AND a.event_id = e.id AND a.side = 'a' AND b.side = 'b'
              AND (a.role, b.role) IN ({FACING})
        )
        GROUP BY r.id
    )
    SELECT r.id, r.event_count, c.n
    FROM rivalries AS r JOIN counted AS c ON c.id = r.id
    WHERE (r.event_count, r.first_event_on, r.last_event_on) IS DISTINCT FROM (c.n, c.first, c.last)
"""


def _snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    return {name: asyncio.run(_rows(url, sql)) for name, sql in SNAPSHOT.items()}


def test_rivalry_counts_equal_a_recount(seeded_url: str) -> None:
    assert asyncio.run(_rows(seeded_url, STALE_RIVALRIES)) == []
    assert asyncio.run(_rows(seeded_url, "SELECT count(*) FROM rivalry_recounts")) == [(0,)]
    counted = asyncio.run(_rows(seeded_url, "SELECT count(*) FROM rivalries WHERE event_count > 0"))
    assert counted[0][0] > 0


def test_seeding_twice_changes_nothing(seeded_url: str) -> None:
    before = _snapshot(seeded_url)
    report = asyncio.run(run_seed(seeded_url, CORPUS, reset=False, interactive=False))
    assert sorted(report.unchanged) == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert report.new == [] and report.failed == []
    assert _snapshot(seeded_url) == before
    runs = asyncio.run(_rows(seeded_url, "SELECT status, documents_unchanged FROM ingestion_runs ORDER BY id"))
    assert runs[-1] == ("completed", 5)


def test_fresh_database_and_reset_give_the_same_ids(seeded_url: str, pg_server: str) -> None:
    expected = _snapshot(seeded_url)
    with fresh_database(pg_server, "again") as url:
        migrate.upgrade(url)
        asyncio.run(run_seed(url, CORPUS, reset=False, interactive=False))
        assert _snapshot(url) == expected
        asyncio.run(run_seed(url, CORPUS, reset=True, interactive=False))
        assert _snapshot(url) == expected
        tombstones = asyncio.run(_rows(url, "SELECT count(*) FROM changes WHERE op = 'deleted'"))
        assert tombstones[0][0] > 0


def test_bad_files_are_reported_and_skipped_the_rest_lands(tmp_path: Path, pg_server: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "001_c0b62db84ed1c7c6.txt", corpus / "good.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "latin1.txt").write_bytes("Élysée à Paris, société française".encode("latin-1"))
    (corpus / "huge.txt").write_bytes(b"OpenAI et xAI se disputent le march\xc3\xa9. " * 500_000)  # 20 MB
    shutil.copy(CORPUS / "001_c0b62db84ed1c7c6.txt", corpus / "same-content.txt")
    with fresh_database(pg_server, "badfiles") as url:
        result = subprocess.run(
            [sys.executable, "-m", "service.cli", "seed", "--corpus", str(corpus)],
            env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "RIVALRY_LOG_LEVEL": "ERROR"},
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
        )
        assert result.returncode == 1, result.stderr
        out = result.stdout
        for name in ("empty.txt", "binary.txt", "latin1.txt", "huge.txt"):
            assert f"skipped {name}" in " ".join(out.split()), out
        assert not re.search(r"^failed ", out, re.MULTILINE)  # nothing went wrong in the pipeline itself
        documents = asyncio.run(_rows(url, "SELECT file FROM documents"))
        assert len(documents) == 1  # good.txt and same-content.txt are one document
        runs = asyncio.run(_rows(url, "SELECT status, documents_failed FROM ingestion_runs"))
        assert runs == [("failed", 4)]
        # The summary's stored facts are what GET /api/v1/stats serves afterwards.
        stored = {
            cells[0]: int(cells[1])
            for line in out.splitlines()
            if len(cells := [c.strip() for c in line.strip("│┃ ").split("│")]) >= 2 and cells[1].isdigit()
        }
        assert asyncio.run(_served_counts(url)) == {k: stored[k] for k in _served_counts_names()}, out


def test_hostile_files_are_reported_on_one_line_and_odd_dates_land(tmp_path: Path, pg_server: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "invisible.txt").write_text("\u200b\u200c\u200d\u2060\ufeff \u0301\n\u00a0\n", encoding="utf-8")
    (corpus / "invisible.json").write_text(json.dumps({"text": "\u200b\u2060\ufeff", "title": "Vide"}))
    (corpus / "deep.json").write_text('{"text": "OpenAI", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (corpus / "deepmeta.txt").write_text("OpenAI a levé 6 milliards de dollars.\n", encoding="utf-8")
    (corpus / "deepmeta.meta.json").write_text('{"title": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (corpus / "ancient.txt").write_text(
        "Mardi, Elon Musk a poursuivi OpenAI. Hier, Microsoft a investi 10 milliards de dollars dans "
        "OpenAI. Il y a trois jours, xAI a levé 6 milliards d’euros.\n",
        encoding="utf-8",
    )
    (corpus / "ancient.meta.json").write_text('{"published_on": "0001-01-01"}')
    (corpus / "future.json").write_text(
        json.dumps(
            {
                "text": "L’année prochaine, OpenAI lèvera 40 milliards de dollars. Le mois prochain, Microsoft "
                "investira 5 milliards d’euros chez Mistral AI. D’ici deux ans, xAI rachètera X.\n",
                "published_on": "9999-12-31",
            }
        )
    )
    with fresh_database(pg_server, "hostile") as url:
        result = subprocess.run(
            [sys.executable, "-m", "service.cli", "seed", "--corpus", str(corpus)],
            env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "RIVALRY_LOG_LEVEL": "ERROR", "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
        )
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        skipped = sorted(line for line in result.stdout.splitlines() if line.startswith("skipped "))
        assert [line.split(":")[0] for line in skipped] == [
            "skipped deep.json",
            "skipped deepmeta.txt",
            "skipped invisible.json",
            "skipped invisible.txt",
        ], result.stdout
        assert "empty" in skipped[-1]
        documents = asyncio.run(_rows(url, "SELECT file, published_on FROM documents ORDER BY file"))
        # (asyncpg stores the calendar's first and last days as -infinity and infinity, and reads them back)
        assert documents == [("ancient.txt", dt.date(1, 1, 1)), ("future.json", dt.date(9999, 12, 31))]
        runs = asyncio.run(_rows(url, "SELECT status, documents_new, documents_failed FROM ingestion_runs"))
        assert runs == [("failed", 2, 4)]


def test_missing_corpus_directory_is_a_clear_cli_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "seed", "--corpus", str(tmp_path / "nope")],
        env={"DATABASE_URL": "postgresql://u@127.0.0.1:1/x", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "corpus directory not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_is_one_line_and_non_zero(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "db", "url"],
        env={"RIVALRY_PORT": "abc", "PATH": "/usr/bin:/bin", "RIVALRY_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "RIVALRY_PORT must be an integer" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_seed_leaves_the_planner_statistics_of_what_it_loaded(seeded_url: str) -> None:
    """ANALYZE runs as the corpus grows and once at the end: plans made when the tables were empty
    would otherwise stay in use (nothing else analyses them where autovacuum is off)."""
    for table in ("documents", "citations", "events", "event_participants", "funding", "organisations"):
        sql = f"SELECT reltuples::bigint, (SELECT count(*) FROM {table}) FROM pg_class WHERE relname = '{table}'"
        ((estimated, actual),) = asyncio.run(_rows(seeded_url, sql))
        assert estimated == actual > 0, table


def test_statistics_are_refreshed_each_time_the_corpus_doubles(monkeypatch: pytest.MonkeyPatch) -> None:
    analysed: list[tuple[int, bool]] = []
    statistics = pipeline._Statistics(engine=None, stored=0)  # type: ignore[arg-type]

    async def analyze(engine: object, *, complete: bool) -> None:
        analysed.append((statistics.documents, complete))

    monkeypatch.setattr(pipeline.load, "analyze", analyze)

    async def seed(batches: int) -> None:
        for _ in range(batches):
            await statistics.loaded(32)
        await statistics.final()

    asyncio.run(seed(100))  # 3,200 documents into an empty database
    assert analysed == [*((n, False) for n in (64, 128, 256, 512, 1024, 2048)), (3200, True)]
    analysed.clear()
    asyncio.run(statistics.final())  # nothing new since: nothing to do
    assert analysed == []
    # A seed adding a few documents to a large corpus analyses once, at the end.
    statistics = pipeline._Statistics(engine=None, stored=100_000)  # type: ignore[arg-type]
    asyncio.run(seed(3))
    assert analysed == [(100_096, True)]


# Every stored fact and entity keeps a citation, every participant and payer a document naming it.
_UNSUPPORTED = """
SELECT 'organisation', id FROM organisations AS f
WHERE NOT EXISTS (SELECT FROM citations AS c WHERE c.fact_kind = 'organisation' AND c.fact_id = f.id)
UNION ALL SELECT 'person', id FROM people AS f
WHERE NOT EXISTS (SELECT FROM citations AS c WHERE c.fact_kind = 'person' AND c.fact_id = f.id)
UNION ALL SELECT 'event', id FROM events AS f
WHERE NOT EXISTS (SELECT FROM citations AS c WHERE c.fact_kind = 'event' AND c.fact_id = f.id)
UNION ALL SELECT 'funding', id FROM funding AS f
WHERE NOT EXISTS (SELECT FROM citations AS c WHERE c.fact_kind = 'funding' AND c.fact_id = f.id)
UNION ALL SELECT 'participant', event_id FROM event_participants AS p
WHERE NOT EXISTS (SELECT FROM event_participant_sources AS s WHERE s.participant_id = p.id)
UNION ALL SELECT 'payer', funding_id FROM funding_payers AS p
WHERE NOT EXISTS (SELECT FROM funding_payer_sources AS s WHERE s.payer_id = p.id)
"""


def test_retracting_the_documents_one_by_one_leaves_nothing_unsupported(pg_server: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from service.ingest.retract import retract_document

    async def retract_all(url: str) -> list[list[tuple[object, ...]]]:
        engine = create_async_engine(url, poolclass=NullPool)
        left = []
        try:
            for (doc_id,) in await _rows(url, "SELECT id FROM documents ORDER BY published_on, id"):
                async with engine.begin() as conn:
                    assert await retract_document(conn, str(doc_id))
                left.append(await _rows(url, _UNSUPPORTED))
        finally:
            await engine.dispose()
        return left

    with fresh_database(pg_server, "retract") as url:
        migrate.upgrade(url)
        asyncio.run(run_seed(url, CORPUS, reset=False, interactive=False))
        assert asyncio.run(_rows(url, _UNSUPPORTED)) == []
        assert asyncio.run(retract_all(url)) == [[]] * len(list(CORPUS.glob("*.txt")))
        for table in ("organisations", "people", "events", "funding", "rivalries", "citations"):
            assert asyncio.run(_rows(url, f"SELECT count(*) FROM {table}")) == [(0,)], table
