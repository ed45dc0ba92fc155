"""Behaviour of the page cleaner on small synthetic French pages."""

from __future__ import annotations

import pytest

from service.ingest.clean import CleanedPage, clean
from service.ingest.sentences import split_sentences
from service.ingest.types import Segment

# --------------------------------------------------------------------------- helpers

AI_BODY = [
    "OpenAI a présenté mardi un nouveau modèle d’intelligence artificielle capable de raisonner "
    "sur des problèmes mathématiques complexes, selon un communiqué publié par la société.",
    "Le modèle, baptisé Orion, a été entraîné sur des centres de données de Microsoft et "
    "consomme une puissance de calcul considérable, ce qui relance le débat sur le coût énergétique de l’IA.",
    "Sam Altman, le PDG d’OpenAI, affirme que cette intelligence artificielle dépassera bientôt les "
    "meilleurs chercheurs humains, une promesse que ses concurrents jugent prématurée.",
    "Google et Anthropic préparent également des modèles concurrents, et la course aux puces "
    "graphiques de Nvidia ne montre aucun signe de ralentissement dans les centres de données.",
]


def texts(page: CleanedPage, text: str, kind: str) -> list[str]:
    return [text[s.start : s.end] for s in page.segments if s.kind == kind]


def sentence_texts(page: CleanedPage) -> list[str]:
    return [s.text for s in page.sentences]


def kind_of(page: CleanedPage, text: str, fragment: str, *, last: bool = False) -> str:
    """Kind of the segment holding the first (or last) occurrence of ``fragment``."""
    at = text.rindex(fragment) if last else text.index(fragment)
    for seg in page.segments:
        if seg.start <= at < seg.end:
            return seg.kind
    raise AssertionError(f"{fragment!r} is not covered by any segment")


def assert_well_formed(page: CleanedPage, text: str) -> None:
    for s in page.sentences:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
    previous: Segment | None = None
    for seg in page.segments:
        assert 0 <= seg.start < seg.end <= len(text)
        if previous is not None:
            assert previous.end <= seg.start
        previous = seg
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip(" \t\r\n\u00a0\u202f\ufeff")
        if stripped:
            at = text.index(stripped, pos)
            assert any(seg.start <= at < seg.end for seg in page.segments), line
        pos += len(line)


# --------------------------------------------------------------------------- sentences


def test_split_sentences_offsets_index_the_verbatim_text() -> None:
    text = "Intro ignorée. Musk a porté plainte. Altman a répondu ! Et ensuite ? Rien."
    start = text.index("Musk")
    sentences = split_sentences(text, start, len(text))
    assert [s.text for s in sentences] == [
        "Musk a porté plainte.",
        "Altman a répondu !",
        "Et ensuite ?",
        "Rien.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_split_sentences_keeps_abbreviations_and_initials_inside_the_sentence() -> None:
    text = (
        "M. Macron a reçu Mme Dupont et le Dr Martin. La ville date de 52 av. J.-C. selon les "
        "historiens. Elle a visité St. Louis avec J. K. Rowling. Fin."
    )
    assert [s.text for s in split_sentences(text, 0, len(text))] == [
        "M. Macron a reçu Mme Dupont et le Dr Martin.",
        "La ville date de 52 av. J.-C. selon les historiens.",
        "Elle a visité St. Louis avec J. K. Rowling.",
        "Fin.",
    ]


def test_split_sentences_does_not_cut_decimals() -> None:
    text = "L’offre atteint 97,4 milliards de dollars. La part passe à 3.5 % du capital."
    assert len(split_sentences(text, 0, len(text))) == 2


def test_split_sentences_keeps_a_continuing_quotation_whole() -> None:
    text = "« Ils n’ont pas les fonds. Je le tiens de bonne source », a écrit Musk. Altman a nié."
    assert [s.text for s in split_sentences(text, 0, len(text))] == [
        "« Ils n’ont pas les fonds. Je le tiens de bonne source », a écrit Musk.",
        "Altman a nié.",
    ]


def test_split_sentences_ends_after_a_closing_guillemet() -> None:
    text = "Il a déclaré : « L’énergie est la contrainte clé. » Les marchés ont salué l’annonce."
    assert len(split_sentences(text, 0, len(text))) == 2


def test_split_sentences_handles_non_breaking_spaces_before_french_punctuation() -> None:
    text = "OpenAI commence-t-elle la guerre\u00a0? Sam Altman investit\u202f! Le\u00a0projet avance."
    assert [s.text for s in split_sentences(text, 0, len(text))] == [
        "OpenAI commence-t-elle la guerre\u00a0?",
        "Sam Altman investit\u202f!",
        "Le\u00a0projet avance.",
    ]


def test_split_sentences_keeps_hashtags_and_typographic_apostrophes() -> None:
    text = "Le CEO de #OpenAI , Sam Altman, s’est exprimé. #AI est partout."
    assert [s.text for s in split_sentences(text, 0, len(text))] == [
        "Le CEO de #OpenAI , Sam Altman, s’est exprimé.",
        "#AI est partout.",
    ]


def test_split_sentences_starts_a_sentence_at_each_emoji_bullet() -> None:
    text = "Le constat est simple : ⚡ la demande explose ⚡ l’offre stagne ✅ il faut investir. 🚀🤖"
    assert [s.text for s in split_sentences(text, 0, len(text))] == [
        "Le constat est simple :",
        "⚡ la demande explose",
        "⚡ l’offre stagne",
        "✅ il faut investir.",
    ]


def test_split_sentences_ends_a_sentence_at_a_line_break_unless_the_line_continues() -> None:
    text = (
        "Un titre sans point\n"
        "Altman a sérieusement envisagé—\n"
        "de lever des fonds.\n"
        "En résumé :\n"
        "Altman veut le plafond.\n"
        "Le modèle consomme beaucoup\n"
        "d’énergie en hiver."
    )
    assert [s.text for s in split_sentences(text, 0, len(text))] == [
        "Un titre sans point",
        "Altman a sérieusement envisagé—\nde lever des fonds.",
        "En résumé :\nAltman veut le plafond.",
        "Le modèle consomme beaucoup\nd’énergie en hiver.",
    ]


def test_split_sentences_handles_crlf_bom_and_tabs() -> None:
    text = "\ufeffPremière phrase.\r\n\tDeuxième phrase sans point\r\nTroisième."
    sentences = split_sentences(text, 0, len(text))
    assert [s.text for s in sentences] == ["Première phrase.", "Deuxième phrase sans point", "Troisième."]


def test_split_sentences_cuts_a_period_glued_to_the_next_sentence() -> None:
    text = "Un moteur de compétition pour Musk.Ces commentaires font suite à l’offre."
    assert len(split_sentences(text, 0, len(text))) == 2


def test_split_sentences_of_blank_range_is_empty() -> None:
    assert split_sentences("   \n\t ", 0, 6) == []
    assert split_sentences("🚀🤖", 0, 2) == []


# --------------------------------------------------------------------------- duplicates


def test_repeated_body_keeps_only_the_first_copy() -> None:
    body = "\n".join(AI_BODY)
    text = f"{body}\nVoir l'original\n{body}"
    page = clean(text)
    assert_well_formed(page, text)
    assert len(page.sentences) == len(AI_BODY)
    assert all(s.start < text.index("Voir l'original") for s in page.sentences)
    assert len(texts(page, text, "duplicate")) == len(AI_BODY)


def test_rewrapped_copy_is_duplicate_whether_lines_are_joined_or_split() -> None:
    first = "\n".join(AI_BODY)
    joined = " ".join(AI_BODY[:2]) + "\n" + AI_BODY[2].replace(", une promesse", ",\nune promesse")
    text = f"{first}\n\n{joined}\n{AI_BODY[3]}"
    page = clean(text)
    assert_well_formed(page, text)
    assert len(page.sentences) == len(AI_BODY)
    assert all(s.end <= len(first) for s in page.sentences)


def test_bulleted_copy_rewrapped_line_by_line_is_duplicate() -> None:
    joined = (
        "Selon le WSJ, le CEO de #OpenAI , Sam Altman, a envisagé—\n"
        "de racheter une société de fusées. La première réaction est : 👉 veut-il affronter SpaceX ? "
        "L’objectif est simple : ⚡ la demande en calcul explose ⚡ les réseaux électriques saturent "
        "Donc : ✅ coopérer avec une société de fusées ✅ viser l’orbite En résumé : Altman veut le plafond de l’IA. 🚀"
    )
    split = (
        "Selon le WSJ, le CEO de #OpenAI , Sam Altman, a envisagé—\n"
        "de racheter une société de fusées.\n"
        "La première réaction est :\n"
        "👉 veut-il affronter SpaceX ?\n"
        "L’objectif est simple :\n"
        "⚡ la demande en calcul explose\n"
        "⚡ les réseaux électriques saturent\n"
        "Donc :\n"
        "✅ coopérer avec une société de fusées\n"
        "✅ viser l’orbite\n"
        "En résumé :\n"
        "Altman veut le plafond de l’IA. 🚀"
    )
    text = f"{joined}\nVoir l'original\n{split}"
    page = clean(text)
    assert_well_formed(page, text)
    boundary = text.index("Voir l'original")
    assert all(s.end <= boundary for s in page.sentences)
    assert {s.kind for s in page.segments if s.start > boundary + 20} == {"duplicate"}
    assert "👉 veut-il affronter SpaceX ?" in sentence_texts(page)


def test_truncated_first_copy_gives_way_to_the_full_sentence() -> None:
    full = (
        "Altman a récemment lancé une start-up d’interface cerveau-machine et veut entrer sur le "
        "marché des réseaux sociaux, un terrain déjà occupé par Musk."
    )
    cut = full[: full.index("sociaux") + 5]  # "… des réseaux socia"
    text = f"{AI_BODY[0]} {cut}\nVoir l'original\n{AI_BODY[0]} {full}\n{AI_BODY[1]}"
    page = clean(text)
    assert_well_formed(page, text)
    kept = sentence_texts(page)
    assert full in kept
    assert cut not in kept
    assert kept.count(AI_BODY[0]) == 1
    assert AI_BODY[1].split(", ce qui")[0] in " ".join(kept)


def test_truncated_second_copy_is_duplicate() -> None:
    cut = AI_BODY[3][:80]
    text = "\n".join(AI_BODY) + "\n\n" + AI_BODY[2] + "\n" + cut
    page = clean(text)
    assert_well_formed(page, text)
    assert len(page.sentences) == len(AI_BODY)
    assert kind_of(page, text, cut, last=True) == "duplicate"


def test_identical_sentences_keep_the_first_occurrence() -> None:
    lead = "Le média The Information a révélé le projet Stargate dès mars 2024, bien avant Trump."
    text = f"{lead}\n\n" + "\n\n".join(AI_BODY) + f"\n\n{lead}"
    page = clean(text)
    assert sentence_texts(page).count(lead) == 1
    first = next(s for s in page.sentences if s.text == lead)
    assert first.start == 0


def test_sentences_sharing_stock_phrases_are_not_duplicates() -> None:
    text = (
        "Le groupe va financer un projet de développement de centres de données et d’autres "
        "infrastructures d’un montant de 30 milliards de dollars.\n"
        "Ce partenariat vise à développer des centres de données en Europe.\n"
        "Il concerne la réalisation d’un projet de 30 milliards de dollars, visant à développer "
        "des centres de données et d’autres infrastructures en Asie."
    )
    assert len(clean(text).sentences) == 3


# --------------------------------------------------------------------------- boilerplate


def test_disclaimer_and_view_original_are_boilerplate() -> None:
    disclaimer = (
        "Cette page peut inclure du contenu de tiers fourni à des fins d'information uniquement. "
        "Gate ne garantit ni l'exactitude ni la validité de ces contenus, n’endosse pas les "
        "opinions exprimées. Voir la section Avertissement pour plus de détails."
    )
    text = "\n".join(AI_BODY) + f"\nVoir l'original\n{disclaimer}"
    page = clean(text)
    assert kind_of(page, text, "Voir l'original") == "boilerplate"
    assert kind_of(page, text, "Cette page peut") == "boilerplate"
    assert not any("Gate" in s for s in sentence_texts(page))


def test_share_newsletter_and_cookie_prompts_are_boilerplate() -> None:
    prompts = [
        "Partager cet article",
        "S'abonner au Courrier du Matin",
        "Abonnez-vous gratuitement à la newsletter pour ne rien manquer de l'actualité.",
        "Nous utilisons des cookies pour améliorer votre expérience.",
        "Lire la suite",
        "Publié le 3 mars 2024",
        "Mis à jour le 4 mars 2024 à 10h12",
    ]
    text = "\n\n".join(AI_BODY[:2] + prompts + AI_BODY[2:])
    page = clean(text)
    assert_well_formed(page, text)
    for prompt in prompts:
        assert kind_of(page, text, prompt) == "boilerplate", prompt
    assert len(page.sentences) >= len(AI_BODY)


def test_comment_form_and_captcha_are_boilerplate() -> None:
    text = "\n\n".join([*AI_BODY, "Laisser un commentaire", "seize + dix-sept =", "3 + 4 = ?"])
    page = clean(text)
    assert kind_of(page, text, "Laisser un commentaire") == "boilerplate"
    assert kind_of(page, text, "seize + dix-sept") == "boilerplate"
    assert kind_of(page, text, "3 + 4") == "boilerplate"


def test_originally_published_on_credit_is_boilerplate() -> None:
    credit = (
        "« OpenAI lance-t-il la guerre de l’espace ? Altman vise SpaceX » a été publié "
        "initialement sur BlockTempo, le média blockchain le plus influent."
    )
    text = "\n".join([*AI_BODY, credit])
    page = clean(text)
    assert kind_of(page, text, credit) == "boilerplate"


def test_boilerplate_phrase_inside_a_long_paragraph_drops_only_its_sentence() -> None:
    paragraph = AI_BODY[0] + " " + AI_BODY[1] + " Suivez-nous sur X pour ne rien rater."
    text = paragraph + "\n" + AI_BODY[2]
    page = clean(text)
    assert kind_of(page, text, "Suivez-nous") == "boilerplate"
    assert kind_of(page, text, "OpenAI a présenté") == "body"
    assert not any("Suivez" in s for s in sentence_texts(page))


def test_short_heading_right_above_boilerplate_is_boilerplate() -> None:
    text = "\n\n".join([*AI_BODY, "Votre avis compte", "Laisser un commentaire"])
    page = clean(text)
    assert kind_of(page, text, "Votre avis compte") == "boilerplate"


# --------------------------------------------------------------------------- teasers


def test_context_parentheticals_are_teasers_even_when_joined_or_inline() -> None:
    teasers = (
        "(Contexte préalable : Cathie Wood affirme que « l’IA n’est pas une bulle » : elle "
        "reproduit le moment Internet) (Complément de contexte : Google lance « Gemini 3 » !)"
    )
    inline = AI_BODY[1] + " (Contexte préalable : Nvidia dépasse Apple en Bourse) " + AI_BODY[2]
    text = "\n".join([AI_BODY[0], teasers, inline, AI_BODY[3]])
    page = clean(text)
    assert_well_formed(page, text)
    assert kind_of(page, text, "(Contexte préalable : Cathie") == "teaser"
    assert kind_of(page, text, "(Complément de contexte") == "teaser"
    assert kind_of(page, text, "(Contexte préalable : Nvidia") == "teaser"
    joined = " ".join(sentence_texts(page))
    assert "Cathie" not in joined
    assert "Nvidia dépasse" not in joined
    assert AI_BODY[2].split(",")[0] in joined


def test_read_also_line_is_a_teaser() -> None:
    teaser = "À lire aussi : Un ex-ingénieur de la NASA juge absurde un centre de données spatial"
    text = "\n".join([AI_BODY[0], AI_BODY[1], teaser, AI_BODY[2], AI_BODY[3]])
    page = clean(text)
    assert kind_of(page, text, teaser) == "teaser"
    assert len(page.sentences) >= 4


def test_related_articles_section_lists_teasers_until_the_boilerplate() -> None:
    headlines = [
        "Le fondateur de Telegram annonce un réseau de calcul IA : il sera possible de miner du TON",
        "Elon Musk prédit : l’IA résoudra la dette américaine en 3 ans",
        "Fei-Fei Li sur la prochaine étape des LLM : comment le modèle Marble y parvient-il ?",
    ]
    text = "\n".join([*AI_BODY, "Articles connexes", *headlines, "Ce texte a été publié initialement sur Le Média."])
    page = clean(text)
    assert kind_of(page, text, "Articles connexes") == "boilerplate"
    for headline in headlines:
        assert kind_of(page, text, headline) == "teaser"
    assert len(page.sentences) == sum(len(split_sentences(p, 0, len(p))) for p in AI_BODY)


def test_unrelated_headlines_with_author_lines_at_the_tail_are_teasers() -> None:
    tail = [
        "Paris : un an après les attentats, les familles attendent toujours",
        "Isabelle Hock",
        "Soudan : quand la famine révèle la faillite de l’État",
        "Isabelle Hock",
        "L’Allemagne prévoit un fonds de 100 milliards d’euros pour le réarmement",
        "Isabelle Hock",
    ]
    body = [*AI_BODY, "Le budget du projet dépasse 100 milliards d’euros selon les analystes du secteur."]
    text = "\n\n".join(["Orion, le nouveau modèle d’OpenAI", *body, *tail])
    page = clean(text)
    assert_well_formed(page, text)
    for line in tail[::2]:
        assert kind_of(page, text, line) == "teaser", line
    assert kind_of(page, text, "Isabelle Hock") == "byline"
    assert page.byline_names == ("Isabelle Hock",)
    joined = " ".join(sentence_texts(page))
    assert "Soudan" not in joined
    assert "réarmement" not in joined
    assert "Le budget du projet" in joined


def test_unknown_short_heading_above_tail_teasers_is_boilerplate() -> None:
    tail = [
        "Nos autres sujets",
        "Soudan : quand la famine révèle la faillite de l’État",
        "Isabelle Hock",
        "Paris : un an après les attentats, les familles attendent toujours",
        "Isabelle Hock",
    ]
    text = "\n\n".join([*AI_BODY, *tail])
    page = clean(text)
    assert kind_of(page, text, "Nos autres sujets") == "boilerplate"
    assert kind_of(page, text, "Soudan") == "teaser"
    assert kind_of(page, text, "Paris : un an") == "teaser"


def test_teaser_blocks_with_excerpts_after_widgets_are_teasers_with_credited_authors() -> None:
    tail = [
        "Partager cet article",
        "Commentaires",
        "Peut-on faire sécession de notre système de retraite ? par Vincent Clairmont",
        "Plus que jamais, le système français de retraite par répartition ressemble à une "
        "pyramide qui exige toujours plus d'efforts des générations futures. Un scénario existe.",
        "Rédaction",
        "Le tournant belliciste de l’Allemagne, ou la faillite morale de ses élites, par Thibault de Varenne",
        "Il se passe quelque chose d'inouï outre-Rhin. Une bascule qui n'est pas seulement "
        "politique ou militaire, mais désormais spirituelle, selon le chancelier.",
        "Rédaction",
    ]
    text = "\n\n".join([*AI_BODY, *tail])
    page = clean(text)
    assert kind_of(page, text, "Peut-on faire") == "teaser"
    assert kind_of(page, text, "Plus que jamais") == "teaser"
    assert kind_of(page, text, "Il se passe") == "teaser"
    assert kind_of(page, text, "Rédaction") == "byline"
    assert page.byline_names == ("Vincent Clairmont", "Thibault de Varenne")
    assert kind_of(page, text, AI_BODY[-1]) == "body"


def test_closing_sub_heading_and_paragraph_of_the_article_are_body() -> None:
    closing = [
        "Et maintenant ?",
        "Le procès doit s’ouvrir en mars devant un tribunal fédéral de Californie, à San Francisco.",
    ]
    text = "\n\n".join([*AI_BODY, *closing])
    page = clean(text)
    assert kind_of(page, text, closing[0]) == "body"
    assert kind_of(page, text, closing[1]) == "body"


def test_last_body_paragraph_on_the_same_topic_is_not_a_teaser() -> None:
    closing = "Reste à voir si OpenAI et Sam Altman tiendront la promesse d’un modèle sans rival"
    text = "\n\n".join([*AI_BODY, closing])
    page = clean(text)
    assert kind_of(page, text, closing) == "body"


# --------------------------------------------------------------------------- bylines


def test_name_tag_above_the_author_line_is_not_body_and_the_author_is_a_byline() -> None:
    title = "Elon Musk s’affronte avec Sam Altman sur le projet Stargate"
    text = "\n\n".join(["Elon Musk", "Jean Delaunay", title, *AI_BODY])
    page = clean(text)
    assert kind_of(page, text, "Elon Musk\n") == "boilerplate"
    assert kind_of(page, text, "Jean Delaunay") == "byline"
    assert page.byline_names == ("Jean Delaunay",)
    assert page.title == title
    assert sentence_texts(page)[0] == title


def test_par_and_published_by_lines_are_bylines() -> None:
    text = "\n".join(
        [
            "Orion, le modèle qui inquiète Google",
            "Par Marie Curie et Jean-Pierre Martin",
            "Publié le 3 mars 2024 à 10h12 par Louise de Vilmorin",
            *AI_BODY,
        ]
    )
    page = clean(text)
    assert kind_of(page, text, "Par Marie") == "byline"
    assert kind_of(page, text, "Publié le") == "byline"
    assert page.byline_names == ("Marie Curie", "Jean-Pierre Martin", "Louise de Vilmorin")


def test_sentence_opening_with_par_is_not_a_byline() -> None:
    line = "Par ailleurs, Microsoft investit dans xAI."
    text = "\n".join([*AI_BODY, line])
    page = clean(text)
    assert kind_of(page, text, line) == "body"
    assert page.byline_names == ()


# --------------------------------------------------------------------------- title


def test_repeated_title_line_at_the_top_is_a_duplicate() -> None:
    title = "Elon Musk s’allie à Microsoft et BlackRock pour un projet IA à 30 milliards $"
    text = f"{title}\n\n{title}\n\n\nPartager cet article\n\n" + "\n\n".join(AI_BODY)
    page = clean(text)
    assert page.title == title
    kinds = [s.kind for s in page.segments[:3]]
    assert kinds == ["title", "duplicate", "boilerplate"]
    assert sentence_texts(page).count(title) == 1


def test_title_is_the_line_just_above_the_repeated_body() -> None:
    title = "La guerre de l’IA s’étend dans l’espace… Altman et Musk face à face"
    body = "\n".join(AI_BODY)
    text = f"{body}\nVoir l'original\n{title}\n{body}"
    page = clean(text)
    assert page.title == title
    assert kind_of(page, text, title) == "title"
    assert "La guerre de l’IA s’étend dans l’espace…" in sentence_texts(page)


def test_first_line_with_a_question_and_an_answer_is_the_title() -> None:
    title = "La guerre spatiale d’OpenAI commence-t-elle ? Altman vise SpaceX."
    text = "\n".join([title, *AI_BODY])
    assert clean(text).title == title


def test_rubric_label_above_the_title_is_boilerplate() -> None:
    title = "Orion, le modèle qui inquiète Google"
    text = "\n".join(["Intelligence artificielle", title, *AI_BODY])
    page = clean(text)
    assert page.title == title
    assert kind_of(page, text, "Intelligence artificielle") == "boilerplate"


def test_page_starting_with_a_paragraph_has_no_title() -> None:
    text = "\n".join(AI_BODY)
    page = clean(text)
    assert page.title is None
    assert {s.kind for s in page.segments} == {"body"}


# --------------------------------------------------------------------------- robustness


def test_crlf_bom_and_tabs_keep_offsets_verbatim() -> None:
    text = "\ufeffTitre de l’article sur OpenAI\r\n\r\n\t" + "\r\n".join(AI_BODY) + "\r\nPartager cet article\r\n"
    page = clean(text)
    assert_well_formed(page, text)
    assert page.title == "Titre de l’article sur OpenAI"
    assert kind_of(page, text, "Partager") == "boilerplate"
    assert not any("\r" in s.text or "\ufeff" in s.text for s in page.sentences)


def test_empty_and_blank_pages_are_empty() -> None:
    for text in ["", "  \n\t\n", "\ufeff"]:
        page = clean(text)
        assert page.segments == ()
        assert page.sentences == ()
        assert page.title is None


@pytest.mark.parametrize("copies", [1, 3])
def test_every_non_blank_line_is_covered_in_order(copies: int) -> None:
    text = "\n\n".join(["Titre", "Jean Dupont", *(AI_BODY * copies), "Partager", "Isabelle Hock"])
    assert_well_formed(clean(text), text)


def test_a_large_page_keeps_every_paragraph() -> None:
    # how long it takes is measured by bench/hostile.py
    words = " ".join(AI_BODY).split()
    paragraphs = [" ".join(words[i % 40 :] + words[: i % 40]) + f" Paragraphe {i}." for i in range(4000)]
    text = "\n\n".join(paragraphs)  # about 1.4 MB
    page = clean(text)
    assert_well_formed(page, text)


@pytest.mark.parametrize("mark", [".", "!", "?", "…"])
def test_a_long_run_of_final_marks_ends_one_sentence(mark: str) -> None:
    text = "Musk a levé 5 milliards" + mark * 20_000 + "\nOpenAI répond."
    sentences = split_sentences(text, 0, len(text))
    assert [s.text[:11] for s in sentences] == ["Musk a levé", "OpenAI répo"]


def test_a_wire_credit_line_names_its_writers_and_editors_as_bylines() -> None:
    text = (
        "Capgemini rachète WNS\n\nCapgemini a annoncé lundi le rachat de WNS pour 3,3 milliards de dollars.\n\n"
        "(Rédigé par Mathieu Rosemain, édité par Blandine Hénault)\n"
    )
    page = clean(text)
    assert kind_of(page, text, "(Rédigé par") == "byline"
    assert set(page.byline_names) == {"Mathieu Rosemain", "Blandine Hénault"}


def test_layout_marks_cover_lines_the_cleaner_joins() -> None:
    text = (
        "date: 2025-03-12\nauthor: Jean Dupont\n\nOpenAI a levé 6,6 milliards de dollars auprès de ses investisseurs.\n"
    )
    page = clean(text, [(0, 16, "boilerplate"), (17, 36, "boilerplate")])
    assert [s.text for s in page.sentences] == ["OpenAI a levé 6,6 milliards de dollars auprès de ses investisseurs."]
