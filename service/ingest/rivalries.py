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
    r"\b(?:rival(?:e|es|ité|ités)?|rivaux|rivalis(?:er|e|es|ent|ait|aient|ant|era)|ennemi(?:e|s)? jur(?:é|ée|és)|"
    r"affront(?:ement|ements|er|e|ent|ait|é)|s['’]affront\w*|concurrenc(?:er|e|ent|ait)|concurrent(?:e|s|es)?|"
    r"conflit|querelle|différend|opposition|en guerre|guerre (?:de|entre)|bras de fer|adversaires?|duels?)\b",
    re.IGNORECASE,
)
# "la rivalité entre X et Y", "le duel entre X et Y"
_BETWEEN = re.compile(r"\bentre\s+$", re.IGNORECASE)
# "le principal rival européen d'OpenAI", "concurrent de X", "rivalise avec X", "son duel avec X"
_TOWARDS = re.compile(
    r"^(?:\s+[\w’'-]+){0,2}?\s*(?:de\s+la\s+|de\s+l['’]|du\s+|de\s+|d['’]\s?|avec\s+(?:ceux\s+|celles?\s+|celui\s+)?(?:de\s+|d['’]\s?)?|contre\s+)"
    r"|^\s+(?=[A-ZÀ-Ý])",
    re.IGNORECASE,
)
_ONE_SIDED_BEFORE = re.compile(r"\b(?:société|entreprise|start-?up|firme|groupe)\s+$", re.IGNORECASE)
_POSSESSIVE_BEFORE = re.compile(r"\b(?:son|sa|ses|leur|leurs)\s+(?:[\w’'-]+\s+)?$", re.IGNORECASE)
# "ne cherchons pas à concurrencer Siemens": a denied rivalry is none.
_NEGATED = re.compile(
    r"\b(?:ne|n['’])\s*(?:[\w’'-]+\s+){1,2}(?:pas|plus|jamais)\s+(?:[\w’'-]+\s+){0,2}$|\bsans\s+$", re.IGNORECASE
)
_COMPLEMENT = re.compile(
    r"(?:\b(?:de|du|des|chez|par|pour|avec|à|au|aux|contre|dans|sur|entre|auprès|lesquels|lesquelles)\s+|\bd['’]\s?)"
    r"(?:(?:la|le|les)\s+|l['’]\s?)?(?:[\w’'-]+\s+){0,1}$",
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
            r"^\s*(?:a été|est une entreprise|,)?\s*(?:\w+ )?fondée par d['’]anciens "
            r"(?:ingénieurs|employés|salariés|cadres)"
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
        # A cue inside a name ("Autorité de la concurrence") says nothing.
        names = [
            (e.start - sentence.start, e.end - sentence.start)
            for e in entities
            if sentence.start <= e.start < sentence.end
        ]
        cue = next(
            (c for c in RIVALRY_CUES.finditer(sentence.text) if not any(a <= c.start() < b for a, b in names)), None
        )
        if cue is None:
            continue
        cue_start, cue_end = sentence.start + cue.start(), sentence.start + cue.end()
        if _NEGATED.search(sentence.text, 0, cue.start()):
            continue
        mentions = [
            e
            for e in entities
            if sentence.start <= e.start and e.end <= sentence.end and org_kinds.get(e.slug) != "media"
        ]
        directed = _directed_pair(sentence, cue.start(), cue.end(), mentions, entities, org_kinds, affiliations)
        if directed is not None:
            drafts.append(
                RivalryDraft(a=directed[0], b=directed[1], sentence=sentence, cue_start=cue_start, cue_end=cue_end)
            )
            continue
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


def _directed_pair(
    sentence: Sentence,
    cue_start: int,
    cue_end: int,
    mentions: Sequence[EntityMention],
    entities: Sequence[EntityMention],
    org_kinds: Mapping[str, str],
    affiliations: Mapping[str, set[str]],
) -> tuple[EntityMention, EntityMention] | None:
    """The two sides where the grammar names them: "la rivalité entre X et Y"; "X, … rival de Y";
    "son duel avec Y" (X the sentence's subject); "rivalise avec Y" with no X (the text's main entity).

    Offsets are relative to the sentence text. A person facing a company stands for the company
    they run.
    """
    text = sentence.text
    if _ONE_SIDED_BEFORE.search(text, 0, cue_start):
        return None  # "sa propre société rivale, xAI": the name after is the rival itself
    rel = [(m, m.start - sentence.start, m.end - sentence.start) for m in mentions]
    after = [(m, a, b) for m, a, b in rel if a >= cue_end]
    pair: tuple[EntityMention, EntityMention] | None = None
    if after and _BETWEEN.search(text, cue_end, after[0][1]) and len(text[cue_end : after[0][1]]) <= 30:
        others = [m for m, _, _ in after[1:] if m.slug != after[0][0].slug]
        if others:
            pair = (after[0][0], others[0])
    elif after and after[0][1] - cue_end <= 40 and _TOWARDS.match(text[cue_end : after[0][1]]):
        target = after[0][0]
        before = [(m, a, b) for m, a, b in rel if b <= cue_start and m.slug != target.slug]
        if _POSSESSIVE_BEFORE.search(text, 0, cue_start):
            side = next((m for m, a, _ in before if not _COMPLEMENT.search(text, max(0, a - 30), a)), None)
        else:
            side = next((m for m, a, _ in reversed(before) if not _COMPLEMENT.search(text, max(0, a - 30), a)), None)
        if side is None:
            top = dominant([e for e in entities if e.slug != target.slug], target.kind, org_kinds)
            side = next((e for e in entities if e.slug == top), None)
        if side is not None:
            pair = (side, target)
    if pair is None:
        return None
    a, b = pair
    if a.kind != b.kind:
        # "rival de l'entreprise de Sam Altman": the person stands for the company they run.
        a, b = (_company_of(x, affiliations) for x in (a, b))
    if a.slug == b.slug or a.kind != b.kind:
        return None
    return a, b


def _company_of(m: EntityMention, affiliations: Mapping[str, set[str]]) -> EntityMention:
    led = affiliations.get(m.slug, set())
    if m.kind == "person" and len(led) == 1:
        return msgspec.structs.replace(m, kind="organisation", slug=next(iter(led)))
    return m


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
    """ "X, filiale de Y", "X (filiale d'Y)", "X … fondée par d'anciens ingénieurs de Y",
    "Y, principal investisseur de X"."""
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


# "Fondée par d'anciens salariés d'OpenAI", "deux anciens ingénieurs de Dassault Systèmes".
_FORMER_STAFF_RE = re.compile(
    r"\b(?:d['’]anciens?|d['’]anciennes|anciens?|anciennes?|ex-)\s+(?:[\w-]+\s+){0,1}?"
    r"(?:salarié|employé|ingénieur|cadre|chercheur|chercheuse|dirigeant|membre|collaborateur|collaboratrice|"
    r"responsable|développeur|développeuse)(?:e|s|es)?\s+(?:de\s+la\s+|de\s+|du\s+|d['’]\s?|chez\s+)$",
    re.IGNORECASE,
)


def former_staff_relations(
    text: str, sentence: Sentence, founded: EntityMention, entities: Sequence[EntityMention]
) -> list[RelationDraft]:
    """In a founding sentence, the company the founders used to work for."""
    drafts: list[RelationDraft] = []
    for e in entities:
        if (
            e.kind == "organisation"
            and sentence.start <= e.start
            and e.end <= sentence.end
            and e.slug != founded.slug
            and _FORMER_STAFF_RE.search(text, max(sentence.start, e.start - 60), e.start)
        ):
            drafts.append(RelationDraft("founded_by_former_staff_of", founded, e, sentence.start, sentence.end))
    return drafts
