"""French money-amount grammar: find amounts and convert them to USD (what they pay for is
:mod:`money_kinds`).

Pure functions over the verbatim article text. Offsets are Python ``str`` indices into the
text given, so ``text[m.start:m.end] == m.text`` for every mention returned.

Rules a caller must know:

* **Billion.** French ``billion`` is 10^12 and English ``billion`` is 10^9. A ``billion`` is read
  English when the phrasing is English: a currency symbol/code before the number (``$5 billion``),
  the abbreviation ``bn``/``B``, or the singular ``billion`` not followed by ``de``/``d’``
  (``5 billion dollars``). Otherwise (``38 billions de dollars``, ``1 billion d’euros``) it is
  French. ``trillion`` is always 10^12: a French trillion (10^18) is never a real amount of money,
  so the word can only be a calque of the English one.
* **Currency inheritance.** An amount written without a currency (``1 500 millions``) takes the
  currency of the nearest amount with an explicit currency in the same sentence (earlier ones
  first), else of the last such amount in the preceding sentence of the same paragraph. If none
  exists it keeps ``currency=None`` and is only reported when the sentence talks about money
  (``levé``, ``investi``, ``fonds``, ``montant``...). A currency counts only when attached to the
  amount: in ``12 milliards, puis ... de dollars`` the ``de dollars`` is not attached.
* **Scale word + ``de`` + noun** that is neither a currency nor a money noun
  (``300 millions d’utilisateurs``) is a count, not money.
* **Vague amounts** (``plusieurs milliards de dollars``) have ``amount=None`` and qualifier
  ``about``; ``une dizaine de milliards`` is ``1e10`` ``about``.
* **Equivalents.** A conversion in parentheses right after an amount, or ``, soit ...`` with an
  explicit currency, is an :class:`Equivalent` of that mention; the mention's end covers it.
* ``¥`` is read as JPY. Currencies outside the FX table (HKD, SGD, ...) are recognised but
  :func:`to_usd` returns ``(None, None)`` for them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Final

from service.ingest.types import Equivalent, MoneyMention, Qualifier

__all__ = ["FX_PATH", "find_money", "to_usd"]

FX_PATH: Final = Path(__file__).resolve().parents[2] / "seeds" / "knowledge" / "fx.json"

# Horizontal whitespace only: an amount never spans a line break. Covers U+00A0, U+202F
# (narrow no-break space, the French thousands separator) and U+2009 (thin space).
_WS: Final = r"[ \t\u00a0\u202f\u2009]"
_APOS: Final = r"['’ʼ]"
_DE: Final = rf"(?:de{_WS}+|d{_APOS}{_WS}?)"

# ---------------------------------------------------------------------------------------------
# Numbers

# Thousands groups separated by a space-like character or a dot ("1.500"); a dot followed by
# other than exactly three digits is a decimal point ("$1.5 billion"). The look-behind keeps
# model names (GPT-4), codes (A380) and the tails of larger numbers out.
_RANGE_DASH_RE: Final = re.compile(r"[^\S\r\n]?[-–][^\S\r\n]?(?=\d)")
_RANGE_UPPER_RE: Final = re.compile(r"(?P<int>\d+)(?:[,.](?P<frac>\d+))?")
_NUM_RE: Final = re.compile(rf"(?<![\w.,/-])(?P<int>\d{{1,3}}(?:(?:{_WS}|\.)\d{{3}})+(?!\d)|\d+)(?:[,.](?P<frac>\d+))?")
_INT_SEPARATORS_RE: Final = re.compile(rf"(?:{_WS}|\.)")

_UNITS: Final = {
    "un": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
}
_TEENS_AND_TENS: Final = {
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "cent": 100,
}
_TENS: Final = "vingt|trente|quarante|cinquante|soixante"
_UNIT_WORDS: Final = "|".join(_UNITS)
_WORD_NUM_RE: Final = re.compile(
    rf"(?<![\w-])(?:(?P<half>un{_WS}+demi(?:-|{_WS}+))"
    rf"|(?:(?P<tens>{_TENS})(?:-et-|-)(?P<unit>{_UNIT_WORDS})"
    rf"|(?P<word>{_UNIT_WORDS}|{'|'.join(_TEENS_AND_TENS)}))(?![\w]))",
    re.IGNORECASE,
)
# "une dizaine de milliards" is an approximate but usable number.
_APPROX_COUNTS: Final = {
    "dizaine": 10,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "centaine": 100,
}
_APPROX_RE: Final = re.compile(rf"(?<![\w-])une{_WS}+(?P<n>{'|'.join(_APPROX_COUNTS)}){_WS}+{_DE}", re.IGNORECASE)
_VAGUE_RE: Final = re.compile(
    rf"(?<![\w-])(?:plusieurs|quelques|des|de{_WS}+nombreux)"
    rf"(?:{_WS}+(?:dizaines|centaines|milliers){_WS}+{_DE})?",
    re.IGNORECASE,
)

# ---------------------------------------------------------------------------------------------
# Scales

_SCALE_WORD_RE: Final = re.compile(
    rf"{_WS}*(?P<w>mille|millions?|milliards?|billions?|trillions?)(?![\w-])"
    rf"(?P<half>{_WS}+et{_WS}+demie?(?![\w-]))?",
    re.IGNORECASE,
)
_SCALE_WORDS: Final = {
    "mille": 10**3,
    "million": 10**6,
    "milliard": 10**9,
    "trillion": 10**12,
}
# Abbreviations are only trusted next to a currency ("2,5 M€", "4 Mds $", "$5bn").
_SCALE_ABBR_RE: Final = re.compile(
    rf"{_WS}?(?P<a>Mrds|Mrd|Mds|Md|Mio|Mn|M|mds|md|mn|m|bn|Bn|B|k|K)"
    r"(?:(?![A-Za-zÀ-ÿ])|(?=(?:USD|EUR|GBP|CHF|JPY|CNY|CAD|AUD|KRW|INR)(?![A-Za-z])))"
)
_SCALE_ABBRS: Final = {
    "k": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "mio": 10**6,
    "md": 10**9,
    "mds": 10**9,
    "mrd": 10**9,
    "mrds": 10**9,
    "bn": 10**9,
    "b": 10**9,
}

# ---------------------------------------------------------------------------------------------
# Currencies (group names are ISO codes; a "_n" suffix only makes names unique)

_CURRENCY_WORD_RE: Final = re.compile(
    rf"(?:(?P<CAD>dollars?{_WS}+canadiens?)"
    rf"|(?P<AUD>dollars?{_WS}+australiens?)"
    rf"|(?P<HKD>dollars?{_WS}+(?:de{_WS}+Hong[{_WS[1:-1]}-]?Kong|hongkongais))"
    rf"|(?P<SGD>dollars?{_WS}+(?:de{_WS}+Singapour|singapouriens?))"
    rf"|(?P<TWD>dollars?{_WS}+(?:taïwanais|de{_WS}+Taïwan))"
    rf"|(?P<NZD>dollars?{_WS}+néo-zélandais)"
    rf"|(?P<USD>dollars?(?:{_WS}+(?:américains?|US(?![A-Za-z])|des{_WS}+États-Unis))?)"
    rf"|(?P<EUR>euros?)"
    rf"|(?P<GBP>livres?{_WS}+sterling|livres?(?:{_WS}+britanniques?)?|sterling)"
    rf"|(?P<CHF>francs?{_WS}+suisses?)"
    rf"|(?P<JPY>yens?(?:{_WS}+japonais)?)"
    rf"|(?P<CNY>yuans?(?:{_WS}+(?:renminbi|chinois))?|renminbis?)"
    rf"|(?P<KRW>wons?(?:{_WS}+(?:sud-)?coréens?)?)"
    rf"|(?P<INR>roupies?(?:{_WS}+indiennes?)?))(?![\w-])",
    re.IGNORECASE,
)
_SYMBOL_PATTERN: Final = (
    rf"(?:(?P<USD_1>US{_WS}?\$|\$(?:{_WS}?US(?![A-Za-z]))?)"
    r"|(?<![A-Za-z])(?:(?P<CAD>CA?\$)|(?P<AUD>AU?\$)|(?P<HKD>HK\$)|(?P<SGD>S\$))"
    r"|(?P<EUR>€)|(?P<GBP>£)|(?P<JPY>[¥￥]))"
)
_CODE_PATTERN: Final = (
    r"(?<![A-Za-z])(?:(?P<USD>USD)|(?P<EUR>EUR)|(?P<GBP>GBP)|(?P<CHF>CHF)|(?P<JPY>JPY)"
    r"|(?P<CNY>CNY|RMB)|(?P<CAD>CAD)|(?P<AUD>AUD)|(?P<KRW>KRW)|(?P<INR>INR)|(?P<HKD>HKD)"
    r"|(?P<SGD>SGD))(?![A-Za-z])"
)
_SYMBOL_RE: Final = re.compile(_SYMBOL_PATTERN)
_CODE_RE: Final = re.compile(_CODE_PATTERN)
_CODE_GLUED_RE: Final = re.compile(_CODE_PATTERN.removeprefix("(?<![A-Za-z])"))  # "5 MUSD"
# Group names get a one-letter prefix so symbol and code groups stay distinct.
_PREFIX_CURRENCY_RE: Final = re.compile(
    rf"(?:{_SYMBOL_PATTERN.replace('(?P<', '(?P<s')}|{_CODE_PATTERN.replace('(?P<', '(?P<c')})"
    rf"{_WS}?(?=\d)"
)
_SYMBOL_LEAD_RE: Final = {
    "abbr": re.compile(rf"{_WS}?"),
    "word": re.compile(rf"(?:{_WS}+de)?{_WS}*"),
    "none": re.compile(rf"{_WS}*"),
}
_WORD_JOINERS: Final = {
    "word": ((re.compile(rf"{_WS}+{_DE}"), True), (re.compile(rf"{_WS}+"), False)),
    "none": ((re.compile(rf"{_WS}+"), False),),
}
_STERLING_RE: Final = re.compile(r"sterling|brit", re.IGNORECASE)

# Where an amount may begin: a digit, a currency before a digit, or a number word.
_START_RE: Final = re.compile(
    rf"(?<![\w.,/-])\d|[$€£¥￥]|(?-i:(?<![A-Za-z])[A-Z]{{1,3}}(?=\$|{_WS}?\d))"
    rf"|(?<![\w-])(?:{_UNIT_WORDS}|{'|'.join(_TEENS_AND_TENS)}|une|plusieurs|quelques|des|de)(?![\w])",
    re.IGNORECASE,
)

# After "12 milliards de|d’": nouns that keep the amount a money amount ("de chiffre d'affaires").
_MONEY_NOUNS: Final = frozenset(
    {
        "chiffre",
        "chiffres",
        "ca",
        "revenu",
        "revenus",
        "recettes",
        "ventes",
        "bénéfice",
        "bénéfices",
        "perte",
        "pertes",
        "financement",
        "financements",
        "investissement",
        "investissements",
        "dépenses",
        "capital",
        "capitaux",
        "levée",
        "fonds",
        "dette",
        "dettes",
        "budget",
        "valorisation",
        "capitalisation",
        "crédit",
        "crédits",
        "prêt",
        "prêts",
        "subventions",
        "plus",
    }
)
_NOUN_AFTER_RE: Final = re.compile(rf"{_WS}+{_DE}(?P<noun>[\w-]+)")

# ---------------------------------------------------------------------------------------------
# Qualifiers and the words around an amount

_QUALIFIER_RE: Final = re.compile(
    rf"(?<![\w-])(?:"
    rf"(?P<up_to>jusqu{_APOS}{_WS}?(?:à|a)(?:{_WS}+hauteur{_WS}+{_DE})?|au{_WS}+(?:maximum|plus)"
    rf"|pas{_WS}+plus{_WS}+{_DE}|pouvant{_WS}+atteindre|plafonnée?s?{_WS}+à)"
    rf"|(?P<more_than>(?:bien{_WS}+|un{_WS}+peu{_WS}+)?plus{_WS}+{_DE}|au{_WS}+(?:moins|minimum)"
    rf"|au-delà{_WS}+{_DE}|sup[ée]rieure?s?{_WS}+à"
    # "dépassait 18 milliards", "a dépassé les 10 milliards", "franchi la barre des 100 milliards"
    rf"|(?:(?:dépass|excéd)(?:e|es|ent|ait|aient|ant|é|ée|er|era|eront|erait|eraient)|franchi|franchit)"
    rf"(?:{_WS}+(?:les?|la{_WS}+barre{_WS}+des?|le{_WS}+cap{_WS}+des?|le{_WS}+seuil{_WS}+des?))?)"
    rf"|(?P<less_than>(?:bien{_WS}+|un{_WS}+peu{_WS}+)?moins{_WS}+{_DE}|à{_WS}+peine"
    rf"|inf[ée]rieure?s?{_WS}+à)"
    rf"|(?P<about>(?:à{_WS}+)?peu{_WS}+près|près{_WS}+{_DE}|environ|quelque(?![\w])"
    rf"|autour{_WS}+{_DE}|aux{_WS}+alentours{_WS}+{_DE}|de{_WS}+l{_APOS}ordre{_WS}+{_DE}"
    rf"|approximativement|presque|quasiment|env\.|~|≈)"
    rf"){_WS}*\Z",
    re.IGNORECASE,
)
# "un montant de" between a qualifier and the number ("jusqu'à un montant de 5 M€").
_MONTANT_RE: Final = re.compile(
    rf"(?<![\w-])(?:(?:un|le){_WS}+)?montant(?:{_WS}+(?:total|global))?(?:{_WS}+{_DE})?{_WS}*\Z",
    re.IGNORECASE,
)
_QUALIFIER_WINDOW: Final = 60

_EQ_PAREN_OPEN_RE: Final = re.compile(
    rf"{_WS}*(?:(?:supplémentaires|additionnels|de{_WS}+plus){_WS}*)?\({_WS}*"
    rf"(?:(?:soit|environ|près{_WS}+{_DE}|quelque|~|≈|env\.|l['’]{_WS}?équivalent{_WS}+{_DE}|"
    rf"(?:un{_WS}+peu{_WS}+)?(?:plus|moins){_WS}+{_DE}|autour{_WS}+{_DE}|presque){_WS}*){{0,2}}",
    re.IGNORECASE,
)
_EQ_PAREN_SEP_RE: Final = re.compile(rf"{_WS}*(?:[,;/]|{_WS}ou{_WS}|{_WS}soit{_WS}){_WS}*")
_EQ_PAREN_CLOSE_RE: Final = re.compile(rf"{_WS}*\)")
_EQ_DISTANT_MAX: Final = 80
_EQ_DISTANT_SOIT_RE: Final = re.compile(
    rf"[^.;:!?()\n\d]{{1,{_EQ_DISTANT_MAX}}}?,{_WS}*(?P<soit>soit){_WS}+"
    rf"(?:(?:environ|près{_WS}+{_DE}|quelque|approximativement|~){_WS}*)?",
    re.IGNORECASE,
)
_START_DIGIT_RE: Final = re.compile(r"\d")
# One way to split the blanks around the comma: "{_WS}*,?{_WS}*" could split a run of blanks
# anywhere, and tried every split before failing (quadratic in the run's length).
_EQ_SOIT_RE: Final = re.compile(
    rf"{_WS}*(?:,{_WS}*)?soit{_WS}+(?:(?:environ|près{_WS}+{_DE}|quelque|approximativement|~){_WS}*)?",
    re.IGNORECASE,
)

# ---------------------------------------------------------------------------------------------
# Sentences (only what currency inheritance needs: paragraph = line, sentence = up to . ! ? …)

# Matched only from the first mark of a run, so a run of dots is not rescanned from each of its marks.
_SENTENCE_END_RE: Final = re.compile(rf"(?<![.!?…])[.!?…]+[»\"”’)\]]*{_WS}+(?=[«\"“(\[A-ZÀ-ÖØ-Þ0-9])")
_ABBREVIATION_BEFORE_DOT_RE: Final = re.compile(r"(?<!\w)(?:[A-Z]|M|MM|Mme|Mmes|Dr|St|av|cf)\Z")

# A sentence is "about money" when one of these appears; decides whether a currency-less
# amount with nothing to inherit from is reported at all.
_MONEY_CONTEXT_RE: Final = re.compile(
    r"(?<![\w-])(?:l[eè]v[éèea]\w*|investi\w*|valoris\w*|fonds|financ\w*|montant\w*|budget\w*"
    r"|chiffres?\s+d['’ʼ]affaires|revenus?|recettes|rach[aeè]t\w*|acqu[éiî]\w*|offre\w*|capital"
    r"|valeur|co[uû]t\w*|dépens\w*|dettes?|contrats?|bénéfices?|pertes?|prix|pay[ée]\w*|vers[ée]\w*"
    r"|subvention\w*|emprunt\w*|dollars?|euros?|€|\$|£)(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Amount:
    """An amount as written, without qualifier or equivalents."""

    start: int
    end: int
    value: Decimal | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    core: _Amount
    qualifier: Qualifier
    equivalents: tuple[Equivalent, ...]


def _group_currency(match: re.Match[str]) -> str:
    code = (match.lastgroup or "").split("_")[0][-3:]
    return "CNY" if code == "RMB" else code


def _parse_number(match: re.Match[str]) -> Decimal:
    integer = _INT_SEPARATORS_RE.sub("", match.group("int"))
    frac = match.group("frac")
    return Decimal(f"{integer}.{frac}") if frac else Decimal(integer)


def _word_number(match: re.Match[str]) -> Decimal:
    if match.group("half"):
        return Decimal("0.5")
    if match.group("tens"):
        return Decimal(_TEENS_AND_TENS[match.group("tens").lower()] + _UNITS[match.group("unit").lower()])
    word = match.group("word").lower()
    return Decimal(_UNITS.get(word) or _TEENS_AND_TENS[word])


def _suffix_currency(text: str, pos: int, hi: int, after: str) -> tuple[str | None, int, bool, bool]:
    """Currency written after the number/scale: (code, end, joined by de/d’, is bare "livres")."""
    # Symbols: "30 milliards $", "30 milliards de $", "500 €", "2,5 M€".
    lead = _SYMBOL_LEAD_RE[after].match(text, pos, hi)
    p = lead.end() if lead else pos
    if sm := _SYMBOL_RE.match(text, p, hi):
        return _group_currency(sm), sm.end(), False, False
    # Codes need a space, except glued to an abbreviation ("5 MUSD").
    code_re = _CODE_GLUED_RE if after == "abbr" else _CODE_RE
    if (cm := code_re.match(text, p, hi)) and (p > pos or after == "abbr"):
        return _group_currency(cm), cm.end(), False, False
    # Words: "de dollars", "d’euros" after a scale word; "500 000 dollars", "5 billion dollars".
    for joiner, via_de in _WORD_JOINERS.get(after, ()):
        jm = joiner.match(text, pos, hi)
        if jm and (wm := _CURRENCY_WORD_RE.match(text, jm.end(), hi)):
            bare_livres = wm.lastgroup == "GBP" and not _STERLING_RE.search(wm.group())
            return _group_currency(wm), wm.end(), via_de, bare_livres
    return None, pos, False, False


def _parse_amount(text: str, pos: int, hi: int) -> _Amount | None:
    """Parse one amount starting exactly at ``pos``; ``None`` when there is none."""
    p = pos
    prefix: str | None = None
    pm = _PREFIX_CURRENCY_RE.match(text, p, hi)
    if pm:
        prefix = _group_currency(pm)
        p = pm.end()

    number: Decimal | None
    kind: str
    if nm := _NUM_RE.match(text, p, hi):
        number, kind, p = _parse_number(nm), "digits", nm.end()
        # "250-300 millions": a range written with a dash counts as its upper bound
        if (dash := _RANGE_DASH_RE.match(text, p, hi)) and (upper := _RANGE_UPPER_RE.match(text, dash.end(), hi)):
            number, p = _parse_number(upper), upper.end()
    elif prefix is not None:
        return None
    elif am := _APPROX_RE.match(text, p, hi):
        number, kind, p = Decimal(_APPROX_COUNTS[am.group("n").lower()]), "approx", am.end()
    elif wm := _WORD_NUM_RE.match(text, p, hi):
        number, kind, p = _word_number(wm), "words", wm.end()
    elif vm := _VAGUE_RE.match(text, p, hi):
        number, kind, p = None, "vague", vm.end()
    else:
        return None

    scale_word: str | None = None
    scale: int | None = None
    half = False
    after = "none"
    if sm := _SCALE_WORD_RE.match(text, p, hi):
        scale_word = sm.group("w").lower().rstrip("s")
        half = sm.group("half") is not None
        after, p = "word", sm.end()
    elif kind == "digits" and (ab := _SCALE_ABBR_RE.match(text, p, hi)):
        scale = _SCALE_ABBRS[ab.group("a").lower()]
        p_abbr = ab.end()
        if prefix is None:
            cur, cur_end, _, _ = _suffix_currency(text, p_abbr, hi, "abbr")
            if cur is None:
                return None  # a lone "M"/"k" after a number is not a scale we trust
            return _Amount(pos, cur_end, _scaled(number, scale, half=False), cur)
        return _Amount(pos, p_abbr, _scaled(number, scale, half=False), prefix)
    if kind != "digits" and scale_word is None:
        return None  # "deux satellites", "des entreprises": no scale, not money

    currency = prefix
    via_de = False
    if prefix is None:
        currency, cur_end, via_de, bare_livres = _suffix_currency(text, p, hi, after)
        if bare_livres and scale_word is None:
            currency = None  # "500 livres" are books; "2 milliards de livres" are pounds
        elif currency is not None:
            p = cur_end
    if currency is None:
        if scale_word is None:
            return None
        nn = _NOUN_AFTER_RE.match(text, p, hi)
        if nn and nn.group("noun").lower() not in _MONEY_NOUNS and not _giver(nn.group("noun")):
            return None  # "300 millions d'utilisateurs": a count

    if scale_word is not None:
        if scale_word == "billion":
            english = prefix is not None or (sm is not None and sm.group("w").lower() == "billion" and not via_de)
            scale = 10**9 if english else 10**12
        else:
            scale = _SCALE_WORDS[scale_word]
    return _Amount(pos, p, _scaled(number, scale, half=half), currency)


def _giver(word: str) -> bool:
    """ "100 millions de Xavier Niel", "50 millions d'Amazon": a name after the amount says who
    gives it (its currency then comes from the sentence). A capitalised plural ("millions
    d'Américains") still counts people."""
    return word[:1].isupper() and not word.endswith("s")


def _scaled(number: Decimal | None, scale: int | None, *, half: bool) -> Decimal | None:
    if number is None:
        return None
    if half:
        number += Decimal("0.5")
    return number * scale if scale is not None else number


def _qualify(text: str, core_start: int, lo: int) -> tuple[Qualifier, int]:
    """Qualifier words right before the amount, and where the quote should start."""
    window_lo = max(lo, core_start - _QUALIFIER_WINDOW, text.rfind("\n", 0, core_start) + 1)
    qm = _QUALIFIER_RE.search(text, window_lo, core_start)
    if qm:
        return _qualifier_name(qm), qm.start()
    mm = _MONTANT_RE.search(text, window_lo, core_start)
    if mm:
        qm = _QUALIFIER_RE.search(text, window_lo, mm.start())
        if qm:
            return _qualifier_name(qm), qm.start()
    return "exact", core_start


def _qualifier_name(match: re.Match[str]) -> Qualifier:
    name = match.lastgroup
    if name == "up_to":
        return "up_to"
    if name == "more_than":
        return "more_than"
    if name == "less_than":
        return "less_than"
    return "about"


def _equivalents(text: str, main: _Amount, hi: int) -> tuple[tuple[Equivalent, ...], int]:
    """Conversions written right after ``main``; returns them and the new end of the quote."""
    om = _EQ_PAREN_OPEN_RE.match(text, main.end, hi)
    if om:
        found: list[Equivalent] = []
        p = om.end()
        while (eq := _parse_amount(text, p, hi)) is not None:
            currency = eq.currency or main.currency
            if currency is None:
                break
            found.append(Equivalent(_to_float(eq.value), currency, eq.start, eq.end))
            p = eq.end
            if cm := _EQ_PAREN_CLOSE_RE.match(text, p, hi):
                return tuple(found), cm.end()
            sep = _EQ_PAREN_SEP_RE.match(text, p, hi)
            if not sep:
                break
            p = sep.end()
    sm = _EQ_SOIT_RE.match(text, main.end, hi)
    if sm:
        eq = _parse_amount(text, sm.end(), hi)
        # Only an explicit currency makes "soit ..." a conversion ("soit 70 fois" is not).
        if eq is not None and eq.currency is not None and eq.value is not None:
            return (Equivalent(_to_float(eq.value), eq.currency, eq.start, eq.end),), eq.end
    # "3 milliards d’euros une fois la levée bouclée, soit environ 3,5 milliards de dollars":
    # a few words later in the same clause, and in another currency, it is still a conversion.
    gap = _EQ_DISTANT_SOIT_RE.match(text, main.end, min(hi, main.end + _EQ_DISTANT_MAX))
    if gap and main.currency is not None and not _START_DIGIT_RE.search(text, main.end, gap.start("soit")):
        eq = _parse_amount(text, gap.end(), hi)
        if eq is not None and eq.currency not in (None, main.currency) and eq.value is not None:
            assert eq.currency is not None
            return (Equivalent(_to_float(eq.value), eq.currency, eq.start, eq.end),), eq.end
    return (), main.end


def _to_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _scan(text: str, lo: int, hi: int) -> list[_Found]:
    found: list[_Found] = []
    last_end = lo
    for sm in _START_RE.finditer(text, lo, hi):
        if sm.start() < last_end:
            continue
        amount = _parse_amount(text, sm.start(), hi)
        if amount is None:
            continue
        qualifier, start = _qualify(text, amount.start, max(lo, last_end))
        # Vague ("plusieurs milliards") and rounded ("une dizaine de milliards") amounts are "about".
        if qualifier == "exact" and (amount.value is None or _is_approx_count(text, amount)):
            qualifier = "about"
        equivalents, end = _equivalents(text, amount, hi)
        found.append(_Found(start, end, amount, qualifier, equivalents))
        last_end = end
    return found


def _is_approx_count(text: str, amount: _Amount) -> bool:
    return _APPROX_RE.match(text, amount.start, amount.end) is not None


def _sentence_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentences of text[lo:hi], which must be whole paragraphs."""
    spans: list[tuple[int, int]] = []
    start = lo
    for bm in _SENTENCE_END_RE.finditer(text, lo, hi):
        if _ABBREVIATION_BEFORE_DOT_RE.search(text, max(lo, bm.start() - 5), bm.start()):
            continue
        spans.append((start, bm.end()))
        start = bm.end()
    if start < hi:
        spans.append((start, hi))
    return spans


@dataclass(frozen=True, slots=True)
class _Paragraph:
    """What currency inheritance reads in one paragraph: its sentences, whether each talks about
    money, and its amounts written with a currency (by start)."""

    sentence_starts: list[int]
    sentence_spans: list[tuple[int, int]]
    about_money: list[bool]
    currency_starts: list[int]
    currencies: list[str]


# The extraction asks for amounts one sentence at a time, and currency inheritance reads the
# paragraph around each: analysed again for every sentence, and its ends searched again for every
# amount, a paragraph of thousands of sentences cost time quadratic in its length. Amounts come in
# text order, so the paragraph last analysed (and the line last found) are the ones asked for next.
@lru_cache(maxsize=2)
def _paragraph(text: str, lo: int, hi: int) -> _Paragraph:
    spans = _sentence_spans(text, lo, hi)
    with_currency = [f.core for f in _scan(text, lo, hi) if f.core.currency is not None]
    return _Paragraph(
        sentence_starts=[a for a, _ in spans],
        sentence_spans=spans,
        about_money=[_MONEY_CONTEXT_RE.search(text, a, b) is not None for a, b in spans],
        currency_starts=[a.start for a in with_currency],
        currencies=[a.currency for a in with_currency if a.currency is not None],
    )


_last_line: tuple[str, int, int] | None = None


def _paragraph_bounds(text: str, pos: int) -> tuple[int, int]:
    """The line holding ``pos``."""
    global _last_line
    last = _last_line
    if last is not None and last[0] is text and last[1] <= pos <= last[2]:
        return last[1], last[2]
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    _last_line = (text, start, end)
    return start, end


def _inherit_currency(text: str, item: _Found) -> tuple[str | None, bool]:
    """(inherited currency, sentence talks about money) for a currency-less amount."""
    para = _paragraph(text, *_paragraph_bounds(text, item.start))
    idx = max(0, bisect_right(para.sentence_starts, item.core.start) - 1)
    s_lo, s_hi = para.sentence_spans[idx]
    first = bisect_left(para.currency_starts, s_lo)
    last = bisect_left(para.currency_starts, s_hi)
    if first < last:
        # The nearest amount before it in the sentence, else the first after it.
        before = bisect_left(para.currency_starts, item.core.start, first, last)
        return para.currencies[before - 1 if before > first else first], True
    if idx > 0 and first > 0 and para.currency_starts[first - 1] >= para.sentence_spans[idx - 1][0]:
        return para.currencies[first - 1], True  # the last one of the previous sentence
    return None, para.about_money[idx]


def find_money(text: str, start: int = 0, end: int | None = None) -> list[MoneyMention]:
    """All money amounts in ``text[start:end]``; offsets are relative to the whole ``text``."""
    hi = len(text) if end is None else min(end, len(text))
    lo = max(0, start)
    mentions: list[MoneyMention] = []
    for item in _scan(text, lo, hi):
        currency = item.core.currency
        if currency is None:
            # Inheritance may look outside [start, end): the whole paragraph around the amount.
            currency, about_money = _inherit_currency(text, item)
            if currency is None and not about_money:
                continue
        mentions.append(
            MoneyMention(
                start=item.start,
                end=item.end,
                text=text[item.start : item.end],
                amount=_to_float(item.core.value),
                currency=currency,
                qualifier=item.qualifier,
                equivalents=item.equivalents,
            )
        )
    return mentions


# ---------------------------------------------------------------------------------------------
# Conversion to USD


@dataclass(frozen=True, slots=True)
class _FxTable:
    dates: tuple[dt.date, ...]
    per_eur: tuple[dict[str, Decimal], ...]


@lru_cache(maxsize=1)
def _fx_table() -> _FxTable:
    raw = json.loads(FX_PATH.read_text(encoding="utf-8"))
    rows: list[tuple[dt.date, dict[str, Decimal]]] = []
    for entry in raw["rates"]:
        rates = {str(code).upper(): Decimal(str(value)) for code, value in entry["per_eur"].items()}
        rows.append((dt.date.fromisoformat(str(entry["date"])), rates))
    rows.sort(key=lambda row: row[0])
    return _FxTable(tuple(d for d, _ in rows), tuple(r for _, r in rows))


def to_usd(amount: float, currency: str, on: dt.date | None) -> tuple[float | None, dt.date | None]:
    """Convert with the rate of ``on``'s year (or the latest one before it; the latest rate when
    ``on`` is None; the earliest when ``on`` predates the table). Returns (usd, rate_date) or
    (None, None) for a currency the table does not have."""
    table = _fx_table()
    code = currency.upper()
    if isinstance(on, dt.datetime):
        on = on.date()
    idx = len(table.dates) - 1 if on is None else max(0, bisect_right(table.dates, on) - 1)
    # A currency missing from the chosen year falls back to the nearest earlier year having it.
    for i in range(idx, -1, -1):
        rates = table.per_eur[i]
        if code in rates and "USD" in rates:
            usd = Decimal(str(amount)) / rates[code] * rates["USD"]
            return float(round(usd, 2)), table.dates[i]
    return None, None
