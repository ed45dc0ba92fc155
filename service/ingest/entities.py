"""Find organisations and people mentioned in an article and resolve them to stable slugs.

Three layers, most trusted first:

1. the curated gazetteer (``seeds/knowledge``, :mod:`service.ingest.gazetteer`): names and
   aliases matched on word tokens with a token trie, so French elisions (``d’OpenAI``), hashtags
   and quotes need no special casing;
2. spaCy NER for names the gazetteer lacks, kept only when the context says what they are
   (:mod:`service.ingest.ner_mentions`; spaCy's labels on tech names are unreliable: ``xAI``
   comes out as PER or LOC);
3. in-text coreference (:mod:`service.ingest.mentions`): a surname or an organisation's first
   word, once the full name has been seen in the same text (``Lapsa`` → Andy Lapsa, ``Stoke`` →
   Stoke Space).

Places (``places.json``) are never organisations, except a country or capital that is the subject
of a government act (``Pékin a restreint…``): it stands for its government
(:mod:`service.ingest.governments`). Descriptions that stand for an entity ("la start-up
française") are found by :func:`find_references` (:mod:`service.ingest.references`).

Offsets are Python string indices into the verbatim text: ``text[m.start:m.end] == m.text``.

Confidence: gazetteer full name 0.99, other alias 0.97, surname / case variant / corroborated
short form 0.95; a first name sharing a listed surname 0.9; a country acting as its government
0.85; fuzzy match 0.8–0.9; a company's division 0.8; NER with context cues 0.6–0.8 (new
entities); anything below 0.6 is dropped.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import msgspec

from service.ingest.gazetteer import (
    Gazetteer,
    Organisation,
    Person,
    Place,
    Places,
    Role,
    Stoplist,
    _fold,
    _tokenize,
    load_gazetteer,
    slugify,
)
from service.ingest.governments import _government_pass
from service.ingest.mentions import (
    MIN_CONFIDENCE,
    _division_pass,
    _Exclusions,
    _gazetteer_pass,
    _in_text_pass,
    _propagation_pass,
    _SentCtx,
    _weak_pass,
)
from service.ingest.ner_mentions import _apposition_pass, _ner_pass, _shared_surname_pass
from service.ingest.nlp import load_nlp
from service.ingest.references import find_references
from service.ingest.types import EntityKind, EntityMention, Sentence

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = [
    "Gazetteer",
    "NewEntity",
    "Organisation",
    "Person",
    "Place",
    "Places",
    "Role",
    "Stoplist",
    "find_entities",
    "find_references",
    "load_gazetteer",
    "new_entities",
    "slugify",
]


class NewEntity(msgspec.Struct, frozen=True):
    """An organisation or person found in text but absent from the gazetteer."""

    slug: str
    name: str
    kind: EntityKind
    org_kind: str | None


def find_entities(
    text: str,
    sentences: Sequence[Sentence],
    docs: Sequence[Doc] | None = None,
    *,
    exclude_names: Collection[str] = (),
) -> list[EntityMention]:
    """Organisation and person mentions inside `sentences`, resolved to slugs.

    `docs` are optional spaCy Docs, one per sentence in order (batch callers run ``nlp.pipe``
    once for many articles); without them the sentences are parsed here. ``source`` is
    ``"gazetteer"`` when the slug is a curated entity and ``"ner"`` for a new one.
    """
    gaz = load_gazetteer()
    if not sentences:
        return []
    spans = [text[s.start : s.end] for s in sentences]
    if docs is None:
        docs = list(load_nlp().pipe(spans, batch_size=256))
    elif len(docs) != len(sentences):
        raise ValueError(f"{len(docs)} docs for {len(sentences)} sentences")
    ctxs = [_SentCtx(k, s.start, s.end, _tokenize(text, s.start, s.end)) for k, s in enumerate(sentences)]
    excl = _Exclusions(exclude_names)

    weak = _gazetteer_pass(gaz, text, ctxs, excl)
    _government_pass(gaz, text, ctxs, docs)
    _weak_pass(gaz, text, ctxs, weak)
    _division_pass(gaz, text, ctxs)
    _ner_pass(gaz, text, ctxs, docs, spans, excl)
    _apposition_pass(gaz, text, ctxs)
    _shared_surname_pass(gaz, text, ctxs, docs, excl)
    _in_text_pass(gaz, ctxs)
    _propagation_pass(gaz, text, ctxs, excl)

    out: dict[tuple[int, int], EntityMention] = {}
    for c in sorted((c for ctx in ctxs for c in ctx.cands), key=lambda c: (c.start, -c.end)):
        if c.confidence < MIN_CONFIDENCE or (c.start, c.end) in out:
            continue
        if c.kind == "person" and excl.blocks(c.name, text[c.start : c.end]):
            continue
        out[(c.start, c.end)] = EntityMention(
            start=c.start,
            end=c.end,
            text=text[c.start : c.end],
            kind=c.kind,
            slug=c.slug,
            name=c.name,
            source=c.source,
            confidence=round(c.confidence, 3),
        )
    return _defined_acronyms(text, list(out.values()), gaz)


# "l'Autorité des marchés financiers (AMF)": a name with its acronym right after it.
_ACRONYM_GAP = re.compile(r"[^()]{0,40}?\(\s*$")


def _defined_acronyms(text: str, mentions: list[EntityMention], gaz: Gazetteer) -> list[EntityMention]:
    """A text that gives an organisation's acronym in brackets says which organisation it names:
    the one the gazetteer knows by that acronym, even where the words matched a shorter name of
    another ("l'Autorité des marchés financiers (AMF)" is the French market regulator)."""
    ordered = sorted(mentions, key=lambda m: m.start)
    out = list(ordered)
    for i, (named, acronym) in enumerate(itertools.pairwise(ordered)):
        if named.kind != "organisation" or acronym.kind != "organisation" or named.slug == acronym.slug:
            continue
        if not acronym.text.isupper() or not isinstance(gaz.get(acronym.slug), Organisation):
            continue
        between = text[named.end : acronym.start]
        if _ACRONYM_GAP.fullmatch(between) and text[acronym.end : acronym.end + 2].lstrip().startswith(")"):
            out[i] = msgspec.structs.replace(named, slug=acronym.slug, name=acronym.name)
    return out


# -- new entities ----------------------------------------------------------------------------------

# Context words that hint at the kind of a new organisation (for `new_entities`).
_KIND_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aerospace", re.compile(r"\b(?:fusees?|spatiale?s?|lanceurs?|satellites?|orbit\w*|aerospatial\w*)\b")),
    ("chipmaker", re.compile(r"\b(?:puces?|semi-conducteurs?|processeurs?|fondeur|gpu)\b")),
    ("investor", re.compile(r"\b(?:fonds|capital-risque|investisseurs?|gestionnaire d'actifs|family office)\b")),
    ("energy", re.compile(r"\b(?:energie|nucleaire|fusion|electricite|reacteurs?|centrales?)\b")),
    ("media", re.compile(r"\b(?:media|journal|quotidien|magazine|site d'information|chaine|agence de presse)\b")),
    ("government", re.compile(r"\b(?:ministere|gouvernement\w*|regulateur|autorite|agence federale|administration)\b")),
    ("ai_lab", re.compile(r"\b(?:ia|intelligence artificielle|modeles? de langage|laboratoire d'ia|llm)\b")),
)
_SUFFIX_KINDS: dict[str, str] = {
    "space": "aerospace", "aerospace": "aerospace", "orbital": "aerospace", "launch": "aerospace",
    "rocket": "aerospace", "rockets": "aerospace", "satellites": "aerospace",
    "ai": "ai_lab", "intelligence": "ai_lab",
    "capital": "investor", "ventures": "investor", "partners": "investor", "fund": "investor",
    "investments": "investor", "management": "investor", "advisors": "investor",
    "energy": "energy", "power": "energy", "fusion": "energy", "nuclear": "energy",
    "semiconductor": "chipmaker", "semiconductors": "chipmaker", "microsystems": "chipmaker",
    "media": "media",
}  # fmt: skip


def new_entities(mentions: Sequence[EntityMention], text: str | None = None) -> list[NewEntity]:
    """The distinct non-gazetteer entities among `mentions`, in order of first mention.

    Organisation kinds are guessed from the name ("… Space" → aerospace) and, when the
    article `text` is given, from words just before each mention ("la start-up de fusées …").
    """
    gaz = load_gazetteer()
    groups: dict[tuple[str, str], list[EntityMention]] = {}
    for m in mentions:
        if m.source != "ner" or gaz.get(m.slug) is not None:
            continue
        groups.setdefault((m.kind, m.slug), []).append(m)
    out: list[NewEntity] = []
    for (kind, slug), ms in groups.items():
        name = max((m.name for m in ms), key=len)
        org_kind = _guess_org_kind(name, ms, text) if kind == "organisation" else None
        out.append(NewEntity(slug=slug, name=name, kind=ms[0].kind, org_kind=org_kind))
    return out


def _guess_org_kind(name: str, mentions: Sequence[EntityMention], text: str | None) -> str:
    last = name.split()[-1].casefold() if name.split() else ""
    if last in _SUFFIX_KINDS and len(name.split()) > 1:
        return _SUFFIX_KINDS[last]
    if text is not None:
        votes: dict[str, int] = defaultdict(int)
        for m in mentions:
            window = _fold(text[max(0, m.start - 50) : m.start])
            # The hint nearest the name wins: "… de fusées Aurora et du fonds Quill".
            nearest: tuple[int, str] | None = None
            for kind, pattern in _KIND_HINTS:
                for hint in pattern.finditer(window):
                    if nearest is None or hint.end() > nearest[0]:
                        nearest = (hint.end(), kind)
            if nearest is not None:
                votes[nearest[1]] += 1
        if votes:
            return max(votes.items(), key=lambda kv: kv[1])[0]
    return "other"
