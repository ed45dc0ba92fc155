"""Rivalries and organisation relationships from explicit language in a sentence.

A rivalry needs rivalry language (rival, rivalité, ennemi juré, affrontement, concurrencer…)
and two parties in the same sentence, preferably of the same kind (two people, two companies).
"Sa propre société rivale, xAI" names one side only: the other is the document's most-cited
entity of the same kind. Adversarial events (lawsuits, bids) add rivalries in :mod:`extract`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec

from service.ingest.types import EntityMention, Sentence

RIVALRY_CUES = re.compile(
    r"\b(?:rival(?:e|es|ité|ités)?|rivaux|ennemi(?:e|s)? jur(?:é|ée|és)|affront(?:ement|ements|er|e|ent|ait|é)|"
    r"s['’]affront\w*|concurrenc(?:er|e|ent|ait)|concurrent(?:e|s|es)?|conflit|querelle|différend|"
    r"opposition|en guerre|guerre (?:de|entre)|bras de fer|adversaire)\b",
    re.IGNORECASE,
)
_ONE_SIDED = re.compile(
    r"\b(?:société|entreprise|start-?up|firme) rivale\b|\bconcurrent(?:e)? (?:de|d['’])", re.IGNORECASE
)

RELATION_PATTERNS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    # (type, pattern between the two names, True when the first name is the subsidiary/actor)
    ("subsidiary_of", re.compile(r"^\s*[,(]\s*(?:une |la )?filiale (?:de |d['’]|du )", re.IGNORECASE), True),
    (
        "founded_by_former_staff_of",
        re.compile(
            r"^\s*(?:a été|est une entreprise|,)?\s*(?:\w+ )?fondée par d['’]anciens (?:ingénieurs|employés|salariés|cadres)"
            r" (?:de |d['’]|du )",
            re.IGNORECASE,
        ),
        True,
    ),
    (
        "invested_in",
        re.compile(
            r"^\s*,?\s*(?:le |l['’])?(?:principal |premier )?(?:investisseur|bailleur de fonds) (?:de |d['’]|du )",
            re.IGNORECASE,
        ),
        True,
    ),
    (
        "partner_of",
        re.compile(r"^\s*,?\s*(?:son |le )?(?:proche )?partenaire (?:commercial )?(?:de |d['’]|du )", re.IGNORECASE),
        True,
    ),
)


@dataclass
class RivalryDraft:
    a: EntityMention
    b: EntityMention
    sentence: Sentence
    cue_start: int
    cue_end: int


@dataclass
class RelationDraft:
    type: str
    subject: EntityMention
    other: EntityMention
    start: int
    end: int


def dominant(entities: Sequence[EntityMention], kind: str, org_kinds: Mapping[str, str]) -> str | None:
    counts = Counter(e.slug for e in entities if e.kind == kind and org_kinds.get(e.slug) != "media")
    return counts.most_common(1)[0][0] if counts else None


def extract_rivalries(
    sentences: Sequence[Sentence],
    entities: Sequence[EntityMention],
    org_kinds: Mapping[str, str],
    affiliations: Mapping[str, set[str]],
) -> list[RivalryDraft]:
    """``affiliations``: person slug → organisations they lead (a leader and their company are not rivals)."""
    drafts: list[RivalryDraft] = []
    for sentence in sentences:
        cue = RIVALRY_CUES.search(sentence.text)
        if cue is None:
            continue
        cue_start, cue_end = sentence.start + cue.start(), sentence.start + cue.end()
        mentions = [
            e
            for e in entities
            if sentence.start <= e.start and e.end <= sentence.end and org_kinds.get(e.slug) != "media"
        ]
        distinct: dict[str, EntityMention] = {}
        for m in sorted(mentions, key=lambda m: abs(m.start - cue_start)):
            distinct.setdefault(m.slug, m)
        people = [m for m in distinct.values() if m.kind == "person"]
        orgs = [m for m in distinct.values() if m.kind == "organisation"]
        pair: tuple[EntityMention, EntityMention] | None = None
        one_sided = _ONE_SIDED.search(sentence.text)
        if one_sided is not None:
            # "sa propre société rivale d'IA, xAI": the rival is named right after; the other side
            # is the company the article is about.
            after = [m for m in orgs if m.start >= sentence.start + one_sided.start()]
            other = dominant(entities, "organisation", org_kinds)
            if after and other is not None and other != after[0].slug:
                anchor = next(e for e in entities if e.slug == other)
                pair = (after[0], anchor)
        if pair is None and len(people) >= 2:
            pair = (people[0], people[1])
        elif pair is None and len(people) == 1 and orgs:
            led = affiliations.get(people[0].slug, set())
            own = [o for o in orgs if o.slug in led]
            others = [o for o in orgs if o.slug not in led]
            if own and others:
                pair = (own[0], others[0])
            elif others and len(led) == 1:
                # A chief executive against a company: the contest is between the two companies.
                company = msgspec.structs.replace(people[0], kind="organisation", slug=next(iter(led)))
                pair = (company, others[0])
            elif others:
                pair = (people[0], others[0])
        elif pair is None and len(orgs) >= 2:
            pair = _org_pair(orgs, people, affiliations)
        if pair is not None and pair[0].slug != pair[1].slug:
            drafts.append(RivalryDraft(a=pair[0], b=pair[1], sentence=sentence, cue_start=cue_start, cue_end=cue_end))
    return drafts


def _org_pair(
    orgs: list[EntityMention], people: list[EntityMention], affiliations: Mapping[str, set[str]]
) -> tuple[EntityMention, EntityMention] | None:
    led = set().union(*(affiliations.get(p.slug, set()) for p in people)) if people else set()
    for i, first in enumerate(orgs):
        for second in orgs[i + 1 :]:
            if {first.slug, second.slug} <= led:
                continue
            return first, second
    return None


def extract_relations(
    text: str, sentences: Sequence[Sentence], entities: Sequence[EntityMention]
) -> list[RelationDraft]:
    """ "X, filiale de Y", "X (filiale d'Y)", "X … fondée par d'anciens ingénieurs de Y", "Y, principal investisseur de X"."""
    drafts: list[RelationDraft] = []
    orgs = sorted((e for e in entities if e.kind == "organisation"), key=lambda e: e.start)
    for sentence in sentences:
        in_sentence = [e for e in orgs if sentence.start <= e.start and e.end <= sentence.end]
        for i, first in enumerate(in_sentence):
            for second in in_sentence[i + 1 : i + 3]:
                between = text[first.end : second.start]
                if len(between) > 90 or first.slug == second.slug:
                    continue
                for type_, pattern, _ in RELATION_PATTERNS:
                    if pattern.search(between):
                        drafts.append(RelationDraft(type_, first, second, first.start, second.end))
                        break
    return drafts
