"""Rivalry rules: rivalry language and adversarial events set parties against each other; partners,
co-defendants, an organisation and its own chief, and media never are rivals."""

from __future__ import annotations

from tests.unit.extraction import pair, pairs

# ----------------------------------------------------------------------------- rivalry language


def test_la_rivalite_entre_sets_the_two_names_against_each_other() -> None:
    assert pairs("La rivalité entre OpenAI et Anthropic s'intensifie.") == {pair("openai", "anthropic")}


def test_principal_rival_de_in_apposition_sets_the_subject_against_its_complement() -> None:
    text = "Anthropic, principal rival d'OpenAI, a levé 2 milliards de dollars."
    assert pairs(text) == {pair("anthropic", "openai")}


def test_rival_de_parsed_as_a_conjunct_still_sets_the_pair() -> None:
    assert pairs("xAI, rival d'OpenAI, a levé 6 milliards de dollars.") == {pair("xai", "openai")}


def test_competitors_listed_in_brackets_each_face_the_company() -> None:
    found = pairs("Les concurrents de Nvidia (AMD, Intel) peinent à suivre.")
    assert found == {pair("nvidia", "amd"), pair("nvidia", "intel")}


def test_face_a_after_the_verb_sets_the_subject_against_the_name() -> None:
    assert pairs("AMD a lancé une nouvelle puce face à Nvidia.") == {pair("amd", "nvidia")}


def test_a_fronted_face_a_sets_the_next_subject_against_the_name() -> None:
    assert pairs("Face à Nvidia, AMD accélère le développement de ses puces.") == {pair("amd", "nvidia")}


def test_rivaliser_avec_is_a_rivalry() -> None:
    assert pairs("Google rivalise avec OpenAI.") == {pair("google", "openai")}


def test_supplanting_a_company_is_a_rivalry() -> None:
    assert pairs("Anthropic a supplanté OpenAI sur le marché des entreprises.") == {pair("anthropic", "openai")}


def test_concurrencer_as_a_finite_verb_is_a_rivalry() -> None:
    assert pairs("OpenAI concurrence directement Anthropic.") == {pair("openai", "anthropic")}


def test_a_denied_rivalry_is_no_rivalry() -> None:
    assert pairs("Google ne rivalise pas avec OpenAI.") == set()


def test_a_chief_executive_facing_a_company_stands_for_the_company_they_run() -> None:
    assert pairs("La rivalité entre Sam Altman et xAI s'est envenimée.") == {pair("openai", "xai")}


def test_two_chief_executives_are_rivals_as_people() -> None:
    assert pairs("La rivalité entre Sam Altman et Elon Musk s'est envenimée.") == {pair("sam-altman", "elon-musk")}


# ----------------------------------------------------------------------------- adversarial events


def test_a_plaintiff_and_its_defendant_are_rivals() -> None:
    assert pairs("xAI a déposé une plainte contre OpenAI.") == {pair("xai", "openai")}


def test_co_defendants_are_not_rivals() -> None:
    found = pairs("xAI a poursuivi OpenAI et Microsoft.")
    assert found == {pair("xai", "openai"), pair("xai", "microsoft")}
    assert pair("openai", "microsoft") not in found


def test_co_plaintiffs_are_not_rivals() -> None:
    found = pairs("Microsoft et Google ont poursuivi OpenAI.")
    assert found == {pair("microsoft", "openai"), pair("google", "openai")}


def test_companies_fined_together_by_an_authority_are_not_rivals() -> None:
    found = pairs("La Commission européenne a sanctionné Apple et Meta.")
    assert pair("apple", "meta") not in found
    assert pair("commission-europeenne", "apple") in found


def test_a_bidder_and_the_target_that_refused_it_are_rivals() -> None:
    text = "Inflection AI a refusé une offre de 2 milliards de dollars de Microsoft."
    assert pairs(text) == {pair("inflection-ai", "microsoft")}


def test_two_buyers_of_one_company_are_rivals() -> None:
    text = "Microsoft envisage de racheter Wiz. Google envisage aussi de racheter Wiz."
    assert pair("microsoft", "google") in pairs(text)


def test_a_rival_in_apposition_and_a_lawsuit_give_two_rivalries() -> None:
    found = pairs("Anthropic, principal rival d'OpenAI, a poursuivi Microsoft.")
    assert found == {pair("anthropic", "openai"), pair("anthropic", "microsoft")}


# ----------------------------------------------------------------------------- never a rivalry


def test_an_organisation_and_its_own_chief_executive_are_not_rivals() -> None:
    assert pairs("La rivalité entre Sam Altman et OpenAI fascine la Silicon Valley.") == set()


def test_a_medium_is_never_a_rival() -> None:
    assert pairs("La rivalité entre le Financial Times et OpenAI s'est envenimée.") == set()


def test_a_medium_suing_a_company_is_no_rivalry() -> None:
    assert pairs("Le Financial Times a poursuivi OpenAI.") == set()


def test_a_medium_reporting_a_rivalry_is_not_a_party_to_it() -> None:
    found = pairs("Selon le Financial Times, Google rivalise avec OpenAI.")
    assert found == {pair("google", "openai")}


def test_partners_of_one_deal_are_not_rivals() -> None:
    found = pairs("Microsoft et OpenAI ont signé un partenariat face à Google.")
    assert pair("microsoft", "openai") not in found
    assert pair("openai", "google") in found


def test_every_coordinated_subject_faces_the_name_after_face_a() -> None:
    found = pairs("Microsoft et OpenAI ont signé un partenariat face à Google.")
    assert found == {pair("microsoft", "google"), pair("openai", "google")}


def test_a_product_set_before_a_rival_noun_by_a_comma_is_the_rival_not_the_topic() -> None:
    text = "Windsurf rejoint Google. La technique sert des outils comme Llama, le rival direct de GPT-5 d'OpenAI."
    assert pairs(text) == {pair("meta", "openai")}


def test_a_possessive_rival_noun_inside_a_complement_sets_no_rivalry_with_the_topic() -> None:
    text = (
        "OpenAI domine. OpenAI recrute. Nvidia va investir 5 milliards de dollars dans Intel. "
        "Le fabricant prendra ainsi 4 % du capital de son concurrent."
    )
    assert pair("nvidia", "openai") not in pairs(text)


def test_a_studio_whose_offer_is_rejected_faces_its_target() -> None:
    text = "Le conseil d'administration de Warner Bros Discovery a rejeté l'offre de Paramount."
    assert pairs(text) == {pair("paramount-skydance", "warner-bros-discovery")}
