"""Query parameters shared by several routes, declared once with their OpenAPI descriptions and bounds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar.params import PathParameter, QueryParameter

From = Annotated[
    dt.date | None, QueryParameter(name="from", description="Earliest `occurred_on`, inclusive (YYYY-MM-DD).")
]
To = Annotated[dt.date | None, QueryParameter(name="to", description="Latest `occurred_on`, inclusive (YYYY-MM-DD).")]
OrganisationFilter = Annotated[
    list[str] | None,
    QueryParameter(
        name="organisation",
        description="Organisation id, slug or name; repeat for any of several.",
        max_items=50,
    ),
]
PersonFilter = Annotated[
    list[str] | None,
    QueryParameter(name="person", description="Person id, slug or name; repeat for any of several.", max_items=50),
]
SearchText = Annotated[
    str | None,
    QueryParameter(description="French full-text search (accent-insensitive, stemmed).", min_length=1, max_length=500),
]
NameQuery = Annotated[
    str | None,
    QueryParameter(
        description="Name or alias, accent-insensitive, tolerant of misspellings (`altmann` finds Sam Altman).",
        min_length=1,
        max_length=200,
    ),
]
EntityId = Annotated[str, PathParameter(description="Id (slug).", min_length=1, max_length=250)]
FactId = Annotated[str, PathParameter(description="Id.", min_length=1, max_length=250)]
