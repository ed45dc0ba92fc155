"""Money facts: each amount of a fact-bearing sentence, its kind, who pays and who receives it
(stage "money", after events, which say who invests in whom).

The payer and the recipient are the roles of the event the amount sits in (its investor,
acquirer or bidder; its target); without one, the sentence's subject and the names after a
cue ("dans X", "pour reprendre X") stand in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from service.ingest import entities, money
from service.ingest.events_types import EventDraft
from service.ingest.facts import EntityRef, Equivalent, FundingFact, Span
from service.ingest.types import EntityMention, MoneyMention, Sentence

EXTRACTOR = "money@1"
# Funding kinds whose sentence subject receives the money rather than paying it.
RECEIVING_KINDS = {"funding_round", "valuation", "revenue"}
PAYING_ROLES = ("investor", "acquirer", "bidder")


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
    person = gazetteer.get(mention.slug)
    if isinstance(person, entities.Person) and any(r.organisation is None for r in person.roles):
        return None  # an office holder announcing public money is not paying it
    return EntityRef("person", mention.slug)


def funding_fact(
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
    became: Sequence[int],
) -> FundingFact:
    """One amount as a money fact; ``became``: the index of the document's (merged) event each draft became."""
    event_index = _event_of(mention, sentence, drafts)
    event = drafts[event_index] if event_index is not None else None
    payer, recipient = _sides(event, kind, leaders, gazetteer) if event is not None else (None, None)
    if payer is None and recipient is None:
        payer, recipient = _sides_by_words(
            text, mention, kind, sentence, sentences, mentions, org_kinds, leaders, gazetteer
        )
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
        event_index=became[event_index] if event_index is not None else None,
        occurred_on=on,
        date_precision=event.date.precision if event is not None and event.date is not None and on else None,
        status=event.status if event is not None else "reported",
        spans=[Span(mention.start, mention.end, EXTRACTOR, 0.9)],
    )


def _event_of(mention: MoneyMention, sentence: Sentence, drafts: Sequence[EventDraft]) -> int | None:
    """The event an amount belongs to: one whose clause holds it, else one of its sentence."""
    same = [i for i, d in enumerate(drafts) if d.sentence.start == sentence.start and d.type != "statement"]
    holding = [i for i in same if mention in drafts[i].money]
    if holding:
        return min(holding, key=lambda i: abs(drafts[i].trigger_start - mention.start))
    return same[0] if same else None


def _sides(
    event: EventDraft, kind: str, leaders: Mapping[str, set[str]], gazetteer: entities.Gazetteer
) -> tuple[EntityRef | None, EntityRef | None]:
    """Who pays and who receives, from the roles of the event the amount is part of."""
    if event.type == "lawsuit":
        # a fine or damages: the side a case is brought against pays the side that brought it
        owed = [m for m, role in event.participants if role == "defendant"]
        owing = [m for m, role in event.participants if role == "plaintiff"]
        return (
            EntityRef(owed[0].kind, owed[0].slug) if owed else None,
            EntityRef(owing[0].kind, owing[0].slug) if owing else None,
        )
    payers = [m for m, role in event.participants if role in PAYING_ROLES]
    targets = [m for m, role in event.participants if role == "target"]
    if kind in ("valuation", "revenue"):
        owner = targets or [m for m, role in event.participants if role in ("actor", "subject")]
        return None, (_payer_side(owner[0], leaders, gazetteer) if owner else None)
    payer = _payer_side(payers[0], leaders, gazetteer) if payers else None
    recipient = EntityRef(targets[0].kind, targets[0].slug) if targets else None
    if payer is not None and recipient is not None and payer.slug == recipient.slug:
        payer = None
    return payer, recipient


def _sides_by_words(
    text: str,
    mention: MoneyMention,
    kind: str,
    sentence: Sentence,
    sentences: Sequence[Sentence],
    mentions: Sequence[EntityMention],
    org_kinds: Mapping[str, str],
    leaders: Mapping[str, set[str]],
    gazetteer: entities.Gazetteer,
) -> tuple[EntityRef | None, EntityRef | None]:
    """Without an event: the sentence's subject pays (or, for a round, a valuation or revenue,
    receives), and the receiving side is named after a cue ("dans X", "pour reprendre X") or is
    the project (a joint venture, a programme) this sentence or its neighbours name."""
    in_sentence = [
        e for e in mentions if sentence.start <= e.start and e.end <= sentence.end and org_kinds.get(e.slug) != "media"
    ]
    subject = in_sentence[0] if in_sentence else None
    payer: EntityRef | None = None
    recipient: EntityRef | None = None
    if kind in RECEIVING_KINDS:
        return None, (_payer_side(subject, leaders, gazetteer) if subject is not None else None)
    if subject is not None and subject.end <= mention.start:
        payer = _payer_side(subject, leaders, gazetteer)
    for e in in_sentence:
        if e.kind == "organisation" and e.start >= mention.end and _RECIPIENT_CUE.search(text[mention.end : e.start]):
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
    return payer, recipient


def share_equivalents(facts: Sequence[FundingFact]) -> None:
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
