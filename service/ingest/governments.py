"""A country or capital that does what governments do stands for its government.

Places (``places.json``) are never organisations, except a country or capital that is the subject
of a government act (``Pékin a restreint…``): it stands for its government (``governments.json``).
Whether it is that subject is read off the dependency parse.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from service.ingest.gazetteer import Gazetteer
from service.ingest.mentions import _Cand, _SentCtx

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

CONF_GOVERNMENT = 0.85  # a country or capital as the subject of a government act

_SUBJECT_DEPS = frozenset({"nsubj", "nsubj:pass", "obl:agent"})
# What may stand between a subject and its verb: auxiliaries, clitics, negation, adverbs.
_BETWEEN_SUBJECT_AND_VERB = frozenset({"AUX", "PRON", "ADV", "PART"})


def _government_pass(gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx], docs: Sequence[Doc]) -> None:
    """``La Chine s’est opposée…``, ``Bruxelles inflige…``: a country or capital that does what
    governments do is its government (``places.json`` says which); elsewhere it is a place."""
    pattern = gaz.government_place_re
    if pattern is None:
        return
    for ctx, doc in zip(ctxs, docs, strict=True):
        for m in pattern.finditer(text, ctx.start, ctx.end):
            if ctx.taken(m.start(), m.end()):
                continue
            span = doc.char_span(m.start() - ctx.start, m.end() - ctx.start, alignment_mode="expand")
            place = gaz.place(m.group())
            if span is None or place is None or place.government is None:
                continue
            if not _acts_as_government(doc, span.start, span.end, gaz.government_verbs):
                continue
            org = gaz.get(place.government)
            assert org is not None
            ctx.cands.append(
                _Cand(m.start(), m.end(), "organisation", org.slug, org.name, "gazetteer", CONF_GOVERNMENT, ctx.index)
            )


def _acts_as_government(doc: Doc, first: int, last: int, verbs: Collection[str]) -> bool:
    """Whether tokens ``doc[first:last]`` are the subject, or a passive's agent, of one of ``verbs`` (lemmas)."""
    for tok in doc[first:last]:
        if first <= tok.head.i < last:
            continue
        subject, verb = tok, tok.head
        if subject.dep_ == "conj" and verb.dep_ in _SUBJECT_DEPS:
            subject, verb = verb, verb.head  # "Les États-Unis et la Chine ont signé…"
        if subject.dep_ in _SUBJECT_DEPS or _passive_agent(subject, verb):
            return _is_one_of(verb, verbs)
    root = doc[first:last].root
    if root.dep_ == "conj" and root.head.i < first:
        return _acts_as_government(doc, root.head.i, root.head.i + 1, verbs)  # "Tokyo et Washington ont…"
    if root.dep_ != "ROOT" or not (first == 0 or (first == 1 and doc[0].pos_ == "DET")):
        return False
    # The parser sometimes makes a sentence's opening subject a root of its own: its verb is then the
    # next one past its conjuncts ("Pékin a restreint…", "Tokyo et Washington ont conclu…") or hangs
    # below it ("Les États-Unis et le Japon ont signé…").
    conjuncts = {t.i for c in root.children if c.dep_ == "conj" for t in c.subtree}
    following = next((t for t in doc[last:] if t.i not in conjuncts and t.pos_ not in _BETWEEN_SUBJECT_AND_VERB), None)
    if following is not None and following.pos_ == "VERB" and _is_one_of(following, verbs):
        return True
    if following is not None and following.pos_ == "CCONJ":
        # "Pékin et Moscou ont signé…": the parser gave the verb to the second subject alone.
        partner = next((t for t in doc[following.i + 1 :] if t.pos_ != "DET"), None)
        if partner is not None and partner.dep_ in _SUBJECT_DEPS:
            return _is_one_of(partner.head, verbs)
    return any(c.pos_ == "VERB" and c.i >= last and _is_one_of(c, verbs) for c in root.children)


# Endings of the forms of a first-group verb ("financer": financent, financé, financera…).
_ER_VERB_END_RE = re.compile(r"(?:e|es|ent|é|ée|és|ées|ait|aient|ons|ez|era|eront|erait|eraient)$")


def _is_one_of(verb: Token, verbs: Collection[str]) -> bool:
    """Whether ``verb`` is a form of one of ``verbs`` (lemmas), even when the lemmatizer missed it
    (a present plural tagged as an adjective: "financent")."""
    if verb.lemma_.casefold() in verbs:
        return True
    word = verb.lower_
    end = _ER_VERB_END_RE.search(word)
    return end is not None and f"{word[: end.start()]}er" in verbs


def _passive_agent(tok: Token, verb: Token) -> bool:
    """``les sanctions décidées par Washington``: the agent of a past participle."""
    return (
        tok.dep_.startswith("obl")
        and verb.pos_ == "VERB"
        and "Part" in verb.morph.get("VerbForm", [])
        and any(c.dep_ == "case" and c.lower_ == "par" for c in tok.children)
    )
