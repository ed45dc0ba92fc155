"""Behaviour of event extraction on short French texts, through the whole extraction stage."""

from __future__ import annotations

from spacy.tokens import Doc
from spacy.vocab import Vocab

from service.ingest.words import _object_position
from tests.unit.extraction import events_of, roles


def test_words_inside_a_long_quotation_do_not_type_the_event() -> None:
    found = events_of("« Cette levée nous donne les moyens de rester indépendants », a déclaré Arthur Mensch.")
    assert [e.type for e in found] == ["statement"]


def test_a_short_quoted_phrase_still_types_the_event() -> None:
    found = events_of("Anthropic fait d’Amazon Web Services son « principal partenaire d’entraînement ».")
    assert [e.type for e in found] == ["partnership"]


def test_the_company_after_par_is_the_acquirer_of_a_passive_sale() -> None:
    (event,) = events_of("Adallom, une société de sécurité rachetée par Microsoft en 2015, comptait 80 salariés.")
    assert event.type == "acquisition"
    assert roles(event) == {"adallom": "target", "microsoft": "acquirer"}
    assert event.status == "completed"


def test_the_buyer_follows_vendue_a() -> None:
    (event,) = events_of("Sa participation dans BFM a été vendue à CMA CGM pour 1,55 milliard d’euros.", "acquisition")
    assert roles(event)["cma-cgm"] == "acquirer"


def test_the_bidder_of_a_rejected_offer_is_introduced_by_de() -> None:
    (event,) = events_of("En juillet 2024, Wiz avait rejeté une offre de 23 milliards de dollars de Google.")
    assert event.type == "bid"
    assert event.status == "rejected"
    assert roles(event) == {"wiz": "target", "google": "bidder"}


def test_a_participial_founding_founds_the_main_subject_not_a_complement() -> None:
    text = "Fondée en 2020 par Assaf Rappaport, ancien cadre de Microsoft, Wiz a connu une croissance rapide."
    (event,) = events_of(text, "founding")
    assert roles(event) == {"assaf-rappaport": "founder", "wiz": "subject"}


def test_an_infinitive_founding_keeps_the_sentence_subject_as_founder() -> None:
    (event,) = events_of("Musk a quitté OpenAI, puis de fonder en 2023 sa propre société, xAI.", "founding")
    assert roles(event) == {"elon-musk": "founder", "xai": "subject"}


def test_a_clause_starting_with_dont_adds_its_investor_to_the_round() -> None:
    text = "Mistral AI a bouclé une série C de 900 millions d’euros, dont 300 millions apportés par ASML."
    (event,) = events_of(text, "funding_round")
    assert roles(event) == {"mistral-ai": "target", "asml": "investor"}
    assert event.status == "completed"


def test_a_regulator_reviewing_a_deal_is_no_party_to_it() -> None:
    text = "La Competition and Markets Authority avait examiné l’investissement d’Amazon avant de le valider."
    assert events_of(text, "investment") == []


def test_a_media_outlet_reporting_is_not_a_participant_but_one_suing_is() -> None:
    reported = events_of("Selon le Wall Street Journal, OpenAI a porté plainte contre xAI.", "lawsuit")
    assert "the-wall-street-journal" not in roles(reported[0])
    (suing,) = events_of("Le New York Times a porté plainte contre OpenAI et Microsoft.", "lawsuit")
    assert roles(suing)["the-new-york-times"] == "plaintiff"


def test_buying_shares_is_an_investment_not_an_acquisition() -> None:
    text = "AMD accorde à OpenAI le droit d’acquérir jusqu’à 160 millions d’actions du groupe."
    assert [e.type for e in events_of(text)] == ["investment"]


def test_a_judge_rejecting_a_motion_leaves_the_lawsuit_pending() -> None:
    text = (
        "Le New York Times a poursuivi OpenAI en décembre 2023. "
        "En mars, le juge a rejeté l’essentiel de la demande d’OpenAI visant à faire classer l’affaire."
    )
    (event,) = events_of(text, "lawsuit")
    assert event.status == "pending"


def test_a_round_to_come_is_announced_and_one_announced_is_completed() -> None:
    (future,) = events_of("Eutelsat va lever 1,5 milliard d’euros auprès de nouveaux actionnaires.")
    assert future.status == "announced"
    (done,) = events_of("Hexalune a annoncé mardi une levée de fonds de 18 millions d’euros.")
    assert done.status == "completed"


def test_avec_signals_a_partnership_only_before_a_name() -> None:
    text = "Avec cette seconde enveloppe, Amazon porte sa mise totale à 8 milliards de dollars."
    assert events_of(text, "partnership") == []


def test_a_description_in_subject_position_takes_part_as_the_company_it_stands_for() -> None:
    text = (
        "Le fabricant néerlandais ASML devient le premier actionnaire de Mistral AI. "
        "La start-up française a annoncé avoir bouclé une série C de 900 millions d’euros."
    )
    (event,) = events_of(text, "funding_round")
    assert roles(event) == {"mistral-ai": "target"}


def test_a_release_named_after_the_verb_is_a_product_launch() -> None:
    (event,) = events_of("Apple a lancé en février 2024 son casque Vision Pro aux États-Unis.")
    assert event.type == "product_launch"
    assert roles(event) == {"apple": "actor"}


def test_a_speech_verb_after_a_quotation_makes_a_statement_of_the_person_named() -> None:
    (event,) = events_of("« C’est un choix de souveraineté », a justifié Emmanuel Macron devant la presse.")
    assert event.type == "statement"
    assert roles(event)["emmanuel-macron"] == "speaker"


def test_a_suit_given_up_is_cancelled() -> None:
    (event,) = events_of("La SEC a renoncé jeudi à ses poursuites contre Binance.", "lawsuit")
    assert event.status == "cancelled"
    assert roles(event) == {"securities-and-exchange-commission": "plaintiff", "binance": "defendant"}


def test_the_investor_of_an_investment_received_comes_after_de() -> None:
    (event,) = events_of("Binance a reçu en mars un investissement de 2 milliards de dollars du fonds émirati MGX.")
    assert roles(event) == {"binance": "target", "mgx": "investor"}


def test_a_name_apposed_to_a_misplaced_object_noun_is_still_in_object_position() -> None:
    # the parser sometimes hangs the object noun on an adjective before it; the apposed name
    # must still be read as the verb's object
    words = ["Elle", "a", "créé", "l’", "an", "passé", "sa", "firme", ",", "Volantis", "."]
    heads = [2, 2, 2, 4, 2, 4, 7, 5, 9, 7, 2]
    deps = ["nsubj", "aux", "ROOT", "det", "obl", "amod", "det", "obj", "punct", "appos", "punct"]
    pos = ["PRON", "AUX", "VERB", "DET", "NOUN", "ADJ", "DET", "NOUN", "PUNCT", "PROPN", "PUNCT"]
    doc = Doc(Vocab(), words=words, heads=heads, deps=deps, pos=pos)
    assert _object_position(doc, 2, 9)
    # a name joined to the noun in another way, after the comma, is not
    listed = Doc(Vocab(), words=words, heads=heads, deps=[*deps[:9], "conj", "punct"], pos=pos)
    assert not _object_position(listed, 2, 9)
