"""The seed corpus, ingested and served, scored against tests/ingest/seed-gold.json.

Run with ``-s`` to see the score table. Targets (issue #3): every required money fact right,
no EUR conversion as its own record, nothing from the negatives, organisations and people
recall ≥ 95 %, required events ≥ 90 %, the three clusters merged, both conflicts recorded,
the Altman–Musk and OpenAI–xAI rivalries present, 100 % of citations exact.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.settings import Settings
from tests.ingest import scoring
from tests.ingest.targets import GoldTargets, served_by

GOLD = json.loads((Path(__file__).parent / "seed-gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
async def served(settings: Settings, seeded_engine: AsyncEngine) -> scoring.Served:
    return await served_by(settings, seeded_engine)


class TestSeedCorpus(GoldTargets):
    gold = GOLD
