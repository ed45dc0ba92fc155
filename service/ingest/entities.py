"""Find organisations and people mentioned in an article and resolve them to stable slugs.

Three layers, most trusted first:

1. the curated gazetteer (``seeds/knowledge``): names and aliases matched on word tokens with a
   token trie, so French elisions (``d’OpenAI``), hashtags and quotes need no special casing;
2. spaCy NER for names the gazetteer lacks, kept only when the context says what they are
   (spaCy's labels on tech names are unreliable: ``xAI`` comes out as PER or LOC);
3. in-text coreference: a surname or an organisation's first word, once the full name has been
   seen in the same text (``Lapsa`` → Andy Lapsa, ``Stoke`` → Stoke Space).

Places (``places.json``) are never organisations, except a country or capital that is the subject
of a government act (``Pékin a restreint…``): it stands for its government (``governments.json``).

Offsets are Python string indices into the verbatim text: ``text[m.start:m.end] == m.text``.

Confidence: gazetteer full name 0.99, other alias 0.97, surname / case variant / corroborated
short form 0.95; a first name sharing a listed surname 0.9; a country acting as its government
0.85; fuzzy match 0.8–0.9; a company's division 0.8; NER with context cues 0.6–0.8 (new
entities); anything below 0.6 is dropped.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import msgspec
from rapidfuzz import fuzz, process

from service.ingest.nlp import load_nlp
from service.ingest.types import EntityKind, EntityMention, Sentence

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "seeds" / "knowledge"

OrgKind = Literal["ai_lab", "big_tech", "aerospace", "investor", "chipmaker", "media", "government", "energy", "other"]

MIN_CONFIDENCE = 0.6
FUZZY_THRESHOLD = 90.0

# Gazetteer confidences: the more specific the matched string, the surer the resolution.
CONF_NAME = 0.99
CONF_ALIAS = 0.97
CONF_SHORT = 0.95  # surname alone, case variant, corroborated weak alias, surname seen in text
CONF_NER_CAP = 0.8
CONF_IN_TEXT_NEW = 0.7
CONF_APPOSITION = 0.75
CONF_GOVERNMENT = 0.85  # a country or capital as the subject of a government act
CONF_DIVISION = 0.8  # "Broadcom Software": a known company's name and a division word
CONF_SHARED_SURNAME = 0.9  # "Dario et Daniela Amodei": the first of two first names sharing a surname


# --------------------------------------------------------------------------------------------
# Gazetteer records


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


class NewEntity(msgspec.Struct, frozen=True):
    """An organisation or person found in text but absent from the gazetteer."""

    slug: str
    name: str
    kind: EntityKind
    org_kind: str | None


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
# Word lists (French news about tech companies)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# First names: the strongest shape cue that two capitalised words are a person.
FIRST_NAMES: frozenset[str] = _wordset(
    """
    Jean Pierre Paul Jacques Michel Philippe Alain Patrick Nicolas Christophe François Daniel Bernard Eric Éric
    Frédéric Laurent Stéphane David Olivier Thierry Sébastien Julien Guillaume Thomas Antoine Alexandre Maxime
    Vincent Emmanuel Marc Luc Louis Arthur Hugo Lucas Mathieu Matthieu Romain Benoît Bruno Cédric Didier
    Dominique Fabrice Franck Gilles Hervé Jérôme Jean-Pierre Jean-Marc Jean-Luc Jean-Louis Jean-Claude
    Jean-Michel Jean-François Jean-Baptiste Jean-Paul Jean-Yves Joël Lionel Ludovic Pascal Raphaël Rémi Sylvain
    Timothée Xavier Yann Yannick Yves Gérard René Rene Roger Henri Georges Charles Gabriel Léo Adrien Baptiste
    Benjamin Clément Damien Florian Gaël Jonathan Kevin Loïc Mickaël Quentin Samuel Simon Tristan Valentin
    Victor Thibault Thibaut Cyril Arnaud Aurélien Bastien Fabien Grégoire Jérémy Mehdi Karim Rodolphe Édouard
    Edouard Gaspard Marius Martin Jules Théo Nathan Noé Bertrand Hubert Guy Serge Denis Claude Marcel André
    Marie Anne Sophie Isabelle Catherine Nathalie Christine Sylvie Valérie Sandrine Céline Julie Aurélie Camille
    Claire Caroline Charlotte Chloé Clémence Delphine Élise Elise Emma Emilie Émilie Florence Hélène Juliette
    Laure Laura Léa Louise Lucie Manon Margaux Mathilde Pauline Sarah Virginie Agnès Alice Amélie Anaïs Audrey
    Brigitte Cécile Corinne Élodie Estelle Fanny Françoise Geneviève Inès Jeanne Laetitia Laurence Lina Maud
    Mélanie Monique Muriel Nadia Nicole Océane Patricia Pascale Rachel Sabine Ségolène Solène Stéphanie
    Véronique Zoé Fidji Clara Anna Eva Ursula Margrethe Agathe Gwynne Safra Mira Daniela Cathie Lisa Linda
    Shivon Abigail Sheryl Susan Meg Ginni Ruth Amy Helen Fei-Fei Melinda Melania Ivanka Lara Kamala Hillary
    Nancy Elizabeth Kate Katherine Jennifer Jessica Michelle Rebecca Lauren Emily Hannah Olivia Sofia Maria
    Mary Barbara Karen Priya Kirsten Tiffany Julia Sara Natalie Angela Giorgia Ashley Diane Joanna Kara
    John James Robert Michael William Richard Joseph Christopher Matthew Anthony Mark Donald Steven Steve
    Andrew Andy Joshua Josh Kenneth Brian George Timothy Tim Ronald Jason Edward Jeffrey Jeff Ryan Jacob Gary
    Nicholas Jonathan Stephen Larry Justin Scott Brandon Ben Sam Gregory Greg Frank Alexander Alex Raymond Jack
    Dennis Jerry Tyler Aaron Henry Adam Douglas Doug Peter Zachary Kyle Walter Harold Jeremy Ethan Carl Keith
    Gerald Christian Terry Sean Austin Noah Lawrence Jesse Joe Bryan Billy Bill Bob Bobby Jordan Dylan Bruce
    Albert Alan Juan Logan Wayne Ralph Roy Eugene Randy Russell Philip Phil Johnny Mike Dave Jim Tom Tony Nick
    Chris Matt Dan Ken Ron Rob Jon Don Ted Ed Pat Fred Jay Ray Howard Marco Luca Giovanni Giuseppe Stefano Paolo
    Carlos José Luis Miguel Pedro Diego Pablo Javier Hans Klaus Jürgen Stefan Markus Lars Sven Erik Anders
    Magnus Jens Niklas Dmitri Sergei Sergey Ivan Igor Andrei Mikhail Oleg Kai Linus Shane Cody Chad Derek Grant
    Ian Neil Owen Reed Seth Spencer Trevor Wade Warren Marcus Elliott Gavin Graham Jake Leo Liam Luke Max Miles
    Oliver Oscar Harry Charlie Isaac Joel Lewis Mason Rory Toby Colin Geoffrey Yoshua Koray Oriol Elon Satya
    Sundar Demis Dario Ilya Masayoshi Masa Jensen Mustafa Reid Vinod Pavel Kimbal Errol Maye Travis Brad Bret
    Jony Andrej Noam Aidan Alexandr Nat Aravind Emad Robin Pony Jonas Hock Cristiano Lip-Bu Morris Will Jared
    Josef Roelof Chase Garry Hemant Antonio Yasir Peng Yuri Youri Vivek Parag Evan Neal Arvind Palmer Kai-Fu
    Misha Brett Mati Jan Hunter Eiso Barack Vladimir Volodymyr Olaf Friedrich Keir Rishi Boris Narendra Recep
    Mohammed Mohammad Muhammad Ahmed Khalid Ali Omar Hassan Abdullah Faisal Hiroshi Takeshi Akio Kenji Raj
    Rahul Amit Anil Sanjay Vijay Sunil Ravi Arjun Deepak Ajay Naveen Lina Marissa Reed Jakub Mark Kevin Fidji
    """
)

# Particles allowed inside personal names ("Thibault de Varenne", "Ursula von der Leyen").
_PARTICLES = _wordset("de du des d' la le van von der den bin ben al el da di dos ibn zu ter")

# Tokens stripped from the edges of an NER span before it is judged.
_LEADING_DROP = _wordset(
    """
    le la les l' un une des de du d' au aux et ou sur par chez selon via avec pour dans en à a qu' que
    of and for on in by
    pdg ceo cto cfo patron patronne m m. mme monsieur madame président présidente directeur directrice
    fondateur fondatrice cofondateur cofondatrice dirigeant dirigeante milliardaire
    société entreprise start-up startup groupe firme laboratoire labo fonds filiale média journal
    quotidien agence opérateur constructeur fabricant géant rival concurrent section modèle projet
    programme plateforme réseau application service
    """
)

# Final words that make a capitalised span an organisation ("Nebula Robotics", "Thrive Capital").
ORG_SUFFIXES: frozenset[str] = _wordset(
    """
    labs lab ai technologies technology tech capital ventures partners systems robotics energy space
    aerospace inc corp corporation group holdings holding bank fund foundation research dynamics
    semiconductor semiconductors networks computing motors industries media studios therapeutics software
    power fusion nuclear solutions analytics intelligence investments management advisors sa sas se ag gmbh
    llc ltd plc co company compute cloud data digital security biotech pharma games entertainment
    electric electronics instruments microsystems orbital launch rocket rockets satellites mobility
    automotive airlines bio logistics partnership alliance consortium coalition association institute
    council agency authority
    """
)

# Generic English/French words too common to serve as an organisation's short form.
_WEAK_PREFIXES = _wordset(
    """
    general global public united national international world safe open new first big black blue red
    green thinking physical advanced applied digital data social royal american european french the le la les
    """
)

_WS = r"[\s\u00a0\u202f]*"
_QUOTE = r"[«“\"'‘]?"
_ORG_CUE_WORDS = (
    r"societe|entreprise|start-?up|jeune pousse|groupe|firme|laboratoire|labo|fonds|filiale|compagnie|"
    r"constructeur|fabricant|geant|editeur|operateur|fournisseur|cabinet|banque|media|journal|quotidien|"
    r"agence|organisation|fondation|consortium|coentreprise|licorne|plateforme|developpeur|specialiste|"
    r"equipementier|assureur|gestionnaire d'actifs|investisseur|concurrent|rival|marque|acteur|chaine|"
    r"association|ong|syndicat|federation|coalition|collectif|institut|conglomerat|distributeur|concepteur|"
    r"maison mere|proprietaire"
)
# "la start-up de fusées X", "la société X", "chez X", "le PDG de X", "cofondateur d'X", "racheter X".
_ORG_LEFT_RE = re.compile(
    rf"(?:\b(?:{_ORG_CUE_WORDS})(?:[\s\u00a0\u202f]+[\w'-]+){{0,3}}|"
    r"\b(?:co-?)?fondat(?:eur|rice)s? (?:de|du|d')|\b(?:pdg|ceo|patron(?:ne)?|directeur general|"
    r"directrice generale|president(?:e)? (?:du conseil )?|dirigeant(?:e)?|employes?|salaries?|ingenieurs?|"
    r"actionnaires?|investisseurs?) (?:de|du|d'|chez)|\bchez|\b(?:rachat|acquisition|rachete|racheter|"
    r"acquerir|participation) (?:de|du|d'|dans)|\binvesti(?:r|t)? dans|\bpartenariat avec|\baccord avec|"
    r"\bfiliale (?:de|d')|\bmaison mere (?:de|d')|"
    # "racheté Altran", "acquis WNS": the object of a purchase.
    r"\b(?:rachete|rachetee|racheter|rachetera|acquis|acquiert|acquerir|acquerra|absorbe)|"
    # "ses concurrents américains, dont Accenture", "des groupes comme Siemens".
    rf"\b(?:{_ORG_CUE_WORDS})s?(?:[\s\u00a0\u202f]+[\w'-]+){{0,2}}\s*,?\s*(?:dont|comme|tels? que|notamment|"
    r"parmi lesquels|a l'instar de|y compris))"
    rf"{_WS}[,:]?{_WS}{_QUOTE}{_WS}$"
)
# A company noun in apposition right after the name: the strongest cue on that side.
_ORG_APPOSITION_RIGHT_RE = re.compile(
    rf"^{_WS}[»”\"']?{_WS}(?:,{_WS}(?:une|la|le|l'|un)?{_WS}(?:{_ORG_CUE_WORDS})\b|"
    r"\((?:une |la )?(?:societe|entreprise|start-?up|filiale|groupe)\b|"
    # A group owning titles, brands or sites ("Ziff Davis, propriétaire de plusieurs sites").
    r",?\s*(?:proprietaire|editeur|maison mere) (?:de |d'|du |des )(?:plusieurs |nombreux |nombreuses )?"
    r"(?:sites|titres|marques|medias|journaux|magazines|chaines|applications|jeux)\b|"
    # Raising money: "X a levé…", "X annonce une levée de fonds" (people do not raise rounds).
    r"(?:a |avait |aurait |vient d'|va )?(?:leve|lever|boucle|bouclé|finalise|realise|annonce|a annonce)"
    r"(?: avoir leve)?(?: mardi| lundi| mercredi| jeudi| vendredi)? (?:une |un |sa |son |\d)"
    r"(?:levee|tour|serie|financement|augmentation de capital|[\d ,.]+ (?:millions?|milliards?|m€|md€))"
    r"|(?:a |avait |aurait )leve\b)"
)
_ORG_RIGHT_RE = re.compile(
    rf"^{_WS}[»”\"']?{_WS}(?:"
    r"(?:a ete |avait ete |est |, )?(?:co-?)?(?:fondee|creee|basee|detenue|rachetee|valorisee)\b|"
    r"(?:a|avait|aurait) leve\b|(?:inc|corp|ltd|llc|sa|sas|plc|gmbh)\b|"
    # Reporting verbs: with a non-person name in front, a newsroom or a company speaking.
    r"(?:a |avait )?(?:rapporte|revele|publie|confirme|communique)\b)"
)
# After a name spaCy calls an organisation: the verbs of company news (persons get no credit for them).
_ORG_DEAL_VERB_RE = re.compile(
    r"^\s*(?:a |avait |va |vient de |devrait )?(?:rachet\w*|finalis\w*|acquier\w*|acquis|investi\w*|"
    r"signe|signe un|conclu\w*|detien\w*|detenu|possede|controle|emploie|commercialis\w*|fabrique|"
    r"leve|a leve|cede|boucle|prevoit|annonce)\b"
)
_PERSON_CUE_WORDS = (
    r"pdg|ceo|patron(?:ne)?|(?:co-?)?fondat(?:eur|rice)|president(?:e)?|directeur|directrice|dirigeant(?:e)?|"
    r"m\.?|mme|monsieur|madame|milliardaire|entrepreneu(?:r|se)|investisseu(?:r|se)|chercheu(?:r|se)|"
    r"ingenieur(?:e)?|analyste|economiste|ministre|secretaire|senat(?:eur|rice)|depute(?:e)?|juge|"
    r"avocat(?:e)?|porte-parole|journaliste|professeur(?:e)?|expert(?:e)?|responsable|administrat(?:eur|rice)|"
    r"chairman|founder|cto|cfo|coo|associe(?:e)?|vice-president(?:e)?"
)
_PERSON_LEFT_RE = re.compile(
    rf"(?:\b(?:{_PERSON_CUE_WORDS})(?:\s+(?:de|du|d')\s*\S+\s*,)?|\bselon|\bpar|\bd'apres|\bavec)\s*[,:]?\s*$"
)
_PERSON_RIGHT_RE = re.compile(
    r"^\s*(?:,\s*)?(?:qui\s+)?(?:a|avait|aurait|n'a|ne\s+l'a)?\s*(?:pas\s+)?"
    r"(?:declare|dit|ecrit|affirme|explique|estime|ajoute|souligne|precise|indique|annonce|confie|repondu|"
    r"reconnu|assure|rappele|tweete|publie|fonde|cofonde|co-fonde|lance|dirige|souhaite|pense|croit|"
    r"raconte|insiste|admet|nie|temoigne|averti|prevenu|promis|quitte|rejoint|demissionne)\b|"
    rf"^\s*,\s*(?:le |la |l'|son |sa |notre |ancien |ancienne )?(?:{_PERSON_CUE_WORDS})\b|^\s*\(\s*\d{{2}}\s*ans"
)
# A word just before a name that makes the name a product, project or vehicle, not a company.
_PRODUCT_LEFT_RE = re.compile(
    r"\b(?:modele|produit|application|appli|logiciel|chatbot|assistant|puce|puces|processeur|fusee|lanceur|"
    r"satellite|vaisseau|voiture|vehicule|robot|smartphone|telephone|jeu|film|serie|livre|version|projet|"
    r"programme|operation|mission|systeme|baptise|baptisee|nomme|nommee|appele|appelee|surnomme|cryptomonnaie|"
    r"jeton|token|outil|agent|accelerateur|casque|lunettes|console|montre|tablette|ordinateur|navigateur|"
    r"moteur|carte graphique|gpu|fonction|fonctionnalite|format|service)\s*[«“\"']?\s*$"
)
# A single code of capitals and digits ("MI308", "H20", "B200") names a product or model, not a company.
_CODE_NAME_RE = re.compile(r"^[A-Z]{1,4}-?\d{2,5}[A-Za-z]?$")
_VERSION_RE = re.compile(r"^(?:v?\d[\w.]*|[A-Z]\d+\w*)$")
# Between two items of a list; the preposition may be repeated ("de Michelin et de Schneider Electric").
_LIST_GAP_RE = re.compile(
    r"^[\s\u00a0\u202f]*(?:,|et|ou|and|&|,[\s\u00a0\u202f]*(?:et|ou))"
    r"(?:[\s\u00a0\u202f]+(?:de|du|d['’]|à|chez|avec))?[\s\u00a0\u202f]*$"
)

_UP = "A-ZÀ-ÖØ-Þ"
# Head nouns of "le groupe de Redmond", "le géant de Cupertino" (a company named by its seat).
_METONYM_HEADS = (
    r"groupe|g[ée]ant|firme|soci[ée]t[ée]|entreprise|constructeur|fabricant|[ée]diteur|multinationale|mastodonte|"
    r"num[ée]ro\s+un|g[ée]ant\s+am[ée]ricain"
)
_LOW = "a-zß-öø-ÿœ"
# Nouns that introduce a company's name in apposition: "la start-up lyonnaise Hexalune",
# "le fonds d’investissement Silver Lake", "l’éditeur américain Altair" (accents optional).
_APPOSITION_NOUNS = (
    r"start-?up|jeune\s+pousse|soci[ée]t[ée]|entreprise|firme|groupe(?:\s+de\s+presse)?|[ée]diteur|fabricant|"
    r"constructeur|fonds|licorne|p[ée]pite|sp[ée]cialiste|laboratoire|op[ée]rateur|[ée]quipementier|cabinet|"
    r"banque|association|organisation|ONG|assureur|fournisseur|concepteur|d[ée]veloppeur|compagnie|"
    r"quotidien|magazine|journal|m[ée]dia|agence|filiale|conglom[ée]rat|distributeur|n[ée]obanque|plateforme\s+de\s+[\w-]+|"
    # A nationality used as a noun, lower-case, is a company ("l'indien Bharti Enterprises", "le
    # chinois Huawei"); a person would be "l'Indien", capitalised.
    r"(?-i:am[ée]ricaine?|fran[çc]aise?|chinoise?|japonaise?|(?:sud-)?cor[ée]en(?:ne)?|ta[ïi]wanaise?|indien(?:ne)?|"
    r"britannique|allemande?|n[ée]erlandaise?|isra[ée]lien(?:ne)?|[ée]miratie?|canadien(?:ne)?|su[ée]doise?|"
    r"italien(?:ne)?|espagnole?|saoudien(?:ne)?|suisse|europ[ée]en(?:ne)?)"
)
# Words that may stand between such a noun and the name: adjectives and "de"-complements, not
# prepositions or verbs ("la start-up américaine à l’origine de…" names nothing).
_NOT_MODIFIER = (
    r"à|au|aux|en|dans|sur|par|pour|avec|sans|chez|qui|que|dont|et|ou|mais|a|est|sont|était|sera|ont|vont|va|"
    r"n['’]|ne|se|s['’]|l['’]|la|le|les|un|une|des|du|de|d['’]|ce|cet|cette|ses|son|sa|leur|leurs"
)
_MODIFIER = rf"(?:(?:de\s+|d['’]\s?)?(?!(?:{_NOT_MODIFIER})\b)[{_LOW}][\w’'-]*)"
_APPOSITION_HEAD = (
    rf"(?i:\b(?:la|le|l['’]|les|du|de\s+la|au|à\s+la|aux|des|une?|son|sa|ses|leur)\s*(?:{_APPOSITION_NOUNS}))"
)
_ADJACENT_ORG_CUE_RE = re.compile(rf"{_APPOSITION_HEAD}(?:\s+{_MODIFIER}){{0,3}}\s+$")
_APPOSITION_NAME_RE = re.compile(
    rf"{_APPOSITION_HEAD}(?:\s+{_MODIFIER}){{0,3}}\s+"
    rf"(?P<name>[{_UP}][\w&’'.-]*(?:\s+(?:&\s+)?[{_UP}0-9][\w&’'.-]*){{0,3}})"
)

# Context words that hint at the kind of a new organisation (for `new_entities`).
_KIND_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aerospace", re.compile(r"\b(?:fusees?|spatiale?s?|lanceurs?|satellites?|orbit\w*|aerospatial\w*)\b")),
    ("chipmaker", re.compile(r"\b(?:puces?|semi-conducteurs?|processeurs?|fondeur|gpu)\b")),
    ("investor", re.compile(r"\b(?:fonds|capital-risque|investisseurs?|gestionnaire d'actifs|family office)\b")),
    ("energy", re.compile(r"\b(?:energie|nucleaire|fusion|electricite|reacteurs?|centrales?)\b")),
    ("media", re.compile(r"\b(?:media|journal|quotidien|magazine|site d'information|chaine|agence de presse)\b")),
    ("government", re.compile(r"\b(?:ministere|gouvernement\w*|regulateur|autorite|agence federale|administration)\b")),
    ("ai_lab", re.compile(r"\b(?:ia|intelligence artificielle|modeles? de langage|laboratoire d'ia|llm)\b")),
)
_SUFFIX_KINDS: dict[str, str] = {
    "space": "aerospace", "aerospace": "aerospace", "orbital": "aerospace", "launch": "aerospace",
    "rocket": "aerospace", "rockets": "aerospace", "satellites": "aerospace",
    "ai": "ai_lab", "intelligence": "ai_lab",
    "capital": "investor", "ventures": "investor", "partners": "investor", "fund": "investor",
    "investments": "investor", "management": "investor", "advisors": "investor",
    "energy": "energy", "power": "energy", "fusion": "energy", "nuclear": "energy",
    "semiconductor": "chipmaker", "semiconductors": "chipmaker", "microsystems": "chipmaker",
    "media": "media",
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Gazetteer

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


def _strip_legal_form(name: str) -> str:
    """``"Foobar Inc."`` → ``"Foobar"``: the legal form is not part of the entity's name."""
    stripped = re.sub(r"[\s,]+(?:Inc|Corp|Ltd|LLC|SA|SAS|PLC|plc|GmbH|AG)\.?$", "", name)
    return stripped or name


@functools.cache
def load_gazetteer() -> Gazetteer:
    return Gazetteer.from_dir(KNOWLEDGE_DIR)


# --------------------------------------------------------------------------------------------
# Mention finding


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    kind: EntityKind
    slug: str
    name: str
    source: Literal["gazetteer", "ner"]
    confidence: float
    sent: int


@dataclass(slots=True)
class _SentCtx:
    """One sentence and what has been found in it (overlap checks stay sentence-local, hence linear)."""

    index: int
    start: int
    end: int
    toks: list[_Tok]
    cands: list[_Cand] = field(default_factory=list)
    products: list[tuple[int, int]] = field(default_factory=list)

    def taken(self, start: int, end: int) -> bool:
        return any(c.start < end and start < c.end for c in self.cands)


class _Exclusions:
    """Byline/author names: never people, nor any mention made only of their words."""

    def __init__(self, names: Collection[str]) -> None:
        self.full = {_fold(_norm_space(n)) for n in names if n.strip()}
        self.words = [set(_fold(n).replace("-", " ").split()) for n in self.full]

    def blocks(self, name: str, text: str) -> bool:
        if not self.full:
            return False
        if _fold(_norm_space(name)) in self.full or _fold(_norm_space(text)) in self.full:
            return True
        words = set(_fold(text).replace("-", " ").split())
        return bool(words) and any(words <= ws for ws in self.words)


def find_entities(
    text: str,
    sentences: Sequence[Sentence],
    docs: Sequence[Doc] | None = None,
    *,
    exclude_names: Collection[str] = (),
) -> list[EntityMention]:
    """Organisation and person mentions inside `sentences`, resolved to slugs.

    `docs` are optional spaCy Docs, one per sentence in order (batch callers run ``nlp.pipe``
    once for many articles); without them the sentences are parsed here. ``source`` is
    ``"gazetteer"`` when the slug is a curated entity and ``"ner"`` for a new one.
    """
    gaz = load_gazetteer()
    if not sentences:
        return []
    spans = [text[s.start : s.end] for s in sentences]
    if docs is None:
        docs = list(load_nlp().pipe(spans, batch_size=256))
    elif len(docs) != len(sentences):
        raise ValueError(f"{len(docs)} docs for {len(sentences)} sentences")
    ctxs = [_SentCtx(k, s.start, s.end, _tokenize(text, s.start, s.end)) for k, s in enumerate(sentences)]
    excl = _Exclusions(exclude_names)

    weak = _gazetteer_pass(gaz, text, ctxs, excl)
    _government_pass(gaz, text, ctxs, docs)
    _weak_pass(gaz, text, ctxs, weak)
    _division_pass(gaz, text, ctxs)
    _ner_pass(gaz, text, ctxs, docs, spans, excl)
    _apposition_pass(gaz, text, ctxs)
    _shared_surname_pass(gaz, text, ctxs, docs, excl)
    _in_text_pass(gaz, ctxs)
    _propagation_pass(gaz, text, ctxs, excl)

    out: dict[tuple[int, int], EntityMention] = {}
    for c in sorted((c for ctx in ctxs for c in ctx.cands), key=lambda c: (c.start, -c.end)):
        if c.confidence < MIN_CONFIDENCE or (c.start, c.end) in out:
            continue
        if c.kind == "person" and excl.blocks(c.name, text[c.start : c.end]):
            continue
        out[(c.start, c.end)] = EntityMention(
            start=c.start,
            end=c.end,
            text=text[c.start : c.end],
            kind=c.kind,
            slug=c.slug,
            name=c.name,
            source=c.source,
            confidence=round(c.confidence, 3),
        )
    return _defined_acronyms(text, list(out.values()), gaz)


# "l'Autorité de la concurrence et des marchés (CMA)": a name with its acronym right after it.
_ACRONYM_GAP = re.compile(r"[^()]{0,40}?\(\s*$")


def _defined_acronyms(text: str, mentions: list[EntityMention], gaz: Gazetteer) -> list[EntityMention]:
    """A text that gives an organisation's acronym in brackets says which organisation it names:
    the one the gazetteer knows by that acronym, even where the words matched a shorter name of
    another ("l'Autorité de la concurrence et des marchés (CMA)" is the British regulator)."""
    ordered = sorted(mentions, key=lambda m: m.start)
    out = list(ordered)
    for i, (named, acronym) in enumerate(itertools.pairwise(ordered)):
        if named.kind != "organisation" or acronym.kind != "organisation" or named.slug == acronym.slug:
            continue
        if not acronym.text.isupper() or not isinstance(gaz.get(acronym.slug), Organisation):
            continue
        between = text[named.end : acronym.start]
        if _ACRONYM_GAP.fullmatch(between) and text[acronym.end : acronym.end + 2].lstrip().startswith(")"):
            out[i] = msgspec.structs.replace(named, slug=acronym.slug, name=acronym.name)
    return out


def _gazetteer_pass(
    gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx], excl: _Exclusions
) -> list[tuple[_SentCtx, _Hit]]:
    """Names and aliases of the gazetteer; weak aliases are returned, to be judged once every
    strong mention of the text is known."""
    weak: list[tuple[_SentCtx, _Hit]] = []
    for ctx in ctxs:
        for hit in gaz.scan(ctx.toks):
            alias = hit.alias
            if alias.strength == "product":
                ctx.products.append((hit.start, hit.end))
                continue
            if alias.strength == "weak":
                weak.append((ctx, hit))
                continue
            if (
                alias.strength == "surname" or (len(alias.surface) == 1 and gaz.kind_of(alias.slug) == "organisation")
            ) and _other_first_name(gaz, ctx.toks, hit.first):
                continue  # left to NER as a new person ("Henry Ford" is no carmaker)
            rec = gaz.get(alias.slug)
            assert rec is not None
            kind = gaz.kind_of(rec.slug)
            assert kind is not None
            if kind == "person" and excl.blocks(rec.name, text[hit.start : hit.end]):
                continue
            ctx.cands.append(
                _Cand(hit.start, hit.end, kind, rec.slug, rec.name, "gazetteer", hit.confidence, ctx.index)
            )
    if gaz.metonym_re is not None:
        for ctx in ctxs:
            for m in gaz.metonym_re.finditer(text, ctx.start, ctx.end):
                org = gaz.seats[m.group("city")]
                if not ctx.taken(m.start(), m.end()):
                    ctx.cands.append(
                        _Cand(
                            m.start(), m.end(), "organisation", org.slug, org.name, "gazetteer", CONF_SHORT, ctx.index
                        )
                    )
    return weak


def _weak_pass(gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx], weak: Sequence[tuple[_SentCtx, _Hit]]) -> None:
    strong_slugs = {c.slug for ctx in ctxs for c in ctx.cands}
    for ctx, hit in weak:
        if _overlaps(hit.start, hit.end, ctx.products):
            continue
        rec = gaz.get(hit.alias.slug)
        if isinstance(rec, Organisation) and _accept_weak(gaz, text, ctx, hit, rec, strong_slugs):
            ctx.cands.append(
                _Cand(hit.start, hit.end, "organisation", rec.slug, rec.name, "gazetteer", CONF_SHORT, ctx.index)
            )


_SUBJECT_DEPS = frozenset({"nsubj", "nsubj:pass", "obl:agent"})
# What may stand between a subject and its verb: auxiliaries, clitics, negation, adverbs.
_BETWEEN_SUBJECT_AND_VERB = frozenset({"AUX", "PRON", "ADV", "PART"})


def _government_pass(gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx], docs: Sequence[Doc]) -> None:
    """``La Chine s’est opposée…``, ``Bruxelles inflige…``: a country or capital that does what
    governments do is its government (``places.json`` says which); elsewhere it is a place."""
    pattern = gaz.government_place_re
    if pattern is None:
        return
    for ctx, doc in zip(ctxs, docs, strict=True):
        for m in pattern.finditer(text, ctx.start, ctx.end):
            if ctx.taken(m.start(), m.end()):
                continue
            span = doc.char_span(m.start() - ctx.start, m.end() - ctx.start, alignment_mode="expand")
            place = gaz.place(m.group())
            if span is None or place is None or place.government is None:
                continue
            if not _acts_as_government(doc, span.start, span.end, gaz.government_verbs):
                continue
            org = gaz.get(place.government)
            assert org is not None
            ctx.cands.append(
                _Cand(m.start(), m.end(), "organisation", org.slug, org.name, "gazetteer", CONF_GOVERNMENT, ctx.index)
            )


def _acts_as_government(doc: Doc, first: int, last: int, verbs: Collection[str]) -> bool:
    """Whether tokens ``doc[first:last]`` are the subject, or a passive's agent, of one of ``verbs`` (lemmas)."""
    for tok in doc[first:last]:
        if first <= tok.head.i < last:
            continue
        subject, verb = tok, tok.head
        if subject.dep_ == "conj" and verb.dep_ in _SUBJECT_DEPS:
            subject, verb = verb, verb.head  # "Les États-Unis et la Chine ont signé…"
        if subject.dep_ in _SUBJECT_DEPS or _passive_agent(subject, verb):
            return _is_one_of(verb, verbs)
    root = doc[first:last].root
    if root.dep_ == "conj" and root.head.i < first:
        return _acts_as_government(doc, root.head.i, root.head.i + 1, verbs)  # "Tokyo et Washington ont…"
    if root.dep_ != "ROOT" or not (first == 0 or (first == 1 and doc[0].pos_ == "DET")):
        return False
    # The parser sometimes makes a sentence's opening subject a root of its own: its verb is then the
    # next one past its conjuncts ("Pékin a restreint…", "Tokyo et Washington ont conclu…") or hangs
    # below it ("Les États-Unis et le Japon ont signé…").
    conjuncts = {t.i for c in root.children if c.dep_ == "conj" for t in c.subtree}
    following = next((t for t in doc[last:] if t.i not in conjuncts and t.pos_ not in _BETWEEN_SUBJECT_AND_VERB), None)
    if following is not None and following.pos_ == "VERB" and _is_one_of(following, verbs):
        return True
    if following is not None and following.pos_ == "CCONJ":
        # "Pékin et Moscou ont signé…": the parser gave the verb to the second subject alone.
        partner = next((t for t in doc[following.i + 1 :] if t.pos_ != "DET"), None)
        if partner is not None and partner.dep_ in _SUBJECT_DEPS:
            return _is_one_of(partner.head, verbs)
    return any(c.pos_ == "VERB" and c.i >= last and _is_one_of(c, verbs) for c in root.children)


# Endings of the forms of a first-group verb ("financer": financent, financé, financera…).
_ER_VERB_END_RE = re.compile(r"(?:e|es|ent|é|ée|és|ées|ait|aient|ons|ez|era|eront|erait|eraient)$")


def _is_one_of(verb: Token, verbs: Collection[str]) -> bool:
    """Whether ``verb`` is a form of one of ``verbs`` (lemmas), even when the lemmatizer missed it
    (a present plural tagged as an adjective: "financent")."""
    if verb.lemma_.casefold() in verbs:
        return True
    word = verb.lower_
    end = _ER_VERB_END_RE.search(word)
    return end is not None and f"{word[: end.start()]}er" in verbs


def _passive_agent(tok: Token, verb: Token) -> bool:
    """``les sanctions décidées par Washington``: the agent of a past participle."""
    return (
        tok.dep_.startswith("obl")
        and verb.pos_ == "VERB"
        and "Part" in verb.morph.get("VerbForm", [])
        and any(c.dep_ == "case" and c.lower_ == "par" for c in tok.children)
    )


def _division_pass(gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx]) -> None:
    """``Broadcom Software``, ``Intel Capital``: a known company's name followed by a division word
    names a distinct organisation (a subsidiary or a division), not the company itself."""
    for ctx in ctxs:
        toks = ctx.toks
        starts = [t[_START] for t in toks]
        for c in list(ctx.cands):
            if c.kind != "organisation" or c.source != "gazetteer":
                continue
            i = bisect.bisect_left(starts, c.end)
            if i == len(toks) or text[c.end : toks[i][_START]] != " " or toks[i][_TEXT] not in gaz.divisions:
                continue
            nxt = toks[i + 1][_TEXT] if i + 1 < len(toks) else ""
            if (_is_cap(nxt) and _is_word(nxt)) or nxt.casefold() in ("and", "&", "et", "of", "-"):
                continue  # part of a longer name ("Airbus Defence and Space")
            start, end = c.start, toks[i][_END]
            if _overlaps(start, end, ctx.products):
                continue
            name = _norm_space(text[start:end])
            ctx.cands.remove(c)
            ctx.cands.append(_Cand(start, end, "organisation", slugify(name), name, "ner", CONF_DIVISION, ctx.index))


def _other_first_name(gaz: Gazetteer, toks: Sequence[_Tok], i: int) -> bool:
    """``Kimbal Musk``: a surname alias preceded by a different first name is someone else; a
    one-word company name preceded by a first name is a person's surname."""
    if i == 0:
        return False
    _, prev_end, prev = toks[i - 1]
    start, _, word = toks[i]
    if prev not in FIRST_NAMES or prev_end == start:
        return False
    return gaz.resolve(f"{prev} {word}", fuzzy=False) is None


def _accept_weak(
    gaz: Gazetteer,
    text: str,
    ctx: _SentCtx,
    hit: _Hit,
    org: Organisation,
    strong_slugs: set[str],
) -> bool:
    toks = ctx.toks
    surface = text[hit.start : hit.end]
    if len(surface) == 1:
        # A lone capital letter: not glued to punctuation or digits ("X-", "X.AI", "3X"),
        # and not after a capitalised word ("Malcolm X", "Génération X").
        before = text[hit.start - 1] if hit.start > ctx.start else " "
        after = text[hit.end] if hit.end < ctx.end else " "
        after2 = text[hit.end + 1] if hit.end + 1 < ctx.end else " "
        if before in "-./" or before.isalnum() or after in "-/" or after.isalnum():
            return False
        if after == "." and after2.isalnum():
            return False
        if hit.first > 0:
            prev_start, prev_end, prev_word = toks[hit.first - 1]
            if _is_cap(prev_word) and _is_word(prev_word) and not ctx.taken(prev_start, prev_end):
                return False
    else:
        # "Security Exchange Commission", "Magic Leap": a capitalised neighbour makes the short form
        # part of a longer name (a sentence's first word is capitalised anyway).
        neighbours = ([hit.first - 1] if hit.first > 1 else []) + ([hit.last] if hit.last < len(toks) else [])
        for k in neighbours:
            start, end, word = toks[k]
            if _is_cap(word) and _is_word(word) and not gaz.is_generic(word) and not ctx.taken(start, end):
                return False
    if org.slug in strong_slugs:
        return True
    window = _fold(text[max(ctx.start, hit.start - 80) : hit.start] + " " + text[hit.end : min(ctx.end, hit.end + 60)])
    if gaz.cue_near(org.slug, window):
        return True
    if len(surface) > 1 and _listed_with_orgs(
        text, hit.start, hit.end, [c for c in ctx.cands if c.kind == "organisation"]
    ):
        return True  # "… Index Ventures et Lightspeed"
    prev_word = toks[hit.first - 1][_TEXT].casefold() if hit.first > 0 else ""
    if prev_word == "sur" and _SPOKE_ON_RE.search(_fold(text[max(ctx.start, hit.start - 50) : hit.start])):
        return True  # "a salué sur X", "a écrit sur X": a platform one posts on
    if org.related:
        # "Tesla, SpaceX et X": listed next to a sibling; "Musk … sur X": sibling in the sentence
        # and a preposition that introduces a company or platform.
        related = [c for c in ctx.cands if c.slug in org.related]
        if _listed_with_orgs(text, hit.start, hit.end, [c for c in related if c.kind == "organisation"]):
            return True
        prev = toks[hit.first - 1][_TEXT].casefold() if hit.first > 0 else ""
        if related and prev in ("sur", "de", "chez", "via"):
            return True
    return _ORG_LEFT_RE.search(_fold(text[max(ctx.start, hit.start - 60) : hit.start])) is not None


_SPOKE_ON_RE = re.compile(
    r"\b(?:a |ont |avait )?(?:ecrit|publie|poste|salue|reagi|annonce|declare|tweete|affirme|denonce|partage|"
    r"repondu|reagit|ecrit|publie|poste|salue|annonce|declare|reagissant|saluant|ecrivant)\b[^.]*sur $"
)


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


# -- NER ----------------------------------------------------------------------------------------


def _ner_pass(
    gaz: Gazetteer,
    text: str,
    ctxs: Sequence[_SentCtx],
    docs: Sequence[Doc],
    spans: Sequence[str],
    excl: _Exclusions,
) -> None:
    for ctx, doc, span in zip(ctxs, docs, spans, strict=True):
        if len(doc) and not _aligned(doc, span):
            raise ValueError(f"doc text does not match sentence at {ctx.start}")
        spans_to_judge: list[tuple[int, int, str]] = []
        for ent in doc.ents:
            cleaned = _clean_span(gaz, text, ctx.start + ent.start_char, ctx.start + ent.end_char)
            if cleaned is not None:
                spans_to_judge.append((*cleaned, ent.label_))
        # Twice: "de Michelin et de Schneider Electric" — the first is listed with the second,
        # which is judged after it.
        for _ in range(2):
            rejected: list[tuple[int, int, str]] = []
            for start, end, label in spans_to_judge:
                if ctx.taken(start, end):
                    continue
                sent_orgs = [c for c in ctx.cands if c.kind == "organisation"]
                cand = _judge_span(gaz, text, ctx, start, end, label, sent_orgs)
                if cand is None or cand.confidence < MIN_CONFIDENCE:
                    rejected.append((start, end, label))
                    continue
                if cand.kind == "person" and excl.blocks(cand.name, text[start:end]):
                    continue
                ctx.cands.append(cand)
            if len(rejected) == len(spans_to_judge):
                break
            spans_to_judge = rejected


def _aligned(doc: Doc, span: str) -> bool:
    """Cheap check that `doc` was made from `span` (``doc.text`` rebuilds the whole string)."""
    first, last = doc[0], doc[-1]
    return bool(
        span.startswith(first.text, first.idx)
        and span.startswith(last.text, last.idx)
        and last.idx + len(last.text_with_ws) == len(span)
    )


def _clean_span(gaz: Gazetteer, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim determiners, titles, quotes and trailing verbs off an NER span; None if nothing name-like remains."""
    toks = _tokenize(text, start, end)
    while toks and (not _is_word(toks[0][_TEXT]) or _drop_leading(gaz, toks)):
        toks = toks[2:] if _elided(toks) else toks[1:]
    while toks and (not _is_word(toks[-1][_TEXT]) or _drop_trailing(toks)):
        toks.pop()
    if not toks:
        return None
    words = [t[_TEXT] for t in toks if _is_word(t[_TEXT])]
    if len(words) > 6 or not any(c.isupper() or c.isdigit() for c in "".join(words)):
        return None
    for w in words[1:-1]:
        # Lowercase words inside a name are only particles ("Thibault de Varenne").
        if w.isalpha() and w.islower() and w not in _PARTICLES and w not in ("et", "of", "the", "and", "for"):
            return None
    return toks[0][_START], toks[-1][_END]


def _is_place_or_demonym(gaz: Gazetteer, name: str) -> bool:
    """``Arizona``, ``Union européenne``, ``l’Américain``: places and their inhabitants are no organisations."""
    folded = name.casefold()
    return gaz.place(name) is not None or folded in _NATIONALITIES or folded.removesuffix("s") in _NATIONALITIES


def _elided(toks: Sequence[_Tok]) -> bool:
    """``l’``, ``d’``: a word glued to a following apostrophe."""
    return len(toks) > 1 and toks[1][_TEXT] in ("'", "’") and toks[0][_END] == toks[1][_START]


def _drop_leading(gaz: Gazetteer, toks: Sequence[_Tok]) -> bool:
    word = toks[0][_TEXT]
    if len(toks) > 1 and word.isalpha() and word.islower() and not _elided(toks):
        return True  # "lyonnaise Hexalune": names do not start with a lower-case word ("xAI" has a capital)
    if _elided(toks):
        return word.lower() in ("l", "d", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu")
    # Generic sentence starters ("Selon", "Cependant") go; acronyms stay ("AI Infrastructure Partnership"),
    # and so does an English article, which belongs to titles ("The Information").
    if len(toks) > 1 and gaz.is_generic(word) and not word.isupper() and word != "The":
        return True
    return word.lower() in _LEADING_DROP


def _drop_trailing(toks: Sequence[_Tok]) -> bool:
    word = toks[-1][_TEXT]
    if len(toks) > 1 and toks[-2][_END] == toks[-1][_START] and toks[-2][_TEXT] in (".", "-"):
        return False  # "Gate.io", "X-energy"
    return word.isalpha() and word.islower()


def _person_shape(words: Sequence[str]) -> bool:
    if not 2 <= len(words) <= 4:
        return False
    for k, w in enumerate(words):
        if w.lower() in _PARTICLES and 0 < k < len(words) - 1:
            continue
        if re.fullmatch(r"(?:[A-Z]\.){1,3}", w):
            continue
        if not _is_cap(w) or any(c.isdigit() for c in w) or (len(w) > 2 and w.isupper()):
            return False
        if not any(c.islower() for c in w):
            return False
    return True


def _org_shape(words: Sequence[str]) -> tuple[bool, bool]:
    """(ends with a company suffix, has a CamelCase or letters+digits word)."""
    suffix = len(words) > 1 and words[-1].strip(".,").casefold() in ORG_SUFFIXES
    camel = any(
        (_CAMEL_RE.search(w) and not w.startswith(("Mc", "Mac"))) or (re.search(r"[A-Za-z]", w) and re.search(r"\d", w))
        for w in words
    )
    return suffix, camel


def _listed_with_orgs(text: str, start: int, end: int, sent_orgs: Sequence[_Cand]) -> bool:
    for c in sent_orgs:
        if c.end <= start and _LIST_GAP_RE.match(text[c.end : start]):
            return True
        if c.start >= end and _LIST_GAP_RE.match(text[end : c.start]):
            return True
    return False


def _judge_span(
    gaz: Gazetteer,
    text: str,
    ctx: _SentCtx,
    start: int,
    end: int,
    label: str,
    sent_orgs: Sequence[_Cand],
) -> _Cand | None:
    name = _norm_space(text[start:end])
    words = name.split()
    if gaz.is_generic(name) or all(gaz.is_generic(w) for w in words) or _is_place_or_demonym(gaz, name):
        return None
    first_name = words[0] in FIRST_NAMES
    person_shape = _person_shape(words)
    versioned = len(words) > 1 and _VERSION_RE.match(words[-1]) is not None  # "Gemini 3", "Falcon 9"
    suffix, camel = _org_shape(words)
    # "Claude Dumont" is a person, "Claude Opus" a product; "Falcon Capital" a company.
    named_like_person = (
        person_shape and first_name and not gaz.is_product(name) and not any(gaz.is_product(w) for w in words[1:])
    )
    product_like = (
        _overlaps(start, end, ctx.products) or gaz.is_product(words[0]) or gaz.is_product(words[-1]) or versioned
    )
    if product_like and not named_like_person and not suffix:
        return None
    # The name as written may be a gazetteer entry spaCy delimited differently ("OPENAI Inc.").
    found = gaz.resolve(name, fuzzy=False)
    if found is not None:
        rec = found[0]
        found_kind = gaz.kind_of(rec.slug)
        assert found_kind is not None
        return _Cand(start, end, found_kind, rec.slug, rec.name, "gazetteer", CONF_SHORT, ctx.index)
    if len(words) == 1 and _CODE_NAME_RE.match(name):
        return None

    left = _fold(text[max(ctx.start, start - 60) : start])
    right = _fold(text[end : min(ctx.end, end + 60)])
    weak = gaz.weak_owner(name)
    if weak is not None and len(name) > 1:
        # A short form the gazetteer keeps for one organisation ("Lightspeed"): spaCy naming it in
        # a list of companies, or after a company cue, is that organisation, never a new one.
        if _listed_with_orgs(text, start, end, sent_orgs) or _ORG_LEFT_RE.search(left):
            return _Cand(start, end, "organisation", weak.slug, weak.name, "gazetteer", CONF_SHORT, ctx.index)
        return None
    adjacent_cue = _ADJACENT_ORG_CUE_RE.search(text, max(ctx.start, start - 60), start) is not None
    apposed = _ORG_APPOSITION_RIGHT_RE.match(right) is not None
    # spaCy calls many made-up company names places; a company noun before or a company's doing
    # after ("Hexalune a levé…", ", la start-up…") outweighs that label.
    strong_cue = adjacent_cue or apposed

    org_score = {"ORG": 0.55, "MISC": 0.5, "PER": 0.45}.get(label, 0.4)
    if suffix or camel:
        org_score += 0.15
    if _ORG_LEFT_RE.search(left):
        org_score += 0.15
    if apposed:
        org_score += 0.2
    elif _ORG_RIGHT_RE.match(right) or (label == "ORG" and not person_shape and _ORG_DEAL_VERB_RE.match(right)):
        org_score += 0.1
    if _listed_with_orgs(text, start, end, sent_orgs):
        org_score += 0.15
    if _PRODUCT_LEFT_RE.search(left):
        org_score -= 0.25
    if person_shape and first_name:
        org_score -= 0.15
    if label == "LOC" and not (suffix or camel or strong_cue):
        # Places are not entities for us; a cue may still point a misspelt name at the gazetteer.
        org_score = min(org_score, 0.55)
    if len(words) == 1 and words[0].casefold() in ORG_SUFFIXES:
        org_score = 0.0

    per_score = 0.0
    if person_shape:
        per_score = 0.45 + (0.1 if label == "PER" else 0.0) + (0.15 if first_name else 0.0)
        if _PERSON_LEFT_RE.search(left) or _PERSON_RIGHT_RE.match(right):
            per_score += 0.15
        sent_people = [c for c in ctx.cands if c.kind == "person"]
        if _listed_with_orgs(text, start, end, sent_people):
            per_score += 0.15  # "Assaf Rappaport, Ami Luttwak, Yinon Costica et Roy Reznik"
        if suffix:
            per_score -= 0.3
        elif (apposed and not first_name) or (camel and not first_name):
            per_score -= 0.1

    kind: EntityKind
    if per_score > org_score or (per_score == org_score and label == "PER"):
        kind, score = "person", per_score
    else:
        kind, score = "organisation", org_score
    if score <= 0.45:
        return None  # no evidence beyond spaCy's label: too noisy even for a fuzzy lookup

    fuzzy = gaz.resolve(name, kind)
    if fuzzy is not None:
        rec, ratio = fuzzy
        conf = 0.8 + (ratio - FUZZY_THRESHOLD) / 100.0
        return _Cand(start, end, kind, rec.slug, rec.name, "gazetteer", min(conf, 0.9), ctx.index)
    # A place name stays out unless a company noun introduces it or it is a listed person.
    if (
        label == "LOC"
        and not (suffix or camel)
        and not (kind == "organisation" and strong_cue)
        and (kind != "person" or score < MIN_CONFIDENCE)
    ):
        return None
    if kind == "organisation":
        name = _strip_legal_form(name)
    return _Cand(start, end, kind, slugify(name), name, "ner", min(score, CONF_NER_CAP), ctx.index)


# -- names introduced by an apposition ----------------------------------------------------------


def _apposition_pass(gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx]) -> None:
    """``la start-up lyonnaise Hexalune``: a capitalised name right after a company noun is a company.

    spaCy often misses or mislabels such names (a made-up word after an adjective); the
    construction itself is the evidence.
    """
    for ctx in ctxs:
        for m in _APPOSITION_NAME_RE.finditer(text, ctx.start, ctx.end):
            start, end = m.span("name")
            while end > start and text[end - 1] in ".’'-&":
                end -= 1
            clash = [c for c in ctx.cands if c.start < end and start < c.end]
            # spaCy may have cut the name short ("Borealis" of "Borealis Energy"): the whole name wins.
            if not all(
                c.source == "ner" and c.kind == "organisation" and start <= c.start and c.end <= end for c in clash
            ):
                continue
            name = _norm_space(text[start:end])
            words = name.split()
            if (
                not words
                or words[0] in FIRST_NAMES
                or gaz.is_generic(words[0])
                or _is_place_or_demonym(gaz, name)
                or gaz.is_product(name)
                or gaz.is_product(words[0])
                or _overlaps(start, end, ctx.products)
                or _CODE_NAME_RE.match(name)
            ):
                continue
            for c in clash:
                ctx.cands.remove(c)
            found = gaz.resolve(name, fuzzy=False)
            if found is not None:
                rec = found[0]
                kind = gaz.kind_of(rec.slug)
                assert kind is not None
                ctx.cands.append(_Cand(start, end, kind, rec.slug, rec.name, "gazetteer", CONF_SHORT, ctx.index))
                continue
            name = _strip_legal_form(name)
            ctx.cands.append(_Cand(start, end, "organisation", slugify(name), name, "ner", CONF_APPOSITION, ctx.index))


# "Dario et Daniela Amodei": a capitalised word, then "et", just before a person's full name.
_SHARED_SURNAME_RE = re.compile(r"(?<![\w’'-])(?P<first>[A-ZÀ-Ý][\w-]+)\s+(?:et|&)\s+$")


def _shared_surname_pass(
    gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx], docs: Sequence[Doc], excl: _Exclusions
) -> None:
    """``Dario et Daniela Amodei``: a first name joined to a full name by "et" shares its surname,
    so two people are named ("Dario Amodei" and "Daniela Amodei")."""
    for ctx, doc in zip(ctxs, docs, strict=True):
        for c in [c for c in ctx.cands if c.kind == "person"]:
            words = text[c.start : c.end].split()
            if len(words) < 2 or not (words[0] in FIRST_NAMES or c.source == "gazetteer"):
                continue
            m = _SHARED_SURNAME_RE.search(text, max(ctx.start, c.start - 40), c.start)
            if m is None:
                continue
            start, end = m.span("first")
            # A known first name, or one spaCy tags as a person ("Varun et Priya Mohan").
            token = doc.char_span(start - ctx.start, end - ctx.start)
            if m.group("first") not in FIRST_NAMES and (token is None or token.root.ent_type_ != "PER"):
                continue
            before = text[max(ctx.start, start - 30) : start].split()
            if before and _is_cap(before[-1]) and before[-1][-1].isalnum() and not gaz.is_generic(before[-1]):
                continue  # "Thierry Martin et Daniela Amodei": "Martin" ends another name
            if ctx.taken(start, end):
                continue
            name = f"{m.group('first')} {' '.join(words[1:])}"
            if excl.blocks(name, name):
                continue
            conf = min(c.confidence, CONF_SHARED_SURNAME)
            found = gaz.resolve(name, "person", fuzzy=False)
            if found is not None:
                rec = found[0]
                ctx.cands.append(_Cand(start, end, "person", rec.slug, rec.name, "gazetteer", conf, ctx.index))
            else:
                ctx.cands.append(_Cand(start, end, "person", slugify(name), name, "ner", conf, ctx.index))


def _propagation_pass(gaz: Gazetteer, text: str, ctxs: Sequence[_SentCtx], excl: _Exclusions) -> None:
    """Every other occurrence of a new name found once: "Wiz" is the company in each sentence.

    A name accepted once (with its context cues) is the same entity wherever it is written
    the same way; spaCy's per-sentence labels are too unstable to judge each occurrence alone.
    """
    names: dict[tuple[str, ...], _Cand | None] = {}
    for c in (c for ctx in ctxs for c in ctx.cands):
        if c.source != "ner" or c.confidence < MIN_CONFIDENCE:
            continue
        key = tuple(t[_TEXT] for t in _tokenize(text, c.start, c.end))
        if not key or (c.kind == "person" and len(key) < 2):
            continue  # surnames alone are the in-text pass's business
        prior = names.get(key, c)
        names[key] = c if prior is not None and prior.slug == c.slug else None
    if not names:
        return
    firsts: dict[str, list[tuple[tuple[str, ...], _Cand]]] = defaultdict(list)
    for key, cand in names.items():
        if cand is not None:
            firsts[key[0]].append((key, cand))
    for ctx in ctxs:
        toks = ctx.toks
        for i, (tok_start, _, word) in enumerate(toks):
            options = firsts.get(word)
            if not options:
                continue
            for key, cand in sorted(options, key=lambda o: -len(o[0])):
                n = len(key)
                if tuple(t[_TEXT] for t in toks[i : i + n]) != key:
                    continue
                end = toks[i + n - 1][_END]
                if i + n < len(toks) and _is_cap(toks[i + n][_TEXT]) and _is_word(toks[i + n][_TEXT]):
                    break  # part of a longer name
                if ctx.taken(tok_start, end):
                    break
                if cand.kind == "person" and excl.blocks(cand.name, text[tok_start:end]):
                    break
                conf = min(cand.confidence, CONF_IN_TEXT_NEW)
                ctx.cands.append(_Cand(tok_start, end, cand.kind, cand.slug, cand.name, "ner", conf, ctx.index))
                break


# -- in-text coreference -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ref:
    slug: str
    name: str
    source: Literal["gazetteer", "ner"]


def _in_text_pass(gaz: Gazetteer, ctxs: Sequence[_SentCtx]) -> None:
    """Surnames and organisation short forms whose full name appears elsewhere in the text."""
    surnames: dict[str, set[_Ref]] = defaultdict(set)
    prefixes: dict[str, set[_Ref]] = defaultdict(set)
    best_conf: dict[str, float] = defaultdict(float)
    for c in (c for ctx in ctxs for c in ctx.cands):
        best_conf[c.slug] = max(best_conf[c.slug], c.confidence)
        words = c.name.split()
        if len(words) < 2:
            continue
        key = _Ref(c.slug, c.name, c.source)
        if c.kind == "person":
            surnames[words[-1]].add(key)
        elif (
            len(words[0]) >= 3
            and _is_cap(words[0])
            and words[0].casefold() not in _WEAK_PREFIXES
            and words[0].casefold() not in ORG_SUFFIXES
            and words[0] not in FIRST_NAMES
            and not gaz.is_generic(words[0])
        ):
            prefixes[words[0]].add(key)
    if not surnames and not prefixes:
        return
    for ctx in ctxs:
        toks = ctx.toks
        for i, tok in enumerate(toks):
            tok_start, tok_end, w = tok
            if not _is_cap(w):
                continue
            options = surnames.get(w)
            kind: EntityKind = "person"
            if not options:
                options, kind = prefixes.get(w), "organisation"
            if not options or len(options) != 1 or (w in surnames and w in prefixes):
                continue
            ref = next(iter(options))
            clash = [c for c in ctx.cands if c.start < tok_end and tok_start < c.end]
            if clash and not _short_form_of_known(clash, tok_start, tok_end, kind, ref):
                continue
            nxt = toks[i + 1][_TEXT] if i + 1 < len(toks) else ""
            prev = toks[i - 1][_TEXT] if i > 0 else ""
            if (_is_cap(nxt) and _is_word(nxt) and not gaz.is_generic(nxt)) or prev in FIRST_NAMES:
                continue  # part of a longer, different name
            for c in clash:
                ctx.cands.remove(c)
            conf = CONF_SHORT if ref.source == "gazetteer" else min(best_conf[ref.slug], CONF_IN_TEXT_NEW)
            ctx.cands.append(_Cand(tok_start, tok_end, kind, ref.slug, ref.name, ref.source, conf, ctx.index))


def _short_form_of_known(clash: Sequence[_Cand], start: int, end: int, kind: EntityKind, ref: _Ref) -> bool:
    """``Epic`` after ``Epic Games``: spaCy's new organisation yields to the curated one the text
    names in full."""
    return (
        kind == "organisation"
        and ref.source == "gazetteer"
        and all(c.source == "ner" and c.kind == "organisation" and (c.start, c.end) == (start, end) for c in clash)
    )


# -- new entities ----------------------------------------------------------------------------------


def new_entities(mentions: Sequence[EntityMention], text: str | None = None) -> list[NewEntity]:
    """The distinct non-gazetteer entities among `mentions`, in order of first mention.

    Organisation kinds are guessed from the name ("… Space" → aerospace) and, when the
    article `text` is given, from words just before each mention ("la start-up de fusées …").
    """
    gaz = load_gazetteer()
    groups: dict[tuple[str, str], list[EntityMention]] = {}
    for m in mentions:
        if m.source != "ner" or gaz.get(m.slug) is not None:
            continue
        groups.setdefault((m.kind, m.slug), []).append(m)
    out: list[NewEntity] = []
    for (kind, slug), ms in groups.items():
        name = max((m.name for m in ms), key=len)
        org_kind = _guess_org_kind(name, ms, text) if kind == "organisation" else None
        out.append(NewEntity(slug=slug, name=name, kind=ms[0].kind, org_kind=org_kind))
    return out


def _guess_org_kind(name: str, mentions: Sequence[EntityMention], text: str | None) -> str:
    last = name.split()[-1].casefold() if name.split() else ""
    if last in _SUFFIX_KINDS and len(name.split()) > 1:
        return _SUFFIX_KINDS[last]
    if text is not None:
        votes: dict[str, int] = defaultdict(int)
        for m in mentions:
            window = _fold(text[max(0, m.start - 50) : m.start])
            # The hint nearest the name wins: "… de fusées Aurora et du fonds Quill".
            nearest: tuple[int, str] | None = None
            for kind, pattern in _KIND_HINTS:
                for hint in pattern.finditer(window):
                    if nearest is None or hint.end() > nearest[0]:
                        nearest = (hint.end(), kind)
            if nearest is not None:
                votes[nearest[1]] += 1
        if votes:
            return max(votes.items(), key=lambda kv: kv[1])[0]
    return "other"


# --------------------------------------------------------------------------------------------
# References: organisations and people named by a description ("la start-up française",
# "le patron de Meta"). They feed events, money and rivalries, never the entity list: the words
# are not names, and citing them as aliases would be wrong.

# Head nouns of a definite description and the organisation kinds each may refer to (None: any
# company). Checked in order; the first head found wins.
_COMPANIES = frozenset({"ai_lab", "big_tech", "aerospace", "chipmaker", "energy", "other"})
_DESCRIPTION_HEADS: tuple[tuple[str, frozenset[str] | None], ...] = (
    (r"start-?up|jeune\s+pousse|licorne|p[ée]pite", frozenset({"ai_lab", "aerospace", "energy", "chipmaker", "other"})),
    (r"quotidien|journal|magazine|m[ée]dia|titre|agence\s+de\s+presse", frozenset({"media"})),
    (r"fonds|investisseur|gestionnaire\s+d['’]actifs", frozenset({"investor"})),
    (r"laboratoire|labo", frozenset({"ai_lab", "other"})),
    (r"fondeur", frozenset({"chipmaker"})),
    (r"gendarme|r[ée]gulateur|autorit[ée]", frozenset({"government"})),
    (
        r"soci[ée]t[ée]|entreprise|multinationale|compagnie|constructeur|fabricant|[ée]diteur|concepteur|"
        r"sp[ée]cialiste|op[ée]rateur|r[ée]seau\s+social|plateforme",
        _COMPANIES,
    ),
    (r"groupe|g[ée]ant|firme|num[ée]ro\s+(?:un|deux)|leader|champion", None),
)
_DESCRIPTION_RE = re.compile(
    rf"(?<![\w’'-])(?P<prep>dans\s+)?(?P<np>(?:[Ll]e|[Ll]a|[Ll]['’])\s?"
    rf"(?P<head>{'|'.join(h for h, _ in _DESCRIPTION_HEADS)}))(?![\w-])"
)
_WORD_RE = re.compile(r"[\w’'-]+|[.,;:!?()«»]")
_NOT_MODIFIER_WORDS = frozenset(
    [
        "à",
        "au",
        "aux",
        "en",
        "dans",
        "sur",
        "par",
        "pour",
        "avec",
        "sans",
        "chez",
        "qui",
        "que",
        "dont",
        "et",
        "ou",
        "mais",
        "a",
        "est",
        "sont",
        "était",
        "sera",
        "ont",
        "vont",
        "va",
        "ne",
        "se",
        "la",
        "le",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "ce",
        "cet",
        "cette",
        "ses",
        "son",
        "sa",
        "leur",
        "leurs",
    ]
)
# Endings of adjectives and participles that may follow a description's head ("la start-up
# française", "le géant américain", "la société basée"): not the verb of the sentence.
_ADJECTIVE_END_RE = re.compile(
    r"(?:ais|aise|ain|aine|ien|ienne|ique|iques|al|ale|aux|ales|el|elle|if|ive|eux|euse|aire|ois|oise|ard|arde|"
    r"é|ée|és|ées|ant|ante|iste|ible|able|eur|onal|onale|ier|ière)$"
)
_COMMON_ADJECTIVES = frozenset(
    [
        "jeune",
        "grand",
        "grande",
        "petit",
        "petite",
        "nouveau",
        "nouvelle",
        "premier",
        "première",
        "même",
        "autre",
        "seul",
        "seule",
    ]
)
_PAIR_RE = re.compile(
    r"(?<![\w’'-])(?P<np>[Ll]es\s+deux\s+"
    r"(?:entreprises|groupes|soci[ée]t[ée]s|partenaires|rivaux|fabricants|g[ée]ants|firmes|start-?ups|concurrents))\b"
)
# What follows the subject: a finite verb or an auxiliary, not a preposition or a relative pronoun.
_VERBISH_RE = re.compile(
    r"^(?:a|ont|avait|avaient|aura|auront|va|vont|vient|viennent|est|sont|était|étaient|sera|seront|serait|doit|"
    r"doivent|devrait|devraient|peut|peuvent|pourrait|compte|entend|veut|s['’]\w+|se|n['’]\w+|ne|y|en|"
    r"[a-zéèêîôûç]{3,}(?:e|es|ent|it|ait|aient|era|erait|eront|ra|ront))$"
)
_NOT_VERB_WORDS = frozenset(
    [
        "qui",
        "que",
        "dont",
        "de",
        "des",
        "du",
        "le",
        "la",
        "les",
        "un",
        "une",
        "et",
        "ou",
        "mais",
        "pour",
        "par",
        "avec",
        "dans",
        "sur",
        "sous",
        "entre",
    ]
)
_VERB_WORDS = frozenset(
    [
        "a",
        "ont",
        "avait",
        "avaient",
        "aura",
        "auront",
        "va",
        "vont",
        "vient",
        "viennent",
        "est",
        "sont",
        "était",
        "étaient",
        "sera",
        "seront",
        "serait",
        "doit",
        "doivent",
        "devrait",
        "devraient",
        "peut",
        "peuvent",
        "pourrait",
        "compte",
        "entend",
        "veut",
        "se",
        "s’est",
        "s'est",
        "n’a",
        "n'a",
        "ne",
        "y",
    ]
)
_NATIONALITIES: dict[str, str] = {
    "français": "FR", "française": "FR", "américain": "US", "américaine": "US", "chinois": "CN", "chinoise": "CN",
    "britannique": "GB", "allemand": "DE", "allemande": "DE", "néerlandais": "NL", "néerlandaise": "NL",
    "japonais": "JP", "japonaise": "JP", "coréen": "KR", "coréenne": "KR", "sud-coréen": "KR",
    "sud-coréenne": "KR", "taïwanais": "TW", "taïwanaise": "TW", "israélien": "IL", "israélienne": "IL",
    "émirati": "AE", "émiratie": "AE", "canadien": "CA", "canadienne": "CA", "indien": "IN", "indienne": "IN",
    "suisse": "CH", "suédois": "SE", "suédoise": "SE", "italien": "IT", "italienne": "IT", "espagnol": "ES",
    "espagnole": "ES", "saoudien": "SA", "saoudienne": "SA", "européen": "EU", "européenne": "EU",
}  # fmt: skip
_EUROPE = frozenset(
    ["FR", "DE", "NL", "GB", "IT", "ES", "SE", "CH", "BE", "IE", "FI", "DK", "AT", "PL", "PT", "LU", "NO"]
)
_HEAD_PATTERNS = tuple((re.compile(head, re.IGNORECASE), kinds) for head, kinds in _DESCRIPTION_HEADS)
_NATIONALITY_RE = re.compile(
    rf"(?<!\w)(?:{'|'.join(sorted(map(re.escape, _NATIONALITIES), key=len, reverse=True))})(?!\w)", re.IGNORECASE
)
_CHIP_WORDS = re.compile(r"\b(?:puces?|semi-conducteurs?|processeurs?|gpu)\b", re.IGNORECASE)
_PRESS_WORDS = re.compile(r"\b(?:presse|médias?)\b", re.IGNORECASE)
# "le patron de Meta": the chief executive the gazetteer knows for that company.
_LEADER_HEAD_RE = re.compile(
    r"(?<![\w-])(?P<head>patron(?:ne)?|PDG|P\.-D\.G\.|CEO|directeur\s+général|directrice\s+générale|"
    r"dirigeant(?:e)?|président-directeur\s+général)\s+(?:de\s+la\s+|du\s+|de\s+|d['’]\s?)$",
    re.IGNORECASE,
)
_FORMER_RE = re.compile(r"(?:ancien(?:ne)?|ex-|futur(?:e)?|nouveau|nouvelle|premier|première)\s*$", re.IGNORECASE)
LEADER_TITLES = frozenset({"pdg", "ceo", "directeur général", "directrice générale", "président-directeur général"})
REFERENCE_CONFIDENCE = 0.7
DESCRIPTION_MAX_WORDS = 8
# Mentions counted towards how much a text is about an organisation (beyond, all are central).
SALIENCE_CAP = 10
# A sentence's subject stands within its first words.
SUBJECT_MAX_OFFSET = 40
_PREPOSITION_BEFORE_RE = re.compile(
    r"(?:\b(?:de|du|des|chez|par|pour|avec|à|au|aux|contre|dans|sur|entre|auprès|lesquels|lesquelles)\s+|\bd['’]\s?)"
    r"(?:(?:la|le|les)\s+|l['’]\s?)?$",
    re.IGNORECASE,
)
_MONEY_INTO_RE = re.compile(
    r"\b(?:invest\w*|inject\w*|mis\w*|plac\w*|particip\w*|dollars|euros|milliards?|millions?)\b[^.;]*\s$"
)
# How many sentences back a description may find what it refers to.
REFERENCE_WINDOW = 3


def find_references(
    text: str,
    sentences: Sequence[Sentence],
    mentions: Sequence[EntityMention],
    org_kinds: dict[str, str],
    title: str | None = None,
) -> list[EntityMention]:
    """Descriptions that stand for an entity named nearby, as mentions of that entity.

    * "La start-up française a annoncé…", "Le quotidien américain a poursuivi…": a definite
      description in subject position (sentence start or after a comma, a verb next) refers to
      a compatible organisation of the last sentences (kind from the head noun, country from a
      nationality adjective), the one the text is most about, preferring the previous
      sentence's subject. "dans la start-up" after an amount is where the money goes.
      "les deux entreprises" refers to the two best candidates.
    * "le patron de Meta": the company's chief executive, when the gazetteer knows exactly one
      and the text names that person somewhere (so an outdated entry cannot put words in
      someone's mouth).
    """
    gaz = load_gazetteer()
    by_sentence = _by_sentence(sentences, mentions)
    context = _Context(
        gaz=gaz,
        text=text,
        counts=Counter(m.slug for m in mentions),
        title_folded=_fold(title) if title else "",
        org_kinds=org_kinds,
        people_named={m.slug for m in mentions if m.kind == "person"},
    )
    out: list[EntityMention] = []
    for i, (sentence, found) in enumerate(zip(sentences, by_sentence, strict=True)):
        window = by_sentence[max(0, i - REFERENCE_WINDOW) : i]
        subject = _subject(text, sentences[i - 1], by_sentence[i - 1]) if i else None
        out += _descriptions(context, sentence, found, window, subject)
        out += _leader_references(context, sentence, found)
    return out


@dataclass(frozen=True)
class _Context:
    gaz: Gazetteer
    text: str
    counts: Counter[str]
    title_folded: str
    org_kinds: dict[str, str]
    people_named: set[str]


def _by_sentence(sentences: Sequence[Sentence], mentions: Sequence[EntityMention]) -> list[list[EntityMention]]:
    ordered = sorted(mentions, key=lambda m: m.start)
    out: list[list[EntityMention]] = []
    k = 0
    for s in sentences:
        while k < len(ordered) and ordered[k].start < s.start:
            k += 1
        j = k
        while j < len(ordered) and ordered[j].end <= s.end:
            j += 1
        out.append(ordered[k:j])
        k = j
    return out


def _subject(text: str, sentence: Sentence, found: Sequence[EntityMention]) -> str | None:
    """A sentence's subject: an organisation near its start, not after a preposition."""
    first = next((m for m in found if m.kind == "organisation"), None)
    if (
        first is not None
        and first.start - sentence.start <= SUBJECT_MAX_OFFSET
        and not _PREPOSITION_BEFORE_RE.search(text, max(sentence.start, first.start - 30), first.start)
    ):
        return first.slug
    return None


def _descriptions(
    context: _Context,
    sentence: Sentence,
    found: Sequence[EntityMention],
    window: Sequence[Sequence[EntityMention]],
    subject: str | None,
) -> list[EntityMention]:
    text = context.text
    taken = [(m.start, m.end) for m in found]
    out: list[EntityMention] = []
    for match in _DESCRIPTION_RE.finditer(text, sentence.start, sentence.end):
        start = match.start("np")
        if match.group("prep"):
            # "a injecté 2 milliards dans la start-up": the company money goes into.
            if not _MONEY_INTO_RE.search(text, max(sentence.start, start - 80), start):
                continue
            end = match.end("np")
        else:
            bounded = _description_end(text, match.end("np"), sentence.end)
            if not _clause_start(text, sentence.start, start) or bounded is None:
                continue
            end = bounded
        if _overlaps(start, end, taken):
            continue
        head = match.group("head")
        allowed = next(kinds for pattern, kinds in _HEAD_PATTERNS if pattern.fullmatch(head))
        mods = text[match.end("head") : end]
        if allowed is None and _CHIP_WORDS.search(mods):
            allowed = frozenset({"chipmaker"})
        if allowed is None and _PRESS_WORDS.search(mods):
            allowed = frozenset({"media"})
        nationality = _NATIONALITY_RE.search(mods)
        country = _NATIONALITIES[nationality.group().casefold()] if nationality else None
        best = _antecedents(context, window, allowed, country, 1, subject)
        if best:
            out.append(_reference(text, start, end, best[0]))
    for match in _PAIR_RE.finditer(text, sentence.start, sentence.end):
        start, end = match.span("np")
        if _overlaps(start, end, taken):
            continue
        best = _antecedents(context, window, None, None, 2, subject)
        if len(best) == 2:
            out.extend(_reference(text, start, end, b) for b in best)
    return out


def _leader_references(context: _Context, sentence: Sentence, found: Sequence[EntityMention]) -> list[EntityMention]:
    text = context.text
    out: list[EntityMention] = []
    for org in (m for m in found if m.kind == "organisation"):
        head = _LEADER_HEAD_RE.search(text, max(sentence.start, org.start - 40), org.start)
        if head is None or _FORMER_RE.search(text, max(sentence.start, head.start() - 12), head.start()):
            continue
        leader = _leaders_by_org(context.gaz).get(org.slug)
        if leader is None or leader.slug not in context.people_named:
            continue
        # An apposition already names the person ("Andy Jassy, le patron d'Amazon"); a name inside a
        # complement ("le podcast de Joe Rogan, le patron de Meta") does not.
        if any(
            p.kind == "person"
            and (0 <= head.start() - p.end <= 6 or 0 <= p.start - org.end <= 4)
            and not _PREPOSITION_BEFORE_RE.search(text, max(sentence.start, p.start - 30), p.start)
            for p in found
        ):
            continue
        out.append(
            EntityMention(
                start=head.start("head"),
                end=head.end("head"),
                text=text[head.start("head") : head.end("head")],
                kind="person",
                slug=leader.slug,
                name=leader.name,
                source="gazetteer",
                confidence=REFERENCE_CONFIDENCE,
            )
        )
    return out


def _reference(text: str, start: int, end: int, antecedent: EntityMention) -> EntityMention:
    return EntityMention(
        start=start,
        end=end,
        text=text[start:end],
        kind=antecedent.kind,
        slug=antecedent.slug,
        name=antecedent.name,
        source=antecedent.source,
        confidence=REFERENCE_CONFIDENCE,
    )


def _antecedents(
    context: _Context,
    window: Sequence[Sequence[EntityMention]],
    allowed: frozenset[str] | None,
    country: str | None,
    wanted: int,
    subject: str | None,
) -> list[EntityMention]:
    """The best ``wanted`` distinct organisations of the window matching kind and country."""
    scores: dict[str, float] = {}
    first: dict[str, EntityMention] = {}
    for age, found in enumerate(reversed(window)):
        for m in found:
            if m.kind != "organisation":
                continue
            kind = context.org_kinds.get(m.slug, "other")
            if (allowed is None and kind in ("media", "government")) or (allowed is not None and kind not in allowed):
                continue
            if country is not None:
                record = context.gaz.get(m.slug)
                known = record.country if isinstance(record, Organisation) else None
                if known is not None and known != country and not (country == "EU" and known in _EUROPE):
                    continue
            score = min(context.counts[m.slug], SALIENCE_CAP) * 0.3
            score += 1.0 if _fold(m.name) in context.title_folded else 0.0
            if age == 0:
                score += 1.0 + (2.0 if m.slug == subject else 0.0)
            scores[m.slug] = max(scores.get(m.slug, 0.0), score)
            first.setdefault(m.slug, m)
    ranked = sorted(scores, key=lambda slug: -scores[slug])
    return [first[slug] for slug in ranked[:wanted]]


def _description_end(text: str, pos: int, limit: int) -> int | None:
    """Where a description that is the subject of a verb ends, or None when no verb follows.

    After the head come modifiers (adjectives, "de"-complements: "le numéro un mondial des puces
    d'IA") and then the verb ("a annoncé", "développe"); a name, a preposition or a relative
    pronoun next means the words are no subject description.
    """
    words = list(_WORD_RE.finditer(text, pos, limit))
    end = pos
    k = 0
    while k < len(words) and k < DESCRIPTION_MAX_WORDS:
        word = words[k].group()
        folded = word.casefold()
        if folded in _VERB_WORDS or (
            _VERBISH_RE.match(folded)
            and not _ADJECTIVE_END_RE.search(folded)
            and folded not in _NATIONALITIES
            and folded not in _COMMON_ADJECTIVES
            and folded not in _NOT_VERB_WORDS
        ):
            return end
        if word == ",":
            # "La plateforme, désormais dirigée par Richard Teng, a reçu…": skip the aside.
            close = next((j for j in range(k + 1, min(len(words), k + 12)) if words[j].group() == ","), None)
            if close is None or close + 1 >= len(words):
                return None
            nxt = words[close + 1].group().casefold()
            return end if nxt in _VERB_WORDS or (_VERBISH_RE.match(nxt) and not _ADJECTIVE_END_RE.search(nxt)) else None
        if folded in ("de", "des", "du") and k + 1 < len(words) and words[k + 1].group()[0].isalnum():
            end, k = words[k + 1].end(), k + 2
            continue
        if folded.startswith(("d’", "d'")) and len(folded) > 2:
            end, k = words[k].end(), k + 1
            continue
        if not word[0].islower() or folded in _NOT_MODIFIER_WORDS:
            return None
        end, k = words[k].end(), k + 1
    return None


def _clause_start(text: str, floor: int, pos: int) -> bool:
    """At the start of the sentence, or right after a comma, colon, semicolon or opening quote."""
    i = pos
    while i > floor and text[i - 1].isspace():
        i -= 1
    return i == floor or text[i - 1] in ",;:«("


@functools.cache
def _leaders_by_org(gaz: Gazetteer) -> dict[str, Person]:
    """Organisation slug → its one chief executive (organisations with several have none here)."""
    found: dict[str, list[Person]] = defaultdict(list)
    for person in gaz.people:
        for org in {r.organisation for r in person.roles if r.organisation and r.title.casefold() in LEADER_TITLES}:
            found[org].append(person)
    return {org: people[0] for org, people in found.items() if len(people) == 1}
