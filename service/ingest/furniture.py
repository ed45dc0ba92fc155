"""Page furniture: which lines of a scraped page are boilerplate, teasers or bylines.

:func:`label` cuts the page into units (a line, a piece of a line, or lines joined into
one paragraph) and labels each; what stays a candidate is article text (title, body or a
repeat, told apart by :mod:`service.ingest.clean`):

1. each line is classified on its own with the lexicon (boilerplate, teaser cues, bylines,
   dates, name-only lines); consecutive candidate lines that continue one another
   (the first ends with a connector, or the next starts lower-case) are joined;
2. name-only lines at the top become author bylines, or topic tags (boilerplate) when the
   name occurs in the title or lead;
3. teasers: lines after a teaser heading ("Articles connexes") and the page tail are
   tested for shape (headline-like lines, excerpts under them) and lexical overlap with
   the first half of the body.

The lexicon is data: seeds/knowledge/boilerplate.json. Thresholds are module constants
below; each says why it has its value.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import msgspec

from service.ingest.duplicates import DUP_COVERAGE, shingles
from service.ingest.sentences import (
    ALNUM,
    EMOJI_CLASS,
    LINE_BREAK,
    LOWER,
    UPPER,
    WORD,
    collapse,
    continues,
    ends_terminal,
    ends_with_period,
    fold,
    split_sentences,
    trim,
)
from service.ingest.types import Sentence

__all__ = ["TEASER_CREDIT", "Page", "Unit", "UnitKind", "label", "n_words"]

LEXICON_PATH: Final = Path(__file__).resolve().parents[2] / "seeds" / "knowledge" / "boilerplate.json"

# Share of a block's content words found in the first half of the body below which it is
# about something else: a tail of unrelated teasers scores ~0.1-0.2 as a whole, while a
# single paragraph of the article itself can score as low as ~0.15, hence the shape tests
# (headlines, author lines) that come first.
TEASER_MAX_OVERLAP: Final = 0.3
# Headline-like lines that make a list of links on their own, without author/date lines.
TEASER_MIN_LIST: Final = 3
# A paragraph sharing this much with the first half of the body is surely article text
# (a repeated copy scores ~1.0); below it, shape decides.
BODY_MIN_OVERLAP: Final = 0.4
# Minimum content words before the overlap of a block is trusted.
MIN_CONTENT_WORDS: Final = 5
# Section headings that introduce boilerplate have at most this many words.
HEADING_MAX_WORDS: Final = 6
# Short lines only are tested against line-start cues, so prose that happens to start with
# "Publié le ..." is not discarded.
PREFIX_MAX_CHARS: Final = 200


# --------------------------------------------------------------------------- lexicon

_KEY_LEAD: Final = re.compile(f"^[\\s•·*>»→▶►|=~_{EMOJI_CLASS}-]+")
_KEY_TRAIL: Final = re.compile(r"[\s:.!…»>→|*]+$")


def _key(folded: str) -> str:
    """Comparable form of a line for the lexicon: bullets and trailing punctuation dropped."""
    return _KEY_TRAIL.sub("", _KEY_LEAD.sub("", collapse(folded)))


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
        return [_key(fold(i)) for i in items]

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
        phrase_re=re.compile(_alternation(collapse(fold(p)) for p in raw.phrases)),
        teaser_prefix_re=re.compile(rf"(?:{prefixes})\s*(?:[:>»→|]|\s-+)\s*(?P<rest>.*)"),
        paren_teaser_re=re.compile(rf"\(\s*(?:{prefixes})\s*:[^()\n]*(?:\([^()\n]*\)[^()\n]*)*\)"),
        captcha_re=re.compile(rf"(?:combien (?:font|fait)\s+)?{number}(?:{operator}{number})+\s*=\s*\??"),
    )


# --------------------------------------------------------------------------- names

_NAME_WORD: Final = rf"(?:[{UPPER}]\.|[{UPPER}][{LOWER}]+(?:[{UPPER}][{LOWER}]+)?(?:[-'’][{UPPER}{LOWER}][{LOWER}]+)*)"
_PARTICLE: Final = r"(?:de|du|des|van|von|der|den|da|di|del|della|le|la|ben|bin|al|el|dos|das|y)"
_NAME: Final = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*(?:d['’]\s?)?{_NAME_WORD}){{1,3}}"
_NAME_RE: Final = re.compile(_NAME)
_NAME_SEP: Final = re.compile(r"\s*(?:,|&|\bet\b|\band\b)\s*")
_BYLINE_START: Final = re.compile(
    r"\(?\s*(?:(?:ecrit|redige|edite|texte|propos recueillis|reportage|traduit|verifie|avec)\s+)?(?:par|by)\s*:?\s+"
    r"|(?:publie|mis a jour|mise a jour|modifie|posted|published)\b.{0,80}?\b(?:par|by)\s+"
)
TEASER_CREDIT: Final = re.compile(rf"(?:^|[\s,?!.:;—–-])[Pp]ar\s+(?P<name>{_NAME})\s*$")
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
    words = fold(line).split()
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


def _byline_names(page: Page, start: int, end: int) -> list[str]:
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


# --------------------------------------------------------------------------- units

UnitKind = Literal["bp", "teaser", "byline", "name", "cand"]
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
class Unit:
    """A line, a piece of a line, or a paragraph of joined lines, and what it looks like."""

    start: int
    end: int
    kind: UnitKind
    first_line: int
    last_line: int
    heading: bool = False  # introduces a list of teasers ("Articles connexes")
    meta: bool = False  # a date, reading-time or counter line, which teaser lists interleave
    inline_teaser: bool = False  # "À lire aussi : <headline>"
    names: tuple[str, ...] = ()
    words: frozenset[str] | None = None
    sents: list[Sentence] = field(default_factory=list)


class Page:
    """The text, its fold and cached per-unit facts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)

    def words(self, u: Unit) -> frozenset[str]:
        """Content words (folded, >= 3 letters, not stop words) of a unit."""
        if u.words is None:
            u.words = frozenset(
                w
                for w in WORD.findall(self.folded, u.start, u.end)
                if len(w) >= 3 and not w.isdigit() and w not in _STOPWORDS
            )
        return u.words

    def raw(self, u: Unit) -> str:
        return self.text[u.start : u.end]


def _overlap(words: frozenset[str], ref: frozenset[str]) -> float:
    return len(words & ref) / len(words) if words else 0.0


def n_words(s: str) -> int:
    return len(s.split())


def _is_paragraph(s: str) -> bool:
    """Prose rather than a headline: ends with a period, or is long."""
    n = n_words(s)
    return (n >= 8 and ends_with_period(s)) or n >= 40


def _is_headline(s: str) -> bool:
    return not ends_with_period(s) and n_words(s) <= 30


def _carve(page: Page, start: int, end: int, line: int, pieces: list[tuple[int, int, UnitKind]]) -> list[Unit]:
    """Split a line into units: the given pieces, and candidate text between them."""
    units: list[Unit] = []
    pos = start
    for a, b, kind in [*pieces, (end, end, "cand")]:
        ga, gb = trim(page.text, pos, a)
        if ga < gb:
            if ALNUM.search(page.text, ga, gb):
                units.append(Unit(ga, gb, "cand", line, line))
            elif units:
                units[-1].end = gb  # stray punctuation stays with the previous piece
            else:
                a = ga
        if a < b:
            units.append(Unit(a, b, kind, line, line))
        pos = max(pos, b)
    return units


def _classify_line(page: Page, lex: _Lexicon, start: int, end: int, line: int) -> list[Unit]:
    text, folded = page.text, page.folded
    flat = collapse(folded[start:end])
    key = _key(flat)
    unit = Unit(start, end, "bp", line, line)
    if not ALNUM.search(flat) or not key:
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

    pieces: list[tuple[int, int, UnitKind]] = []
    if lex.phrase_re.search(folded, start, end):
        hits = [s for s in split_sentences(text, start, end) if lex.phrase_re.search(collapse(folded[s.start : s.end]))]
        if not hits or sum(s.end - s.start for s in hits) * 2 >= end - start:
            return [unit]
        for s in hits:
            if pieces and not ALNUM.search(text, pieces[-1][1], s.start):
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


def _units(page: Page, lex: _Lexicon) -> list[Unit]:
    text = page.text
    units: list[Unit] = []
    pos, line = 0, 0
    for m in [*LINE_BREAK.finditer(text), None]:
        stop = len(text) if m is None else m.start()
        a, b = trim(text, pos, stop)
        if a < b:
            for u in _classify_line(page, lex, a, b, line):
                prev = units[-1] if units else None
                if (
                    u.kind == "cand"
                    and prev is not None
                    and prev.kind == "cand"
                    and prev.last_line + 1 == line
                    and u.start == a
                    and continues(text, prev.end, u.start, prev.start, u.end)
                ):
                    prev.end, prev.last_line = u.end, line
                else:
                    units.append(u)
        if m is not None:
            pos, line = m.end(), line + 1
    return units


# --------------------------------------------------------------------------- structure


def _apply_layout(units: list[Unit], layout: Sequence[tuple[int, int, str]]) -> None:
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


def _first_paragraph(page: Page, units: list[Unit]) -> int:
    cands = [i for i, u in enumerate(units) if u.kind == "cand"]
    for i in cands:
        if _is_paragraph(page.raw(units[i])):
            return i
    return next((i for i in cands if n_words(page.raw(units[i])) >= 20), 0)


def _resolve_top_names(page: Page, units: list[Unit], first_para: int) -> None:
    """Name-only lines above the first paragraph: author bylines, or topic tags.

    A name that also occurs in the title or the lead is what the page is about (a tag such
    as "Elon Musk" above the author line), so it is boilerplate; any other is the author.
    """
    context = [u for u in units if u.kind == "cand"][:3]
    about = " " + " ".join(w for u in context for w in WORD.findall(page.folded, u.start, u.end)) + " "
    for u in units[:first_para]:
        if u.kind != "name":
            continue
        if " " + " ".join(WORD.findall(page.folded, u.start, u.end)) + " " in about:
            u.kind = "bp"
        else:
            u.kind, u.names = "byline", (page.raw(u),)


def _reference(page: Page, units: list[Unit]) -> tuple[int, frozenset[str]]:
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


def _is_body(page: Page, u: Unit, ref: frozenset[str]) -> bool:
    """A paragraph that clearly belongs to the article (shares its vocabulary)."""
    words = page.words(u)
    return _is_paragraph(page.raw(u)) and len(words) >= MIN_CONTENT_WORDS and _overlap(words, ref) >= BODY_MIN_OVERLAP


def _teaser_sections(page: Page, units: list[Unit], ref: frozenset[str]) -> None:
    """Lines after "Articles connexes" / "À lire aussi" are teasers until the article resumes.

    The section goes on over headline-like lines (no final period, however long: joined
    headlines), name and date lines, and excerpts: prose right under a teaser headline and
    followed by another item or the end of the page. It ends at other boilerplate, at a body
    paragraph sharing the article's vocabulary, or at prose followed by more prose (the
    article resuming after a mid-article "À lire aussi").
    """

    def significant(j: int, step: int) -> Unit | None:
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
                if ends_with_period(page.raw(u)):
                    above, below = significant(j - 1, -1), significant(j + 1, 1)
                    if above is None or above.kind != "teaser" or ends_with_period(page.raw(above)):
                        break
                    if below is not None and below.kind == "cand" and ends_with_period(page.raw(below)):
                        break
                u.kind = "teaser"
            elif u.kind == "name":
                u.kind, u.names = "byline", (page.raw(u),)
            elif u.kind == "bp" and not u.meta:
                break
            j += 1
        i = j


def _after_last_repeat(page: Page, units: list[Unit], run: list[int]) -> list[int]:
    """Cut a tail run (reverse order) at its last line that repeats earlier article text.

    A truncated second copy of the body ends without a period and looks like a headline,
    but it is a repeat (the de-duplication will label it), not a teaser.
    """
    if not run:
        return run
    earlier: set[int] = set()
    for u in units[: run[-1]]:
        if u.kind == "cand":
            earlier.update(shingles(WORD.findall(page.folded, u.start, u.end)))
    for k, i in enumerate(run):
        keys = shingles(WORD.findall(page.folded, units[i].start, units[i].end))
        if len(keys) > 1 and not ends_terminal(page.raw(units[i])):
            keys.pop()  # its last word may be cut short
        if keys and sum(key in earlier for key in keys) >= DUP_COVERAGE * len(keys):
            return run[:k]
    return run


def _tail_teasers(page: Page, units: list[Unit], ref_end: int, ref: frozenset[str]) -> None:
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


def _resolve_other_names(page: Page, units: list[Unit]) -> None:
    """Remaining name-only lines: author credits next to teasers or closing the page."""

    # Nearest unit before/after each one that is not a name, byline or date line (linear).
    skip = [u.kind in ("name", "byline") or u.meta for u in units]
    before: list[Unit | None] = []
    last: Unit | None = None
    for u, skipped in zip(units, skip, strict=True):
        before.append(last)
        last = last if skipped else u
    after: list[Unit | None] = [None] * len(units)
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


def _mark_section_headings(page: Page, units: list[Unit], first_para: int) -> None:
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
        if not (1 <= len(words) <= HEADING_MAX_WORDS) or ends_terminal(raw) or _VERBS & set(words):
            continue
        if nxt.inline_teaser:
            after = units[i + 2] if i + 2 < len(units) else None
            if after is not None and after.kind == "cand":
                continue
        u.kind = "bp"


# --------------------------------------------------------------------------- entry point


def label(text: str, layout: Sequence[tuple[int, int, str]] = ()) -> tuple[Page, list[Unit], int]:
    """Cut a page into units and label each as boilerplate, teaser, byline or candidate text.

    ``layout``: ``(start, end, kind)`` ranges the file format itself marks as ``boilerplate`` or
    ``teaser``; units inside them are labelled so before any guess. Returns the page, its units
    in text order and the index of the unit holding the first paragraph.
    """
    lex = _lexicon()
    page = Page(text)
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
    return page, units, first_para
