"""Behaviour of article formats: HTML structure becomes layout hints, JSON articles give text and metadata."""

from __future__ import annotations

import json

from service.ingest.clean import clean
from service.ingest.formats import LAYOUT_KEY, html_to_text, json_article, text_header

PAGE = """<html lang="fr"><head><title>T</title></head><body>
<div class="cookie-banner"><p>Nous utilisons des cookies.</p>
<button>Tout accepter</button><button>Refuser</button></div>
<nav><ul><li><a href="/">Accueil</a></li><li><a href="/tech">Tech</a></li></ul></nav>
<article>
<h1>Nvidia investit 5 milliards de dollars dans Intel</h1>
<p>Nvidia a annoncé jeudi une prise de participation de 5 milliards de dollars dans Intel, son ancien concurrent.</p>
<div class="share"><a href="#">Partager sur X</a></div>
</article>
<aside><h3>Lire aussi</h3><ul>
<li><a href="/sport">Mercato : le PSG recrute pour 90 millions d’euros</a><span class="author">Par Léa Fournier</span>
</li>
</ul></aside>
<footer><p>© 2025 Tech Hebdo</p></footer>
</body></html>"""


def layout(html: str) -> dict[str, str]:
    text, meta = html_to_text(html)
    return {text[a:b]: kind for a, b, kind in meta.get(LAYOUT_KEY, [])}


def test_navigation_cookie_banner_share_bar_and_footer_are_furniture() -> None:
    marked = layout(PAGE)
    for line in ("Nous utilisons des cookies.", "Accueil", "Tech", "Partager sur X", "© 2025 Tech Hebdo"):
        assert marked[line] == "boilerplate"


def test_an_aside_of_links_is_teasers_of_other_articles() -> None:
    marked = layout(PAGE)
    assert marked["Mercato : le PSG recrute pour 90 millions d’euros"] == "teaser"
    assert marked["Par Léa Fournier"] == "teaser"


def test_the_article_itself_carries_no_layout_mark() -> None:
    marked = layout(PAGE)
    assert "Nvidia investit 5 milliards de dollars dans Intel" not in marked
    assert not any(line.startswith("Nvidia a annoncé") for line in marked)


def test_buttons_and_an_inline_credit_start_lines_of_their_own() -> None:
    text, _ = html_to_text(PAGE)
    lines = text.splitlines()
    assert "Tout accepter" in lines
    assert "Refuser" in lines
    assert "Par Léa Fournier" in lines  # not glued to the headline before it


def test_the_cleaner_follows_the_layout_marks() -> None:
    text, meta = html_to_text(PAGE)
    page = clean(text, meta[LAYOUT_KEY])
    kept = " ".join(s.text for s in page.sentences)
    assert "Nvidia a annoncé jeudi" in kept
    assert "Mercato" not in kept
    assert "Accueil" not in kept
    assert "Léa Fournier" in page.byline_names


def test_a_json_article_may_use_content_and_headline_keys() -> None:
    raw = json.dumps({"headline": "Titre", "datePublished": "2025-10-16T09:30:00+02:00", "content": "Corps."})
    text, meta = json_article(raw)
    assert text == "Corps."
    assert meta["title"] == "Titre"
    assert meta["published_on"] == "2025-10-16T09:30:00+02:00"


def test_front_matter_gives_metadata_and_keeps_its_lines_out_of_the_facts() -> None:
    text = "---\ntitle: Doctolib lève 500 M€\ndate: 2025-03-12\nauthor: Jean Dupont\n---\n\nCorps de l'article.\n"
    meta, ranges = text_header(text)
    assert meta == {"title": "Doctolib lève 500 M€", "published_on": "2025-03-12", "author": "Jean Dupont"}
    assert [text[a:b] for a, b, _ in ranges] == ["---", "title: Doctolib lève 500 M€", "date: 2025-03-12",
                                                 "author: Jean Dupont", "---"]  # fmt: skip


def test_key_value_lines_heading_a_text_give_metadata() -> None:
    meta, ranges = text_header(
        "Titre : OVHcloud rachète Nexadata\nDate : 12/03/2025\nAuteur : Marie Lefèvre\n\nCorps.\n"
    )
    assert meta == {"title": "OVHcloud rachète Nexadata", "published_on": "12/03/2025", "author": "Marie Lefèvre"}
    assert len(ranges) == 3


def test_a_single_source_line_or_an_unclosed_rule_is_no_header() -> None:
    assert text_header("Source : AFP\n\nOpenAI a levé des fonds.\n") == ({}, [])
    assert text_header("---\nOpenAI a levé des fonds.\n") == ({}, [])


def test_a_nested_json_article_with_a_list_of_paragraphs() -> None:
    raw = json.dumps({"article": {"titre": "T", "paragraphs": ["A.", "B."], "auteur": {"name": "Ana Ruiz"}}})
    text, meta = json_article(raw)
    assert text == "A.\n\nB.\n"
    assert meta == {"title": "T", "author": "Ana Ruiz"}


def test_linked_data_and_time_elements_give_page_metadata() -> None:
    ld = {"@type": "NewsArticle", "headline": "H", "datePublished": "2025-02-03", "publisher": {"name": "P"}}
    page = (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body><p>x</p></body></html>'
    )
    _, meta = html_to_text(page)
    assert meta == {"title": "H", "published_on": "2025-02-03", "publisher": "P"}
    _, meta = html_to_text('<html><body><time datetime="2025-06-20">20 juin</time><p>x</p></body></html>')
    assert meta["published_on"] == "2025-06-20"
