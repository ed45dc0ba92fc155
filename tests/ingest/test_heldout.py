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
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from service import migrate
from tests.database import fresh_database
from tests.ingest import scoring

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
async def served(settings: Any, heldout_engine: AsyncEngine) -> scoring.Served:
    from tests.conftest import app_on

    async with AsyncTestClient(app_on(settings, heldout_engine)) as client:

        async def get(path: str, params: dict[str, Any] | None) -> Any:
            response = await client.get(path, params=params)
            assert response.status_code == 200, (path, response.text)
            return response.json()

        return await scoring.load_served(get)


def test_score_table(served: scoring.Served) -> None:
    print("\n" + scoring.report(served, GOLD))
    assert set(served.documents) == {d["file"] for d in GOLD["documents"]}


def test_organisations_and_people_recall_at_least_95_percent(served: scoring.Served) -> None:
    for kind in ("organisations", "people"):
        tally = scoring.score_entities(served, GOLD, kind)
        assert tally.recall >= 0.95, (kind, tally.misses)


def test_no_byline_or_teaser_names_become_people(served: scoring.Served) -> None:
    names = {scoring.fold(p["name"]) for p in served.people}
    for doc in GOLD["documents"]:
        for negative in doc["negatives"]:
            assert scoring.fold(negative["quote"]) not in names


def test_every_required_money_fact_with_amount_currency_and_qualifier(served: scoring.Served) -> None:
    tally, problems = scoring.score_money(served, GOLD)
    assert tally.misses == []
    assert problems == []


def test_nothing_is_extracted_from_the_negatives(served: scoring.Served) -> None:
    assert scoring.score_negatives(served, GOLD) == []


def test_required_events_at_least_90_percent(served: scoring.Served) -> None:
    tally, _, _ = scoring.score_events(served, GOLD)
    assert tally.recall >= 0.90, tally.misses


def test_the_clusters_are_merged(served: scoring.Served) -> None:
    assert scoring.score_clusters(served, GOLD) == []


def test_the_conflicts_are_recorded(served: scoring.Served) -> None:
    assert scoring.score_conflicts(served, GOLD) == []


def test_required_rivalries_are_present(served: scoring.Served) -> None:
    required, _ = scoring.score_rivalries(served, GOLD)
    assert required == []


def test_every_citation_is_exact(served: scoring.Served) -> None:
    checked, errors = scoring.citation_errors(served)
    assert checked > 100
    assert errors == []
