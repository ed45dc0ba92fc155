"""What the extraction tests read of one short text: its events, their roles, its rivalry pairs."""

from __future__ import annotations

from service.ingest.extract import extract_text
from service.ingest.facts import EventFact, Extraction

META = {"published_on": "2025-03-12"}


def extract(text: str) -> Extraction:
    return extract_text(text, META)


def events_of(text: str, type_: str | None = None) -> list[EventFact]:
    return [e for e in extract(text).events if type_ is None or e.type == type_]


def roles(event: EventFact) -> dict[str, str]:
    return {p.ref.slug: p.role for p in event.participants}


def pairs(text: str) -> set[frozenset[str]]:
    return {frozenset(p.slug for p in r.parties) for r in extract(text).rivalries}


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset({a, b})
