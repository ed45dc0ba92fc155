"""Behaviour of the French money grammar, the funding-kind classifier and USD conversion."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from service.ingest.money import FX_PATH, find_money, to_usd
from service.ingest.money_kinds import classify_money_kind
from service.ingest.types import MoneyMention


def only(text: str) -> MoneyMention:
    mentions = find_money(text)
    assert len(mentions) == 1, [m.text for m in mentions]
    return mentions[0]


def kind_of(sentence: str, mention: MoneyMention) -> str | None:
    return classify_money_kind(sentence, mention.start, mention.end)


def assert_offsets(text: str, mentions: list[MoneyMention]) -> None:
    for m in mentions:
        assert text[m.start : m.end] == m.text
        for eq in m.equivalents:
            assert m.start <= eq.start < eq.end <= m.end


# --- sentences from the corpus -------------------------------------------------------------


def test_coentreprise_up_to_300_billion_with_euro_equivalent_is_one_investment() -> None:
    s = (
        "Le nouveau président américain avait évoqué mardi une coentreprise investissant jusqu’à "
        "300 milliards de dollars (287,2 milliards d’euros) grâce à un nouveau partenariat formé par OpenAI"
    )
    m = only(s)
    assert m.text == "jusqu’à 300 milliards de dollars (287,2 milliards d’euros)"
    assert (m.amount, m.currency, m.qualifier) == (300_000_000_000.0, "USD", "up_to")
    assert len(m.equivalents) == 1
    eq = m.equivalents[0]
    assert (eq.amount, eq.currency) == (287_200_000_000.0, "EUR")
    assert s[eq.start : eq.end] == "287,2 milliards d’euros"
    assert kind_of(s, m) == "investment"


def test_bien_moins_de_is_less_than_with_equivalent() -> None:
    s = (
        "« SoftBank a sécurisé bien moins de 8 milliards de dollars (7,6 milliards d’euros). "
        "Je l’ai de bonne autorité »."
    )
    m = only(s)
    assert m.text == "bien moins de 8 milliards de dollars (7,6 milliards d’euros)"
    assert (m.amount, m.currency, m.qualifier) == (8_000_000_000.0, "USD", "less_than")
    assert [(e.amount, e.currency) for e in m.equivalents] == [(7_600_000_000.0, "EUR")]


def test_commitment_and_revenue_in_one_sentence_and_fois_is_not_money() -> None:
    s = (
        "OpenAI s’est engagé à investir 1 400 milliards de dollars au cours des huit prochaines années "
        "pour étendre ses centres de données, soit environ 70 fois son chiffre d’affaires annuel de "
        "20 milliards de dollars."
    )
    mentions = find_money(s)
    assert [(m.text, m.amount, m.currency) for m in mentions] == [
        ("1 400 milliards de dollars", 1_400_000_000_000.0, "USD"),
        ("20 milliards de dollars", 20_000_000_000.0, "USD"),
    ]
    assert [kind_of(s, m) for m in mentions] == ["commitment", "revenue"]


def test_offre_is_a_bid() -> None:
    s = (
        "Ces commentaires font suite à la révélation par le Wall Street Journal qu’Elon Musk envisageait "
        "une offre de 97,4 milliards de dollars pour reprendre OpenAI."
    )
    m = only(s)
    assert (m.amount, m.currency, m.qualifier) == (97_400_000_000.0, "USD", "exact")
    assert kind_of(s, m) == "bid"


def test_a_leve_is_a_funding_round_and_the_year_is_not_money() -> None:
    s = "Depuis sa création en 2023, xAI a levé 12 milliards de dollars"
    m = only(s)
    assert (m.text, m.amount, m.currency) == ("12 milliards de dollars", 12_000_000_000.0, "USD")
    assert kind_of(s, m) == "funding_round"


def test_national_debt_is_found_but_not_a_funding_fact() -> None:
    s = "Elon Musk prédit : l’IA résoudra la dette américaine de 38 000 milliards de dollars en 3 ans"
    m = only(s)
    assert (m.amount, m.currency) == (38_000_000_000_000.0, "USD")
    assert kind_of(s, m) is None


def test_rearmament_fund_is_not_a_funding_fact() -> None:
    s = "l’Allemagne prévoit un fonds de 100 milliards d'euros pour le réarmement"
    m = only(s)
    assert (m.amount, m.currency) == (100_000_000_000.0, "EUR")
    assert kind_of(s, m) is None


def test_dollar_sign_after_scale_word() -> None:
    s = "Elon Musk s’allie à Microsoft et BlackRock pour un projet IA à 30 milliards $"
    m = only(s)
    assert (m.text, m.amount, m.currency) == ("30 milliards $", 30_000_000_000.0, "USD")
    assert kind_of(s, m) == "investment"


def test_plusieurs_milliards_is_vague_about_amount_with_currency() -> None:
    s = "avait élaboré un plan de collecte de fonds de plusieurs milliards de dollars à cette fin"
    m = only(s)
    assert (m.text, m.amount, m.currency, m.qualifier) == (
        "plusieurs milliards de dollars",
        None,
        "USD",
        "about",
    )
    assert kind_of(s, m) == "funding_round"


def test_valorisation_is_a_valuation() -> None:
    s = "avec une valorisation de 100 milliards de dollars"
    m = only(s)
    assert m.amount == 100_000_000_000.0
    assert kind_of(s, m) == "valuation"


def test_company_budget_for_data_centres_is_not_rejected_as_a_government_budget() -> None:
    s = (
        "Parmi ces projets, OpenAI prévoit, avec Oracle et SoftBank, la construction de cinq mégapoles "
        "de centres de données, pour un budget de plus de 300 milliards de dollars, et développe une "
        "nouvelle base au Texas, dans le comté de Milam, via SB Energy Global, filiale de SoftBank."
    )
    m = only(s)  # "cinq mégapoles" is a count, not money
    assert (m.text, m.qualifier) == ("plus de 300 milliards de dollars", "more_than")
    assert kind_of(s, m) == "investment"


def test_estime_a_states_a_figure_not_a_hedge() -> None:
    s = "sa start-up xAI pour un projet d’infrastructure estimé à 30 milliards de dollars."
    m = only(s)
    # "estimé à"/"évalué à" report a figure; only explicit hedges (environ, près de…) qualify it.
    assert (m.text, m.qualifier) == ("30 milliards de dollars", "exact")


# --- number grammar --------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [" ", "\u00a0", "\u202f", "\u2009"])
def test_thousands_separator_may_be_any_space(sep: str) -> None:
    m = only(f"Il a investi 1{sep}400 milliards de dollars.")
    assert (m.amount, m.currency) == (1_400_000_000_000.0, "USD")


def test_decimal_comma_has_no_float_noise() -> None:
    assert only("une offre de 97,4 milliards de dollars").amount == 97_400_000_000.0
    assert only("une offre de 0,1 milliard d’euros").amount == 100_000_000.0


def test_plain_number_with_currency_word_and_no_scale() -> None:
    m = only("Il a reçu 500 000 dollars.")
    assert (m.text, m.amount, m.currency) == ("500 000 dollars", 500_000.0, "USD")


def test_dot_before_three_digits_is_a_thousands_separator_otherwise_a_decimal_point() -> None:
    assert only("un chèque de 1.500 euros").amount == 1500.0
    assert only("a raised $1.5 billion").amount == 1_500_000_000.0


def test_de_dollar_sign_after_scale_word() -> None:
    m = only("un projet à 30 milliards de $")
    assert (m.text, m.amount, m.currency) == ("30 milliards de $", 30_000_000_000.0, "USD")


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("4 Md$", 4_000_000_000.0, "USD"),
        ("4 Mds $", 4_000_000_000.0, "USD"),
        ("2,5 M€", 2_500_000.0, "EUR"),
        ("500 k€", 500_000.0, "EUR"),
        ("5 MUSD", 5_000_000.0, "USD"),
        ("$5bn", 5_000_000_000.0, "USD"),
    ],
)
def test_abbreviated_scale_next_to_currency(text: str, amount: float, currency: str) -> None:
    m = only(f"Le tour a rapporté {text} cette année.")
    assert (m.text, m.amount, m.currency) == (text, amount, currency)


def test_abbreviation_without_currency_is_not_a_scale() -> None:
    assert find_money("Il a levé 5 M pour lui.") == []


@pytest.mark.parametrize("apostrophe", ["'", "’"])
def test_singular_milliard_d_euros_with_either_apostrophe(apostrophe: str) -> None:
    m = only(f"une levée de 1,7 milliard d{apostrophe}euros")
    assert (m.amount, m.currency) == (1_700_000_000.0, "EUR")


def test_mille_scale_word() -> None:
    assert only("un apport de 500 mille euros").amount == 500_000.0


def test_trailing_supplementaires_is_left_out_of_the_quote() -> None:
    m = only("xAI chercherait à lever 10 milliards de dollars supplémentaires.")
    assert (m.text, m.amount) == ("10 milliards de dollars", 10_000_000_000.0)


def test_three_thousand_billion_yen() -> None:
    m = only("SoftBank a promis 3 000 milliards de yens.")
    assert (m.amount, m.currency) == (3_000_000_000_000.0, "JPY")


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("3 millions de dollars américains", "USD"),
        ("3 millions de dollars canadiens", "CAD"),
        ("3 millions de livres sterling", "GBP"),
        ("3 millions de francs suisses", "CHF"),
        ("3 millions de yuans", "CNY"),
        ("3 millions de roupies", "INR"),
        ("3 millions de wons", "KRW"),
        ("3 millions €", "EUR"),
        ("3 millions £", "GBP"),
        ("3 millions USD", "USD"),
        ("EUR 3 millions", "EUR"),
        ("€3 millions", "EUR"),
        ("£3m", "GBP"),
        ("3 milliards $US", "USD"),
    ],
)
def test_currency_names_symbols_and_codes_map_to_iso_codes(text: str, currency: str) -> None:
    m = only(f"La société a levé {text} hier.")
    assert (m.text, m.currency) == (text, currency)


def test_bare_livres_is_pounds_only_after_a_scale_word() -> None:
    assert only("un rachat de 2 milliards de livres").currency == "GBP"
    assert find_money("Il a vendu 500 livres dans la librairie.") == []


# --- billion ---------------------------------------------------------------------------------


def test_english_billion_after_dollar_sign_is_ten_to_the_ninth() -> None:
    assert only("OpenAI raised $5 billion").amount == 5_000_000_000.0


def test_singular_billion_followed_directly_by_currency_is_english() -> None:
    m = only("un financement de 5 billion dollars")
    assert (m.amount, m.currency) == (5_000_000_000.0, "USD")


def test_french_billions_de_dollars_is_ten_to_the_twelfth() -> None:
    assert only("la dette de 38 billions de dollars").amount == 38_000_000_000_000.0
    assert only("un fonds de 1 billion d’euros").amount == 1_000_000_000_000.0


# --- written-out and vague numbers -----------------------------------------------------------


def test_written_out_numbers_with_a_scale_word() -> None:
    m = only("Microsoft a investi cinq milliards de dollars.")
    assert (m.amount, m.currency) == (5_000_000_000.0, "USD")
    assert only("Ils ont levé vingt-cinq millions d’euros.").amount == 25_000_000.0
    assert only("un rachat d’un milliard et demi d’euros").amount == 1_500_000_000.0
    assert only("une levée d’un demi-milliard de dollars").amount == 500_000_000.0


def test_written_out_number_without_currency_in_money_sentence_has_no_currency() -> None:
    m = only("La start-up a levé deux milliards.")
    assert (m.text, m.amount, m.currency) == ("deux milliards", 2_000_000_000.0, None)


def test_written_out_count_without_scale_is_not_money() -> None:
    assert find_money("Il lance deux satellites et cinq mégapoles de centres de données.") == []


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("plusieurs milliards de dollars", "USD"),
        ("plusieurs centaines de milliards de dollars", "USD"),
        ("des dizaines de millions d’euros", "EUR"),
        ("quelques millions", None),
    ],
)
def test_vague_amount_has_no_value_and_is_about(text: str, currency: str | None) -> None:
    m = only(f"La société a levé {text} en 2024.")
    assert (m.text, m.amount, m.currency, m.qualifier) == (text, None, currency, "about")


def test_une_dizaine_de_milliards_is_a_rounded_amount() -> None:
    m = only("Le groupe a levé une dizaine de milliards de dollars.")
    assert (m.amount, m.qualifier) == (10_000_000_000.0, "about")


# --- not money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Le lancement est prévu en 2027.",
        "Les ventes ont bondi de 100% puis de 20 % sur un an.",
        "Le modèle est 70 fois plus rapide.",
        "La commune compte 38 000 habitants.",
        "Appelez le 01 23 45 67 89 pour lever des fonds.",
        "Google a présenté Gemini 3 et OpenAI GPT-4 à ses investisseurs.",
    ],
)
def test_years_percentages_counts_phone_numbers_and_model_names_are_not_money(text: str) -> None:
    assert find_money(text) == []


def test_scale_word_followed_by_another_noun_is_a_count() -> None:
    assert find_money("ChatGPT revendique 800 millions d’utilisateurs et a levé des fonds.") == []


def test_currency_less_scale_amount_outside_a_money_sentence_is_skipped() -> None:
    assert find_money("La ville compte 2 millions.") == []


def test_currency_less_scale_amount_in_a_money_sentence_is_kept_without_currency() -> None:
    m = only("Le fonds a levé 1 500 millions, selon des documents libellés en dollars.")
    assert (m.text, m.amount, m.currency) == ("1 500 millions", 1_500_000_000.0, None)


# --- currency inheritance --------------------------------------------------------------------


def test_currency_is_inherited_from_another_amount_of_the_same_sentence() -> None:
    mentions = find_money("xAI a levé 12 milliards, et Microsoft 3 milliards de dollars.")
    assert [(m.text, m.currency) for m in mentions] == [
        ("12 milliards", "USD"),
        ("3 milliards de dollars", "USD"),
    ]


def test_currency_is_inherited_from_the_preceding_sentence_of_the_paragraph() -> None:
    text = "M. Musk a levé 6 milliards de dollars. Il vise ensuite 1 500 millions."
    assert [m.currency for m in find_money(text)] == ["USD", "USD"]


def test_currency_is_not_inherited_across_paragraphs() -> None:
    text = "xAI a levé 6 milliards de dollars.\nLe fonds vise 1 500 millions."
    assert [m.currency for m in find_money(text)] == ["USD", None]


def test_currency_is_not_inherited_from_two_sentences_back() -> None:
    text = "xAI a levé 6 milliards de dollars. Le reste suit. Le fonds vise 1 500 millions."
    assert [m.currency for m in find_money(text)] == ["USD", None]


# --- qualifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "qualifier"),
    [
        ("jusqu’à", "up_to"),
        ("jusqu'à", "up_to"),
        ("plus de", "more_than"),
        ("au moins", "more_than"),
        ("au-delà de", "more_than"),
        ("supérieur à", "more_than"),
        ("moins de", "less_than"),
        ("bien moins de", "less_than"),
        ("à peine", "less_than"),
        ("près de", "about"),
        ("environ", "about"),
        ("quelque", "about"),
        ("autour de", "about"),
        ("approximativement", "about"),
        ("~", "about"),
    ],
)
def test_qualifier_before_amount_is_recognised_and_quoted(phrase: str, qualifier: str) -> None:
    m = only(f"La société a levé {phrase} 500 millions d’euros.")
    assert m.qualifier == qualifier
    assert m.text.startswith(phrase)
    assert m.amount == 500_000_000.0


def test_plus_d_un_milliard_is_more_than_one_billion() -> None:
    m = only("un investissement de plus d’un milliard de dollars")
    assert (m.text, m.amount, m.qualifier) == ("plus d’un milliard de dollars", 1_000_000_000.0, "more_than")


def test_un_montant_de_after_a_qualifier_is_quoted_with_it() -> None:
    m = only("des contrats jusqu’à un montant de 5 M€")
    assert (m.text, m.qualifier) == ("jusqu’à un montant de 5 M€", "up_to")


def test_un_montant_de_without_qualifier_is_exact_and_not_quoted() -> None:
    m = only("des infrastructures d’un montant de 30 milliards de dollars.")
    assert (m.text, m.qualifier) == ("30 milliards de dollars", "exact")


# --- equivalents -----------------------------------------------------------------------------


def test_parenthesised_euro_conversion_is_an_equivalent_not_a_new_fact() -> None:
    s = "un investissement privé initial de 100 milliards de dollars (95,7 milliards d’euros) qui pourrait"
    m = only(s)
    assert m.text == "100 milliards de dollars (95,7 milliards d’euros)"
    assert [(e.amount, e.currency) for e in m.equivalents] == [(95_700_000_000.0, "EUR")]


def test_soit_conversion_directly_after_is_an_equivalent() -> None:
    s = "un programme de 500 milliards de dollars, soit environ 450 milliards d'euros, sur quatre ans"
    m = only(s)
    assert m.text == "500 milliards de dollars, soit environ 450 milliards d'euros"
    assert [(e.amount, e.currency) for e in m.equivalents] == [(450_000_000_000.0, "EUR")]


def test_several_conversions_in_one_parenthesis() -> None:
    s = "Stargate : 500 milliards de dollars (480 milliards d'euros ou 400 milliards de livres sterling)."
    m = only(s)
    assert [(e.amount, e.currency) for e in m.equivalents] == [
        (480_000_000_000.0, "EUR"),
        (400_000_000_000.0, "GBP"),
    ]
    assert m.text.endswith("sterling)")


def test_conversion_after_supplementaires_is_still_an_equivalent() -> None:
    m = only("xAI a levé 10 milliards de dollars supplémentaires (9,5 milliards d’euros).")
    assert m.text == "10 milliards de dollars supplémentaires (9,5 milliards d’euros)"
    assert len(m.equivalents) == 1


@pytest.mark.parametrize(
    ("text", "equivalent"),
    [
        ("Tokyo versera 950 millions de yens (l’équivalent de 6 millions d’euros) au fondeur.", 6_000_000.0),
        ("Le chantier coûtera 900 milliards de yens (plus de 5 milliards d’euros) en tout.", 5_000_000_000.0),
        ("Le fonds apporte 3 milliards de yuans (soit l'équivalent de 390 millions d'euros).", 390_000_000.0),
    ],
)
def test_a_qualified_conversion_in_brackets_is_an_equivalent(text: str, equivalent: float) -> None:
    m = only(text)
    assert [(e.amount, e.currency) for e in m.equivalents] == [(equivalent, "EUR")]


def test_parenthesis_without_an_amount_does_not_extend_the_mention() -> None:
    m = only("Il a levé 500 milliards de dollars (selon Reuters) sur quatre ans.")
    assert (m.text, m.equivalents) == ("500 milliards de dollars", ())


# --- offsets ---------------------------------------------------------------------------------


def test_offsets_are_relative_to_the_full_text_when_searching_a_slice() -> None:
    text = "Intro sans argent.\nxAI a levé 6 milliards de dollars. Elle vise jusqu’à 1 500 millions."
    start = text.index("Elle")
    mentions = find_money(text, start, len(text))
    assert len(mentions) == 1
    m = mentions[0]
    assert text[m.start : m.end] == m.text == "jusqu’à 1 500 millions"
    # Inheritance looked back before `start`, into the preceding sentence.
    assert m.currency == "USD"


def test_slice_end_is_respected() -> None:
    text = "a levé 6 milliards de dollars et 3 milliards d’euros"
    mentions = find_money(text, 0, text.index(" et"))
    assert [m.text for m in mentions] == ["6 milliards de dollars"]


def test_quotes_always_match_offsets() -> None:
    text = (
        "Le nouveau président américain avait évoqué mardi une coentreprise investissant jusqu’à "
        "300 milliards de dollars (287,2 milliards d’euros). « SoftBank a sécurisé bien moins de "
        "10 milliards de dollars (9,5 milliards d’euros). »\nxAI a levé 12 milliards, puis 4 Md$ "
        "et plusieurs centaines de milliards de dollars."
    )
    mentions = find_money(text)
    assert len(mentions) == 5
    assert_offsets(text, mentions)


# --- classification --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Mistral AI a bouclé un tour de table de 600 millions d’euros.", "funding_round"),
        ("Microsoft a racheté Activision Blizzard pour 69 milliards de dollars.", "acquisition"),
        ("Musk a fait une proposition de rachat de 97 milliards de dollars.", "bid"),
        ("OpenAI a signé des contrats informatiques de plusieurs centaines de milliards de dollars.", "contract"),
        ("Nvidia a promis 100 milliards de dollars à OpenAI.", "commitment"),
        ("Le chiffre d’affaires atteint 3,7 milliards de dollars.", "revenue"),
        ("OpenAI a perdu 5 milliards de dollars l’an dernier.", "other"),
    ],
)
def test_kind_cues(sentence: str, kind: str) -> None:
    assert kind_of(sentence, only(sentence)) == kind


@pytest.mark.parametrize(
    "sentence",
    [
        "Le budget de l’État prévoit 300 milliards d’euros de dépenses.",
        "Le budget de la défense atteindra 50 milliards d’euros.",
        "Le PSG a payé 222 millions d’euros pour le transfert de Neymar.",
        "Le patron touche un salaire annuel de 2 millions d’euros.",
        "Les retraites coûtent 350 milliards d’euros par an.",
        "Apple doit 13 milliards d’euros d’impôts à l’Irlande.",
        "Le PIB de l’Inde dépasse 3 000 milliards de dollars.",
        "Le nouvel iPhone coûte 1 229 euros.",
    ],
)
def test_non_funding_amounts_are_rejected(sentence: str) -> None:
    assert kind_of(sentence, only(sentence)) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Il y a deux ans, Sony avait proposé 12 milliards de dollars afin de s’emparer de l’éditeur.",
        "Le fonds propose 3,5 milliards d’euros pour reprendre la filiale.",
    ],
)
def test_offering_a_sum_for_a_company_is_a_bid(sentence: str) -> None:
    assert kind_of(sentence, only(sentence)) == "bid"


def test_a_loan_to_a_company_is_a_commitment() -> None:
    sentence = "Le fabricant pourra aussi obtenir 6 milliards de dollars de prêts publics."
    assert kind_of(sentence, only(sentence)) == "commitment"


def test_a_fine_is_money_of_another_kind() -> None:
    sentence = "Bruxelles inflige une amende de 4,3 milliards d’euros à Google."
    assert kind_of(sentence, only(sentence)) == "other"


def test_closest_cue_wins() -> None:
    s = "Après avoir levé 6 milliards de dollars, xAI affiche une valorisation de 50 milliards de dollars."
    first, second = find_money(s)
    assert kind_of(s, first) == "funding_round"
    assert kind_of(s, second) == "valuation"


def test_engage_a_investir_is_a_commitment_not_an_investment() -> None:
    s = "Le groupe s’est engagé à investir 10 milliards d’euros en France."
    assert kind_of(s, only(s)) == "commitment"


def test_pension_fund_investing_is_not_a_pension() -> None:
    s = "Un fonds de pension canadien a investi 3 milliards de dollars dans les centres de données."
    assert kind_of(s, only(s)) == "investment"


# --- USD conversion --------------------------------------------------------------------------


def test_usd_converts_to_itself_and_reports_the_rate_date() -> None:
    assert to_usd(1_000_000.0, "USD", dt.date(2020, 6, 1)) == (1_000_000.0, dt.date(2020, 1, 1))


def test_conversion_uses_the_rate_of_the_fact_year() -> None:
    usd_2023, date_2023 = to_usd(1_000_000_000.0, "EUR", dt.date(2023, 7, 14))
    usd_2015, _ = to_usd(1_000_000_000.0, "EUR", dt.date(2015, 3, 1))
    assert date_2023 == dt.date(2023, 1, 1)
    # ECB annual averages: 1.0813 USD per EUR in 2023, 1.1095 in 2015.
    assert usd_2023 == 1_081_300_000.0
    assert usd_2015 == 1_109_500_000.0


def test_conversion_after_the_table_uses_the_latest_rate_before() -> None:
    latest = to_usd(100.0, "GBP", None)
    assert to_usd(100.0, "GBP", dt.date(2040, 1, 1)) == latest
    assert latest[1] is not None
    assert latest[1].year >= 2026


def test_conversion_accepts_datetimes_and_lower_case_codes() -> None:
    assert to_usd(1.0, "jpy", dt.datetime(2024, 5, 1, 12, 0)) == to_usd(1.0, "JPY", dt.date(2024, 5, 1))


def test_unknown_currency_converts_to_nothing() -> None:
    assert to_usd(1.0, "XYZ", None) == (None, None)


def test_fx_table_is_sourced_and_covers_required_currencies_for_2015_to_2026() -> None:
    table = json.loads(FX_PATH.read_text(encoding="utf-8"))
    assert "ECB" in table["source"] or "European Central Bank" in table["source"]
    years = {int(entry["date"][:4]): entry["per_eur"] for entry in table["rates"]}
    for year in range(2015, 2027):
        for code in ("EUR", "USD", "GBP", "CHF", "JPY", "CNY", "CAD", "AUD", "KRW", "INR"):
            assert code in years[year], (year, code)


@pytest.mark.parametrize(
    "text",
    ["sa valorisation dépassait 18 milliards de dollars", "le chiffre a dépassé les 18 milliards de dollars"],
)
def test_verbs_of_exceeding_make_the_amount_more_than(text: str) -> None:
    (m,) = find_money(text)
    assert (m.amount, m.currency, m.qualifier) == (18e9, "USD", "more_than")


def test_a_conversion_a_few_words_later_in_another_currency_is_an_equivalent() -> None:
    text = "valorisée à 11,7 milliards d’euros après l’augmentation de capital, soit près de 14 milliards de dollars."
    (m,) = find_money(text)
    assert (m.amount, m.currency) == (11.7e9, "EUR")
    assert [(e.amount, e.currency) for e in m.equivalents] == [(14e9, "USD")]


def test_a_later_amount_in_the_same_currency_is_no_conversion() -> None:
    found = find_money("Il a investi 3 milliards de dollars en 2023, soit 4 milliards de dollars au total.")
    assert [(m.amount, m.equivalents) for m in found] == [(3e9, ()), (4e9, ())]


def test_a_price_tag_is_not_a_funding_fact() -> None:
    sentence = "Le Vision Pro est vendu 3 499 dollars aux États-Unis."
    (m,) = find_money(sentence)
    assert classify_money_kind(sentence, m.start, m.end) is None


def test_a_class_action_is_not_a_funding_round() -> None:
    sentence = "Anthropic versera 1,5 milliard de dollars pour mettre fin à l’action collective."
    (m,) = find_money(sentence)
    assert classify_money_kind(sentence, m.start, m.end) == "other"


@pytest.mark.parametrize(
    "sentence",
    ["Le cours du bitcoin avait dépassé les 110 000 dollars.", "Le groupe proposera 76,50 dollars par action."],
)
def test_market_prices_are_not_funding_facts(sentence: str) -> None:
    (m,) = find_money(sentence)
    assert classify_money_kind(sentence, m.start, m.end) is None


@pytest.mark.parametrize(
    ("text", "quote", "amount"),
    [
        ("Le projet est doté de 40-50 millions d’euros sur trois ans.", "40-50 millions d’euros", 50_000_000.0),
        ("Un budget de 6–8 milliards de dollars est prévu.", "6–8 milliards de dollars", 8_000_000_000.0),
    ],
)
def test_a_dashed_range_is_one_amount_at_its_upper_bound(text: str, quote: str, amount: float) -> None:
    m = only(text)
    assert (m.text, m.amount) == (quote, amount)


def test_an_amount_followed_by_the_name_of_who_gives_it_takes_the_sentence_currency() -> None:
    found = find_money(
        "Le fonds réunit 90 millions d’euros, dont 30 millions de Claire Dubois et 20 millions d'Orange."
    )
    assert [(m.text, m.amount, m.currency) for m in found] == [
        ("90 millions d’euros", 90_000_000.0, "EUR"),
        ("30 millions", 30_000_000.0, "EUR"),
        ("20 millions", 20_000_000.0, "EUR"),
    ]


def test_millions_of_a_people_are_a_count_not_money() -> None:
    assert find_money("Le service compte déjà 30 millions d’Allemands et 9 millions de Suisses.") == []
