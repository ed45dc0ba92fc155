"""Behaviour of the extraction stage as a whole: titles, aliases, relations between companies."""

from __future__ import annotations

from service.ingest.extract import extract_text


def test_markdown_heading_marks_are_not_part_of_the_title() -> None:
    found = extract_text("# Anthropic, le pari d’Amazon\n\nAmazon investit 4 milliards de dollars dans Anthropic.\n")
    assert found.title == "Anthropic, le pari d’Amazon"


def test_a_company_named_by_its_seat_is_cited_but_the_description_is_no_alias() -> None:
    found = extract_text("Le groupe de Redmond a investi environ 13 milliards de dollars dans OpenAI depuis 2019.")
    microsoft = next(e for e in found.entities if e.slug == "microsoft")
    assert microsoft.spans
    assert not any("Redmond" in alias for alias in microsoft.aliases)
    assert any(e.type == "investment" for e in found.events)


def test_founders_who_worked_elsewhere_give_a_former_staff_relation() -> None:
    text = (
        "Fondée en 2023 par Claire Fontanel, ancienne ingénieure de Dassault Systèmes, "
        "Hexalune a levé 18 millions d’euros."
    )
    relations = {(r.type, r.organisation, r.other_organisation) for r in extract_text(text).relationships}
    assert ("founded_by_former_staff_of", "hexalune", "dassault-systemes") in relations


def test_a_conversion_a_few_words_later_stays_with_its_amount() -> None:
    text = (
        "L’opération valorise Mistral AI à 11,7 milliards d’euros après l’augmentation de capital, "
        "soit près de 14 milliards de dollars."
    )
    (funding,) = extract_text(text).funding
    assert (funding.amount, funding.currency) == (11.7e9, "EUR")
    assert [(e.amount, e.currency) for e in funding.equivalents] == [(14e9, "USD")]


def test_a_header_author_is_metadata_not_a_person_and_its_date_anchors_relative_dates() -> None:
    text = (
        "---\ntitle: Doctolib lève 500 millions d'euros\ndate: 2025-03-12\nauthor: Jean Dupont\n---\n\n"
        "La start-up Doctolib a annoncé mardi une levée de 500 millions d'euros menée par Eurazeo.\n"
    )
    found = extract_text(text)
    assert (found.title, found.author) == ("Doctolib lève 500 millions d'euros", "Jean Dupont")
    assert not any(e.kind == "person" for e in found.entities)
    assert [str(e.occurred_on) for e in found.events] == ["2025-03-11"]
