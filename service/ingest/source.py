"""Reading a corpus: which files are articles, their verbatim text, sidecar metadata and digest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from service.ingest.formats import html_to_text, json_article

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".html", ".htm", ".json")
MAX_ARTICLE_BYTES = 10 * 1024 * 1024


# Characters Unicode files as letters or symbols that nevertheless draw nothing (Hangul fillers,
# the blank Braille pattern); they are used to fake a non-empty text.
_BLANK_GRAPHEMES = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """True when ``text`` shows nothing a reader could see: only whitespace, control and format
    characters (zero-width spaces and joiners, word joiner, BOM, soft hyphen, direction marks),
    combining marks with nothing to combine with, unassigned or private-use code points.

    Visible means a letter, digit, punctuation mark or symbol (Unicode categories L, N, P, S).
    """
    return not any(unicodedata.category(ch)[0] in "LNPS" and ch not in _BLANK_GRAPHEMES for ch in text)


class SourceError(ValueError):
    """A corpus file that cannot be an article (empty, binary, not UTF-8, too large)."""


class SourceFile(msgspec.Struct, frozen=True):
    path: Path
    text: str
    sha256: str
    meta: dict[str, Any]


def article_paths(corpus: Path) -> list[Path]:
    """Article files of ``corpus`` in a stable order; ``NAME.meta.json`` sidecars are metadata, not articles."""
    return sorted(
        p
        for p in corpus.iterdir()
        if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.endswith(".meta.json")
    )


def decode_article(raw: bytes, name: str = "article") -> str:
    """The article text, or :class:`SourceError` saying why these bytes are not one."""
    if len(raw) > MAX_ARTICLE_BYTES:
        raise SourceError(f"{name}: {len(raw)} bytes is over the {MAX_ARTICLE_BYTES // (1024 * 1024)} MiB limit")
    if not raw.strip():
        raise SourceError(f"{name}: the file is empty")
    if b"\x00" in raw[:8192]:
        raise SourceError(f"{name}: the file is binary, not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{name}: not valid UTF-8 (byte {exc.start})") from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 8:
        raise SourceError(f"{name}: the file is binary, not text")
    if is_blank(text):
        raise SourceError(f"{name}: the file is empty (blanks and invisible characters only)")
    return text


def read_meta(path: Path) -> dict[str, Any]:
    """``NAME.meta.json`` beside an article, if any (title, publisher, author, url, published_on, language)."""
    sidecar = path.with_name(path.stem + ".meta.json")
    if not sidecar.is_file():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{sidecar.name}: unreadable metadata ({exc})") from None
    except RecursionError:
        raise SourceError(f"{sidecar.name}: unreadable metadata (nested too deeply)") from None
    if not isinstance(data, dict):
        raise SourceError(f"{sidecar.name}: metadata must be a JSON object")
    return data


def read_source(path: Path) -> SourceFile:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path.name}: cannot read ({exc.strerror})") from None
    text = decode_article(raw, path.name)
    meta: dict[str, Any] = {}
    suffix = path.suffix.lower()
    try:
        if suffix in (".html", ".htm"):
            text, meta = html_to_text(text)
        elif suffix == ".json":
            text, meta = json_article(text)
    except ValueError as exc:
        raise SourceError(f"{path.name}: {exc}") from None
    except RecursionError:  # json.loads on arrays or objects nested thousands deep
        raise SourceError(f"{path.name}: nested too deeply to be an article") from None
    if is_blank(text):
        raise SourceError(f"{path.name}: the file has no article text")
    meta.update(read_meta(path))
    return SourceFile(path=path, text=text, sha256=text_sha256(text), meta=meta)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def corpus_digest(paths: list[Path], pipeline_version: str) -> str:
    """Changes when any article's bytes, the set of files, or the pipeline version change."""
    digest = hashlib.sha256(pipeline_version.encode())
    for path in paths:
        digest.update(path.name.encode())
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
            sidecar = path.with_name(path.stem + ".meta.json")
            if sidecar.is_file():
                digest.update(sidecar.read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def iter_sources(paths: list[Path]) -> Iterator[tuple[Path, SourceFile | SourceError]]:
    for path in paths:
        try:
            yield path, read_source(path)
        except SourceError as exc:
            yield path, exc


def parse_date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
