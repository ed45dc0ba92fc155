"""The entities a predicate's arguments stand for, read from the dependency parse, with the
words of the clause standing in where the parse lost them.

:func:`arguments` gives a trigger's arguments as (relation, entity) pairs: the subject, the object,
the agent of a passive, prepositional complements, a noun's ``de``/``par`` complements, its
possessive and the subject of the verb that governs it. :func:`denotes` is what a nominal
argument names: a name, the entity a pronoun or description refers to (:mod:`coref`), a relative
pronoun's antecedent, names in apposition or listed, the owner behind an amount or an asset ("les
milliards d'X", "les activités de X"), and everything coordinated with it. Where the parse gave the
clause no subject, the nearest name before the trigger that no preposition introduces (and the
names listed with it) stands in; a preposition before a name gives its relation (:mod:`words`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spacy.tokens import Token

from service.ingest import syntax
from service.ingest.coref import Resolution
from service.ingest.events_types import Clause
from service.ingest.frames import Frame, Frames, load_frames
from service.ingest.parse import ParsedSentence
from service.ingest.types import DateMention, EntityMention, MoneyMention, Sentence
from service.ingest.words import circumstance, coordinated, fallback, linear_clause

_NOMINAL_DEPS = frozenset({"nsubj", "nsubj:pass", "obj", "iobj", "obl", "obl:arg", "obl:mod", "obl:agent", "nmod"})
_NAME_DEPS = frozenset({"appos", "flat:name", "flat", "flat:foreign", "dep", "compound"})
RELATIVE = frozenset({"qui", "que", "qu'", "qu’", "lequel", "laquelle", "lesquels", "lesquelles"})
# Words that open a relative clause whose subject follows ("l'accord en vertu duquel X acquerra").
RELATIVE_HEADS = frozenset(
    {"duquel", "de laquelle", "desquels", "desquelles", "dont", "lequel", "laquelle", "que", "qu'", "qu’"}
)
POSSESSIVES = frozenset({"son", "sa", "ses", "leur", "leurs"})


@dataclass(frozen=True)
class Trigger:
    token: Token
    frame: Frame
    verbal: bool


@dataclass
class SentenceView:
    """One sentence and what the earlier stages found in it."""

    index: int
    parsed: ParsedSentence
    resolution: Resolution
    excluded: frozenset[str]  # slugs that only report the news here
    money: list[MoneyMention]
    dates: list[DateMention]
    reported: DateMention | None
    frames: Frames
    org_kinds: Mapping[str, str]

    @property
    def start(self) -> int:
        return self.parsed.sentence.start

    def mentions_at(self, tok: Token) -> list[EntityMention]:
        return [m for m in self.resolution.at(self.index, tok.i) if m.slug not in self.excluded]

    def first_mentions(self, tok: Token) -> list[EntityMention]:
        """Mentions that start at this token."""
        before = self.mentions_at(tok.doc[tok.i - 1]) if tok.i else []
        return [m for m in self.mentions_at(tok) if all(b is not m for b in before)]

    def tokens_of(self, mention: EntityMention) -> list[Token]:
        doc = self.parsed.doc
        return [t for t in doc if any(m is mention for m in self.mentions_at(t))]

    def last_token(self, mention: EntityMention, first: int) -> int:
        doc = self.parsed.doc
        i = first
        while i + 1 < len(doc) and any(m is mention for m in self.mentions_at(doc[i + 1])):
            i += 1
        return i

    def org_kind(self, slug: str) -> str:
        return self.org_kinds.get(slug, "other")

    def named(self, slug: str) -> EntityMention:
        """The first mention of an entity anywhere in the document."""
        return self.resolution.first(slug)

    def kind_of(self, slug: str) -> str:
        return self.named(slug).kind

    @classmethod
    def build(
        cls,
        index: int,
        parsed: ParsedSentence,
        resolution: Resolution,
        mentions: Sequence[EntityMention],
        org_kinds: Mapping[str, str],
        text: str,
        money: Sequence[MoneyMention] = (),
        dates: Sequence[DateMention] = (),
    ) -> SentenceView:
        """The view of one sentence; media that only report the news in it are left out."""
        s = parsed.sentence
        inside = [m for m in mentions if s.start <= m.start and m.end <= s.end]
        excluded = frozenset(m.slug for m in inside if org_kinds.get(m.slug) == "media" and reports(text, s, m))
        s_dates = [d for d in dates if s.start <= d.start and d.end <= s.end]
        return cls(
            index=index,
            parsed=parsed,
            resolution=resolution,
            excluded=excluded,
            money=[m for m in money if s.start <= m.start and m.end <= s.end],
            dates=s_dates,
            reported=next((d for d in s_dates if is_report_date(text, s, d)), None),
            frames=load_frames(),
            org_kinds=org_kinds,
        )


def noun_frame(tok: Token, frames: Frames) -> Frame | None:
    if tok.pos_ not in ("NOUN", "PROPN", "X"):
        return None
    for key in (tok.lemma_.casefold(), tok.lower_):
        frame = frames.nouns.get(key)
        if frame is not None:
            return frame
    return None


# ----------------------------------------------------------------------------- arguments


def arguments(ctx: SentenceView, trigger: Trigger) -> list[tuple[str, EntityMention, Frame]]:
    tok, frame = trigger.token, trigger.frame
    pairs: list[tuple[str, Token]] = []
    if trigger.verbal:
        passive = syntax.is_passive(tok)
        for child in tok.children:
            relation = _verb_relation(child, passive)
            if relation is not None:
                pairs.append((relation, child))
            pairs += _adverbial(child)
        if not any(c.dep_ in syntax.SUBJECT_DEPS for _, c in pairs):
            pairs += [("obj" if passive else "subj", s) for s in inherited_subjects(tok)]
        qualified = syntax.comma_participle_noun(tok)
        if syntax.qualifies_noun(tok):
            pairs.append(("obj" if passive else "subj", tok.head))
        elif qualified is not None:
            # the participle's noun is what it acts on; that noun's possessive names who acted
            pairs.append(("obj", qualified))
            pairs += [("subj", d) for d in qualified.children if d.dep_ == "det" and d.lower_ in POSSESSIVES]
        elif _object_relative(tok):
            pairs.append(("obj", tok.head))
        if passive and tok.dep_ == "advcl":
            pairs += [("obj", s) for s in syntax.subject_of(tok.head)]
        if passive and _sentence_initial(tok):
            pairs += [("obj", s) for s in _main_subjects(tok)]
        pairs += [("agent" if passive else "auprès de", g) for g in _givers(ctx, tok)]
    elif frame.title:
        pairs += [("holder", h) for h in title_holders(tok) or _adjacent_people(ctx, tok) or _named_before(ctx, tok)]
        pairs += [(rel, c) for c in tok.children if (rel := _noun_relation(c)) is not None and rel != "name"]
    else:
        for child in tok.children:
            relation = _noun_relation(child)
            if relation is not None:
                pairs.append((relation, child))
            pairs += _adverbial(child)
            if frame.needs == "listing" and child.lemma_.casefold() in ctx.frames.listing_words:
                # "l'introduction en Bourse de X": the parse hangs the company under the market.
                pairs += [("de", g) for g in child.children if g.dep_ == "nmod" and syntax.preposition(g) == "de"]
        for participle in _participles(tok, ctx.frames):
            pairs += _participle_arguments(participle)
        verb = syntax.governing_verb(tok)
        reviewing = verb is not None and verb.lemma_.casefold() in ctx.frames.review_verbs
        if verb is not None and tok.dep_ not in ("nsubj", "nsubj:pass") and not reviewing and not circumstance(tok):
            if syntax.is_passive(verb):
                pairs += [("subj", a) for a in verb.children if a.dep_ == "obl:agent"]
                pairs += [("subj", a) for a in verb.children if syntax.preposition(a) == "par"]
            else:
                # "X a reçu un investissement de Y": the subject of a receiving verb is the recipient.
                receiving = tok.dep_ == "obj" and verb.lemma_.casefold() in ctx.frames.receiving_verbs
                joining = verb.lemma_.casefold() in ctx.frames.joining_verbs
                relation = "recipient" if receiving else "joiner" if joining else "subj"
                pairs += [(relation, s) for s in syntax.subject_of(verb)]
                pairs += [(relation, s) for s in inherited_subjects(verb)]
            if tok.head == verb and tok.dep_ == "obj":
                # "imposer une amende à X", "signer un contrat avec X": the support verb's complements.
                for child in verb.children:
                    if child != tok and child.dep_ in ("obl", "obl:arg", "obl:mod", "iobj"):
                        relation = syntax.preposition(child) or ("iobj" if child.dep_ == "iobj" else None)
                        if relation is not None and relation != "par":
                            pairs.append((relation, child))
    out: list[tuple[str, EntityMention, Frame]] = []
    for relation, child in _compound(pairs, ctx.frames):
        whole = f"{relation}*" in frame.roles
        found = deep(ctx, child) if whole else denotes(ctx, child)
        out += [(f"{relation}*" if whole else relation, m, frame) for m in found]
        for nested in ("obj", "de"):
            if relation == nested and f"{nested}.de" in frame.roles:
                out += [(f"{nested}.de", m, frame) for m in de_chain(ctx, child)]
    out += fallback(ctx, trigger, out, _lost_subject(tok))
    return out


_SCALE_NOUNS = frozenset({"million", "milliard", "millier"})


def _givers(ctx: SentenceView, verb: Token) -> list[Token]:
    """ "financé à hauteur de 300 millions (100 millions de X, …)", "a levé 600 millions, dont
    100 millions de Y": a name after an amount in the verb's own clause says who put it in."""
    out: list[Token] = []
    for t in verb.subtree:
        if t.lemma_.casefold() not in _SCALE_NOUNS or _verb_above(t) != verb:
            continue
        out += [g for g in t.children if syntax.preposition(g) == "de" and ctx.mentions_at(g)]
    return out


def _verb_above(tok: Token) -> Token | None:
    """The first verb above a word, through nouns and relative phrases without a verb of their own."""
    node = tok
    for _ in range(10):
        if node.head == node:
            return None
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            return node
    return None


def _object_relative(verb: Token) -> bool:
    """ "X, que Y a rachetée": a clause set on a noun by "que", whose verb has no object of its
    own, has the noun for its object."""
    return (
        verb.dep_ in ("acl", "acl:relcl")
        and verb.head.pos_ in ("NOUN", "PROPN", "X")
        and any(c.lower_ in ("que", "qu'", "qu’") and c.i < verb.i for c in verb.children)
        and not any(c.dep_ in ("obj", "ccomp") for c in verb.children)
    )


def _compound(pairs: list[tuple[str, Token]], frames: Frames) -> list[tuple[str, Token]]:
    """ "aux côtés de X" is "avec X": the noun of a compound preposition hands over its complement."""
    out: list[tuple[str, Token]] = []
    for relation, child in pairs:
        compound = frames.compound_prepositions.get(child.lower_)
        if compound is None:
            out.append((relation, child))
            continue
        out += [(compound, g) for g in child.children if syntax.preposition(g) == "de"]
    return out


def _verb_relation(child: Token, passive: bool) -> str | None:
    dep = child.dep_
    if dep in ("nsubj", "csubj"):
        return "obj" if passive else "subj"
    if dep == "nsubj:pass":
        return "obj" if passive else "subj"
    if dep == "obj":
        return "obj"
    if dep == "iobj":
        return "iobj"
    if dep == "obl:agent":
        return "agent"
    if dep.startswith("obl") or dep == "nmod":
        prep = syntax.preposition(child)
        if prep == "par":
            return "agent"
        if prep is None and child.pos_ == "PRON":
            return "iobj"
        return prep
    return None


def _noun_relation(child: Token) -> str | None:
    dep = child.dep_
    if dep == "det" and child.lower_ in POSSESSIVES:
        return "subj"
    if dep in ("nmod", "obl", "obl:arg", "obl:mod", "acl:relcl"):
        prep = syntax.preposition(child)
        if prep == "par":
            return "agent"
        if prep is None:
            return "name" if child.pos_ in ("PROPN", "X") else None
        return prep
    if dep in ("appos", "flat:name", "compound") and child.pos_ in ("PROPN", "X"):
        return "name"
    return None


def _adverbial(child: Token) -> list[tuple[str, Token]]:
    """ "auprès d'investisseurs": the parse hangs the noun under the adverb."""
    prep = syntax.preposition_of_adverb(child)
    if prep is None:
        return []
    return [(prep, g) for g in child.children if g.dep_ in ("obl:arg", "obl", "nmod", "obl:mod")]


def _sentence_initial(tok: Token) -> bool:
    return all(t.is_punct or t.pos_ in ("ADV", "CCONJ", "ADP") for t in tok.doc[: tok.i])


def _main_subjects(participle: Token) -> list[Token]:
    """ "Fondée en 2023 par X, Y a…": the subject of the main clause after the participial phrase,
    the one nearest its verb."""
    by_verb: dict[int, list[Token]] = {}
    for t in participle.doc[participle.i + 1 :]:
        if t.dep_ in ("nsubj", "nsubj:pass") and t.head != participle and t.i < t.head.i:
            by_verb.setdefault(t.head.i, []).append(t)
    if not by_verb:
        return []
    return by_verb[min(by_verb)][-1:]


def _participles(noun: Token, frames: Frames) -> list[Token]:
    """Participles that qualify an eventive noun: on the noun or inside its phrase ("les
    partenariats à plusieurs milliards noués entre X et Y"), or on the collection it belongs to
    ("une série d'engagements …, impliquant X"), or right after the noun where the parse hung it
    on a noun above ("les enjeux du procès opposant X à Y")."""
    phrase = [noun]
    if noun.dep_ == "nmod" and noun.head.lemma_.casefold() in frames.collection_heads:
        phrase.append(noun.head)
    out: list[Token] = []
    for root in phrase:
        for t in root.subtree:
            if t.dep_ in ("acl", "advcl") and t.pos_ in ("VERB", "ADJ") and t != noun:
                out.append(t)
    following = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if (
        following is not None
        and following.dep_ == "acl"
        and following.pos_ == "VERB"
        and following not in out
        and noun.dep_ == "nmod"
        and following.head == noun.head
    ):
        out.append(following)
    return out


def _participle_arguments(participle: Token) -> list[tuple[str, Token]]:
    """ "l'offre déposée par X" (X the agent), "le rachat attendu de X par Y", "des engagements
    impliquant X", "le procès opposant X à Y": a participle on an eventive noun carries its arguments."""
    out: list[tuple[str, Token]] = []
    present = "Pres" in syntax.feats(participle, "Tense") or participle.lower_.endswith("ant")
    opposing = participle.lemma_.casefold() == "opposer"
    for g in participle.children:
        prep = syntax.preposition(g)
        if g.dep_ == "obl:agent" or (g.dep_.startswith("obl") and prep == "par"):
            out.append(("agent", g))
        elif opposing and (g.dep_ == "obj" or prep == "à"):
            out.append(("entre", g))
        elif present and g.dep_ == "obj":
            out.append(("subj", g))
        elif prep is not None and g.dep_ in ("obl", "obl:arg", "obl:mod", "nmod"):
            out.append((prep, g))
    return out


def inherited_subjects(verb: Token) -> list[Token]:
    """The subject a verb shares with the one it depends on: "prévoit d'investir" (control),
    "a été créé … et est soutenue" (coordination), "pour acheter" (purpose), "en rachetant X,
    Y…" (a gerund's subject is the main clause's). A name right
    before a conjugated verb is its own subject, whatever the parse attached it to ("…, et Y
    finalise le rachat")."""
    before = _name_before_verb(verb)
    if before is not None:
        return [before]
    beneficiary = _beneficiary(verb)
    if beneficiary:
        return beneficiary
    node = verb
    for _ in range(4):
        own = syntax.subject_of(node)
        if own and node != verb:
            return own
        if own:
            return []
        infinitive = "Inf" in syntax.feats(node, "VerbForm") or syntax.gerund(node)
        if node.head != node and (node.dep_ in ("xcomp", "conj", "advcl") or infinitive):
            if node.dep_ == "ccomp" and not infinitive:
                return []
            # "afin de remettre…": an infinitive without a subject takes the verb above's.
            node = node.head
            while node.pos_ not in ("VERB", "AUX") and node.head != node and infinitive:
                node = node.head
            continue
        return []
    return []


def _beneficiary(verb: Token) -> list[Token]:
    """ "accorder à X le droit d'acquérir…": who is given the right does what it is the right to."""
    noun = verb.head
    if verb.dep_ != "acl" or noun.lemma_.casefold() not in load_frames().entitlements:
        return []
    giver = noun.head
    return [
        c for c in giver.children if c.dep_ == "iobj" or (c.dep_.startswith("obl") and syntax.preposition(c) == "à")
    ]


def _name_before_verb(verb: Token) -> Token | None:
    if "Fin" not in syntax.feats(verb, "VerbForm") and not any(c.dep_ == "aux:tense" for c in verb.children):
        return None
    doc = verb.doc
    first = min(
        [verb.i, *(c.i for c in verb.children if c.dep_.startswith("aux") or c.dep_ in ("advmod", "expl:comp"))]
    )
    i = first - 1
    while i >= 0 and doc[i].pos_ in ("ADV", "PRON") and doc[i].lower_ not in RELATIVE and i >= first - 3:
        i -= 1
    if i >= 0 and doc[i].pos_ in ("PROPN", "X") and doc[i].dep_ not in ("nsubj", "nsubj:pass"):
        prev = doc[i - 1] if i else None
        if (
            prev is None
            or prev.text in (",", "et")
            or prev.pos_ in ("CCONJ", "PROPN", "X")
            or prev.lower_ in RELATIVE_HEADS
        ):
            return doc[i]
    return None


def _adjacent_people(ctx: SentenceView, tok: Token) -> list[Token]:
    """ "X, cofondateur de Y" / "le cofondateur de Y, X": the person set by a comma next to the
    title's phrase, when the parse attached them elsewhere."""
    doc = tok.doc
    left = min([tok.i, *(c.i for c in tok.children if c.dep_ in ("det", "amod", "nummod") and c.i < tok.i)])
    right = max(t.i for t in tok.subtree)
    # the phrase ends with the title's own complement ("les fondateurs de X, A et B"), whatever
    # else the parse hung under it
    owner = next((c for c in tok.children if syntax.preposition(c) == "de" and ctx.mentions_at(c)), None)
    if owner is not None:
        right = min(right, ctx.last_token(ctx.mentions_at(owner)[0], owner.i))
    after = right + 2 if right + 1 < len(doc) and doc[right + 1].text == "," else None
    if after is None and tok.i + 2 < len(doc) and doc[tok.i + 1].text == ",":
        after = tok.i + 2  # the parse hung the rest of the sentence under the title
    if after is not None and after < len(doc) and not ctx.mentions_at(doc[after]):
        # "ses cofondatrices, deux anciennes chercheuses A et B": a few lower-case words may
        # describe the names before they come
        after = next(
            (
                t.i
                for t in doc[after : after + 6]
                if ctx.mentions_at(t) or t.text == "," or t.pos_ in ("VERB", "AUX") or not t.is_lower
            ),
            None,
        )
    if after is not None and after < len(doc) and any(m.kind == "person" for m in ctx.mentions_at(doc[after])):
        names = [(t.i, m) for t in doc for m in ctx.first_mentions(t)]
        if any(i == after for i, _ in names):
            return [doc[i] for i, m in coordinated(ctx, names, after) if m.kind == "person"]
        return [doc[after]]
    before = left - 2 if left >= 2 and doc[left - 1].text == "," else None
    if before is not None and any(m.kind == "person" for m in ctx.mentions_at(doc[before])):
        return [doc[before]]
    return []


def _named_before(ctx: SentenceView, tok: Token) -> list[Token]:
    """ "X fait de Y son partenaire": for a title its possessive owns, the nearest name before it."""
    owner = next((c for c in tok.children if c.dep_ == "det" and c.lower_ in POSSESSIVES), None)
    if owner is None:
        return []
    owned = {m.slug for m in ctx.mentions_at(owner)}
    # the name stands right before the possessive phrase ("de Y son partenaire"), not anywhere
    # before it in the clause
    lo = max(linear_clause(tok)[0], owner.i - 1)
    for t in reversed(tok.doc[lo : owner.i]):
        if any(m.slug not in owned for m in ctx.mentions_at(t)):
            return [t]
    return []


def title_holders(tok: Token) -> list[Token]:
    """Who holds a title: "X, cofondateur de Y", "le cofondateur de Y, X", "X a été le fondateur
    de Y", "les partenaires de Y sont X et Z"."""
    out: list[Token] = []
    head = tok.head
    if tok.dep_ in ("appos", "nmod", "conj") and head.pos_ in ("PROPN", "X"):
        out.append(head)
    if tok.dep_ == "nsubj" and any(c.dep_ == "cop" for c in head.children):
        out.append(head)
    out += [
        c
        for c in tok.children
        if c.dep_ in ("nsubj", "appos", "flat:name")
        or (c.dep_ == "nmod" and c.pos_ == "PROPN" and not syntax.preposition(c))
    ]
    # "ses fondateurs, A et B, …": the names set after a plural title by a comma hold it; the
    # parse makes them the title's conjuncts.
    named = [c for c in tok.children if c.dep_ == "conj" and c.pos_ in ("PROPN", "X") and c.i > tok.i]
    if named and "Plur" in syntax.feats(tok, "Number") and tok.doc[named[0].i - 1].text == ",":
        out += named
    return out


def denotes(ctx: SentenceView, tok: Token, depth: int = 0) -> list[EntityMention]:
    """The entities a nominal argument stands for: its name, the entity a pronoun or a
    description refers to, a relative pronoun's antecedent, names in apposition or listed
    ("tels que X", "dont X", "(X, Y)"), the owner behind an amount or an asset ("les milliards
    d'X", "les activités de X"), and everything coordinated with it."""
    if depth > 5:
        return []
    frames = ctx.frames
    found = ctx.mentions_at(tok)
    tokens = ctx.tokens_of(found[0]) if found else [tok]
    if not found and tok.lower_ in RELATIVE:
        if tok.head.dep_ == "acl:relcl":
            found = denotes(ctx, tok.head.head, depth + 1)
        if not found:
            found = _preceding_name(ctx, tok)
    if not found:
        lemma = tok.lemma_.casefold()
        for child in tok.children:
            if child.dep_ in _NAME_DEPS or (child.dep_ == "nmod" and syntax.preposition(child) is None):
                named = denotes(ctx, child, depth + 1)
                if not named and lemma in frames.transparent_heads and child.dep_ == "nmod":
                    # "la technologie 3 nm d'X": the parse hangs the owner on the noun's modifier
                    named = [
                        m for g in child.children if syntax.preposition(g) == "de" for m in denotes(ctx, g, depth + 1)
                    ]
                found += named
            elif child.dep_ in ("nmod", "acl:relcl", "appos", "amod") and member(child, frames.member_marks):
                found += denotes(ctx, child, depth + 1)
                found += [
                    m
                    for g in child.children
                    if g.dep_ in ("dep", "obj", "nmod", "conj")
                    for m in denotes(ctx, g, depth + 1)
                ]
            elif lemma in frames.transparent_heads and child.dep_ == "nmod" and syntax.preposition(child) == "de":
                found += denotes(ctx, child, depth + 1)

            elif lemma in frames.stake_heads and child.dep_ == "nmod" and syntax.preposition(child) == "dans":
                found += denotes(ctx, child, depth + 1)  # "sa participation dans X, vendue à Y"
            elif lemma in frames.group_heads and child.dep_ == "acl":
                # "des investisseurs emmenés par X": the one leading the group is part of it
                found += [m for g in child.children if g.dep_ == "obl:agent" for m in denotes(ctx, g, depth + 1)]
        if not found and tok.pos_ == "NOUN":
            # "le Chinois X": a name right after the noun, whatever the tagger made of it, is the
            # noun's own name
            found = [m for c in tok.children if c.dep_ == "amod" and c.i == tok.i + 1 for m in ctx.mentions_at(c)]
        if not found and tok.dep_ == "appos" and tok.pos_ == "NOUN":
            found = denotes(ctx, tok.head, depth + 1)  # "X, une société rachetée par Y"
        if not found and tok.pos_ == "NOUN":
            found = _apposed_name(ctx, tok)
        # "le géant chinois du … X": the tagger may make the adjective the head, the noun its modifier
        swapped = tok.pos_ == "ADJ" and any(
            c.dep_ == "amod" and c.pos_ == "NOUN" and c.lemma_.casefold() in frames.description_heads
            for c in tok.children
        )
        if not found and ((tok.pos_ == "NOUN" and lemma in frames.description_heads) or swapped):
            found = _described_name(ctx, tok)
    for t in tokens:
        for child in t.children:
            listed_with = child.dep_ == "conj" and child.pos_ not in ("VERB", "AUX") and child not in tokens
            # "le patron de X et de Y": a conjunct with its own preposition joins the complement,
            # not the head it hangs from
            own_case = syntax.preposition(child) not in (None, syntax.preposition(t))
            if listed_with and not own_case and not comma_apposition(child):
                found += denotes(ctx, child, depth + 1)
    unique: dict[str, EntityMention] = {}
    for m in found:
        unique.setdefault(m.slug, m)
    return list(unique.values())


def comma_apposition(conj: Token) -> bool:
    """ "X, rival de Y, a…": a common noun joined to a name by a bare comma, with no "et"/"ou"
    and no determiner, describes the name; the parser's conjunct is no second member."""
    doc = conj.doc
    if conj.pos_ != "NOUN" or not conj.is_lower or any(c.dep_ in ("cc", "det") for c in conj.children):
        return False
    left = min([conj.i, *(c.i for c in conj.children if c.dep_ == "amod" and c.i < conj.i)])
    return left > 0 and doc[left - 1].text == ","


def _apposed_name(ctx: SentenceView, tok: Token) -> list[EntityMention]:
    """ "X, la maison mère de Y, a annoncé…", "X, une société rachetée par Y", "X, principal
    rival de Y, a…": a description set after a name by a comma describes that name, whatever
    the parse attached it to."""
    doc = tok.doc
    left = min([tok.i, *(c.i for c in tok.children if c.dep_ == "det" or (c.dep_ == "amod" and c.i < tok.i))])
    bare = tok.is_lower and not any(c.dep_ == "det" for c in tok.children)
    if left < 2 or doc[left - 1].text != "," or not (doc[left].pos_ == "DET" or bare):
        return []
    return ctx.mentions_at(doc[left - 2])


def _described_name(ctx: SentenceView, tok: Token) -> list[EntityMention]:
    """ "l'opérateur de satellites X", "le géant européen de la vente à distance Y": a description
    head whose name comes after its own complement."""
    doc = tok.doc
    for t in doc[tok.i + 1 : tok.i + 8]:
        found = ctx.mentions_at(t)
        if found:
            # a name right after "de" is the description's complement ("le réseau social d'X"), not its name
            return [] if t.i > 0 and doc[t.i - 1].lower_ in ("de", "d'", "d’", "du", "des") else found
        if not ((t.pos_ in ("ADJ", "NOUN") and t.is_lower) or t.pos_ == "ADP" or t.lower_ in ("d'", "d’", "-")):
            return []
    return []


def de_chain(ctx: SentenceView, tok: Token, depth: int = 0) -> list[EntityMention]:
    """The entities behind a chain of "de" complements ("la plupart des employés d'X" → X)."""
    for child in tok.children:
        if syntax.preposition(child) == "de":
            found = denotes(ctx, child) or (de_chain(ctx, child, depth + 1) if depth < 3 else [])
            if found:
                return found
    return []


def deep(ctx: SentenceView, tok: Token) -> list[EntityMention]:
    """Every entity in an argument's phrase ("une enquête sur le recrutement par X de…"), in order."""
    out: dict[str, EntityMention] = {}
    for t in tok.subtree:
        for m in ctx.mentions_at(t):
            out.setdefault(m.slug, m)
    return list(out.values())[:1] or []


def _preceding_name(ctx: SentenceView, tok: Token) -> list[EntityMention]:
    """ "X, qui…": the name just before a relative pronoun the parse attached elsewhere."""
    doc = tok.doc
    i = tok.i - 1
    while i >= 0 and doc[i].text in (",", ")", "»"):
        i -= 1
    return ctx.mentions_at(doc[i]) if i >= 0 else []


def member(tok: Token, marks: frozenset[str]) -> bool:
    """ "des investisseurs tels que Nvidia", "huit entreprises (Toyota, NTT…)", "dont General Atlantic"."""
    words = {c.lower_ for c in tok.children} | {c.lemma_.casefold() for c in tok.children}
    if words & marks or tok.lemma_.casefold() in marks:
        return True
    left = tok.left_edge
    return left.i > 0 and tok.doc[left.i - 1].text in ("(", ":")


def subjects_of(ctx: SentenceView, verb: Token) -> list[EntityMention]:
    out: list[EntityMention] = []
    for s in syntax.subject_of(verb) or inherited_subjects(verb):
        out += denotes(ctx, s)
    return out


def voices(ctx: SentenceView, tok: Token) -> list[EntityMention]:
    """ "par la voix de son ministre X": who spoke for the actor (on the trigger's clause or a
    clause it completes, "a annoncé, par la voix de X, vouloir…"). Not above a "que" clause:
    whoever speaks for the one reporting it takes no part in what is reported."""
    out: list[EntityMention] = []
    heads = [syntax.clause_head(tok)]
    while heads[-1].dep_ not in ("ccomp", "parataxis") and heads[-1].head != heads[-1] and len(heads) < 8:
        heads.append(heads[-1].head)
    for head in heads:
        for child in head.children:
            if child.lemma_.casefold() in ctx.frames.voice_marks:
                for g in child.children:
                    if syntax.preposition(g) == "de":
                        out += [m for m in denotes(ctx, g) if m.kind == "person"]
    return out


def _lost_subject(tok: Token) -> bool:
    """Whether the parse left the trigger's clause without a subject (or with a number or a
    date for one), so the words must stand in."""
    verb = tok if tok.pos_ in ("VERB", "AUX") else syntax.governing_verb(tok)
    if verb is None:
        return True
    subjects = syntax.subject_of(verb) or inherited_subjects(verb)
    return not subjects or all(s.pos_ in ("NUM",) or s.like_num for s in subjects)


# ----------------------------------------------------------------------------- media


# A newsroom only reports: "selon Les Echos", "a rapporté Bloomberg", "le Times a révélé".
_REPORTS_BEFORE = re.compile(
    r"(?:\bselon|\bd['’]après|\brapporte|\ba rapporté|\brévèle|\ba révélé|\bindique|\ba indiqué|\bcité par|"
    r"\binterrogée? par|\binterview(?:ée?)? (?:au|à|par)|\bau micro d[ue]|\bà l['’]antenne d[ue]|\bcolonnes d[ue]|"
    r"\ba appris|\bconfi(?:é|e) (?:au|à)|\ba (?:déclaré|dit|expliqué|assuré|affirmé) (?:au|à)|\bauprès d[ue]s?|"
    r"\brévélée? par|\brapportée? par|\bsources? d[eu]|\bcommentaire d[eu])\s*(?:(?:le|la|les)\s+|l['’]\s?)?$",
    re.IGNORECASE,
)
_REPORTS_AFTER = re.compile(
    r"^\s*(?:,[^,]{0,60},\s*)?(?:qui\s+)?(?:a|avait|aurait|ont)?\s*(?:rapporté|révélé|indiqué|appris|publié|écrit|cité|"
    r"affirmé|précisé|détaillé|dévoilé|annoncé|confirmé)\b|^\s*(?:rapporte|révèle|indique|écrit|affirme|précise|"
    r"détaille|note|souligne|assure|analyse)\b",
    re.IGNORECASE,
)
_REPORTING = re.compile(r"\b(?:a (?:rapporté|révélé|indiqué)|selon|comme l['’]a)\b", re.IGNORECASE)


def reports(text: str, sentence: Sentence, mention: EntityMention) -> bool:
    """Whether a media organisation is only the source of the news in this sentence."""
    if _REPORTS_BEFORE.search(text, max(sentence.start, mention.start - 40), mention.start):
        return True
    return _REPORTS_AFTER.match(text[mention.end : min(sentence.end, mention.end + 90)]) is not None


def is_report_date(text: str, sentence: Sentence, date: DateMention) -> bool:
    """ "a rapporté le 3 mars", "selon X ce mardi": the date the news was reported, not the event's."""
    window = text[max(sentence.start, date.start - 60) : date.start]
    return bool(_REPORTING.search(window))


def event_date(ctx: SentenceView, tok: Token, clause: Clause) -> DateMention | None:
    """The date attached to the trigger, else one in its clause, else one in the sentence."""
    candidates = [d for d in ctx.dates if d is not ctx.reported]
    a, b = syntax.subtree_span(tok)
    own = [d for d in candidates if ctx.start + a <= d.start and d.end <= ctx.start + b]
    if own:
        return own[0]
    in_clause = [d for d in candidates if clause.start <= d.start and d.end <= clause.end]
    if in_clause:
        return in_clause[0]
    return candidates[0] if candidates else None
