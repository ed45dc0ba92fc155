"""Statements: speech verbs and nouns ("a déclaré", "», affirme X", "le tweet de X", "les menaces
de X"), with the speaker and the entities the words are about. An accusation by a public
authority is a case it brings ("le régulateur accuse X de…").
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Token

from service.ingest import syntax
from service.ingest.arguments import (
    RELATIVE,
    SentenceView,
    Trigger,
    deep,
    denotes,
    event_date,
    inherited_subjects,
    member,
    voices,
)
from service.ingest.events_types import Clause, EventDraft
from service.ingest.frames import Frames
from service.ingest.types import EntityMention
from service.ingest.words import linear_clause


def statements(ctx: SentenceView, triggers: Sequence[Trigger]) -> list[EventDraft]:
    """Speech verbs and nouns ("a déclaré", "», affirme X", "le tweet de X", "les menaces de X"):
    the speaker and the entities the words are about. An accusation by a public authority is a
    case it brings ("le régulateur accuse X")."""
    frames = ctx.frames
    out: list[EventDraft] = []
    trigger_tokens = {t.token.i for t in triggers}
    for tok in ctx.parsed.doc:
        found = _speech(ctx, tok, trigger_tokens)
        if found is None:
            continue
        speakers, about, lemma = found
        speakers = [m for m in speakers if m.slug not in ctx.excluded]
        if not speakers:
            continue
        participants = [(m, "speaker") for m in {m.slug: m for m in speakers}.values()]
        seen = {m.slug for m, _ in participants}
        for m in about:
            if m.slug not in seen and (m.kind == "person" or ctx.org_kind(m.slug) != "media"):
                seen.add(m.slug)
                participants.append((m, "subject"))
        a, b = syntax.subtree_span(tok)
        clause = Clause(ctx.start + a, ctx.start + b)
        type_ = "statement"
        accused = [m for m, role in participants if role == "subject"]
        if (
            lemma in frames.accusations
            and accused
            and any(
                m.kind == "organisation" and ctx.org_kind(m.slug) == "government"
                for m, role in participants
                if role == "speaker"
            )
        ):
            type_ = "lawsuit"
            participants = [(m, "plaintiff" if role == "speaker" else "defendant") for m, role in participants]
        out.append(
            EventDraft(
                type=type_,
                status="completed" if type_ == "statement" else "pending",
                sentence=ctx.parsed.sentence,
                clause=clause,
                trigger_start=ctx.start + tok.idx,
                trigger_end=ctx.start + tok.idx + len(tok.text),
                participants=participants,
                date=event_date(ctx, tok, clause),
                reported=ctx.reported,
            )
        )
    return out


def _speech(
    ctx: SentenceView, tok: Token, trigger_tokens: set[int]
) -> tuple[list[EntityMention], list[EntityMention], str] | None:
    """(speakers, what it is about, lemma) when ``tok`` reports speech."""
    frames = ctx.frames
    negated = syntax.negated(tok, frames.negations, frames.negative_determiners, frames.negative_marks)
    if negated and any(c.lower_ in frames.negative_marks for c in tok.children):
        # "n'est pas demeuré sans répondre": a negated "sans" says the thing was done
        negated = not syntax.negated(tok.head, frames.negations, frames.negative_determiners, frames.negative_marks)
    if tok.pos_ in ("NOUN",) and _speech_noun(tok, frames) and not negated:
        sources = [c for c in tok.children if syntax.preposition(c) == "de"]
        # "de la part de X" names the speaker as "de X" does
        sources = [g for c in sources for g in (_on_behalf(c) if c.lemma_.casefold() == "part" else [c])]
        speakers = [m for c in sources for m in denotes(ctx, c)]
        # "… de la part des concurrents (A, B)": the names in brackets speak, read from the words
        # (the parse scatters a bracketed list)
        for c in tok.children:
            if c.dep_ in ("nmod", "appos") and member(c, frames.member_marks):
                close = next((t.i for t in tok.doc[c.i :] if t.text == ")"), c.right_edge.i + 1)
                speakers += [m for t in tok.doc[c.left_edge.i : close] for m in ctx.first_mentions(t)]
        topics = [
            m
            for c in tok.children
            if syntax.preposition(c) in ("sur", "contre", "concernant", "à")
            for m in deep(ctx, c)
        ]
        return (speakers, topics, tok.lemma_.casefold()) if speakers else None
    auxiliary = tok.dep_.startswith("aux") and tok.lemma_ in ("avoir", "être")
    if tok.pos_ not in ("VERB", "AUX") or auxiliary or negated:
        return None
    lemma = next((x for x in syntax.infinitives(tok) if x in frames.speech), None)
    if lemma is None:
        return None
    if lemma in frames.speech_reflexive and not syntax.reflexive(tok):
        return None
    if lemma in frames.speech_needs_clause and not (
        tok.dep_ == "parataxis" or any(c.dep_ == "ccomp" or c.text == ":" for c in tok.children)
    ):
        return None
    if lemma in frames.speech_objects and not any(
        c.lemma_.casefold() in frames.speech_objects[lemma] for c in tok.subtree
    ):
        return None
    complement = [
        c
        for c in tok.children
        if c.dep_ in ("ccomp", "xcomp", "obj", "obl:arg", "iobj", "obl", "obl:mod")
        and not (c.lemma_.casefold() in frames.channel_heads and syntax.preposition(c) is not None)
        and not (
            syntax.preposition(c) == "sur"
            and " ".join(t.text for t in c.subtree if t.dep_ != "case") in frames.channel_names
        )
    ]
    content = [t for c in complement for t in c.subtree]
    # "a annoncé un investissement": the announcement is the deal's status, not a statement;
    # "s'opposer à un rachat" takes a stance on the deal, and is one.
    stance = lemma in frames.speech_reflexive
    if lemma in frames.speech_needs_complement and not stance and any(t.i in trigger_tokens for t in content):
        return None
    if tok.dep_ == "parataxis":
        # "« … », a écrit X": the quotation is the verb's head.
        own = {t.i for t in tok.subtree}
        content += [t for t in tok.head.subtree if t.i not in own]
    colon = next((t for t in tok.doc[tok.i + 1 : tok.i + 4] if t.text == ":"), None)
    if colon is not None:
        content += list(tok.doc[colon.i + 1 :])
    if lemma in frames.speech_needs_complement and not content:
        return None
    about: list[EntityMention] = []
    if syntax.is_passive(tok):
        # "X est accusé de …", "une offre jugée trop chère": the subject is spoken of; only an
        # agent ("par Y") speaks
        about += [m for s in syntax.subject_of(tok) for m in denotes(ctx, s)]
        speakers = [
            m
            for c in tok.children
            if c.dep_ == "obl:agent" or (c.dep_.startswith("obl") and syntax.preposition(c) == "par")
            for m in denotes(ctx, c)
        ]
        if not speakers:
            return None
    else:
        speakers = [m for s in syntax.subject_of(tok) for m in denotes(ctx, s)]
        if not speakers:
            speakers = [m for s in inherited_subjects(tok) for m in denotes(ctx, s)]
        speakers += voices(ctx, tok)
        if not speakers:
            speakers = _linear_speaker(ctx, tok)
    content_ids = {t.i for t in content}
    for t in sorted(content, key=lambda t: t.i):
        about += ctx.mentions_at(t) if t.lower_ not in RELATIVE else denotes(ctx, t)
    about += [m for t in tok.children if t.i not in content_ids and t.dep_ == "obj" for m in denotes(ctx, t)]
    return speakers, about, lemma


def _speech_noun(tok: Token, frames: Frames) -> bool:
    lemma = tok.lemma_.casefold()
    if lemma in frames.speech_nouns:
        return True
    words = frames.speech_idioms.get(lemma)
    return words is not None and any(c.lemma_.casefold() in words for c in tok.children)


def _on_behalf(part: Token) -> list[Token]:
    return [g for g in part.children if syntax.preposition(g) == "de"]


def _linear_speaker(ctx: SentenceView, tok: Token) -> list[EntityMention]:
    """The speaker the parse lost: the name right after the verb ("», affirme X"), else the
    nearest name before it that no preposition introduces ("X rappelle que…"). A verb set off
    by a comma or a closing quote ("…, a révélé X") is an inverted incise: its speaker can only
    follow it."""
    doc = tok.doc
    after = tok.i + 1
    while after < len(doc) and doc[after].pos_ in ("DET", "ADV", "PRON") and after <= tok.i + 2:
        after += 1
    if after < len(doc) and ctx.mentions_at(doc[after]):
        return ctx.mentions_at(doc[after])
    first = min([tok.i, *(c.i for c in tok.children if c.dep_.startswith("aux") and c.i < tok.i)])
    if first > 0 and doc[first - 1].text in (",", "»", "”", '"'):
        return []
    lo, _ = linear_clause(tok)
    for i in range(tok.i - 1, lo - 1, -1):
        for m in ctx.first_mentions(doc[i]):
            if syntax.linear_preposition(doc[i], lo, tok.i, ctx.frames.transparent_heads) is None:
                return [m]
    return []
