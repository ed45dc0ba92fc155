"""Find the article in a scraped page and split it into sentences.

Scraped pages wrap the article in noise: the body repeated (re-wrapped, or one copy
truncated), disclaimers, share/newsletter/comment widgets, teasers of other articles and
author credits. :func:`clean` labels every non-blank line (or part of a line) with a
:class:`Segment` kind and returns the sentences of the fact-bearing ones (body and title),
each fact once. Offsets index the verbatim text: ``text[s.start:s.end] == s.text``.

The pipeline is linear in the text size:

1. each line is classified on its own with the lexicon (boilerplate, teaser cues, bylines,
   dates, name-only lines); consecutive candidate lines that continue one another
   (the first ends with a connector, or the next starts lower-case) are joined;
2. name-only lines at the top become author bylines, or topic tags (boilerplate) when the
   name occurs in the title or lead;
3. teasers: lines after a teaser heading ("Articles connexes") and the page tail are
   tested for shape (headline-like lines, excerpts under them) and lexical overlap with
   the first half of the body;
4. the remaining sentences are de-duplicated with hashed word 5-gram shingles;
5. a title is picked; one- or two-word lines above it (rubric labels) are boilerplate.

Thresholds are module constants below; each says why it has its value.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import msgspec

from service.ingest.types import Segment, SegmentKind, Sentence

__all__ = ["CleanedPage", "clean", "split_sentences"]

LEXICON_PATH: Final = Path(__file__).resolve().parents[2] / "seeds" / "knowledge" / "boilerplate.json"

# Word n-gram size for near-duplicate detection: 5 words rarely repeat by chance within one
# article (4 did: "des centres de données et"), yet re-wrapped copies share all of them.
SHINGLE_SIZE: Final = 5
# A sentence whose words are this much covered by already-seen shingles is a repeat; a
# sentence recombining stock phrases of earlier ones stays well below.
DUP_COVERAGE: Final = 0.9
# A later sentence extending an earlier truncated one replaces it only if the added words
# are mostly new (otherwise it is two old sentences glued together by a lost line break).
EXTENSION_MAX_COVERED: Final = 0.5
# Share of a block's content words found in the first half of the body below which it is
# about something else: a tail of unrelated teasers scores ~0.1-0.2 as a whole, while a
# single paragraph of the article itself can score as low as ~0.15, hence the shape tests
# (headlines, author lines) that come first.
TEASER_MAX_OVERLAP: Final = 0.3
# Headline-like lines that make a list of links on their own, without author/date lines.
TEASER_MIN_LIST: Final = 3
# Sentences opening with the same words that are compared for truncation (bounds the work
# on pages where many sentences open alike).
MAX_SAME_OPENING: Final = 32
# A paragraph sharing this much with the first half of the body is surely article text
# (a repeated copy scores ~1.0); below it, shape decides.
BODY_MIN_OVERLAP: Final = 0.4
# Minimum content words before the overlap of a block is trusted.
MIN_CONTENT_WORDS: Final = 5
# Titles: headline-like lines up to this length; a "Question ? Statement." first line is
# accepted up to the shorter limit.
TITLE_MAX_CHARS: Final = 250
TITLE_WITH_PERIOD_MAX_CHARS: Final = 200
# Section headings that introduce boilerplate have at most this many words.
HEADING_MAX_WORDS: Final = 6
# Short lines only are tested against line-start cues, so prose that happens to start with
# "Publié le ..." is not discarded.
PREFIX_MAX_CHARS: Final = 200
# Guillemets farther apart than this are not taken as one quotation (unbalanced quotes
# must not glue a whole page into one sentence).
QUOTE_MAX_CHARS: Final = 600


class CleanedPage(msgspec.Struct, frozen=True):
    """What part of a scraped page is the article, and its fact-bearing sentences."""

    segments: tuple[Segment, ...]
    sentences: tuple[Sentence, ...]
    title: str | None
    byline_names: tuple[str, ...]


# --------------------------------------------------------------------------- characters

_SPACE_CHARS: Final = (
    " \t\r\n\f\v\x85\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)
_SPACES: Final = frozenset(_SPACE_CHARS)
_INLINE_SPACE: Final = "[ \\t\\u00a0\\u2007\\u2009\\u202f\\u200b\\ufeff]"
_LINE_BREAK: Final = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")
_ALNUM: Final = re.compile(r"[^\W_]")
_WORD: Final = re.compile(r"[^\W_]+")
_EMOJI_CLASS: Final = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u25a0-\u25ff\u2022\u2023"
_EMOJI: Final = re.compile(f"[{_EMOJI_CLASS}][\ufe0f\u200d\U0001f3fb-\U0001f3ff{_EMOJI_CLASS}]*")
_CLOSERS: Final = '»”")]'
_OPENERS: Final = '«“"‘„([¿¡#@—–'
_TERMINALS: Final = ".!?…"
# A line ending with one of these continues on the next line (one sentence, one paragraph).
_CONNECTORS: Final = "—–-:,;(«“/&+="


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


def _fold(s: str) -> str:
    return s.translate(_fold_table())


def _collapse(s: str) -> str:
    return " ".join(s.split())


_KEY_LEAD: Final = re.compile(f"^[\\s•·*>»→▶►|=~_{_EMOJI_CLASS}-]+")
_KEY_TRAIL: Final = re.compile(r"[\s:.!…»>→|*]+$")


def _key(folded: str) -> str:
    """Comparable form of a line for the lexicon: bullets and trailing punctuation dropped."""
    return _KEY_TRAIL.sub("", _KEY_LEAD.sub("", _collapse(folded)))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
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


def _ends_with_period(s: str) -> bool:
    tail = _strip_tail(s)
    return tail.endswith(".") and not tail.endswith("..")


def _ends_terminal(s: str) -> bool:
    tail = _strip_tail(s)
    return bool(tail) and tail[-1] in _TERMINALS


# --------------------------------------------------------------------------- lexicon


class _LexiconFile(msgspec.Struct, frozen=True):
    exact_lines: list[str]
    teaser_headings: list[str]
    teaser_prefixes: list[str]
    line_prefixes: list[str]
    line_regexes: list[str]
    phrases: list[str]
    credits: list[str]
    number_words: list[str]


@dataclass(frozen=True)
class _Lexicon:
    exact: frozenset[str]
    headings: frozenset[str]
    credits: frozenset[str]
    prefix_re: re.Pattern[str]
    line_re: re.Pattern[str]
    phrase_re: re.Pattern[str]
    teaser_prefix_re: re.Pattern[str]
    paren_teaser_re: re.Pattern[str]
    captcha_re: re.Pattern[str]


def _alternation(items: Iterable[str]) -> str:
    # Longest first so that "a lire aussi" wins over "lire aussi"; spaces match any run.
    escaped = sorted({re.escape(i).replace("\\ ", r"\s+") for i in items if i}, key=len, reverse=True)
    return "|".join(escaped)


@functools.cache
def _lexicon() -> _Lexicon:
    raw = msgspec.json.decode(LEXICON_PATH.read_bytes(), type=_LexiconFile)

    def keys(items: list[str]) -> list[str]:
        return [_key(_fold(i)) for i in items]

    prefixes = _alternation(keys(raw.teaser_prefixes))
    numbers = _alternation(keys(raw.number_words))
    number = rf"(?:\d+|(?:{numbers})(?:[- ](?:et[- ])?(?:{numbers}))*)"
    operator = r"(?:\s*[+×*/÷]\s*|\s+[-x]\s+|\s+(?:plus|moins|fois|times|minus)\s+)"
    return _Lexicon(
        exact=frozenset(keys(raw.exact_lines)),
        headings=frozenset(keys(raw.teaser_headings)),
        credits=frozenset(keys(raw.credits)),
        prefix_re=re.compile(rf"(?:{_alternation(keys(raw.line_prefixes))})(?![^\W_])"),
        line_re=re.compile("|".join(f"(?:{r})" for r in raw.line_regexes)),
        phrase_re=re.compile(_alternation(_collapse(_fold(p)) for p in raw.phrases)),
        teaser_prefix_re=re.compile(rf"(?:{prefixes})\s*(?:[:>»→|]|\s-+)\s*(?P<rest>.*)"),
        paren_teaser_re=re.compile(rf"\(\s*(?:{prefixes})\s*:[^()\n]*(?:\([^()\n]*\)[^()\n]*)*\)"),
        captcha_re=re.compile(rf"(?:combien (?:font|fait)\s+)?{number}(?:{operator}{number})+\s*=\s*\??"),
    )


# --------------------------------------------------------------------------- names

_UPPER: Final = "A-ZÀ-ÖØ-Þ"
_LOWER: Final = "a-zß-öø-ÿœ"
_NAME_WORD: Final = (
    rf"(?:[{_UPPER}]\.|[{_UPPER}][{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?(?:[-'’][{_UPPER}{_LOWER}][{_LOWER}]+)*)"
)
_PARTICLE: Final = r"(?:de|du|des|van|von|der|den|da|di|del|della|le|la|ben|bin|al|el|dos|das|y)"
_NAME: Final = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*(?:d['’]\s?)?{_NAME_WORD}){{1,3}}"
_NAME_RE: Final = re.compile(_NAME)
_NAME_SEP: Final = re.compile(r"\s*(?:,|&|\bet\b|\band\b)\s*")
_BYLINE_START: Final = re.compile(
    r"\(?\s*(?:(?:ecrit|redige|edite|texte|propos recueillis|reportage|traduit|verifie|avec)\s+)?(?:par|by)\s*:?\s+"
    r"|(?:publie|mis a jour|mise a jour|modifie|posted|published)\b.{0,80}?\b(?:par|by)\s+"
)
_TEASER_CREDIT: Final = re.compile(rf"(?:^|[\s,?!.:;—–-])[Pp]ar\s+(?P<name>{_NAME})\s*$")
# Capitalised words that start headings or menus, never a person's name.
_NOT_NAMES_TEXT: Final = (
    "le la les un une des du de au aux ce cet cette ces son sa ses notre nos votre vos leur leurs "
    "pour avec sans dans sur par et ou en the a an of in on for with why how what who "
    "qui que quoi comment pourquoi quand accueil actualites actualite newsletter commentaires "
    "publicite partager menu recherche contact tech economie politique monde culture sport "
    "sciences science international france europe societe sante business finance crypto "
    "bourse marches lire voir suivez mentions conditions politique tous toutes"
)
_NOT_NAMES: Final = frozenset(_NOT_NAMES_TEXT.split())


def _is_name_line(line: str) -> bool:
    if len(line) > 60 or _NAME_RE.fullmatch(line) is None:
        return False
    words = _fold(line).split()
    return words[0] not in _NOT_NAMES and words[-1] not in _NOT_NAMES


def _names_after(text: str, pos: int, end: int) -> list[str]:
    """Person names listed from ``pos`` on ("Jean Dupont et Marie Curie, avec AFP")."""
    names: list[str] = []
    while pos < end:
        m = _NAME_RE.match(text, pos, end)
        if m is None:
            break
        names.append(m.group())
        sep = _NAME_SEP.match(text, m.end(), end)
        if sep is None or sep.end() == m.end():
            break
        pos = sep.end()
    return names


_BYLINE_REST: Final = re.compile(r"(?:[,|()/@•·-]|le\b|publie|mis a jour|avec\b|pour\b|$)")


def _byline_names(page: _Page, start: int, end: int) -> list[str]:
    """Names of a "Par Jean Dupont" / "Publié le … par Jean Dupont" line, else [].

    What follows the names must look like byline matter (a date, a role after a comma),
    so that prose opening with "Par Sam Altman lui-même, …" is left alone.
    """
    lead = _KEY_LEAD.match(page.folded, start, end)
    m = _BYLINE_START.match(page.folded, lead.end() if lead else start, end)
    if m is None:
        return []
    names = _names_after(page.text, m.end(), end)
    if not names:
        return []
    last = page.text.rfind(names[-1], m.end(), end) + len(names[-1])
    # A wire credit goes on: "(Rédigé par A B, édité par C D)".
    while more := _MORE_CREDITS.match(page.folded, last, end):
        extra = _names_after(page.text, more.end(), end)
        if not extra:
            break
        names += extra
        last = page.text.rfind(extra[-1], more.end(), end) + len(extra[-1])
    rest = page.folded[last:end].strip()
    return names if _BYLINE_REST.match(rest) else []


_MORE_CREDITS: Final = re.compile(
    r"\s*[,;]?\s*(?:et\s+)?(?:ecrit|redige|edite|traduit|verifie|texte|reportage|avec|photos?|video)\s+(?:par\s+)?"
)


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
_GLUED: Final = re.compile(rf"(?<=[{_LOWER}]{{2}})\.(?=[{_UPPER}][{_LOWER}]{{2}})")
_QUOTES: Final = re.compile("[«»“”]")
_MAY_CUT: Final = re.compile(f"[.!?…\n\r\v\f\x85\u2028\u2029{_EMOJI_CLASS}]")
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


def _continues(text: str, line_end: int, next_start: int, floor: int, ceil: int) -> bool:
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
    start, end = _trim(text, max(0, start), min(len(text), end))
    if start >= end:
        return []
    if _MAY_CUT.search(text, start, end) is None:  # fast path: one short line, no marks
        return [Sentence(start=start, end=end, text=text[start:end])] if _ALNUM.search(text, start, end) else []
    cuts: set[int] = set()
    quotes = _quoted_spans(text, start, end)
    quote_starts = [a for a, _ in quotes]

    def quoted(pos: int) -> bool:
        k = bisect.bisect_left(quote_starts, pos) - 1
        return k >= 0 and quotes[k][0] < pos < quotes[k][1]

    for m in _BOUNDARY.finditer(text, start, end):
        nxt, _ = _trim(text, m.end(), end)
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
    for m in _LINE_BREAK.finditer(text, start, end):
        if not _continues(text, m.start(), m.end(), start, end):
            cuts.add(m.start())
    for m in _EMOJI.finditer(text, start, end):
        pos = m.start()
        if pos > start and text[pos - 1] not in _SPACES:
            continue
        after, _ = _trim(text, m.end(), end)
        if after < end and (text[after].isalnum() or text[after] in _OPENERS):
            cuts.add(pos)

    sentences: list[Sentence] = []
    prev = start
    for cut in [*sorted(cuts), end]:
        a, b = _trim(text, prev, cut)
        if a < b and _ALNUM.search(text, a, b):
            sentences.append(Sentence(start=a, end=b, text=text[a:b]))
        prev = max(prev, cut)
    return sentences


# --------------------------------------------------------------------------- units

_Kind = Literal["bp", "teaser", "byline", "name", "cand"]
_STOPWORDS_TEXT: Final = """
    les des une dans par pour sur avec sans sous entre vers chez aux ces cet cette ceux celle
    celles celui leur leurs son ses sont est ont etait etaient sera seront serait etre avoir
    avait avaient aura fait faire font plus moins tres tout tous toute toutes aussi ainsi
    comme mais donc car que qui quoi dont quand lors alors apres avant depuis pendant selon
    encore deja meme autre autres quel quelle quels quelles elle elles ils nous vous lui eux
    ont pas peu bien non oui ici cela ceci ete sur une deux trois quatre cinq six sept huit
    neuf dix cent mille ans annee annees jour jours fois peut peuvent doit doivent veut va
    vont notre nos votre vos mon mes ton tes the and for with that this from are was were
    has have had will would can could not but its their they them his her you your our out
    about into than then there which what when who how all also more most some such only
    over new other been being after before while where
    """
_STOPWORDS: Final = frozenset(_STOPWORDS_TEXT.split())


@dataclass(slots=True)
class _Unit:
    """A line, a piece of a line, or a paragraph of joined lines, and what it looks like."""

    start: int
    end: int
    kind: _Kind
    first_line: int
    last_line: int
    heading: bool = False  # introduces a list of teasers ("Articles connexes")
    meta: bool = False  # a date, reading-time or counter line, which teaser lists interleave
    inline_teaser: bool = False  # "À lire aussi : <headline>"
    names: tuple[str, ...] = ()
    words: frozenset[str] | None = None
    sents: list[Sentence] = field(default_factory=list)


class _Page:
    """The text, its fold and cached per-unit facts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = _fold(text)

    def words(self, u: _Unit) -> frozenset[str]:
        """Content words (folded, >= 3 letters, not stop words) of a unit."""
        if u.words is None:
            u.words = frozenset(
                w
                for w in _WORD.findall(self.folded, u.start, u.end)
                if len(w) >= 3 and not w.isdigit() and w not in _STOPWORDS
            )
        return u.words

    def raw(self, u: _Unit) -> str:
        return self.text[u.start : u.end]


def _overlap(words: frozenset[str], ref: frozenset[str]) -> float:
    return len(words & ref) / len(words) if words else 0.0


def _n_words(s: str) -> int:
    return len(s.split())


def _is_paragraph(s: str) -> bool:
    """Prose rather than a headline: ends with a period, or is long."""
    n = _n_words(s)
    return (n >= 8 and _ends_with_period(s)) or n >= 40


def _is_headline(s: str) -> bool:
    return not _ends_with_period(s) and _n_words(s) <= 30


def _carve(page: _Page, start: int, end: int, line: int, pieces: list[tuple[int, int, _Kind]]) -> list[_Unit]:
    """Split a line into units: the given pieces, and candidate text between them."""
    units: list[_Unit] = []
    pos = start
    for a, b, kind in [*pieces, (end, end, "cand")]:
        ga, gb = _trim(page.text, pos, a)
        if ga < gb:
            if _ALNUM.search(page.text, ga, gb):
                units.append(_Unit(ga, gb, "cand", line, line))
            elif units:
                units[-1].end = gb  # stray punctuation stays with the previous piece
            else:
                a = ga
        if a < b:
            units.append(_Unit(a, b, kind, line, line))
        pos = max(pos, b)
    return units


def _classify_line(page: _Page, lex: _Lexicon, start: int, end: int, line: int) -> list[_Unit]:
    text, folded = page.text, page.folded
    flat = _collapse(folded[start:end])
    key = _key(flat)
    unit = _Unit(start, end, "bp", line, line)
    if not _ALNUM.search(flat) or not key:
        return [unit]
    if key in lex.headings:
        unit.heading = True
        return [unit]
    if key in lex.exact or lex.captcha_re.fullmatch(key):
        return [unit]
    if key in lex.credits:
        unit.kind = "byline"
        return [unit]
    if end - start <= 150:
        names = _byline_names(page, start, end)
        if names:
            unit.kind, unit.names = "byline", tuple(names)
            return [unit]
    m = lex.teaser_prefix_re.match(key)
    if m is not None:
        unit.kind = "teaser" if m.group("rest") else "bp"
        unit.inline_teaser = unit.kind == "teaser"
        unit.heading = unit.kind == "bp"
        return [unit]
    if len(key) <= PREFIX_MAX_CHARS and (lex.prefix_re.match(key) or lex.line_re.fullmatch(key)):
        unit.meta = lex.line_re.fullmatch(key) is not None
        return [unit]

    pieces: list[tuple[int, int, _Kind]] = []
    if lex.phrase_re.search(folded, start, end):
        hits = [
            s for s in split_sentences(text, start, end) if lex.phrase_re.search(_collapse(folded[s.start : s.end]))
        ]
        if not hits or sum(s.end - s.start for s in hits) * 2 >= end - start:
            return [unit]
        for s in hits:
            if pieces and not _ALNUM.search(text, pieces[-1][1], s.start):
                pieces[-1] = (pieces[-1][0], s.end, "bp")
            else:
                pieces.append((s.start, s.end, "bp"))
    for m in lex.paren_teaser_re.finditer(folded, start, end):
        if not any(a < m.end() and m.start() < b for a, b, _ in pieces):
            pieces.append((m.start(), m.end(), "teaser"))
    if pieces:
        pieces.sort()
        return _carve(page, start, end, line, pieces)
    if _is_name_line(text[start:end]):
        unit.kind = "name"
        return [unit]
    unit.kind = "cand"
    return [unit]


def _units(page: _Page, lex: _Lexicon) -> list[_Unit]:
    text = page.text
    units: list[_Unit] = []
    pos, line = 0, 0
    for m in [*_LINE_BREAK.finditer(text), None]:
        stop = len(text) if m is None else m.start()
        a, b = _trim(text, pos, stop)
        if a < b:
            for u in _classify_line(page, lex, a, b, line):
                prev = units[-1] if units else None
                if (
                    u.kind == "cand"
                    and prev is not None
                    and prev.kind == "cand"
                    and prev.last_line + 1 == line
                    and u.start == a
                    and _continues(text, prev.end, u.start, prev.start, u.end)
                ):
                    prev.end, prev.last_line = u.end, line
                else:
                    units.append(u)
        if m is not None:
            pos, line = m.end(), line + 1
    return units


# --------------------------------------------------------------------------- structure


def _apply_layout(units: list[_Unit], layout: Sequence[tuple[int, int, str]]) -> None:
    """Units lying inside a range the page's markup labels: furniture or teasers (bylines stay bylines)."""
    spans: list[tuple[int, int, str]] = []
    for a, b, kind in sorted((a, b, k) for a, b, k in layout if k in ("boilerplate", "teaser") and a < b):
        if spans and spans[-1][2] == kind and a - spans[-1][1] <= 2:
            spans[-1] = (spans[-1][0], max(b, spans[-1][1]), kind)  # consecutive lines: a joined unit may span them
        else:
            spans.append((a, b, kind))
    starts = [a for a, _, _ in spans]
    for u in units:
        i = bisect.bisect_right(starts, u.start) - 1
        if i < 0 or u.end > spans[i][1] or u.kind == "byline":
            continue
        u.kind = "bp" if spans[i][2] == "boilerplate" else "teaser"
        u.heading = False


def _first_paragraph(page: _Page, units: list[_Unit]) -> int:
    cands = [i for i, u in enumerate(units) if u.kind == "cand"]
    for i in cands:
        if _is_paragraph(page.raw(units[i])):
            return i
    return next((i for i in cands if _n_words(page.raw(units[i])) >= 20), 0)


def _resolve_top_names(page: _Page, units: list[_Unit], first_para: int) -> None:
    """Name-only lines above the first paragraph: author bylines, or topic tags.

    A name that also occurs in the title or the lead is what the page is about (a tag such
    as "Elon Musk" above the author line), so it is boilerplate; any other is the author.
    """
    context = [u for u in units if u.kind == "cand"][:3]
    about = " " + " ".join(w for u in context for w in _WORD.findall(page.folded, u.start, u.end)) + " "
    for u in units[:first_para]:
        if u.kind != "name":
            continue
        if " " + " ".join(_WORD.findall(page.folded, u.start, u.end)) + " " in about:
            u.kind = "bp"
        else:
            u.kind, u.names = "byline", (page.raw(u),)


def _reference(page: _Page, units: list[_Unit]) -> tuple[int, frozenset[str]]:
    """End offset and content words of the first half of the body.

    The half is cut short at the first boilerplate or teaser line met after a fifth of the
    candidate text (at least 300 chars): on a page whose body is repeated, that line
    (a disclaimer, "Voir l'original") separates the first copy from the second.
    """
    cands = [u for u in units if u.kind == "cand"]
    total = sum(u.end - u.start for u in cands)
    if not total:
        return 0, frozenset()
    ref_end, seen = cands[-1].end, 0
    for u in cands:
        seen += u.end - u.start
        if seen * 2 >= total:
            ref_end = u.end
            break
    seen, floor = 0, max(300, total // 5)
    for u in units:
        if u.start >= ref_end:
            break
        if u.kind == "cand":
            seen += u.end - u.start
        elif u.kind in ("bp", "teaser") and not u.meta and seen >= floor:
            ref_end = u.start
            break
    words: set[str] = set()
    for u in cands:
        if u.start >= ref_end:
            break
        words |= page.words(u)
    return ref_end, frozenset(words)


def _is_body(page: _Page, u: _Unit, ref: frozenset[str]) -> bool:
    """A paragraph that clearly belongs to the article (shares its vocabulary)."""
    words = page.words(u)
    return _is_paragraph(page.raw(u)) and len(words) >= MIN_CONTENT_WORDS and _overlap(words, ref) >= BODY_MIN_OVERLAP


def _teaser_sections(page: _Page, units: list[_Unit], ref: frozenset[str]) -> None:
    """Lines after "Articles connexes" / "À lire aussi" are teasers until the article resumes.

    The section goes on over headline-like lines (no final period, however long: joined
    headlines), name and date lines, and excerpts: prose right under a teaser headline and
    followed by another item or the end of the page. It ends at other boilerplate, at a body
    paragraph sharing the article's vocabulary, or at prose followed by more prose (the
    article resuming after a mid-article "À lire aussi").
    """

    def significant(j: int, step: int) -> _Unit | None:
        while 0 <= j < len(units):
            if units[j].kind not in ("name", "byline") and not units[j].meta:
                return units[j]
            j += step
        return None

    i = 0
    while i < len(units):
        if not units[i].heading:
            i += 1
            continue
        j = i + 1
        while j < len(units):
            u = units[j]
            if u.kind == "cand":
                if _is_body(page, u, ref):
                    break
                if _ends_with_period(page.raw(u)):
                    above, below = significant(j - 1, -1), significant(j + 1, 1)
                    if above is None or above.kind != "teaser" or _ends_with_period(page.raw(above)):
                        break
                    if below is not None and below.kind == "cand" and _ends_with_period(page.raw(below)):
                        break
                u.kind = "teaser"
            elif u.kind == "name":
                u.kind, u.names = "byline", (page.raw(u),)
            elif u.kind == "bp" and not u.meta:
                break
            j += 1
        i = j


def _shingles(words: list[str]) -> list[int]:
    n = SHINGLE_SIZE
    return [hash(tuple(words[j : j + n])) for j in range(len(words) - n + 1)]


def _after_last_repeat(page: _Page, units: list[_Unit], run: list[int]) -> list[int]:
    """Cut a tail run (reverse order) at its last line that repeats earlier article text.

    A truncated second copy of the body ends without a period and looks like a headline,
    but it is a repeat (the de-duplication will label it), not a teaser.
    """
    if not run:
        return run
    earlier: set[int] = set()
    for u in units[: run[-1]]:
        if u.kind == "cand":
            earlier.update(_shingles(_WORD.findall(page.folded, u.start, u.end)))
    for k, i in enumerate(run):
        keys = _shingles(_WORD.findall(page.folded, units[i].start, units[i].end))
        if len(keys) > 1 and not _ends_terminal(page.raw(units[i])):
            keys.pop()  # its last word may be cut short
        if keys and sum(key in earlier for key in keys) >= DUP_COVERAGE * len(keys):
            return run[:k]
    return run


def _tail_teasers(page: _Page, units: list[_Unit], ref_end: int, ref: frozenset[str]) -> None:
    """Teasers of other articles at the end of the page.

    Walking back from the end over name/date/boilerplate lines, collect headline-like lines
    (no final period, <= 30 words) and the excerpts directly under them; stop at a body
    paragraph, at any other prose (a closing sentence of the article), or at the first half
    of the body. The lines must look like a list of links: separated by author, date or
    widget lines, or at least TEASER_MIN_LIST headlines in a row. Of what was collected,
    the longest final stretch whose content words overlap the first half of the body by
    less than TEASER_MAX_OVERLAP is about other things: teasers.
    """
    run: list[int] = []
    separated = False  # author/date/widget lines among or above the collected lines
    for i in range(len(units) - 1, -1, -1):
        u = units[i]
        if u.kind != "cand":
            separated = separated or bool(run)
            continue
        if u.start < ref_end or _is_body(page, u, ref):
            break
        if not _is_headline(page.raw(u)):
            # Prose belongs to the tail only as the excerpt under a teaser headline.
            above = next(
                (
                    units[k]
                    for k in range(i - 1, max(i - 8, -1), -1)
                    if units[k].kind not in ("name", "byline") and not units[k].meta
                ),
                None,
            )
            if above is None or above.kind != "cand" or not _is_headline(page.raw(above)):
                break
        run.append(i)
    run = _after_last_repeat(page, units, run)
    headlines = sum(_is_headline(page.raw(units[i])) for i in run)
    if not separated and headlines < TEASER_MIN_LIST:
        return  # a closing sub-heading and paragraph of the article itself
    union: set[str] = set()
    shared = 0
    cut: int | None = None
    for k, i in enumerate(run):  # run is in reverse document order
        for w in page.words(units[i]) - union:
            union.add(w)
            shared += w in ref
        if union and shared / len(union) < TEASER_MAX_OVERLAP:
            cut = k
    if cut is not None:
        for i in run[: cut + 1]:
            units[i].kind = "teaser"


def _resolve_other_names(page: _Page, units: list[_Unit]) -> None:
    """Remaining name-only lines: author credits next to teasers or closing the page."""

    # Nearest unit before/after each one that is not a name, byline or date line (linear).
    skip = [u.kind in ("name", "byline") or u.meta for u in units]
    before: list[_Unit | None] = []
    last: _Unit | None = None
    for u, skipped in zip(units, skip, strict=True):
        before.append(last)
        last = last if skipped else u
    after: list[_Unit | None] = [None] * len(units)
    last = None
    for i in range(len(units) - 1, -1, -1):
        after[i] = last
        last = last if skip[i] else units[i]

    last_text = max((i for i, u in enumerate(units) if u.kind in ("cand", "teaser")), default=-1)
    for i, u in enumerate(units):
        if u.kind != "name":
            continue
        if i > last_text or any(n is not None and n.kind == "teaser" for n in (before[i], after[i])):
            u.kind, u.names = "byline", (page.raw(u),)
        else:
            u.kind = "cand"


_VERBS_TEXT: Final = (
    "est sont a ont va vont fait font peut doit veut lance annonce prevoit devient reste "
    "rachete investit signe quitte rejoint dit affirme accuse"
)
_VERBS: Final = frozenset(_VERBS_TEXT.split())


def _mark_section_headings(page: _Page, units: list[_Unit], first_para: int) -> None:
    """Short verbless lines right above boilerplate (not a date line) or teasers head that block.

    ("Nos autres sujets" above a list of links, "Votre avis" above a comment form.)

    Not when what follows is a single inline "À lire aussi : …" line inside the article
    (then the short line is the article's own sub-heading).
    """
    for i in range(len(units) - 2, max(first_para, 0), -1):
        u, nxt = units[i], units[i + 1]
        if nxt.kind != "teaser" and (nxt.kind != "bp" or nxt.meta):
            continue
        # A teaser qualifies only as the first line of its block (the block's heading).
        if u.kind != "cand" and (u.kind != "teaser" or units[i - 1].kind == "teaser"):
            continue
        raw = page.raw(u)
        words = page.folded[u.start : u.end].split()
        if not (1 <= len(words) <= HEADING_MAX_WORDS) or _ends_terminal(raw) or _VERBS & set(words):
            continue
        if nxt.inline_teaser:
            after = units[i + 2] if i + 2 < len(units) else None
            if after is not None and after.kind == "cand":
                continue
        u.kind = "bp"


# --------------------------------------------------------------------------- duplicates


def _tokens(folded: str, s: Sentence) -> list[str]:
    return _WORD.findall(folded, s.start, s.end)


def _is_extension(short: list[str], long: list[str]) -> bool:
    """``long`` continues ``short``, whose last word may be cut ("socia" → "sociaux")."""
    n = len(short)
    if n == 0 or len(long) < n or long[: n - 1] != short[: n - 1]:
        return False
    if not long[n - 1].startswith(short[-1]):
        return False
    return len(long) > n or len(long[n - 1]) > len(short[-1])


def _contains(hay: list[str], needle: list[str]) -> bool:
    """``needle`` occurs as a run in ``hay`` (its last word possibly cut short)."""
    n = len(needle)
    for j in range(len(hay) - n + 1):
        if hay[j] == needle[0] and hay[j + 1 : j + n - 1] == needle[1:-1] and hay[j + n - 1].startswith(needle[-1]):
            return True
    return False


def _deduplicate(folded: str, sentences: list[Sentence]) -> tuple[list[bool], list[int]]:
    """Mark repeated sentences; returns (is_duplicate, index of the kept occurrence).

    Sentences are compared as folded word sequences (case, accents, quotes and spacing
    ignored): identical ones, truncated prefixes of earlier ones, or ones whose words are
    >= DUP_COVERAGE covered by word 5-grams already seen, repeat an earlier sentence (this
    absorbs re-wrapping, joined paragraphs and a truncated second copy). A later sentence
    that strictly extends an earlier one with mostly new words (the first copy was cut
    mid-sentence) takes its place. Sentences shorter than 5 words repeat if seen verbatim,
    or if seen inside an earlier sentence right after another repeat (a heading or bullet
    of a re-wrapped copy).
    """
    n = SHINGLE_SIZE
    dup = [False] * len(sentences)
    origin = list(range(len(sentences)))
    exact: dict[tuple[str, ...], int] = {}
    owners: dict[int, int] = {}  # shingle hash -> first sentence holding it
    starts: dict[int, list[int]] = {}  # hash of the first words -> sentences opening so
    toks: list[list[str]] = []

    for i, s in enumerate(sentences):
        words = _tokens(folded, s)
        toks.append(words)
        seen = exact.get(tuple(words))
        if seen is not None:
            dup[i], origin[i] = True, seen
            continue
        keys = _shingles(words)
        covered = [False] * len(words)
        first_owner = -1
        for j, k in enumerate(keys):
            owner = owners.get(k)
            if owner is not None:
                covered[j : j + n] = [True] * n
                if first_owner < 0:
                    first_owner = owner
        # The head excludes the last of n words, so a fragment cut inside its n-th word
        # still shares it with the full sentence.
        head = hash(tuple(words[: n - 1])) if len(words) >= n - 1 else None
        replaced = False
        for o in starts.get(head, []) if head is not None else []:
            if dup[o]:
                continue
            if _is_extension(words, toks[o]):  # a truncated repeat of an earlier sentence
                dup[i], origin[i] = True, o
                break
            if _is_extension(toks[o], words):
                tail = covered[len(toks[o]) :]
                if not tail or sum(tail) < EXTENSION_MAX_COVERED * len(tail):
                    dup[o], origin[o] = True, i  # the earlier copy was cut: keep this one
                    replaced = True
                    break
        if dup[i]:
            continue
        if not replaced and len(words) < n:
            # A short piece right after a repeat is looked up in what that repeat copies
            # (and the sentences around it): a re-wrapped copy splits sentences differently.
            near = origin[i - 1] if i > 0 and dup[i - 1] else -1
            found = next(
                (o for o in (near, near + 1, near - 1) if 0 <= o < i and _contains(toks[o], words)),
                None,
            )
            if found is not None:
                dup[i], origin[i] = True, found
                continue
        elif not replaced and sum(covered) >= DUP_COVERAGE * len(words):
            dup[i], origin[i] = True, first_owner
            continue
        exact.setdefault(tuple(words), i)
        for k in keys:
            owners.setdefault(k, i)
        if head is not None:
            bucket = starts.setdefault(head, [])
            if len(bucket) < MAX_SAME_OPENING:
                bucket.append(i)
    return dup, origin


# --------------------------------------------------------------------------- title


def _pick_title(
    page: _Page, units: list[_Unit], first_para: int, dup: dict[int, list[bool]], copies: set[int]
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
        return len(raw) < TITLE_MAX_CHARS and "\n" not in raw.strip() and not _ends_with_period(raw)

    first = cands[0]
    repeat = min((c for c in copies if c > first), default=None)
    if repeat is not None:
        k = repeat - 1
        if k > first and units[k].kind == "cand" and fresh(k) and headline(k):
            return k
    for i in cands:
        if i > first_para:
            break
        if _n_words(page.raw(units[i])) >= 3:
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

_KIND: Final[dict[_Kind, SegmentKind]] = {
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
    lex = _lexicon()
    page = _Page(text)
    units = _units(page, lex)
    if layout:
        _apply_layout(units, layout)
    first_para = _first_paragraph(page, units)
    _resolve_top_names(page, units, first_para)
    ref_end, ref = _reference(page, units)
    _teaser_sections(page, units, ref)
    ref_end, ref = _reference(page, units)
    _mark_section_headings(page, units, first_para)
    _tail_teasers(page, units, ref_end, ref)
    _resolve_other_names(page, units)
    _mark_section_headings(page, units, first_para)  # again, above teasers found in the tail

    flat: list[Sentence] = []
    owner: list[int] = []
    for i, u in enumerate(units):
        if u.kind == "cand":
            u.sents = split_sentences(text, u.start, u.end)
            flat.extend(u.sents)
            owner.extend([i] * len(u.sents))
    is_dup, origin = _deduplicate(page.folded, flat)
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
            if u.kind == "cand" and _n_words(page.raw(u)) < 3:
                u.kind = "bp"  # a rubric label ("Tech", "Intelligence artificielle") above the title

    segments: list[Segment] = []
    sentences: list[Sentence] = []
    names: dict[str, None] = {}
    for i, u in enumerate(units):
        if u.kind != "cand":
            segments.append(Segment(start=u.start, end=u.end, kind=_KIND[u.kind]))
            found = list(u.names)
            if u.kind == "teaser":
                credit = _TEASER_CREDIT.search(page.raw(u))
                found += [credit.group("name")] if credit else []
            names.update(dict.fromkeys(_collapse(n) for n in found))
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
                a, b = _trim(text, run_start, u.end if last else u.sents[k + 1].start)
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
