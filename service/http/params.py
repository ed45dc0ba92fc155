"""Query parameters shared by several routes, declared once with their OpenAPI descriptions and bounds,
and the patterns the OpenAPI document gives the text a request target carries."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar.params import PathParameter, QueryParameter

# The characters the server refuses anywhere in a request target's path or query
# (service.http.guard): C0 controls except tab, line feed and carriage return, and DEL.
CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
# What `str.strip()` removes (Python's `\s`), less the control characters above, written out:
# ECMAScript's `\s`, which JSON Schema validators in browsers use, is another set.
WHITESPACE = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Any text without those control characters (every string of a path or query, unless it says more).
TEXT = rf"^[^{CONTROL}]*$"
# Text with at least one character that is not whitespace.
WORDS = rf"^[^{CONTROL}]*[^{CONTROL}{WHITESPACE}][^{CONTROL}]*$"

From = Annotated[
    dt.date | None,
    QueryParameter(name="from", description="Earliest `occurred_on`, inclusive (YYYY-MM-DD); not after `to`."),
]
To = Annotated[
    dt.date | None,
    QueryParameter(
        name="to",
        description="Latest `occurred_on`, inclusive (YYYY-MM-DD); not before `from` (a `400` naming `to`).",
    ),
]
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
