"""Search as one SQL statement on the read path (:mod:`service.reads`): the same ranking as
:mod:`service.search.queries` — full text for documents and events (the most recent
``FULL_TEXT_CANDIDATES`` matches of each), names and aliases for organisations and people — with
the keyset on ``(score DESC, type, id)``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.facts import NAME_SIMILARITY
from service.reads import SqlArgs
from service.search.queries import FULL_TEXT_CANDIDATES

# The recency orders of the full-text candidates, as indexed (migrations 3b9e2f41c0d7, b7e3a91d5c20).
DOCUMENTS_KEY = "coalesce(d.published_on, '-infinity'::date)"
DOCUMENTS_RECENCY = f"{DOCUMENTS_KEY} DESC"
EVENTS_RECENCY = "coalesce(e.occurred_on, '-infinity'::date) DESC"
# Documents' full-text candidates are looked for among the newest this many first (see
# _newest_documents); past that, only if those held fewer than FULL_TEXT_CANDIDATES matches.
RECENT_DOCUMENTS = 20_000


def _gate(alias_table: str, grams: str, threshold: str) -> str:
    """The trigrams an alias must share one of to match at all (for the GIN index), as few and as
    rare as the rules allow — the same aliases as ``a.trigrams && grams`` once the match rules run.

    - A close name (similarity ≥ t over n query trigrams) shares at least ⌈t·n⌉ of them, so it
      holds one of any n − ⌈t·n⌉ + 1 (pigeonhole): the rarest, by the column's statistics (any
      choice is correct; rare ones leave fewer candidates: 20,897 → 3,085 aliases for
      "milliards de dollars" among 80,000).
    - A name containing the query holds every trigram of the query's words that has no padding,
      so the rarest of those; a query without one keeps every trigram.
    """
    stats = (
        "SELECT u.e, u.f FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)"
        f" AS u(e, f) WHERE s.schemaname = current_schema() AND s.tablename = '{alias_table}'"
        " AND s.attname = 'trigrams'"
    )
    rarest_first = "array_agg(g.g ORDER BY g.f, g.g)"
    return (
        f"(SELECT ({rarest_first})[1 : count(*) - ceil({threshold}::numeric * count(*))::int + 1]"
        f" || coalesce(({rarest_first} FILTER (WHERE g.g !~ ' '))[1 : 1], array_agg(g.g))"
        f" FROM (SELECT q.g, coalesce(x.f, 0) AS f FROM unnest({grams}) AS q(g) LEFT JOIN ({stats}) x ON x.e = q.g) g)"
    )


def _names(kind: str, args: SqlArgs, q: str) -> str:
    table, alias_table, owner = (
        ("organisations", "organisation_aliases", "organisation_id")
        if kind == "organisation"
        else ("people", "person_aliases", "person_id")
    )
    folded = f"lower(rivalry_unaccent({args.add(q, 'text')}))"
    pattern = f"concat('%', replace(replace({folded}, '%', '\\%'), '_', '\\_'), '%')"
    grams = f"rivalry_trigrams({args.add(q, 'text')})"
    similarity = f"rivalry_similarity(a.trigrams, {grams})"
    threshold = args.add(NAME_SIMILARITY, "float8")
    return (
        f"SELECT '{kind}' AS type, t.id, t.name AS title,"
        f" max(greatest(CASE WHEN a.alias_folded LIKE {pattern} THEN 1.0 ELSE 0.0 END, {similarity}))::float8 AS score,"
        # The name first, then the aliases: a stable body (and snippet) whatever the plan.
        f" string_agg(a.alias, ' · ' ORDER BY a.is_name DESC, a.alias) AS body"
        f" FROM {table} t JOIN {alias_table} a ON a.{owner} = t.id"
        f" WHERE a.trigrams && {_gate(alias_table, grams, threshold)}"
        f" AND (a.alias_folded LIKE {pattern} OR {similarity} >= {threshold})"
        " GROUP BY t.id, t.name"
    )


def _newest_documents(tsq: str, args: SqlArgs, window: int) -> tuple[list[str], str]:
    """CTEs and a query for the ``FULL_TEXT_CANDIDATES`` newest documents matching ``tsq``.

    The plain way walks the documents newest first and tests each one's ``tsvector``, which is
    stored apart from the row (TOAST): at 200,000 documents, 17,197 read and decompressed to find
    the 1,000 newest of 11,750 matches ("Tixoon Labs"), 66 ms. PostgreSQL picks that walk because
    it does not count the reading. Here the matches among the newest ``window`` documents come
    from two bitmaps instead (the full-text index AND the date index), sorted by date: only
    matches are read (1,169 rows, 24 ms with the ranking). Only if those are fewer than the cap
    does the plain walk go on, past the window, for the rest. Same rows as the walk, in any case.
    """
    cap = args.add(FULL_TEXT_CANDIDATES, "int")
    # The date of the window's oldest document, from the plain date index (index only); all of
    # them when there are fewer.
    ctes = [
        "document_window AS MATERIALIZED (SELECT coalesce((SELECT published_on FROM documents"
        f" WHERE published_on IS NOT NULL ORDER BY published_on DESC OFFSET {args.add(window, 'int')} LIMIT 1),"
        " '-infinity'::date) AS bound)",
        # `+ 0`: an order no index gives, or PostgreSQL would walk the window testing each row.
        "recent_documents AS MATERIALIZED (SELECT d.id, d.title, d.file, d.text, d.search_vector FROM documents d"
        f" WHERE d.search_vector @@ {tsq} AND {DOCUMENTS_KEY} >= (SELECT bound FROM document_window)"
        f" ORDER BY {DOCUMENTS_KEY} + 0 DESC, d.id LIMIT {cap})",
    ]
    query = (
        "SELECT * FROM recent_documents UNION ALL"
        " (SELECT d.id, d.title, d.file, d.text, d.search_vector FROM documents d"
        f" WHERE d.search_vector @@ {tsq} AND {DOCUMENTS_KEY} < (SELECT bound FROM document_window)"
        f" ORDER BY {DOCUMENTS_RECENCY}, d.id LIMIT {cap} - (SELECT count(*) FROM recent_documents))"
    )
    return ctes, query


def search_sql(
    q: str, types: Sequence[str], limit: int, after: Sequence[Any] | None, *, window: int = RECENT_DOCUMENTS
) -> tuple[str, list[Any]]:
    """Up to ``limit + 1`` hits (type, id, title, score, body) after the cursor values ``after``
    (``window``: see :func:`_newest_documents`)."""
    args = SqlArgs()
    parts: list[str] = []
    ctes: list[str] = []
    if "documents" in types:
        tsq = f"websearch_to_tsquery('french', rivalry_unaccent({args.add(q, 'text')}))"
        ctes, newest = _newest_documents(tsq, args, window)
        parts.append(
            "SELECT 'document' AS type, d.id, coalesce(d.title, d.file, d.id) AS title,"
            f" ts_rank_cd(d.search_vector, {tsq}, 32)::float8 AS score, d.text AS body"
            f" FROM ({newest}) d"
        )
    if "events" in types:
        tsq = f"websearch_to_tsquery('french', rivalry_unaccent({args.add(q, 'text')}))"
        newest = f"{EVENTS_RECENCY}, e.id LIMIT {args.add(FULL_TEXT_CANDIDATES, 'int')}"
        parts.append(
            "SELECT 'event' AS type, e.id, e.title, ts_rank_cd(e.search_vector, "
            f"{tsq}, 32)::float8 AS score, coalesce(e.summary, e.title) AS body"
            f" FROM (SELECT * FROM events e WHERE e.search_vector @@ {tsq} ORDER BY {newest}) e"
        )
    if "organisations" in types:
        parts.append(_names("organisation", args, q))
    if "people" in types:
        parts.append(_names("person", args, q))
    condition = ""
    if after is not None:
        score, kind, last_id = (args.add(after[0], "float8"), args.add(after[1], "text"), args.add(after[2], "text"))
        condition = f" WHERE h.score < {score} OR (h.score = {score} AND (h.type, h.id) > ({kind}, {last_id}))"
    union = " UNION ALL ".join(f"({part})" for part in parts)
    fetch = args.add(limit + 1, "int")
    sql = (
        f"{'WITH ' + ', '.join(ctes) + ' ' if ctes else ''}"
        f"SELECT h.type, h.id, h.title, h.score, h.body FROM ({union}) AS h{condition}"
        f" ORDER BY h.score DESC, h.type, h.id LIMIT {fetch}"
    )
    return sql, args.values
