"""Rivalries that are true: two parties set against each other by the text's grammar.

A rivalry comes from rivalry language that binds both parties — a rival noun and whose rival it
is ("X, le principal rival de Y", "les concurrents de Y (A, B)"), a contest noun ("la rivalité
entre X et Y", "la querelle entre les deux patrons"), a verb of contest ("X concurrence Y",
"X supplante Y"), "face à Y" against the clause's subject — or from adversarial roles in one
event: a plaintiff against a defendant, a bidder against a target that rejects the bid, two
buyers of the same company. A product stands for its maker ("supplantant ChatGPT"), a chief
executive facing a company for the company they run.

Never a rivalry: a party against itself, a medium, an organisation and its own executive,
founder or investor, partners of one deal, a project and its owner. Rival words with only one
party named ("sa propre société rivale, xAI") face the organisation the text is about, when that
is unambiguous. Lexicons: ``seeds/knowledge/rivalry.json`` and ``product_owners.json``.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import msgspec
from spacy.tokens import Token

from service.ingest import syntax
from service.ingest.arguments import (
    POSSESSIVES,
    SentenceView,
    comma_apposition,
    denotes,
    member,
    subjects_of,
)
from service.ingest.coref import Resolution
from service.ingest.entities import Organisation, load_gazetteer
from service.ingest.events_types import EventDraft
from service.ingest.facts import EntityRef, RivalryFact, Span
from service.ingest.frames import KNOWLEDGE, load_frames
from service.ingest.gazetteer import product_owners
from service.ingest.parse import ParsedSentence
from service.ingest.types import EntityMention, Sentence
from service.ingest.words import coordinated, listed

# Events whose participants are on the same side (partners, a founder and the company).
_SAME_SIDE = frozenset({"partnership", "joint_venture", "contract", "founding", "investment", "funding_round"})


class _Lexicon(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    about: str
    rival_nouns: frozenset[str]
    relation_nouns: frozenset[str]
    verbs: dict[str, tuple[str, ...]]
    needs_adverb: dict[str, frozenset[str]]
    face: frozenset[str]
    court_words: frozenset[str]


@functools.cache
def _lexicon() -> _Lexicon:
    return msgspec.json.decode((KNOWLEDGE / "rivalry.json").read_bytes(), type=_Lexicon)


@dataclass(frozen=True)
class RivalryDraft:
    a: EntityMention
    b: EntityMention
    sentence: Sentence
    cue_start: int
    cue_end: int


Pair = tuple[list[EntityMention], list[EntityMention]]


def extract_rivalries(
    parsed: Sequence[ParsedSentence],
    resolution: Resolution,
    mentions: Sequence[EntityMention],
    drafts: Sequence[EventDraft],
    org_kinds: Mapping[str, str],
    leads: Mapping[str, set[str]],
    text: str,
) -> list[RivalryDraft]:
    """``leads``: person slug → the organisations they run (:func:`entity_facts.leads`)."""
    counts = Counter(m.slug for m in mentions if m.confidence >= 0.75)
    tied = _ties(drafts)
    found: list[RivalryDraft] = []
    for k, ps in enumerate(parsed):
        view = SentenceView.build(k, ps, resolution, mentions, org_kinds, text)
        for tok in ps.doc:
            pair = _language_pair(view, tok, counts)
            if pair is None:
                continue
            start = ps.sentence.start + tok.idx
            for a in pair[0]:
                for b in pair[1]:
                    found.append(RivalryDraft(a, b, ps.sentence, start, start + len(tok.text)))
    found += _adversaries(drafts)
    out: list[RivalryDraft] = []
    for draft in found:
        a, b = _company_of(draft.a, draft.b, leads), _company_of(draft.b, draft.a, leads)
        if _possible(a, b, org_kinds, leads, tied):
            out.append(RivalryDraft(a, b, draft.sentence, draft.cue_start, draft.cue_end))
    return out


# ----------------------------------------------------------------------------- language


def _language_pair(view: SentenceView, tok: Token, counts: Counter[str]) -> Pair | None:
    if not _may_be_cue(tok):
        return None  # most words: decided before any walk of the parse
    lex = _lexicon()
    frames = load_frames()
    if view.mentions_at(tok):
        return None  # a cue inside a name ("Autorité de la concurrence")
    if syntax.negated(tok, frames.negations, frames.negative_determiners, frames.negative_marks):
        return None
    verb = syntax.governing_verb(tok)
    # "ne cherche pas à concurrencer X" denies it; "la rivalité … ne date pas d'hier" does not
    governed = tok.dep_ not in ("nsubj", "nsubj:pass")
    if (
        governed
        and verb is not None
        and syntax.negated(verb, frames.negations, frames.negative_determiners, frames.negative_marks)
    ):
        return None
    lemma = tok.lemma_.casefold()
    lower = tok.lower_
    if tok.pos_ in ("NOUN", "ADJ", "PROPN") and (lower in lex.rival_nouns or lemma in lex.rival_nouns):
        return _rival_noun(view, tok, counts)
    if tok.pos_ in ("NOUN", "PROPN") and lemma in lex.relation_nouns:
        return _contest(view, tok)
    if tok.pos_ in ("VERB", "AUX"):
        for infinitive in syntax.infinitives(tok):
            if infinitive in lex.verbs:
                return _contest_verb(view, tok, infinitive, lex)
    if tok.pos_ == "NOUN" and not any(c.dep_ == "det" for c in tok.children):
        for infinitive in syntax.infinitives(tok):
            if "obj" in lex.verbs.get(infinitive, ()):
                return _verb_read_as_noun(view, tok, infinitive, lex)
    if lower in lex.face and any(t.lower_ in ("à", "aux", "au") for t in tok.doc[tok.i + 1 : tok.i + 2]):
        return _facing(view, tok)
    return None


def _may_be_cue(tok: Token) -> bool:
    """Whether the word is in a rivalry lexicon at all, by its form, lemma or infinitive."""
    lex = _lexicon()
    words = (tok.lower_, tok.lemma_.casefold())
    if any(w in lex.rival_nouns or w in lex.relation_nouns or w in lex.face for w in words):
        return True
    return tok.pos_ in ("VERB", "AUX", "NOUN") and any(w in lex.verbs for w in syntax.infinitives(tok))


def _rival_noun(view: SentenceView, tok: Token, counts: Counter[str]) -> Pair | None:
    """ "X, rival de Y", "Y et son rival X", "les concurrents de Y (A, B)", "X en est le rival"."""
    anchors: list[EntityMention] = []
    rivals: list[EntityMention] = []
    for child in tok.children:
        if syntax.preposition(child) == "de":
            anchors += _party(view, child)
        elif child.dep_ == "det" and child.lower_ in POSSESSIVES:
            anchors += _possessor(view, child)
    anchors += _clitic_en(view, tok)
    if tok.pos_ == "ADJ":
        rivals += _party(view, tok.head)  # "sa société rivale, xAI"
    if (
        tok.dep_ == "appos"
        or (tok.dep_ == "nmod" and tok.head.pos_ in ("PROPN", "X"))
        or (tok.dep_ == "conj" and comma_apposition(tok))
    ):
        rivals += _party(view, tok.head)
    for child in tok.children:
        if (
            child.dep_ in ("nsubj", "appos", "flat:name")
            or (child.dep_ == "nmod" and syntax.preposition(child) is None and child.pos_ in ("PROPN", "X"))
            or (child.dep_ in ("acl:relcl", "nmod", "appos") and member(child, load_frames().member_marks))
        ):
            rivals += _party(view, child)
        elif child.dep_ == "acl:relcl":
            rivals += [m for g in child.children if g.dep_ in ("nsubj", "conj") for m in _party(view, g)]
    if not rivals and anchors:
        # "les concurrents de Y (A, B ou C)": the list in brackets after the complement
        end = _last_token(view, anchors)
        if end is not None and end + 1 < len(tok.doc) and tok.doc[end + 1].text == "(":
            rivals += _names_from(view, end + 2, window=3)
    if not rivals:
        rivals += _listed_after(view, tok)
    if not rivals:
        rivals += _named_before_comma(view, tok)
    if tok.dep_ == "nsubj" and any(c.dep_ == "cop" for c in tok.head.children):
        rivals += _party(view, tok.head)  # "les concurrents de Y sont A et B"
    if not rivals and tok.dep_ in ("obl", "obl:arg", "obl:mod", "xcomp", "obj", "ROOT") and tok.head != tok:
        rivals += subjects_of(view, tok.head)  # "X s'impose comme le rival de Y"
    if not rivals and any(c.dep_ == "cop" for c in tok.children):
        rivals += [m for c in tok.children if c.dep_ == "nsubj" for m in _party(view, c)]
    anchors = [m for m in anchors if all(m.slug != r.slug for r in rivals)]
    if rivals and not anchors:
        anchors = _topic(counts, view, exclude={m.slug for m in rivals}, kind=rivals[0].kind)
    if anchors and not rivals and syntax.preposition(tok) is None:
        # a rival noun inside a complement ("au capital de son concurrent") refers to one entity
        # the sentence already names; only a stated rivalry falls back on the article's topic
        rivals = _topic(counts, view, exclude={m.slug for m in anchors}, kind=anchors[0].kind)
    return (anchors, rivals) if anchors and rivals else None


def _named_before_comma(view: SentenceView, tok: Token) -> list[EntityMention]:
    """ "X, le rival direct de Y": the name a comma sets before the rival noun's phrase is the
    rival, whatever the parse attached it to."""
    doc = tok.doc
    left = min([tok.i, *(c.i for c in tok.children if c.dep_ in ("det", "amod") and c.i < tok.i)])
    if left < 2 or doc[left - 1].text != "," or doc[left].pos_ != "DET":
        return []
    return _party(view, doc[left - 2])


def _listed_after(view: SentenceView, tok: Token) -> list[EntityMention]:
    """ "ses concurrents américains, dont X": the names a list marker introduces right after the phrase."""
    doc = tok.doc
    i = tok.right_edge.i + 1
    while i < len(doc) and doc[i].text in (",", "("):
        i += 1
    marks = load_frames().member_marks
    if i < len(doc) and (doc[i].lower_ in marks or doc[i].lemma_.casefold() in marks):
        return _names_from(view, i + 1, window=3)
    return []


def _contest(view: SentenceView, tok: Token) -> Pair | None:
    """ "la rivalité entre X et Y", "la bataille que se livrent X et Y", "son duel avec Y"."""
    sides: list[EntityMention] = []
    others: list[EntityMention] = []
    for child in tok.children:
        prep = syntax.preposition(child)
        if prep == "entre":
            sides += _party(view, child)
            sides += _names_from(view, child.i, window=2)  # "entre X et Y": the parse may lose Y
        elif prep in ("avec", "contre"):
            others += _party(view, child)
        elif prep == "de":
            sides += _party(view, child)
        elif child.dep_ == "det" and child.lower_ in POSSESSIVES:
            sides += _possessor(view, child)
        elif child.dep_ == "acl:relcl":
            sides += [m for g in child.children if g.dep_ in ("nsubj", "nsubj:pass") for m in _party(view, g)]
    if not sides:
        sides += view.mentions_at(tok)
    if others and sides:
        return sides[:1], others
    distinct = list({m.slug: m for m in sides}.values())
    if len(distinct) == 2:
        return [distinct[0]], [distinct[1]]
    return None


def _contest_verb(view: SentenceView, tok: Token, lemma: str, lex: _Lexicon) -> Pair | None:
    """ "X concurrence Y", "X rivalise avec Y", "X supplante Y", "X vise directement Y"."""
    adverbs = lex.needs_adverb.get(lemma)
    if adverbs is not None and not any(c.lower_ in adverbs for c in tok.children):
        return None
    subjects = subjects_of(view, tok)
    if not subjects and tok.dep_ in ("acl", "advcl") and tok.head.pos_ in ("NOUN", "PROPN", "VERB"):
        subjects = _party(view, tok.head) if tok.head.pos_ != "VERB" else subjects_of(view, tok.head)
    others: list[EntityMention] = []
    for child in tok.children:
        relation = "obj" if child.dep_ == "obj" else syntax.preposition(child)
        if relation in lex.verbs[lemma]:
            others += _party(view, child)
    return (subjects, others) if subjects and others else None


def _verb_read_as_noun(view: SentenceView, tok: Token, lemma: str, lex: _Lexicon) -> Pair | None:
    """ "X concurrence (directement) Y": a verb form the tagger took for the noun, read by the
    words: right after a name, and followed by another name, adverbs aside."""
    doc = tok.doc
    before = view.mentions_at(doc[tok.i - 1]) if tok.i > 0 else []
    j = tok.i + 1
    adverbs: list[Token] = []
    while j < len(doc) and doc[j].pos_ == "ADV":
        adverbs.append(doc[j])
        j += 1
    after = view.mentions_at(doc[j]) if j < len(doc) else []
    needed = lex.needs_adverb.get(lemma)
    if needed is not None and not any(a.lower_ in needed for a in adverbs):
        return None
    return (before, after) if before and after else None


def _facing(view: SentenceView, tok: Token) -> Pair | None:
    """ "Face à X, Y…" / "Y … face à X": the names after "face à" (or the ones a description
    there lists: "face aux géants que sont X et Z") against the clause's subject — for a fronted
    phrase, the first name after it ("Face à X, l'arme de Y est…")."""
    start = tok.i + 2
    others = _names_from(view, start, window=8)
    if not others:
        return None
    end = _last_token(view, others)
    anchors: list[EntityMention] = []
    if _sentence_initial(tok) and end is not None:
        anchors = _names_from(view, end + 1, window=6)[:1]
    if not anchors:
        verb = syntax.clause_head(tok)
        # "renforcer X face à Y": what the clause makes stronger faces Y
        anchors = [m for c in verb.children if c.dep_ == "obj" and c.i < tok.i for m in _party(view, c)]
    if not anchors:
        for subject in syntax.subject_of(verb):
            anchors += _party(view, subject) or [
                m for c in subject.children if syntax.preposition(c) == "de" for m in _party(view, c)
            ]
        anchors = anchors or subjects_of(view, verb)
        anchors = _with_listed(view, anchors)
    anchors = [m for m in anchors if all(m.slug != o.slug for o in others)]
    return (anchors, others) if anchors else None


def _with_listed(view: SentenceView, found: list[EntityMention]) -> list[EntityMention]:
    """The names listed with these by the words ("X et Y ont signé"), the parse may have
    lost the first of them."""
    names = [(t.i, m) for t in view.parsed.doc for m in view.first_mentions(t)]
    out = {m.slug: m for m in found}
    for i, m in names:
        if m.slug in out:
            out.update((other.slug, other) for _, other in coordinated(view, names, i))
    return list(out.values())


def _sentence_initial(tok: Token) -> bool:
    return all(t.is_punct or t.pos_ in ("ADV", "CCONJ") for t in tok.doc[: tok.i])


def _last_token(view: SentenceView, mentions: Iterable[EntityMention]) -> int | None:
    """Where the last of these mentions ends in the sentence (None when none is in it)."""
    ends = [t.i for t in view.parsed.doc if any(m is x for x in mentions for m in view.mentions_at(t))]
    return max(ends) if ends else None


def _names_from(view: SentenceView, start: int, window: int) -> list[EntityMention]:
    """The first names met within ``window`` words from ``start``, with those listed after them.
    Outside brackets a list ends with "et"/"ou" before its last name: a name after a bare comma
    starts the next phrase ("Face à X, Y accélère")."""
    doc = view.parsed.doc
    bracketed = start > 0 and doc[start - 1].text == "("
    for i in range(start, min(len(doc), start + window)):
        if doc[i].text in (";", ":", ".") or (doc[i].text == "," and i > start):
            return []
        first = view.first_mentions(doc[i])
        if not first:
            continue
        groups = [list(first)]
        joined_by_or = [False]
        end = view.last_token(first[0], i)
        j = end + 1
        while j < len(doc):
            nxt = next((k for k in range(j, min(len(doc), j + 5)) if view.first_mentions(doc[k])), None)
            if nxt is None or not listed(doc, end, nxt):
                break
            groups.append(list(view.first_mentions(doc[nxt])))
            joined_by_or.append(any(t.lower_ in ("et", "ou") for t in doc[end + 1 : nxt]))
            end = view.last_token(view.first_mentions(doc[nxt])[0], nxt)
            j = end + 1
        if not bracketed:
            while len(groups) > 1 and not joined_by_or[-1]:
                groups.pop()
                joined_by_or.pop()
        return [m for group in groups for m in group]
    return []


def _party(view: SentenceView, tok: Token) -> list[EntityMention]:
    """The entities an argument names, a product standing for its maker ("ChatGPT, le chatbot
    d'OpenAI"), and the names a relative clause lists ("les géants que sont X et Y")."""
    found = denotes(view, tok)
    if found:
        return found
    owner = product_owners().get(tok.text) or product_owners().get(
        " ".join(t.text for t in tok.subtree if t.pos_ in ("PROPN", "NUM"))
    )
    if owner is not None:
        record = load_gazetteer().get(owner)
        if isinstance(record, Organisation):
            start = view.start + tok.idx
            return [
                EntityMention(
                    start, start + len(tok.text), tok.text, "organisation", owner, record.name, "gazetteer", 0.7
                )
            ]
    for child in tok.children:
        if child.dep_ == "appos":
            found += [m for g in child.children if syntax.preposition(g) == "de" for m in denotes(view, g)]
        elif syntax.preposition(child) == "de" and tok.lemma_.casefold() in load_frames().description_heads:
            # "l'entreprise de X": the person stands for the company they run (see _company_of)
            found += [m for m in denotes(view, child) if m.kind == "person"]
        elif child.dep_ == "acl:relcl" and any(g.lemma_ == "être" for g in child.subtree):
            found += [m for g in child.subtree for m in view.mentions_at(g)]
    return list({m.slug: m for m in found}.values())


def _possessor(view: SentenceView, det: Token) -> list[EntityMention]:
    """Whose "son"/"sa"/"leur" is: the subject of the clause, else the name just before."""
    found = list(view.mentions_at(det))
    if found:
        return found
    verb = syntax.governing_verb(det.head)
    if verb is not None:
        found = subjects_of(view, verb)
    if not found:
        for t in reversed(det.doc[: det.i]):
            if view.mentions_at(t):
                return view.mentions_at(t)
    return found


def _clitic_en(view: SentenceView, tok: Token) -> list[EntityMention]:
    """ "Moins connu que Y, X en est le rival": "en" stands for the name before it that is not the subject."""
    verb = tok if any(c.dep_ == "cop" for c in tok.children) else tok.head
    clitics = [c for c in [*verb.children, *tok.children] if c.lower_ == "en" and c.pos_ == "PRON"]
    if not clitics:
        return []
    subjects = {m.slug for m in subjects_of(view, verb)} | {
        m.slug for c in tok.children if c.dep_ == "nsubj" for m in denotes(view, c)
    }
    for t in reversed(tok.doc[: clitics[0].i]):
        names = [m for m in view.mentions_at(t) if m.slug not in subjects]
        if names:
            return names[:1]
    return []


def _topic(counts: Counter[str], view: SentenceView, exclude: set[str], kind: str) -> list[EntityMention]:
    """The entity the text is about, when one clearly leads (named at least twice, more than any other)."""
    ranked = [(slug, n) for slug, n in counts.most_common() if slug not in exclude]
    ranked = [(slug, n) for slug, n in ranked if view.kind_of(slug) == kind]
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return []
    return [view.named(ranked[0][0])]


# ----------------------------------------------------------------------------- events


def _adversaries(drafts: Sequence[EventDraft]) -> list[RivalryDraft]:
    """Plaintiff against defendant; a bidder against the target that rejected it; two buyers of one company."""
    out: list[RivalryDraft] = []
    buyers: dict[str, list[tuple[EntityMention, EventDraft]]] = defaultdict(list)
    for d in drafts:
        sides: tuple[str, str] | None = None
        if d.type == "lawsuit":
            sides = ("plaintiff", "defendant")
        elif d.type == "bid" and d.status == "rejected":
            sides = ("bidder", "target")
        if sides is not None:
            for a, role_a in d.participants:
                for b, role_b in d.participants:
                    if role_a == sides[0] and role_b == sides[1]:
                        out.append(RivalryDraft(a, b, d.sentence, d.trigger_start, d.trigger_end))
        if d.type in ("bid", "acquisition") and d.status != "completed":
            # A completed purchase made its buyer the owner, who sells to a later bidder.
            targets = [m for m, role in d.participants if role == "target"]
            for target in targets[:1]:
                buyers[target.slug] += [(m, d) for m, role in d.participants if role in ("bidder", "acquirer")]
    for candidates in buyers.values():
        for i, (a, d) in enumerate(candidates):
            for b, other in candidates[i + 1 :]:
                if a.slug != b.slug and d is not other:
                    out.append(RivalryDraft(a, b, other.sentence, other.trigger_start, other.trigger_end))
    return out


def _ties(drafts: Iterable[EventDraft]) -> set[frozenset[str]]:
    """Pairs the events put on the same side: partners, a founder and the company, an investor and
    its target, a project and its owners, a buyer and what it bought."""
    tied: set[frozenset[str]] = set()
    for d in drafts:
        slugs = [m.slug for m, _ in d.participants]
        if d.type in _SAME_SIDE or (d.type == "acquisition" and d.status == "completed"):
            tied |= {frozenset((a, b)) for a in slugs for b in slugs if a != b}
        roles: dict[str, set[str]] = defaultdict(set)
        for m, role in d.participants:
            roles[role].add(m.slug)
        for same in roles.values():
            tied |= {frozenset((a, b)) for a in same for b in same if a != b}  # co-defendants, co-plaintiffs
    return tied


# ----------------------------------------------------------------------------- parties


def _company_of(m: EntityMention, other: EntityMention, leads: Mapping[str, set[str]]) -> EntityMention:
    """A chief executive facing a company stands for the company they run."""
    if m.kind != "person" or other.kind != "organisation":
        return m
    led = leads.get(m.slug, set()) - {other.slug}
    if len(led) != 1:
        return m
    slug = next(iter(led))
    record = load_gazetteer().get(slug)
    name = record.name if record is not None else slug
    return msgspec.structs.replace(m, kind="organisation", slug=slug, name=name)


def _possible(
    a: EntityMention,
    b: EntityMention,
    org_kinds: Mapping[str, str],
    leads: Mapping[str, set[str]],
    tied: set[frozenset[str]],
) -> bool:
    if a.slug == b.slug:
        return False
    if any(m.kind == "organisation" and org_kinds.get(m.slug) == "media" for m in (a, b)):
        return False
    if b.slug in leads.get(a.slug, set()) or a.slug in leads.get(b.slug, set()):
        return False
    return frozenset((a.slug, b.slug)) not in tied


def to_facts(drafts: Sequence[RivalryDraft]) -> list[RivalryFact]:
    """One fact per pair of parties, citing every sentence that sets them against each other."""
    found: dict[tuple[str, str], RivalryFact] = {}
    for draft in drafts:
        a, b = EntityRef(draft.a.kind, draft.a.slug), EntityRef(draft.b.kind, draft.b.slug)
        first, second = sorted((a.slug, b.slug))
        fact = found.setdefault((first, second), RivalryFact(parties=(a, b), spans=[]))
        span = Span(draft.sentence.start, draft.sentence.end, "rivalry@1", 0.8)
        if span not in fact.spans:
            fact.spans.append(span)
    return list(found.values())
