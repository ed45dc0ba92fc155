"""Behaviour of rivalry extraction: who is set against whom, from the sentence's grammar."""

from __future__ import annotations

from service.ingest.extract import extract_text


def pairs(text: str) -> set[frozenset[str]]:
    return {frozenset(p.slug for p in r.parties) for r in extract_text(text, {"published_on": "2025-01-01"}).rivalries}


def test_the_rivalry_between_two_named_companies() -> None:
    assert pairs("La rivalité entre Nvidia et AMD a pris une dimension personnelle.") == {frozenset({"nvidia", "amd"})}


def test_rival_of_sets_the_subject_against_the_one_named_after() -> None:
    text = "Fondée en mai 2023 par Arthur Mensch, Mistral AI s’est imposée comme le principal rival européen d’OpenAI."
    assert pairs(text) == {frozenset({"mistral-ai", "openai"})}


def test_a_person_facing_a_company_stands_for_the_company_they_run() -> None:
    text = "Anthropic s’est imposée comme le principal rival de l’entreprise de Sam Altman."
    assert pairs(text) == {frozenset({"anthropic", "openai"})}


def test_a_denied_competition_is_no_rivalry() -> None:
    assert pairs("« Nous ne cherchons pas à concurrencer Siemens », assure le patron de la start-up.") == set()


def test_a_cue_inside_a_name_is_no_rivalry() -> None:
    text = "Toute opération devra obtenir l’accord de l’Autorité de la concurrence, a prévenu Benoît Cœuré."
    assert pairs(text) == set()


def test_a_rival_company_in_apposition_faces_the_company_the_text_is_about() -> None:
    text = (
        "OpenAI a levé des fonds. OpenAI prépare un modèle. "
        "Elon Musk a lancé l’année dernière sa propre société rivale d’IA, xAI."
    )
    assert frozenset({"openai", "xai"}) in pairs(text)
