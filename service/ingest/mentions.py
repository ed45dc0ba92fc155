"""Candidate mentions of one text, sentence by sentence, and the passes that find them with the
gazetteer and the text itself: names and aliases, weak aliases the context confirms, a company's
divisions, new names repeated, and short forms (a surname, an organisation's first word) of a
name seen in full elsewhere in the text (``Lapsa`` → Andy Lapsa, ``Stoke`` → Stoke Space).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from service.ingest.gazetteer import (
    _END,
    _START,
    _TEXT,
    CONF_SHORT,
    Gazetteer,
    Organisation,
    _fold,
    _Hit,
    _is_cap,
    _is_word,
    _norm_space,
    _Tok,
    _tokenize,
    slugify,
)
from service.ingest.name_cues import _LIST_GAP_RE, _ORG_LEFT_RE, _WEAK_PREFIXES, FIRST_NAMES, ORG_SUFFIXES
from service.ingest.types import EntityKind

MIN_CONFIDENCE = 0.6
CONF_IN_TEXT_NEW = 0.7
CONF_DIVISION = 0.8  # "Broadcom Software": a known company's name and a division word


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    kind: EntityKind
    slug: str
    name: str
    source: Literal["gazetteer", "ner"]
    confidence: float
    sent: int


@dataclass(slots=True)
class _SentCtx:
    """One sentence and what has been found in it (overlap checks stay sentence-local, hence linear)."""

    index: int
    start: int
    end: int
    toks: list[_Tok]
    cands: list[_Cand] = field(default_factory=list)
    products: list[tuple[int, int]] = field(default_factory=list)

    def taken(self, start: int, end: int) -> bool:
        return any(c.start < end and start < c.end for c in self.cands)


class _Exclusions:
    """Byline/author names: never people, nor any mention made only of their words."""

    def __init__(self, names: Collection[str]) -> None:
        self.full = {_fold(_norm_space(n)) for n in names if n.strip()}
        self.words = [set(_fold(n).replace("-", " ").split()) for n in self.full]

    def blocks(self, name: str, text: str) -> bool:
        if not self.full:
            return False
        if _fold(_norm_space(name)) in self.full or _fold(_norm_space(text)) in self.full:
            return True
        words = set(_fold(text).replace("-", " ").split())
        return bool(words) and any(words <= ws for ws in self.words)


def _gazetteer_pass(
    gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx], excl: _Exclusions
) -> list[tuple[_SentCtx, _Hit]]:
    """Names and aliases of the gazetteer; weak aliases are returned, to be judged once every
    strong mention of the text is known."""
    weak: list[tuple[_SentCtx, _Hit]] = []
    for ctx in ctxs:
        for hit in gaz.scan(ctx.toks):
            alias = hit.alias
            if alias.strength == "product":
                ctx.products.append((hit.start, hit.end))
                continue
            if alias.strength == "weak":
                weak.append((ctx, hit))
                continue
            if (
                alias.strength == "surname" or (len(alias.surface) == 1 and gaz.kind_of(alias.slug) == "organisation")
            ) and _other_first_name(gaz, ctx.toks, hit.first):
                continue  # left to NER as a new person ("Henry Ford" is no carmaker)
            rec = gaz.get(alias.slug)
            assert rec is not None
            kind = gaz.kind_of(rec.slug)
            assert kind is not None
            if kind == "person" and excl.blocks(rec.name, text[hit.start : hit.end]):
                continue
            ctx.cands.append(
                _Cand(hit.start, hit.end, kind, rec.slug, rec.name, "gazetteer", hit.confidence, ctx.index)
            )
    if gaz.metonym_re is not None:
        for ctx in ctxs:
            for m in gaz.metonym_re.finditer(text, ctx.start, ctx.end):
                org = gaz.seats[m.group("city")]
                if not ctx.taken(m.start(), m.end()):
                    ctx.cands.append(
                        _Cand(
                            m.start(), m.end(), "organisation", org.slug, org.name, "gazetteer", CONF_SHORT, ctx.index
                        )
                    )
    return weak


def _weak_pass(gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx], weak: Sequence[tuple[_SentCtx, _Hit]]) -> None:
    strong_slugs = {c.slug for ctx in ctxs for c in ctx.cands}
    for ctx, hit in weak:
        if _overlaps(hit.start, hit.end, ctx.products):
            continue
        rec = gaz.get(hit.alias.slug)
        if isinstance(rec, Organisation) and _accept_weak(gaz, text, ctx, hit, rec, strong_slugs):
            ctx.cands.append(
                _Cand(hit.start, hit.end, "organisation", rec.slug, rec.name, "gazetteer", CONF_SHORT, ctx.index)
            )


def _division_pass(gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx]) -> None:
    """``Broadcom Software``, ``Intel Capital``: a known company's name followed by a division word
    names a distinct organisation (a subsidiary or a division), not the company itself."""
    for ctx in ctxs:
        toks = ctx.toks
        starts = [t[_START] for t in toks]
        for c in list(ctx.cands):
            if c.kind != "organisation" or c.source != "gazetteer":
                continue
            i = bisect.bisect_left(starts, c.end)
            if i == len(toks) or text[c.end : toks[i][_START]] != " " or toks[i][_TEXT] not in gaz.divisions:
                continue
            nxt = toks[i + 1][_TEXT] if i + 1 < len(toks) else ""
            if (_is_cap(nxt) and _is_word(nxt)) or nxt.casefold() in ("and", "&", "et", "of", "-"):
                continue  # part of a longer name ("Airbus Defence and Space")
            start, end = c.start, toks[i][_END]
            if _overlaps(start, end, ctx.products):
                continue
            name = _norm_space(text[start:end])
            ctx.cands.remove(c)
            ctx.cands.append(_Cand(start, end, "organisation", slugify(name), name, "ner", CONF_DIVISION, ctx.index))


def _other_first_name(gaz: Gazetteer, toks: Sequence[_Tok], i: int) -> bool:
    """``Kimbal Musk``: a surname alias preceded by a different first name is someone else; a
    one-word company name preceded by a first name is a person's surname."""
    if i == 0:
        return False
    _, prev_end, prev = toks[i - 1]
    start, _, word = toks[i]
    if prev not in FIRST_NAMES or prev_end == start:
        return False
    return gaz.resolve(f"{prev} {word}", fuzzy=False) is None


def _accept_weak(
    gaz: Gazetteer,
    text: str,
    ctx: _SentCtx,
    hit: _Hit,
    org: Organisation,
    strong_slugs: set[str],
) -> bool:
    toks = ctx.toks
    surface = text[hit.start : hit.end]
    if len(surface) == 1:
        # A lone capital letter: not glued to punctuation or digits ("X-", "X.AI", "3X"),
        # and not after a capitalised word ("Malcolm X", "Génération X").
        before = text[hit.start - 1] if hit.start > ctx.start else " "
        after = text[hit.end] if hit.end < ctx.end else " "
        after2 = text[hit.end + 1] if hit.end + 1 < ctx.end else " "
        if before in "-./" or before.isalnum() or after in "-/" or after.isalnum():
            return False
        if after == "." and after2.isalnum():
            return False
        if hit.first > 0:
            prev_start, prev_end, prev_word = toks[hit.first - 1]
            if _is_cap(prev_word) and _is_word(prev_word) and not ctx.taken(prev_start, prev_end):
                return False
    else:
        # "Security Exchange Commission", "Magic Leap": a capitalised neighbour makes the short form
        # part of a longer name (a sentence's first word is capitalised anyway).
        neighbours = ([hit.first - 1] if hit.first > 1 else []) + ([hit.last] if hit.last < len(toks) else [])
        for k in neighbours:
            start, end, word = toks[k]
            if _is_cap(word) and _is_word(word) and not gaz.is_generic(word) and not ctx.taken(start, end):
                return False
    if org.slug in strong_slugs:
        return True
    window = _fold(text[max(ctx.start, hit.start - 80) : hit.start] + " " + text[hit.end : min(ctx.end, hit.end + 60)])
    if gaz.cue_near(org.slug, window):
        return True
    if len(surface) > 1 and _listed_with_orgs(
        text, hit.start, hit.end, [c for c in ctx.cands if c.kind == "organisation"]
    ):
        return True  # "… Index Ventures et Lightspeed"
    prev_word = toks[hit.first - 1][_TEXT].casefold() if hit.first > 0 else ""
    if prev_word == "sur" and _SPOKE_ON_RE.search(_fold(text[max(ctx.start, hit.start - 50) : hit.start])):
        return True  # "a salué sur X", "a écrit sur X": a platform one posts on
    if org.related:
        # "Tesla, SpaceX et X": listed next to a sibling; "Musk … sur X": sibling in the sentence
        # and a preposition that introduces a company or platform.
        related = [c for c in ctx.cands if c.slug in org.related]
        if _listed_with_orgs(text, hit.start, hit.end, [c for c in related if c.kind == "organisation"]):
            return True
        prev = toks[hit.first - 1][_TEXT].casefold() if hit.first > 0 else ""
        if related and prev in ("sur", "de", "chez", "via"):
            return True
    return _ORG_LEFT_RE.search(_fold(text[max(ctx.start, hit.start - 60) : hit.start])) is not None


_SPOKE_ON_RE = re.compile(
    r"\b(?:a |ont |avait )?(?:ecrit|publie|poste|salue|reagi|annonce|declare|tweete|affirme|denonce|partage|"
    r"repondu|reagit|ecrit|publie|poste|salue|annonce|declare|reagissant|saluant|ecrivant)\b[^.]*sur $"
)


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _listed_with_orgs(text: str, start: int, end: int, sent_orgs: Sequence[_Cand]) -> bool:
    for c in sent_orgs:
        if c.end <= start and _LIST_GAP_RE.match(text[c.end : start]):
            return True
        if c.start >= end and _LIST_GAP_RE.match(text[end : c.start]):
            return True
    return False


def _propagation_pass(gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx], excl: _Exclusions) -> None:
    """Every other occurrence of a new name found once: "Wiz" is the company in each sentence.

    A name accepted once (with its context cues) is the same entity wherever it is written
    the same way; spaCy's per-sentence labels are too unstable to judge each occurrence alone.
    """
    names: dict[tuple[str, ...], _Cand | None] = {}
    for c in (c for ctx in ctxs for c in ctx.cands):
        if c.source != "ner" or c.confidence < MIN_CONFIDENCE:
            continue
        key = tuple(t[_TEXT] for t in _tokenize(text, c.start, c.end))
        if not key or (c.kind == "person" and len(key) < 2):
            continue  # surnames alone are the in-text pass's business
        prior = names.get(key, c)
        names[key] = c if prior is not None and prior.slug == c.slug else None
    if not names:
        return
    firsts: dict[str, list[tuple[tuple[str, ...], _Cand]]] = defaultdict(list)
    for key, cand in names.items():
        if cand is not None:
            firsts[key[0]].append((key, cand))
    for ctx in ctxs:
        toks = ctx.toks
        for i, (tok_start, _, word) in enumerate(toks):
            options = firsts.get(word)
            if not options:
                continue
            for key, cand in sorted(options, key=lambda o: -len(o[0])):
                n = len(key)
                if tuple(t[_TEXT] for t in toks[i : i + n]) != key:
                    continue
                end = toks[i + n - 1][_END]
                if i + n < len(toks) and _is_cap(toks[i + n][_TEXT]) and _is_word(toks[i + n][_TEXT]):
                    break  # part of a longer name
                if ctx.taken(tok_start, end):
                    break
                if cand.kind == "person" and excl.blocks(cand.name, text[tok_start:end]):
                    break
                conf = min(cand.confidence, CONF_IN_TEXT_NEW)
                ctx.cands.append(_Cand(tok_start, end, cand.kind, cand.slug, cand.name, "ner", conf, ctx.index))
                break


# -- in-text coreference -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ref:
    slug: str
    name: str
    source: Literal["gazetteer", "ner"]


def _in_text_pass(gaz: Gazetteer, ctxs: Sequence[_SentCtx]) -> None:
    """Surnames and organisation short forms whose full name appears elsewhere in the text."""
    surnames: dict[str, set[_Ref]] = defaultdict(set)
    prefixes: dict[str, set[_Ref]] = defaultdict(set)
    best_conf: dict[str, float] = defaultdict(float)
    for c in (c for ctx in ctxs for c in ctx.cands):
        best_conf[c.slug] = max(best_conf[c.slug], c.confidence)
        words = c.name.split()
        if len(words) < 2:
            continue
        key = _Ref(c.slug, c.name, c.source)
        if c.kind == "person":
            surnames[words[-1]].add(key)
        elif (
            len(words[0]) >= 3
            and _is_cap(words[0])
            and words[0].casefold() not in _WEAK_PREFIXES
            and words[0].casefold() not in ORG_SUFFIXES
            and words[0] not in FIRST_NAMES
            and not gaz.is_generic(words[0])
        ):
            prefixes[words[0]].add(key)
    if not surnames and not prefixes:
        return
    for ctx in ctxs:
        toks = ctx.toks
        for i, tok in enumerate(toks):
            tok_start, tok_end, w = tok
            if not _is_cap(w):
                continue
            options = surnames.get(w)
            kind: EntityKind = "person"
            if not options:
                options, kind = prefixes.get(w), "organisation"
            if not options or len(options) != 1 or (w in surnames and w in prefixes):
                continue
            ref = next(iter(options))
            clash = [c for c in ctx.cands if c.start < tok_end and tok_start < c.end]
            if clash and not _short_form_of_known(clash, tok_start, tok_end, kind, ref):
                continue
            nxt = toks[i + 1][_TEXT] if i + 1 < len(toks) else ""
            prev = toks[i - 1][_TEXT] if i > 0 else ""
            if (_is_cap(nxt) and _is_word(nxt) and not gaz.is_generic(nxt)) or prev in FIRST_NAMES:
                continue  # part of a longer, different name
            for c in clash:
                ctx.cands.remove(c)
            conf = CONF_SHORT if ref.source == "gazetteer" else min(best_conf[ref.slug], CONF_IN_TEXT_NEW)
            ctx.cands.append(_Cand(tok_start, tok_end, kind, ref.slug, ref.name, ref.source, conf, ctx.index))


def _short_form_of_known(clash: Sequence[_Cand], start: int, end: int, kind: EntityKind, ref: _Ref) -> bool:
    """``Epic`` after ``Epic Games``: spaCy's new organisation yields to the curated one the text
    names in full."""
    return (
        kind == "organisation"
        and ref.source == "gazetteer"
        and all(c.source == "ner" and c.kind == "organisation" and (c.start, c.end) == (start, end) for c in clash)
    )
