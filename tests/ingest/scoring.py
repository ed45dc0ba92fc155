"""Score what the API serves for a seeded corpus against a gold file (shape of tests/ingest/seed-gold.json).

Matching is by meaning, not by ids: an entity matches by name or alias; a money fact by
amount, currency and qualifier with a citation overlapping the gold quote; an event by a
citation in the same sentence as the gold quote, an accepted type and the gold participants.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Get = Callable[[str, dict[str, Any] | None], Awaitable[Any]]


def fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.replace("’", "'")).casefold()
    return "".join(ch for ch in text if not unicodedata.combining(ch)).removeprefix("the ").strip()


@dataclass
class Tally:
    found: int = 0
    expected: int = 0
    served: int = 0
    correct_served: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct_served / self.served if self.served else 1.0


async def all_rows(get: Get, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = dict(params or {}, limit=200, **({"cursor": cursor} if cursor else {}))
        body = await get(path, query)
        rows += body["data"]
        cursor = body["meta"]["next_cursor"]
        if not cursor:
            return rows


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def sentence_span(text: str, quote_span: tuple[int, int]) -> tuple[int, int]:
    """The line around a gold quote: events are cited by sentence, gold quotes by clause."""
    start = text.rfind("\n", 0, quote_span[0]) + 1
    end = text.find("\n", quote_span[1])
    return start, len(text) if end < 0 else end


@dataclass
class Served:
    documents: dict[str, dict[str, Any]]  # file -> detail
    organisations: list[dict[str, Any]]
    people: list[dict[str, Any]]
    events: list[dict[str, Any]]
    funding: list[dict[str, Any]]
    rivalries: list[dict[str, Any]]

    def doc_id(self, file: str) -> str:
        return str(self.documents[file]["id"])

    def text(self, file: str) -> str:
        return str(self.documents[file]["text"])


async def load_served(get: Get) -> Served:
    listing = await all_rows(get, "/api/v1/documents")
    documents = {d["file"]: await get(f"/api/v1/documents/{d['id']}", None) for d in listing}

    async def details(path: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [await get(f"{path}/{r['id']}", None) for r in rows]

    return Served(
        documents=documents,
        organisations=await details("/api/v1/organisations", await all_rows(get, "/api/v1/organisations")),
        people=await details("/api/v1/people", await all_rows(get, "/api/v1/people")),
        events=await details("/api/v1/events", await all_rows(get, "/api/v1/events")),
        funding=await details("/api/v1/funding", await all_rows(get, "/api/v1/funding")),
        rivalries=await details("/api/v1/rivalries", await all_rows(get, "/api/v1/rivalries")),
    )


def names_of(entity: dict[str, Any]) -> set[str]:
    return {fold(entity["name"]), *(fold(a) for a in entity.get("aliases", []))}


def entity_lookup(served: Served) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for entity in [*served.organisations, *served.people]:
        for name in names_of(entity):
            lookup.setdefault(name, entity["id"])
    return lookup


def cited_in(fact: dict[str, Any], doc_id: str) -> list[tuple[int, int]]:
    return [(c["start"], c["end"]) for c in fact["citations"] if c["document_id"] == doc_id]


def find_quote(text: str, quote: str) -> tuple[int, int]:
    start = text.find(quote)
    assert start >= 0, f"gold quote not in text: {quote!r}"
    return start, start + len(quote)


def score_entities(served: Served, gold: dict[str, Any], kind: str) -> Tally:
    tally = Tally()
    pool = served.organisations if kind == "organisations" else served.people
    for doc in gold["documents"]:
        doc_id = served.doc_id(doc["file"])
        in_doc = [e for e in pool if cited_in(e, doc_id)]
        expected = {fold(n) for n in doc[kind]}
        tally.expected += len(expected)
        for name in sorted(expected):
            if any(name in names_of(e) for e in in_doc):
                tally.found += 1
            else:
                tally.misses.append(f"{doc['file']}: {name}")
        tally.served += len(in_doc)
        tally.correct_served += sum(1 for e in in_doc if names_of(e) & expected)
    return tally


def score_money(served: Served, gold: dict[str, Any]) -> tuple[Tally, list[str]]:
    tally = Tally()
    problems: list[str] = []
    for doc in gold["documents"]:
        doc_id, text = served.doc_id(doc["file"]), served.text(doc["file"])
        in_doc = [f for f in served.funding if cited_in(f, doc_id)]
        for fact in doc["money_facts"]:
            if not fact.get("required", True):
                continue
            tally.expected += 1
            span = find_quote(text, fact["quote"])
            match = [
                f
                for f in in_doc
                if any(overlaps(span, c) for c in cited_in(f, doc_id))
                and f["amount"] == fact["amount"]
                and f["currency"] == fact["currency"]
                and f["qualifier"] == fact["qualifier"]
            ]
            if match:
                tally.found += 1
                if "equivalent" in fact:
                    eq = fact["equivalent"]
                    if not any(
                        e["amount"] == eq["amount"] and e["currency"] == eq["currency"] for e in match[0]["equivalents"]
                    ):
                        problems.append(f"{doc['file']}: equivalent missing for {fact['quote']!r}")
            else:
                tally.misses.append(f"{doc['file']}: {fact['quote']}")
        for fact in doc["money_facts"]:
            eq = fact.get("equivalent")
            if eq and any(f["amount"] == eq["amount"] and f["currency"] == eq["currency"] for f in in_doc):
                problems.append(f"{doc['file']}: EUR conversion stored as its own record ({eq})")
        tally.served += len(in_doc)
        gold_spans = [find_quote(text, f["quote"]) for f in doc["money_facts"]]
        tally.correct_served += sum(
            1 for f in in_doc if any(overlaps(g, c) for g in gold_spans for c in cited_in(f, doc_id))
        )
    return tally, problems


def score_negatives(served: Served, gold: dict[str, Any]) -> list[str]:
    leaks: list[str] = []
    facts = [*served.organisations, *served.people, *served.events, *served.funding, *served.rivalries]
    for doc in gold["documents"]:
        doc_id, text = served.doc_id(doc["file"]), served.text(doc["file"])
        for negative in doc["negatives"]:
            start = 0
            while (found := text.find(negative["quote"], start)) >= 0:
                span = (found, found + len(negative["quote"]))
                for fact in facts:
                    if any(overlaps(span, c) for c in cited_in(fact, doc_id)):
                        leaks.append(f"{doc['file']}: {negative['quote']!r} → {fact['id']}")
                start = found + 1
    return leaks


def score_events(served: Served, gold: dict[str, Any]) -> tuple[Tally, dict[str, dict[str, Any]], list[str]]:
    """Required events found with an accepted type and the gold participants; also which event each key became."""
    lookup = entity_lookup(served)
    tally = Tally()
    by_key: dict[str, dict[str, Any]] = {}
    wrong_status: list[str] = []
    for doc in gold["documents"]:
        doc_id, text = served.doc_id(doc["file"]), served.text(doc["file"])
        gold_spans = [sentence_span(text, find_quote(text, e["quote"])) for e in doc["events"]]
        in_doc = [e for e in served.events if cited_in(e, doc_id)]
        tally.served += len(in_doc)
        # Precision counts served events that sit on a gold event's sentence; statements and other
        # true-but-ungolded events count against it, so read it as a lower bound.
        tally.correct_served += sum(
            1 for e in in_doc if any(overlaps(g, c) for g in gold_spans for c in cited_in(e, doc_id))
        )
        for event in doc["events"]:
            required = event.get("required", True)
            span = sentence_span(text, find_quote(text, event["quote"]))
            types = {event["type"], *event.get("alt_types", [])}
            wanted = {lookup.get(fold(p)) for p in event["participants"]}
            candidates = [
                e
                for e in served.events
                if any(overlaps(span, c) for c in cited_in(e, doc_id))
                and e["type"] in types
                and wanted <= {p["id"] for p in e["participants"]}
            ]
            if required:
                tally.expected += 1
            if candidates:
                tally.found += 1 if required else 0
                by_key.setdefault(event["key"], candidates[0])
                if candidates[0]["status"] != event["status"]:
                    wrong_status.append(f"{event['key']}: {candidates[0]['status']} ≠ {event['status']}")
            elif required:
                tally.misses.append(f"{doc['file']}: {event['key']}")
    return tally, by_key, wrong_status


def score_clusters(served: Served, gold: dict[str, Any]) -> list[str]:
    failures: list[str] = []
    for cluster in gold["clusters"]:
        doc_ids = {served.doc_id(f) for f in cluster["documents"]}
        # Some event must be cited by every listed document, and be the gold event in each of them.
        keyed = [e for e in served.events if doc_ids <= {c["document_id"] for c in e["citations"]}]
        lookup = entity_lookup(served)
        gold_event = next(ev for d in gold["documents"] for ev in d["events"] if ev["key"] == cluster["key"])
        wanted = {lookup.get(fold(p)) for p in gold_event["participants"]}
        if not any(wanted <= {p["id"] for p in e["participants"]} for e in keyed):
            failures.append(cluster["key"])
    return failures


def score_conflicts(served: Served, gold: dict[str, Any]) -> list[str]:
    failures: list[str] = []
    for conflict in gold["conflicts"]:
        spans = []
        for claim in conflict["claims"]:
            text = served.text(claim["file"])
            spans.append((served.doc_id(claim["file"]), find_quote(text, claim["quote"])))
        recorded = False
        for event in served.events:
            for entry in event["conflicts"]:
                cited = [(c["document_id"], (c["start"], c["end"])) for v in entry["values"] for c in v["citations"]]
                if all(any(d == doc and overlaps(s, span) for d, s in cited) for doc, span in spans):
                    recorded = True
        if not recorded:
            failures.append(conflict["about"])
    return failures


def score_rivalries(served: Served, gold: dict[str, Any]) -> tuple[list[str], list[str]]:
    lookup = entity_lookup(served)
    pairs = {frozenset(p["id"] for p in r["parties"]) for r in served.rivalries}
    missing_required, missing_optional = [], []
    for rivalry in gold["rivalries"]:
        pair = frozenset(lookup.get(fold(p)) for p in rivalry["parties"])
        if pair not in pairs:
            (missing_required if rivalry.get("required", True) else missing_optional).append(
                " vs ".join(rivalry["parties"])
            )
    return missing_required, missing_optional


def citation_errors(served: Served) -> tuple[int, list[str]]:
    texts = {d["id"]: d["text"] for d in served.documents.values()}
    checked, errors = 0, []
    facts = [*served.organisations, *served.people, *served.events, *served.funding, *served.rivalries]
    for fact in facts:
        for c in fact["citations"]:
            checked += 1
            text = texts[c["document_id"]]
            if text[c["start"] : c["end"]] != c["quote"]:
                errors.append(f"{fact['id']}: quote mismatch at {c['start']}")
            if (
                c["prefix"] != text[max(0, c["start"] - 32) : c["start"]]
                or c["suffix"] != text[c["end"] : c["end"] + 32]
            ):
                errors.append(f"{fact['id']}: prefix/suffix mismatch at {c['start']}")
    return checked, errors


def _line(kind: str, tally: Tally) -> str:
    return f"{kind:<14} recall {tally.recall:6.1%} ({tally.found}/{tally.expected})  precision {tally.precision:6.1%}"


def report(served: Served, gold: dict[str, Any]) -> str:
    """The score table and every miss, for reading with ``pytest -s``."""
    orgs = score_entities(served, gold, "organisations")
    people = score_entities(served, gold, "people")
    money, money_problems = score_money(served, gold)
    events, _, statuses = score_events(served, gold)
    required, optional = score_rivalries(served, gold)
    lines = [_line("organisations", orgs), _line("people", people), _line("money", money), _line("events", events)]
    lines.append(f"clusters       missing {score_clusters(served, gold)}")
    lines.append(f"conflicts      missing {score_conflicts(served, gold)}")
    lines.append(f"rivalries      missing required {required}, optional {optional}")
    lines.append(f"event statuses differing from gold: {statuses}")
    extras: list[str] = []
    for doc in gold["documents"]:
        doc_id = served.doc_id(doc["file"])
        for kind, pool in (("organisations", served.organisations), ("people", served.people)):
            expected = {fold(n) for n in doc[kind]}
            extras += [
                f"{doc['file']}: {e['name']}" for e in pool if cited_in(e, doc_id) and not names_of(e) & expected
            ]
    details = [
        ("organisation misses", orgs.misses),
        ("people misses", people.misses),
        ("money misses", money.misses),
        ("money problems", money_problems),
        ("event misses", events.misses),
        ("negative leaks", score_negatives(served, gold)),
        ("entities served but not in the gold", extras),
    ]
    for title, items in details:
        if items:
            lines.append(f"{title}:")
            lines.extend(f"  {item}" for item in items)
    return "\n".join(lines)
