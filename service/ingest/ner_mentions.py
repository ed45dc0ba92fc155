"""Mentions of names the gazetteer's aliases do not match: spaCy's entities judged by their
context, names a company noun introduces, and first names sharing a surname.

spaCy's labels on tech names are unreliable (``xAI`` comes out as PER or LOC), so a span is kept
only when its shape and the words around it say what it is; one that names a gazetteer entry
(spelt differently, or misspelt) resolves to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from service.ingest.gazetteer import (
    _CAMEL_RE,
    _END,
    _START,
    _TEXT,
    CONF_SHORT,
    FUZZY_THRESHOLD,
    Gazetteer,
    _fold,
    _is_cap,
    _is_word,
    _norm_space,
    _Tok,
    _tokenize,
    slugify,
)
from service.ingest.mentions import (
    MIN_CONFIDENCE,
    _Cand,
    _Exclusions,
    _listed_with_orgs,
    _overlaps,
    _SentCtx,
)
from service.ingest.name_cues import (
    _ADJACENT_ORG_CUE_RE,
    _APPOSITION_NAME_RE,
    _CODE_NAME_RE,
    _LEADING_DROP,
    _NATIONALITIES,
    _ORG_APPOSITION_RIGHT_RE,
    _ORG_DEAL_VERB_RE,
    _ORG_LEFT_RE,
    _ORG_RIGHT_RE,
    _PARTICLES,
    _PERSON_LEFT_RE,
    _PERSON_RIGHT_RE,
    _PRODUCT_LEFT_RE,
    _PURCHASE_LEFT_RE,
    _VERSION_RE,
    FIRST_NAMES,
    ORG_SUFFIXES,
)
from service.ingest.types import EntityKind

if TYPE_CHECKING:
    from spacy.tokens import Doc

CONF_NER_CAP = 0.8
CONF_APPOSITION = 0.75
CONF_SHARED_SURNAME = 0.9  # "Dario et Daniela Amodei": the first of two first names sharing a surname


def _ner_pass(
    gaz: Gazetteer,
    text: str,
    ctxs: Sequence[_SentCtx],
    docs: Sequence[Doc],
    spans: Sequence[str],
    excl: _Exclusions,
) -> None:
    for ctx, doc, span in zip(ctxs, docs, spans, strict=True):
        if len(doc) and not _aligned(doc, span):
            raise ValueError(f"doc text does not match sentence at {ctx.start}")
        spans_to_judge: list[tuple[int, int, str]] = []
        for ent in doc.ents:
            cleaned = _clean_span(gaz, text, ctx.start + ent.start_char, ctx.start + ent.end_char)
            if cleaned is not None:
                spans_to_judge.append((*cleaned, ent.label_))
        # Twice: "de Valeo et de Thales Alenia" — the first is listed with the second,
        # which is judged after it.
        for _ in range(2):
            rejected: list[tuple[int, int, str]] = []
            for start, end, label in spans_to_judge:
                if ctx.taken(start, end):
                    continue
                sent_orgs = [c for c in ctx.cands if c.kind == "organisation"]
                cand = _judge_span(gaz, text, ctx, start, end, label, sent_orgs)
                if cand is None or cand.confidence < MIN_CONFIDENCE:
                    rejected.append((start, end, label))
                    continue
                if cand.kind == "person" and excl.blocks(cand.name, text[start:end]):
                    continue
                ctx.cands.append(cand)
            if len(rejected) == len(spans_to_judge):
                break
            spans_to_judge = rejected


def _aligned(doc: Doc, span: str) -> bool:
    """Cheap check that `doc` was made from `span` (``doc.text`` rebuilds the whole string)."""
    first, last = doc[0], doc[-1]
    return bool(
        span.startswith(first.text, first.idx)
        and span.startswith(last.text, last.idx)
        and last.idx + len(last.text_with_ws) == len(span)
    )


def _clean_span(gaz: Gazetteer, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim determiners, titles, quotes and trailing verbs off an NER span; None if nothing name-like remains."""
    toks = _tokenize(text, start, end)
    while toks and (not _is_word(toks[0][_TEXT]) or _drop_leading(gaz, toks)):
        toks = toks[2:] if _elided(toks) else toks[1:]
    while toks and (not _is_word(toks[-1][_TEXT]) or _drop_trailing(toks)):
        toks.pop()
    if not toks:
        return None
    words = [t[_TEXT] for t in toks if _is_word(t[_TEXT])]
    if len(words) > 6 or not any(c.isupper() or c.isdigit() for c in "".join(words)):
        return None
    for w in words[1:-1]:
        # Lowercase words inside a name are only particles ("Thibault de Varenne").
        if w.isalpha() and w.islower() and w not in _PARTICLES and w not in ("et", "of", "the", "and", "for"):
            return None
    return toks[0][_START], toks[-1][_END]


def _is_place_or_demonym(gaz: Gazetteer, name: str) -> bool:
    """``Arizona``, ``Union européenne``, ``l’Américain``: places and their inhabitants are no organisations."""
    folded = name.casefold()
    return gaz.place(name) is not None or folded in _NATIONALITIES or folded.removesuffix("s") in _NATIONALITIES


def _elided(toks: Sequence[_Tok]) -> bool:
    """``l’``, ``d’``: a word glued to a following apostrophe."""
    return len(toks) > 1 and toks[1][_TEXT] in ("'", "’") and toks[0][_END] == toks[1][_START]


def _drop_leading(gaz: Gazetteer, toks: Sequence[_Tok]) -> bool:
    word = toks[0][_TEXT]
    if len(toks) > 1 and word.isalpha() and word.islower() and not _elided(toks):
        return True  # "lyonnaise Hexalune": names do not start with a lower-case word ("xAI" has a capital)
    if _elided(toks):
        return word.lower() in ("l", "d", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu")
    # Generic sentence starters ("Selon", "Cependant") go; acronyms stay ("AI Infrastructure Partnership"),
    # and so does an English article, which belongs to titles ("The Information").
    if len(toks) > 1 and gaz.is_generic(word) and not word.isupper() and word != "The":
        return True
    return word.lower() in _LEADING_DROP


def _drop_trailing(toks: Sequence[_Tok]) -> bool:
    word = toks[-1][_TEXT]
    if len(toks) > 1 and toks[-2][_END] == toks[-1][_START] and toks[-2][_TEXT] in (".", "-"):
        return False  # "Gate.io", "X-energy"
    return word.isalpha() and word.islower()


def _person_shape(words: Sequence[str]) -> bool:
    if not 2 <= len(words) <= 4:
        return False
    for k, w in enumerate(words):
        if w.lower() in _PARTICLES and 0 < k < len(words) - 1:
            continue
        if re.fullmatch(r"(?:[A-Z]\.){1,3}", w):
            continue
        if not _is_cap(w) or any(c.isdigit() for c in w) or (len(w) > 2 and w.isupper()):
            return False
        if not any(c.islower() for c in w):
            return False
    return True


def _org_shape(words: Sequence[str]) -> tuple[bool, bool]:
    """(ends with a company suffix, has a CamelCase or letters+digits word)."""
    suffix = len(words) > 1 and words[-1].strip(".,").casefold() in ORG_SUFFIXES
    camel = any(
        (_CAMEL_RE.search(w) and not w.startswith(("Mc", "Mac"))) or (re.search(r"[A-Za-z]", w) and re.search(r"\d", w))
        for w in words
    )
    return suffix, camel


def _judge_span(
    gaz: Gazetteer,
    text: str,
    ctx: _SentCtx,
    start: int,
    end: int,
    label: str,
    sent_orgs: Sequence[_Cand],
) -> _Cand | None:
    name = _norm_space(text[start:end])
    words = name.split()
    if gaz.is_generic(name) or all(gaz.is_generic(w) for w in words) or _is_place_or_demonym(gaz, name):
        return None
    first_name = words[0] in FIRST_NAMES
    person_shape = _person_shape(words)
    versioned = len(words) > 1 and _VERSION_RE.match(words[-1]) is not None  # "Gemini 3", "Falcon 9"
    suffix, camel = _org_shape(words)
    # "Claude Dumont" is a person, "Claude Opus" a product; "Falcon Capital" a company.
    named_like_person = (
        person_shape and first_name and not gaz.is_product(name) and not any(gaz.is_product(w) for w in words[1:])
    )
    product_like = (
        _overlaps(start, end, ctx.products) or gaz.is_product(words[0]) or gaz.is_product(words[-1]) or versioned
    )
    if product_like and not named_like_person and not suffix:
        return None
    # The name as written may be a gazetteer entry spaCy delimited differently ("OPENAI Inc.").
    found = gaz.resolve(name, fuzzy=False)
    if found is not None:
        rec = found[0]
        found_kind = gaz.kind_of(rec.slug)
        assert found_kind is not None
        return _Cand(start, end, found_kind, rec.slug, rec.name, "gazetteer", CONF_SHORT, ctx.index)
    if len(words) == 1 and _CODE_NAME_RE.match(name):
        return None

    left = _fold(text[max(ctx.start, start - 60) : start])
    right = _fold(text[end : min(ctx.end, end + 60)])
    weak = gaz.weak_owner(name)
    if weak is not None and len(name) > 1:
        # A short form the gazetteer keeps for one organisation ("Lightspeed"): spaCy naming it in
        # a list of companies, or after a company cue, is that organisation, never a new one.
        if _listed_with_orgs(text, start, end, sent_orgs) or _ORG_LEFT_RE.search(left):
            return _Cand(start, end, "organisation", weak.slug, weak.name, "gazetteer", CONF_SHORT, ctx.index)
        return None
    adjacent_cue = _ADJACENT_ORG_CUE_RE.search(text, max(ctx.start, start - 60), start) is not None
    apposed = _ORG_APPOSITION_RIGHT_RE.match(right) is not None
    # spaCy calls many made-up company names places; a company noun before or a company's doing
    # after ("Hexalune a levé…", ", la start-up…") outweighs that label.
    purchased = _PURCHASE_LEFT_RE.search(left) is not None
    strong_cue = adjacent_cue or apposed or purchased

    org_score = {"ORG": 0.55, "MISC": 0.5, "PER": 0.45}.get(label, 0.4)
    if suffix or camel:
        org_score += 0.15
    if _ORG_LEFT_RE.search(left):
        org_score += 0.15
    if purchased:
        org_score += 0.1  # what is bought is a company, whatever spaCy's label
    if apposed:
        org_score += 0.2
    elif _ORG_RIGHT_RE.match(right) or (label == "ORG" and not person_shape and _ORG_DEAL_VERB_RE.match(right)):
        org_score += 0.1
    if _listed_with_orgs(text, start, end, sent_orgs):
        org_score += 0.15
    if _PRODUCT_LEFT_RE.search(left):
        org_score -= 0.25
    if person_shape and first_name:
        org_score -= 0.15
    if label == "LOC" and not (suffix or camel or strong_cue):
        # Places are not entities for us; a cue may still point a misspelt name at the gazetteer.
        org_score = min(org_score, 0.55)
    if len(words) == 1 and words[0].casefold() in ORG_SUFFIXES:
        org_score = 0.0

    per_score = 0.0
    if person_shape:
        per_score = 0.45 + (0.1 if label == "PER" else 0.0) + (0.15 if first_name else 0.0)
        if _PERSON_LEFT_RE.search(left) or _PERSON_RIGHT_RE.match(right):
            per_score += 0.15
        sent_people = [c for c in ctx.cands if c.kind == "person"]
        if _listed_with_orgs(text, start, end, sent_people):
            per_score += 0.15  # a list of founders' names, "A B, C D et E F"
        if suffix:
            per_score -= 0.3
        elif (apposed and not first_name) or (camel and not first_name):
            per_score -= 0.1

    kind: EntityKind
    if per_score > org_score or (per_score == org_score and label == "PER"):
        kind, score = "person", per_score
    else:
        kind, score = "organisation", org_score
    if score <= 0.45:
        return None  # no evidence beyond spaCy's label: too noisy even for a fuzzy lookup

    fuzzy = gaz.resolve(name, kind)
    if fuzzy is not None:
        rec, ratio = fuzzy
        conf = 0.8 + (ratio - FUZZY_THRESHOLD) / 100.0
        return _Cand(start, end, kind, rec.slug, rec.name, "gazetteer", min(conf, 0.9), ctx.index)
    # A place name stays out unless a company noun introduces it or it is a listed person.
    if (
        label == "LOC"
        and not (suffix or camel)
        and not (kind == "organisation" and strong_cue)
        and (kind != "person" or score < MIN_CONFIDENCE)
    ):
        return None
    if kind == "organisation":
        name = _strip_legal_form(name)
    return _Cand(start, end, kind, slugify(name), name, "ner", min(score, CONF_NER_CAP), ctx.index)


# -- names introduced by an apposition ----------------------------------------------------------


def _apposition_pass(gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx]) -> None:
    """``la start-up lyonnaise Hexalune``: a capitalised name right after a company noun is a company.

    spaCy often misses or mislabels such names (a made-up word after an adjective); the
    construction itself is the evidence.
    """
    for ctx in ctxs:
        for m in _APPOSITION_NAME_RE.finditer(text, ctx.start, ctx.end):
            start, end = m.span("name")
            while end > start and text[end - 1] in ".’'-&":
                end -= 1
            clash = [c for c in ctx.cands if c.start < end and start < c.end]
            # spaCy may have cut the name short ("Borealis" of "Borealis Energy"): the whole name wins.
            if not all(
                c.source == "ner" and c.kind == "organisation" and start <= c.start and c.end <= end for c in clash
            ):
                continue
            name = _norm_space(text[start:end])
            words = name.split()
            if (
                not words
                or words[0] in FIRST_NAMES
                or gaz.is_generic(words[0])
                or _is_place_or_demonym(gaz, name)
                or gaz.is_product(name)
                or gaz.is_product(words[0])
                or _overlaps(start, end, ctx.products)
                or _CODE_NAME_RE.match(name)
            ):
                continue
            for c in clash:
                ctx.cands.remove(c)
            found = gaz.resolve(name, fuzzy=False)
            if found is not None:
                rec = found[0]
                kind = gaz.kind_of(rec.slug)
                assert kind is not None
                ctx.cands.append(_Cand(start, end, kind, rec.slug, rec.name, "gazetteer", CONF_SHORT, ctx.index))
                continue
            name = _strip_legal_form(name)
            ctx.cands.append(_Cand(start, end, "organisation", slugify(name), name, "ner", CONF_APPOSITION, ctx.index))


# "Dario et Daniela Amodei": a capitalised word, then "et", just before a person's full name.
_SHARED_SURNAME_RE = re.compile(r"(?<![\w’'-])(?P<first>[A-ZÀ-Ý][\w-]+)\s+(?:et|&)\s+$")


def _shared_surname_pass(
    gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx], docs: Sequence[Doc], excl: _Exclusions
) -> None:
    """``Dario et Daniela Amodei``: a first name joined to a full name by "et" shares its surname,
    so two people are named ("Dario Amodei" and "Daniela Amodei")."""
    for ctx, doc in zip(ctxs, docs, strict=True):
        for c in [c for c in ctx.cands if c.kind == "person"]:
            words = text[c.start : c.end].split()
            if len(words) < 2 or not (words[0] in FIRST_NAMES or c.source == "gazetteer"):
                continue
            m = _SHARED_SURNAME_RE.search(text, max(ctx.start, c.start - 40), c.start)
            if m is None:
                continue
            start, end = m.span("first")
            # A known first name, or one spaCy tags as a person ("Varun et Priya Mohan").
            token = doc.char_span(start - ctx.start, end - ctx.start)
            if m.group("first") not in FIRST_NAMES and (token is None or token.root.ent_type_ != "PER"):
                continue
            before = text[max(ctx.start, start - 30) : start].split()
            if before and _is_cap(before[-1]) and before[-1][-1].isalnum() and not gaz.is_generic(before[-1]):
                continue  # "Thierry Martin et Daniela Amodei": "Martin" ends another name
            if ctx.taken(start, end):
                continue
            name = f"{m.group('first')} {' '.join(words[1:])}"
            if excl.blocks(name, name):
                continue
            conf = min(c.confidence, CONF_SHARED_SURNAME)
            found = gaz.resolve(name, "person", fuzzy=False)
            if found is not None:
                rec = found[0]
                ctx.cands.append(_Cand(start, end, "person", rec.slug, rec.name, "gazetteer", conf, ctx.index))
            else:
                ctx.cands.append(_Cand(start, end, "person", slugify(name), name, "ner", conf, ctx.index))


def _strip_legal_form(name: str) -> str:
    """``"Foobar Inc."`` → ``"Foobar"``: the legal form is not part of the entity's name."""
    stripped = re.sub(r"[\s,]+(?:Inc|Corp|Ltd|LLC|SA|SAS|PLC|plc|GmbH|AG)\.?$", "", name)
    return stripped or name
