"""Document metadata the page itself states: publisher and author, when a sidecar does not give them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from service.ingest.formats import LAYOUT_KEY, text_header

_AP = "['’]"
# Most specific first: where a page was first published beats the platform that republished it.
_PUBLISHER_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"publiée? (?:initialement|à l['’]origine|d['’]abord) (?:sur|par|dans) "
        r"(?P<name>[A-Z][\w.&’' -]{1,60}?)(?:[,.;]|$)",
        re.M,
    ),
    re.compile(r"^(?:Source|Publié par|Éditeur)\s*:\s*(?P<name>[A-Z][\w.&’' -]{1,60}?)\s*$", re.M),
    re.compile(rf"S{_AP}abonner (?:au|à|a) (?P<name>[A-Z][\w.&’' -]{{1,60}}?)\s*$", re.M),
    re.compile(r"(?:^|[.!?]\s+)(?P<name>[A-Z][\w.&’'-]{1,40}) ne garantit ni l['’]exactitude", re.M),
    re.compile(r"©\s*(?:\d{4}\s*)?(?P<name>[A-Z][\w.&’' -]{1,60}?)\s*(?:[,.|-]|$)", re.M),
)
_LEADING_ARTICLE = re.compile(r"^(?:le|la|les|l['’])\s*", re.IGNORECASE)
_AUTHOR = re.compile(r"^(?:Par|By)\s+(?P<name>[A-ZÀ-Ý][\w’'-]+(?:\s+(?:de\s+|d['’])?[A-ZÀ-Ý][\w’'-]+){1,3})\s*$", re.M)


def publisher_from_text(text: str) -> str | None:
    """The publisher a page names ("… est d'abord paru sur BlockTempo", "S'abonner au Courrier des X")."""
    for pattern in _PUBLISHER_PATTERNS:
        m = pattern.search(text)
        if m:
            name = m.group("name").strip(" .,")
            if pattern.pattern.startswith("S"):
                # "S'abonner au Courrier de X": "au" contracts "à le", the title keeps its article.
                name = "Le " + _LEADING_ARTICLE.sub("", name)
            if 1 < len(name) <= 60:
                return name
    return None


def author_from_text(text: str, byline_names: tuple[str, ...]) -> str | None:
    """An explicit "Par Prénom Nom" line, else a byline at the very top of the page."""
    m = _AUTHOR.search(text[:2000])
    if m:
        return m.group("name")
    head = text[:400]
    for name in byline_names:
        if name in head:
            return name
    return None


def with_header(text: str, meta: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[int, int, str]]]:
    """Metadata and layout: what the file format gave, plus what a plain-text header states
    (the format's and sidecar's values win)."""
    header, ranges = text_header(text)
    return {**header, **meta}, [*_layout(meta), *ranges]


def _layout(meta: Mapping[str, Any]) -> list[tuple[int, int, str]]:
    """Ranges the file format marked as furniture or teasers (see :mod:`service.ingest.formats`)."""
    raw = meta.get(LAYOUT_KEY)
    if not isinstance(raw, list):
        return []
    return [
        (item[0], item[1], item[2])
        for item in raw
        if isinstance(item, list | tuple)
        and len(item) == 3
        and isinstance(item[0], int)
        and isinstance(item[1], int)
        and isinstance(item[2], str)
    ]


def clean_str(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


def title(title: str | None) -> str | None:
    """A Markdown heading's "#" marks are layout, not part of the title."""
    return _MARKDOWN_HEADING.sub("", title).strip() or None if title else None
