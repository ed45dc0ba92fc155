"""Hostile article text for the pure stages: runs and repetitions (bench/hostile.py times them),
characters that show nothing, dates outside the FX table."""

from __future__ import annotations

import datetime as dt

import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from service.ingest.money import find_money, to_usd
from service.ingest.money_kinds import classify_money_kind
from service.ingest.parse import MAX_SENTENCE_CHARS, MAX_WORD_CHARS, pieces
from service.ingest.source import SourceError, decode_article, is_blank
from service.ingest.types import Sentence
from service.ingest.words import CLAUSE_REACH, linear_clause


def test_a_run_of_dots_after_an_amount_without_currency_is_read_once() -> None:
    text = "Musk a levé 5 milliards" + "." * 20_000
    assert [m.text for m in find_money(text)] == ["5 milliards"]


def test_a_run_of_blanks_after_an_amount_is_read_once() -> None:
    text = "Musk a levé 5 milliards de dollars" + "\t" * 30_000 + "fin"
    assert [m.currency for m in find_money(text)] == ["USD"]


def test_thousands_of_amounts_inheriting_a_currency_in_one_paragraph_all_inherit_it() -> None:
    text = "Musk a levé 5 milliards de dollars. " + "Puis 3 milliards " * 8000
    mentions = find_money(text)
    assert len(mentions) == 8001
    assert {m.currency for m in mentions} == {"USD"}


def test_one_sentence_with_hundreds_of_amounts_are_all_classified() -> None:
    sentence = "Il a levé 3 millions de dollars, " * 500
    mentions = find_money(sentence)
    assert len(mentions) == 500
    kinds: list[str | None] = []
    kinds.extend(classify_money_kind(sentence, m.start, m.end) for m in mentions)
    assert set(kinds) == {"funding_round"}


@pytest.mark.parametrize("on", [dt.date(1, 1, 1), dt.date(1900, 6, 1), dt.date(9999, 12, 31)])
def test_a_date_outside_the_fx_table_converts_with_its_nearest_year(on: dt.date) -> None:
    usd, rate_on = to_usd(1_000_000.0, "EUR", on)
    assert usd is not None and usd > 0
    assert rate_on is not None


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \t\n\r\u00a0\u2028\u3000",
        "\u200b\u200c\u200d\u2060\ufeff",
        "\u0301\u0308\u0327",
        "\u00ad\u200e\u200f\u202e\u2066\u2069",
        "\u3164\u2800\ue000\x07",
    ],
)
def test_a_text_of_blanks_and_invisible_characters_is_blank(text: str) -> None:
    assert is_blank(text)
    with pytest.raises(SourceError, match="empty"):
        decode_article(text.encode("utf-8") or b" ", "invisible.txt")


@pytest.mark.parametrize("text", ["a", "\u200b.", "\u200bOpenAI\u200b", "é", "€", "🚀", "٣"])
def test_one_visible_character_is_text(text: str) -> None:
    assert not is_blank(text)


def test_a_stretch_without_whitespace_is_cut_into_short_pieces_that_keep_their_offsets() -> None:
    text = "OpenAI lève des fonds " + "#" * 20_000 + " puis Mistral AI aussi"
    found = pieces(Sentence(start=100, end=100 + len(text), text=text))
    assert all(p.text == text[p.start - 100 : p.end - 100] for p in found)
    assert "".join(p.text for p in found).replace(" ", "") == text.replace(" ", "")
    # only the tail (what is left once less than a piece remains) may hold a longer run
    assert all(len(p.text) <= MAX_WORD_CHARS for p in found[1:-1])
    assert all(len(p.text) <= MAX_SENTENCE_CHARS for p in found)


def test_a_clause_read_by_the_words_never_reaches_past_its_bound() -> None:
    # a text with no clause break would otherwise make every trigger read all of it
    doc = Doc(Vocab(), words=["mot"] * 1_000)
    lo, hi = linear_clause(doc[500])
    assert (lo, hi) == (500 - CLAUSE_REACH, 501 + CLAUSE_REACH)
    assert linear_clause(doc[3]) == (0, 4 + CLAUSE_REACH)
