"""The extraction pipeline, one straight line over one parsed document:

    source → clean → parse → entities → dates, money → coreference → events → cluster → money facts
    → rivalries, relationships

Each stage is a pure function of what the earlier ones found; this module only chains them. spaCy
runs once over all sentences of a batch (:func:`parse.parse`), the rest per document. The result is
one :class:`~service.ingest.facts.Extraction` per document, for :mod:`service.ingest.load` (the only
stage that writes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service.ingest import (
    clean,
    cluster,
    coref,
    dates,
    entities,
    entity_facts,
    event_facts,
    events,
    funding,
    metadata,
    money,
    money_kinds,
    parse,
    relations,
    rivalries,
)
from service.ingest.facts import Extraction, RelationshipFact, SegmentFact, Span
from service.ingest.source import SourceFile, parse_date
from service.ingest.types import DateMention, MoneyMention, Sentence

# Part of the corpus digest: a new version re-extracts every document on the next `rivalry up`.
PIPELINE_VERSION = "2.1.0"


def extract_batch(sources: Sequence[SourceFile]) -> list[Extraction]:
    """Extract every document of the batch; spaCy sees all their sentences in one stream."""
    metas = [metadata.with_header(s.text, s.meta) for s in sources]
    pages = [clean.clean(s.text, layout) for s, (_, layout) in zip(sources, metas, strict=True)]
    parsed = parse.parse([page.sentences for page in pages])
    return [
        extract_document(source.text, meta, page, sentences)
        for source, page, (meta, _), sentences in zip(sources, pages, metas, parsed, strict=True)
    ]


def extract_text(text: str, meta: Mapping[str, Any] | None = None) -> Extraction:
    """Extract a single document (the write API's path)."""
    full, layout = metadata.with_header(text, meta or {})
    page = clean.clean(text, layout)
    (parsed,) = parse.parse([page.sentences])
    return extract_document(text, full, page, parsed)


def extract_document(
    text: str, meta: Mapping[str, Any], page: clean.CleanedPage, parsed: Sequence[parse.ParsedSentence]
) -> Extraction:
    gazetteer = entities.load_gazetteer()
    sentences = [p.sentence for p in parsed]
    published_on = (
        parse_date(meta.get("published_on")) or dates.published_on_from_meta(meta) or dates.published_on_from_text(text)
    )
    title = metadata.title(metadata.clean_str(meta.get("title")) or page.title)

    # entities
    mentions = entities.find_entities(text, sentences, [p.doc for p in parsed], exclude_names=page.byline_names)
    new = {e.slug: e for e in entities.new_entities(mentions, text)}
    org_kinds = entity_facts.org_kinds(mentions, gazetteer, new)
    # "le patron de Meta": the chief executive the gazetteer knows. Other descriptions and pronouns
    # are resolved from the parse by the coreference stage.
    references = [
        r for r in entities.find_references(text, sentences, mentions, org_kinds, title) if r.kind == "person"
    ]
    actors = sorted([*mentions, *references], key=lambda m: (m.start, -m.end))
    leaders = entity_facts.leaders(gazetteer, {m.slug for m in actors if m.kind == "person"})

    # dates and money
    date_mentions: list[DateMention] = []
    amounts: list[MoneyMention] = []
    kinds: list[tuple[MoneyMention, str, Sentence]] = []
    for sentence in sentences:
        date_mentions += dates.find_dates(text, sentence.start, sentence.end, published_on=published_on)
        for m in money.find_money(text, sentence.start, sentence.end):
            amounts.append(m)
            kind = money_kinds.classify_money_kind(sentence.text, m.start - sentence.start, m.end - sentence.start)
            if kind is not None:
                kinds.append((m, kind, sentence))

    # events, then one event per real-world event of the document
    resolution = coref.resolve(parsed, actors, org_kinds)
    stated = entity_facts.roles_in_text(parsed, resolution, actors, org_kinds, text)
    leads = entity_facts.leads(leaders, stated)
    drafts = events.extract_events(parsed, resolution, actors, amounts, date_mentions, org_kinds, text)
    named = {m.slug for m in mentions}
    reported = [event_facts.event_fact(d, leaders, published_on, named) for d in drafts]
    written = [[(m.amount, m.currency) for m in d.money if m.amount is not None and m.currency] for d in drafts]
    merged, became = cluster.merge_document(reported, written)

    money_facts = [
        funding.funding_fact(
            text, m, kind, sentence, sentences, actors, drafts, org_kinds, leaders, gazetteer, published_on, became
        )
        for m, kind, sentence in kinds
    ]
    funding.share_equivalents(money_facts)
    rivalry_drafts = rivalries.extract_rivalries(parsed, resolution, actors, drafts, org_kinds, leads, text)
    relationship_drafts = [
        *relations.extract_relations(text, sentences, mentions),
        *relations.former_staff(text, drafts, mentions),
    ]
    return Extraction(
        title=title,
        publisher=metadata.clean_str(meta.get("publisher")) or metadata.publisher_from_text(text),
        author=metadata.clean_str(meta.get("author")) or metadata.author_from_text(text, page.byline_names),
        url=metadata.clean_str(meta.get("url")),
        language=(metadata.clean_str(meta.get("language")) or "fr").lower()[:8],
        published_on=published_on,
        segments=[SegmentFact(s.start, s.end, s.kind) for s in page.segments],
        entities=entity_facts.entity_facts(mentions, gazetteer, new, stated),
        events=merged,
        funding=money_facts,
        rivalries=rivalries.to_facts(rivalry_drafts),
        relationships=[
            RelationshipFact(
                type=r.type,
                organisation=r.subject.slug,
                other_organisation=r.other.slug,
                spans=[Span(r.start, r.end, relations.EXTRACTOR, 0.8)],
            )
            for r in relationship_drafts
        ],
    )
