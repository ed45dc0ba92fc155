"""Organisations and people named by a description ("la start-up française", "le patron de
Meta"), resolved to an entity the text names nearby.

They feed events, money and rivalries, never the entity list: the words are not names, and
citing them as aliases would be wrong.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from service.ingest.gazetteer import Gazetteer, Organisation, Person, _fold, load_gazetteer
from service.ingest.mentions import _overlaps
from service.ingest.name_cues import _NATIONALITIES
from service.ingest.types import EntityMention, Sentence

# Head nouns of a definite description and the organisation kinds each may refer to (None: any
# company). Checked in order; the first head found wins.
_COMPANIES = frozenset({"ai_lab", "big_tech", "aerospace", "chipmaker", "energy", "other"})
_DESCRIPTION_HEADS: tuple[tuple[str, frozenset[str] | None], ...] = (
    (r"start-?up|jeune\s+pousse|licorne|p[ée]pite", frozenset({"ai_lab", "aerospace", "energy", "chipmaker", "other"})),
    (r"quotidien|journal|magazine|m[ée]dia|titre|agence\s+de\s+presse", frozenset({"media"})),
    (r"fonds|investisseur|gestionnaire\s+d['’]actifs", frozenset({"investor"})),
    (r"laboratoire|labo", frozenset({"ai_lab", "other"})),
    (r"fondeur", frozenset({"chipmaker"})),
    (r"gendarme|r[ée]gulateur|autorit[ée]", frozenset({"government"})),
    (
        r"soci[ée]t[ée]|entreprise|multinationale|compagnie|constructeur|fabricant|[ée]diteur|concepteur|"
        r"sp[ée]cialiste|op[ée]rateur|r[ée]seau\s+social|plateforme",
        _COMPANIES,
    ),
    (r"groupe|g[ée]ant|firme|num[ée]ro\s+(?:un|deux)|leader|champion", None),
)
_DESCRIPTION_RE = re.compile(
    rf"(?<![\w’'-])(?P<prep>dans\s+)?(?P<np>(?:[Ll]e|[Ll]a|[Ll]['’])\s?"
    rf"(?P<head>{'|'.join(h for h, _ in _DESCRIPTION_HEADS)}))(?![\w-])"
)
_WORD_RE = re.compile(r"[\w’'-]+|[.,;:!?()«»]")
_NOT_MODIFIER_WORDS = frozenset(
    [
        "à",
        "au",
        "aux",
        "en",
        "dans",
        "sur",
        "par",
        "pour",
        "avec",
        "sans",
        "chez",
        "qui",
        "que",
        "dont",
        "et",
        "ou",
        "mais",
        "a",
        "est",
        "sont",
        "était",
        "sera",
        "ont",
        "vont",
        "va",
        "ne",
        "se",
        "la",
        "le",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "ce",
        "cet",
        "cette",
        "ses",
        "son",
        "sa",
        "leur",
        "leurs",
    ]
)
# Endings of adjectives and participles that may follow a description's head ("la start-up
# française", "le géant américain", "la société basée"): not the verb of the sentence.
_ADJECTIVE_END_RE = re.compile(
    r"(?:ais|aise|ain|aine|ien|ienne|ique|iques|al|ale|aux|ales|el|elle|if|ive|eux|euse|aire|ois|oise|ard|arde|"
    r"é|ée|és|ées|ant|ante|iste|ible|able|eur|onal|onale|ier|ière)$"
)
_COMMON_ADJECTIVES = frozenset(
    [
        "jeune",
        "grand",
        "grande",
        "petit",
        "petite",
        "nouveau",
        "nouvelle",
        "premier",
        "première",
        "même",
        "autre",
        "seul",
        "seule",
    ]
)
_PAIR_RE = re.compile(
    r"(?<![\w’'-])(?P<np>[Ll]es\s+deux\s+"
    r"(?:entreprises|groupes|soci[ée]t[ée]s|partenaires|rivaux|fabricants|g[ée]ants|firmes|start-?ups|concurrents))\b"
)
# What follows the subject: a finite verb or an auxiliary, not a preposition or a relative pronoun.
_VERBISH_RE = re.compile(
    r"^(?:a|ont|avait|avaient|aura|auront|va|vont|vient|viennent|est|sont|était|étaient|sera|seront|serait|doit|"
    r"doivent|devrait|devraient|peut|peuvent|pourrait|compte|entend|veut|s['’]\w+|se|n['’]\w+|ne|y|en|"
    r"[a-zéèêîôûç]{3,}(?:e|es|ent|it|ait|aient|era|erait|eront|ra|ront))$"
)
_NOT_VERB_WORDS = frozenset(
    [
        "qui",
        "que",
        "dont",
        "de",
        "des",
        "du",
        "le",
        "la",
        "les",
        "un",
        "une",
        "et",
        "ou",
        "mais",
        "pour",
        "par",
        "avec",
        "dans",
        "sur",
        "sous",
        "entre",
    ]
)
_VERB_WORDS = frozenset(
    [
        "a",
        "ont",
        "avait",
        "avaient",
        "aura",
        "auront",
        "va",
        "vont",
        "vient",
        "viennent",
        "est",
        "sont",
        "était",
        "étaient",
        "sera",
        "seront",
        "serait",
        "doit",
        "doivent",
        "devrait",
        "devraient",
        "peut",
        "peuvent",
        "pourrait",
        "compte",
        "entend",
        "veut",
        "se",
        "s’est",
        "s'est",
        "n’a",
        "n'a",
        "ne",
        "y",
    ]
)

_EUROPE = frozenset(
    ["FR", "DE", "NL", "GB", "IT", "ES", "SE", "CH", "BE", "IE", "FI", "DK", "AT", "PL", "PT", "LU", "NO"]
)
_HEAD_PATTERNS = tuple((re.compile(head, re.IGNORECASE), kinds) for head, kinds in _DESCRIPTION_HEADS)
_NATIONALITY_RE = re.compile(
    rf"(?<!\w)(?:{'|'.join(sorted(map(re.escape, _NATIONALITIES), key=len, reverse=True))})(?!\w)", re.IGNORECASE
)
_CHIP_WORDS = re.compile(r"\b(?:puces?|semi-conducteurs?|processeurs?|gpu)\b", re.IGNORECASE)
_PRESS_WORDS = re.compile(r"\b(?:presse|médias?)\b", re.IGNORECASE)
# "le patron de Meta": the chief executive the gazetteer knows for that company.
_LEADER_HEAD_RE = re.compile(
    r"(?<![\w-])(?P<head>patron(?:ne)?|PDG|P\.-D\.G\.|CEO|directeur\s+général|directrice\s+générale|"
    r"dirigeant(?:e)?|président-directeur\s+général)\s+(?:de\s+la\s+|du\s+|de\s+|d['’]\s?)$",
    re.IGNORECASE,
)
_FORMER_RE = re.compile(r"(?:ancien(?:ne)?|ex-|futur(?:e)?|nouveau|nouvelle|premier|première)\s*$", re.IGNORECASE)
LEADER_TITLES = frozenset({"pdg", "ceo", "directeur général", "directrice générale", "président-directeur général"})
REFERENCE_CONFIDENCE = 0.7
DESCRIPTION_MAX_WORDS = 8
# Mentions counted towards how much a text is about an organisation (beyond, all are central).
SALIENCE_CAP = 10
# A sentence's subject stands within its first words.
SUBJECT_MAX_OFFSET = 40
_PREPOSITION_BEFORE_RE = re.compile(
    r"(?:\b(?:de|du|des|chez|par|pour|avec|à|au|aux|contre|dans|sur|entre|auprès|lesquels|lesquelles)\s+|\bd['’]\s?)"
    r"(?:(?:la|le|les)\s+|l['’]\s?)?$",
    re.IGNORECASE,
)
_MONEY_INTO_RE = re.compile(
    r"\b(?:invest\w*|inject\w*|mis\w*|plac\w*|particip\w*|dollars|euros|milliards?|millions?)\b[^.;]*\s$"
)
# How many sentences back a description may find what it refers to.
REFERENCE_WINDOW = 3


def find_references(
    text: str,
    sentences: Sequence[Sentence],
    mentions: Sequence[EntityMention],
    org_kinds: dict[str, str],
    title: str | None = None,
) -> list[EntityMention]:
    """Descriptions that stand for an entity named nearby, as mentions of that entity.

    * "La start-up française a annoncé…", "Le quotidien américain a poursuivi…": a definite
      description in subject position (sentence start or after a comma, a verb next) refers to
      a compatible organisation of the last sentences (kind from the head noun, country from a
      nationality adjective), the one the text is most about, preferring the previous
      sentence's subject. "dans la start-up" after an amount is where the money goes.
      "les deux entreprises" refers to the two best candidates.
    * "le patron de Meta": the company's chief executive, when the gazetteer knows exactly one
      and the text names that person somewhere (so an outdated entry cannot put words in
      someone's mouth).
    """
    gaz = load_gazetteer()
    by_sentence = _by_sentence(sentences, mentions)
    context = _Context(
        gaz=gaz,
        text=text,
        counts=Counter(m.slug for m in mentions),
        title_folded=_fold(title) if title else "",
        org_kinds=org_kinds,
        people_named={m.slug for m in mentions if m.kind == "person"},
    )
    out: list[EntityMention] = []
    for i, (sentence, found) in enumerate(zip(sentences, by_sentence, strict=True)):
        window = by_sentence[max(0, i - REFERENCE_WINDOW) : i]
        subject = _subject(text, sentences[i - 1], by_sentence[i - 1]) if i else None
        out += _descriptions(context, sentence, found, window, subject)
        out += _leader_references(context, sentence, found)
    return out


@dataclass(frozen=True)
class _Context:
    gaz: Gazetteer
    text: str
    counts: Counter[str]
    title_folded: str
    org_kinds: dict[str, str]
    people_named: set[str]


def _by_sentence(sentences: Sequence[Sentence], mentions: Sequence[EntityMention]) -> list[list[EntityMention]]:
    ordered = sorted(mentions, key=lambda m: m.start)
    out: list[list[EntityMention]] = []
    k = 0
    for s in sentences:
        while k < len(ordered) and ordered[k].start < s.start:
            k += 1
        j = k
        while j < len(ordered) and ordered[j].end <= s.end:
            j += 1
        out.append(ordered[k:j])
        k = j
    return out


def _subject(text: str, sentence: Sentence, found: Sequence[EntityMention]) -> str | None:
    """A sentence's subject: an organisation near its start, not after a preposition."""
    first = next((m for m in found if m.kind == "organisation"), None)
    if (
        first is not None
        and first.start - sentence.start <= SUBJECT_MAX_OFFSET
        and not _PREPOSITION_BEFORE_RE.search(text, max(sentence.start, first.start - 30), first.start)
    ):
        return first.slug
    return None


def _descriptions(
    context: _Context,
    sentence: Sentence,
    found: Sequence[EntityMention],
    window: Sequence[Sequence[EntityMention]],
    subject: str | None,
) -> list[EntityMention]:
    text = context.text
    taken = [(m.start, m.end) for m in found]
    out: list[EntityMention] = []
    for match in _DESCRIPTION_RE.finditer(text, sentence.start, sentence.end):
        start = match.start("np")
        if match.group("prep"):
            # "a injecté 2 milliards dans la start-up": the company money goes into.
            if not _MONEY_INTO_RE.search(text, max(sentence.start, start - 80), start):
                continue
            end = match.end("np")
        else:
            bounded = _description_end(text, match.end("np"), sentence.end)
            if not _clause_start(text, sentence.start, start) or bounded is None:
                continue
            end = bounded
        if _overlaps(start, end, taken):
            continue
        head = match.group("head")
        allowed = next(kinds for pattern, kinds in _HEAD_PATTERNS if pattern.fullmatch(head))
        mods = text[match.end("head") : end]
        if allowed is None and _CHIP_WORDS.search(mods):
            allowed = frozenset({"chipmaker"})
        if allowed is None and _PRESS_WORDS.search(mods):
            allowed = frozenset({"media"})
        nationality = _NATIONALITY_RE.search(mods)
        country = _NATIONALITIES[nationality.group().casefold()] if nationality else None
        best = _antecedents(context, window, allowed, country, 1, subject)
        if best:
            out.append(_reference(text, start, end, best[0]))
    for match in _PAIR_RE.finditer(text, sentence.start, sentence.end):
        start, end = match.span("np")
        if _overlaps(start, end, taken):
            continue
        best = _antecedents(context, window, None, None, 2, subject)
        if len(best) == 2:
            out.extend(_reference(text, start, end, b) for b in best)
    return out


def _leader_references(context: _Context, sentence: Sentence, found: Sequence[EntityMention]) -> list[EntityMention]:
    text = context.text
    out: list[EntityMention] = []
    for org in (m for m in found if m.kind == "organisation"):
        head = _LEADER_HEAD_RE.search(text, max(sentence.start, org.start - 40), org.start)
        if head is None or _FORMER_RE.search(text, max(sentence.start, head.start() - 12), head.start()):
            continue
        leader = _leaders_by_org(context.gaz).get(org.slug)
        if leader is None or leader.slug not in context.people_named:
            continue
        # An apposition already names the person ("Andy Jassy, le patron d'Amazon"); a name inside a
        # complement ("l'émission de Jeanne Roux, le patron de X") does not.
        if any(
            p.kind == "person"
            and (0 <= head.start() - p.end <= 6 or 0 <= p.start - org.end <= 4)
            and not _PREPOSITION_BEFORE_RE.search(text, max(sentence.start, p.start - 30), p.start)
            for p in found
        ):
            continue
        out.append(
            EntityMention(
                start=head.start("head"),
                end=head.end("head"),
                text=text[head.start("head") : head.end("head")],
                kind="person",
                slug=leader.slug,
                name=leader.name,
                source="gazetteer",
                confidence=REFERENCE_CONFIDENCE,
            )
        )
    return out


def _reference(text: str, start: int, end: int, antecedent: EntityMention) -> EntityMention:
    return EntityMention(
        start=start,
        end=end,
        text=text[start:end],
        kind=antecedent.kind,
        slug=antecedent.slug,
        name=antecedent.name,
        source=antecedent.source,
        confidence=REFERENCE_CONFIDENCE,
    )


def _antecedents(
    context: _Context,
    window: Sequence[Sequence[EntityMention]],
    allowed: frozenset[str] | None,
    country: str | None,
    wanted: int,
    subject: str | None,
) -> list[EntityMention]:
    """The best ``wanted`` distinct organisations of the window matching kind and country."""
    scores: dict[str, float] = {}
    first: dict[str, EntityMention] = {}
    for age, found in enumerate(reversed(window)):
        for m in found:
            if m.kind != "organisation":
                continue
            kind = context.org_kinds.get(m.slug, "other")
            if (allowed is None and kind in ("media", "government")) or (allowed is not None and kind not in allowed):
                continue
            if country is not None:
                record = context.gaz.get(m.slug)
                known = record.country if isinstance(record, Organisation) else None
                if known is not None and known != country and not (country == "EU" and known in _EUROPE):
                    continue
            score = min(context.counts[m.slug], SALIENCE_CAP) * 0.3
            score += 1.0 if _fold(m.name) in context.title_folded else 0.0
            if age == 0:
                score += 1.0 + (2.0 if m.slug == subject else 0.0)
            scores[m.slug] = max(scores.get(m.slug, 0.0), score)
            first.setdefault(m.slug, m)
    ranked = sorted(scores, key=lambda slug: -scores[slug])
    return [first[slug] for slug in ranked[:wanted]]


def _description_end(text: str, pos: int, limit: int) -> int | None:
    """Where a description that is the subject of a verb ends, or None when no verb follows.

    After the head come modifiers (adjectives, "de"-complements: "le leader européen des batteries
    électriques") and then the verb ("a annoncé", "développe"); a name, a preposition or a relative
    pronoun next means the words are no subject description.
    """
    words = list(_WORD_RE.finditer(text, pos, limit))
    end = pos
    k = 0
    while k < len(words) and k < DESCRIPTION_MAX_WORDS:
        word = words[k].group()
        folded = word.casefold()
        if folded in _VERB_WORDS or (
            _VERBISH_RE.match(folded)
            and not _ADJECTIVE_END_RE.search(folded)
            and folded not in _NATIONALITIES
            and folded not in _COMMON_ADJECTIVES
            and folded not in _NOT_VERB_WORDS
        ):
            return end
        if word == ",":
            # "La société, depuis peu présidée par X, a signé…": skip the aside.
            close = next((j for j in range(k + 1, min(len(words), k + 12)) if words[j].group() == ","), None)
            if close is None or close + 1 >= len(words):
                return None
            nxt = words[close + 1].group().casefold()
            return end if nxt in _VERB_WORDS or (_VERBISH_RE.match(nxt) and not _ADJECTIVE_END_RE.search(nxt)) else None
        if folded in ("de", "des", "du") and k + 1 < len(words) and words[k + 1].group()[0].isalnum():
            end, k = words[k + 1].end(), k + 2
            continue
        if folded.startswith(("d’", "d'")) and len(folded) > 2:
            end, k = words[k].end(), k + 1
            continue
        if not word[0].islower() or folded in _NOT_MODIFIER_WORDS:
            return None
        end, k = words[k].end(), k + 1
    return None


def _clause_start(text: str, floor: int, pos: int) -> bool:
    """At the start of the sentence, or right after a comma, colon, semicolon or opening quote."""
    i = pos
    while i > floor and text[i - 1].isspace():
        i -= 1
    return i == floor or text[i - 1] in ",;:«("


@functools.cache
def _leaders_by_org(gaz: Gazetteer) -> dict[str, Person]:
    """Organisation slug → its one chief executive (organisations with several have none here)."""
    found: dict[str, list[Person]] = defaultdict(list)
    for person in gaz.people:
        for org in {r.organisation for r in person.roles if r.organisation and r.title.casefold() in LEADER_TITLES}:
            found[org].append(person)
    return {org: people[0] for org, people in found.items() if len(people) == 1}
