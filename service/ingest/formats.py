"""Article files in other formats, turned into the plain text that is stored and cited.

Plain text and Markdown are stored verbatim. An HTML page is stored as the text a reader sees
(block elements become lines, scripts and styles dropped, entities decoded); a JSON article
gives its text field plus metadata. Citations index the stored text, so
``text[start:end] == quote`` holds whatever the file format.

An HTML page also says what its parts are, which plain text cannot: navigation, site header and
footer, forms and buttons, cookie banners and share bars are page furniture, and an ``aside`` or
a "related articles" block full of links is teasers of other articles. Those lines are returned
in ``meta[LAYOUT_KEY]`` as ``[start, end, kind]`` ranges of the stored text (kind ``boilerplate``
or ``teaser``) so the cleaner can label them without guessing.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any, Literal

LAYOUT_KEY = "layout"
Region = Literal["boilerplate", "teaser"]

_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "aside", "nav", "li", "ul", "ol", "h1", "h2", "h3",
    "h4", "h5", "h6", "br", "tr", "table", "blockquote", "figcaption", "figure", "main", "hr", "title", "dd", "dt",
    # Controls and time stamps are laid out apart from the text around them ("Tout accepter" "Refuser").
    "button", "label", "select", "option", "time", "form", "address",
}  # fmt: skip
_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "head"}
_META_KEYS = {
    "og:title": "title",
    "og:site_name": "publisher",
    "author": "author",
    "article:author": "author",
    "article:published_time": "published_on",
    "date": "published_on",
    "og:url": "url",
}
# Elements that are page furniture wherever they stand.
_FURNITURE_TAGS = {"nav", "form", "button", "select", "label"}
_ROLES: dict[str, Region] = {
    "navigation": "boilerplate",
    "banner": "boilerplate",
    "contentinfo": "boilerplate",
    "search": "boilerplate",
    "complementary": "teaser",
}
# class/id words of widgets; matched on whole words of the attribute (share-bar, cookie_banner).
_TEASER_WORDS = re.compile(
    r"(?:^|[\s_-])(?:related|recommend\w*|read-?more|more-?stories|teasers?|outbrain|taboola)(?:$|[\s_-])"
)
_FURNITURE_WORDS = re.compile(
    r"(?:^|[\s_-])(?:cookies?|consent|gdpr|rgpd|share|sharing|social|newsletter|subscribe|subscription|comments?|"
    r"breadcrumbs?|menu|navbar|nav|footer|sidebar|popup|modal|advert\w*|ads?|promo|paywall|login)(?:$|[\s_-])"
)
# Inline elements holding a credit or a date start a line of their own ("…d’eurosPar Léa Fournier").
_CREDIT_WORDS = re.compile(r"(?:^|[\s_-])(?:author|byline|auteur|signature|date|time|timestamp|meta)(?:$|[\s_-])")
_VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "base", "col", "embed", "param", "track"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, Region | None]] = []
        self.skipping = 0
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.in_title = False
        # Open elements with the region they start (None: inherits) and whether they hold links.
        self.stack: list[tuple[str, Region | None]] = []
        self.content = 0  # open <article>/<main>: a header or footer inside is the article's own

    def region(self) -> Region | None:
        found: Region | None = None
        for _, region in self.stack:
            if region == "boilerplate":
                return "boilerplate"
            found = found or region
        return found

    def _region_of(self, tag: str, attrs: dict[str, str | None]) -> Region | None:
        if tag in _FURNITURE_TAGS:
            return "boilerplate"
        if tag == "footer" and not self.content:
            return "boilerplate"  # a site header may hold the headline; its <nav> is furniture anyway
        role = (attrs.get("role") or "").lower()
        if role in _ROLES:
            return _ROLES[role]
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
        if tag == "aside" or _TEASER_WORDS.search(names):
            return "teaser"
        if _FURNITURE_WORDS.search(names):
            return "boilerplate"
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _SKIP:
            self.skipping += 1
        if tag == "title":
            self.in_title = True
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key in _META_KEYS and values.get("content"):
                self.meta.setdefault(_META_KEYS[key], str(values["content"]).strip())
        if tag == "html":
            lang = values.get("lang")
            if lang:
                self.meta.setdefault("language", lang.split("-")[0].lower())
        if tag in _VOID:
            if tag in _BLOCK:
                self.parts.append(("\n", None))
            return
        self.stack.append((tag, self._region_of(tag, values)))
        if tag in ("article", "main"):
            self.content += 1
        names = f"{values.get('class') or ''} {values.get('id') or ''}".lower()
        if tag in _BLOCK or _CREDIT_WORDS.search(names):
            self.parts.append(("\n", None))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skipping:
            self.skipping -= 1
        if tag == "title":
            self.in_title = False
        if tag in _VOID:
            return
        # Close up to the matching element (tolerates unclosed <p> and <li>).
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                for closed, _ in self.stack[k:]:
                    if closed in ("article", "main"):
                        self.content -= 1
                del self.stack[k:]
                break
        self.parts.append(("\n", None))

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        if not self.skipping:
            self.parts.append((data, self.region()))


_SPACE_RUN = re.compile(r"[ \t\r\f\v]+")


def html_to_text(html: str) -> tuple[str, dict[str, Any]]:
    """The readable text of an HTML page, one block per line, and the metadata its head declares.

    ``meta[LAYOUT_KEY]`` lists the lines that the page's structure marks as furniture or teasers.
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    # Lines with the regions of the text they hold: a line is furniture only if all of it is.
    lines: list[tuple[str, set[Region | None]]] = [("", set())]
    for data, region in parser.parts:
        pieces = data.split("\n")
        for k, piece in enumerate(pieces):
            if k:
                lines.append(("", set()))
            if piece:
                text, regions = lines[-1]
                lines[-1] = (text + piece, regions | ({region} if piece.strip() else set()))
    out: list[str] = []
    layout: list[list[Any]] = []
    pos = 0
    for raw, regions in lines:
        line = _SPACE_RUN.sub(" ", raw).strip()
        if not line:
            continue
        if len(regions) == 1 and None not in regions:
            layout.append([pos, pos + len(line), next(iter(regions))])
        out.append(line)
        pos += len(line) + 1
    meta: dict[str, Any] = dict(parser.meta)
    title = " ".join("".join(parser.title).split())
    if title and "title" not in meta:
        meta["title"] = title
    if layout:
        meta[LAYOUT_KEY] = layout
    return "\n".join(out) + "\n", meta


_JSON_TEXT_KEYS = ("text", "content", "body", "article", "articleBody")


def json_article(raw: str) -> tuple[str, dict[str, Any]]:
    """``{"text": …, "title": …, "published_on": …}`` (or content/body/articleBody) → text and metadata."""
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("a JSON article must be an object")
    for key in _JSON_TEXT_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            meta = {
                k: v
                for k, v in data.items()
                if k not in _JSON_TEXT_KEYS and k != LAYOUT_KEY and isinstance(v, str | int | float)
            }
            for source, target in (("headline", "title"), ("datePublished", "published_on"), ("date", "published_on")):
                if source in data and target not in meta:
                    meta[target] = data[source]
            return value, meta
    raise ValueError(f"a JSON article needs a non-empty text field ({', '.join(_JSON_TEXT_KEYS)})")
