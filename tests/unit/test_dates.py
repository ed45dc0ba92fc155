from __future__ import annotations

import datetime as dt
import itertools

import pytest

from service.ingest.dates import (
    best_event_date,
    find_dates,
    published_on_from_meta,
    published_on_from_text,
)
from service.ingest.types import DateMention

D = dt.date
THURSDAY = D(2025, 1, 23)


def only(text: str, published_on: dt.date | None = None) -> DateMention:
    mentions = find_dates(text, published_on=published_on)
    assert len(mentions) == 1, mentions
    mention = mentions[0]
    assert text[mention.start : mention.end] == mention.text
    return mention


def summary(text: str, published_on: dt.date | None = None) -> list[tuple[str, dt.date | None, str | None]]:
    return [(m.text, m.value, m.precision) for m in find_dates(text, published_on=published_on)]


# --- Real snippets -------------------------------------------------------------------------------

WSJ = "Le Wall Street Journal a rapporté le 3 décembre (heure locale) que le PDG Altman avait récemment exploré…"


def test_day_without_year_and_without_publication_date_is_unresolved_but_kept() -> None:
    m = only(WSJ)
    assert "3 décembre" in m.text
    assert "heure locale" not in m.text
    assert (m.value, m.precision, m.relative) == (None, None, True)


def test_day_without_year_takes_the_publication_year() -> None:
    m = only(WSJ, D(2025, 12, 5))
    assert (m.value, m.precision, m.relative) == (D(2025, 12, 3), "day", True)


def test_day_and_season_in_the_same_sentence() -> None:
    text = "Selon le Wall Street Journal ce 4 juin, Altman aurait discuté cet été avec la start-up Stoke Space"
    assert [m.text for m in find_dates(text)] == ["4 juin", "cet été"]
    assert summary(text, D(2025, 6, 5)) == [("4 juin", D(2025, 6, 4), "day"), ("cet été", D(2025, 6, 1), "month")]


def test_en_year_is_year_precision() -> None:
    m = only("puis de fonder en 2023 sa propre société d’IA, xAI")
    assert (m.text, m.value, m.precision, m.relative) == ("2023", D(2023, 1, 1), "year", False)


def test_annee_derniere_is_relative_to_publication() -> None:
    text = "a lancé l’année dernière sa propre société rivale d’IA, xAI"
    unresolved = only(text)
    assert (unresolved.text, unresolved.value, unresolved.relative) == ("l’année dernière", None, True)
    resolved = only(text, THURSDAY)
    assert (resolved.value, resolved.precision, resolved.relative) == (D(2024, 1, 1), "year", True)


def test_bare_weekday_is_the_latest_such_day_on_or_before_publication() -> None:
    m = only("Le nouveau président américain avait évoqué mardi une coentreprise", THURSDAY)
    assert (m.text, m.value, m.precision) == ("mardi", D(2025, 1, 21), "day")


def test_month_and_year() -> None:
    m = only("a fait état pour la première fois d’un projet … appelé Stargate en mars 2024")
    assert (m.text, m.value, m.precision) == ("mars 2024", D(2024, 3, 1), "month")


def test_future_year() -> None:
    m = only("ont déjà conclu un accord pour lancer en 2027 deux satellites prototypes")
    assert (m.value, m.precision) == (D(2027, 1, 1), "year")


def test_product_version_number_is_not_a_date() -> None:
    assert find_dates("le nouveau Gemini 3 lancé par Google", published_on=THURSDAY) == []


def test_amount_over_a_duration_is_not_a_date() -> None:
    text = "OpenAI s’est engagé à investir 1 400 milliards de dollars au cours des huit prochaines années"
    assert find_dates(text, published_on=THURSDAY) == []


# --- Absolute dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Il a été nommé le 3 décembre 2024.", ("3 décembre 2024", D(2024, 12, 3), "day")),
        ("Le 1er janvier 2025, la loi entre en vigueur.", ("1er janvier 2025", D(2025, 1, 1), "day")),
        ("Le contrat est signé le 12/03/2025.", ("12/03/2025", D(2025, 3, 12), "day")),
        ("Le contrat est signé le 12.03.2025.", ("12.03.2025", D(2025, 3, 12), "day")),
        ("Daté du 2025-03-12.", ("2025-03-12", D(2025, 3, 12), "day")),
        ("Il est parti en mars 2024.", ("mars 2024", D(2024, 3, 1), "month")),
        ("Il dirige la société depuis 2015.", ("2015", D(2015, 1, 1), "year")),
        ("Résultats au premier trimestre 2025.", ("premier trimestre 2025", D(2025, 1, 1), "month")),
        ("Résultats au 3e trimestre 2024.", ("3e trimestre 2024", D(2024, 7, 1), "month")),
        ("Chiffres du T4 2024.", ("T4 2024", D(2024, 10, 1), "month")),
        ("Au second semestre 2024, les ventes ont chuté.", ("second semestre 2024", D(2024, 7, 1), "month")),
        ("Mise en service à l’automne 2025.", ("automne 2025", D(2025, 9, 1), "month")),
        ("Un lancement prévu début mars 2026.", ("début mars 2026", D(2026, 3, 1), "month")),
        ("Le mardi 3 décembre 2024, il a démissionné.", ("mardi 3 décembre 2024", D(2024, 12, 3), "day")),
    ],
)
def test_absolute_dates(text: str, expected: tuple[str, dt.date, str]) -> None:
    m = only(text)
    assert (m.text, m.value, m.precision) == expected
    assert m.relative is False


@pytest.mark.parametrize("text", ["début 2025", "fin 2025", "mi-2025", "fin de l’année 2025"])
def test_part_of_year_is_year_precision_and_keeps_its_modifier(text: str) -> None:
    m = only(f"Le produit arrivera {text}.")
    assert (m.text, m.value, m.precision) == (text, D(2025, 1, 1), "year")


def test_winter_with_year_only_claims_the_year() -> None:
    assert summary("Il a neigé à l’hiver 2024.") == [("hiver 2024", D(2024, 1, 1), "year")]


@pytest.mark.parametrize(
    "text",
    [
        "le 3 décembre 2024",
        "le 3 decembre 2024",
        "le 3 DÉCEMBRE 2024",
        "le 3 déc. 2024",
        "le 3 dec 2024",
        "le 3\u00a0décembre\u00a02024",
        "le 3\u202fdécembre 2024",
    ],
)
def test_month_spellings_accents_abbreviations_and_nbsp(text: str) -> None:
    m = only(text)
    assert (m.value, m.precision) == (D(2024, 12, 3), "day")


@pytest.mark.parametrize(
    ("text", "month"),
    [("5 février 2024", 2), ("5 fevrier 2024", 2), ("5 févr. 2024", 2), ("5 août 2024", 8), ("5 aout 2024", 8)],
)
def test_accentless_february_and_august(text: str, month: int) -> None:
    assert only(text).value == D(2024, month, 5)


def test_janv_abbreviation() -> None:
    assert only("le 5 janv. 2025").value == D(2025, 1, 5)


def test_time_after_a_day_extends_the_mention_but_heure_locale_does_not() -> None:
    m = only("Il a parlé le 3 décembre 2024 à 10h30 (heure locale).")
    assert m.text == "3 décembre 2024 à 10h30"
    assert m.value == D(2024, 12, 3)


def test_day_range_is_one_mention_valued_at_its_first_day() -> None:
    assert summary("Le salon se tient du 3 au 5 mars 2025.") == [("3 au 5 mars 2025", D(2025, 3, 3), "day")]


def test_year_ranges_and_lists_give_one_mention_per_year() -> None:
    assert [m.value for m in find_dates("entre 2020 et 2023, puis en 2024-2025")] == [
        D(2020, 1, 1),
        D(2023, 1, 1),
        D(2024, 1, 1),
        D(2025, 1, 1),
    ]


def test_impossible_calendar_dates_are_dropped() -> None:
    assert find_dates("le 32/01/2025 et le 2025-13-01") == []


# --- Dates without a year ----------------------------------------------------------------------


def test_day_without_year_more_than_a_month_ahead_is_last_year() -> None:
    m = only("Il l’a annoncé le 28 décembre.", D(2025, 1, 5))
    assert m.value == D(2024, 12, 28)


def test_day_without_year_slightly_ahead_stays_in_publication_year() -> None:
    assert only("La conférence aura lieu le 20 décembre.", D(2025, 12, 5)).value == D(2025, 12, 20)


def test_le_4_juin() -> None:
    assert only("le 4 juin", D(2025, 6, 10)).value == D(2025, 6, 4)


def test_month_without_year_is_resolved_like_a_day() -> None:
    text = "La sortie est prévue en février."
    m = only(text)
    assert (m.text, m.value, m.relative) == ("février", None, True)
    assert only(text, THURSDAY).value == D(2025, 2, 1)
    assert only(text, D(2025, 12, 15)).value == D(2025, 2, 1)


def test_month_dernier_is_strictly_before_the_publication_month() -> None:
    assert only("en mars dernier", D(2025, 3, 20)).value == D(2024, 3, 1)
    assert only("le 15 mars dernier", D(2025, 3, 20)).value == D(2025, 3, 15)
    assert only("le 2 avril prochain", D(2025, 3, 20)).value == D(2025, 4, 2)


def test_capitalised_mars_alone_is_the_planet() -> None:
    assert find_dates("une mission vers Mars, en Mars", published_on=THURSDAY) == []


# --- Relative expressions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("hier", D(2025, 1, 22), "day"),
        ("avant-hier", D(2025, 1, 21), "day"),
        ("aujourd’hui", D(2025, 1, 23), "day"),
        ("aujourd'hui", D(2025, 1, 23), "day"),
        ("demain", D(2025, 1, 24), "day"),
        ("l’année dernière", D(2024, 1, 1), "year"),
        ("l'année dernière", D(2024, 1, 1), "year"),
        ("l'an dernier", D(2024, 1, 1), "year"),
        ("l’an passé", D(2024, 1, 1), "year"),
        ("l’an prochain", D(2026, 1, 1), "year"),
        ("cette année", D(2025, 1, 1), "year"),
        ("le mois dernier", D(2024, 12, 1), "month"),
        ("le mois prochain", D(2025, 2, 1), "month"),
        ("ce mois-ci", D(2025, 1, 1), "month"),
        ("début d’année", D(2025, 1, 1), "year"),
        ("fin d’année prochaine", D(2026, 1, 1), "year"),
        ("il y a deux ans", D(2023, 1, 1), "year"),
        ("il y a 3 mois", D(2024, 10, 1), "month"),
        ("il y a 10 jours", D(2025, 1, 13), "day"),
        ("dans deux ans", D(2027, 1, 1), "year"),
        ("mardi dernier", D(2025, 1, 21), "day"),
        ("jeudi dernier", D(2025, 1, 16), "day"),
        ("jeudi prochain", D(2025, 1, 30), "day"),
        ("jeudi", D(2025, 1, 23), "day"),
        ("le dernier trimestre", D(2024, 10, 1), "month"),
    ],
)
def test_relative_expressions_resolve_against_publication(text: str, value: dt.date, precision: str | None) -> None:
    sentence = f"Il l’a dit {text} à Paris."
    m = only(sentence, THURSDAY)
    assert (m.value, m.precision, m.relative) == (value, precision, True)
    unresolved = only(sentence)
    assert (unresolved.text, unresolved.value, unresolved.precision, unresolved.relative) == (
        m.text,
        None,
        None,
        True,
    )


def test_en_debut_d_annee_drops_the_preposition() -> None:
    assert only("Il l’a dit en début d’année.", THURSDAY).text == "début d’année"


def test_weeks_give_their_monday_without_precision() -> None:
    assert summary("la semaine dernière", THURSDAY) == [("la semaine dernière", D(2025, 1, 13), None)]
    assert summary("cette semaine", THURSDAY) == [("cette semaine", D(2025, 1, 20), None)]


@pytest.mark.parametrize(
    ("text", "published_on", "value"),
    [
        ("cet été", D(2025, 1, 23), D(2025, 6, 1)),
        ("cet été", D(2025, 10, 2), D(2025, 6, 1)),
        ("ce printemps", D(2025, 1, 23), D(2025, 3, 1)),
        ("cet automne", D(2025, 1, 23), D(2025, 9, 1)),
        ("cet hiver", D(2025, 1, 23), D(2024, 12, 1)),
        ("cet hiver", D(2025, 10, 2), D(2025, 12, 1)),
        ("l’été dernier", D(2025, 7, 10), D(2024, 6, 1)),
        ("l’été dernier", D(2025, 10, 2), D(2025, 6, 1)),
        ("l’été prochain", D(2025, 7, 10), D(2026, 6, 1)),
        ("au printemps", D(2025, 1, 23), D(2025, 3, 1)),
    ],
)
def test_seasons_are_month_precision_on_their_first_month(text: str, published_on: dt.date, value: dt.date) -> None:
    m = only(f"Le projet a été discuté {text} avec l’équipe.", published_on)
    assert (m.value, m.precision, m.relative) == (value, "month", True)


def test_ce_meme_mois_refers_to_the_last_month_mentioned() -> None:
    text = "Le 3 mars 2024, il est nommé ; ce même mois, il recrute."
    assert summary(text)[-1] == ("ce même mois", D(2024, 3, 1), "month")


def test_ce_meme_mois_falls_back_to_publication_month_or_none() -> None:
    assert only("ce même mois", THURSDAY).value == D(2025, 1, 1)
    assert only("ce même mois").value is None


def test_cette_annee_la_is_not_the_current_year() -> None:
    assert find_dates("cette année-là", published_on=THURSDAY) == []


def test_figurative_demain_is_not_a_date() -> None:
    assert find_dates("les usines de demain", published_on=THURSDAY) == []


def test_habitual_weekday_is_not_a_date() -> None:
    assert find_dates("chaque lundi et tous les mardis", published_on=THURSDAY) == []


# --- Not dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "GPT-4 est sorti",
        "un modèle 70 fois plus rapide",
        "un plan de 500 milliards",
        "une hausse de 100%",
        "une facture de 2 023 dollars",
        "un chèque de 2024 euros",
        "en 2500, ou en 1800",
        "il l’a fait en 3 ans",
        "il a 20 ans",
        "au cours des huit prochaines années",
        "une hausse de 12,5 %",
        "à 10h30 précises",
        "en 2000 salariés",
        "dans les huit prochaines années",
        "les années 2010",
    ],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text, published_on=THURSDAY) == []


# --- Offsets and range ---------------------------------------------------------------------------


def test_offsets_are_into_the_full_text_and_respect_the_range() -> None:
    text = "Titre. Le 3 mars 2025, hier, en 2023."
    first = text.index("Le")
    mentions = find_dates(text, start=first, end=text.index(","), published_on=THURSDAY)
    assert [(m.start, m.text) for m in mentions] == [(text.index("3 mars"), "3 mars 2025")]
    assert all(text[m.start : m.end] == m.text for m in find_dates(text, published_on=THURSDAY))


def test_mentions_come_in_text_order_without_overlaps() -> None:
    text = "Le 2025-03-12, puis fin 2024, puis hier et en mars 2024."
    mentions = find_dates(text, published_on=THURSDAY)
    assert [m.text for m in mentions] == ["2025-03-12", "fin 2024", "hier", "mars 2024"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))


# --- best_event_date -----------------------------------------------------------------------------


def test_best_event_date_prefers_the_first_resolved_mention() -> None:
    mentions = find_dates("le 3 décembre, puis en mars 2024")
    best = best_event_date(mentions)
    assert best is not None
    assert best.text == "mars 2024"


def test_best_event_date_falls_back_to_first_unresolved_then_none() -> None:
    mentions = find_dates("mardi et hier")
    best = best_event_date(mentions)
    assert best is not None
    assert best.text == "mardi"
    assert best_event_date([]) is None


# --- Publication date --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "byline",
    [
        "Publié le 12 mars 2025",
        "Par Jean Dupont | Publié le mercredi 12 mars 2025 à 10h32",
        "Mis à jour le 12/03/2025",
        "Publié le 2025-03-12 à 10h",
        "Published March 12, 2025",
        "Published on 12 March 2025",
    ],
)
def test_published_on_from_byline(byline: str) -> None:
    assert published_on_from_text(f"Un titre\n{byline}\nLe corps de l’article.") == D(2025, 3, 12)


def test_publication_keyword_wins_over_update_keyword() -> None:
    text = "Titre\nMis à jour le 14/03/2025\nPublié le 12 mars 2025\nCorps."
    assert published_on_from_text(text) == D(2025, 3, 12)


def test_publication_line_at_the_end_is_found() -> None:
    body = "\n".join(f"Paragraphe {i}." for i in range(200))
    assert published_on_from_text(f"Titre\n{body}\nPublié le 12 mars 2025") == D(2025, 3, 12)


def test_publication_line_in_the_middle_is_ignored() -> None:
    body = "\n".join(f"Paragraphe {i}." for i in range(100))
    assert published_on_from_text(f"Titre\n{body}\nPublié le 12 mars 2025\n{body}") is None


def test_verb_publier_in_body_text_is_not_a_byline() -> None:
    assert published_on_from_text("Le groupe a publié le 3 mars 2025 ses résultats.") is None


def test_no_publication_line() -> None:
    assert published_on_from_text("Titre\nLe 3 mars 2025, il a parlé.") is None


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"published_on": "2025-03-12"}, D(2025, 3, 12)),
        ({"published": "2025-03-12T23:30:00-05:00"}, D(2025, 3, 12)),
        ({"date": "2025-03-12 10:00"}, D(2025, 3, 12)),
        ({"datePublished": "2025-03-12T10:00:00Z"}, D(2025, 3, 12)),
        ({"date": "12 mars 2025"}, D(2025, 3, 12)),
        ({"published_on": None, "date": "2025-03-12"}, D(2025, 3, 12)),
        ({"published_on": "n/a", "date": "2025-03-12"}, D(2025, 3, 12)),
        ({"title": "x"}, None),
        ({"date": "2025-02-30"}, None),
        ({"date": 20250312}, None),
    ],
)
def test_published_on_from_meta(meta: dict[str, object], expected: dt.date | None) -> None:
    assert published_on_from_meta(meta) == expected


def test_published_on_key_wins_over_date() -> None:
    assert published_on_from_meta({"date": "2020-01-01", "published_on": "2025-03-12"}) == D(2025, 3, 12)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("Le 28 janvier 2025 à 08h05", D(2025, 1, 28)),
        ("19/03/2025 09:12", D(2025, 3, 19)),
        ("Mardi 4 mars 2025", D(2025, 3, 4)),
    ],
)
def test_a_date_on_a_line_of_its_own_near_the_top_is_the_publication_date(head: str, expected: dt.date) -> None:
    assert published_on_from_text(f"Titre de l’article\n\n{head}\n\nCorps de l’article.") == expected


def test_a_date_inside_a_sentence_is_not_the_publication_date() -> None:
    assert published_on_from_text("Titre\n\nLe groupe a annoncé le 3 mars 2025 ses résultats.\n") is None


# --- Publication dates at the ends of the calendar ------------------------------------------------

FIRST_DAY = D(1, 1, 1)
LAST_DAY = D(9999, 12, 31)
BEFORE_THE_CALENDAR = [
    "mardi",
    "hier",
    "avant-hier",
    "il y a trois jours",
    "il y a 3 semaines",
    "il y a deux mois",
    "mardi dernier",
    "mars dernier",
    "la semaine dernière",
    "le mois dernier",
    "l'an dernier",
    "fin de l'année dernière",
    "l'hiver dernier",
    "cet hiver",
    "le dernier trimestre",
]
AFTER_THE_CALENDAR = [
    "demain",
    "après-demain",
    "dans trois jours",
    "dans 2 semaines",
    "dans deux mois",
    "dans deux ans",
    "mardi prochain",
    "la semaine prochaine",
    "le mois prochain",
    "l'année prochaine",
    "fin de l'année prochaine",
    "le printemps prochain",
    "le 3 mars prochain",
]


@pytest.mark.parametrize(
    ("phrase", "published_on"),
    [*((p, FIRST_DAY) for p in BEFORE_THE_CALENDAR), *((p, LAST_DAY) for p in AFTER_THE_CALENDAR)],
)
def test_a_relative_date_beyond_the_calendar_keeps_its_text_without_a_value(phrase: str, published_on: dt.date) -> None:
    m = only(f"Il l'a annoncé {phrase}.", published_on)
    assert phrase.endswith(m.text)
    assert (m.value, m.precision, m.relative) == (None, None, True)


def test_dates_still_inside_the_calendar_resolve_at_its_ends() -> None:
    assert summary("aujourd'hui, ce même mois", FIRST_DAY) == [
        ("aujourd'hui", FIRST_DAY, "day"),
        ("ce même mois", FIRST_DAY, "month"),
    ]
    # A day without year may lie a little after publication; near the last day, that margin is cut short.
    assert summary("le 3 mars, mardi", LAST_DAY) == [
        ("3 mars", D(9999, 3, 3), "day"),
        ("mardi", D(9999, 12, 28), "day"),
    ]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("Rubrique Numérique | 4 septembre 2025", dt.date(2025, 9, 4)),
        ("Par Jeanne Roux — 3 mars 2025", dt.date(2025, 3, 3)),
        ("Économie · mardi 7 octobre 2025 · 3 min de lecture", dt.date(2025, 10, 7)),
        ("Section | Autre section | Encore", None),
    ],
)
def test_a_head_line_of_fields_gives_the_publication_date(head: str, expected: dt.date | None) -> None:
    text = f"Un titre d'article\n{head}\n\nLe texte cite le 12 janvier 2024 dans une phrase bien plus longue que cela."
    assert published_on_from_text(text) == expected
