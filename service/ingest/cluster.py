"""Which event reports describe one real-world event: within a document (:func:`merge_document`)
and against events other documents already reported (:func:`best_match`, which the loader calls
with the candidates one query read).

Two reports are one event only when their types are of one family, their participants agree
(the same, or one naming a subset of at least two of the other's), their amounts agree (two
funding rounds of different amounts are two rounds), their years agree, precise dates fall
within a quarter of each other, and they do not end differently (a completed deal is not the bid
that was rejected). Pure functions: no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from service.ingest.facts import EventFact

# Event types that describe the same kind of deal; reports often disagree on which applies.
TYPE_FAMILIES: dict[str, str] = {
    "investment": "deal",
    "acquisition": "deal",
    "bid": "deal",
    "partnership": "deal",
    "joint_venture": "deal",
    "commitment": "deal",
    "contract": "deal",
    "funding_round": "funding_round",
    "lawsuit": "lawsuit",
    "product_launch": "product_launch",
    "founding": "founding",
    "statement": "statement",
    "other": "other",
}
# Most specific first: a merge keeps the more specific type of one family.
TYPE_ORDER = [
    "lawsuit", "bid", "acquisition", "funding_round", "joint_venture", "founding", "product_launch",
    "commitment", "investment", "contract", "partnership", "statement", "other",
]  # fmt: skip
# Further along last: a merge keeps the status further along.
STATUS_ORDER = ["rumoured", "reported", "pending", "announced", "completed", "paused", "cancelled", "rejected"]

_FINAL = {"rejected", "cancelled"}
# Two reports of one deal dated this far apart (both to the month or day) are two deals.
_SAME_DEAL_WINDOW_DAYS = 92
# A report may name this many more parties than another of the same event; a list of many deals
# ("les partenariats entre X et Y, Z et W…") is not one of them.
_MORE_NAMED = 2
# Amounts within this share of each other are the same amount written twice (rounding, conversion).
_SAME_AMOUNT = 0.02


class Reported(Protocol):
    """What matching reads of an event: a report, or an event already stored."""

    @property
    def type(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def occurred_on(self) -> dt.date | None: ...
    @property
    def date_precision(self) -> str | None: ...


R = TypeVar("R", bound=Reported)


# A bid sets its parties against each other; a partnership, a joint venture or a contract binds
# them together: reports of the one are never reports of the other.
_NEVER_ONE = frozenset(frozenset({"bid", other}) for other in ("partnership", "joint_venture", "contract"))


def family(type_: str) -> list[str]:
    """The event types a report of this type may be merged with."""
    return [
        t
        for t, f in TYPE_FAMILIES.items()
        if f == TYPE_FAMILIES.get(type_, type_) and frozenset({t, type_}) not in _NEVER_ONE
    ]


def best_match(event: Reported, mine: set[str], candidates: Iterable[tuple[R, set[str], str]]) -> R | None:
    """The known event this report describes, if any.

    ``mine``: the report's participants as "kind:slug"; ``candidates``: (event, its participants,
    a stable id to break ties). Same family of type, the same participants (or one naming a
    subset of at least two of the other's), no contradiction on year, date or outcome. An event
    with a single participant only matches one of the same type and date. The most participants
    shared wins, then the smallest id.
    """
    if not mine:
        return None
    kinds = family(event.type)
    need = 2 if len(mine) >= 2 else 1
    best: tuple[int, R] | None = None
    for row, theirs, _ in sorted(candidates, key=lambda c: c[2]):
        shared = theirs & mine
        if row.type not in kinds or len(shared) < need:
            continue
        smaller, larger = sorted((len(theirs), len(mine)))
        same = theirs == mine
        if not same and not (len(shared) == smaller and smaller >= 2 and larger <= smaller + _MORE_NAMED):
            continue
        single = len(mine) == 1
        if single and (row.type != event.type or row.occurred_on is None or row.occurred_on != event.occurred_on):
            # One company alone "investing" in two articles is too little to call it the same event.
            continue
        if event.occurred_on and row.occurred_on and abs(event.occurred_on.year - row.occurred_on.year) > 1:
            continue
        if distinct_outcomes(event.status, row.status) or dated_apart(event, row):
            continue
        score = len(shared) * 10 + (5 if same else 0)
        if best is None or score > best[0]:
            best = (score, row)
    return best[1] if best else None


def distinct_outcomes(status: str, other: str) -> bool:
    """A completed deal and a rejected or cancelled one are different deals (a bid, then a sale)."""
    return (status == "completed" and other in _FINAL) or (other == "completed" and status in _FINAL)


def dated_apart(event: Reported, row: Reported) -> bool:
    precise = ("day", "month")
    if event.occurred_on is None or row.occurred_on is None:
        return False
    if event.date_precision not in precise or row.date_precision not in precise:
        return False
    return bool(abs((event.occurred_on - row.occurred_on).days) > _SAME_DEAL_WINDOW_DAYS)


def cluster_key(event: EventFact, refs: set[tuple[str, str]]) -> str:
    """The natural key of a new event: its family, participants and year."""
    people = sorted(slug for kind, slug in refs if kind == "person")
    orgs = sorted(slug for kind, slug in refs if kind == "organisation")
    year = str(event.occurred_on.year) if event.occurred_on else ""
    # a bid never merges with a partnership of the same parties (_NEVER_ONE): its key is its own
    kind = "bid" if event.type == "bid" else TYPE_FAMILIES.get(event.type, event.type)
    parts = [kind, ",".join(orgs), ",".join(people), year]
    if not refs:
        parts.append(event.title.casefold()[:80])
    return "|".join(parts)


def position(order: Sequence[str], value: str) -> int | None:
    return order.index(value) if value in order else None


# ----------------------------------------------------------------------------- one document


Amount = tuple[float, str]  # (amount, ISO currency) as the text writes it


def merge_document(
    events: Sequence[EventFact], amounts: Sequence[Sequence[Amount]]
) -> tuple[list[EventFact], list[int]]:
    """The events of one document with its repeated reports merged, and for each input event the
    index of the event it became (``amounts``: the amounts each report's clause states).
    Statements stay apart: two things said are two statements."""
    merged: list[EventFact] = []
    kept_amounts: list[list[Amount]] = []
    became: list[int] = []
    for event, own in zip(events, amounts, strict=True):
        mine = _refs(event)
        if event.type != "statement":
            candidates = [
                (other, _refs(other), f"{i:06d}")
                for i, other in enumerate(merged)
                if _same_kind(other.type, event.type) and _amounts_agree(own, kept_amounts[i])
            ]
            match = _same_sentence(event, mine, candidates) or best_match(event, mine, candidates)
            if match is not None:
                index = next(i for i, other in enumerate(merged) if other is match)
                _fold(match, event)
                kept_amounts[index] = sorted({*kept_amounts[index], *own})
                became.append(index)
                continue
        became.append(len(merged))
        merged.append(event)
        kept_amounts.append(list(own))
    return merged, became


# Within one text, two triggers of different types say different things ("a partnership" and "an
# acquisition" between the same companies), except an offer and the purchase it is for.
_SAME_DEAL = frozenset({"bid", "acquisition"})


def _same_kind(one: str, other: str) -> bool:
    return one != "statement" and (one == other or {one, other} <= _SAME_DEAL)


def _same_sentence(
    event: EventFact, mine: set[str], candidates: Sequence[tuple[EventFact, set[str], str]]
) -> EventFact | None:
    """Two triggers of one sentence for one deal ("a bouclé une série C"): one event, however few
    participants they name, when one's participants are among the other's. Reports that name no
    one are one event when they say the same thing (the same type and title)."""
    for other, theirs, _ in candidates:
        if not mine and not theirs and other.title == event.title:
            return other
        if other.spans[0] == event.spans[0] and (mine <= theirs or theirs <= mine) and mine & theirs:
            return other
    return None


def _refs(event: EventFact) -> set[str]:
    return {f"{p.ref.kind}:{p.ref.slug}" for p in event.participants}


def _amounts_agree(mine: Sequence[Amount], theirs: Sequence[Amount]) -> bool:
    """Two reports that state amounts in one currency agree when one amount is (nearly) the same."""
    pairs = [(a, b) for a, ca in mine for b, cb in theirs if ca == cb]
    return not pairs or any(abs(a - b) <= _SAME_AMOUNT * max(a, b) for a, b in pairs)


def more_specific(type_: str, than: str) -> bool:
    """Whether a report's type says more than the one kept (:data:`TYPE_ORDER`)."""
    mine, theirs = position(TYPE_ORDER, type_), position(TYPE_ORDER, than)
    return mine is not None and theirs is not None and mine < theirs


def further_along(status: str, than: str) -> bool:
    """Whether a report's status is further along than the one kept (:data:`STATUS_ORDER`)."""
    mine, theirs = position(STATUS_ORDER, status), position(STATUS_ORDER, than)
    return mine is not None and theirs is not None and mine > theirs


def _fold(into: EventFact, other: EventFact) -> None:
    """Add a second report of the same event to the first: its participants, sentences, and what
    the first left unknown; a more specific type and a status further along win."""
    if more_specific(other.type, into.type):
        into.type, into.title = other.type, other.title
    if further_along(other.status, into.status):
        into.status = other.status
    present = {p.ref for p in into.participants}
    into.participants += [p for p in other.participants if p.ref not in present]
    into.spans += [s for s in other.spans if s not in into.spans]
    if into.occurred_on is None and other.occurred_on is not None:
        into.occurred_on, into.date_precision, into.date_text = other.occurred_on, other.date_precision, other.date_text
    for field, claim in other.claims.items():
        into.claims.setdefault(field, claim)
