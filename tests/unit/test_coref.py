"""Coreference as the events see it: pronouns, "ce dernier", definite descriptions and relative
pronouns take part in an event as the entity they stand for."""

from __future__ import annotations

from tests.unit.extraction import events_of, roles

# ----------------------------------------------------------------------------- pronouns


def test_elle_in_the_next_sentence_is_the_company_named_before() -> None:
    text = "Nvidia a publié ses résultats mardi. Elle a racheté Inflection AI pour 700 millions de dollars."
    (event,) = events_of(text, "acquisition")
    assert roles(event) == {"nvidia": "acquirer", "inflection-ai": "target"}


def test_il_after_an_adverb_is_the_person_named_before() -> None:
    (event,) = events_of("Elon Musk a quitté OpenAI en 2018. Il a ensuite fondé xAI.", "founding")
    assert roles(event) == {"elon-musk": "founder", "xai": "subject"}


def test_il_is_the_company_subject_of_the_previous_sentence() -> None:
    (event,) = events_of("Google a publié ses résultats. Il a racheté Wiz pour 32 milliards de dollars.", "acquisition")
    assert roles(event) == {"google": "acquirer", "wiz": "target"}


def test_il_a_ensuite_rachete_is_the_company_named_before() -> None:
    text = "Microsoft a publié des résultats records. Il a ensuite racheté Inflection AI."
    (event,) = events_of(text, "acquisition")
    assert roles(event) == {"microsoft": "acquirer", "inflection-ai": "target"}


def test_ils_stands_for_the_two_subjects_of_the_previous_sentence() -> None:
    text = (
        "Google et Amazon soutiennent Anthropic depuis 2023. Ils investiront 5 milliards de dollars dans la start-up."
    )
    (event,) = events_of(text, "investment")
    assert roles(event) == {"google": "investor", "amazon": "investor", "anthropic": "target"}


def test_ils_resolves_even_when_the_parse_detaches_the_previous_subject() -> None:
    text = "Microsoft et Nvidia ont publié leurs résultats. Ils ont investi 1 milliard de dollars dans Mistral AI."
    (event,) = events_of(text, "investment")
    assert roles(event) == {"microsoft": "investor", "nvidia": "investor", "mistral-ai": "target"}


def test_ce_dernier_is_the_entity_named_last() -> None:
    text = "Mistral AI a signé un accord avec Microsoft. Ce dernier a investi 15 millions d'euros dans Mistral AI."
    (event,) = events_of(text, "investment")
    assert roles(event) == {"microsoft": "investor", "mistral-ai": "target"}


def test_celle_ci_is_the_entity_named_last() -> None:
    text = "Microsoft a signé un accord avec Mistral AI. Celle-ci a levé 600 millions d'euros."
    (event,) = events_of(text, "funding_round")
    assert roles(event) == {"mistral-ai": "target"}


# ----------------------------------------------------------------------------- descriptions


def test_la_start_up_is_the_young_company_not_the_big_one() -> None:
    text = "Mistral AI a présenté un modèle avec Microsoft. La start-up a levé 600 millions d'euros."
    (event,) = events_of(text, "funding_round")
    assert roles(event) == {"mistral-ai": "target"}


def test_le_geant_de_redmond_is_microsoft_among_two_giants() -> None:
    text = (
        "Google et Microsoft ont publié leurs résultats. "
        "Le géant de Redmond a investi 2 milliards de dollars dans Mistral AI."
    )
    (event,) = events_of(text, "investment")
    assert roles(event) == {"microsoft": "investor", "mistral-ai": "target"}


def test_a_nationality_picks_the_company_from_that_country() -> None:
    text = (
        "Intel et TSMC ont publié leurs résultats. "
        "Le fondeur taïwanais a investi 10 milliards de dollars dans Mistral AI."
    )
    (event,) = events_of(text, "investment")
    assert roles(event) == {"tsmc": "investor", "mistral-ai": "target"}


def test_a_description_with_a_common_noun_complement_is_resolved() -> None:
    text = "Nvidia a présenté une nouvelle puce. Le concepteur de puces a racheté Mellanox."
    (event,) = events_of(text, "acquisition")
    assert roles(event) == {"nvidia": "acquirer", "mellanox": "target"}


def test_le_fabricant_de_chatgpt_is_openai() -> None:
    text = "Sam Altman dirige OpenAI depuis 2019. Le fabricant de ChatGPT a signé un contrat avec Oracle."
    (event,) = events_of(text, "contract") or events_of(text, "partnership")
    assert roles(event) == {"openai": "partner", "oracle": "partner"}


def test_a_description_of_a_person_skips_the_organisations() -> None:
    (event,) = events_of("Elon Musk a quitté OpenAI en 2018. Le milliardaire a fondé xAI en 2023.", "founding")
    assert roles(event) == {"elon-musk": "founder", "xai": "subject"}


def test_a_description_is_not_a_co_argument_of_its_own_clause() -> None:
    text = "Mistral AI a publié un modèle. Microsoft a investi 15 millions d'euros dans la start-up."
    (event,) = events_of(text, "investment")
    assert roles(event) == {"microsoft": "investor", "mistral-ai": "target"}


def test_le_patron_de_names_the_chief_the_text_names_elsewhere() -> None:
    text = "Sam Altman dirige OpenAI. Le patron d'OpenAI a cofondé Merge Labs."
    (event,) = events_of(text, "founding")
    assert roles(event) == {"sam-altman": "founder", "merge-labs": "subject"}


# ----------------------------------------------------------------------------- relative pronouns


def test_qui_stands_for_the_name_before_it() -> None:
    (event,) = events_of("Mistral AI, qui a levé 600 millions d'euros en 2024, recrute à Paris.", "funding_round")
    assert roles(event) == {"mistral-ai": "target"}


def test_que_stands_for_the_object_named_before_it() -> None:
    (event,) = events_of("Inflection AI, que Microsoft a rachetée en 2024, emploie 70 personnes.", "acquisition")
    assert roles(event) == {"microsoft": "acquirer", "inflection-ai": "target"}


def test_a_possessive_after_et_belongs_to_the_name_listed_before_it() -> None:
    text = "Jeanne Roux dit subir la concurrence de Google et de son partenaire commercial Samsung."
    (event,) = events_of(text, "partnership")
    assert roles(event) == {"google": "partner", "samsung": "partner"}


def test_the_holder_of_a_possessed_title_stands_right_before_it() -> None:
    (event,) = events_of("Microsoft a fait d’OpenAI son partenaire privilégié.", "partnership")
    assert roles(event) == {"microsoft": "partner", "openai": "partner"}
