"""Synthetic benchmark dataset: a realistic Rivalry API database of N events, bulk-loaded with COPY.

    python bench/datagen.py --events 100000 [--database-url URL] [--seed 7] [--force]

Creates (or reuses) the database ``rivalry_bench_<N>`` on the server of ``--database-url``
(default ``DATABASE_URL``, else ``postgresql://postgres@127.0.0.1:5432/postgres``; ``+asyncpg``
URLs are accepted), migrates it to head with the project's own Alembic migrations and fills it
through that schema with ``COPY`` (asyncpg ``copy_records_to_table``). Progress goes to stderr,
one JSON line to stdout: ``{"database", "events", "rows": {table: count}, "seconds", "reused"}``.

From Python (benchmarks)::

    from bench.datagen import ensure_dataset
    dsn = await ensure_dataset("postgresql://postgres@127.0.0.1:5432/postgres", 100_000)

A database is reused only when its ``bench_dataset`` row (written after everything else, so an
interrupted load never counts) names the same size, seed and generator version and its schema is
at the migrations' head; otherwise it is dropped and rebuilt. ``--force`` always rebuilds.

Shape for N events (a fixed seed gives identical data):

* 50,000 organisations whatever N (famous ones first: ``openai``, ``xai``…), ``max(2000, N/20)``
  people, each with an ``is_name`` alias and often a second one; some person roles.
* ``max(1000, N/5)`` French-looking documents of ~1.5–3 kB published 2015-01-01..2026-11-01, whose
  text is written from the facts they report: every citation's quote is cut out of its document
  (``documents.text[start:end] == quote``).
* N events (skewed types, 5 % undated) with 2–3 participants drawn Zipf-like (OpenAI is in 17 %
  of events, xAI 11 %, Anthropic 6 %, Elon Musk 4 %; 30 % of events oppose the two parties of a
  rivalry), 1–4 source documents published within 45 days of the event and ≈3 citations each.
* N/4 funding rows (≈74 % tied to an event of a matching type, 82 % USD, some EUR/GBP, 3 % of
  unknown amount), 1–2 payers, ≈3 citations each; ``max(20, N/100)`` rivalries with their counts.
* A change log as a seed leaves it (``created`` per fact, ``updated`` when a later document
  corroborates an event), so ``/api/v1/changes`` pages through real volumes.
* 1–2 name citations for every organisation and person some event or funding row names (at small
  N most of the 50,000 organisations appear nowhere: zero counters, no dates, no citations).
  Counters (``mention_count`` = citations naming the entity, ``source_count``, first/last seen,
  event ``source_count``/reported dates, rivalry event counts) are computed while generating;
  entity ``source_count`` is the expected number of distinct documents (exact when small).

Ids follow ``service/ingest/load.py``: slugs for organisations and people, UUIDv5 of the sha256
for documents, of the cluster key for events and of the natural key for funding; rivalries are the
two sorted slugs joined by ``--``.

Loading (a million events: ~8–9 minutes on the shared 2-core box, of which more than half is
PostgreSQL computing the generated ``search_vector`` columns through ``rivalry_unaccent``):

* the whole dataset is planned first in compact arrays (every counter known before any row is
  written), then generated chunk by chunk in a worker thread and COPYed over three connections
  at once, so PostgreSQL computes generated columns on both cores;
* secondary (non-unique, constraint-free) indexes are dropped first and rebuilt from their
  ``pg_indexes`` definitions as soon as their table is complete, then the table gets
  ``VACUUM (ANALYZE)`` (visibility map for index-only scans, statistics);
* as superuser, the COPY sessions run with ``session_replication_role = replica``: foreign keys
  are not checked row by row (documents, the slowest rows, can then load first and index while
  the rest loads), and every foreign key of the schema is verified by an anti-join afterwards;
  check, unique and primary-key constraints are enforced as usual. Without superuser, tables
  load in foreign-key order over one connection;
* bigserial ids are given explicitly in generation order, so parallel loading stays deterministic.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime as dt
import functools
import hashlib
import json
import math
import os
import random
import re
import sys
import threading
import time
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate, islice
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service import migrate  # noqa: E402
from service.ingest.cluster import TYPE_FAMILIES  # noqa: E402
from service.ingest.load import CONTEXT_CHARS, NAMESPACE  # noqa: E402
from service.models import (  # noqa: E402
    EVENT_STATUSES,
    EVENT_TYPES,
    FUNDING_KINDS,
    ORGANISATION_KINDS,
    PARTICIPANT_ROLES,
    QUALIFIERS,
)

GENERATOR_VERSION = "3"
# Ids, quote context and cluster-key type families exactly as the loader builds them.
ID_NAMESPACE = NAMESPACE
ID_NAMESPACE_BYTES = ID_NAMESPACE.bytes
DEFAULT_SEED = 7
DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ORGANISATION_COUNT = 50_000
EXTRACTOR = "bench"
PIPELINE_VERSION = f"bench-{GENERATOR_VERSION}"
COPY_CHUNK = 50_000  # rows per COPY call
DOCUMENT_BATCH = 2_000  # documents per COPY call (their citations follow in one more)
COPY_WORKERS = 3  # concurrent COPY connections: PostgreSQL computes generated columns per row, on their cores
FIRST_DAY = dt.date(2015, 1, 1).toordinal()
LAST_DAY = dt.date(2026, 11, 1).toordinal()
SPAN_DAYS = LAST_DAY - FIRST_DAY
# News volume grows over the years: a date is FIRST_DAY + SPAN_DAYS * u ** DATE_SKEW, u uniform.
DATE_SKEW = 0.8
REPORT_WINDOW_DAYS = 45
UNDATED_SHARE = 0.05
PERSON_SHARE = 0.15  # participant slots filled by a person rather than an organisation
RIVALRY_SHARE = 0.30  # events whose first two participants are the parties of a rivalry
ZIPF_EXPONENT = 1.05
NULL_AMOUNT_SHARE = 0.03
LINKED_FUNDING_SHARE = 0.76  # of the kinds that have a matching event type: ≈70 % overall
BIG_DAY = 1 << 30  # "no date yet" for running minimums
AMOUNT_TAG = 1 << 40  # marks the amount inside a funding sentence (entity codes are smaller)
UTC = dt.UTC

# Entity codes: organisation i -> i, person p -> -(p + 1).
# Task kinds in the per-document work list: (fact << 5) | (count << 3) | kind.
TASK_EVENT, TASK_FUNDING, TASK_RIVALRY, TASK_MENTION = 0, 1, 2, 3

T = TypeVar("T")
Part = str | tuple[str, int]

# --------------------------------------------------------------------------------------------
# Vocabulary


EVENT_TYPE_WEIGHTS = {
    "investment": 18,
    "partnership": 15,
    "statement": 12,
    "funding_round": 11,
    "product_launch": 10,
    "acquisition": 8,
    "contract": 7,
    "lawsuit": 6,
    "commitment": 5,
    "bid": 3,
    "joint_venture": 2,
    "founding": 2,
    "other": 1,
}
STATUS_WEIGHTS = {
    "announced": 30,
    "reported": 25,
    "completed": 20,
    "rumoured": 10,
    "pending": 7,
    "paused": 3,
    "cancelled": 3,
    "rejected": 2,
}
PRECISIONS = ("day", "month", "year")
PRECISION_WEIGHTS = (60, 30, 10)
SOURCE_COUNT_WEIGHTS = (30, 30, 25, 15)  # 1..4 documents per event
ROLES: dict[str, tuple[str, str]] = {  # (first participant, the others)
    "investment": ("investor", "target"),
    "acquisition": ("acquirer", "target"),
    "bid": ("bidder", "target"),
    "funding_round": ("target", "investor"),
    "joint_venture": ("partner", "partner"),
    "partnership": ("partner", "partner"),
    "commitment": ("investor", "target"),
    "contract": ("actor", "partner"),
    "lawsuit": ("plaintiff", "defendant"),
    "product_launch": ("actor", "subject"),
    "founding": ("founder", "subject"),
    "statement": ("speaker", "subject"),
    "other": ("actor", "subject"),
}
TYPE_LABELS = {
    "investment": "Investissement",
    "acquisition": "Projet d’acquisition",
    "bid": "Offre de rachat",
    "funding_round": "Levée de fonds",
    "joint_venture": "Coentreprise",
    "partnership": "Partenariat",
    "commitment": "Engagement d’investissement",
    "contract": "Contrat",
    "lawsuit": "Action en justice",
    "product_launch": "Lancement",
    "founding": "Fondation",
    "statement": "Déclaration",
    "other": "Événement",
}
# {a}: first participant, {b}: the others ("X et Y"), {d}: ", le 3 mars 2024" or "", {l}: type label.
EVENT_TEMPLATES: dict[str, tuple[str, ...]] = {
    "investment": (
        "{a} a investi dans {b}{d}, une opération suivie de près par le secteur.",
        "{a} va prendre une participation au capital de {b}{d}.",
        "Selon plusieurs sources, {a} aurait injecté des fonds dans {b}{d}.",
    ),
    "acquisition": (
        "{a} a annoncé le rachat de {b}{d}.",
        "{a} envisagerait de racheter {b}{d}, selon la presse américaine.",
        "Le rapprochement entre {a} et {b} a été officialisé{d}.",
    ),
    "bid": (
        "{a} a déposé une offre de rachat sur {b}{d}.",
        "{a} a proposé de reprendre {b}{d}, une offre jugée hostile par la direction.",
    ),
    "funding_round": (
        "{a} a bouclé une levée de fonds auprès de {b}{d}.",
        "La start-up {a} a réalisé un tour de table mené par {b}{d}.",
    ),
    "joint_venture": (
        "{a} et {b} ont créé une coentreprise{d}.",
        "{a} s’associe à {b} au sein d’une nouvelle coentreprise{d}.",
    ),
    "partnership": (
        "{a} a conclu un partenariat stratégique avec {b}{d}.",
        "{a} et {b} ont annoncé un partenariat pour construire des centres de données{d}.",
        "{a} s’allie à {b} pour accélérer le déploiement de ses modèles{d}.",
    ),
    "commitment": (
        "{a} s’est engagé à investir aux côtés de {b}{d}.",
        "{a} promet de soutenir {b} sur cinq ans{d}.",
    ),
    "contract": (
        "{a} a signé un contrat pluriannuel avec {b}{d}.",
        "{a} a remporté un contrat de fourniture de puces auprès de {b}{d}.",
    ),
    "lawsuit": (
        "{a} a assigné {b} en justice{d}, lui reprochant une concurrence déloyale.",
        "{a} a porté plainte contre {b}{d} pour violation de ses engagements contractuels.",
    ),
    "product_launch": (
        "{a} a lancé un nouveau modèle qui vient concurrencer {b}{d}.",
        "{a} a dévoilé un assistant conversationnel face à {b}{d}.",
    ),
    "founding": (
        "{a} a fondé {b}{d}.",
        "{a} est à l’origine de la création de {b}{d}.",
    ),
    "statement": (
        "{a} a déclaré que {b} n’était « pas une menace sérieuse »{d}.",
        "{a} a vivement critiqué la stratégie de {b}{d}.",
        "Interrogé sur {b}, {a} a reconnu une concurrence « féroce »{d}.",
    ),
    "other": (
        "{a} et {b} font de nouveau parler d’eux{d}.",
        "Les relations entre {a} et {b} se sont tendues{d}.",
    ),
}
EVENT_FOLLOW_UPS = (
    (
        "{l} entre {a} et {b} : ce que l’on sait.",
        "{l} : {a} et {b} au cœur de toutes les attentions.",
    ),
    (
        "Contactés, les représentants de {a} et de {b} n’ont pas souhaité commenter l’opération.",
        "Du côté de {b}, on se montre prudent face à l’initiative de {a}.",
    ),
)
# {p}: payers, {h}: "a" or "ont" to agree with them, {r}: recipient, {m}: the amount as written,
# {d}: date phrase.
FUNDING_TEMPLATES: dict[str, tuple[str, ...]] = {
    "investment": ("{p} {h} investi {m} dans {r}{d}.", "{p} {h} injecté {m} au capital de {r}{d}."),
    "funding_round": ("{r} a levé {m} lors d’un tour de table mené par {p}{d}.",),
    "acquisition": ("{p} {h} racheté {r} pour {m}{d}.", "{p} {h} mis {m} sur la table pour s’offrir {r}{d}."),
    "bid": ("{p} {h} proposé {m} pour reprendre {r}{d}.",),
    "commitment": ("{p} {h} promis d’investir {m} dans {r}{d}.",),
    "contract": ("{p} {h} signé avec {r} un contrat de {m}{d}.",),
    "valuation": ("{r} est désormais valorisé à {m}, selon {p}{d}.",),
    "revenue": ("{r} a réalisé un chiffre d’affaires de {m}, d’après {p}{d}.",),
    "other": ("{p} et {r} évoquent un montant de {m}{d}.",),
}
FUNDING_FOLLOW_UPS = (
    "Le montant de {m} a été confirmé par {p}.",
    "Au total, {m} seraient en jeu pour {r}.",
)
RIVALRY_TEMPLATES = (
    "La rivalité entre {a} et {b} s’est encore intensifiée.",
    "Entre {a} et {b}, la guerre est désormais ouverte.",
    "{a} et {b} se livrent une concurrence sans merci.",
    "Le duel entre {a} et {b} ne faiblit pas.",
)
FILLERS = (
    "Le secteur de l’intelligence artificielle connaît une accélération sans précédent depuis plusieurs mois.",
    "Les analystes restent partagés sur la rentabilité de ces investissements colossaux.",
    "La course aux puces graphiques pèse sur les marges de l’ensemble des acteurs.",
    "À Bruxelles, les régulateurs suivent le dossier de près.",
    "Les centres de données nécessaires consomment une quantité d’électricité considérable.",
    "Plusieurs observateurs évoquent une bulle comparable à celle des années 2000.",
    "Les investisseurs saluent une stratégie jugée plus lisible qu’il y a un an.",
    "La question de la souveraineté numérique européenne revient au premier plan.",
    "Les syndicats s’inquiètent des conséquences sur l’emploi dans la région.",
    "Le titre a gagné près de 4 % à la Bourse de New York après l’annonce.",
    "Les négociations auraient duré plusieurs semaines, selon une source proche du dossier.",
    "Cette annonce intervient dans un contexte de tensions commerciales entre Washington et Pékin.",
    "L’Autorité de la concurrence pourrait se saisir du dossier dans les prochains mois.",
    "Les modèles de langage les plus récents exigent des ressources de calcul toujours plus importantes.",
    "La pénurie de talents en apprentissage automatique reste un frein majeur.",
    "Les start-up françaises du secteur ont levé des montants records l’an dernier.",
    "Le marché attend désormais des résultats concrets plutôt que des promesses.",
    "Plusieurs anciens cadres ont quitté l’entreprise ces derniers mois.",
    "Les clients professionnels restent prudents face à ces nouveaux outils.",
    "La facture énergétique de ces infrastructures inquiète les élus locaux.",
    "Aucun calendrier précis n’a été communiqué à ce stade.",
    "Les détails financiers de l’opération n’ont pas été rendus publics.",
    "Le conseil d’administration doit encore valider le projet.",
    "Cette décision marque un tournant pour l’ensemble de l’écosystème.",
    "Les concurrents européens peinent à suivre le rythme des géants américains.",
    "La Commission européenne a rappelé les obligations prévues par le règlement sur l’IA.",
    "Le lancement commercial est prévu pour le second semestre.",
    "Les premiers retours des utilisateurs sont jugés encourageants.",
)
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

ORGANISATION_KIND_WEIGHTS = {
    "ai_lab": 20,
    "big_tech": 8,
    "aerospace": 6,
    "investor": 18,
    "chipmaker": 5,
    "media": 8,
    "government": 5,
    "energy": 6,
    "other": 24,
}
ORGANISATION_SUFFIXES: dict[str, tuple[str, ...]] = {
    "ai_lab": ("AI", "Labs", "Intelligence", "Research", "IA"),
    "big_tech": ("Technologies", "Systems", "Software", "Cloud", "Networks"),
    "aerospace": ("Space", "Aérospatiale", "Orbital", "Launch", "Aviation"),
    "investor": ("Capital", "Ventures", "Partners", "Investissements", "Gestion"),
    "chipmaker": ("Semiconductors", "Silicon", "Microsystèmes", "Chips", "Photonics"),
    "media": ("Médias", "Presse", "News", "Studios", "Éditions"),
    "government": ("Agence", "Autorité", "Office", "Fonds souverain", "Ministère"),
    "energy": ("Énergie", "Power", "Solaire", "Nucléaire", "Renewables"),
    "other": ("Group", "Industries", "Santé", "Logistique", "Robotics", "Dynamics", "Mobilité"),
}
ORGANISATION_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "ai_lab": ("laboratoire d’intelligence artificielle", "start-up spécialisée dans les modèles de langage"),
    "big_tech": ("géant du numérique", "éditeur de logiciels et de services cloud"),
    "aerospace": ("entreprise de lancement spatial", "constructeur de satellites"),
    "investor": ("fonds de capital-risque", "société d’investissement"),
    "chipmaker": ("fabricant de semi-conducteurs", "concepteur de puces d’IA"),
    "media": ("groupe de médias", "éditeur de presse en ligne"),
    "government": ("agence publique", "organisme gouvernemental"),
    "energy": ("producteur d’énergie", "spécialiste du nucléaire modulaire"),
    "other": ("entreprise industrielle", "société de services"),
}
SYLLABLES = (
    "al", "ar", "bel", "bor", "ca", "cel", "cor", "da", "del", "dra", "el", "en", "fa", "fer", "ga", "gal",
    "hel", "ix", "ka", "kel", "la", "lan", "lé", "lu", "ma", "mar", "mer", "mi", "na", "nor", "no", "o",
    "or", "pa", "per", "qua", "ra", "ré", "ren", "ri", "sa", "sel", "so", "ta", "tel", "ter", "ti", "va",
    "vé", "vel", "ver", "vi", "xo", "ze", "zen", "thé", "ly", "syn",
)  # fmt: skip
ENDINGS = ("", "", "", "ia", "on", "ix", "a", "is", "eo", "um", "ex", "ys")
COUNTRIES = {
    "US": 40, "FR": 15, "CN": 8, "GB": 7, "DE": 6, "CA": 3, "IL": 3, "JP": 3,
    "KR": 2, "IN": 3, "AE": 2, "SA": 1, "NL": 2, "SE": 1, "CH": 2, "TW": 2,
}  # fmt: skip
FIRST_NAMES = (
    "Claire", "Julien", "Sofia", "Karim", "Léa", "Marc", "Hélène", "Thomas", "Camille", "Nicolas", "Inès",
    "Antoine", "Chloé", "Mehdi", "Élodie", "Pierre", "Manon", "Hugo", "Sarah", "Lucas", "Emma", "Louis",
    "Zoé", "Gabriel", "Anaïs", "Raphaël", "Laura", "Arthur", "Jade", "Mathieu", "Yasmine", "Olivier",
    "Pauline", "Maxime", "Amélie", "Romain", "Juliette", "Alexandre", "Noémie", "Benoît", "Céline",
    "David", "Emily", "James", "Michael", "Jennifer", "Robert", "Linda", "William", "Elizabeth", "Daniel",
    "Jessica", "Matthew", "Ashley", "Andrew", "Priya", "Wei", "Yuki", "Hiroshi", "Min-jun", "Ji-woo",
    "Rahul", "Ananya", "Omar", "Fatima", "Lars", "Ingrid", "Klaus", "Greta", "Mateo", "Lucía", "Diego",
    "Valentina", "Noah", "Olivia", "Ethan", "Ava", "Liam", "Mia", "Sebastián", "Björn", "François",
    "Agnès", "Grégoire", "Bérénice", "Jérôme", "Søren", "Zoë", "Ngozi", "Kwame", "Aylin", "Mustafa",
)  # fmt: skip
LAST_NAMES = (
    "Dumont", "Marchand", "Brennan", "Haddad", "Fontaine", "Olivier", "Lefèvre", "Moreau", "Girard",
    "Lambert", "Rousseau", "Mercier", "Faure", "Chevalier", "Bonnet", "Lemoine", "Garnier", "Perrin",
    "Morel", "Gauthier", "Roche", "Barbier", "Renaud", "Vidal", "Caron", "Picard", "Aubert", "Bertrand",
    "Smith", "Johnson", "Williams", "Brown", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Moore",
    "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Nelson",
    "Patel", "Sharma", "Chen", "Wang", "Li", "Zhang", "Liu", "Tanaka", "Suzuki", "Kim", "Park", "Lee",
    "Nguyen", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Rossi", "Russo", "García", "López",
    "Martínez", "Silva", "Santos", "Cohen", "Levy", "Öztürk", "Yılmaz", "Andersson", "Johansson",
)  # fmt: skip
ROLE_TITLES = (
    "PDG", "directeur général", "directrice générale", "cofondateur", "cofondatrice", "président",
    "directeur technique", "directrice financière", "responsable de la recherche", "investisseur",
)  # fmt: skip
JOURNALISTS = (
    "Isabelle Martin", "Vincent Fagot", "Alexandre Piquard", "Sébastien Dumoulin", "Anaïs Moutot",
    "Raphaël Balenieri", "Nicolas Richaud", "Florian Dèbes", "Lucie Robequain", "Jamal Henni",
)  # fmt: skip
PUBLISHERS = (
    ("Les Échos", "lesechos.fr"), ("Le Monde", "lemonde.fr"), ("Le Figaro", "lefigaro.fr"),
    ("La Tribune", "latribune.fr"), ("BFM Business", "bfmtv.com"), ("L’Usine Nouvelle", "usinenouvelle.com"),
    ("Challenges", "challenges.fr"), ("Numerama", "numerama.com"), ("01net", "01net.com"),
    ("Frandroid", "frandroid.com"), ("Le Journal du Net", "journaldunet.com"), ("Siècle Digital", "siecledigital.fr"),
    ("Capital", "capital.fr"), ("L’Informé", "linforme.com"),
)  # fmt: skip

FUNDING_KIND_WEIGHTS = {
    "investment": 30,
    "funding_round": 28,
    "acquisition": 12,
    "bid": 4,
    "commitment": 8,
    "contract": 8,
    "valuation": 5,
    "revenue": 3,
    "other": 2,
}
FUNDING_EVENT_TYPE = {  # the event type a funding row of this kind belongs to (revenue: none)
    "investment": "investment",
    "funding_round": "funding_round",
    "acquisition": "acquisition",
    "bid": "bid",
    "commitment": "commitment",
    "contract": "contract",
    "valuation": "funding_round",
    "other": "partnership",
}
QUALIFIER_WEIGHTS = {"exact": 60, "about": 20, "up_to": 10, "more_than": 8, "less_than": 2}
QUALIFIER_WORDS = {
    "exact": "",
    "about": "près de ",
    "up_to": "jusqu’à ",
    "more_than": "plus de ",
    "less_than": "moins de ",
}
CURRENCIES = ("USD", "EUR", "GBP")
CURRENCY_WEIGHTS = (82, 16, 2)
CURRENCY_WORDS = {"USD": ("de dollars", "$"), "EUR": ("d’euros", "€"), "GBP": ("de livres sterling", "£")}
UNKNOWN_AMOUNTS = {
    "USD": ("plusieurs milliards de dollars", "plusieurs centaines de millions de dollars"),
    "EUR": ("plusieurs milliards d’euros", "quelques dizaines de millions d’euros"),
    "GBP": ("plusieurs centaines de millions de livres sterling",),
}
USD_PER = {  # yearly average rates, enough for amount_usd
    "EUR": {2015: 1.11, 2016: 1.11, 2017: 1.13, 2018: 1.18, 2019: 1.12, 2020: 1.14,
            2021: 1.18, 2022: 1.05, 2023: 1.08, 2024: 1.08, 2025: 1.13, 2026: 1.16},
    "GBP": {2015: 1.53, 2016: 1.36, 2017: 1.29, 2018: 1.33, 2019: 1.28, 2020: 1.28,
            2021: 1.38, 2022: 1.24, 2023: 1.24, 2024: 1.28, 2025: 1.32, 2026: 1.34},
}  # fmt: skip

# (name, kind, country, extra aliases); the first ones are the most cited.
FAMOUS_ORGANISATIONS = (
    ("OpenAI", "ai_lab", "US", ("Open AI",)),
    ("xAI", "ai_lab", "US", ("X.AI",)),
    ("Anthropic", "ai_lab", "US", ()),
    ("Microsoft", "big_tech", "US", ()),
    ("Nvidia", "chipmaker", "US", ("NVIDIA",)),
    ("Google DeepMind", "ai_lab", "GB", ("DeepMind",)),
    ("Meta", "big_tech", "US", ("Meta Platforms",)),
    ("Mistral AI", "ai_lab", "FR", ("Mistral",)),
    ("SpaceX", "aerospace", "US", ()),
    ("Tesla", "other", "US", ()),
    ("Apple", "big_tech", "US", ()),
    ("Amazon", "big_tech", "US", ()),
    ("Google", "big_tech", "US", ("Alphabet",)),
    ("Oracle", "big_tech", "US", ()),
    ("SoftBank", "investor", "JP", ()),
    ("AMD", "chipmaker", "US", ()),
    ("Blue Origin", "aerospace", "US", ()),
    ("Perplexity", "ai_lab", "US", ()),
    ("TSMC", "chipmaker", "TW", ()),
    ("IBM", "big_tech", "US", ()),
)
# (name, extra aliases, roles as (organisation slug, title))
FAMOUS_PEOPLE = (
    ("Elon Musk", ("Musk",), (("xai", "PDG"), ("tesla", "PDG"), ("spacex", "PDG"))),
    ("Sam Altman", ("Altman",), (("openai", "PDG"),)),
    ("Dario Amodei", ("Amodei",), (("anthropic", "PDG"),)),
    ("Satya Nadella", ("Nadella",), (("microsoft", "PDG"),)),
    ("Jensen Huang", ("Huang",), (("nvidia", "PDG"),)),
    ("Demis Hassabis", ("Hassabis",), (("google-deepmind", "PDG"),)),
    ("Mark Zuckerberg", ("Zuckerberg",), (("meta", "PDG"),)),
    ("Arthur Mensch", ("Mensch",), (("mistral-ai", "PDG"),)),
    ("Tim Cook", (), (("apple", "PDG"),)),
    ("Andy Jassy", (), (("amazon", "PDG"),)),
    ("Sundar Pichai", ("Pichai",), (("google", "PDG"),)),
    ("Larry Ellison", ("Ellison",), (("oracle", "président"),)),
    ("Masayoshi Son", (), (("softbank", "PDG"),)),
    ("Lisa Su", (), (("amd", "PDG"),)),
    ("Jeff Bezos", ("Bezos",), (("blue-origin", "fondateur"), ("amazon", "fondateur"))),
    ("Aravind Srinivas", (), (("perplexity", "PDG"),)),
)
FAMOUS_RIVALRIES = (
    ("openai", "xai"),
    ("elon-musk", "sam-altman"),
    ("anthropic", "openai"),
    ("google-deepmind", "openai"),
    ("amd", "nvidia"),
    ("blue-origin", "spacex"),
    ("elon-musk", "jeff-bezos"),
    ("meta", "openai"),
    ("google", "microsoft"),
    ("mistral-ai", "openai"),
)

# Every vocabulary value must be one the schema accepts.
assert set(EVENT_TYPE_WEIGHTS) == set(EVENT_TYPES) == set(ROLES) == set(EVENT_TEMPLATES) == set(TYPE_FAMILIES)
assert set(STATUS_WEIGHTS) == set(EVENT_STATUSES)
assert set(FUNDING_KIND_WEIGHTS) == set(FUNDING_KINDS) == set(FUNDING_TEMPLATES)
assert set(QUALIFIER_WEIGHTS) == set(QUALIFIERS)
assert set(ORGANISATION_KIND_WEIGHTS) == set(ORGANISATION_KINDS)
assert {role for pair in ROLES.values() for role in pair} <= set(PARTICIPANT_ROLES)


# --------------------------------------------------------------------------------------------
# Small helpers


def stable_id(kind: str, key: str) -> str:
    """``service.ingest.load.stable_id`` (``str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))``), twice as fast."""
    digest = bytearray(
        hashlib.sha1(ID_NAMESPACE_BYTES + f"{kind}:{key}".encode()).digest()[:16]
    )  # UUIDv5 is SHA-1 by definition
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def log(message: str) -> None:
    print(f"[datagen {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _fold(value: str) -> str:
    value = value.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    value = unicodedata.normalize("NFKD", value)
    return "".join(c for c in value if not unicodedata.combining(c)).casefold()


def slugify(name: str) -> str:
    """The ingestion's slug: accents folded, lower case, runs of other characters as ``-``."""
    return re.sub(r"[^0-9a-z]+", "-", _fold(name)).strip("-")


class Weighted:
    """Draws indices from a fixed discrete distribution, a batch at a time (one call per value is slow)."""

    def __init__(self, rng: random.Random, weights: Iterable[float], batch: int = 8192) -> None:
        self._rng = rng
        self._cum = list(accumulate(weights))
        self._population = range(len(self._cum))
        self._batch = batch
        self._buffer: list[int] = []

    def __call__(self) -> int:
        if not self._buffer:
            self._buffer = self._rng.choices(self._population, cum_weights=self._cum, k=self._batch)
        return self._buffer.pop()


def zipf(rng: random.Random, n: int) -> Weighted:
    """Rank r drawn with weight 1 / (r + 2) ** s: the first ranks are the famous ones."""
    return Weighted(rng, (1.0 / (r + 2) ** ZIPF_EXPONENT for r in range(n)))


def skewed_day(u: float, span: int = SPAN_DAYS) -> int:
    return FIRST_DAY + int(span * u**DATE_SKEW)


def fact_day(u: float) -> int:
    """When an event or deal happens: early enough for its whole report window to hold documents."""
    return skewed_day(u, SPAN_DAYS - REPORT_WINDOW_DAYS)


@functools.lru_cache(maxsize=8192)
def _date(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


@functools.lru_cache(maxsize=8192)
def _midnight(ordinal: int) -> dt.datetime:
    return dt.datetime.fromordinal(ordinal).replace(tzinfo=UTC)


def timestamp(ordinal: int, salt: int) -> dt.datetime:
    """A plausible time on that day (06:00–22:00), fixed by ``salt``."""
    return _midnight(ordinal) + dt.timedelta(seconds=21_600 + (salt * 2_654_435_761) % 57_600)


def date_phrase(ordinal: int, precision: int) -> tuple[str, str]:
    """(``", le 3 mars 2024"``, ``"3 mars 2024"``) for a day; month and year precisions likewise."""
    if not ordinal:
        return "", ""
    day = _date(ordinal)
    if precision == 1:
        text = f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"
        return f", le {text}", text
    if precision == 2:
        text = f"{MONTHS[day.month - 1]} {day.year}"
        return f", en {text}", text
    return f", en {day.year}", str(day.year)


def expected_distinct(draws: int, population: int) -> int:
    """Distinct documents among ``draws`` picks out of ``population`` (the estimate entities get)."""
    if draws <= 1:
        return draws
    return max(1, min(draws, round(population * -math.expm1(-draws / population))))


def parse_template(template: str) -> list[str]:
    """``"{a} a investi dans {b}{d}."`` → ``["", "a", " a investi dans ", "b", "", "d", "."]``."""
    return re.split(r"\{(\w)\}", template)


def french_number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def amount_words(amount: int, currency: str, qualifier: str, short: bool) -> str:
    """``2_500_000_000, "USD"`` → ``"2,5 milliards de dollars"`` (or ``"2,5 Md$"``), with its qualifier."""
    words, symbol = CURRENCY_WORDS[currency]
    if amount >= 1_000_000_000:
        value, unit, abbr = amount / 1e9, "milliard", "Md"
    else:
        value, unit, abbr = amount / 1e6, "million", "M"
    number = french_number(value)
    body = f"{number} {abbr}{symbol}" if short else f"{number} {unit}{'s' if value >= 2 else ''} {words}"
    return QUALIFIER_WORDS[qualifier] + body


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --------------------------------------------------------------------------------------------
# The plan: every fact decided up front in compact arrays, so counters are known before the
# tables that hold them are written, and documents can be written from the facts they cite.


@dataclass
class EntityTable:
    """Organisations or people: identity, and the counters their participations add up to."""

    kind: str
    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    aliases: list[tuple[str, ...]] = field(default_factory=list)
    in_gazetteer: list[bool] = field(default_factory=list)
    mentions: array[int] = field(default_factory=lambda: array("i"))
    sources: array[int] = field(default_factory=lambda: array("q"))
    first_seen: array[int] = field(default_factory=lambda: array("i"))
    last_seen: array[int] = field(default_factory=lambda: array("i"))
    first_event: array[int] = field(default_factory=lambda: array("i"))
    last_event: array[int] = field(default_factory=lambda: array("i"))

    def add(self, entity_id: str, name: str, aliases: tuple[str, ...], in_gazetteer: bool) -> None:
        self.ids.append(entity_id)
        self.names.append(name)
        self.aliases.append(aliases)
        self.in_gazetteer.append(in_gazetteer)

    def allocate(self) -> None:
        n = len(self.ids)
        self.mentions = array("i", [0]) * n
        self.sources = array("q", [0]) * n
        self.first_seen = array("i", [BIG_DAY]) * n
        self.last_seen = array("i", [0]) * n
        self.first_event = array("i", [-1]) * n
        self.last_event = array("i", [-1]) * n


class Plan:
    def __init__(self, events: int, seed: int) -> None:
        self.n_events = events
        self.seed = seed
        self.n_documents = max(1000, events // 5)
        self.n_people = max(2000, events // 20)
        self.n_funding = events // 4
        self.n_rivalries = max(20, events // 100)
        self.rng = random.Random(seed)
        self.orgs = EntityTable("organisation")
        self.people = EntityTable("person")
        self.org_kind: list[str] = []
        self.org_country: list[str | None] = []
        self.org_description: list[str | None] = []
        self.roles: list[tuple[int, int | None, str]] = []  # (person, organisation, title)
        # documents
        self.doc_day: list[int] = []
        # events
        self.ev_type = array("B")
        self.ev_status = array("B")
        self.ev_day = array("i")  # 0: undated
        self.ev_precision = array("B")  # 0 none, 1 day, 2 month, 3 year
        self.ev_part_offset = array("i", [0])
        self.part_code = array("i")
        self.part_role = array("B")
        self.ev_doc_offset = array("i", [0])
        self.ev_docs = array("i")
        self.ev_ids: list[str] = []
        self.ev_keys: list[str] = []
        # funding
        self.f_kind = array("B")
        self.f_event = array("i")
        self.f_amount = array("q")  # -1: unknown
        self.f_currency = array("B")
        self.f_qualifier = array("B")
        self.f_day = array("i")
        self.f_precision = array("B")
        self.f_status = array("B")
        self.f_recipient = array("i")
        self.f_payer_offset = array("i", [0])
        self.f_payers = array("i")
        self.f_doc_offset = array("i", [0])
        self.f_docs = array("i")
        self.f_equivalent = array("B")
        self.f_texts: list[str] = []
        self.f_keys: list[str] = []
        self.f_ids: list[str] = []
        # rivalries: parties as entity codes, counters, citing documents
        self.r_a = array("i")
        self.r_b = array("i")
        self.r_events = array("i")
        self.r_first = array("i")
        self.r_last = array("i")
        self.r_first_event = array("i")
        self.r_docs: list[tuple[int, ...]] = []
        self.r_ids: list[str] = []
        # per-document work lists (built by _index_tasks)
        self.task_doc = array("i")
        self.task_value = array("q")
        self.doc_task_offset = array("i")
        self.doc_tasks = array("q")
        self.change_id = 0  # ids of the change log, given in generation order

    # -- build --------------------------------------------------------------------------------

    def build(self) -> None:
        steps: tuple[tuple[str, Callable[[], None]], ...] = (
            ("organisations", self._organisations),
            ("people", self._people),
            ("documents", self._documents),
            ("rivalries", self._rivalries),
            ("events", self._events),
            ("funding", self._funding),
            ("citations", self._citations),
            ("document index", self._index_tasks),
        )
        for name, step in steps:
            started = time.perf_counter()
            step()
            log(f"plan: {name} in {time.perf_counter() - started:.1f}s")

    def _unique_name(self, make: Callable[[], str], taken: set[str], template: str = "{}") -> tuple[str, str]:
        """A name (``template`` around what ``make`` draws) whose slug is not ``taken`` yet, and that slug."""
        for _ in range(1000):
            name = template.format(make())
            slug = slugify(name)
            if slug and slug not in taken:
                taken.add(slug)
                return name, slug
        raise RuntimeError("could not find a free name")

    def _organisations(self) -> None:
        rng = self.rng
        kinds = list(ORGANISATION_KIND_WEIGHTS)
        kind_pick = Weighted(rng, ORGANISATION_KIND_WEIGHTS.values())
        countries = list(COUNTRIES)
        country_pick = Weighted(rng, COUNTRIES.values())
        taken: set[str] = set()
        for name, kind, country, aliases in FAMOUS_ORGANISATIONS:
            slug = slugify(name)
            taken.add(slug)
            self.orgs.add(slug, name, aliases, True)
            self.org_kind.append(kind)
            self.org_country.append(country)
            self.org_description.append(rng.choice(ORGANISATION_DESCRIPTIONS[kind]))

        def base() -> str:
            syllables = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
            return (syllables + rng.choice(ENDINGS)).capitalize()

        while len(self.orgs.ids) < ORGANISATION_COUNT:
            kind = kinds[kind_pick()]
            suffix = rng.choice(ORGANISATION_SUFFIXES[kind])
            if kind == "government":
                template = f"{suffix} {{}}"
            elif rng.random() < 0.1:
                template = "{}"
            else:
                template = f"{{}} {suffix}"
            name, slug = self._unique_name(base, taken, template)
            stem = name.split(" ")[-1] if kind == "government" else name.split(" ")[0]
            extra: tuple[str, ...] = ()
            roll = rng.random()
            if roll < 0.45 and stem != name:
                extra = (stem,)
            elif roll < 0.6:
                extra = (name.upper(),) if name.upper() != name else (f"{name} SAS",)
            self.orgs.add(slug, name, extra, rng.random() < 0.02)
            self.org_kind.append(kind)
            self.org_country.append(None if rng.random() < 0.08 else countries[country_pick()])
            self.org_description.append(None if rng.random() < 0.3 else rng.choice(ORGANISATION_DESCRIPTIONS[kind]))
        self.orgs.allocate()

    def _people(self) -> None:
        rng = self.rng
        org_index = {slug: i for i, slug in enumerate(self.orgs.ids)}
        taken: set[str] = set()
        for name, aliases, roles in FAMOUS_PEOPLE:
            slug = slugify(name)
            taken.add(slug)
            person = len(self.people.ids)
            self.people.add(slug, name, aliases, True)
            self.roles += [(person, org_index[org], title) for org, title in roles]

        def surname() -> str:
            if rng.random() < 0.5:
                return rng.choice(LAST_NAMES)
            syllables = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3))))
            return (syllables + rng.choice(("", "", "t", "nd", "ier", "and", "ec", "ini"))).capitalize()

        n_orgs = len(self.orgs.ids)
        while len(self.people.ids) < self.n_people:
            name, slug = self._unique_name(lambda: f"{rng.choice(FIRST_NAMES)} {surname()}", taken)
            person = len(self.people.ids)
            last = name.split(" ", 1)[1]
            self.people.add(slug, name, (last,) if rng.random() < 0.5 else (), rng.random() < 0.02)
            roll = rng.random()
            count = 0 if roll < 0.5 else 1 if roll < 0.9 else 2
            seen: set[tuple[int | None, str]] = set()
            for _ in range(count):
                # Uniform: an organisation has a handful of people, however often it is in the news.
                org = None if rng.random() < 0.05 else rng.randrange(len(FAMOUS_ORGANISATIONS), n_orgs)
                title = rng.choice(ROLE_TITLES)
                if (org, title) not in seen:
                    seen.add((org, title))
                    self.roles.append((person, org, title))
        self.people.allocate()

    def _documents(self) -> None:
        n = self.n_documents
        self.doc_day = [skewed_day((d + 0.5) / n) for d in range(n)]  # a list: bisect and indexing are faster

    def _rivalries(self) -> None:
        rng = self.rng
        org_index = {slug: i for i, slug in enumerate(self.orgs.ids)}
        person_index = {slug: i for i, slug in enumerate(self.people.ids)}
        pairs: list[tuple[int, int]] = []
        seen: set[tuple[int, int]] = set()
        ids: set[str] = set()

        def add(a: int, b: int) -> None:
            key = (min(a, b), max(a, b))
            rid = "--".join(sorted((self.slug(a), self.slug(b))))
            if a != b and key not in seen and rid not in ids:
                seen.add(key)
                ids.add(rid)
                pairs.append(key)

        for first, second in FAMOUS_RIVALRIES:
            if first in org_index:
                add(org_index[first], org_index[second])
            else:
                add(-1 - person_index[first], -1 - person_index[second])
        org_pick = zipf(rng, len(self.orgs.ids))
        person_pick = zipf(rng, len(self.people.ids))
        attempts = 0
        while len(pairs) < self.n_rivalries and attempts < 100 * self.n_rivalries:
            attempts += 1
            if rng.random() < 0.85:
                add(org_pick(), org_pick())
            else:
                add(-1 - person_pick(), -1 - person_pick())
        n = len(pairs)
        self.r_a = array("i", (a for a, _ in pairs))
        self.r_b = array("i", (b for _, b in pairs))
        self.r_events = array("i", [0]) * n
        self.r_first = array("i", [BIG_DAY]) * n
        self.r_last = array("i", [0]) * n
        self.r_first_event = array("i", [-1]) * n

    def slug(self, code: int) -> str:
        return self.orgs.ids[code] if code >= 0 else self.people.ids[-1 - code]

    def name(self, code: int) -> str:
        return self.orgs.names[code] if code >= 0 else self.people.names[-1 - code]

    def _pick_documents(self, anchor: int, k: int) -> list[int]:
        """``k`` distinct documents published within the report window after ``anchor``."""
        days = self.doc_day
        lo = bisect_left(days, anchor)
        hi = bisect_right(days, anchor + REPORT_WINDOW_DAYS, lo)
        if hi - lo < k:
            lo = max(0, min(lo, len(days) - k))
            hi = min(len(days), max(hi, lo + k))
        random_, width = self.rng.random, hi - lo
        picked = {lo + int(random_() * width)}
        while len(picked) < k:
            picked.add(lo + int(random_() * width))
        return sorted(picked)

    def _touch(self, code: int, first: int, last: int, sources: int, event: int) -> None:
        """A fact naming this entity, cited ``max(3, sources)`` times in ``sources`` documents."""
        table = self.orgs if code >= 0 else self.people
        e = code if code >= 0 else -1 - code
        table.mentions[e] += max(3, sources)
        table.sources[e] += sources
        if first < table.first_seen[e]:
            table.first_seen[e] = first
        if last > table.last_seen[e]:
            table.last_seen[e] = last
        if event >= 0:
            if table.first_event[e] < 0:
                table.first_event[e] = event
            table.last_event[e] = event

    def _add_tasks(self, fact: int, kind: int, docs: Sequence[int], citations: int) -> None:
        """One task per citing document; the first document takes the citations beyond one each."""
        extra = max(0, citations - len(docs))
        for j, doc in enumerate(docs):
            count = 1 + (extra if j == 0 else 0)
            self.task_doc.append(doc)
            self.task_value.append((fact << 5) | (count << 3) | kind)

    def _events(self) -> None:
        """The hot loop of the plan (a million iterations): locals bound up front, no method calls."""
        rng = self.rng
        random_ = rng.random
        type_pick = Weighted(rng, EVENT_TYPE_WEIGHTS.values())
        type_index = [EVENT_TYPES.index(t) for t in EVENT_TYPE_WEIGHTS]
        family = [TYPE_FAMILIES[t] for t in EVENT_TYPES]
        roles = [tuple(PARTICIPANT_ROLES.index(r) for r in ROLES[t]) for t in EVENT_TYPES]
        status_pick = Weighted(rng, STATUS_WEIGHTS.values())
        status_index = [EVENT_STATUSES.index(s) for s in STATUS_WEIGHTS]
        precision_pick = Weighted(rng, PRECISION_WEIGHTS)
        sources_pick = Weighted(rng, SOURCE_COUNT_WEIGHTS)
        org_pick = zipf(rng, len(self.orgs.ids))
        person_pick = zipf(rng, len(self.people.ids))
        rivalry_pick = Weighted(rng, (1.0 / (r + 1) for r in range(len(self.r_a))))
        r_a, r_b = self.r_a, self.r_b
        rivalry_of = {(a, b): r for r, (a, b) in enumerate(zip(r_a, r_b, strict=True))}
        r_events, r_first, r_last, r_first_event = self.r_events, self.r_first, self.r_last, self.r_first_event
        stats = {
            True: (self.orgs.mentions, self.orgs.sources, self.orgs.first_seen, self.orgs.last_seen),
            False: (self.people.mentions, self.people.sources, self.people.first_seen, self.people.last_seen),
        }
        events_of = {
            True: (self.orgs.first_event, self.orgs.last_event),
            False: (self.people.first_event, self.people.last_event),
        }
        org_ids, person_ids = self.orgs.ids, self.people.ids
        keys: dict[str, int] = {}
        doc_day = self.doc_day
        pick_documents = self._pick_documents
        ev_type, ev_status, ev_day, ev_precision = self.ev_type, self.ev_status, self.ev_day, self.ev_precision
        part_code, part_role, ev_part_offset = self.part_code, self.part_role, self.ev_part_offset
        ev_docs, ev_doc_offset = self.ev_docs, self.ev_doc_offset
        task_doc, task_value = self.task_doc, self.task_value
        ev_keys, ev_ids = self.ev_keys, self.ev_ids
        for i in range(self.n_events):
            t = type_index[type_pick()]
            ev_type.append(t)
            ev_status.append(status_index[status_pick()])
            anchor = fact_day(random_())
            if random_() < UNDATED_SHARE:
                day = precision = 0
            else:
                precision = precision_pick() + 1
                day = anchor
                if precision > 1:
                    d = _date(anchor)
                    day = d.replace(day=1, month=1 if precision == 3 else d.month).toordinal()
            ev_day.append(day)
            ev_precision.append(precision)

            size = 2 if random_() < 0.6 else 3
            if random_() < RIVALRY_SHARE:
                r = rivalry_pick()
                parts = [r_a[r], r_b[r]] if random_() < 0.5 else [r_b[r], r_a[r]]
            else:
                parts = []
            while len(parts) < size:
                code = -1 - person_pick() if random_() < PERSON_SHARE else org_pick()
                if code not in parts:
                    parts.append(code)
            part_code.extend(parts)
            first_role, other_role = roles[t]
            part_role.append(first_role)
            part_role.append(other_role)
            if size == 3:
                part_role.append(other_role)
            ev_part_offset.append(len(part_code))

            k = sources_pick() + 1
            docs = pick_documents(anchor, k)
            ev_docs.extend(docs)
            ev_doc_offset.append(len(ev_docs))
            first, last = doc_day[docs[0]], doc_day[docs[-1]]
            cites = 3 if k < 3 else k
            for code in parts:
                is_org = code >= 0
                e = code if is_org else -1 - code
                mentions, sources, first_seen, last_seen = stats[is_org]
                mentions[e] += cites
                sources[e] += k
                if first < first_seen[e]:
                    first_seen[e] = first
                if last > last_seen[e]:
                    last_seen[e] = last
                first_event, last_event = events_of[is_org]
                if first_event[e] < 0:
                    first_event[e] = i
                last_event[e] = i
            for x in range(size - 1):
                for y in range(x + 1, size):
                    a, b = parts[x], parts[y]
                    shared = rivalry_of.get((a, b) if a < b else (b, a))
                    if shared is not None:
                        r_events[shared] += 1
                        if r_first_event[shared] < 0:
                            r_first_event[shared] = i
                        if day:
                            if day < r_first[shared]:
                                r_first[shared] = day
                            if day > r_last[shared]:
                                r_last[shared] = day
            # One task per citing document; the first takes the citations beyond one each.
            task_doc.extend(docs)
            task_value.append((i << 5) | ((1 + cites - k) << 3) | TASK_EVENT)
            for _ in range(k - 1):
                task_value.append((i << 5) | (1 << 3) | TASK_EVENT)

            orgs = ",".join(sorted([org_ids[c] for c in parts if c >= 0]))
            people = ",".join(sorted([person_ids[-1 - c] for c in parts if c < 0]))
            key = f"{family[t]}|{orgs}|{people}|{_date(day).year if day else ''}"
            seen = keys.get(key, 0)
            keys[key] = seen + 1
            if seen:
                key = f"{key}|#{seen + 1}"
            ev_keys.append(key)
            ev_ids.append(stable_id("event", key))

    def _funding(self) -> None:
        rng = self.rng
        random_ = rng.random
        kind_names = list(FUNDING_KIND_WEIGHTS)
        kind_pick = Weighted(rng, FUNDING_KIND_WEIGHTS.values())
        qualifier_names = list(QUALIFIER_WEIGHTS)
        qualifier_pick = Weighted(rng, QUALIFIER_WEIGHTS.values())
        currency_pick = Weighted(rng, CURRENCY_WEIGHTS)
        exponent_pick = Weighted(rng, (30, 30, 22, 13, 5))  # 10^6 .. 10^10
        status_pick = Weighted(rng, STATUS_WEIGHTS.values())
        status_index = [EVENT_STATUSES.index(s) for s in STATUS_WEIGHTS]
        precision_pick = Weighted(rng, PRECISION_WEIGHTS)
        org_pick = zipf(rng, len(self.orgs.ids))
        person_pick = zipf(rng, len(self.people.ids))
        by_type: dict[int, array[int]] = {t: array("i") for t in range(len(EVENT_TYPES))}
        for i, t in enumerate(self.ev_type):
            by_type[t].append(i)
        keys: dict[str, int] = {}
        doc_day = self.doc_day
        for f in range(self.n_funding):
            kind = kind_names[kind_pick()]
            event_type = FUNDING_EVENT_TYPE.get(kind)
            candidates = by_type[EVENT_TYPES.index(event_type)] if event_type else None
            event = -1
            if candidates and random_() < LINKED_FUNDING_SHARE:
                event = candidates[int(random_() * len(candidates))]
            if event >= 0:
                parts = list(self.part_code[self.ev_part_offset[event] : self.ev_part_offset[event + 1]])
                slot = 0 if EVENT_TYPES[self.ev_type[event]] == "funding_round" else 1
                recipient = parts[slot]
                payers = [c for c in parts if c != recipient][:2]
                day, precision = self.ev_day[event], self.ev_precision[event]
                status = self.ev_status[event]
                docs = list(self.ev_docs[self.ev_doc_offset[event] : self.ev_doc_offset[event + 1]])
            else:
                recipient = org_pick()
                payers = []
                wanted = 1 if random_() < 0.6 else 2
                while len(payers) < wanted:
                    code = -1 - person_pick() if random_() < PERSON_SHARE else org_pick()
                    if code != recipient and code not in payers:
                        payers.append(code)
                anchor = fact_day(random_())
                if random_() < UNDATED_SHARE:
                    day, precision = 0, 0
                else:
                    precision = precision_pick() + 1
                    day = anchor
                    if precision > 1:
                        d = _date(anchor)
                        day = d.replace(day=1, month=1 if precision == 3 else d.month).toordinal()
                status = status_index[status_pick()]
                docs = self._pick_documents(anchor, 1 + int(random_() * 3))
            currency = CURRENCIES[currency_pick()]
            if random_() < NULL_AMOUNT_SHARE:
                amount, qualifier = -1, "about"
                texts = UNKNOWN_AMOUNTS[currency]
                text = texts[f % len(texts)]
            else:
                amount = (10 + int(random_() * 90)) * 10 ** (5 + exponent_pick())
                qualifier = qualifier_names[qualifier_pick()]
                text = amount_words(amount, currency, qualifier, short=random_() < 0.15)
            self.f_kind.append(FUNDING_KINDS.index(kind))
            self.f_event.append(event)
            self.f_amount.append(amount)
            self.f_currency.append(CURRENCIES.index(currency))
            self.f_qualifier.append(QUALIFIERS.index(qualifier))
            self.f_day.append(day)
            self.f_precision.append(precision)
            self.f_status.append(status)
            self.f_recipient.append(recipient)
            self.f_payers.extend(payers)
            self.f_payer_offset.append(len(self.f_payers))
            self.f_docs.extend(docs)
            self.f_doc_offset.append(len(self.f_docs))
            self.f_equivalent.append(currency != "USD" and amount > 0 and random_() < 0.3)
            self.f_texts.append(text)
            first, last = doc_day[docs[0]], doc_day[docs[-1]]
            for code in (recipient, *payers):
                self._touch(code, first, last, len(docs), -1)
            self._add_tasks(f, TASK_FUNDING, docs, 3)
            shown = f"{amount}" if amount >= 0 else f"?{text.casefold()}"
            party = f"{'organisation' if recipient >= 0 else 'person'}:{self.slug(recipient)}"
            key = "|".join((kind, shown, currency, qualifier, party))
            seen = keys.get(key, 0)
            keys[key] = seen + 1
            if seen:
                key = f"{key}|#{seen + 1}"
            self.f_keys.append(key)
            self.f_ids.append(stable_id("funding", key))

    def _citations(self) -> None:
        """Rivalry and entity-name citations: 1–2 each, in documents of their events when they have some."""
        rng = self.rng
        n_docs = self.n_documents
        doc_day = self.doc_day
        for r in range(len(self.r_a)):
            first_event = self.r_first_event[r]
            docs = [self.ev_docs[self.ev_doc_offset[first_event]]] if first_event >= 0 else [rng.randrange(n_docs)]
            if rng.random() < 0.5:
                other = rng.randrange(n_docs)
                if other != docs[0]:
                    docs.append(other)
            self.r_docs.append(tuple(docs))
            for variant, doc in enumerate(docs):
                self.task_doc.append(doc)
                self.task_value.append((r << 5) | (variant << 3) | TASK_RIVALRY)
            a, b = sorted((self.slug(self.r_a[r]), self.slug(self.r_b[r])))
            self.r_ids.append(f"{a}--{b}")
        for table, sign in ((self.orgs, 1), (self.people, -1)):
            for e in range(len(table.ids)):
                if not table.mentions[e]:
                    continue  # never named by any event or funding row: no document mentions it
                code = e if sign > 0 else -1 - e
                first_event, last_event = table.first_event[e], table.last_event[e]
                docs = [self.ev_docs[self.ev_doc_offset[first_event]]] if first_event >= 0 else [rng.randrange(n_docs)]
                if rng.random() < 0.5:
                    other = (
                        self.ev_docs[self.ev_doc_offset[last_event]]
                        if last_event >= 0 and last_event != first_event
                        else rng.randrange(n_docs)
                    )
                    if other != docs[0]:
                        docs.append(other)
                for doc in docs:
                    self.task_doc.append(doc)
                    self.task_value.append(((code + (1 << 26)) << 5) | (1 << 3) | TASK_MENTION)
                    day = doc_day[doc]
                    if day < table.first_seen[e]:
                        table.first_seen[e] = day
                    if day > table.last_seen[e]:
                        table.last_seen[e] = day
                table.mentions[e] += len(docs)
                table.sources[e] += len(docs)

    def _index_tasks(self) -> None:
        """Counting sort of the (document, task) pairs by document."""
        n = self.n_documents
        counts = array("i", [0]) * (n + 1)
        for doc in self.task_doc:
            counts[doc + 1] += 1
        self.doc_task_offset = array("i", accumulate(counts))
        position = array("i", self.doc_task_offset)
        tasks = array("q", [0]) * len(self.task_value)
        for doc, value in zip(self.task_doc, self.task_value, strict=True):
            p = position[doc]
            tasks[p] = value
            position[doc] = p + 1
        self.doc_tasks = tasks
        self.task_doc = array("i")
        self.task_value = array("q")

    # -- text -----------------------------------------------------------------------------------

    def names_parts(self, out: list[Part], codes: Sequence[int]) -> None:
        for j, code in enumerate(codes):
            if j:
                out.append(" et " if j == len(codes) - 1 else ", ")
            out.append((self.name(code), code))

    def _fill(self, template: list[str], a: Sequence[int], b: Sequence[int], d: str, label: str) -> list[Part]:
        out: list[Part] = []
        for j, token in enumerate(template):
            if j % 2 == 0:
                if token:
                    out.append(token)
            elif token == "a":
                self.names_parts(out, a)
            elif token == "b":
                self.names_parts(out, b)
            elif token == "d":
                if d:
                    out.append(d)
            elif token == "l":
                out.append(label)
        return out

    def event_parts(self, i: int, variant: int) -> list[Part]:
        etype = EVENT_TYPES[self.ev_type[i]]
        codes = self.part_code[self.ev_part_offset[i] : self.ev_part_offset[i + 1]]
        templates = EVENT_TEMPLATES_PARSED[etype] if variant == 0 else EVENT_FOLLOW_UPS_PARSED[variant - 1]
        template = templates[(i * 7 + variant) % len(templates)]
        phrase = date_phrase(self.ev_day[i], self.ev_precision[i])[0]
        return self._fill(template, codes[:1], codes[1:], phrase, TYPE_LABELS[etype])

    def event_title(self, i: int) -> str:
        etype = EVENT_TYPES[self.ev_type[i]]
        codes = self.part_code[self.ev_part_offset[i] : self.ev_part_offset[i + 1]]
        return f"{TYPE_LABELS[etype]} — {', '.join(self.name(c) for c in codes[:4])}"

    def funding_parts(self, f: int, variant: int) -> list[Part]:
        kind = FUNDING_KINDS[self.f_kind[f]]
        if variant == 0:
            templates = FUNDING_TEMPLATES_PARSED[kind]
            template = templates[f % len(templates)]
            phrase = date_phrase(self.f_day[f], self.f_precision[f])[0]
        else:
            template = FUNDING_FOLLOW_UPS_PARSED[(variant - 1) % len(FUNDING_FOLLOW_UPS_PARSED)]
            phrase = ""
        payers = self.f_payers[self.f_payer_offset[f] : self.f_payer_offset[f + 1]]
        out: list[Part] = []
        for j, token in enumerate(template):
            if j % 2 == 0:
                if token:
                    out.append(token)
            elif token == "p":
                self.names_parts(out, payers)
            elif token == "r":
                self.names_parts(out, (self.f_recipient[f],))
            elif token == "h":
                out.append("ont" if len(payers) > 1 else "a")
            elif token == "m":
                out.append((self.f_texts[f], AMOUNT_TAG))
            elif token == "d" and phrase:
                out.append(phrase)
        return out

    def rivalry_parts(self, r: int, variant: int) -> list[Part]:
        template = RIVALRY_TEMPLATES_PARSED[(r + variant) % len(RIVALRY_TEMPLATES_PARSED)]
        return self._fill(template, (self.r_a[r],), (self.r_b[r],), "", "")


def _parsed(templates: Iterable[str]) -> tuple[list[str], ...]:
    return tuple(parse_template(t) for t in templates)


EVENT_TEMPLATES_PARSED = {t: _parsed(ts) for t, ts in EVENT_TEMPLATES.items()}
EVENT_FOLLOW_UPS_PARSED = tuple(_parsed(ts) for ts in EVENT_FOLLOW_UPS)
FUNDING_TEMPLATES_PARSED = {k: _parsed(ts) for k, ts in FUNDING_TEMPLATES.items()}
FUNDING_FOLLOW_UPS_PARSED = _parsed(FUNDING_FOLLOW_UPS)
RIVALRY_TEMPLATES_PARSED = _parsed(RIVALRY_TEMPLATES)


def text_of(parts: Sequence[Part]) -> str:
    return "".join(p if isinstance(p, str) else p[0] for p in parts)


# --------------------------------------------------------------------------------------------
# Rows, table by table (generators: nothing bigger than a chunk is ever held)

COLUMNS: dict[str, tuple[str, ...]] = {
    "organisations": (
        "id", "name", "kind", "country", "description", "in_gazetteer", "mention_count", "source_count",
        "first_seen_on", "last_seen_on", "created_at", "updated_at",
    ),
    "organisation_aliases": ("organisation_id", "alias", "is_name"),
    "people": (
        "id", "name", "in_gazetteer", "mention_count", "source_count", "first_seen_on", "last_seen_on",
        "created_at", "updated_at",
    ),
    "person_aliases": ("person_id", "alias", "is_name"),
    "person_roles": ("id", "person_id", "organisation_id", "title"),
    "events": (
        "id", "cluster_key", "type", "title", "summary", "status", "occurred_on", "date_precision", "date_text",
        "reported_on", "source_count", "first_reported_on", "last_reported_on", "created_at", "updated_at",
    ),
    "event_participants": (
        "id", "event_id", "kind", "organisation_id", "person_id", "role", "event_type", "event_occurred_on",
    ),
    "funding": (
        "id", "natural_key", "kind", "amount", "currency", "qualifier", "amount_usd", "fx_rate_on", "equivalents",
        "amount_text", "recipient_kind", "recipient_organisation_id", "recipient_person_id", "event_id",
        "occurred_on", "date_precision", "status", "source_count", "created_at", "updated_at",
    ),
    "funding_payers": ("id", "funding_id", "kind", "organisation_id", "person_id"),
    "rivalries": (
        "id", "party_a_kind", "party_a_organisation_id", "party_a_person_id", "party_b_kind",
        "party_b_organisation_id", "party_b_person_id", "summary", "event_count", "source_count",
        "first_event_on", "last_event_on", "created_at", "updated_at",
    ),
    "documents": (
        "id", "file", "title", "publisher", "author", "url", "language", "published_on", "sha256", "char_count",
        "text", "fact_counts", "pipeline_version", "ingested_at", "created_at", "updated_at",
    ),
    "changes": ("id", "kind", "entity_id", "op", "changed_at"),
    "citations": (
        "id", "fact_kind", "fact_id", "document_id", "start", "end", "quote", "prefix", "suffix", "extractor",
        "confidence", "created_at",
    ),
}  # fmt: skip
LOAD_ORDER = tuple(COLUMNS)


def entity_rows(plan: Plan, table: EntityTable) -> Iterator[tuple[Any, ...]]:
    n_docs = plan.n_documents
    for e, entity_id in enumerate(table.ids):
        first, last = table.first_seen[e], table.last_seen[e]
        head = (entity_id, table.names[e])
        tail = (
            table.in_gazetteer[e],
            table.mentions[e],
            expected_distinct(table.sources[e], n_docs),
            _date(first) if first < BIG_DAY else None,
            _date(last) if last else None,
            timestamp(first if first < BIG_DAY else FIRST_DAY, e),
            timestamp(last or FIRST_DAY, e + 1),
        )
        if table.kind == "organisation":
            yield (*head, plan.org_kind[e], plan.org_country[e], plan.org_description[e], *tail)
        else:
            yield (*head, *tail)


def alias_rows(table: EntityTable) -> Iterator[tuple[Any, ...]]:
    for e, entity_id in enumerate(table.ids):
        name = table.names[e]
        yield (entity_id, name, True)
        for alias in table.aliases[e]:
            if alias != name:
                yield (entity_id, alias, False)


def role_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    for n, (person, org, title) in enumerate(plan.roles, 1):
        yield (n, plan.people.ids[person], None if org is None else plan.orgs.ids[org], title)


def event_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    doc_day = plan.doc_day
    for i, event_id in enumerate(plan.ev_ids):
        docs = plan.ev_docs[plan.ev_doc_offset[i] : plan.ev_doc_offset[i + 1]]
        first, last = doc_day[docs[0]], doc_day[docs[-1]]
        day, precision = plan.ev_day[i], plan.ev_precision[i]
        yield (
            event_id,
            plan.ev_keys[i],
            EVENT_TYPES[plan.ev_type[i]],
            plan.event_title(i),
            text_of(plan.event_parts(i, 0))[:500],
            EVENT_STATUSES[plan.ev_status[i]],
            _date(day) if day else None,
            PRECISIONS[precision - 1] if day else None,
            date_phrase(day, precision)[1] or None,
            _date(first),
            len(docs),
            _date(first),
            _date(last),
            timestamp(first, i),
            timestamp(last, i + 7),
        )


def participant_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    orgs, people = plan.orgs.ids, plan.people.ids
    for i, event_id in enumerate(plan.ev_ids):
        # The event's type and date, copied as the trigger of migration e5b7c1d94a28 would.
        kind, day = EVENT_TYPES[plan.ev_type[i]], plan.ev_day[i]
        on = _date(day) if day else None
        for j in range(plan.ev_part_offset[i], plan.ev_part_offset[i + 1]):
            code, role = plan.part_code[j], PARTICIPANT_ROLES[plan.part_role[j]]
            if code >= 0:
                yield (j + 1, event_id, "organisation", orgs[code], None, role, kind, on)
            else:
                yield (j + 1, event_id, "person", None, people[-1 - code], role, kind, on)


def funding_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    doc_day = plan.doc_day
    cents = Decimal("0.01")
    for f, funding_id in enumerate(plan.f_ids):
        docs = plan.f_docs[plan.f_doc_offset[f] : plan.f_doc_offset[f + 1]]
        first, last = doc_day[docs[0]], doc_day[docs[-1]]
        currency = CURRENCIES[plan.f_currency[f]]
        day, precision = plan.f_day[f], plan.f_precision[f]
        amount: Decimal | None = None
        usd: Decimal | None = None
        fx_on: dt.date | None = None
        equivalents = "[]"
        if plan.f_amount[f] >= 0:
            amount = Decimal(plan.f_amount[f])
            if currency == "USD":
                usd = amount
            else:
                rated_on = day or first
                usd = (amount * Decimal(str(USD_PER[currency][_date(rated_on).year]))).quantize(cents)
                fx_on = _date(rated_on)
                if plan.f_equivalent[f]:
                    equivalents = json.dumps([{"amount": float(usd), "currency": "USD"}])
        recipient = plan.f_recipient[f]
        event = plan.f_event[f]
        yield (
            funding_id,
            plan.f_keys[f],
            FUNDING_KINDS[plan.f_kind[f]],
            amount,
            currency,
            QUALIFIERS[plan.f_qualifier[f]],
            usd,
            fx_on,
            equivalents,
            plan.f_texts[f],
            "organisation" if recipient >= 0 else "person",
            plan.orgs.ids[recipient] if recipient >= 0 else None,
            plan.people.ids[-1 - recipient] if recipient < 0 else None,
            plan.ev_ids[event] if event >= 0 else None,
            _date(day) if day else None,
            PRECISIONS[precision - 1] if day else None,
            EVENT_STATUSES[plan.f_status[f]],
            len(docs),
            timestamp(first, f + 3),
            timestamp(last, f + 11),
        )


def payer_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    orgs, people = plan.orgs.ids, plan.people.ids
    for f, funding_id in enumerate(plan.f_ids):
        for j in range(plan.f_payer_offset[f], plan.f_payer_offset[f + 1]):
            code = plan.f_payers[j]
            if code >= 0:
                yield (j + 1, funding_id, "organisation", orgs[code], None)
            else:
                yield (j + 1, funding_id, "person", None, people[-1 - code])


def change_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    """The change log a seed leaves: ``created`` per fact, ``updated`` when a later document
    corroborates an event (documents log theirs as they are written)."""
    doc_day = plan.doc_day
    for table in (plan.orgs, plan.people):
        for e, entity_id in enumerate(table.ids):
            if table.mentions[e]:
                plan.change_id += 1
                yield (plan.change_id, table.kind, entity_id, "created", timestamp(table.first_seen[e], e))
    for i, event_id in enumerate(plan.ev_ids):
        docs = plan.ev_docs[plan.ev_doc_offset[i] : plan.ev_doc_offset[i + 1]]
        plan.change_id += 1
        yield (plan.change_id, "event", event_id, "created", timestamp(doc_day[docs[0]], i))
        if len(docs) > 1:
            plan.change_id += 1
            yield (plan.change_id, "event", event_id, "updated", timestamp(doc_day[docs[-1]], i + 7))
    for f, funding_id in enumerate(plan.f_ids):
        plan.change_id += 1
        yield (
            plan.change_id,
            "funding",
            funding_id,
            "created",
            timestamp(doc_day[plan.f_docs[plan.f_doc_offset[f]]], f + 3),
        )
    for r, rivalry_id in enumerate(plan.r_ids):
        plan.change_id += 1
        yield (plan.change_id, "rivalry", rivalry_id, "created", timestamp(min(doc_day[d] for d in plan.r_docs[r]), r))


def rivalry_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    doc_day = plan.doc_day
    for r, rivalry_id in enumerate(plan.r_ids):
        a, b = plan.r_a[r], plan.r_b[r]
        if plan.slug(a) > plan.slug(b):
            a, b = b, a
        sides: list[Any] = []
        for code in (a, b):
            if code >= 0:
                sides += ["organisation", plan.orgs.ids[code], None]
            else:
                sides += ["person", None, plan.people.ids[-1 - code]]
        docs = plan.r_docs[r]
        first = min(doc_day[d] for d in docs)
        last = max(doc_day[d] for d in docs)
        yield (
            rivalry_id,
            *sides,
            text_of(plan.rivalry_parts(r, 0))[:500],
            plan.r_events[r],
            len(docs),
            _date(plan.r_first[r]) if plan.r_events[r] and plan.r_first[r] < BIG_DAY else None,
            _date(plan.r_last[r]) if plan.r_last[r] else None,
            timestamp(first, r),
            timestamp(max(last, plan.r_last[r]), r + 5),
        )


class DocumentWriter:
    """Writes each document from the facts that cite it, and those citations with their offsets."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed * 1_000_003 + 17)
        self.citation_id = 0

    def batches(self) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        for start in range(0, self.plan.n_documents, DOCUMENT_BATCH):
            documents: list[tuple[Any, ...]] = []
            citations: list[tuple[Any, ...]] = []
            for d in range(start, min(start + DOCUMENT_BATCH, self.plan.n_documents)):
                self.document(d, documents, citations)
            yield documents, citations

    def document(self, d: int, documents: list[tuple[Any, ...]], citations: list[tuple[Any, ...]]) -> None:
        plan, rng = self.plan, self.rng
        day = plan.doc_day[d]
        tasks = plan.doc_tasks[plan.doc_task_offset[d] : plan.doc_task_offset[d + 1]]
        # (parts, fact kind, fact id) — a funding sentence cites its amount, the others themselves.
        sentences: list[tuple[list[Part], str | None, str]] = []
        mentions: list[int] = []
        events: set[int] = set()
        funding: set[int] = set()
        title: str | None = None
        for task in tasks:
            kind, count, fact = task & 7, (task >> 3) & 3, task >> 5
            if kind == TASK_EVENT:
                events.add(fact)
                if title is None:
                    title = plan.event_title(fact)
                sentences += [(plan.event_parts(fact, v), "event", plan.ev_ids[fact]) for v in range(count)]
            elif kind == TASK_FUNDING:
                funding.add(fact)
                sentences += [(plan.funding_parts(fact, v), "funding", plan.f_ids[fact]) for v in range(count)]
            elif kind == TASK_RIVALRY:
                sentences.append((plan.rivalry_parts(fact, count), "rivalry", plan.r_ids[fact]))
            else:
                mentions.append(fact - (1 << 26))
        publisher, domain = (None, None) if rng.random() < 0.08 else rng.choice(PUBLISHERS)
        author = rng.choice(JOURNALISTS) if rng.random() < 0.7 else None
        published = _date(day)
        title = title or f"L’actualité de la tech du {published.day} {MONTHS[published.month - 1]} {published.year}"
        url = f"https://www.{domain}/tech/{slugify(title)[:80]}-{d}.html" if domain else None
        header = f"# {title}\n\n" + (f"Par {author} — " if author else "") + f"Publié le {date_phrase(day, 1)[1]}\n\n"
        footer = f"\n\nLien : {url}\n" if url else f"\n\nRéf. {d:07d}\n"

        target = rng.randint(1500, 3000) - len(header) - len(footer)
        length = sum(len(p) if isinstance(p, str) else len(p[0]) for s in sentences for p in s[0]) + len(sentences)
        if length < target:
            for filler in rng.sample(FILLERS, len(FILLERS)):
                sentences.append(([filler], None, ""))
                length += len(filler) + 1
                if length >= target:
                    break
        rng.shuffle(sentences)

        out = [header]
        pos = len(header)
        found: dict[int, tuple[int, int]] = {}
        spans: list[tuple[str, str, int, int]] = []
        paragraph = rng.randint(3, 5)
        for n, (parts, fact_kind, fact_id) in enumerate(sentences):
            if n:
                sep = "\n\n" if n % paragraph == 0 else " "
                out.append(sep)
                pos += len(sep)
            start = pos
            amount = (0, 0)
            for part in parts:
                if isinstance(part, str):
                    out.append(part)
                    pos += len(part)
                    continue
                text, tag = part
                end = pos + len(text)
                if tag == AMOUNT_TAG:
                    amount = (pos, end)
                elif tag not in found:
                    found[tag] = (pos, end)
                out.append(text)
                pos = end
            if fact_kind == "funding":
                spans.append((fact_kind, fact_id, *amount))
            elif fact_kind is not None:
                spans.append((fact_kind, fact_id, start, pos))
        missing = [code for code in mentions if code not in found]
        if missing:
            lead = "\n\nParmi les autres acteurs cités figurent "
            out.append(lead)
            pos += len(lead)
            listed: list[Part] = []
            plan.names_parts(listed, missing)
            for part in listed:
                if isinstance(part, str):
                    out.append(part)
                    pos += len(part)
                else:
                    found[part[1]] = (pos, pos + len(part[0]))
                    out.append(part[0])
                    pos += len(part[0])
            out.append(".")
            pos += 1
        for code in mentions:
            spans.append(("organisation" if code >= 0 else "person", plan.slug(code), *found[code]))
        out.append(footer)
        text = "".join(out)

        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        doc_id = stable_id("document", sha)
        ingested = timestamp(day, d)
        orgs = sum(1 for code in found if code >= 0)
        counts = {"organisations": orgs, "people": len(found) - orgs, "events": len(events), "funding": len(funding)}
        file = f"{published:%Y/%m}/{(domain or 'inconnu').split('.')[0]}-{d:07d}.md"
        documents.append(
            (
                doc_id, file, title, publisher, author, url, "fr", published, sha, len(text), text,
                json.dumps(counts), PIPELINE_VERSION, ingested, ingested, ingested,
            )
        )  # fmt: skip
        for fact_kind, fact_id, start, end in spans:
            self.citation_id += 1
            citations.append(
                (
                    self.citation_id,
                    fact_kind, fact_id, doc_id, start, end, text[start:end],
                    text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS],
                    EXTRACTOR, round(0.5 + 0.5 * rng.random(), 3), ingested,
                )
            )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Database


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def asyncpg_url(url: str) -> str:
    """``postgresql+asyncpg://`` / ``postgres://`` → ``postgresql://`` (what asyncpg connects to)."""
    scheme, sep, rest = url.strip().partition("://")
    if not sep or scheme.lower() not in ("postgresql", "postgres", "postgresql+asyncpg"):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return f"postgresql://{rest}"


def database_name(events: int) -> str:
    return f"rivalry_bench_{events}"


Chunk = list[tuple[Any, ...]]


def _chunks(plan: Plan, *, documents_first: bool) -> Iterator[tuple[str, Chunk | None]]:
    """Every row of the dataset as (table, chunk); (table, None) once a table has no more rows.

    Documents (the slowest rows: their generated ``search_vector``) come first when foreign keys
    are not checked while loading, so that their indexes build while the rest loads; otherwise
    tables come in foreign-key order.
    """
    sources: tuple[tuple[str, Iterable[tuple[Any, ...]]], ...] = (
        ("organisations", entity_rows(plan, plan.orgs)),
        ("organisation_aliases", alias_rows(plan.orgs)),
        ("people", entity_rows(plan, plan.people)),
        ("person_aliases", alias_rows(plan.people)),
        ("person_roles", role_rows(plan)),
        ("events", event_rows(plan)),
        ("event_participants", participant_rows(plan)),
        ("funding", funding_rows(plan)),
        ("funding_payers", payer_rows(plan)),
        ("rivalries", rivalry_rows(plan)),
        ("changes", change_rows(plan)),
    )

    def documents() -> Iterator[tuple[str, Chunk | None]]:
        for docs, citations in DocumentWriter(plan).batches():
            yield "documents", docs
            changes: Chunk = []
            for row in docs:  # (id, …, ingested_at, created_at, updated_at)
                plan.change_id += 1
                changes.append((plan.change_id, "document", row[0], "created", row[-1]))
            yield "changes", changes
            for chunk in batched(citations, COPY_CHUNK):
                yield "citations", chunk
        yield "documents", None
        yield "citations", None

    if documents_first:
        yield from documents()
    for table, rows in sources:
        for chunk in batched(rows, COPY_CHUNK):
            yield table, chunk
        if table != "changes":  # documents add theirs too
            yield table, None
    if not documents_first:
        yield from documents()
    yield "changes", None


class _Stopped(Exception):
    """The consumers are gone (one failed): the producer stops."""


async def _copy_all(
    dsn: str, plan: Plan, workers: int, replica: bool, on_complete: Callable[[str], None]
) -> dict[str, int]:
    """Generate chunks in a worker thread and COPY them over ``workers`` connections at once.

    With ``replica`` (foreign-key triggers off, checked afterwards) chunks go to whichever
    connection is free, so PostgreSQL computes the generated columns on several cores; without,
    one connection takes them in foreign-key order. ``on_complete(table)`` is called once all of a
    table's rows are committed.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Chunk] | None] = asyncio.Queue(maxsize=2 * workers)
    rows = dict.fromkeys(LOAD_ORDER, 0)
    in_flight = dict.fromkeys(LOAD_ORDER, 0)
    exhausted: set[str] = set()
    stop = threading.Event()
    started = time.perf_counter()

    def settle(table: str) -> None:
        if table in exhausted and not in_flight[table]:
            log(f"{table}: {rows[table]:,} rows ({time.perf_counter() - started:.0f}s)")
            on_complete(table)

    async def enqueue(table: str, chunk: Chunk | None) -> None:
        # Runs on the event loop, like the consumers: the counters need no lock.
        if chunk is None:
            exhausted.add(table)
            settle(table)
            return
        in_flight[table] += 1
        await queue.put((table, chunk))

    def put(table: str, chunk: Chunk | None) -> None:
        future = asyncio.run_coroutine_threadsafe(enqueue(table, chunk), loop)
        while True:
            try:
                future.result(timeout=0.5)
                return
            except concurrent.futures.TimeoutError:
                if stop.is_set():
                    future.cancel()
                    raise _Stopped from None

    def produce() -> None:
        try:
            for table, chunk in _chunks(plan, documents_first=replica):
                put(table, chunk)
        except _Stopped:
            return
        finally:
            if not stop.is_set():
                for _ in range(workers):
                    asyncio.run_coroutine_threadsafe(queue.put(None), loop).result()

    async def consume() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("SET synchronous_commit TO off")
            if replica:
                await conn.execute("SET session_replication_role TO replica")
            while (item := await queue.get()) is not None:
                table, chunk = item
                await conn.copy_records_to_table(table, records=chunk, columns=list(COLUMNS[table]))
                before = rows[table]
                rows[table] += len(chunk)
                in_flight[table] -= 1
                if before // 1_000_000 != rows[table] // 1_000_000:
                    log(f"  {table}: {rows[table]:,} rows ({time.perf_counter() - started:.0f}s)")
                settle(table)
        except BaseException:
            stop.set()
            raise
        finally:
            await conn.close()

    await asyncio.gather(asyncio.to_thread(produce), *(consume() for _ in range(workers)))
    return rows


class Finisher:
    """Per table, once loaded: rebuild its secondary indexes, then ``VACUUM (ANALYZE)`` it.

    Starts with one connection while COPY still runs (the documents' GIN index builds alongside
    the other tables' loading) and takes a second one when loading is over.
    """

    def __init__(self, dsn: str, indexes: Sequence[tuple[str, str, str]]) -> None:
        self.dsn = dsn
        self.pending: dict[str, list[str]] = {}
        for table, _, definition in indexes:
            self.pending.setdefault(table, []).append(definition)
        self.remaining: dict[str, int] = {}
        self.queue: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue()
        self.workers: list[asyncio.Task[None]] = []
        self.errors: list[BaseException] = []

    def start(self) -> None:
        self.workers.append(asyncio.ensure_future(self._work()))

    def table_complete(self, table: str) -> None:
        statements = self.pending.pop(table, [])
        self.remaining[table] = len(statements)
        for statement in statements:
            self.queue.put_nowait((table, statement))
        if not statements:
            self.queue.put_nowait((table, self._vacuum(table)))

    async def finish(self, workers: int) -> None:
        """Wait for every queued statement, including the vacuums that index builds enqueue."""
        while len(self.workers) < workers:
            self.start()
        await self.queue.join()
        for _ in self.workers:
            self.queue.put_nowait(None)
        await asyncio.gather(*self.workers)
        if self.errors:
            raise self.errors[0]

    @staticmethod
    def _vacuum(table: str) -> str:
        # Sets the visibility map (index-only scans) and hint bits, and gathers statistics
        # (after the indexes: expression indexes get theirs too).
        return f'VACUUM (ANALYZE) "{table}"'

    async def _work(self) -> None:
        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute("SET maintenance_work_mem TO '512MB'")
            while (item := await self.queue.get()) is not None:
                table, statement = item
                try:
                    if not self.errors:
                        started = time.perf_counter()
                        await conn.execute(statement)
                        log(f"  {statement[:100]} ({time.perf_counter() - started:.1f}s)")
                    if statement.startswith("CREATE"):
                        self.remaining[table] -= 1
                        if not self.remaining[table]:
                            self.queue.put_nowait((table, self._vacuum(table)))
                except Exception as error:  # reported by finish(), once the queue has drained
                    self.errors.append(error)
                finally:
                    self.queue.task_done()
        finally:
            await conn.close()


async def _set_sequences(dsn: str, rows: dict[str, int]) -> None:
    """Ids of bigserial tables were given in generation order (deterministic): move their sequences past them."""
    conn = await asyncpg.connect(dsn)
    try:
        for table in ("person_roles", "event_participants", "funding_payers", "changes", "citations"):
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence($1, 'id'), greatest($2, 1), $2 > 0)", table, rows[table]
            )
    finally:
        await conn.close()


async def _can_skip_triggers(dsn: str) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        return bool(await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
    finally:
        await conn.close()


async def _check_foreign_keys(dsn: str) -> None:
    """Every foreign key of the schema holds (anti-joins: loaded with the per-row triggers off)."""
    conn = await asyncpg.connect(dsn)
    try:
        keys = await conn.fetch(
            """
            SELECT c.conname, child.relname AS child, parent.relname AS parent,
                   array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(n, i)
                         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols,
                   array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(n, i)
                         JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS refs
            FROM pg_constraint c
            JOIN pg_class child ON child.oid = c.conrelid
            JOIN pg_class parent ON parent.oid = c.confrelid
            WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
            ORDER BY c.conname
            """
        )
    finally:
        await conn.close()
    statements = []
    for key in keys:
        present = " AND ".join(f'x."{c}" IS NOT NULL' for c in key["cols"])
        match = " AND ".join(f'y."{r}" = x."{c}"' for c, r in zip(key["cols"], key["refs"], strict=True))
        statements.append(
            f"SELECT '{key['conname']}', count(*) FROM \"{key['child']}\" x"
            f' WHERE {present} AND NOT EXISTS (SELECT 1 FROM "{key["parent"]}" y WHERE {match})'
        )
    broken = await _fetch_parallel(dsn, statements, workers=2)
    bad = {name: count for name, count in broken if count}
    if bad:
        raise RuntimeError(f"foreign keys violated: {bad}")
    log(f"checked {len(statements)} foreign keys")


async def _fetch_parallel(dsn: str, queries: Sequence[str], workers: int) -> list[tuple[Any, ...]]:
    """First row of each query, run over ``workers`` connections."""
    pending = list(queries)
    results: list[tuple[Any, ...]] = []

    async def worker() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            while pending:
                row = await conn.fetchrow(pending.pop())
                results.append(tuple(row))
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(workers)))
    return results


async def _secondary_indexes(conn: Any, tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the indexes that back no constraint, biggest tables first."""
    rows = await conn.fetch(
        """
        SELECT t.relname AS table, c.relname AS name, pg_get_indexdef(c.oid) AS definition
        FROM pg_index x
        JOIN pg_class c ON c.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1::text[])
          AND NOT x.indisprimary AND NOT x.indisunique
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
        ORDER BY pg_relation_size(t.oid) DESC, c.relname
        """,
        list(tables),
    )
    return [(r["table"], r["name"], r["definition"]) for r in rows]


async def _run_parallel(dsn: str, statements: Sequence[str], workers: int, setup: Sequence[str] = ()) -> None:
    """Run independent statements on ``workers`` connections (index builds, vacuums)."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for statement in statements:
        queue.put_nowait(statement)

    async def worker() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            for statement in setup:
                await conn.execute(statement)
            while not queue.empty():
                statement = queue.get_nowait()
                started = time.perf_counter()
                await conn.execute(statement)
                log(f"  {statement[:90]} ({time.perf_counter() - started:.1f}s)")
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(workers)))


async def _drop_create(admin_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _complete(dsn: str, events: int, seed: int) -> bool:
    """The database holds a finished load of this size, seed and generator version, at schema head."""
    try:
        conn = await asyncpg.connect(dsn)
    except asyncpg.InvalidCatalogNameError:
        return False
    try:
        if await conn.fetchval("SELECT to_regclass('public.bench_dataset')") is None:
            return False
        row = await conn.fetchrow("SELECT events, seed, generator_version FROM bench_dataset LIMIT 1")
        revision = await conn.fetchval("SELECT version_num FROM alembic_version LIMIT 1")
    finally:
        await conn.close()
    return (
        row is not None
        and (row["events"], row["seed"], row["generator_version"]) == (events, seed, GENERATOR_VERSION)
        and revision == migrate.head_revision()
    )


async def _count_rows(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        return {table: int(await conn.fetchval(f'SELECT count(*) FROM "{table}"')) for table in LOAD_ORDER}
    finally:
        await conn.close()


# Stored list items (migration 8d4f2a6c1e93) and the SQL that computes them.
LIST_ITEMS = {"events": "rivalry_event_json(t, true)", "funding": "rivalry_funding_json(t, true)"}


async def _fill_list_items(dsn: str, replica: bool, workers: int = 2) -> None:
    """Compute every stored list item once the rows they show are all there.

    The triggers that keep them are off while loading (or fire in the wrong order for a bulk
    load), so the items are written here, one table at a time in 16 slices over ``workers``
    connections. Every row gets a new version, so the table's secondary indexes are dropped
    meanwhile and rebuilt after (a GIN index takes a million updates far worse than one build);
    the other table's stay, since an event's item looks up its funding by ``event_id``.
    """
    # With the triggers on (no superuser), the row trigger computes the same item again.
    setup = ["SET session_replication_role = replica"] if replica else []
    for table, item in LIST_ITEMS.items():
        conn = await asyncpg.connect(dsn)
        try:
            indexes = await _secondary_indexes(conn, [table])
            for _, name, _ in indexes:
                await conn.execute(f'DROP INDEX "{name}"')
        finally:
            await conn.close()
        slices = [
            f"UPDATE {table} t SET list_item = {item} WHERE substr(md5(t.id), 1, 1) = '{digit}'"
            for digit in "0123456789abcdef"
        ]
        await _run_parallel(dsn, slices, workers, setup)
        await _run_parallel(
            dsn, [definition for _, _, definition in indexes], workers, ["SET maintenance_work_mem TO '512MB'"]
        )


async def load(dsn: str, events: int, seed: int) -> dict[str, int]:
    """Fill a freshly migrated, empty database; returns row counts per table."""
    started = time.perf_counter()
    plan = Plan(events, seed)
    await asyncio.to_thread(plan.build)
    log(f"plan ready in {time.perf_counter() - started:.1f}s")

    conn = await asyncpg.connect(dsn)
    try:
        indexes = await _secondary_indexes(conn, LOAD_ORDER)
        for _, name, _ in indexes:
            await conn.execute(f'DROP INDEX "{name}"')
        log(f"dropped {len(indexes)} secondary indexes")
    finally:
        await conn.close()
    replica = await _can_skip_triggers(dsn)
    workers = COPY_WORKERS if replica else 1
    log(f"loading over {workers} connection(s), foreign-key triggers {'off' if replica else 'on'}")
    step = time.perf_counter()
    finisher = Finisher(dsn, indexes)
    finisher.start()
    rows = await _copy_all(dsn, plan, workers, replica, finisher.table_complete)
    log(f"loaded in {time.perf_counter() - step:.1f}s")
    await _set_sequences(dsn, rows)
    del plan  # hundreds of MB at a million events, not needed any more

    step = time.perf_counter()
    await finisher.finish(workers=2)
    log(f"indexes and vacuum done {time.perf_counter() - step:.1f}s after loading")
    if replica:
        step = time.perf_counter()
        await _check_foreign_keys(dsn)
        log(f"foreign keys checked in {time.perf_counter() - step:.1f}s")
    step = time.perf_counter()
    await _fill_list_items(dsn, replica)
    log(f"list items stored in {time.perf_counter() - step:.1f}s")
    # Pages a concurrent load transaction kept from being all-visible (and the list items' old
    # row versions): cheap where nothing changed, the rest is skipped.
    step = time.perf_counter()
    await _run_parallel(dsn, [f'VACUUM "{t}"' for t in LOAD_ORDER], workers=2)
    log(f"final vacuum in {time.perf_counter() - step:.1f}s")
    return rows


async def _verify(dsn: str) -> None:
    """Cheap consistency checks on a sample: quotes are cut out of their documents."""
    conn = await asyncpg.connect(dsn)
    try:
        bad = await conn.fetchval(
            """
            SELECT count(*) FROM (SELECT * FROM citations TABLESAMPLE SYSTEM (1) REPEATABLE (7)) c
            JOIN documents d ON d.id = c.document_id
            WHERE substr(d.text, c.start + 1, c."end" - c.start) <> c.quote
               OR substr(d.text, greatest(c.start - 31, 1), least(c.start, 32)) <> c.prefix
            """
        )
        if bad:
            raise RuntimeError(f"{bad} sampled citations do not match their document text")
    finally:
        await conn.close()


async def _mark_complete(dsn: str, events: int, seed: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE TABLE bench_dataset (events int NOT NULL, seed int NOT NULL,"
            " generator_version text NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())"
        )
        await conn.execute(
            "INSERT INTO bench_dataset (events, seed, generator_version) VALUES ($1, $2, $3)",
            events,
            seed,
            GENERATOR_VERSION,
        )
    finally:
        await conn.close()


@dataclass
class Outcome:
    dsn: str
    database: str
    events: int
    rows: dict[str, int]
    seconds: float
    reused: bool


async def build_dataset(
    server_url: str, events: int, *, seed: int = DEFAULT_SEED, force: bool = False, verify: bool = True
) -> Outcome:
    """Ensure ``rivalry_bench_<events>`` holds a complete dataset; rebuild it when not (or ``force``)."""
    if events < 1:
        raise ValueError("events must be positive")
    started = time.perf_counter()
    admin = asyncpg_url(server_url)
    name = database_name(events)
    dsn = _with_database(admin, name)
    # One builder at a time per dataset, across processes: the lock lives on the admin database.
    lock = await asyncpg.connect(admin)
    try:
        await lock.execute("SELECT pg_advisory_lock(hashtext($1))", name)
        if not force and await _complete(dsn, events, seed):
            log(f"{name} already holds a complete dataset of {events:,} events (seed {seed})")
            return Outcome(dsn, name, events, await _count_rows(dsn), time.perf_counter() - started, True)
        log(f"building {name}: {events:,} events, seed {seed}")
        await _drop_create(admin, name)
        await asyncio.to_thread(migrate.upgrade, dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
        log("migrated to head")
        rows = await load(dsn, events, seed)
        if verify:
            await _verify(dsn)
        await _mark_complete(dsn, events, seed)
    finally:
        await lock.close()
    seconds = time.perf_counter() - started
    log(f"{name} ready in {seconds:.1f}s")
    return Outcome(dsn, name, events, rows, seconds, False)


async def ensure_dataset(server_url: str, events: int, *, seed: int = DEFAULT_SEED, force: bool = False) -> str:
    """asyncpg URL (``postgresql://…/rivalry_bench_<events>``) of a complete dataset, built if needed."""
    return (await build_dataset(server_url, events, seed=seed, force=force)).dsn


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, required=True, help="number of events (10000, 100000, 1000000…)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL,
        help="server to create rivalry_bench_<N> on (default: DATABASE_URL, else local postgres)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="rebuild even if a complete dataset is there")
    args = parser.parse_args(argv)
    outcome = asyncio.run(build_dataset(args.database_url, args.events, seed=args.seed, force=args.force))
    summary = {
        "database": outcome.database,
        "events": outcome.events,
        "rows": outcome.rows,
        "seconds": round(outcome.seconds, 1),
        "reused": outcome.reused,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
