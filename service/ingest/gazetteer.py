"""The curated gazetteer (``seeds/knowledge``): organisations, people, products, places and
division words, with their names and aliases matched on word tokens.

Names and aliases are matched with a token trie, so French elisions (``d’OpenAI``), hashtags and
quotes need no special casing; the more specific the matched string, the surer the resolution.
Names found elsewhere resolve to a record exactly, or fuzzily (score ≥ 90).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import msgspec
from rapidfuzz import fuzz, process

from service.ingest.name_cues import _LOW, _METONYM_HEADS
from service.ingest.types import EntityKind

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "seeds" / "knowledge"

OrgKind = Literal["ai_lab", "big_tech", "aerospace", "investor", "chipmaker", "media", "government", "energy", "other"]

FUZZY_THRESHOLD = 90.0

# Gazetteer confidences: the more specific the matched string, the surer the resolution.
CONF_NAME = 0.99
CONF_ALIAS = 0.97
CONF_SHORT = 0.95  # surname alone, case variant, corroborated weak alias, surname seen in text


# --------------------------------------------------------------------------------------------
# Records


class Role(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    organisation: str | None
    title: str


class Organisation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: str
    name: str
    aliases: tuple[str, ...]
    kind: OrgKind
    country: str | None
    description: str
    # Ambiguous short forms ("X", "Stoke", "AIP"): accepted only when the entity is also named
    # unambiguously in the same text, a `cues` word is near, or a `related` entity shares the sentence.
    weak_aliases: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    # Cities the press names the company by ("le groupe de Redmond"); only one organisation each.
    headquarters: tuple[str, ...] = ()
    source: str = ""  # where a curated fact comes from, for reviewers


class Person(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: str
    name: str
    aliases: tuple[str, ...]
    roles: tuple[Role, ...] = ()
    source: str = ""  # where a curated fact comes from, for reviewers


class Stoplist(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    about: str = ""
    products: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()


class Place(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    kind: Literal["country", "state", "region", "city"]
    aliases: tuple[str, ...] = ()
    # The organisation a country or capital stands for as the subject of a government act.
    government: str | None = None


class Places(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    about: str = ""
    government_verbs: tuple[str, ...] = ()
    places: tuple[Place, ...] = ()


class Divisions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    about: str = ""
    words: tuple[str, ...] = ()


Record = Organisation | Person


# --------------------------------------------------------------------------------------------
# Text helpers

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
# Apostrophe and hyphen variants compared as the ASCII ones ("Activision‑Blizzard" with U+2011).
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "\u2010": "-", "\u2011": "-"})
_CAMEL_RE = re.compile(r"[a-z][A-Z]")


def _fold(s: str) -> str:
    """Accent-, case- and apostrophe-insensitive form, for comparisons only (never offsets)."""
    s = s.translate(_TYPOGRAPHY).replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


def _squash(s: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", _fold(s))


def slugify(name: str) -> str:
    """``"Stoke Space"`` → ``"stoke-space"``, ``"xAI"`` → ``"xai"``, accents folded."""
    slug = re.sub(r"[^0-9a-z]+", "-", _fold(name)).strip("-")
    if not slug:
        # Names in non-Latin scripts still need a stable key.
        slug = "entity-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]  # noqa: S324 - not security
    return slug


def _norm_space(s: str) -> str:
    return " ".join(s.split())


# (start, end, text). Plain tuples: a 5 MB article has a million tokens, and building objects
# for them would cost more than the matching itself.
_Tok = tuple[int, int, str]
_START: Final = 0
_END: Final = 1
_TEXT: Final = 2


def _tokenize(text: str, start: int, end: int) -> list[_Tok]:
    return [(*m.span(), m.group()) for m in _TOKEN_RE.finditer(text, start, end)]


def _is_word(tok: str) -> bool:
    return tok[0].isalnum() or tok[0] == "_"


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper()


# --------------------------------------------------------------------------------------------
# Alias matching

Strength = Literal["name", "alias", "surname", "weak", "product"]


@dataclass(frozen=True, slots=True)
class _Alias:
    surface: tuple[str, ...]  # tokens as written, apostrophes normalised
    gaps: tuple[bool, ...]  # whether whitespace precedes each token after the first
    slug: str  # product aliases use the product name
    strength: Strength
    case_free: bool  # CamelCase names ("OpenAI", "SoftBank") are matched in any case


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    aliases: list[_Alias] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    first: int  # token indices [first, last)
    last: int
    alias: _Alias
    confidence: float


class Gazetteer:
    """Curated organisations and people, with alias matching and resolution."""

    def __init__(
        self,
        organisations: Iterable[Organisation],
        people: Iterable[Person],
        stoplist: Stoplist,
        places: Places | None = None,
        divisions: Iterable[str] = (),
    ) -> None:
        self.organisations: tuple[Organisation, ...] = tuple(organisations)
        self.people: tuple[Person, ...] = tuple(people)
        self.products: frozenset[str] = frozenset(stoplist.products)
        self.generic: frozenset[str] = frozenset(stoplist.generic)
        self._folded_products = frozenset(_fold(p) for p in stoplist.products if not p.isupper())
        self._upper_products = frozenset(_norm_space(p) for p in stoplist.products if p.isupper())
        self._folded_generic = frozenset(_fold(g) for g in stoplist.generic)
        self._by_slug: dict[str, Record] = {}
        records: list[Record] = [*self.organisations, *self.people]
        for rec in records:
            if rec.slug in self._by_slug:
                raise ValueError(f"duplicate gazetteer slug {rec.slug!r}")
            if slugify(rec.slug) != rec.slug:
                raise ValueError(f"malformed slug {rec.slug!r}")
            self._by_slug[rec.slug] = rec
        self._root = _Node()
        self._exact: dict[str, str] = {}  # folded name/alias -> slug (strong aliases only)
        seen: dict[str, str] = {}
        for org in self.organisations:
            weak = set(org.weak_aliases)
            for surface in dict.fromkeys((org.name, *org.aliases, *org.weak_aliases)):
                strength: Strength = "weak" if surface in weak else ("name" if surface == org.name else "alias")
                self._add(surface, org.slug, strength, seen)
        for org in self.organisations:
            # "CMA-CGM", "Activision-Blizzard": a name's words joined by hyphens are the same name.
            for surface in (org.name, *org.aliases):
                variant = _hyphenated(surface)
                if variant is not None and variant.translate(_TYPOGRAPHY) not in seen:
                    seen[variant] = org.slug
                    self._exact.setdefault(_fold(variant), org.slug)
                    self._insert(variant, org.slug, "name" if surface == org.name else "alias")
        for person in self.people:
            for surface in dict.fromkeys((person.name, *person.aliases)):
                single = len(surface.split()) == 1
                strength = "name" if surface == person.name else ("surname" if single else "alias")
                self._add(surface, person.slug, strength, seen)
        for product in self.products:
            self._insert(product, product, "product")
        self._weak: dict[str, Organisation | None] = {}
        for org in self.organisations:
            for surface in org.weak_aliases:
                key = _fold(_norm_space(surface))
                # A short form two organisations share resolves to neither.
                self._weak[key] = org if self._weak.get(key, org) is org else None
        seats: dict[str, list[Organisation]] = defaultdict(list)
        for org in self.organisations:
            for city in org.headquarters:
                seats[city].append(org)
        self.seats: dict[str, Organisation] = {city: orgs[0] for city, orgs in seats.items() if len(orgs) == 1}
        self.metonym_re: re.Pattern[str] | None = (
            re.compile(
                rf"(?i:\b(?:{_METONYM_HEADS})(?:\s+[{_LOW}-]+){{0,2}}?\s+(?:de|d['’])\s?)"
                rf"(?P<city>{'|'.join(re.escape(c) for c in sorted(self.seats, key=len, reverse=True))})(?!\w)"
            )
            if self.seats
            else None
        )
        self._cues: dict[str, re.Pattern[str]] = {
            org.slug: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(_fold(c)) for c in org.cues) + r")(?!\w)")
            for org in self.organisations
            if org.cues
        }
        self.divisions: frozenset[str] = frozenset(divisions)
        places = places or Places()
        self.government_verbs: frozenset[str] = frozenset(places.government_verbs)
        self._places: dict[str, Place] = {}
        for place in places.places:
            if place.government is not None and not isinstance(self._by_slug.get(place.government), Organisation):
                raise ValueError(f"place {place.name!r} stands for unknown organisation {place.government!r}")
            for surface in (place.name, *place.aliases):
                self._places.setdefault(_fold(_norm_space(surface)), place)
        seats_of_power = sorted(
            (s for p in places.places if p.government for s in (p.name, *p.aliases)), key=len, reverse=True
        )
        self.government_place_re: re.Pattern[str] | None = (
            re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, seats_of_power))})(?![\w-])")
            if seats_of_power
            else None
        )
        self._fuzzy_choices: dict[EntityKind, tuple[list[str], list[str], list[str]]] = {}
        by_kind: tuple[tuple[EntityKind, Sequence[Record]], ...] = (
            ("organisation", self.organisations),
            ("person", self.people),
        )
        for kind, group in by_kind:
            squashed: list[str] = []
            spaced: list[str] = []
            slugs: list[str] = []
            for rec in group:
                names = (rec.name, *rec.aliases)
                for surface in names:
                    # Single-word person aliases are surnames: fuzzy-matching them invites homonyms.
                    if kind == "person" and len(surface.split()) == 1:
                        continue
                    if len(_squash(surface)) < 5:
                        continue
                    squashed.append(_squash(surface))
                    spaced.append(_norm_space(re.sub(r"[^\w]+", " ", _fold(surface))))
                    slugs.append(rec.slug)
            self._fuzzy_choices[kind] = (squashed, spaced, slugs)

    # -- construction ------------------------------------------------------------------------

    def _add(self, surface: str, slug: str, strength: Strength, seen: dict[str, str]) -> None:
        key = surface.translate(_TYPOGRAPHY)
        if seen.get(key, slug) != slug:
            raise ValueError(f"alias {surface!r} used by both {seen[key]!r} and {slug!r}")
        seen[key] = slug
        if strength != "weak":
            self._exact.setdefault(_fold(_norm_space(surface)), slug)
        self._insert(surface, slug, strength)

    def _insert(self, surface: str, slug: str, strength: Strength) -> None:
        toks = list(_TOKEN_RE.finditer(surface))
        if not toks:
            return
        words = tuple(t.group().translate(_TYPOGRAPHY) for t in toks)
        gaps = tuple(toks[i].start() > toks[i - 1].end() for i in range(1, len(toks)))
        # CamelCase names ("OpenAI") and descriptions written in lower case ("gouvernement japonais",
        # "justice américaine") are matched whatever their capitalisation in the text.
        case_free = strength in ("name", "alias") and (
            (len(surface) >= 5 and bool(_CAMEL_RE.search(surface))) or _is_description(surface)
        )
        node = self._root
        for w in words:
            node = node.children.setdefault(w.casefold(), _Node())
        node.aliases.append(_Alias(words, gaps, slug, strength, case_free))

    @classmethod
    def from_dir(cls, path: Path) -> Gazetteer:
        orgs = msgspec.json.decode((path / "organisations.json").read_bytes(), type=list[Organisation])
        governments_path = path / "governments.json"
        if governments_path.exists():
            orgs += msgspec.json.decode(governments_path.read_bytes(), type=list[Organisation])
        people = msgspec.json.decode((path / "people.json").read_bytes(), type=list[Person])
        stop_path = path / "stoplist.json"
        stoplist = msgspec.json.decode(stop_path.read_bytes(), type=Stoplist) if stop_path.exists() else Stoplist()
        places_path = path / "places.json"
        places = msgspec.json.decode(places_path.read_bytes(), type=Places) if places_path.exists() else Places()
        divisions_path = path / "divisions.json"
        divisions = (
            msgspec.json.decode(divisions_path.read_bytes(), type=Divisions).words if divisions_path.exists() else ()
        )
        return cls(orgs, people, stoplist, places, divisions)

    # -- lookup ------------------------------------------------------------------------------

    def get(self, slug: str) -> Record | None:
        return self._by_slug.get(slug)

    def kind_of(self, slug: str) -> EntityKind | None:
        rec = self._by_slug.get(slug)
        if rec is None:
            return None
        return "organisation" if isinstance(rec, Organisation) else "person"

    def weak_owner(self, name: str) -> Organisation | None:
        """The one organisation whose weak alias ``name`` is, if any."""
        return self._weak.get(_fold(_norm_space(name)))

    def is_product(self, name: str) -> bool:
        spaced = _norm_space(name)
        return spaced in self._upper_products or _fold(spaced) in self._folded_products

    def is_generic(self, name: str) -> bool:
        return _fold(_norm_space(name)) in self._folded_generic

    def place(self, name: str) -> Place | None:
        """The country, state, region or city ``name`` names, if any."""
        return self._places.get(_fold(_norm_space(name)))

    def resolve(self, name: str, kind: EntityKind | None = None, *, fuzzy: bool = True) -> tuple[Record, float] | None:
        """Resolve a name to a gazetteer record: exact alias (score 100) or fuzzy (score ≥ 90)."""
        folded = _fold(_norm_space(name))
        slug = self._exact.get(folded) or self._exact.get(_strip_corporate_suffix(folded))
        if slug is not None and (kind is None or self.kind_of(slug) == kind):
            return self._by_slug[slug], 100.0
        if not fuzzy or self.is_product(name):
            return None
        best: tuple[Record, float] | None = None
        kinds: tuple[EntityKind, ...] = (kind,) if kind is not None else ("organisation", "person")
        for k in kinds:
            found = self._fuzzy(name, k)
            if found is not None and (best is None or found[1] > best[1]):
                best = found
        return best

    def _fuzzy(self, name: str, kind: EntityKind) -> tuple[Record, float] | None:
        squashed, spaced, slugs = self._fuzzy_choices[kind]
        query = _squash(name)
        if len(query) < 5 or (kind == "person" and len(name.split()) < 2):
            return None
        best: tuple[str, float] | None = None
        hit = process.extractOne(query, squashed, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
        if hit is not None:
            best = (slugs[hit[2]], float(hit[1]))
        query_spaced = _norm_space(re.sub(r"[^\w]+", " ", _fold(name)))
        hit = process.extractOne(query_spaced, spaced, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_THRESHOLD)
        if hit is not None and (best is None or hit[1] > best[1]):
            best = (slugs[hit[2]], float(hit[1]))
        if best is None:
            return None
        return self._by_slug[best[0]], best[1]

    def cue_near(self, slug: str, window: str) -> bool:
        pattern = self._cues.get(slug)
        return pattern is not None and pattern.search(window) is not None

    # -- matching ----------------------------------------------------------------------------

    def scan(self, toks: Sequence[_Tok]) -> list[_Hit]:
        """Leftmost-longest alias matches over a token sequence (products included)."""
        hits: list[_Hit] = []
        keys = [t[_TEXT].translate(_TYPOGRAPHY).casefold() for t in toks]
        root = self._root.children
        n = len(toks)
        i = 0
        while i < n:
            node = root.get(keys[i])
            if node is None:
                i += 1
                continue
            ends: list[tuple[int, _Node]] = []
            j = i
            while True:
                if node.aliases:
                    ends.append((j + 1, node))
                j += 1
                if j >= n:
                    break
                nxt = node.children.get(keys[j])
                if nxt is None:
                    break
                node = nxt
            hit = self._best_hit(toks, i, ends)
            if hit is None:
                i += 1
                continue
            hits.append(hit)
            if hit.alias.strength == "product":
                # "Google Cloud" is a product, but it still names Google.
                inner = self._best_hit(toks, i, [e for e in ends if e[0] < hit.last], products=False)
                if inner is not None and inner.alias.strength != "weak":
                    hits.append(inner)
            i = hit.last
        return hits

    def _best_hit(
        self, toks: Sequence[_Tok], i: int, ends: list[tuple[int, _Node]], *, products: bool = True
    ) -> _Hit | None:
        for last, node in reversed(ends):
            span_toks = toks[i:last]
            gaps = tuple(span_toks[k][_START] > span_toks[k - 1][_END] for k in range(1, len(span_toks)))
            words = tuple(t[_TEXT].translate(_TYPOGRAPHY) for t in span_toks)
            upper = all(not c.islower() for w in words for c in w) and sum(c.isalpha() for w in words for c in w) >= 4
            for alias in node.aliases:
                if alias.gaps != gaps or (not products and alias.strength == "product"):
                    continue
                if alias.surface == words:
                    conf = {"name": CONF_NAME, "alias": CONF_ALIAS}.get(alias.strength, CONF_SHORT)
                elif (
                    alias.case_free
                    or (upper and alias.strength in ("name", "alias") and len(alias.surface[0]) > 1)
                    or (words[1:] == alias.surface[1:] and words[0] == _sentence_case(alias.surface[0]))
                ):
                    conf = CONF_SHORT
                else:
                    continue
                return _Hit(span_toks[0][_START], span_toks[-1][_END], i, last, alias, conf)
        return None


def _is_description(surface: str) -> bool:
    """Several words, all in lower case: a description ("gouvernement chinois"), not a name."""
    return len(surface.split()) > 1 and surface == surface.lower() and any(c.isalpha() for c in surface)


def _sentence_case(word: str) -> str:
    """``"ministère"`` → ``"Ministère"``: a lower-case alias starting a sentence."""
    return word[:1].upper() + word[1:]


def _hyphenated(surface: str) -> str | None:
    """``"CMA CGM"`` → ``"CMA-CGM"`` for names of two or three plain words, else None."""
    words = surface.split()
    if not 2 <= len(words) <= 3 or not all(w.isalnum() for w in words):
        return None
    return "-".join(words)


def _strip_corporate_suffix(folded: str) -> str:
    return re.sub(r"[\s,]+(?:inc|corp|corporation|ltd|llc|sa|sas|plc|gmbh|ag|co)\.?$", "", folded)


@functools.cache
def load_gazetteer() -> Gazetteer:
    return Gazetteer.from_dir(KNOWLEDGE_DIR)


class _Owners(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    about: str
    owners: dict[str, str]


@functools.cache
def product_owners() -> dict[str, str]:
    """Well-known product name → the slug of the organisation that makes it."""
    return msgspec.json.decode((KNOWLEDGE_DIR / "product_owners.json").read_bytes(), type=_Owners).owners


@functools.cache
def products_of(slug: str) -> tuple[str, ...]:
    return tuple(product for product, owner in product_owners().items() if owner == slug)
