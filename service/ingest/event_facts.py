"""Event drafts as the facts a document reports: titles, participants (a chief executive's deal
is also their company's), dates and the claims other documents may contradict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from service.ingest.events import TYPE_LABELS
from service.ingest.events_types import EventDraft
from service.ingest.facts import EntityRef, EventFact, Participant, Span
from service.ingest.types import DateMention

EXTRACTORS = {"event": "events@1", "date": "dates@1"}
DEAL_TYPES = {"investment", "acquisition", "bid", "partnership", "joint_venture", "commitment", "contract"}


def _date_value(mention: DateMention) -> str:
    """How a date claim is compared across sources: the resolved value at its precision, else its words."""
    if mention.value is None:
        return mention.text.replace("’", "'")
    if mention.precision == "year":
        return f"{mention.value.year}"
    if mention.precision == "month":
        return mention.value.strftime("%Y-%m")
    return mention.value.isoformat()


def event_fact(
    draft: EventDraft, leaders: Mapping[str, set[str]], published_on: dt.date | None, named: set[str]
) -> EventFact:
    participants = [Participant(ref=EntityRef(kind=m.kind, slug=m.slug), role=role) for m, role in draft.participants]
    present = {p.ref.slug for p in participants}
    if draft.type in DEAL_TYPES:
        # "Sam Altman approached Stoke Space": a chief executive's deal is their company's deal,
        # when the article names that company.
        for m, role in draft.participants:
            led = leaders.get(m.slug, set()) & named
            if m.kind == "person" and len(led) == 1 and next(iter(led)) not in present:
                org = next(iter(led))
                participants.append(Participant(ref=EntityRef(kind="organisation", slug=org), role=role))
                present.add(org)
    sentence = draft.sentence
    spans = [Span(sentence.start, sentence.end, EXTRACTORS["event"], 0.75)]
    claims: dict[str, tuple[str, Span]] = {}
    date = draft.date
    if date is not None:
        claims["occurred_on"] = (
            _date_value(date),
            Span(date.start, date.end, EXTRACTORS["date"], 0.8, field="occurred_on", value=_date_value(date)),
        )
    if draft.reported is not None:
        rep = draft.reported
        claims["reported_on"] = (
            _date_value(rep),
            Span(rep.start, rep.end, EXTRACTORS["date"], 0.8, field="reported_on", value=_date_value(rep)),
        )
    names = []
    for m, _ in draft.participants:
        if m.name not in names:
            names.append(m.name)
    title = f"{TYPE_LABELS[draft.type]} — {', '.join(names[:4])}"
    return EventFact(
        type=draft.type,
        title=title,
        summary=sentence.text.strip()[:500],
        status=draft.status,
        occurred_on=date.value if date is not None else None,
        date_precision=date.precision if date is not None and date.value is not None else None,
        date_text=date.text if date is not None else None,
        reported_on=draft.reported.value if draft.reported is not None else published_on,
        participants=participants,
        spans=spans,
        claims=claims,
    )
