"""Behaviour of entity finding: gazetteer matching on French text, NER fallback, in-text resolution."""

from __future__ import annotations

import re
from collections.abc import Collection

import pytest

from service.ingest.entities import (
    Gazetteer,
    NewEntity,
    Organisation,
    Person,
    Place,
    Places,
    Stoplist,
    find_entities,
    find_references,
    load_gazetteer,
    new_entities,
    slugify,
)
from service.ingest.nlp import NLP_COMPONENTS, load_nlp
from service.ingest.types import EntityMention, Sentence


def sentences_of(text: str) -> list[Sentence]:
    """Naive splitter for test snippets: one sentence per ``. `` boundary."""
    out = []
    for m in re.finditer(r"\S.*?(?:[.!?…](?=\s|$)|$)", text):
        out.append(Sentence(m.start(), m.end(), m.group()))
    return out


def find(text: str, exclude_names: Collection[str] = ()) -> list[EntityMention]:
    mentions = find_entities(text, sentences_of(text), exclude_names=exclude_names)
    for m in mentions:
        assert text[m.start : m.end] == m.text
    return mentions


def slugs(text: str, kind: str | None = None, **kwargs: Collection[str]) -> set[str]:
    return {m.slug for m in find(text, **kwargs) if kind is None or m.kind == kind}


def texts(text: str, slug: str) -> list[str]:
    return [m.text for m in find(text) if m.slug == slug]


# --- snippets from the seed corpus ---------------------------------------------------------------


def test_name_after_typographic_elision_starts_at_its_first_letter() -> None:
    text = (
        "Le fait qu’OpenAI, la société d’intelligence artificielle dirigée par le PDG Sam Altman, avance "
        "dans une collaboration avec une entreprise de fusées."
    )
    mentions = find(text)
    openai = next(m for m in mentions if m.slug == "openai")
    assert (openai.text, openai.start, openai.kind) == ("OpenAI", text.index("OpenAI"), "organisation")
    assert text[openai.start - 1] == "’"
    altman = next(m for m in mentions if m.slug == "sam-altman")
    assert (altman.text, altman.kind, altman.source) == ("Sam Altman", "person", "gazetteer")


@pytest.mark.parametrize("prefix", ["d'", "l'", "qu'", "d’", "l’", "jusqu’à "])
def test_elisions_with_straight_and_curly_apostrophes(prefix: str) -> None:
    assert texts(f"Le projet {prefix}OpenAI avance.", "openai") == ["OpenAI"]


def test_xai_is_an_organisation_even_though_spacy_tags_it_as_a_person() -> None:
    mentions = find(
        "Musk a participé à la création d’OpenAI en 2015, puis de fonder en 2023 sa propre société d’IA, xAI."
    )
    xai = [m for m in mentions if m.slug == "xai"]
    assert [(m.text, m.kind) for m in xai] == [("xAI", "organisation")]


def test_each_company_in_an_enumeration_is_found() -> None:
    text = "Il dirige actuellement Tesla, SpaceX, Neuralink et d’autres entreprises technologiques."
    assert slugs(text) == {"tesla", "spacex", "neuralink"}


def test_hashtag_is_not_part_of_the_mention() -> None:
    text = "Selon le Wall Street Journal, le CEO de #OpenAI , Sam Altman, a sérieusement envisagé—"
    mentions = find(text)
    assert [m.text for m in mentions if m.slug == "openai"] == ["OpenAI"]
    assert {"sam-altman", "the-wall-street-journal"} <= {m.slug for m in mentions}


def test_short_form_resolves_to_the_full_name_seen_in_the_same_text() -> None:
    text = (
        "Le PDG a exploré une coopération avec la start-up de fusées “Stoke Space”. "
        "Stoke a été fondée par d’anciens employés de Blue Origin, la société de Jeff Bezos."
    )
    mentions = find(text)
    assert [m.text for m in mentions if m.slug == "stoke-space"] == ["Stoke Space", "Stoke"]
    assert {"blue-origin", "jeff-bezos"} <= {m.slug for m in mentions}


def test_short_form_alone_without_the_full_name_or_a_cue_is_not_matched() -> None:
    assert "stoke-space" not in slugs("Stoke a battu Arsenal samedi.")


def test_names_inside_french_guillemets() -> None:
    text = "Altman a récemment lancé la start-up d’interface cerveau-machine « Merge Labs »."
    assert texts(text, "merge-labs") == ["Merge Labs"]


def test_x_is_the_social_network_with_a_platform_cue() -> None:
    text = "« Ils n’ont pas vraiment l’argent », a écrit Musk sur sa plateforme sociale X."
    mentions = find(text)
    assert {(m.slug, m.kind) for m in mentions} == {("elon-musk", "person"), ("x", "organisation")}
    assert [m.text for m in mentions if m.slug == "x"] == ["X"]


def test_x_listed_with_other_musk_companies() -> None:
    text = "L’homme le plus riche du monde, dont les entreprises incluent Tesla, SpaceX et X, a lancé xAI."
    assert slugs(text) == {"tesla", "spacex", "x", "xai"}


@pytest.mark.parametrize(
    "text",
    [
        "La génération X découvre l’intelligence artificielle.",
        "Les rayons X ont été découverts en 1895.",
        "Malcolm X est mort en 1965.",
        "La Tesla Model X coûte cher.",
        "Le joueur X a marqué deux buts.",
    ],
)
def test_a_lone_x_without_cue_is_not_the_social_network(text: str) -> None:
    assert "x" not in slugs(text)


def test_twitter_is_an_alias_of_x() -> None:
    assert texts("Il a racheté Twitter en 2022.", "x") == ["Twitter"]


def test_unknown_startup_and_its_founder_become_new_entities() -> None:
    text = (
        "La startup Nebula Robotics, fondée par Claire Dumont, a levé 40 millions d’euros. "
        "Nebula veut recruter et Dumont le confirme."
    )
    mentions = find(text)
    assert {(m.slug, m.kind, m.source) for m in mentions} == {
        ("nebula-robotics", "organisation", "ner"),
        ("claire-dumont", "person", "ner"),
    }
    assert [m.text for m in mentions if m.slug == "nebula-robotics"] == ["Nebula Robotics", "Nebula"]
    assert [m.text for m in mentions if m.slug == "claire-dumont"] == ["Claire Dumont", "Dumont"]
    assert all(0.6 <= m.confidence <= 0.8 for m in mentions)
    assert new_entities(mentions, text) == [
        NewEntity(slug="nebula-robotics", name="Nebula Robotics", kind="organisation", org_kind="other"),
        NewEntity(slug="claire-dumont", name="Claire Dumont", kind="person", org_kind=None),
    ]


def test_new_organisation_kind_is_guessed_from_name_and_context() -> None:
    text = "Andy Lapsa a rencontré les dirigeants de la start-up de fusées Aurora Launch Systems et du fonds Quill."
    mentions = find(text)
    assert "andy-lapsa" in {m.slug for m in mentions}
    kinds = {e.slug: e.org_kind for e in new_entities(mentions, text)}
    assert kinds == {"aurora-launch-systems": "aerospace", "quill": "investor"}


@pytest.mark.parametrize(
    ("name", "org_kind"),
    [("Helix Ventures", "investor"), ("Borealis Energy", "energy"), ("Zenith Labs", "other")],
)
def test_new_organisation_kind_from_the_name_alone(name: str, org_kind: str) -> None:
    text = f"Le groupe {name} a été racheté."
    assert [(e.name, e.org_kind) for e in new_entities(find(text))] == [(name, org_kind)]


def test_new_entities_ignores_gazetteer_mentions() -> None:
    assert new_entities(find("Microsoft et BlackRock s’allient à MGX.")) == []


def test_byline_names_never_become_people() -> None:
    text = "Selon Isabelle Hock, la situation est grave. Hock ajoute que rien ne change."
    assert slugs(text, "person") == {"isabelle-hock"}
    assert slugs(text, "person", exclude_names=("Isabelle Hock",)) == set()


def test_excluded_name_is_dropped_even_when_it_is_in_the_gazetteer() -> None:
    assert slugs("Elon Musk a répondu.", "person", exclude_names=("Elon Musk",)) == set()


def test_surnames_alone_resolve_to_known_people() -> None:
    mentions = find("Altman a répondu mercredi que Musk avait « tort ».")
    assert [(m.text, m.slug, m.kind) for m in mentions] == [
        ("Altman", "sam-altman", "person"),
        ("Musk", "elon-musk", "person"),
    ]
    assert all(0.95 <= m.confidence <= 0.99 for m in mentions)


def test_surname_after_full_name_resolves_even_without_alias() -> None:
    text = "Dario Amodei dirige Anthropic. Amodei a prévenu que l’IA pourrait supprimer des emplois."
    assert texts(text, "dario-amodei") == ["Dario Amodei", "Amodei"]


def test_a_different_first_name_before_a_known_surname_is_another_person() -> None:
    mentions = find("Kimbal Musk, le frère d’Elon Musk, siège au conseil de Tesla.")
    people = {m.slug: m.text for m in mentions if m.kind == "person"}
    assert people == {"kimbal-musk": "Kimbal Musk", "elon-musk": "Elon Musk"}


@pytest.mark.parametrize(
    "text",
    [
        "Altman veut améliorer les performances de ChatGPT.",
        "Google lance officiellement « Gemini 3 » !",
        "Le nouveau Gemini 3 et GPT-5 rivalisent avec Claude Opus et Llama.",
        "Microsoft développe ses propres modèles d’IA internes, notamment l’AMI.",
        "SpaceX prépare le prochain vol de Starship.",
    ],
)
def test_products_are_not_organisations(text: str) -> None:
    found = slugs(text, "organisation")
    assert not found & {"chatgpt", "gemini", "gemini-3", "gpt-5", "claude-opus", "llama", "ami", "starship"}


def test_product_name_that_is_also_a_first_name_can_still_be_a_person() -> None:
    text = "La start-up a été fondée par Claude Dumont, qui a déclaré vouloir grandir."
    assert slugs(text, "person") == {"claude-dumont"}


def test_company_inside_a_product_name_is_still_found() -> None:
    assert texts("Un ex-ingénieur de la NASA et expert Google Cloud a expliqué pourquoi.", "google") == ["Google"]


def test_longest_alias_wins() -> None:
    text = (
        "Google DeepMind et Demis Hassabis avancent. Une base au Texas via SB Energy Global, filiale de "
        "SoftBank. Le Wall Street Journal a rapporté l’information."
    )
    mentions = find(text)
    assert [(m.text, m.slug) for m in mentions if m.kind == "organisation"] == [
        ("Google DeepMind", "google-deepmind"),
        ("SB Energy Global", "sb-energy-global"),
        ("SoftBank", "softbank"),
        ("Wall Street Journal", "the-wall-street-journal"),
    ]


def test_acronym_alias_next_to_its_full_name() -> None:
    text = "Le consortium sera rebaptisé « AI Infrastructure Partnership » (AIP) et investira."
    assert texts(text, "ai-infrastructure-partnership") == ["AI Infrastructure Partnership", "AIP"]


def test_ambiguous_acronym_alone_is_not_matched() -> None:
    assert slugs("Le GIP Paris-Saclay et l’AIP ont signé une convention.") == set()


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Une méta-analyse publiée par un oracle de la finance.", {"meta", "oracle"}),
        ("Il a mangé une apple pie et bu un café.", {"apple"}),
        ("Gate ne garantit ni l’exactitude ni la validité de ces contenus.", {"gate"}),
    ],
)
def test_short_aliases_are_case_sensitive_or_need_a_cue(text: str, absent: set[str]) -> None:
    assert not slugs(text) & absent


def test_weak_alias_accepted_with_its_context_cue() -> None:
    assert texts("Gate est une plateforme d’échange de cryptomonnaies.", "gate") == ["Gate"]


def test_camel_case_names_match_in_any_case() -> None:
    assert slugs("OPENAI ET SPACEX SE DISPUTENT. Openai répond.") == {"openai", "spacex"}


def test_misspelt_known_names_resolve_fuzzily() -> None:
    mentions = find("Le PDG d’Open AI, Sam Altmann, a répondu.")
    by_slug = {m.slug: m for m in mentions}
    assert by_slug["openai"].text == "Open AI"
    altman = by_slug["sam-altman"]
    assert (altman.text, altman.name) == ("Sam Altmann", "Sam Altman")
    assert 0.8 <= altman.confidence <= 0.9


def test_org_listed_with_known_organisations_is_an_organisation() -> None:
    mentions = find("Le consortium réunit Microsoft, BlackRock et Quantix.")
    quantix = [m for m in mentions if m.text == "Quantix"]
    assert [(m.kind, m.source) for m in quantix] == [("organisation", "ner")]


@pytest.mark.parametrize(
    "text",
    [
        "Cependant, il semblerait que ce projet soit en pause.",
        "Selon les analystes, l’IA du futur demandera des GPU et des TPU.",
        "Le PDG a déclaré un code rouge en interne.",
        "Les USA et l’UE restent des marchés clés.",
    ],
)
def test_generic_capitalised_words_and_acronyms_are_not_entities(text: str) -> None:
    assert find(text) == []


def test_places_are_not_entities() -> None:
    assert find("Le centre de données de Memphis, au Tennessee, est le plus grand des États-Unis.") == []


def test_single_unknown_surname_is_not_a_person() -> None:
    assert find("Lorsque le chancelier Scholz a prononcé son discours.") == []


def test_only_mentions_inside_the_given_sentences_are_returned() -> None:
    text = "OpenAI avance. Articles connexes : Telegram lance Cocoon. Tesla recule."
    first = Sentence(0, len("OpenAI avance."), "OpenAI avance.")
    start = text.index("Tesla")
    last = Sentence(start, len(text), text[start:])
    mentions = find_entities(text, [first, last])
    assert [m.slug for m in mentions] == ["openai", "tesla"]


def test_precomputed_docs_are_used_and_must_match_the_sentences() -> None:
    text = "La startup Nebula Robotics a levé des fonds. OpenAI aussi."
    sents = sentences_of(text)
    docs = list(load_nlp().pipe([s.text for s in sents]))
    assert {m.slug for m in find_entities(text, sents, docs)} == {"nebula-robotics", "openai"}
    with pytest.raises(ValueError, match="docs"):
        find_entities(text, sents, docs[:1])
    with pytest.raises(ValueError, match="does not match"):
        find_entities(text, sents, list(reversed(docs)))


def test_no_sentences_no_mentions() -> None:
    assert find_entities("OpenAI et Tesla.", []) == []


def test_gazetteer_confidence_is_highest_for_full_names() -> None:
    mentions = {m.text: m.confidence for m in find("Elon Musk et Microsoft. Musk répond.")}
    assert mentions["Elon Musk"] == 0.99
    assert mentions["Microsoft"] == 0.99
    assert mentions["Musk"] == 0.95


# --- slugs, gazetteer and pipeline ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Stoke Space", "stoke-space"),
        ("xAI", "xai"),
        ("Mistral AI", "mistral-ai"),
        ("Commission européenne", "commission-europeenne"),
        ("Le Courrier des Stratèges", "le-courrier-des-strateges"),
        ("L’Œuvre", "l-oeuvre"),
        ("Character.AI", "character-ai"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_slugify_keeps_non_latin_names_addressable() -> None:
    assert slugify("深度求索").startswith("entity-")
    assert slugify("深度求索") == slugify("深度求索")


def test_gazetteer_is_broad_and_consistent() -> None:
    gaz = load_gazetteer()
    assert len(gaz.organisations) >= 150
    assert len(gaz.people) >= 100
    org_slugs = {o.slug for o in gaz.organisations}
    for person in gaz.people:
        for role in person.roles:
            assert role.organisation is None or role.organisation in org_slugs, (person.slug, role)
    records: list[Organisation | Person] = [*gaz.organisations, *gaz.people]
    for rec in records:
        for alias in (rec.name, *rec.aliases):
            assert not gaz.is_product(alias), alias
    assert isinstance(gaz.get("stoke-space"), Organisation)
    assert isinstance(gaz.get("andy-lapsa"), Person)
    assert gaz.kind_of("x") == "organisation"


def test_gazetteer_resolves_exact_and_fuzzy_names() -> None:
    gaz = load_gazetteer()
    exact = gaz.resolve("the wall street journal")
    assert exact is not None
    assert (exact[0].slug, exact[1]) == ("the-wall-street-journal", 100.0)
    fuzzy = gaz.resolve("Antropic", "organisation")
    assert fuzzy is not None
    assert fuzzy[0].slug == "anthropic"
    assert fuzzy[1] >= 90
    assert gaz.resolve("Grok") is None  # a product, not Groq
    assert gaz.resolve("Hartman", "person") is None  # surnames alone are never fuzzy-matched


def test_gazetteer_rejects_an_alias_shared_by_two_entities() -> None:
    orgs = [
        Organisation(slug="a", name="Alpha", aliases=("Shared",), kind="other", country=None, description=""),
        Organisation(slug="b", name="Beta", aliases=("Shared",), kind="other", country=None, description=""),
    ]
    with pytest.raises(ValueError, match="Shared"):
        Gazetteer(orgs, [], Stoplist())


def test_nlp_pipeline_is_loaded_once_with_its_declared_components() -> None:
    nlp = load_nlp()
    assert tuple(nlp.pipe_names) == NLP_COMPONENTS
    assert "ner" in NLP_COMPONENTS
    assert load_nlp() is nlp


# --------------------------------------------------------------------------- names from context


def test_a_name_right_after_a_company_noun_is_a_new_organisation() -> None:
    found = {m.text: (m.kind, m.source) for m in find("La start-up lyonnaise Hexalune a annoncé une levée de fonds.")}
    assert found["Hexalune"] == ("organisation", "ner")


def test_a_lower_case_nationality_used_as_a_noun_introduces_a_company() -> None:
    assert "bharti-enterprises" in slugs("La France détiendra 29 % du capital, devant l'indien Bharti Enterprises.")
    assert slugs("L'Américain Elon Musk a réagi.", "organisation") == set()


def test_a_new_name_found_once_is_the_same_entity_everywhere_in_the_text() -> None:
    text = "La start-up de cybersécurité Zorvex a levé 10 millions. En juillet, Zorvex avait rejeté une offre."
    assert [m.text for m in find(text) if m.slug == "zorvex"] == ["Zorvex", "Zorvex"]


def test_a_short_form_listed_with_companies_is_that_company() -> None:
    assert "lightspeed-venture-partners" in slugs("Nvidia, General Catalyst, Index Ventures et Lightspeed ont suivi.")


def test_a_company_named_by_its_seat() -> None:
    assert texts("Le groupe de Redmond a investi 13 milliards de dollars dans OpenAI.", "microsoft") == [
        "groupe de Redmond"
    ]


def test_a_code_of_capitals_and_digits_is_a_product_not_a_company() -> None:
    assert slugs("Washington a soumis à licence les exportations de l’accélérateur MI308 d’AMD.") == {"amd"}


def test_an_all_caps_product_does_not_swallow_a_capitalised_first_name() -> None:
    text = "Fondée par Assaf Rappaport, Ami Luttwak, Yinon Costica et Roy Reznik, Wiz a grandi vite."
    assert {"ami-luttwak", "yinon-costica", "roy-reznik"} <= slugs(text, "person")


def test_a_group_owning_titles_is_an_organisation() -> None:
    found = {
        m.text: m.kind for m in find("Ziff Davis, propriétaire de plusieurs sites technologiques, a porté plainte.")
    }
    assert found["Ziff Davis"] == "organisation"


# --------------------------------------------------------------------------- references


def references(text: str) -> list[tuple[str, str]]:
    sentences = sentences_of(text)
    mentions = find_entities(text, sentences)
    gaz = load_gazetteer()
    kinds = {m.slug: getattr(gaz.get(m.slug), "kind", "other") for m in mentions if m.kind == "organisation"}
    return [(r.text, r.slug) for r in find_references(text, sentences, mentions, kinds)]


def test_a_description_in_subject_position_refers_to_a_compatible_company() -> None:
    text = "Le fabricant néerlandais ASML entre au capital de Mistral AI. La start-up française a levé 1,7 milliard."
    # "Le fabricant néerlandais ASML" names ASML itself; the Dutch chipmaker is no French start-up.
    assert references(text) == [("La start-up française", "mistral-ai")]


def test_a_description_not_followed_by_a_verb_refers_to_nothing() -> None:
    assert references("Nvidia a publié ses comptes. La start-up de Sam Altman, elle, attend.") == []


def test_the_head_noun_chooses_the_kind_of_company() -> None:
    text = (
        "Les deux partenaires sont visés par une plainte du New York Times. Le quotidien américain a poursuivi OpenAI."
    )
    assert ("Le quotidien américain", "the-new-york-times") in references(text)


def test_a_chief_executive_description_needs_the_person_named_in_the_text() -> None:
    named = "Mark Zuckerberg ne mâche pas ses mots. Invité d’un podcast, le patron de Meta a accusé Apple."
    assert ("patron", "mark-zuckerberg") in references(named)
    assert references("Invité d’un podcast, le patron de Meta a accusé Apple.") == []


def test_a_name_listed_after_a_plural_company_noun_is_an_organisation() -> None:
    text = "Capgemini cherche à rattraper ses concurrents américains, dont Zentrix, qui investit dans l’IA."
    assert {m.text: m.kind for m in find(text)}.get("Zentrix") == "organisation"


def test_the_object_of_a_purchase_is_an_organisation() -> None:
    assert {m.text: m.kind for m in find("Le groupe avait déjà racheté Pluvio en 2020.")}.get(
        "Pluvio"
    ) == "organisation"


def test_a_description_with_an_aside_still_refers_to_its_company() -> None:
    text = (
        "La SEC a abandonné ses poursuites contre Binance. "
        "La plateforme, désormais dirigée par Richard Teng, a reçu un investissement de 2 milliards de dollars."
    )
    assert ("La plateforme", "binance") in references(text)


# --------------------------------------------------------------------------- governments and places


def organisations(text: str) -> dict[str, str]:
    """Organisation slug → the name the entity is served under."""
    return {m.slug: m.name for m in find(text) if m.kind == "organisation"}


@pytest.mark.parametrize(
    ("text", "slug", "name"),
    [
        (
            "Le gouvernement sud-coréen a promis une aide aux fabricants de mémoire.",
            "gouvernement-sud-coreen",
            "Gouvernement sud-coréen",
        ),
        (
            "Selon l’exécutif nippon, la subvention sera versée en deux fois.",
            "gouvernement-japonais",
            "Gouvernement japonais",
        ),
        (
            "Après des mois de discussions, l’administration Trump a relevé les droits de douane sur les puces.",
            "administration-trump",
            "Administration Trump",
        ),
        (
            "La justice américaine poursuit le moteur de recherche pour abus de position dominante.",
            "department-of-justice",
            "Department of Justice",
        ),
        (
            "Le ministère américain du Trésor a sanctionné plusieurs fournisseurs.",
            "department-of-the-treasury",
            "Department of the Treasury",
        ),
    ],
)
def test_a_government_body_named_by_a_description_is_an_organisation(text: str, slug: str, name: str) -> None:
    assert organisations(text).get(slug) == name


def test_a_lower_case_description_also_matches_capitalised_at_the_start_of_a_sentence() -> None:
    assert "department-of-commerce" in organisations("Département américain du Commerce : la liste noire s’allonge.")
    assert "gouvernement-francais" in organisations("Gouvernement français et industriels ont signé la charte.")


def test_government_bodies_carry_the_usual_french_name_as_an_alias() -> None:
    gaz = load_gazetteer()
    for name, slug in [
        ("Département de la Justice des États-Unis", "department-of-justice"),
        ("Département du Trésor des États-Unis", "department-of-the-treasury"),
        ("Département du Commerce des États-Unis", "department-of-commerce"),
        ("Gouvernement chinois", "gouvernement-chinois"),
        ("Administration Biden", "administration-biden"),
    ]:
        found = gaz.resolve(name, "organisation", fuzzy=False)
        assert found is not None and found[0].slug == slug, name
        record = found[0]
        assert isinstance(record, Organisation) and record.kind == "government"


@pytest.mark.parametrize(
    ("text", "slug", "surface"),
    [
        ("Pékin a restreint les exportations de gallium.", "gouvernement-chinois", "Pékin"),
        ("Le Royaume-Uni a ouvert une enquête sur le rachat.", "gouvernement-britannique", "Royaume-Uni"),
        ("La Corée du Sud a annoncé un plan pour ses fabricants de puces.", "gouvernement-sud-coreen", "Corée du Sud"),
        ("L’UE inflige une lourde amende au réseau social.", "commission-europeenne", "UE"),
        ("Bruxelles exige des changements de la part du moteur de recherche.", "commission-europeenne", "Bruxelles"),
        ("Les sanctions décidées par Washington visent le fabricant chinois.", "gouvernement-americain", "Washington"),
    ],
)
def test_a_country_or_capital_doing_what_governments_do_is_its_government(text: str, slug: str, surface: str) -> None:
    assert [(m.slug, m.text, m.kind) for m in find(text)] == [(slug, surface, "organisation")]


@pytest.mark.parametrize(
    ("text", "slugs"),
    [
        ("Les États-Unis et le Japon ont signé un accord sur les semi-conducteurs.", {"americain", "japonais"}),
        ("Tokyo et Washington ont conclu un accord sur les puces.", {"japonais", "americain"}),
        ("Pékin et Moscou ont signé un accord.", {"chinois", "russe"}),
        # "financent" comes out of the tagger as an adjective: its ending still says which verb it is.
        ("La France et l’Allemagne financent le projet de lanceur.", {"francais", "allemand"}),
    ],
)
def test_two_countries_acting_together_are_both_governments(text: str, slugs: set[str]) -> None:
    assert set(organisations(text)) == {f"gouvernement-{s}" for s in slugs}


@pytest.mark.parametrize(
    "text",
    [
        "La Chine reste le premier marché des smartphones.",
        "Les ventes du constructeur progressent en Chine et au Japon.",
        "Les puces fabriquées par la Chine inondent le marché.",
        "La France accueille le sommet sur l’IA.",
        "Le groupe veut revenir dans la course face à la Corée du Sud.",
    ],
)
def test_a_country_that_is_only_a_place_is_no_organisation(text: str) -> None:
    assert find(text) == []


def test_the_european_commission_short_form_needs_a_european_context() -> None:
    assert "commission-europeenne" in organisations("La Commission reproche au groupe de violer le DMA européen.")
    assert "commission-europeenne" not in organisations("La Commission a rendu son rapport sur les retraites.")


@pytest.mark.parametrize(
    "text",
    [
        "Le fondeur taïwanais construit deux usines en Arizona et une au Texas.",
        "Intel investit dans l’Ohio, au Nouveau-Mexique et en Oregon.",
        "L’Américain, numéro un des bases de données, a publié ses résultats.",
    ],
)
def test_places_and_their_inhabitants_are_never_organisations(text: str) -> None:
    assert all(m.slug in {"intel"} for m in find(text))


def test_every_place_standing_for_a_government_points_at_a_government_organisation() -> None:
    gaz = load_gazetteer()
    pattern = gaz.government_place_re
    assert pattern is not None
    for capital in ("Washington", "Pékin", "Tokyo", "Bruxelles"):
        place = gaz.place(capital)
        assert place is not None and place.government is not None
        record = gaz.get(place.government)
        assert isinstance(record, Organisation) and record.kind == "government"


def test_no_place_shares_a_name_with_a_curated_organisation() -> None:
    gaz = load_gazetteer()
    names = [n for org in gaz.organisations for n in (org.name, *org.aliases)]
    assert [n for n in names if gaz.place(n) is not None] == []


def test_a_place_standing_for_an_unknown_organisation_is_rejected() -> None:
    places = Places(places=(Place(name="Atlantis", kind="city", government="atlantis-gov"),))
    with pytest.raises(ValueError, match="atlantis-gov"):
        Gazetteer([], [], Stoplist(), places)


# --------------------------------------------------------------------------- curated companies


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Mozilla a publié une nouvelle version de son navigateur.", "mozilla"),
        ("Les chercheurs de l’Imec travaillent sur la gravure en 2 nm.", "imec"),
        ("Les baies de stockage de Dell EMC équipent le centre de calcul.", "dell-emc"),
        ("Le conseil de Warner Bros Discovery examine les offres.", "warner-bros-discovery"),
        ("Volkswagen, HSBC et Vodafone ont publié leurs résultats.", "volkswagen"),
        ("Le fondeur UMC et le chinois CXMT accélèrent.", "cxmt"),
        ("Le fonds Thoma Bravo rachète l’éditeur.", "thoma-bravo"),
    ],
)
def test_well_known_companies_are_in_the_gazetteer(text: str, slug: str) -> None:
    found = {m.slug: m.source for m in find(text)}
    assert found.get(slug) == "gazetteer"


def test_a_name_written_with_hyphens_instead_of_spaces_is_the_same_name() -> None:
    assert organisations("Le transporteur maritime CMA-CGM investit dans l’IA.") == {"cma-cgm": "CMA CGM"}
    # U+2011, the non-breaking hyphen some newsrooms type.
    assert "activision-blizzard" in organisations("Microsoft a finalisé le rachat d’Activision\u2011Blizzard.")


def test_a_known_company_followed_by_a_division_word_is_a_distinct_organisation() -> None:
    assert organisations("Intel Capital a mené le tour de table.") == {"intel-capital": "Intel Capital"}
    # A curated longer name still wins, and a product still names its maker.
    assert organisations("La filiale Airbus Defence and Space construit le satellite.") == {"airbus": "Airbus"}
    assert "google" in organisations("Google Cloud héberge le modèle.")


def test_a_short_form_shared_with_a_longer_name_is_not_the_short_forms_owner() -> None:
    # "Magic" is the weak short form of the AI lab Magic; "Magic Leap" is another company.
    found = organisations("La start-up Magic Leap a levé 500 millions de dollars.")
    assert "magic" not in found
    assert found.get("magic-leap") == "Magic Leap"


def test_a_one_word_company_name_after_a_first_name_is_a_surname() -> None:
    found = {
        m.slug: m.kind for m in find("Le petit-fils de Henry Ford a visité l’usine. Ford a rappelé 100 000 véhicules.")
    }
    assert found == {"henry-ford": "person", "ford": "organisation"}


def test_a_short_form_of_a_company_named_in_full_is_that_company() -> None:
    text = "Lockheed Martin a remporté le contrat. Selon Lockheed, les livraisons commenceront en 2027."
    assert [m.text for m in find(text) if m.slug == "lockheed-martin"] == ["Lockheed Martin", "Lockheed"]


# --------------------------------------------------------------------------- people sharing a surname


def test_two_first_names_sharing_a_surname_are_two_people() -> None:
    text = "Stripe lève des fonds. Patrick et John Collison ont fondé la société en 2010."
    found = {m.slug: (m.text, m.name) for m in find(text)}
    assert found["patrick-collison"] == ("Patrick", "Patrick Collison")
    assert found["john-collison"] == ("John Collison", "John Collison")


def test_two_unknown_first_names_sharing_a_surname_are_two_new_people() -> None:
    people = {m.name for m in find("Les chercheurs Marie et Pierre Lefort ont publié une étude.") if m.kind == "person"}
    assert people == {"Marie Lefort", "Pierre Lefort"}


def test_two_full_names_joined_by_et_keep_their_own_surnames() -> None:
    people = {m.name for m in find("Thierry Martin et Sophie Durand ont quitté Renault.") if m.kind == "person"}
    assert people == {"Thierry Martin", "Sophie Durand"}


def test_a_first_name_spacy_tags_as_a_person_may_share_a_surname_too() -> None:
    # "Aditi" is no listed first name; spaCy's PER label vouches for it.
    people = {m.name for m in find("Les fondateurs, Aditi et Rahul Menon, ont quitté Google.") if m.kind == "person"}
    assert people == {"Aditi Menon", "Rahul Menon"}


def test_a_company_before_et_and_a_full_name_lends_no_surname() -> None:
    people = {m.name for m in find("Selon Google et Sundar Pichai, le modèle est prêt.") if m.kind == "person"}
    assert people == {"Sundar Pichai"}
