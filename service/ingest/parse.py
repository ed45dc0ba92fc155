"""The linguistic base: every fact-bearing sentence parsed once (tokens, lemmas, morphology,
dependencies, named entities), for all later stages to read.

A sentence longer than :data:`MAX_SENTENCE_CHARS` (a page with no punctuation, a pasted
table) is parsed in pieces cut at spaces, so no input reaches spaCy's ``max_length`` and the
parser's memory stays bounded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from service.ingest.nlp import load_nlp
from service.ingest.types import Sentence

# Far longer than any real sentence; a piece this long still parses in well under a second.
MAX_SENTENCE_CHARS = 5_000
# A stretch with no whitespace longer than this is no word; the tokenizer's affix search is
# quadratic in a token's length, so such a stretch is cut into pieces this long.
MAX_WORD_CHARS = 200
BATCH_SIZE = 64
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedSentence:
    sentence: Sentence
    doc: Doc

    def offset(self, token_index: int) -> int:
        """Where a token starts in the article."""
        return self.sentence.start + self.doc[token_index].idx


def pieces(sentence: Sentence) -> list[Sentence]:
    """The sentence itself, or pieces of at most :data:`MAX_SENTENCE_CHARS` cut at whitespace."""
    if len(sentence.text) <= MAX_SENTENCE_CHARS:
        return [sentence]
    out: list[Sentence] = []
    text, pos = sentence.text, 0
    while pos < len(text):
        end = min(len(text), pos + MAX_SENTENCE_CHARS)
        if end < len(text):
            spaces = [m.start() for m in _SPACE.finditer(text, pos + 1, end)]
            late = [s for s in spaces if s >= pos + MAX_SENTENCE_CHARS // 2]
            end = late[-1] if late else spaces[-1] if spaces else pos + MAX_WORD_CHARS
        chunk = text[pos:end]
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        if body:
            start = sentence.start + pos + lead
            out.append(Sentence(start=start, end=start + len(body), text=body))
        pos = end
    return out


def parse(pages: Sequence[Sequence[Sentence]]) -> list[list[ParsedSentence]]:
    """Parse the sentences of several documents in one stream (spaCy batches across them)."""
    split = [[piece for s in sentences for piece in pieces(s)] for sentences in pages]
    flat = [s.text for sentences in split for s in sentences]
    docs = iter(load_nlp().pipe(flat, batch_size=BATCH_SIZE))
    return [[ParsedSentence(s, next(docs)) for s in sentences] for sentences in split]
