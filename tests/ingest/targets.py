"""The ingestion targets of issue #3, as one test class every scored corpus reuses.

A test module subclasses :class:`GoldTargets` (its name starts with ``Test``), sets ``gold`` and
provides a module-scoped ``served`` fixture, usually via :func:`served_by`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from service.settings import Settings
from tests.ingest import scoring


async def served_by(settings: Settings, engine: AsyncEngine) -> scoring.Served:
    """Everything the API serves for the database behind ``engine``, read through HTTP."""
    from tests.conftest import app_on

    async with AsyncTestClient(app_on(settings, engine)) as client:

        async def get(path: str, params: dict[str, Any] | None) -> Any:
            response = await client.get(path, params=params)
            assert response.status_code == 200, (path, response.text)
            return response.json()

        return await scoring.load_served(get)


class GoldTargets:
    gold: ClassVar[dict[str, Any]]

    def test_score_table(self, served: scoring.Served) -> None:
        print("\n" + scoring.report(served, self.gold))
        assert set(served.documents) == {d["file"] for d in self.gold["documents"]}

    def test_organisations_and_people_recall_at_least_95_percent(self, served: scoring.Served) -> None:
        for kind in ("organisations", "people"):
            tally = scoring.score_entities(served, self.gold, kind)
            assert tally.recall >= 0.95, (kind, tally.misses)

    def test_no_byline_or_teaser_names_become_people(self, served: scoring.Served) -> None:
        names = {scoring.fold(p["name"]) for p in served.people}
        for doc in self.gold["documents"]:
            for negative in doc["negatives"]:
                assert scoring.fold(negative["quote"]) not in names

    def test_every_required_money_fact_with_amount_currency_and_qualifier(self, served: scoring.Served) -> None:
        tally, problems = scoring.score_money(served, self.gold)
        assert tally.misses == []
        assert problems == []

    def test_nothing_is_extracted_from_the_negatives(self, served: scoring.Served) -> None:
        assert scoring.score_negatives(served, self.gold) == []

    def test_required_events_at_least_90_percent(self, served: scoring.Served) -> None:
        tally, _, _ = scoring.score_events(served, self.gold)
        assert tally.recall >= 0.90, tally.misses

    def test_the_clusters_are_merged(self, served: scoring.Served) -> None:
        assert scoring.score_clusters(served, self.gold) == []

    def test_the_conflicts_are_recorded(self, served: scoring.Served) -> None:
        assert scoring.score_conflicts(served, self.gold) == []

    def test_required_rivalries_are_present(self, served: scoring.Served) -> None:
        required, _ = scoring.score_rivalries(served, self.gold)
        assert required == []

    def test_every_citation_is_exact(self, served: scoring.Served) -> None:
        checked, errors = scoring.citation_errors(served)
        assert checked > 100
        assert errors == []
