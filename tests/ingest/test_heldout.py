"""A held-out development set, ingested and served, scored like the seed corpus.

tests/ingest/heldout holds French tech-news articles written for this project about companies
the seed corpus does not cover, in every format the pipeline reads (plain text with a date line,
Markdown, an HTML page with navigation, cookie banner, share buttons and teasers, a JSON article,
a text file with a ``.meta.json`` sidecar, a page whose body is repeated, a comment form with a
captcha). Its gold is tests/ingest/heldout_gold.json (outside the corpus directory: a ``.json``
file there would be read as an article). The targets are those of test_gold.py.

Run with ``-s`` to see the score table and every miss.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from service import migrate
from service.settings import Settings
from tests.database import fresh_database
from tests.ingest import scoring
from tests.ingest.targets import GoldTargets, served_by

HERE = Path(__file__).parent
CORPUS = HERE / "heldout"
GOLD = json.loads((HERE / "heldout_gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def heldout_url(pg_server: str) -> Iterator[str]:
    from service.ingest.pipeline import run_seed

    with fresh_database(pg_server, "heldout") as url:
        migrate.upgrade(url)
        report = asyncio.run(run_seed(url, CORPUS, reset=False, interactive=False))
        assert not report.failed, report.failed
        yield url


@pytest.fixture(scope="module")
async def heldout_engine(heldout_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(heldout_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def served(settings: Settings, heldout_engine: AsyncEngine) -> scoring.Served:
    return await served_by(settings, heldout_engine)


class TestHeldOutCorpus(GoldTargets):
    gold = GOLD
