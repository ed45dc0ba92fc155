"""Arguments read by the words where the dependency parse lost them: the trigger's clause by its
words (:func:`linear_clause`), the names listed together (:func:`coordinated`, :func:`listed`),
and the relations a preposition or a name's place gives (:func:`fallback`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Token

from service.ingest import syntax
from service.ingest.frames import Frame, Frames, load_frames
from service.ingest.types import EntityMention

if TYPE_CHECKING:
    from service.ingest.arguments import SentenceView, Trigger


def fallback(
    ctx: SentenceView, trigger: Trigger, found: Sequence[tuple[str, EntityMention, Frame]], lost_subject: bool
) -> list[tuple[str, EntityMention, Frame]]:
    """Arguments the parse lost, read from the words of the trigger's clause: when the parse
    gives the clause no subject, the nearest name before the trigger that no preposition
    introduces (and the names listed with it) is the subject; a preposition before a name gives
    its relation; names listed with one that has a relation share it."""
    tok, frame = trigger.token, trigger.frame
    doc = ctx.parsed.doc
    lo, hi = linear_clause(tok)
    names = [(i, m) for i in range(lo, hi) if i != tok.i for m in ctx.first_mentions(doc[i])]
    names = [(i, m) for i, m in names if m.kind == "person" or ctx.org_kind(m.slug) != "media"]
    names = [
        (i, m)
        for i, m in names
        if not _nested_predicate(doc[i], tok, ctx.frames) and not _describes_person(ctx, doc[i], m)
    ]
    given = {m.slug: rel for rel, m, source in found if rel in source.roles or rel in _SUBJECT_LIKE}
    relation_of: dict[int, str | None] = {}
    for i, m in names:
        if m.slug in given:
            relation_of[i] = given[m.slug]
            continue
        prep = syntax.linear_preposition(
            doc[i],
            lo,
            tok.i,
            ctx.frames.transparent_heads,
            ctx.frames.compound_prepositions,
            ctx.frames.description_heads,
        )
        if prep is None:
            prep = _listing_preposition(doc, i, lo, tok.i, ctx.frames)
        relation_of[i] = ("agent" if prep == "par" else prep) if prep is not None else None
    out: list[tuple[str, EntityMention, Frame]] = []
    taken = set(given)

    def add(relation: str, m: EntityMention) -> None:
        if m.slug not in taken and (relation in frame.roles or relation in _SUBJECT_LIKE):
            taken.add(m.slug)
            out.append((relation, m, frame))

    # a noun's own agent ("l'offre déposée par X") is no subject of the verb that governs it
    subject_relations = (
        ("subj", "agent", "holder", "recipient", "joiner")
        if trigger.verbal
        else ("subj", "holder", "recipient", "joiner")
    )
    has_subject = any(r in subject_relations for r in given.values())
    # a noun in a phrase of time or cause is no clause of its own: the name before it is no
    # subject of it
    in_circumstance = not trigger.verbal and circumstance(tok)
    if not frame.title and not has_subject and not in_circumstance and lost_subject:
        before = [(i, m) for i, m in names if i < tok.i and relation_of[i] is None]
        verb = tok.head if tok.dep_ == "obj" else None
        subject = "recipient" if verb is not None and verb.lemma_.casefold() in ctx.frames.receiving_verbs else "subj"
        governing = syntax.governing_verb(tok) if not trigger.verbal else None
        if governing is not None and governing.lemma_.casefold() in ctx.frames.joining_verbs:
            subject = "joiner"  # "X prévoit d'investir … dans un tour de table": X joins the round
        if before:
            for _, other in coordinated(ctx, names, before[-1][0]):
                add(subject, other)
    for i, m in names:
        relation = relation_of[i]
        if m.slug in given and relation:
            # names listed with a name the parse placed share its relation ("X, Y et Z")
            for _, other in coordinated(ctx, names, i):
                add(relation, other)
            continue
        if i < tok.i:
            continue  # before the trigger a name can only be its subject
        if relation is None:
            if i == tok.i + 1 and not trigger.verbal:
                relation = "name"
            elif trigger.verbal and _object_position(doc, tok.i, i):
                relation = "obj"
        if relation:
            add(relation, m)
            for _, other in coordinated(ctx, names, i):
                add(relation, other)
    return out


_CIRCUMSTANCE = frozenset({"suite", "après", "avant", "depuis", "lors", "malgré", "pendant", "durant"})


def circumstance(noun: Token) -> bool:
    """A noun in a phrase of time or cause ("suite au rachat de X", "après la levée")."""
    return any(c.dep_ == "case" and c.lower_ in _CIRCUMSTANCE for c in noun.children)


def _listing_preposition(doc: Doc, i: int, floor: int, trigger: int, frames: Frames) -> str | None:
    """ "par d'anciens salariés de Y, dont X": a name a "dont"/"tels que"/"notamment" lists
    shares the relation of the noun it exemplifies."""
    j = i - 1
    while j >= floor and doc[j].pos_ in ("DET", "ADJ"):
        j -= 1
    if j < floor or (doc[j].lower_ not in frames.member_marks and doc[j].lower_ not in ("que", "qu'", "qu’")):
        return None
    for k in range(j - 1, max(floor, j - 8) - 1, -1):
        if doc[k].pos_ == "NOUN" and doc[k].is_lower:
            prep = syntax.linear_preposition(doc[k], floor, trigger, frames.transparent_heads)
            return prep or None
    return None


# Relations a frame need not list: they are read through the trigger's type.
_SUBJECT_LIKE = ("agent", "recipient", "joiner")


def _describes_person(ctx: SentenceView, name: Token, mention: EntityMention) -> bool:
    """ "par le patron de X et de Y": a name hung on a noun that stands for a person is part of
    that person's description, not an argument of its own."""
    head = name.head
    return (
        head != name
        and head.pos_ == "NOUN"
        and any(o.kind == "person" and o.slug != mention.slug for o in ctx.mentions_at(head))
    )


def _nested_predicate(name: Token, trigger: Token, frames: Frames) -> bool:
    """Whether the parse makes a name the argument of another verb inside the trigger's own
    phrase ("créé en 2022 et soutenue par X": X is the second verb's)."""
    node = name
    for _ in range(12):
        if node == trigger or node.head == node:
            return False
        node = node.head
        if node.pos_ in ("VERB", "AUX") and node != trigger and not node.dep_.startswith("aux"):
            if node.dep_ in ("acl", "amod") and trigger in node.ancestors:
                owner = node.head
                if trigger.pos_ in ("VERB", "AUX") and owner != trigger and owner.lemma_.casefold() in frames.nouns:
                    # "a levé … lors d'un tour de table mené par X": X belongs to the round
                    return True
                continue  # a participle qualifying the trigger's phrase ("le partenariat formé par X")
            return trigger in node.ancestors
    return False


def _object_position(doc: Doc, verb: int, name: int) -> bool:
    """A name a few words after the verb ("racheter la plate-forme de design X"), with no comma
    and no other verb between: where its object stands. A name apposed to a noun in that place
    stands there too ("a créé sa propre entreprise, X"), whatever the parse made of the noun."""
    head = doc[name].head
    if doc[name].dep_ == "appos" and verb < head.i < name:
        name = head.i
    between = doc[verb + 1 : name]
    return len(between) <= 8 and all(t.text not in (",", ";", "(") and t.pos_ not in ("VERB", "AUX") for t in between)


def coordinated(
    ctx: SentenceView, names: Sequence[tuple[int, EntityMention]], i: int
) -> list[tuple[int, EntityMention]]:
    """The names listed with the name at ``i``, before and after it ("X (A), Y et Z"). Names
    only separated by commas, with no "et"/"ou" among them, are an apposition ("la startup de
    P, X,"), not a list."""
    doc = ctx.parsed.doc
    inside = _bracketed(doc)
    names = [(j, m) for j, m in names if j == i or inside[j] == inside[i]]
    index = next(k for k, (j, _) in enumerate(names) if j == i)
    group = [names[index]]
    current = i
    for j, m in reversed(names[:index]):
        if not listed(doc, ctx.last_token(m, j), current):
            break
        group.insert(0, (j, m))
        current = j
    current_end = ctx.last_token(names[index][1], i)
    for j, m in names[index + 1 :]:
        if not listed(doc, current_end, j):
            break
        group.append((j, m))
        current_end = ctx.last_token(m, j)
    # A list ends with "et"/"ou" before its last name; names joined by commas after that are an
    # apposition ("… d'Apple ou Nvidia, Qualcomm conçoit"), not more of the list.
    while len(group) > 1:
        previous_end = ctx.last_token(group[-2][1], group[-2][0])
        if any(t.lower_ in ("et", "ou") for t in doc[previous_end + 1 : group[-1][0]]):
            break
        if group[-1][0] == i:
            return [names[index]]
        group.pop()
    return group


def _bracketed(doc: Doc) -> list[int]:
    """For each token, how deep inside brackets it sits (asides are not part of a list)."""
    depth, out = 0, []
    for t in doc:
        if t.text == ")":
            depth = max(0, depth - 1)
        out.append(depth)
        if t.text == "(":
            depth += 1
    return out


_LIST_WORDS = frozenset({",", "et", "ou", "ainsi", "que", "voire", "/"})


def listed(doc: Doc, end: int, start: int) -> bool:
    """Only commas, "et"/"ou", determiners, adjectives, a description ("le fonds
    d'investissement Y", "la maison mère de Z") and bracketed asides between two names."""
    heads = load_frames().description_heads
    depth = 0
    outside = 0
    described = False
    previous = ""
    for t in doc[end + 1 : start]:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            described = described or (t.pos_ == "NOUN" and t.lemma_.casefold() in heads)
            words = described and (
                (t.is_lower and t.pos_ in ("NOUN", "ADP", "ADJ", "PROPN", "X")) or t.lower_ in ("d'", "d’", "du")
            )
            repeated = t.lower_ in ("de", "d'", "d’", "du", "des", "à", "aux", "au") and previous in _LIST_WORDS
            if t.lower_ not in _LIST_WORDS and t.pos_ not in ("DET", "ADJ") and not words and not repeated:
                return False
            previous = t.lower_
            outside += 1
    return outside <= 7 and depth == 0


CLAUSE_REACH = 60
# "tels que X", "ainsi que X": a list goes on, no clause starts.
_COMPARATIVES = frozenset({"tel", "tels", "telle", "telles", "ainsi", "plutôt", "plus", "moins", "autant", "même"})
_HARD_BREAKS = frozenset({";", ":", "?", "!", "—"})
_SOFT_BREAK_WORDS = frozenset({"qui", "que", "qu'", "qu’", "dont", "mais", "tandis", "alors", "lorsque", "puis", "où"})


def linear_clause(tok: Token) -> tuple[int, int]:
    """Token range of the trigger's clause by the words: up to a semicolon, a colon or a quote,
    or a relative pronoun or conjunction, and never more than :data:`CLAUSE_REACH` words away (a
    text without such words is no clause, and reading all of it for every trigger is quadratic)."""
    doc = tok.doc
    lo = tok.i
    floor, ceiling = max(0, tok.i - CLAUSE_REACH), min(len(doc), tok.i + 1 + CLAUSE_REACH)
    while lo > floor:
        prev = doc[lo - 1]
        if prev.text in _HARD_BREAKS:
            break
        if prev.lower_ in _SOFT_BREAK_WORDS and prev.pos_ in ("PRON", "SCONJ", "CCONJ"):
            break
        lo -= 1
    hi = tok.i + 1
    while hi < ceiling:
        word = doc[hi]
        if word.text in _HARD_BREAKS:
            break
        listing = word.lower_.startswith("qu") and doc[hi - 1].lower_ in _COMPARATIVES
        if word.lower_ in _SOFT_BREAK_WORDS and word.pos_ in ("PRON", "SCONJ", "CCONJ") and not listing:
            break
        hi += 1
    return lo, hi
