"""Coreference: which entity a pronoun ("il", "elle", "lui"), "ce dernier", or a definite
description ("la start-up", "le géant taïwanais", "le milliardaire") stands for.

Pure over one parsed document. Each referring word resolves to the most salient compatible
entity named before it: a subject of a clause that governs it in the same sentence first, then
the entities of the last sentences, weighted by recency, subjecthood and how often the text
names them. Compatibility: the kind the description's head allows, a nationality adjective's
country, person against organisation. The result feeds events and rivalries, never the entity
list (the words are not names).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec
from spacy.tokens import Token

from service.ingest.entities import Organisation, Person, load_gazetteer
from service.ingest.frames import KNOWLEDGE
from service.ingest.gazetteer import products_of
from service.ingest.parse import ParsedSentence
from service.ingest.types import EntityMention

# How many sentences back an antecedent may stand.
WINDOW = 3
# Mentions counted towards how much a text is about an entity (beyond, all are central).
SALIENCE_CAP = 8
CONFIDENCE = 0.7
# A description's words found in what the gazetteer says of a candidate ("le fondeur taïwanais",
# "le fabricant de ChatGPT") count this much each, up to three words.
DESCRIBED_BONUS = 1.5


class _Lexicon(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    about: str
    pronouns: dict[str, str]
    latest: frozenset[str]
    organisation_heads: dict[str, frozenset[str] | None]
    person_heads: frozenset[str]
    nationalities: dict[str, str]
    europe: frozenset[str]
    pairs: dict[str, str | None]
    possessives: frozenset[str]


@functools.cache
def lexicon() -> _Lexicon:
    return msgspec.json.decode((KNOWLEDGE / "coreference.json").read_bytes(), type=_Lexicon)


Key = tuple[int, int]  # (sentence index, token index)


@dataclass(frozen=True)
class _Seen:
    mention: EntityMention
    sentence: int
    token: int
    subject: bool


@dataclass
class Resolution:
    """Referring tokens → the entities they stand for; named mentions by token."""

    named: dict[Key, EntityMention]
    refers: dict[Key, tuple[EntityMention, ...]]

    def first(self, slug: str) -> EntityMention:
        """The first named mention of an entity (else its first reference)."""
        for m in self.named.values():
            if m.slug == slug:
                return m
        return next(m for ms in self.refers.values() for m in ms if m.slug == slug)

    def at(self, sentence: int, token: int) -> tuple[EntityMention, ...]:
        found = self.named.get((sentence, token))
        if found is not None:
            return (found,)
        return self.refers.get((sentence, token), ())


def mention_tokens(parsed: ParsedSentence, mentions: Sequence[EntityMention]) -> dict[int, EntityMention]:
    """Token index → the mention covering it (the longest, when references overlap names)."""
    out: dict[int, EntityMention] = {}
    base = parsed.sentence.start
    inside = [m for m in mentions if parsed.sentence.start <= m.start and m.end <= parsed.sentence.end]
    for m in sorted(inside, key=lambda m: m.end - m.start):
        for tok in parsed.doc:
            a = base + tok.idx
            b = a + len(tok.text)
            if a < m.end and m.start < b:
                out[tok.i] = m
    return out


def resolve(
    parsed: Sequence[ParsedSentence], mentions: Sequence[EntityMention], org_kinds: Mapping[str, str]
) -> Resolution:
    lex = lexicon()
    counts = Counter(m.slug for m in mentions)
    named: dict[Key, EntityMention] = {}
    refers: dict[Key, tuple[EntityMention, ...]] = {}
    history: list[_Seen] = []
    for k, ps in enumerate(parsed):
        by_token = mention_tokens(ps, mentions)
        for i, m in by_token.items():
            named[(k, i)] = m
        seen_here: list[_Seen] = []
        heads: set[int] = set()
        for i, m in sorted(by_token.items()):
            tok = ps.doc[i]
            if tok.head.i in by_token and by_token[tok.head.i] is m and tok.head.i != i:
                continue  # not the head of its name
            if m.start in heads:
                continue
            heads.add(m.start)
            seen_here.append(_Seen(m, k, i, _is_subject(tok)))
        for tok in ps.doc:
            if tok.i in by_token:
                continue
            found = _referent(tok, k, history, seen_here, counts, org_kinds, lex)
            if found:
                refers[(k, tok.i)] = found
                seen_here.append(_Seen(_reference(ps, tok, found[0]), k, tok.i, _is_subject(tok)))
        history.extend(seen_here)
    return Resolution(named=named, refers=refers)


def _is_subject(tok: Token) -> bool:
    node = tok
    for _ in range(3):
        if node.dep_ in ("nsubj", "nsubj:pass"):
            return True
        if node.dep_ not in ("appos", "flat:name", "flat", "nmod", "conj"):
            break
        node = node.head
    return _leading_names(tok)


def _leading_names(tok: Token) -> bool:
    """Names that open the sentence, only listed, before its verb ("X et Y ont publié"): its
    subject, even where the parser detached them from the verb."""
    before = tok.doc[: tok.i]
    if any(t.pos_ not in ("PROPN", "NOUN", "X", "DET", "CCONJ", "PUNCT") or t.text in (":", ";") for t in before):
        return False
    return any(t.pos_ in ("VERB", "AUX") for t in tok.doc[tok.i + 1 : tok.i + 8])


def _referent(
    tok: Token,
    k: int,
    history: Sequence[_Seen],
    here: Sequence[_Seen],
    counts: Counter[str],
    org_kinds: Mapping[str, str],
    lex: _Lexicon,
) -> tuple[EntityMention, ...]:
    lower = tok.lower_
    before = [s for s in here if s.token < tok.i]
    emphatic = tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ in ("aussi", "même", "seul")
    # the tagger takes a hyphenated demonstrative ("celle-ci") for a name
    if (
        (tok.pos_ == "PRON" or lex.pronouns.get(lower) == "latest")
        and lower in lex.pronouns
        and tok.dep_ not in ("expl:subj", "expl:comp", "det")
        and not emphatic
    ):
        number = lex.pronouns[lower]
        if number == "latest":
            return _latest(before, history, k)
        if number == "plural":
            return _plural(tok, before, history, k)
        governing = _governing_subject(tok, before)
        if governing is not None and tok.dep_ in ("nsubj", "nsubj:pass"):
            return (governing,)
        return _salient(tok, k, before, history, counts, org_kinds, lex, kinds=None, person=None, country=None)
    if lower in lex.latest and any(c.lower_ in ("ce", "cette", "ces") for c in tok.children):
        return _latest(before, history, k)
    if tok.dep_ == "det" and lower in lex.possessives:
        return _possessor(tok, before, history, k, counts, org_kinds, lex)
    if tok.pos_ not in ("NOUN", "PROPN", "ADJ", "VERB") or not _definite(tok):
        return ()  # a description has an article (a tagged verb with one is a noun the tagger missed)
    if any(
        c.dep_ in ("appos", "flat:name") or (c.dep_ == "nmod" and not _has_case(c, "de"))
        for c in tok.children
        if c.pos_ == "PROPN"
    ) or _named_after(tok):
        return ()  # "le groupe Activision Blizzard", "la start-up de fusées X": a name follows
    lemma = tok.lemma_.casefold()
    following = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    if tok.pos_ == "ADJ" and following is not None and following.lower_ in lex.organisation_heads:
        lemma = following.lower_  # "la jeune pousse": the adjective carries the article the noun lost
    if tok.lower_ in lex.pairs and any(c.lower_ == "deux" for c in tok.children):
        return _pair(k, before, history, counts, lex.pairs[tok.lower_])
    if "Plur" in tok.morph.get("Number", []):
        return ()  # "les fondateurs": several, not the one entity a singular description names
    country = next((lex.nationalities[c.lower_] for c in tok.children if c.lower_ in lex.nationalities), None)
    if lemma in lex.organisation_heads:
        kinds = lex.organisation_heads[lemma]
        found = _salient(tok, k, before, history, counts, org_kinds, lex, kinds=kinds, person=False, country=country,
                         any_company=kinds is None)  # fmt: skip
        if any(c.dep_ == "nmod" and c.pos_ in ("PROPN", "NOUN") and _has_case(c, "de") for c in tok.children):
            # "le fabricant de ChatGPT": described by a complement, resolved only where the
            # gazetteer's description of the candidate says the same
            return found if found and _words(tok) & _known_words(found[0].slug) else ()
        return found
    if lemma in lex.nationalities and tok.pos_ in ("NOUN", "PROPN"):
        # "l'Américain", "le Californien": a company from there.
        return _salient(tok, k, before, history, counts, org_kinds, lex, kinds=None, person=False,
                        country=lex.nationalities[lemma], any_company=True)  # fmt: skip
    # "le patron de X" names X's chief (a leader reference); "la femme la plus riche du pays" is a description
    if lemma in lex.person_heads and not any(c.dep_ == "nmod" and c.pos_ in ("PROPN", "X") for c in tok.children):
        return _salient(tok, k, before, history, counts, org_kinds, lex, kinds=None, person=True, country=None)
    return ()


def _named_after(tok: Token) -> bool:
    """Whether the description's own name follows it, after adjectives or a complement. A name
    right after "de" is the complement itself ("le fabricant de X"), not the description's name."""
    for t in tok.doc[tok.i + 1 : tok.i + 5]:
        # French writes adjectives in lower case: a capitalised word the tagger calls one is a name
        if t.text[:1].isupper() and t.pos_ in ("PROPN", "X", "NOUN", "ADJ"):
            return t.i == 0 or t.doc[t.i - 1].lower_ not in ("de", "d'", "d’", "du", "des")
        if not ((t.is_lower and t.pos_ in ("ADJ", "NOUN")) or t.lower_ in ("de", "d'", "d’", "du", "des", "-")):
            return False
    return False


def _definite(tok: Token) -> bool:
    """ "le", "ce", or an article contracted with a preposition ("du concepteur", "au groupe")."""
    return any(
        (c.dep_ == "det" and c.lower_ in ("le", "la", "l'", "l’", "les", "ce", "cet", "cette", "ces"))
        or (c.dep_ == "case" and c.lower_ in ("du", "des", "au", "aux"))
        for c in tok.children
    )


def _has_case(tok: Token, prep: str) -> bool:
    return any(c.dep_ == "case" and c.lower_ in (prep, "d'", "d’", "du", "des") for c in tok.children)


def _governing_subject(tok: Token, before: Sequence[_Seen]) -> EntityMention | None:
    """ "Oracle a précisé qu'il s'était associé…": the subject of a verb above the pronoun."""
    node = tok.head
    for _ in range(6):
        if node.head == node:
            break
        node = node.head
        for s in before:
            subject_head = s.mention
            if any(c.dep_ in ("nsubj", "nsubj:pass") and c.i == s.token for c in node.children):
                return subject_head
    return None


def _possessor(
    tok: Token,
    before: Sequence[_Seen],
    history: Sequence[_Seen],
    k: int,
    counts: Counter[str],
    org_kinds: Mapping[str, str],
    lex: _Lexicon,
) -> tuple[EntityMention, ...]:
    """ "son", "sa", "leur": in "X et son partenaire", X; else the subject of the clause it sits
    in (by the parse, else the first name of the sentence that no preposition introduces), else
    the name just before it, else the entity the text is about."""
    listed = _listed_owner(tok, before)
    if listed is not None:
        return (listed,)
    governing = _governing_subject(tok, before)
    if governing is not None:
        return (governing,)
    doc = tok.doc
    for s in before:
        previous = doc[s.token - 1] if s.token else None
        if previous is None or (previous.pos_ != "ADP" and previous.lower_ not in ("d'", "d’", "du", "des")):
            return (s.mention,)
    if before:
        return (before[-1].mention,)
    return _salient(tok, k, before, history, counts, org_kinds, lex, kinds=None, person=None, country=None)


def _listed_owner(det: Token, before: Sequence[_Seen]) -> EntityMention | None:
    """ "de X et de son partenaire Y": a possessive right after "et"/"ou" (and the preposition
    repeated) belongs to the name listed just before."""
    doc = det.doc
    i = det.i - 1
    while i >= 0 and doc[i].lower_ in ("de", "d'", "d’", "à", "avec", "pour", "contre"):
        i -= 1
    if i < 1 or doc[i].lower_ not in ("et", "ou"):
        return None
    named = next((s for s in reversed(before) if s.token == i - 1), None)
    return named.mention if named is not None else None


def _latest(before: Sequence[_Seen], history: Sequence[_Seen], k: int) -> tuple[EntityMention, ...]:
    pool = [*[s for s in history if k - s.sentence <= 1], *before]
    return (pool[-1].mention,) if pool else ()


def _plural(tok: Token, before: Sequence[_Seen], history: Sequence[_Seen], k: int) -> tuple[EntityMention, ...]:
    """ "ils": the subjects named together in the previous clause ("X et Y ont…, ils…")."""
    pool = list(before) or [s for s in history if s.sentence == k - 1]
    subjects = [s.mention for s in pool if s.subject]
    distinct = list({m.slug: m for m in subjects}.values())
    return tuple(distinct) if len(distinct) >= 2 else ()


def _pair(
    k: int, before: Sequence[_Seen], history: Sequence[_Seen], counts: Counter[str], kind: str | None
) -> tuple[EntityMention, ...]:
    """ "les deux hommes": the two entities of that kind the text is most about."""
    pool = [s.mention for s in [*history, *before] if kind is None or s.mention.kind == kind]
    ranked = sorted({m.slug: m for m in pool}.values(), key=lambda m: -counts[m.slug])
    return tuple(ranked[:2]) if len(ranked) >= 2 else ()


def _salient(
    tok: Token,
    k: int,
    before: Sequence[_Seen],
    history: Sequence[_Seen],
    counts: Counter[str],
    org_kinds: Mapping[str, str],
    lex: _Lexicon,
    *,
    kinds: frozenset[str] | None,
    person: bool | None,
    country: str | None,
    any_company: bool = False,
) -> tuple[EntityMention, ...]:
    gaz = load_gazetteer()
    clause_mates = {s.mention.slug for s in before if s.token > _clause_start(tok)}
    owned = any(c.dep_ == "case" and c.lower_ in ("de", "du", "des", "d'", "d’") for c in tok.children)
    described = _words(tok)
    scores: dict[str, float] = {}
    found: dict[str, EntityMention] = {}
    for s in [*history, *before]:
        distance = k - s.sentence
        overlap = len(described & _known_words(s.mention.slug))
        if distance > WINDOW and not overlap:
            continue  # farther back, only an entity the description fits ("l'homme … dont les entreprises …")
        m = s.mention
        if m.slug in clause_mates and distance == 0 and person is not None and not owned:
            continue  # a description does not refer to a co-argument of its own clause ("du groupe" may)
        if person is True and m.kind != "person":
            continue
        if person is False and m.kind != "organisation":
            continue
        if m.kind == "organisation":
            kind = org_kinds.get(m.slug, "other")
            if kinds is not None and kind not in kinds:
                continue
            if any_company and kind in ("media", "government"):
                continue
            if person is None and kind == "media":
                continue
            if country is not None:
                record = gaz.get(m.slug)
                known = record.country if isinstance(record, Organisation) else None
                if known is not None and known != country and not (country == "EU" and known in lex.europe):
                    continue
        score = max(0, WINDOW + 1 - distance) + (1.5 if s.subject else 0.0) + 0.25 * min(counts[m.slug], SALIENCE_CAP)
        score += DESCRIBED_BONUS * min(overlap, 3)
        if distance == 0:
            score += 0.5
        if score > scores.get(m.slug, -1.0):
            scores[m.slug] = score
            found[m.slug] = m
    if not scores:
        return ()
    best = max(scores, key=lambda slug: scores[slug])
    return (found[best],)


def _words(tok: Token) -> frozenset[str]:
    """Content words of a description, with the names its relative clause gives ("le numéro un
    mondial des puces d'IA" → puces, ia, mondial; "l'homme … dont les entreprises incluent X" → x)."""
    words = {
        _stem(w)
        for t in tok.subtree
        if len(t.text) > 1 and t.pos_ in ("NOUN", "ADJ", "PROPN", "X")
        for w in t.text.replace("-", " ").split()
        if w.isalnum()
    }
    return frozenset(words) - {_stem(tok.lower_)}


@functools.cache
def _known_words(slug: str) -> frozenset[str]:
    """Content words of what the gazetteer says of an entity: an organisation's description and
    seats; the names of the organisations a person holds roles at, and those roles."""
    gaz = load_gazetteer()
    record = gaz.get(slug)
    if isinstance(record, Organisation):
        parts = [record.description, *record.headquarters, *products_of(slug)]
    elif isinstance(record, Person):
        orgs = [gaz.get(r.organisation) for r in record.roles if r.organisation]
        parts = [*(r.title for r in record.roles), *(o.name for o in orgs if o is not None)]
    else:
        return frozenset()
    return frozenset(_stem(w) for w in re.findall(r"[^\W_]+", " ".join(parts).casefold()) if len(w) > 1)


def _stem(word: str) -> str:
    """Singular, lower case: enough to match "puces" with "puce", "semi-conducteurs" with "semi-conducteur"."""
    word = word.casefold()
    return word[:-1] if len(word) > 3 and word.endswith(("s", "x")) else word


def _clause_start(tok: Token) -> int:
    head = tok
    for _ in range(8):
        if head.pos_ in ("VERB", "AUX") or head.head == head:
            break
        head = head.head
    return head.left_edge.i


def _reference(ps: ParsedSentence, tok: Token, antecedent: EntityMention) -> EntityMention:
    start = ps.sentence.start + tok.idx
    return msgspec.structs.replace(
        antecedent, start=start, end=start + len(tok.text), text=tok.text, confidence=CONFIDENCE
    )
