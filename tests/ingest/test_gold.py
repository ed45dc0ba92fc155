"""The seed corpus, ingested and served, scored against tests/ingest/seed-gold.json.

Run with ``-s`` to see the score table. Targets (issue #3): every required money fact right,
no EUR conversion as its own record, nothing from the negatives, organisations and people
recall ≥ 95 %, required events ≥ 90 %, the three clusters merged, both conflicts recorded,
the Altman–Musk and OpenAI–xAI rivalries present, 100 % of citations exact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.ingest import scoring

GOLD = json.loads((Path(__file__).parent / "seed-gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
async def served(settings: Any, seeded_engine: Any) -> scoring.Served:
    from tests.conftest import app_on

    async with AsyncTestClient(app_on(settings, seeded_engine)) as client:

        async def get(path: str, params: dict[str, Any] | None) -> Any:
            response = await client.get(path, params=params)
            assert response.status_code == 200, (path, response.text)
            return response.json()

        return await scoring.load_served(get)


def _line(kind: str, tally: scoring.Tally) -> str:
    return f"{kind:<14} recall {tally.recall:6.1%} ({tally.found}/{tally.expected})  precision {tally.precision:6.1%}"


def test_score_table(served: scoring.Served) -> None:
    orgs = scoring.score_entities(served, GOLD, "organisations")
    people = scoring.score_entities(served, GOLD, "people")
    money, _ = scoring.score_money(served, GOLD)
    events, _, statuses = scoring.score_events(served, GOLD)
    print(
        "\n"
        + "\n".join(
            [_line("organisations", orgs), _line("people", people), _line("money", money), _line("events", events)]
        )
    )
    print(f"event statuses differing from gold: {statuses}")
    assert orgs.expected and people.expected and money.expected and events.expected


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


def test_the_three_clusters_are_merged(served: scoring.Served) -> None:
    assert scoring.score_clusters(served, GOLD) == []


def test_both_conflicts_are_recorded(served: scoring.Served) -> None:
    assert scoring.score_conflicts(served, GOLD) == []


def test_required_rivalries_are_present(served: scoring.Served) -> None:
    required, _ = scoring.score_rivalries(served, GOLD)
    assert required == []


def test_every_citation_is_exact(served: scoring.Served) -> None:
    checked, errors = scoring.citation_errors(served)
    assert checked > 100
    assert errors == []
