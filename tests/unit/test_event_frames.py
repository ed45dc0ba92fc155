"""Frames and argument rules that decide whether a phrase is an event and who takes part: word
senses that are not events, complements the parse hangs elsewhere, and titles set beside names."""

from __future__ import annotations

from tests.unit.extraction import events_of, extract, roles


def test_carrying_on_an_activity_is_not_a_lawsuit() -> None:
    text = "Le groupe a conclu avec Oracle un accord garantissant la poursuite de l'activité de TikTok au Japon."
    assert events_of(text, "lawsuit") == []


def test_plural_proceedings_are_a_lawsuit() -> None:
    (event,) = events_of("Des poursuites ont été engagées par la FTC contre Meta.", "lawsuit")
    assert roles(event) == {"federal-trade-commission": "plaintiff", "meta": "defendant"}


def test_an_appeal_against_a_ruling_is_a_lawsuit_with_its_author_on_the_other_side() -> None:
    (event,) = events_of("Microsoft va interjeter appel du jugement de la Commission européenne.", "lawsuit")
    assert set(roles(event)) == {"microsoft", "commission-europeenne"}
    assert roles(event)["microsoft"] != roles(event)["commission-europeenne"]


def test_a_call_for_projects_is_no_appeal() -> None:
    assert events_of("Nvidia a lancé un appel à projets avec Google.", "lawsuit") == []


def test_the_company_listed_follows_the_market_not_the_preparer() -> None:
    (event,) = events_of("SoftBank prépare l'introduction en Bourse d'Arm.", "funding_round")
    assert roles(event) == {"arm": "target"}


def test_a_listing_described_by_the_listed_company_s_trade_resolves_to_it() -> None:
    text = "Arm conçoit des puces. SoftBank prépare l'introduction en Bourse du concepteur de puces."
    (event,) = events_of(text, "funding_round")
    assert roles(event) == {"arm": "target"}


def test_revealing_a_fact_is_no_product_launch() -> None:
    text = "Vendredi, le milliardaire Elon Musk a dévoilé avoir trouvé les fonds nécessaires à son projet."
    assert events_of(text, "product_launch") == []
    assert events_of(text, "founding") == []  # the funds are what was found, not a fund he launched


def test_a_weekday_opening_a_sentence_is_no_organisation() -> None:
    assert {e.slug for e in extract("Mardi, Apple a dévoilé Vision, son nouveau casque.").entities} == {"apple"}


def test_a_participle_after_a_comma_launches_the_product_before_it() -> None:
    (event,) = events_of("Le titre revient à Mistral AI et à son modèle Large 2, dévoilé mardi.", "product_launch")
    assert roles(event) == {"mistral-ai": "actor"}


def test_a_participle_after_a_comma_does_not_launch_a_company() -> None:
    assert events_of("Cette société, rachetée par Google en 2014, emploie 2000 personnes.", "product_launch") == []


def test_names_after_a_plural_founders_title_are_its_founders() -> None:
    text = "Anthropic a publié Claude. Ses fondateurs, Dario et Daniela Amodei, venaient tous deux d'OpenAI."
    (event,) = events_of(text, "founding")
    assert roles(event) == {"dario-amodei": "founder", "daniela-amodei": "founder", "anthropic": "subject"}


def test_a_french_spelling_of_a_company_is_the_same_company() -> None:
    (event,) = events_of("Les accords conclus entre Amazon et Anthropique ont inquiété les régulateurs.")
    assert roles(event) == {"amazon": "partner", "anthropic": "partner"}


def test_companies_describing_the_agent_are_not_parties() -> None:
    text = (
        "Elon Musk veut Twitter. "
        "Le conseil de Twitter a approuvé l'offre de rachat faite par le patron de SpaceX et de Tesla."
    )
    events = events_of(text, "acquisition")
    assert events
    assert all(set(roles(e)) <= {"elon-musk", "x"} for e in events)


def test_an_offer_presented_by_a_buyer_is_no_product_launch() -> None:
    assert events_of("Le conseil a approuvé l'offre présentée par Elon Musk.", "product_launch") == []


def test_the_channel_a_statement_is_made_on_is_not_its_subject() -> None:
    (event,) = events_of("Sur son réseau social X, Elon Musk a critiqué le projet Stargate d'OpenAI.", "statement")
    assert "x" not in roles(event)
    assert roles(event)["elon-musk"] == "speaker"


def test_a_series_of_commitments_is_made_of_commitments_with_the_companies_it_involves() -> None:
    text = (
        "Ce projet s'ajoute à une série d'engagements de plus de 10 milliards d'euros, impliquant Nvidia et Salesforce."
    )
    (event,) = events_of(text, "commitment")
    assert roles(event) == {"nvidia": "investor", "salesforce": "investor"}


def test_a_lettered_series_is_still_a_funding_round() -> None:
    (event,) = events_of("Mistral AI a bouclé une série B de 400 millions d'euros.", "funding_round")
    assert roles(event) == {"mistral-ai": "target"}


def test_joining_an_offer_makes_a_second_bidder_not_a_partner() -> None:
    text = "Microsoft s'est associé à une offre déposée par Walmart pour reprendre TikTok."
    assert events_of(text, "partnership") == []
    (event,) = events_of(text, "bid")
    assert roles(event) == {"walmart": "bidder", "microsoft": "bidder", "tiktok": "target"}


def test_joining_a_funding_round_makes_an_investor() -> None:
    text = "Microsoft a rejoint le tour de table de 6 milliards de dollars mené par Thrive Capital."
    (event,) = events_of(text, "funding_round")
    assert roles(event) == {"thrive-capital": "investor", "microsoft": "investor"}


def test_teaming_up_with_a_company_is_still_a_partnership() -> None:
    (event,) = events_of("Oracle s'est associé à OpenAI pour construire des centres de données.")
    assert event.type == "partnership"
    assert roles(event) == {"oracle": "partner", "openai": "partner"}


def test_a_name_after_a_nationality_noun_is_the_partner() -> None:
    (event,) = events_of("Oracle a noué un partenariat avec le Chinois ByteDance.")
    assert roles(event) == {"oracle": "partner", "bytedance": "partner"}


def test_founders_described_before_their_names_are_still_its_founders() -> None:
    text = "Anthropic publie Claude. Ses deux fondateurs, le duo familial Dario et Daniela Amodei, ont quitté Meta."
    (event,) = events_of(text, "founding")
    assert roles(event) == {"dario-amodei": "founder", "daniela-amodei": "founder", "anthropic": "subject"}


def test_an_outcry_from_companies_is_their_statement() -> None:
    text = "Le projet a provoqué une levée de boucliers de la part de plusieurs fabricants (AMD et Intel)."
    (event,) = events_of(text, "statement")
    assert roles(event) == {"amd": "speaker", "intel": "speaker"}


def test_a_raise_of_funds_is_no_outcry() -> None:
    text = "La start-up a effectué une levée de fonds de 10 millions d'euros auprès de Sequoia."
    assert events_of(text, "statement") == []


def test_every_company_in_brackets_joins_the_outcry() -> None:
    text = (
        "Le projet suscite une levée de boucliers de la part des rivaux d'Intel (AMD, Apple ou Qualcomm) qui doutent."
    )
    (event,) = events_of(text, "statement")
    assert roles(event) == {"amd": "speaker", "apple": "speaker", "qualcomm": "speaker"}


def test_a_founders_title_opening_a_sentence_reads_the_names_after_its_comma() -> None:
    text = "Anthropic recrute. Ses cofondateurs, deux anciens chercheurs Dario et Daniela Amodei, ont rejoint Google."
    (event,) = events_of(text, "founding")
    assert roles(event) == {"dario-amodei": "founder", "daniela-amodei": "founder", "anthropic": "subject"}


def test_presenting_a_product_as_something_is_no_launch() -> None:
    text = "Tim Cook a présenté Gemini comme une simple option parmi d'autres."
    assert events_of(text, "product_launch") == []
    assert events_of(text, "founding") == []


def test_who_invests_in_a_round_is_its_investor_not_its_target() -> None:
    text = "Selon la presse, ASML va investir 900 millions d'euros dans Mistral AI, au cours d'un tour de table."
    rounds = events_of(text, "funding_round")
    assert rounds
    assert all(roles(e).get("asml") == "investor" for e in rounds)


def test_the_leader_of_a_round_is_its_investor_not_the_raiser_s_partner() -> None:
    (event,) = events_of(
        "Mistral AI a levé 2 milliards d'euros lors d'un tour de table mené par ASML.", "funding_round"
    )
    assert roles(event) == {"mistral-ai": "target", "asml": "investor"}


def test_those_accused_in_the_passive_do_not_speak() -> None:
    text = "xAI poursuit Apple et OpenAI. Les deux groupes sont accusés de s'entendre contre la concurrence."
    assert events_of(text, "statement") == []


def test_a_passive_statement_is_spoken_by_its_agent() -> None:
    (event,) = events_of("Google a été critiqué par Elon Musk pour son monopole.", "statement")
    assert roles(event) == {"elon-musk": "speaker", "google": "subject"}


def test_no_intention_to_buy_is_no_event() -> None:
    assert events_of("Amazon n'a pas l'intention de racheter Anthropic.", "acquisition") == []


def test_a_platform_a_reply_is_posted_on_is_not_its_subject() -> None:
    (event,) = events_of("Sam Altman a répliqué sur X aux attaques d'Elon Musk.", "statement")
    assert roles(event) == {"sam-altman": "speaker", "elon-musk": "subject"}


def test_a_nationality_noun_before_a_name_is_that_name_not_an_earlier_company() -> None:
    text = "Oracle confirme son partenariat avec TikTok. Oracle signe une alliance avec le Chinois ByteDance."
    assert {frozenset(roles(e)) for e in events_of(text, "partnership")} >= {frozenset({"oracle", "bytedance"})}


def test_laying_hands_on_a_company_is_buying_it() -> None:
    text = "Salesforce va débourser 8 milliards de dollars pour mettre la main sur Informatica."
    (event,) = events_of(text, "acquisition")
    assert roles(event) == {"salesforce": "acquirer", "informatica": "target"}


def test_shaking_a_hand_is_no_purchase() -> None:
    assert events_of("Le ministre a serré la main du patron de Google.") == []


def test_an_offer_a_board_rejects_is_a_bid_without_an_amount() -> None:
    text = "Le conseil d'administration de Warner Bros Discovery a rejeté l'offre de Paramount."
    (event,) = events_of(text, "bid")
    assert roles(event) == {"warner-bros-discovery": "target", "paramount-skydance": "bidder"}
    assert event.status == "rejected"


def test_an_entertainment_group_takes_part_in_deals_a_newspaper_only_reports() -> None:
    (event,) = events_of("Selon CNN, Disney envisage de racheter Lionsgate.", "acquisition")
    assert roles(event) == {"disney": "acquirer", "lionsgate": "target"}


def test_a_fined_company_pays_the_authority_that_fined_it() -> None:
    (fine,) = extract("L'Autorité de la concurrence a infligé une amende de 150 millions d'euros à Apple.").funding
    assert [p.slug for p in fine.payers] == ["apple"]
    assert fine.recipient is not None and fine.recipient.slug == "autorite-de-la-concurrence"


def test_an_unknown_name_a_tender_offer_is_made_for_is_a_company() -> None:
    text = "Qualcomm a lancé une offre publique d'achat sur Alphawave pour 2,4 milliards de dollars."
    (event,) = events_of(text, "bid")
    assert roles(event) == {"qualcomm": "bidder", "alphawave": "target"}


def test_a_place_after_a_verb_of_investing_stays_a_place() -> None:
    assert {e.slug for e in extract("Apple investit à Cupertino.").entities} == {"apple"}
