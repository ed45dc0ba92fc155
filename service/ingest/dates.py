"""French date mentions in verbatim article text.

Every function here is pure. Candidate spans are found with module-level regexes and their values
are computed directly (month names, weekdays and offsets are parsed here, no ``dateparser`` call is
needed), so the cost is a handful of linear regex scans per text.

Conventions:

* A mention's ``text`` is always ``text[start:end]``. Leading prepositions that do not change the
  value (``le``, ``en``, ``depuis``, ``dès``, ``au``…) are left out; modifiers and determiners that
  do (``début``, ``fin``, ``mi-``, ``premier trimestre``, ``cet été``, ``l'an dernier``) are kept. A
  time after a day (``le 3 décembre à 10h30``) is kept in the text; a trailing ``(heure locale)`` is
  not.
* Values are first days: month precision → day 1, year precision → 1 January.
* ``relative`` means the value depends on the publication date (or on an earlier mention). Without
  ``published_on`` such a mention keeps its text but gets ``value=None`` and ``precision=None``; so
  does one whose value falls outside the calendar (``hier`` published on 0001-01-01).
* ``début 2025`` / ``fin 2024`` / ``mi-2025`` are year precision: which month "fin" means is a guess,
  so only the year is claimed. ``début mars 2024`` is month precision.
* Quarters and semesters are month precision on their first month. Seasons are month precision on
  their first month (March, June, September, December); ``hiver 2024`` is year precision because
  the winter straddles two years.
* Weeks (``la semaine dernière``, ``cette semaine``) get the Monday of that week as value with
  ``precision=None``: DatePrecision has no week level, and claiming "day" would overstate it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from service.ingest.types import DateMention, DatePrecision

__all__ = ["best_event_date", "find_dates", "published_on_from_meta", "published_on_from_text"]

# A day/month without year may refer to an event announced a little ahead of publication; further
# in the future than this, it must be last year's.
_FUTURE_TOLERANCE = dt.timedelta(days=30)

# Horizontal whitespace only (includes U+00A0 and U+202F): a date never spans two lines.
_S = r"[^\S\r\n]+"
_S0 = r"[^\S\r\n]*"
_AP = r"['’ʼ]"

_MONTH_FULL = r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
_MONTH_ABBR = r"janv|jan|f[ée]vr|f[ée]v|avr|juil|sept|sep|oct|nov|d[ée]c"
_MONTH = rf"(?:(?:{_MONTH_FULL})|(?:{_MONTH_ABBR})\.?)(?![\w])"
_MONTH_BARE = rf"(?:{_MONTH_FULL})(?![\w-])"
_WEEKDAY = r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_DAY = r"(?<![\w.,/])(?P<day>[0-3]?\d)(?:er|ᵉʳ)?"

# Things a four-digit number is counted in, which makes it a quantity rather than a year.
_UNITS = (
    r"euros?|dollars?|livres?|yens?|yuans?|francs?|milliards?|millions?|milliers?|mille|fois|ans|"
    r"ann[ée]es|mois|semaines|jours|heures|minutes|secondes|personnes|salari[ée]s|employ[ée]s|"
    r"emplois|postes|habitants|utilisateurs|clients|abonn[ée]s|unit[ée]s|exemplaires|kilom[èe]tres|"
    rf"km|m[èe]tres|m|tonnes|kg|points|pour{_S0}cent|usd|eur|gw|mw|kw|go|to|mo"
)
_YEAR_END = (
    r"(?!\d)(?![.,]\d)(?![-/.]\d{1,2}(?!\d))"  # not 2025.5, not the start of 2025-03-12
    rf"(?!{_S0}[%‰€$£¥])(?!{_S}\d{{3}}(?!\d))"  # not a percentage, amount or 2025 000
    rf"(?!{_S}(?:{_UNITS})\b)"
)
_YEAR = r"(?:19\d\d|20\d\d|2100)" + _YEAR_END
_TIME = rf"(?:,?{_S}(?:à|a|vers){_S}(?:\d{{1,2}}{_S0}(?:h|heures?)(?:{_S0}\d{{2}})?|\d{{1,2}}:\d{{2}})(?!\d))"

_NUMBER_WORDS = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
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
    "cent": 100,
}
_NUM = r"\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))

_MONTH_BY_PREFIX = {
    "jan": 1,
    "fev": 2,
    "mar": 3,
    "avr": 4,
    "mai": 5,
    "aou": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_EN_MONTH_BY_PREFIX = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAY_INDEX = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}
_SEASON_START = {"printemps": 3, "ete": 6, "automne": 9, "hiver": 12}
_SEASON = r"printemps|[ée]t[ée]|automne|hiver"
_ORDINAL = {
    "premier": 1,
    "1er": 1,
    "deuxieme": 2,
    "second": 2,
    "2nd": 2,
    "2e": 2,
    "2eme": 2,
    "troisieme": 3,
    "3e": 3,
    "3eme": 3,
    "quatrieme": 4,
    "4e": 4,
    "4eme": 4,
}
_ORD = r"premier|1er|deuxi[èe]me|second|2nd|2[èe]me|2e|troisi[èe]me|3[èe]me|3e|quatri[èe]me|4[èe]me|4e|dernier"


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_ISO_RE = _c(
    r"(?<![\w/.-])(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\w:])"
)
# French order is day first: 12/03/2025 is 12 March.
_DMY_RE = _c(
    r"(?<![\w/.-])(?P<day>[0-3]?\d)(?P<sep>[/.-])(?P<month>[01]?\d)(?P=sep)(?P<year>(?:19|20)\d\d)(?![\w/]|[.-]\d)"
)
_DAY_MONTH_RE = _c(
    rf"(?:\b(?:{_WEEKDAY}){_S})?{_DAY}{_S}(?P<month>{_MONTH})"
    rf"(?:{_S}(?P<year>{_YEAR})|{_S}(?P<dir>dernier|prochain)\b)?{_TIME}?"
)
# "du 3 au 5 décembre": one mention for the whole span, valued at its first day.
_DAY_RANGE_RE = _c(
    rf"(?<![\w.,/])(?P<first>[0-3]?\d)(?:er|ᵉʳ)?{_S}(?:au|et|-|–){_S}{_DAY}{_S}(?P<month>{_MONTH})"
    rf"(?:{_S}(?P<year>{_YEAR})|{_S}(?P<dir>dernier|prochain)\b)?"
)
_MONTH_YEAR_RE = _c(
    rf"(?:\b(?:d[ée]but|fin|milieu|mi)(?:-|{_S}))?\b(?P<month>{_MONTH}){_S}(?:de{_S})?(?P<year>{_YEAR})"
)
# A month without year needs a preposition, or "mars" the planet would be a date.
_MONTH_ALONE_RE = _c(
    rf"(?:\b(?:en|depuis|d[èe]s|courant|d{_AP}ici|jusqu{_AP}(?:en|à|au)|avant|apr[èe]s|"
    rf"(?:au|le|du|ce){_S}mois{_S}de|mois{_S}de){_S}(?P<m1>{_MONTH_BARE})"
    rf"|\b(?:d[ée]but|fin|milieu|mi)(?:-|{_S})(?P<m2>{_MONTH_BARE})"
    rf"|\b(?P<m3>{_MONTH_BARE})(?={_S}(?:dernier|prochain)\b))"
    rf"(?!{_S}(?:de{_S})?\d)(?:{_S}(?P<dir>dernier|prochain)\b)?"
)
_YEAR_MODIFIER_RE = _c(
    rf"\b(?:d[ée]but|fin|milieu|mi)(?:-|{_S})(?:de{_S})?(?:l{_AP}{_S0}ann[ée]e{_S})?(?P<year>{_YEAR})"
)
_YEAR_TRIGGER = (
    rf"en|depuis|d[èe]s|avant|apr[èe]s|d{_AP}ici(?:{_S}(?:à|a|la{_S}fin{_S}de))?|jusqu{_AP}(?:en|à|a)|"
    rf"vers|courant|horizon|l{_AP}{_S0}an|l{_AP}{_S0}ann[ée]e|ann[ée]e|exercice(?:{_S}fiscal)?|"
    rf"au{_S}cours{_S}de|à{_S}partir{_S}de"
)
_YEAR_LIST_RE = _c(
    rf"\b(?:{_YEAR_TRIGGER}){_S}(?P<years>{_YEAR}"
    rf"(?:(?:{_S0}[,/–-]{_S0}|{_S}(?:et|ou|à|puis){_S}){_YEAR})*)"
)
_YEAR_RANGE_RE = _c(rf"\b(?:entre|de){_S}(?P<years>{_YEAR}{_S}(?:et|à){_S}{_YEAR})")
_YEAR_ONLY_RE = _c(_YEAR)
_QUARTER_RE = _c(
    rf"\b(?P<ord>{_ORD}){_S}(?P<unit>trimestre|semestre)"
    rf"(?:{_S}(?:de{_S}l{_AP}{_S0}ann[ée]e{_S}|de{_S})?(?P<year>{_YEAR}))?"
)
_QUARTER_CODE_RE = _c(rf"\b(?P<kind>[TQSH])(?P<n>[1-4]){_S0}(?P<year>{_YEAR})")
_SEASON_YEAR_RE = _c(rf"\b(?P<season>{_SEASON}){_S}(?:de{_S})?(?:l{_AP}{_S0}ann[ée]e{_S})?(?P<year>{_YEAR})")
_SEASON_REL_RE = _c(
    rf"(?:\b(?:ce|cet){_S}(?P<this>{_SEASON})"
    rf"|(?:\bl{_AP}{_S0}|\ble{_S})(?P<past>{_SEASON}){_S}(?P<dir>dernier|pass[ée]|prochain)"
    rf"|\bau{_S}(?P<au>printemps)|\bà{_S}(?P<article>l{_AP}{_S0})(?P<al>{_SEASON}))"
    rf"(?![\w-])(?!{_S}(?:de{_S})?(?:l{_AP}{_S0}ann[ée]e{_S})?\d)"
)
_WEEKDAY_RE = _c(rf"(?<!chaque )(?<!tous les )\b(?P<wd>{_WEEKDAY})\b(?!-)(?:{_S}(?P<dir>dernier|prochain)\b)?")
_SIMPLE_RE = _c(
    rf"\b(?:(?P<m2>avant-hier)|(?P<p2>apr[èe]s-demain)|(?P<m1>hier)"
    rf"|(?<!de )(?<!d')(?<!d’)(?P<p1>demain)|(?<!d')(?<!d’)(?P<z>aujourd{_AP}{_S0}hui"
    rf"|ce{_S}(?:matin|soir|midi)|cette{_S}nuit))\b"
)
_YEAR_REL_RE = _c(
    rf"(?:\bl{_AP}{_S0}ann[ée]e{_S}(?P<prev1>derni[èe]re|pass[ée]e)"
    rf"|\bl{_AP}{_S0}an{_S}(?P<prev2>dernier|pass[ée])"
    rf"|\bl{_AP}{_S0}(?:ann[ée]e{_S}prochaine|an{_S}prochain)(?P<next>)"
    rf"|\bcette{_S}ann[ée]e(?P<this>)(?![-‐]?l[àa]\b)(?:-ci)?"
    rf"|\b(?:la|cette){_S}m[êe]me{_S}ann[ée]e(?P<same>))"
    rf"(?![\w-])(?!{_S}\d)"
)
_YEAR_PART_REL_RE = _c(
    rf"\b(?:d[ée]but|fin|milieu){_S}(?:de{_S}l{_AP}{_S0}|d{_AP}{_S0})ann[ée]e"
    rf"(?:{_S}(?P<dir>derni[èe]re|pass[ée]e|prochaine|en{_S}cours))?(?![\w-])(?!{_S}\d)"
)
_MONTH_REL_RE = _c(
    rf"(?:\b(?:le|du|au){_S}mois{_S}(?:(?P<prev>dernier|pass[ée])|(?P<next>prochain))"
    rf"|\bce{_S}mois[-‐]ci(?P<this>)|\b(?:ce|le){_S}m[êe]me{_S}mois(?P<same>))(?![\w-])"
)
_WEEK_REL_RE = _c(
    rf"(?:\bla{_S}semaine{_S}(?:(?P<prev>derni[èe]re|pass[ée]e)|(?P<next>prochaine))"
    rf"|\bcette{_S}semaine(?P<this>))(?![\w-])"
)
_AGO_RE = _c(
    rf"\b(?:(?P<ago>il{_S}y{_S}a)|(?P<in>dans)){_S}(?:(?:près{_S}de|environ|presque){_S})?"
    rf"(?P<n>{_NUM}){_S}(?P<unit>ans?|ann[ée]es?|mois|semaines?|jours?)\b"
)

_EN_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?(?!\w)"
)
_EN_DATE_RE = _c(
    rf"\b(?:(?P<m1>{_EN_MONTH}){_S}(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?,?{_S}(?P<y1>(?:19|20)\d\d)"
    rf"|(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?{_S}(?P<m2>{_EN_MONTH}),?{_S}(?P<y2>(?:19|20)\d\d))(?!\d)"
)
_PUBLISHED_KW_RE = _c(
    r"\b(?:(?P<pub>publi[ée]e?|mise?\s+en\s+ligne|published|posted)"
    r"|(?P<upd>(?:derni[èe]re\s+)?mise?\s+[àa]\s+jour|modifi[ée]e?|actualis[ée]e?|(?:last\s+)?updated))\b"
)
# "Le groupe a publié le 3 mars 2025 ses résultats" is body text, not a byline.
_AUXILIARY_BEFORE_RE = _c(r"\b(?:a|ont|avait|avaient|aura|auront|sera|seront|été|est|sont)\s+$")
_ISO_PREFIX_RE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")

_HEADER_LINES = 40
_META_KEYS = ("published_on", "published", "date", "datePublished")


@dataclass(frozen=True, slots=True)
class _Cand:
    start: int
    end: int
    value: dt.date | None
    precision: DatePrecision | None
    relative: bool
    anaphor: Literal["month", "year"] | None = None


_Handler = Callable[[re.Match[str], dt.date | None], list[_Cand]]


def _fold(word: str) -> str:
    """Lowercase without accents, dots or spaces, for table look-ups."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch.isalnum())


def _month_num(name: str) -> int:
    folded = _fold(name)
    if folded.startswith("jui"):
        return 6 if folded.startswith("juin") else 7
    return _MONTH_BY_PREFIX[folded[:3]]


def _safe_date(year: int, month: int, day: int = 1) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _shift_month(year: int, month: int, delta: int) -> dt.date:
    index = year * 12 + (month - 1) + delta
    return dt.date(index // 12, index % 12 + 1, 1)


def _undated(month: int, day: int, pub: dt.date, direction: str | None, whole_month: bool) -> dt.date | None:
    """Place a day (or a whole month, day=1) written without year in the year the context implies.

    Plain: the publication year, or the year before if that lands more than the tolerance after
    publication. "dernier": the latest one not after publication. "prochain": the first one after.
    """
    # Months compare as months: "mars dernier" written in mid-March is last year's March.
    ref = pub.replace(day=1) if whole_month else pub
    this_year = _safe_date(pub.year, month, day)
    if direction == "prochain":
        return this_year if this_year is not None and this_year > ref else _safe_date(pub.year + 1, month, day)
    # A bound, not a value: near the end of the calendar it is the calendar's last day.
    limit = pub + _FUTURE_TOLERANCE if pub <= dt.date.max - _FUTURE_TOLERANCE else dt.date.max
    if direction == "dernier":
        limit = ref - dt.timedelta(days=1) if whole_month else pub
    return this_year if this_year is not None and this_year <= limit else _safe_date(pub.year - 1, month, day)


def _abs(m: re.Match[str], value: dt.date | None, precision: DatePrecision) -> list[_Cand]:
    if value is None:
        return []  # impossible calendar date: not a date mention at all
    return [_Cand(m.start(), m.end(), value, precision, relative=False)]


def _rel(
    start: int,
    end: int,
    pub: dt.date | None,
    resolve: Callable[[dt.date], dt.date | None],
    precision: DatePrecision | None,
) -> list[_Cand]:
    value: dt.date | None = None
    if pub is not None:
        try:
            value = resolve(pub)
        except (OverflowError, ValueError):
            # Before year 1 or after 9999 ("hier" published on 0001-01-01, "l'année prochaine" on
            # 9999-12-31): the day does not exist, so the mention keeps its text without a value.
            value = None
    return [_Cand(start, end, value, precision if value is not None else None, relative=True)]


def _iso(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    return _abs(m, _safe_date(int(m["year"]), int(m["month"]), int(m["day"])), "day")


def _day_month(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    month, day = _month_num(m["month"]), int(m["day"])
    if m.re is _DAY_RANGE_RE:
        first = int(m["first"])
        if _safe_date(2000, month, first) is None or _safe_date(2000, month, day) is None:
            return []
        day = first
    if m["year"]:
        return _abs(m, _safe_date(int(m["year"]), month, day), "day")
    if _safe_date(2000, month, day) is None:  # 2000 is a leap year, so 29 février passes
        return []
    direction = (m["dir"] or "").lower() or None
    return _rel(m.start(), m.end(), pub, lambda p: _undated(month, day, p, direction, False), "day")


def _month_year(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    return _abs(m, _safe_date(int(m["year"]), _month_num(m["month"])), "month")


def _month_alone(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    group = next(g for g in ("m1", "m2", "m3") if m[g])
    name = m[group]
    if not name[0].islower():  # "en Mars" is the planet; French month names are lowercase
        return []
    month = _month_num(name)
    # For "en mars" the preposition is dropped; "début mars" keeps its modifier.
    start = m.start() if group == "m2" else m.start(group)
    direction = (m["dir"] or "").lower() or None
    return _rel(start, m.end(), pub, lambda p: _undated(month, 1, p, direction, True), "month")


def _year_modifier(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    return _abs(m, dt.date(int(m["year"]), 1, 1), "year")


def _year_list(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    return [
        _Cand(y.start(), y.end(), dt.date(int(y.group()), 1, 1), "year", relative=False)
        for y in _YEAR_ONLY_RE.finditer(m.string, m.start("years"), m.end("years"))
    ]


def _quarter(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    ordinal = _fold(m["ord"])
    is_quarter = _fold(m["unit"]) == "trimestre"
    months_per_part = 3 if is_quarter else 6
    last = 4 if is_quarter else 2
    if ordinal == "dernier":
        if m["year"] is None:
            # Without a year "le dernier trimestre" is the latest completed one.
            def previous(p: dt.date) -> dt.date:
                part_start = (p.month - 1) // months_per_part * months_per_part + 1
                return _shift_month(p.year, part_start, -months_per_part)

            return _rel(m.start(), m.end(), pub, previous, "month")
        index = last
    else:
        index = _ORDINAL[ordinal]
        if index > last:
            return []
    month = (index - 1) * months_per_part + 1
    if m["year"]:
        return _abs(m, dt.date(int(m["year"]), month, 1), "month")
    # Quarters are planned ahead, so the publication year is a better guess than the past-leaning
    # rule used for bare days and months.
    return _rel(m.start(), m.end(), pub, lambda p: dt.date(p.year, month, 1), "month")


def _quarter_code(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    n = int(m["n"])
    if m["kind"].upper() in "TQ":
        return _abs(m, dt.date(int(m["year"]), (n - 1) * 3 + 1, 1), "month")
    if n > 2:
        return []
    return _abs(m, dt.date(int(m["year"]), (n - 1) * 6 + 1, 1), "month")


def _season_year(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    season, year = _fold(m["season"]), int(m["year"])
    if season == "hiver":
        return _abs(m, dt.date(year, 1, 1), "year")  # straddles two years: claim only the year
    return _abs(m, dt.date(year, _SEASON_START[season], 1), "month")


def _this_season(season: str, p: dt.date) -> dt.date:
    if season == "hiver":
        # Before July, "cet hiver" is the one that just ended (started last December).
        return dt.date(p.year - 1 if p.month <= 6 else p.year, 12, 1)
    return dt.date(p.year, _SEASON_START[season], 1)


def _last_season(season: str, p: dt.date) -> dt.date:
    """The latest such season that has fully ended by the publication date."""
    start_month = _SEASON_START[season]
    for year in (p.year, p.year - 1, p.year - 2):
        start = dt.date(year, start_month, 1)
        if _shift_month(year, start_month, 3) <= p:
            return start
    raise AssertionError("unreachable: a season two years back has always ended")


def _next_season(season: str, p: dt.date) -> dt.date:
    start_month = _SEASON_START[season]
    year = p.year if dt.date(p.year, start_month, 1) > p else p.year + 1
    return dt.date(year, start_month, 1)


_SEASON_RESOLVERS: dict[str, Callable[[str, dt.date], dt.date]] = {
    "this": _this_season,
    "last": _last_season,
    "next": _next_season,
}


def _season_rel(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    if m["au"]:
        start, season = m.start("au"), m["au"]  # "au printemps": drop the preposition
    elif m["al"]:
        start, season = m.start("article"), m["al"]  # "à l'automne": keep "l'automne"
    else:
        start, season = m.start(), m["this"] or m["past"]
    folded = _fold(season)
    direction = _fold(m["dir"] or "")
    kind = "next" if direction.startswith("prochain") else "last" if direction else "this"
    resolver = _SEASON_RESOLVERS[kind]
    return _rel(start, m.end(), pub, lambda p: resolver(folded, p), "month")


def _weekday(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    target = _WEEKDAY_INDEX[m["wd"].lower()]
    direction = (m["dir"] or "").lower()

    def resolve(p: dt.date) -> dt.date:
        if direction == "prochain":
            return p + dt.timedelta(days=(target - p.weekday()) % 7 or 7)
        back = (p.weekday() - target) % 7
        if direction == "dernier" and back == 0:
            back = 7  # "mardi dernier" written on a Tuesday is a week ago
        return p - dt.timedelta(days=back)

    return _rel(m.start(), m.end(), pub, resolve, "day")


def _simple(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    offsets = {"m2": -2, "p2": 2, "m1": -1, "p1": 1, "z": 0}
    days = next(v for k, v in offsets.items() if m[k] is not None)
    return _rel(m.start(), m.end(), pub, lambda p: p + dt.timedelta(days=days), "day")


def _year_rel(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    if m["same"] is not None:
        return [_Cand(m.start(), m.end(), None, None, relative=True, anaphor="year")]
    delta = -1 if (m["prev1"] or m["prev2"]) else 1 if m["next"] is not None else 0
    return _rel(m.start(), m.end(), pub, lambda p: dt.date(p.year + delta, 1, 1), "year")


def _year_part_rel(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    direction = _fold(m["dir"] or "")
    delta = -1 if direction.startswith(("dern", "pass")) else 1 if direction.startswith("proch") else 0
    return _rel(m.start(), m.end(), pub, lambda p: dt.date(p.year + delta, 1, 1), "year")


def _month_rel(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    if m["same"] is not None:
        return [_Cand(m.start(), m.end(), None, None, relative=True, anaphor="month")]
    delta = -1 if m["prev"] else 1 if m["next"] else 0
    return _rel(m.start(), m.end(), pub, lambda p: _shift_month(p.year, p.month, delta), "month")


def _week_rel(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    weeks = -1 if m["prev"] else 1 if m["next"] else 0

    def monday(p: dt.date) -> dt.date:
        return p - dt.timedelta(days=p.weekday()) + dt.timedelta(weeks=weeks)

    return _rel(m.start(), m.end(), pub, monday, None)


def _ago(m: re.Match[str], pub: dt.date | None) -> list[_Cand]:
    raw = m["n"].lower()
    n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    sign = -1 if m["ago"] else 1
    unit = _fold(m["unit"])
    if unit.startswith("an"):
        return _rel(m.start(), m.end(), pub, lambda p: _safe_date(p.year + sign * n, 1, 1), "year")
    if unit == "mois":
        return _rel(m.start(), m.end(), pub, lambda p: _shift_month(p.year, p.month, sign * n), "month")
    days = n * 7 if unit.startswith("semaine") else n
    # Weeks are approximate (precision None), days are exact.
    precision: DatePrecision | None = None if unit.startswith("semaine") else "day"
    return _rel(m.start(), m.end(), pub, lambda p: p + dt.timedelta(days=sign * days), precision)


# Order is the tie-break when two candidates have the same length.
_RULES: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    (_ISO_RE, _iso),
    (_DMY_RE, _iso),
    (_DAY_RANGE_RE, _day_month),
    (_DAY_MONTH_RE, _day_month),
    (_QUARTER_RE, _quarter),
    (_QUARTER_CODE_RE, _quarter_code),
    (_SEASON_YEAR_RE, _season_year),
    (_MONTH_YEAR_RE, _month_year),
    (_YEAR_MODIFIER_RE, _year_modifier),
    (_MONTH_ALONE_RE, _month_alone),
    (_YEAR_RANGE_RE, _year_list),
    (_YEAR_LIST_RE, _year_list),
    (_YEAR_PART_REL_RE, _year_part_rel),
    (_YEAR_REL_RE, _year_rel),
    (_MONTH_REL_RE, _month_rel),
    (_WEEK_REL_RE, _week_rel),
    (_SEASON_REL_RE, _season_rel),
    (_AGO_RE, _ago),
    (_SIMPLE_RE, _simple),
    (_WEEKDAY_RE, _weekday),
)


def find_dates(
    text: str, start: int = 0, end: int | None = None, published_on: dt.date | None = None
) -> list[DateMention]:
    """Date mentions in ``text[start:end]``, in text order, with offsets into ``text``.

    Relative mentions are resolved against ``published_on``; without it they keep their text but
    have no value. Overlapping candidates are settled longest first.
    """
    stop = len(text) if end is None else min(end, len(text))
    begin = max(start, 0)
    found: list[tuple[int, _Cand]] = []
    for rank, (pattern, handler) in enumerate(_RULES):
        for match in pattern.finditer(text, begin, stop):
            found.extend((rank, cand) for cand in handler(match, published_on))
    return _resolve_anaphora(text, _drop_overlaps(found), published_on)


def _drop_overlaps(found: list[tuple[int, _Cand]]) -> list[_Cand]:
    """Keep the longest of overlapping candidates (then the earlier rule), in text order.

    Candidates are split into runs of mutually chained overlaps first, so the quadratic choice
    only ever runs on a handful of candidates.
    """
    found.sort(key=lambda rc: rc[1].start)
    kept: list[_Cand] = []
    i = 0
    while i < len(found):
        j, run_end = i + 1, found[i][1].end
        while j < len(found) and found[j][1].start < run_end:
            run_end = max(run_end, found[j][1].end)
            j += 1
        chosen: list[_Cand] = []
        for _, cand in sorted(found[i:j], key=lambda rc: (rc[1].start - rc[1].end, rc[0])):
            if all(cand.end <= k.start or cand.start >= k.end for k in chosen):
                chosen.append(cand)
        kept.extend(sorted(chosen, key=lambda c: c.start))
        i = j
    return kept


def _resolve_anaphora(text: str, cands: list[_Cand], pub: dt.date | None) -> list[DateMention]:
    """Turn candidates into mentions; "ce même mois" / "la même année" take the last one seen."""
    last_month: dt.date | None = None
    last_year: dt.date | None = None
    mentions: list[DateMention] = []
    for cand in cands:
        value, precision = cand.value, cand.precision
        if cand.anaphor == "month":
            value = last_month or (pub.replace(day=1) if pub else None)
            precision = "month" if value else None
        elif cand.anaphor == "year":
            value = last_year or (dt.date(pub.year, 1, 1) if pub else None)
            precision = "year" if value else None
        if value is not None and precision in ("day", "month"):
            last_month = value.replace(day=1)
        if value is not None and precision is not None:
            last_year = dt.date(value.year, 1, 1)
        mentions.append(
            DateMention(
                start=cand.start,
                end=cand.end,
                text=text[cand.start : cand.end],
                value=value,
                precision=precision,
                relative=cand.relative,
            )
        )
    return mentions


def best_event_date(sentence_dates: Sequence[DateMention]) -> DateMention | None:
    """The first resolved mention of a sentence, else its first mention, else None."""
    for mention in sentence_dates:
        if mention.value is not None:
            return mention
    return sentence_dates[0] if sentence_dates else None


def _english_date(text: str, start: int, end: int) -> tuple[int, dt.date] | None:
    m = _EN_DATE_RE.search(text, start, end)
    if m is None:
        return None
    month_name, day, year = (m["m1"], m["d1"], m["y1"]) if m["m1"] else (m["m2"], m["d2"], m["y2"])
    value = _safe_date(int(year), _EN_MONTH_BY_PREFIX[_fold(month_name)[:3]], int(day))
    return (m.start(), value) if value is not None else None


def _date_after_keyword(line: str, kw_end: int) -> dt.date | None:
    """A full (day-precision, absolute) date starting right after a byline keyword."""
    window_end = min(len(line), kw_end + 80)
    max_start = kw_end + 25  # room for " le ", " on ", " : ", a weekday…
    best: tuple[int, dt.date] | None = None
    for mention in find_dates(line, kw_end, window_end):
        if mention.precision == "day" and not mention.relative and mention.value is not None:
            best = (mention.start, mention.value)
            break
    english = _english_date(line, kw_end, window_end)
    if english is not None and (best is None or english[0] < best[0]):
        best = english
    if best is None or best[0] > max_start:
        return None
    return best[1]


def published_on_from_text(text: str) -> dt.date | None:
    """Publication date from a byline such as "Publié le 12 mars 2025" near the top or bottom.

    Looks at the first and last 40 lines; a publication keyword (publié, mis en ligne, published)
    wins over an update keyword (mis à jour, modifié, updated), otherwise the first line wins.
    """
    lines = text.splitlines()
    if len(lines) > 2 * _HEADER_LINES:
        lines = lines[:_HEADER_LINES] + lines[-_HEADER_LINES:]
    updated: dt.date | None = None
    for line in lines:
        if len(line.strip()) > 200:  # paragraphs of body text are not bylines
            continue
        for kw in _PUBLISHED_KW_RE.finditer(line):
            if _AUXILIARY_BEFORE_RE.search(line, 0, kw.start()):
                continue
            value = _date_after_keyword(line, kw.end())
            if value is None:
                continue
            if kw["pub"]:
                return value
            updated = updated or value
    return updated or _date_line(lines[:_DATE_LINE_LINES])


# A page's head often states its date on a line of its own ("Le 3 février 2026 à 17h40",
# "19/03/2025 09:12"); looked for among the first lines, and only when no keyword names one.
_DATE_LINE_LINES = 8
_DATE_LINE_LEAD_RE = _c(rf"^[^\S\r\n]*(?:le{_S})?(?:(?:{_WEEKDAY}),?{_S})?$")
_DATE_LINE_TAIL_RE = _c(
    rf"^{_S0}(?:(?:,|à|a|-|–|\|){_S0})?(?:\d{{1,2}}{_S0}[h:]{_S0}\d{{0,2}}(?:{_S0}(?:utc|cet|cest))?)?{_S0}$"
)


# A head line of several fields ("Rubrique | 4 septembre 2025", "Par X — 3 mars 2025").
_FIELD_SEPARATOR_RE = re.compile(r"[^\S\r\n]+[|·•—–][^\S\r\n]+")


def _date_line(lines: Sequence[str]) -> dt.date | None:
    for line in lines:
        if not line.strip() or len(line) > 120:
            continue
        for field in [line, *_FIELD_SEPARATOR_RE.split(line)]:
            if len(field) > 60:
                continue
            for mention in find_dates(field):
                if mention.precision != "day" or mention.relative or mention.value is None:
                    continue
                if _DATE_LINE_LEAD_RE.match(field[: mention.start]) and _DATE_LINE_TAIL_RE.match(field[mention.end :]):
                    return mention.value
    return None


def published_on_from_meta(meta: Mapping[str, object]) -> dt.date | None:
    """Publication date from a sidecar ``NAME.meta.json`` mapping (ISO date or datetime string)."""
    for key in _META_KEYS:
        raw = meta.get(key)
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if not isinstance(raw, str):
            continue
        iso = _ISO_PREFIX_RE.match(raw)
        if iso is not None:
            # The date as written is the publisher's local date, which is the one readers saw.
            value = _safe_date(int(iso[1]), int(iso[2]), int(iso[3]))
            if value is not None:
                return value
            continue
        for mention in find_dates(raw):
            if mention.precision == "day" and not mention.relative and mention.value is not None:
                return mention.value
    return None
