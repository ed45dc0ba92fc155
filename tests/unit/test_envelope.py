"""The list envelope the SQL-first routes wrap around items PostgreSQL encoded (service.reads.json_page)."""

from __future__ import annotations

import msgspec
import pytest

from service.http.pagination import PageMeta
from service.reads import json_page


@pytest.mark.parametrize("count", [0, 1, 2, 3, 51])
def test_the_envelope_holds_every_item_in_order_and_the_meta(count: int) -> None:
    items = [msgspec.json.encode({"id": f"evt_{i}", "title": "Rachat d’été"}) for i in range(count)]
    response = json_page(items, PageMeta(limit=50, next_cursor="abc" if count else None, total=count))
    decoded = msgspec.json.decode(response.content)
    assert decoded == {
        "data": [{"id": f"evt_{i}", "title": "Rachat d’été"} for i in range(count)],
        "meta": {"limit": 50, "next_cursor": "abc" if count else None, "total": count},
    }
    assert response.status_code == 200
    assert response.media_type == "application/json"
