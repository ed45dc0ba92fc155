"""The characters of scraped text and the sentences they make.

A per-character fold (lower-case, accents, quotes, dashes and spaces unified, offsets kept),
whitespace trimming, tests of a text's final mark, the line-continuation rule, and
:func:`split_sentences`, which cuts a range of verbatim text into :class:`Sentence` spans.
Shared by the page labelling (:mod:`service.ingest.furniture`), the repeat detection
(:mod:`service.ingest.duplicates`) and :mod:`service.ingest.clean`.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from typing import Final

from service.ingest.types import Sentence

__all__ = [
    "ALNUM",
    "EMOJI_CLASS",
    "LINE_BREAK",
    "LOWER",
    "UPPER",
    "WORD",
    "collapse",
    "continues",
    "ends_terminal",
    "ends_with_period",
    "fold",
    "split_sentences",
    "trim",
]

# Guillemets farther apart than this are not taken as one quotation (unbalanced quotes
# must not glue a whole page into one sentence).
QUOTE_MAX_CHARS: Final = 600


# --------------------------------------------------------------------------- characters

_SPACE_CHARS: Final = (
    " \t\r\n\f\v\x85\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)
_SPACES: Final = frozenset(_SPACE_CHARS)
_INLINE_SPACE: Final = "[ \\t\\u00a0\\u2007\\u2009\\u202f\\u200b\\ufeff]"
LINE_BREAK: Final = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")
ALNUM: Final = re.compile(r"[^\W_]")
WORD: Final = re.compile(r"[^\W_]+")
EMOJI_CLASS: Final = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u25a0-\u25ff\u2022\u2023"
_EMOJI: Final = re.compile(f"[{EMOJI_CLASS}][\ufe0f\u200d\U0001f3fb-\U0001f3ff{EMOJI_CLASS}]*")
_CLOSERS: Final = '»”")]'
_OPENERS: Final = '«“"‘„([¿¡#@—–'
_TERMINALS: Final = ".!?…"
# A line ending with one of these continues on the next line (one sentence, one paragraph).
_CONNECTORS: Final = "—–-:,;(«“/&+="
UPPER: Final = "A-ZÀ-ÖØ-Þ"
LOWER: Final = "a-zß-öø-ÿœ"


def _is_emoji(ch: str) -> bool:
    return _EMOJI.match(ch) is not None


@functools.cache
def _fold_table() -> dict[int, str]:
    """Per-character fold: lower-case, accents stripped, quotes/spaces unified.

    Every character maps to exactly one, so offsets in folded text equal offsets in the
    original and lexicon matches can be located without a mapping table.
    """
    table: dict[int, str] = {}
    for cp in range(0x2070):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        folded = low if len(low) == 1 else (base if len(base) == 1 else ch)
        if folded != ch:
            table[cp] = folded
    for ch in "’‘‚‛ʼ`´′":
        table[ord(ch)] = "'"
    for ch in "“”„‟«»″":
        table[ord(ch)] = '"'
    for ch in "‐‑‒–—―":
        table[ord(ch)] = "-"
    for ch in _SPACE_CHARS:
        if ch not in "\n\r":
            table[ord(ch)] = " "
    return table


def fold(s: str) -> str:
    return s.translate(_fold_table())


def collapse(s: str) -> str:
    return " ".join(s.split())


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _SPACES:
        start += 1
    while end > start and text[end - 1] in _SPACES:
        end -= 1
    return start, end


def _strip_tail(s: str) -> str:
    """The text without trailing spaces, emoji and closing quotes, to read its final mark."""
    i = len(s)
    while i > 0 and (s[i - 1] in _SPACES or s[i - 1] in _CLOSERS or _is_emoji(s[i - 1])):
        i -= 1
    return s[:i]


def ends_with_period(s: str) -> bool:
    tail = _strip_tail(s)
    return tail.endswith(".") and not tail.endswith("..")


def ends_terminal(s: str) -> bool:
    tail = _strip_tail(s)
    return bool(tail) and tail[-1] in _TERMINALS


# --------------------------------------------------------------------------- sentences

# Abbreviations after which a period does not end a sentence (compared lower-case).
_ABBREVIATIONS_TEXT: Final = (
    "m mm mme mmes mlle mlles dr drs pr me mgr st ste sts av apr j.-c jc cf p pp vol no art al "
    "env éd ed coll fig chap inc ltd corp co jr sr vs ex ca approx tél tel gal gén gen col cdt "
    "lt sgt mr mrs ms prof hon op cit ibid bd boul dépt"
)
_ABBREVIATIONS: Final = frozenset(_ABBREVIATIONS_TEXT.split())
# Matched only from the first mark of a run: tried from inside a run too, "......" (a page of
# dots, a pasted progress bar) made every mark rescan the rest of the run, quadratic in its length.
_BOUNDARY: Final = re.compile(
    rf"(?<![.!?…])(?P<term>\.{{2,}}|[.!?…]+)(?:{_INLINE_SPACE}*[{re.escape(_CLOSERS)}])*(?={_INLINE_SPACE}+\S)"
)
_GLUED: Final = re.compile(rf"(?<=[{LOWER}]{{2}})\.(?=[{UPPER}][{LOWER}]{{2}})")
_QUOTES: Final = re.compile("[«»“”]")
_MAY_CUT: Final = re.compile(f"[.!?…\n\r\v\f\x85\u2028\u2029{EMOJI_CLASS}]")
_PAIRS: Final = {"»": "«", "”": "“"}


def _quoted_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of balanced « » and “ ” quotations (nesting of different kinds allowed)."""
    spans: list[tuple[int, int]] = []
    opened: dict[str, int] = {}
    for m in _QUOTES.finditer(text, start, end):
        ch = m.group()
        if ch in _PAIRS:
            left = opened.pop(_PAIRS[ch], None)
            if left is not None and m.start() - left <= QUOTE_MAX_CHARS:
                spans.append((left, m.start()))
        else:
            opened[ch] = m.start()
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _word_before(text: str, pos: int, floor: int) -> str:
    i = pos
    while i > floor and pos - i < 20 and (text[i - 1].isalpha() or text[i - 1] in ".-"):
        i -= 1
    return text[i:pos].strip(".")


def _starts_sentence(ch: str) -> bool:
    return ch.isupper() or ch in _OPENERS or _is_emoji(ch)


def continues(text: str, line_end: int, next_start: int, floor: int, ceil: int) -> bool:
    """Whether a line break between two non-blank lines is inside a sentence.

    A break ends the sentence unless the line ends with a connector (— : , ( « …) or the
    next line starts lower-case after a line without final punctuation (hard wrap).
    """
    i = line_end
    while i > floor and text[i - 1] in _SPACES:
        if text[i - 1] in "\n\r\u2028\u2029":
            return False  # blank line in between: a paragraph break
        i -= 1
    j = next_start
    while j < ceil and text[j] in _SPACES:
        if text[j] in "\n\r\u2028\u2029":
            return False
        j += 1
    if i <= floor or j >= ceil:
        return False
    last, first = text[i - 1], text[j]
    if last in _CONNECTORS:
        return True
    return first.islower() and last not in _TERMINALS and last not in _CLOSERS


def split_sentences(text: str, start: int, end: int) -> list[Sentence]:
    """Split ``text[start:end]`` into sentences with offsets into ``text``.

    Boundaries: ``. ! ? …`` (and closing quotes after them) followed by a space and a
    capital, an opening quote, ``#``/``@`` or an emoji; not after abbreviations (M., Mme,
    Dr, av. J.-C., St.) or single initials, and not inside a « … » / “ … ” quotation that
    continues. A period glued to the next sentence ("Musk.Ces") is also a boundary. A line
    break ends a sentence unless the line ends with a connector (— – : , ; ( «) or the next
    line starts lower-case (hard-wrapped paragraph). An emoji bullet (👉 ⚡ ✅) preceded by a
    space starts a new sentence. Pieces without letters or digits (a trailing "🚀🤖") are
    dropped; sentence offsets are trimmed of whitespace (including NBSP and BOM).
    """
    start, end = trim(text, max(0, start), min(len(text), end))
    if start >= end:
        return []
    if _MAY_CUT.search(text, start, end) is None:  # fast path: one short line, no marks
        return [Sentence(start=start, end=end, text=text[start:end])] if ALNUM.search(text, start, end) else []
    cuts: set[int] = set()
    quotes = _quoted_spans(text, start, end)
    quote_starts = [a for a, _ in quotes]

    def quoted(pos: int) -> bool:
        k = bisect.bisect_left(quote_starts, pos) - 1
        return k >= 0 and quotes[k][0] < pos < quotes[k][1]

    for m in _BOUNDARY.finditer(text, start, end):
        nxt, _ = trim(text, m.end(), end)
        if nxt >= end or not _starts_sentence(text[nxt]):
            continue
        if m.group("term") == ".":
            word = _word_before(text, m.start(), start)
            if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
        if not quoted(m.end()):
            cuts.add(m.end())
    for m in _GLUED.finditer(text, start, end):
        cuts.add(m.end())
    for m in LINE_BREAK.finditer(text, start, end):
        if not continues(text, m.start(), m.end(), start, end):
            cuts.add(m.start())
    for m in _EMOJI.finditer(text, start, end):
        pos = m.start()
        if pos > start and text[pos - 1] not in _SPACES:
            continue
        after, _ = trim(text, m.end(), end)
        if after < end and (text[after].isalnum() or text[after] in _OPENERS):
            cuts.add(pos)

    sentences: list[Sentence] = []
    prev = start
    for cut in [*sorted(cuts), end]:
        a, b = trim(text, prev, cut)
        if a < b and ALNUM.search(text, a, b):
            sentences.append(Sentence(start=a, end=b, text=text[a:b]))
        prev = max(prev, cut)
    return sentences
