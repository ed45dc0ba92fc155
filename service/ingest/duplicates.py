"""Repeated sentences of a scraped page: re-wrapped, joined or truncated copies of the body.

Sentences are compared as folded word sequences, by hashed word 5-gram shingles; see
:func:`deduplicate`. :func:`shingles` is also what the page labelling uses to tell a
truncated second copy of the body from a list of teasers.

Thresholds are module constants below; each says why it has its value.
"""

from __future__ import annotations

from typing import Final

from service.ingest.sentences import WORD
from service.ingest.types import Sentence

__all__ = ["DUP_COVERAGE", "deduplicate", "shingles"]

# Word n-gram size for near-duplicate detection: 5 words rarely repeat by chance within one
# article (4 did: "des centres de données et"), yet re-wrapped copies share all of them.
SHINGLE_SIZE: Final = 5
# A sentence whose words are this much covered by already-seen shingles is a repeat; a
# sentence recombining stock phrases of earlier ones stays well below.
DUP_COVERAGE: Final = 0.9
# A later sentence extending an earlier truncated one replaces it only if the added words
# are mostly new (otherwise it is two old sentences glued together by a lost line break).
EXTENSION_MAX_COVERED: Final = 0.5
# Sentences opening with the same words that are compared for truncation (bounds the work
# on pages where many sentences open alike).
MAX_SAME_OPENING: Final = 32


def shingles(words: list[str]) -> list[int]:
    """Hashes of the SHINGLE_SIZE-word runs of a word sequence."""
    n = SHINGLE_SIZE
    return [hash(tuple(words[j : j + n])) for j in range(len(words) - n + 1)]


def _tokens(folded: str, s: Sentence) -> list[str]:
    return WORD.findall(folded, s.start, s.end)


def _is_extension(short: list[str], long: list[str]) -> bool:
    """``long`` continues ``short``, whose last word may be cut ("socia" → "sociaux")."""
    n = len(short)
    if n == 0 or len(long) < n or long[: n - 1] != short[: n - 1]:
        return False
    if not long[n - 1].startswith(short[-1]):
        return False
    return len(long) > n or len(long[n - 1]) > len(short[-1])


def _contains(hay: list[str], needle: list[str]) -> bool:
    """``needle`` occurs as a run in ``hay`` (its last word possibly cut short)."""
    n = len(needle)
    for j in range(len(hay) - n + 1):
        if hay[j] == needle[0] and hay[j + 1 : j + n - 1] == needle[1:-1] and hay[j + n - 1].startswith(needle[-1]):
            return True
    return False


def deduplicate(folded: str, sentences: list[Sentence]) -> tuple[list[bool], list[int]]:
    """Mark repeated sentences; returns (is_duplicate, index of the kept occurrence).

    Sentences are compared as folded word sequences (case, accents, quotes and spacing
    ignored): identical ones, truncated prefixes of earlier ones, or ones whose words are
    >= DUP_COVERAGE covered by word 5-grams already seen, repeat an earlier sentence (this
    absorbs re-wrapping, joined paragraphs and a truncated second copy). A later sentence
    that strictly extends an earlier one with mostly new words (the first copy was cut
    mid-sentence) takes its place. Sentences shorter than 5 words repeat if seen verbatim,
    or if seen inside an earlier sentence right after another repeat (a heading or bullet
    of a re-wrapped copy).
    """
    n = SHINGLE_SIZE
    dup = [False] * len(sentences)
    origin = list(range(len(sentences)))
    exact: dict[tuple[str, ...], int] = {}
    owners: dict[int, int] = {}  # shingle hash -> first sentence holding it
    starts: dict[int, list[int]] = {}  # hash of the first words -> sentences opening so
    toks: list[list[str]] = []

    for i, s in enumerate(sentences):
        words = _tokens(folded, s)
        toks.append(words)
        seen = exact.get(tuple(words))
        if seen is not None:
            dup[i], origin[i] = True, seen
            continue
        keys = shingles(words)
        covered = [False] * len(words)
        first_owner = -1
        for j, k in enumerate(keys):
            owner = owners.get(k)
            if owner is not None:
                covered[j : j + n] = [True] * n
                if first_owner < 0:
                    first_owner = owner
        # The head excludes the last of n words, so a fragment cut inside its n-th word
        # still shares it with the full sentence.
        head = hash(tuple(words[: n - 1])) if len(words) >= n - 1 else None
        replaced = False
        for o in starts.get(head, []) if head is not None else []:
            if dup[o]:
                continue
            if _is_extension(words, toks[o]):  # a truncated repeat of an earlier sentence
                dup[i], origin[i] = True, o
                break
            if _is_extension(toks[o], words):
                tail = covered[len(toks[o]) :]
                if not tail or sum(tail) < EXTENSION_MAX_COVERED * len(tail):
                    dup[o], origin[o] = True, i  # the earlier copy was cut: keep this one
                    replaced = True
                    break
        if dup[i]:
            continue
        if not replaced and len(words) < n:
            # A short piece right after a repeat is looked up in what that repeat copies
            # (and the sentences around it): a re-wrapped copy splits sentences differently.
            near = origin[i - 1] if i > 0 and dup[i - 1] else -1
            found = next(
                (o for o in (near, near + 1, near - 1) if 0 <= o < i and _contains(toks[o], words)),
                None,
            )
            if found is not None:
                dup[i], origin[i] = True, found
                continue
        elif not replaced and sum(covered) >= DUP_COVERAGE * len(words):
            dup[i], origin[i] = True, first_owner
            continue
        exact.setdefault(tuple(words), i)
        for k in keys:
            owners.setdefault(k, i)
        if head is not None:
            bucket = starts.setdefault(head, [])
            if len(bucket) < MAX_SAME_OPENING:
                bucket.append(i)
    return dup, origin
