"""Relationships between organisations stated in a sentence: a subsidiary ("X, filiale de Y"),
a company founded by former staff of another ("créée par d'anciens ingénieurs de Y"), an
investor ("Y, principal investisseur de X"), a partner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.ingest.events_types import EventDraft
from service.ingest.types import EntityMention, Sentence

EXTRACTOR = "relations@1"

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
class RelationDraft:
    type: str
    subject: EntityMention
    other: EntityMention
    start: int
    end: int


def extract_relations(
    text: str, sentences: Sequence[Sentence], entities: Sequence[EntityMention]
) -> list[RelationDraft]:
    """ "X, filiale de Y", "X (filiale d'Y)", "X … créée par d'anciens salariés de Y",
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


# "Créée par d'anciens salariés de X", "trois anciens chercheurs de Y".
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


def former_staff(text: str, drafts: Sequence[EventDraft], mentions: Sequence[EntityMention]) -> list[RelationDraft]:
    """Founding sentences that say the founders came from another company."""
    out: list[RelationDraft] = []
    for d in drafts:
        if d.type != "founding":
            continue
        founded = next((m for m, role in d.participants if role == "subject" and m.kind == "organisation"), None)
        if founded is not None:
            out += former_staff_relations(text, d.sentence, founded, mentions)
    return out
