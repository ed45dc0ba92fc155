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
        self.ld_json: list[str] = []  # <script type="application/ld+json"> bodies
        self.in_ld = False
        self.times: list[str] = []  # <time datetime="…"> values, in page order

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
        if tag == "script" and (values.get("type") or "").lower() == "application/ld+json":
            self.in_ld = True
            self.ld_json.append("")
        if tag == "time" and values.get("datetime"):
            self.times.append(str(values["datetime"]))
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
        if tag == "script":
            self.in_ld = False
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
        if self.in_ld:
            self.ld_json[-1] += data
            return
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
    meta: dict[str, Any] = {**_linked_data(parser.ld_json), **parser.meta}
    if "published_on" not in meta and parser.times:
        meta["published_on"] = parser.times[0]
    title = " ".join("".join(parser.title).split())
    if title and "title" not in meta:
        meta["title"] = title
    if layout:
        meta[LAYOUT_KEY] = layout
    return "\n".join(out) + "\n", meta


_JSON_TEXT_KEYS = ("text", "content", "body", "article", "articleBody", "texte", "contenu", "corps", "paragraphs")
# Field names articles are exported with, and the metadata key each one fills.
_JSON_META_KEYS: dict[str, str] = {
    "title": "title", "headline": "title", "titre": "title",
    "published_on": "published_on", "datePublished": "published_on", "date": "published_on",
    "published_at": "published_on", "publishedAt": "published_on", "pubDate": "published_on",
    "date_publication": "published_on", "publie_le": "published_on",
    "publisher": "publisher", "source": "publisher", "site": "publisher", "media": "publisher",
    "editeur": "publisher", "éditeur": "publisher",
    "author": "author", "auteur": "author", "byline": "author", "authors": "author", "auteurs": "author",
    "url": "url", "link": "url", "lien": "url",
    "language": "language", "lang": "language", "langue": "language",
}  # fmt: skip


def json_article(raw: str) -> tuple[str, dict[str, Any]]:
    """An exported article → text and metadata.

    The text is the first of ``text``/``content``/``body``/``articleBody`` (or their French names)
    holding a string or a list of paragraphs; the object may be the file itself, its one element
    (a list of one article) or nested under ``article``/``data``. Metadata fields are read under
    their usual names (``headline``, ``datePublished``, ``auteur``…); an author or publisher given
    as an object contributes its ``name``.
    """
    data: Any = json.loads(raw)
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise ValueError("a JSON article must be an object")
    for holder in (data, data.get("article"), data.get("data")):
        if not isinstance(holder, dict):
            continue
        text = _json_text(holder)
        if text:
            meta: dict[str, Any] = {}
            for source in (data, holder):
                for key, value in source.items():
                    target = _JSON_META_KEYS.get(key)
                    found = _json_value(value)
                    if target and found and target not in meta:
                        meta[target] = found
            return text, meta
    raise ValueError(f"a JSON article needs a non-empty text field ({', '.join(_JSON_TEXT_KEYS)})")


def _json_text(holder: dict[str, Any]) -> str | None:
    for key in _JSON_TEXT_KEYS:
        value = holder.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return "\n\n".join(v.strip() for v in value if v.strip()) + "\n"
    return None


def _json_value(value: Any) -> str | None:
    """A metadata value as text: strings and numbers, an object's name, the first of a list."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("nom")
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _linked_data(blocks: list[str]) -> dict[str, Any]:
    """headline, datePublished, author and publisher of the page's schema.org article, if any."""
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError:
            continue
        items = data if isinstance(data, list) else [data]
        items += [g for d in items if isinstance(d, dict) for g in d.get("@graph", []) if isinstance(g, dict)]
        for item in items:
            kind = item.get("@type") if isinstance(item, dict) else None
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(isinstance(k, str) and k.endswith(("Article", "BlogPosting", "Report")) for k in kinds):
                continue
            meta: dict[str, Any] = {}
            for key in ("headline", "datePublished", "author", "publisher", "inLanguage"):
                found = _json_value(item.get(key))
                target = {"inLanguage": "language"}.get(key) or _JSON_META_KEYS[key]
                if found:
                    meta[target] = found
            return meta
    return {}


# --------------------------------------------------------------------------- plain-text headers

# "---\ntitle: …\ndate: …\n---" (Markdown front matter) or "Titre : …" / "Auteur : …" lines
# heading a plain-text export. Only these keys are read; each names a metadata field.
_HEADER_KEYS: dict[str, str] = {
    "title": "title", "titre": "title",
    "date": "published_on", "published": "published_on", "published_on": "published_on",
    "publié le": "published_on", "publie le": "published_on", "date de publication": "published_on",
    "author": "author", "authors": "author", "auteur": "author", "auteurs": "author", "auteure": "author",
    "par": "author", "signé": "author",
    "source": "publisher", "publisher": "publisher", "éditeur": "publisher", "media": "publisher",
    "média": "publisher", "site": "publisher",
    "url": "url", "lien": "url", "link": "url",
    "lang": "language", "language": "language", "langue": "language",
    "tags": "", "catégorie": "", "categorie": "", "rubrique": "", "mots-clés": "", "slug": "", "description": "",
}  # fmt: skip
_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-zÀ-ÿ_ -]{2,30}?)\s*:\s*(?P<value>.*?)\s*$")
_FRONT_MATTER_FENCE = re.compile(r"^(?:---|\+\+\+)\s*$")
HEADER_MAX_LINES = 15


def text_header(text: str) -> tuple[dict[str, Any], list[tuple[int, int, str]]]:
    """Metadata a plain-text or Markdown article states in its head, and the lines to keep out of facts.

    Front matter between ``---`` fences, or consecutive ``Clé : valeur`` lines with known keys
    at the very top. Returns (metadata, ``(start, end, "boilerplate")`` ranges of those lines).
    """
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.splitlines(keepends=True)[: HEADER_MAX_LINES + 2]:
        stripped = raw.rstrip("\r\n")
        lines.append((pos, pos + len(stripped), stripped))
        pos += len(raw)
    meta: dict[str, Any] = {}
    ranges: list[tuple[int, int, str]] = []
    k = 0
    while k < len(lines) and not lines[k][2].strip():
        k += 1
    fenced = k < len(lines) and _FRONT_MATTER_FENCE.match(lines[k][2]) is not None
    if fenced:
        ranges.append((lines[k][0], lines[k][1], "boilerplate"))
        k += 1
    for start, end, line in lines[k:]:
        if fenced and _FRONT_MATTER_FENCE.match(line):
            ranges.append((start, end, "boilerplate"))
            return meta, ranges
        m = _HEADER_LINE.match(line)
        key = m.group("key").strip().casefold() if m else ""
        if m is None or key not in _HEADER_KEYS:
            if fenced and line.strip():
                continue  # other front-matter fields
            break
        value = m.group("value").strip().strip("\"'")
        field = _HEADER_KEYS[key]
        if field and value and field not in meta:
            meta[field] = value
        ranges.append((start, end, "boilerplate"))
    if fenced:
        return {}, []  # an unclosed fence is a horizontal rule, not front matter
    # Two "key: value" lines at least, so that a first line "Source : AFP" alone stays as it was.
    return (meta, ranges) if len(ranges) >= 2 else ({}, [])
