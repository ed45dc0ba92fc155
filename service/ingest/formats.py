"""Article files in other formats, turned into the plain text that is stored and cited.

Plain text and Markdown are stored verbatim. An HTML page is stored as the text a reader sees
(block elements become lines, scripts and styles dropped, entities decoded); a JSON article
gives its text field plus metadata. Citations index the stored text, so
``text[start:end] == quote`` holds whatever the file format.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "aside", "nav", "li", "ul", "ol", "h1", "h2", "h3",
    "h4", "h5", "h6", "br", "tr", "table", "blockquote", "figcaption", "figure", "main", "hr", "title", "dd", "dt",
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


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        if tag == "title":
            self.in_title = True
        if tag == "meta":
            values = dict(attrs)
            key = (values.get("property") or values.get("name") or "").lower()
            if key in _META_KEYS and values.get("content"):
                self.meta.setdefault(_META_KEYS[key], str(values["content"]).strip())
        if tag == "html":
            lang = dict(attrs).get("lang")
            if lang:
                self.meta.setdefault("language", lang.split("-")[0].lower())
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self.skipping:
            self.skipping -= 1
        if tag == "title":
            self.in_title = False
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, dict[str, Any]]:
    """The readable text of an HTML page, one block per line, and the metadata its head declares."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in raw.split("\n")]
    text = "\n".join(line for line in lines if line)
    meta: dict[str, Any] = dict(parser.meta)
    title = " ".join("".join(parser.title).split())
    if title and "title" not in meta:
        meta["title"] = title
    return text + "\n", meta


_JSON_TEXT_KEYS = ("text", "content", "body", "article", "articleBody")


def json_article(raw: str) -> tuple[str, dict[str, Any]]:
    """``{"text": …, "title": …, "published_on": …}`` (or content/body/articleBody) → text and metadata."""
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("a JSON article must be an object")
    for key in _JSON_TEXT_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            meta = {k: v for k, v in data.items() if k not in _JSON_TEXT_KEYS and isinstance(v, str | int | float)}
            for source, target in (("headline", "title"), ("datePublished", "published_on"), ("date", "published_on")):
                if source in data and target not in meta:
                    meta[target] = data[source]
            return value, meta
    raise ValueError(f"a JSON article needs a non-empty text field ({', '.join(_JSON_TEXT_KEYS)})")
