"""Find the article in a scraped page and split it into sentences.

Scraped pages wrap the article in noise: the body repeated (re-wrapped, or one copy
truncated), disclaimers, share/newsletter/comment widgets, teasers of other articles and
author credits. :func:`clean` labels every non-blank line (or part of a line) with a
:class:`Segment` kind and returns the sentences of the fact-bearing ones (body and title),
each fact once. Offsets index the verbatim text: ``text[s.start:s.end] == s.text``.

The pipeline is linear in the text size:

1. boilerplate, bylines and teasers are labelled, each line on its own, then by its place on
   the page (:mod:`service.ingest.furniture`);
2. the remaining text is split into sentences (:mod:`service.ingest.sentences`), which are
   de-duplicated with hashed word 5-gram shingles (:mod:`service.ingest.duplicates`);
3. a title is picked; one- or two-word lines above it (rubric labels) are boilerplate.

Thresholds are module constants below; each says why it has its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import msgspec

from service.ingest.duplicates import deduplicate
from service.ingest.furniture import TEASER_CREDIT, Page, Unit, UnitKind, label, n_words
from service.ingest.sentences import collapse, ends_with_period, split_sentences, trim
from service.ingest.types import Segment, SegmentKind, Sentence

__all__ = ["CleanedPage", "clean"]

# Titles: headline-like lines up to this length; a "Question ? Statement." first line is
# accepted up to the shorter limit.
TITLE_MAX_CHARS: Final = 250
TITLE_WITH_PERIOD_MAX_CHARS: Final = 200


class CleanedPage(msgspec.Struct, frozen=True):
    """What part of a scraped page is the article, and its fact-bearing sentences."""

    segments: tuple[Segment, ...]
    sentences: tuple[Sentence, ...]
    title: str | None
    byline_names: tuple[str, ...]


# --------------------------------------------------------------------------- title


def _pick_title(
    page: Page, units: list[Unit], first_para: int, dup: dict[int, list[bool]], copies: set[int]
) -> int | None:
    """Index of the title unit.

    1. The line just above a repeated copy of the body (pages that print the body, then
       the title, then the body again);
    2. else the first substantial line (>= 3 words) up to the first paragraph, if
       headline-like: no final period (or ending ? ! …) and < TITLE_MAX_CHARS;
    3. else a first line "Question ? Statement." (two sentences, the first ending with
       ? or !) shorter than TITLE_WITH_PERIOD_MAX_CHARS, a common headline shape.
    """
    cands = [i for i, u in enumerate(units) if u.kind == "cand"]
    if not cands:
        return None

    def fresh(i: int) -> bool:
        flags = dup.get(i, [])
        return bool(flags) and not all(flags)

    def headline(i: int) -> bool:
        raw = page.raw(units[i])
        return len(raw) < TITLE_MAX_CHARS and "\n" not in raw.strip() and not ends_with_period(raw)

    first = cands[0]
    repeat = min((c for c in copies if c > first), default=None)
    if repeat is not None:
        k = repeat - 1
        if k > first and units[k].kind == "cand" and fresh(k) and headline(k):
            return k
    for i in cands:
        if i > first_para:
            break
        if n_words(page.raw(units[i])) >= 3:
            if fresh(i) and headline(i):
                return i
            first_sentence = units[i].sents[0].text if units[i].sents else ""
            if (
                i == first
                and fresh(i)
                and len(page.raw(units[i])) < TITLE_WITH_PERIOD_MAX_CHARS
                and len(units[i].sents) == 2
                and first_sentence.rstrip()[-1:] in ("?", "!")
            ):
                return i
            break
    return None


# --------------------------------------------------------------------------- entry point

_KIND: Final[dict[UnitKind, SegmentKind]] = {
    "bp": "boilerplate",
    "teaser": "teaser",
    "byline": "byline",
    "name": "byline",
    "cand": "body",
}


def clean(text: str, layout: Sequence[tuple[int, int, str]] = ()) -> CleanedPage:
    """Label the parts of a scraped page and return its fact-bearing sentences once each.

    ``layout``: ``(start, end, kind)`` ranges the file format itself marks as ``boilerplate`` or
    ``teaser`` (an HTML page's navigation, forms, asides); they are labelled so before any guess.
    """
    page, units, first_para = label(text, layout)

    flat: list[Sentence] = []
    owner: list[int] = []
    for i, u in enumerate(units):
        if u.kind == "cand":
            u.sents = split_sentences(text, u.start, u.end)
            flat.extend(u.sents)
            owner.extend([i] * len(u.sents))
    is_dup, origin = deduplicate(page.folded, flat)
    dup: dict[int, list[bool]] = {}
    # Units sharing a repeated sentence with the first one: where a second copy starts.
    first_unit = owner[0] if owner else -1
    copies: set[int] = set()
    for k, i in enumerate(owner):
        dup.setdefault(i, []).append(is_dup[k])
        if is_dup[k] and first_unit in (i, owner[origin[k]]):
            copies.add(owner[origin[k]] if i == first_unit else i)
    title_at = _pick_title(page, units, first_para, dup, copies)
    if title_at is not None and title_at <= first_para:
        for u in units[:title_at]:
            if u.kind == "cand" and n_words(page.raw(u)) < 3:
                u.kind = "bp"  # a rubric label ("Tech", "Intelligence artificielle") above the title

    segments: list[Segment] = []
    sentences: list[Sentence] = []
    names: dict[str, None] = {}
    for i, u in enumerate(units):
        if u.kind != "cand":
            segments.append(Segment(start=u.start, end=u.end, kind=_KIND[u.kind]))
            found = list(u.names)
            if u.kind == "teaser":
                credit = TEASER_CREDIT.search(page.raw(u))
                found += [credit.group("name")] if credit else []
            names.update(dict.fromkeys(collapse(n) for n in found))
            continue
        if not u.sents:
            segments.append(Segment(start=u.start, end=u.end, kind="boilerplate"))
            continue
        fresh_kind: SegmentKind = "title" if i == title_at else "body"
        flags = dup[i]
        run_start = u.start
        for k, s in enumerate(u.sents):
            if not flags[k]:
                sentences.append(s)
            last = k == len(u.sents) - 1
            if last or flags[k + 1] != flags[k]:
                a, b = trim(text, run_start, u.end if last else u.sents[k + 1].start)
                kind: SegmentKind = "duplicate" if flags[k] else fresh_kind
                segments.append(Segment(start=a, end=b, kind=kind))
                if not last:
                    run_start = u.sents[k + 1].start
    title = page.raw(units[title_at]) if title_at is not None else None
    return CleanedPage(
        segments=tuple(segments),
        sentences=tuple(sentences),
        title=title,
        byline_names=tuple(names),
    )
