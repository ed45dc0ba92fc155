"""SQL building blocks for French full-text search shared by every resource that takes ``q``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func


def french_query(q: str) -> ColumnElement[Any]:
    """A tsquery from user text: web-search syntax, French stemming, accents folded like the index."""
    return func.websearch_to_tsquery("french", func.rivalry_unaccent(q))
