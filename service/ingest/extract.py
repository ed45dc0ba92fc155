"""Chain the pure stages over a batch of documents: clean → entities → money → dates → events → rivalries.

spaCy runs once over all sentences of a batch (``nlp.pipe``), the rest per document. The result
is one :class:`~service.ingest.facts.Extraction` per document, ready for :mod:`service.ingest.load`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from service.ingest import clean, coref, dates, entities, events, money, parse, relations, rivalries
from service.ingest.events_types import EventDraft
from service.ingest.facts import (
    EntityFact,
    EntityRef,
    Equivalent,
    EventFact,
    Extraction,
    FundingFact,
    Participant,
    RelationshipFact,
    RivalryFact,
    RoleFact,
    SegmentFact,
    Span,
)
from service.ingest.formats import LAYOUT_KEY, text_header
from service.ingest.metadata import author_from_text, publisher_from_text
from service.ingest.source import SourceFile, parse_date
from service.ingest.types import DateMention, EntityKind, EntityMention, MoneyMention, Sentence

PIPELINE_VERSION = "1.0.0"

EXTRACTORS = {
    "gazetteer": "gazetteer@1",
    "ner": "ner@1",
    "money": "money@1",
    "event": "events@1",
    "date": "dates@1",
    "rivalry": "rivalry@1",
    "relationship": "relations@1",
}
LEADER_TITLES = ("pdg", "ceo", "directeur général", "directrice générale", "président-directeur général")
DEAL_TYPES = {"investment", "acquisition", "bid", "partnership", "joint_venture", "commitment", "contract"}
ADVERSARIAL_TYPES = {"lawsuit", "bid"}
# Funding kinds whose sentence subject receives the money rather than paying it.
RECEIVING_KINDS = {"funding_round", "valuation", "revenue"}


def extract_batch(sources: Sequence[SourceFile]) -> list[Extraction]:
    """Extract every document of the batch; spaCy sees all their sentences in one stream."""
    metas = [_with_header(s.text, s.meta) for s in sources]
    pages = [clean.clean(s.text, layout) for s, (_, layout) in zip(sources, metas, strict=True)]
    parsed = parse.parse([page.sentences for page in pages])
    return [
        extract_document(source.text, meta, page, sentences)
        for source, page, (meta, _), sentences in zip(sources, pages, metas, parsed, strict=True)
    ]


def extract_text(text: str, meta: Mapping[str, Any] | None = None) -> Extraction:
    """Extract a single document (the write API's path)."""
    full, layout = _with_header(text, meta or {})
    page = clean.clean(text, layout)
    (parsed,) = parse.parse([page.sentences])
    return extract_document(text, full, page, parsed)


def _with_header(text: str, meta: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[int, int, str]]]:
    """Metadata and layout: what the file format gave, plus what a plain-text header states
    (the format's and sidecar's values win)."""
    header, ranges = text_header(text)
    return {**header, **meta}, [*_layout(meta), *ranges]


def _layout(meta: Mapping[str, Any]) -> list[tuple[int, int, str]]:
    """Ranges the file format marked as furniture or teasers (see :mod:`service.ingest.formats`)."""
    raw = meta.get(LAYOUT_KEY)
    if not isinstance(raw, list):
        return []
    return [
        (item[0], item[1], item[2])
        for item in raw
        if isinstance(item, list | tuple)
        and len(item) == 3
        and isinstance(item[0], int)
        and isinstance(item[1], int)
        and isinstance(item[2], str)
    ]


def extract_document(
    text: str, meta: Mapping[str, Any], page: clean.CleanedPage, parsed: Sequence[parse.ParsedSentence]
) -> Extraction:
    gazetteer = entities.load_gazetteer()
    sentences = [p.sentence for p in parsed]
    docs = [p.doc for p in parsed]
    published_on = parse_date(meta.get("published_on")) or dates.published_on_from_meta(meta)
    if published_on is None:
        published_on = dates.published_on_from_text(text)

    mentions = entities.find_entities(text, sentences, docs, exclude_names=page.byline_names)
    new = {e.slug: e for e in entities.new_entities(mentions, text)}
    org_kinds = dict(_org_kinds(mentions, gazetteer, new))
    amounts: list[tuple[MoneyMention, str, Sentence]] = []
    date_mentions: list[DateMention] = []
    for sentence in sentences:
        date_mentions += dates.find_dates(text, sentence.start, sentence.end, published_on=published_on)
        for m in money.find_money(text, sentence.start, sentence.end):
            kind = money.classify_money_kind(sentence.text, m.start - sentence.start, m.end - sentence.start)
            if kind is not None:
                amounts.append((m, kind, sentence))

    entity_facts = _entity_facts(mentions, gazetteer, new)
    title = _title(_str(meta.get("title")) or page.title)
    # Descriptions ("la start-up française", "le patron de Meta") take part in events, money and
    # rivalries as the entity they stand for; they are not names, so not entity mentions.
    # "le patron de Meta": the gazetteer's chief executive. Other descriptions and pronouns are
    # resolved from the parse by the coreference stage.
    references = [
        r for r in entities.find_references(text, sentences, mentions, org_kinds, title) if r.kind == "person"
    ]
    actors = sorted([*mentions, *references], key=lambda m: (m.start, -m.end))
    leaders = _leaders(gazetteer, {m.slug for m in actors if m.kind == "person"})
    resolution = coref.resolve(parsed, actors, org_kinds)
    drafts = events.extract_events(
        parsed, resolution, actors, [m for m, _, _ in amounts], date_mentions, org_kinds, text
    )
    named = {m.slug for m in mentions}
    event_facts = [_event_fact(d, leaders, published_on, named) for d in drafts]
    funding_facts = [
        _funding_fact(text, m, kind, sentence, sentences, actors, drafts, org_kinds, leaders, gazetteer, published_on)
        for m, kind, sentence in amounts
    ]
    _share_equivalents(funding_facts)
    rivalry_facts = _rivalry_facts(
        rivalries.extract_rivalries(parsed, resolution, actors, drafts, org_kinds, leaders, text)
    )
    relationship_facts = [
        RelationshipFact(
            type=r.type,
            organisation=r.subject.slug,
            other_organisation=r.other.slug,
            spans=[Span(r.start, r.end, EXTRACTORS["relationship"], 0.8)],
        )
        for r in [*relations.extract_relations(text, sentences, mentions), *_former_staff(text, drafts, mentions)]
    ]
    return Extraction(
        title=title,
        publisher=_str(meta.get("publisher")) or publisher_from_text(text),
        author=_str(meta.get("author")) or author_from_text(text, page.byline_names),
        url=_str(meta.get("url")),
        language=(_str(meta.get("language")) or "fr").lower()[:8],
        published_on=published_on,
        segments=[SegmentFact(s.start, s.end, s.kind) for s in page.segments],
        entities=entity_facts,
        events=event_facts,
        funding=funding_facts,
        rivalries=rivalry_facts,
        relationships=relationship_facts,
    )


def _former_staff(
    text: str, drafts: Sequence[EventDraft], mentions: Sequence[EntityMention]
) -> list[relations.RelationDraft]:
    """Founding sentences that say the founders came from another company."""
    out: list[relations.RelationDraft] = []
    for d in drafts:
        if d.type != "founding":
            continue
        founded = next((m for m, role in d.participants if role == "subject" and m.kind == "organisation"), None)
        if founded is not None:
            out += relations.former_staff_relations(text, d.sentence, founded, mentions)
    return out


def _share_equivalents(facts: Sequence[FundingFact]) -> None:
    """The same amount told twice (a title, then the body with its conversion) is one fact: each
    mention carries the conversion either gives."""
    known: dict[tuple[str, float | None, str | None, str, str | None], list[Equivalent]] = {}
    for f in facts:
        key = (f.kind, f.amount, f.currency, f.qualifier, f.recipient.slug if f.recipient else None)
        if f.equivalents and f.amount is not None:
            known.setdefault(key, f.equivalents)
    for f in facts:
        key = (f.kind, f.amount, f.currency, f.qualifier, f.recipient.slug if f.recipient else None)
        if not f.equivalents and key in known:
            f.equivalents = list(known[key])


def _organisation(gazetteer: entities.Gazetteer, slug: str) -> entities.Organisation | None:
    record = gazetteer.get(slug)
    return record if isinstance(record, entities.Organisation) else None


def _person(gazetteer: entities.Gazetteer, slug: str) -> entities.Person | None:
    record = gazetteer.get(slug)
    return record if isinstance(record, entities.Person) else None


def _str(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


def _title(title: str | None) -> str | None:
    """A Markdown heading's "#" marks are layout, not part of the title."""
    return _MARKDOWN_HEADING.sub("", title).strip() or None if title else None


def _name_like(surface: str) -> bool:
    """A surface form worth keeping as an alias: a name ("OpenAI", "xAI"), not a description
    ("groupe de Redmond") — descriptions start with a lower-case word."""
    first = surface.split()[0] if surface.split() else ""
    return any(ch.isupper() or ch.isdigit() for ch in first)


def _org_kinds(
    mentions: Sequence[EntityMention], gazetteer: entities.Gazetteer, new: Mapping[str, entities.NewEntity]
) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for m in mentions:
        if m.kind != "organisation":
            continue
        record = _organisation(gazetteer, m.slug)
        kinds[m.slug] = record.kind if record else (new[m.slug].org_kind if m.slug in new else None) or "other"
    return kinds


def _entity_facts(
    mentions: Sequence[EntityMention], gazetteer: entities.Gazetteer, new: Mapping[str, entities.NewEntity]
) -> list[EntityFact]:
    grouped: dict[tuple[EntityKind, str], list[EntityMention]] = defaultdict(list)
    for m in mentions:
        grouped[(m.kind, m.slug)].append(m)
    facts: list[EntityFact] = []
    # Organisations first: people's roles point at them.
    for (kind, slug), group in sorted(grouped.items(), key=lambda item: (item[0][0] != "organisation", item[0][1])):
        spans = [Span(m.start, m.end, EXTRACTORS[m.source], m.confidence) for m in group]
        surface = sorted({m.text for m in group if m.text and _name_like(m.text)})
        if kind == "organisation":
            org = _organisation(gazetteer, slug)
            if org is not None:
                facts.append(
                    EntityFact(
                        kind=kind,
                        slug=slug,
                        name=org.name,
                        aliases=sorted(set(org.aliases) | set(surface) - {org.name}),
                        org_kind=org.kind,
                        country=org.country,
                        description=org.description,
                        in_gazetteer=True,
                        roles=[],
                        spans=spans,
                    )
                )
                continue
        else:
            person = _person(gazetteer, slug)
            if person is not None:
                facts.append(
                    EntityFact(
                        kind=kind,
                        slug=slug,
                        name=person.name,
                        aliases=sorted(set(person.aliases) | set(surface) - {person.name}),
                        org_kind=None,
                        country=None,
                        description=None,
                        in_gazetteer=True,
                        roles=[RoleFact(organisation=r.organisation, title=r.title) for r in person.roles],
                        spans=spans,
                    )
                )
                continue
        found = new.get(slug)
        name = found.name if found else max(surface or [group[0].name], key=len)
        facts.append(
            EntityFact(
                kind=kind,
                slug=slug,
                name=name,
                aliases=[s for s in surface if s != name],
                org_kind=(found.org_kind if found else None) or ("other" if kind == "organisation" else None),
                country=None,
                description=None,
                in_gazetteer=False,
                roles=[],
                spans=spans,
            )
        )
    return facts


def _leaders(gazetteer: entities.Gazetteer, people: set[str]) -> dict[str, set[str]]:
    """Person slug → organisations they run (CEO-like titles), from the gazetteer."""
    out: dict[str, set[str]] = {}
    for slug in people:
        person = _person(gazetteer, slug)
        if person is None:
            continue
        led = {r.organisation for r in person.roles if r.organisation and r.title.casefold() in LEADER_TITLES}
        if led:
            out[slug] = led
    return out


def _date_value(mention: DateMention) -> str:
    """How a date claim is compared across sources: the resolved value at its precision, else its words."""
    if mention.value is None:
        return mention.text.replace("’", "'")
    if mention.precision == "year":
        return f"{mention.value.year}"
    if mention.precision == "month":
        return mention.value.strftime("%Y-%m")
    return mention.value.isoformat()


def _event_fact(
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
    title = f"{events.TYPE_LABELS[draft.type]} — {', '.join(names[:4])}"
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


_RECIPIENT_CUE = re.compile(
    r"(?:\bdans|\bpour (?:reprendre|racheter|acquérir)|\breprendre|\bracheter|\bacquérir|\bau capital d['’]e?|"
    r"\bà destination d['’]e?)\s*(?:la |le |l['’]|les )?(?:[\w-]+ ){0,3}$",
    re.IGNORECASE,
)
_PROJECT_WORDS = re.compile(
    r"\b(?:coentreprise|projet|entité|initiative|programme|consortium|investissement)\b", re.IGNORECASE
)


def _payer_side(
    mention: EntityMention, leaders: Mapping[str, set[str]], gazetteer: entities.Gazetteer
) -> EntityRef | None:
    """Who pays for a deal a person announces: their company when they run exactly one; politicians pay nothing."""
    if mention.kind == "organisation":
        return EntityRef("organisation", mention.slug)
    led = leaders.get(mention.slug, set())
    if len(led) == 1:
        return EntityRef("organisation", next(iter(led)))
    person = _person(gazetteer, mention.slug)
    if person is not None and any(r.organisation is None for r in person.roles):
        return None  # an office holder announcing public money is not paying it
    return EntityRef("person", mention.slug)


def _funding_fact(
    text: str,
    mention: MoneyMention,
    kind: str,
    sentence: Sentence,
    sentences: Sequence[Sentence],
    mentions: Sequence[EntityMention],
    drafts: Sequence[EventDraft],
    org_kinds: Mapping[str, str],
    leaders: Mapping[str, set[str]],
    gazetteer: entities.Gazetteer,
    published_on: dt.date | None,
) -> FundingFact:
    in_sentence = [
        e for e in mentions if sentence.start <= e.start and e.end <= sentence.end and org_kinds.get(e.slug) != "media"
    ]
    subject = in_sentence[0] if in_sentence else None
    payer: EntityRef | None = None
    recipient: EntityRef | None = None
    if kind in RECEIVING_KINDS:
        # "xAI a levé…", "son chiffre d'affaires…": the money is the sentence subject's.
        if subject is not None:
            recipient = _payer_side(subject, leaders, gazetteer)
    else:
        if subject is not None and subject.end <= mention.start:
            payer = _payer_side(subject, leaders, gazetteer)
        # The receiving side is named after a cue ("dans X", "pour reprendre X"), or is the project
        # (a joint venture, a programme) this sentence or its neighbours name.
        for e in in_sentence:
            if (
                e.kind == "organisation"
                and e.start >= mention.end
                and _RECIPIENT_CUE.search(text[mention.end : e.start])
            ):
                recipient = EntityRef("organisation", e.slug)
                break
        if recipient is None:
            index = next((i for i, s in enumerate(sentences) if s.start == sentence.start), 0)
            nearby = sentences[max(0, index - 1) : index + 2]
            projects = [
                e
                for e in mentions
                if org_kinds.get(e.slug) == "other"
                and e.kind == "organisation"
                and any(s.start <= e.start and e.end <= s.end for s in nearby)
            ]
            in_this = [e for e in projects if sentence.start <= e.start and e.end <= sentence.end]
            if in_this or (projects and _PROJECT_WORDS.search(sentence.text)):
                recipient = EntityRef("organisation", (in_this or projects)[0].slug)
        if payer is not None and recipient is not None and payer.slug == recipient.slug:
            payer = None
    event_index = next(
        (i for i, d in enumerate(drafts) if d.sentence.start == sentence.start and mention in d.money), None
    )
    if event_index is None:
        event_index = next((i for i, d in enumerate(drafts) if d.sentence.start == sentence.start), None)
    event = drafts[event_index] if event_index is not None else None
    on = event.date.value if event is not None and event.date is not None else None
    amount_usd, rate_on = (None, None)
    if mention.amount is not None and mention.currency:
        amount_usd, rate_on = money.to_usd(mention.amount, mention.currency, on or published_on)
    return FundingFact(
        kind=kind,
        amount=mention.amount,
        currency=mention.currency,
        qualifier=mention.qualifier,
        amount_usd=amount_usd,
        fx_rate_on=rate_on,
        equivalents=[Equivalent(amount=e.amount, currency=e.currency) for e in mention.equivalents],
        amount_text=mention.text,
        payers=[payer] if payer is not None else [],
        recipient=recipient,
        event_index=event_index,
        occurred_on=on,
        date_precision=event.date.precision if event is not None and event.date is not None and on else None,
        status=event.status if event is not None else "reported",
        spans=[Span(mention.start, mention.end, EXTRACTORS["money"], 0.9)],
    )


def _rivalry_facts(drafts: Sequence[rivalries.RivalryDraft]) -> list[RivalryFact]:
    """One fact per pair of parties, citing every sentence that sets them against each other."""
    found: dict[tuple[str, str], RivalryFact] = {}
    for draft in drafts:
        a, b = EntityRef(draft.a.kind, draft.a.slug), EntityRef(draft.b.kind, draft.b.slug)
        first, second = sorted((a.slug, b.slug))
        fact = found.setdefault((first, second), RivalryFact(parties=(a, b), spans=[]))
        span = Span(draft.sentence.start, draft.sentence.end, EXTRACTORS["rivalry"], 0.8)
        if span not in fact.spans:
            fact.spans.append(span)
    return list(found.values())
