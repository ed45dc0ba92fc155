"""Search across documents and events (French full text) and organisations and people (fuzzy names).

Full-text scores are ``ts_rank_cd`` normalised into 0–1 (rank / (rank + 1)), over the
``FULL_TEXT_CANDIDATES`` most recent matches of each type; name scores are 1 for an alias that
contains the query and the trigram similarity otherwise, so a close name ranks above a passing
mention in a long article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, case, cast, func, literal, literal_column, or_, select, union_all
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from service.facts import NAME_SIMILARITY
from service.http.pagination import SortKey, keyset_rows
from service.models import Document, Event, Organisation, OrganisationAlias, Person, PersonAlias
from service.search.schemas import SearchHit
from service.search_sql import french_query

SNIPPET_CHARS = 90
# Full text ranks the most recent matches of each type, at most this many: ranking reads every
# candidate's whole tsvector (≈ 20 µs for an article), so a word in a sixth of a million events
# took seconds to rank in full. Past this many, recency is the better first cut for news.
FULL_TEXT_CANDIDATES = 1000
_WORD = re.compile(r"\w+")


def _newest(model: Any, date: Any, tsq: Any) -> Any:
    """The ``FULL_TEXT_CANDIDATES`` most recent rows of ``model`` matching ``tsq`` (undated last)."""
    recency = func.coalesce(date, literal_column("'-infinity'::date")).desc()
    return (
        select(model.__table__)
        .where(model.search_vector.op("@@")(tsq))
        .order_by(recency, model.id)
        .limit(FULL_TEXT_CANDIDATES)
        .subquery()
    )


def _ranked(types: Sequence[str], q: str) -> Any:
    tsq = french_query(q)
    parts = []
    if "documents" in types:
        docs = _newest(Document, Document.published_on, tsq)
        parts.append(
            select(
                literal("document").label("type"),
                docs.c.id.label("id"),
                func.coalesce(docs.c.title, docs.c.file, docs.c.id).label("title"),
                cast(func.ts_rank_cd(docs.c.search_vector, tsq, 32), Float).label("score"),
                docs.c.text.label("body"),
            )
        )
    if "events" in types:
        events = _newest(Event, Event.occurred_on, tsq)
        parts.append(
            select(
                literal("event").label("type"),
                events.c.id.label("id"),
                events.c.title.label("title"),
                cast(func.ts_rank_cd(events.c.search_vector, tsq, 32), Float).label("score"),
                func.coalesce(events.c.summary, events.c.title).label("body"),
            )
        )
    folded = func.lower(func.rivalry_unaccent(q))
    pattern = func.concat("%", func.replace(func.replace(folded, "%", r"\%"), "_", r"\_"), "%")
    grams = func.rivalry_trigrams(q)
    for kind, table, alias_table, owner in (
        ("organisations", Organisation, OrganisationAlias, OrganisationAlias.organisation_id),
        ("people", Person, PersonAlias, PersonAlias.person_id),
    ):
        if kind not in types:
            continue
        similarity = func.rivalry_similarity(alias_table.trigrams, grams)
        score = func.max(func.greatest(case((alias_table.alias_folded.like(pattern), 1.0), else_=0.0), similarity))
        parts.append(
            select(
                literal("organisation" if kind == "organisations" else "person").label("type"),
                table.id.label("id"),
                table.name.label("title"),
                cast(score, Float).label("score"),
                # The name first, then the aliases (`string_agg(alias, ' · ' ORDER BY …)`).
                func.string_agg(
                    alias_table.alias,
                    aggregate_order_by(literal(" · "), alias_table.is_name.desc(), alias_table.alias),
                ).label("body"),
            )
            .join(alias_table, owner == table.id)
            .where(
                # Sharing a trigram is necessary for both a substring match and a close name, and
                # is what the GIN index answers: without it every alias was scanned (3 s at 50k).
                alias_table.trigrams.op("&&")(grams),
                or_(alias_table.alias_folded.like(pattern), similarity >= NAME_SIMILARITY),
            )
            .group_by(table.id, table.name)
        )
    return union_all(*parts).subquery("hits")


def snippet(body: str, q: str) -> str:
    """The passage of ``body`` around the first word of the query, matched without accents or case."""
    words = [w for w in _WORD.findall(_fold(q)) if len(w) >= 3]
    folded = _fold(body)
    position = -1
    for word in words:
        stem = word[: max(4, len(word) - 2)]
        position = folded.find(stem)
        if position >= 0:
            end = position + len(stem)
            while end < len(body) and body[end].isalnum():
                end += 1
            break
    if position < 0:
        return " ".join(body[: SNIPPET_CHARS * 2].split())
    start = max(0, position - SNIPPET_CHARS)
    stop = min(len(body), end + SNIPPET_CHARS)
    text = body[start:position] + "«" + body[position:end] + "»" + body[end:stop]
    return ("…" if start else "") + " ".join(text.split()) + ("…" if stop < len(body) else "")


def _fold(text: str) -> str:
    """Casefold and strip accents character by character, so offsets stay those of the original."""
    return "".join(unicodedata.normalize("NFKD", ch)[0].casefold() if ch.isalpha() else ch.lower() for ch in text)


async def search(
    session: AsyncSession, q: str, types: Sequence[str], limit: int, after: Sequence[Any] | None
) -> tuple[list[SearchHit], list[Any] | None]:
    hits = _ranked(types, q)
    keys = (SortKey(hits.c.score, type="double", descending=True), SortKey(hits.c.type), SortKey(hits.c.id))
    rows, last = await keyset_rows(session, select(hits), keys, limit, after)
    return [
        SearchHit(type=r.type, id=r.id, title=r.title, snippet=snippet(r.body or "", q), score=round(r.score, 6))
        for r in rows
    ], last


# How search cursors encode (score, type, id); the columns themselves belong to each query's subquery.
CURSOR_KEYS = (SortKey(None, type="double", descending=True), SortKey(None), SortKey(None))
