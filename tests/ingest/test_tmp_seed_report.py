import json
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from tests.ingest import scoring


async def test_report(settings: Any, seeded_engine: Any) -> None:
    from tests.conftest import app_on

    gold = json.loads((Path(__file__).parent / "seed-gold.json").read_text(encoding="utf-8"))
    async with AsyncTestClient(app_on(settings, seeded_engine)) as client:

        async def get(path: str, params: dict[str, Any] | None) -> Any:
            return (await client.get(path, params=params)).json()

        served = await scoring.load_served(get)
    print("\n" + scoring.report(served, gold))
