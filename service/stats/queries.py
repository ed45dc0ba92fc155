"""What the database holds, counted one way for ``GET /api/v1/stats`` and ``rivalry seed``'s summary."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect, Select, func, select

from service.models import Citation, Document, Event, Funding, Organisation, Person, Relationship, Rivalry

# Money that changed or is to change hands: investments, rounds, acquisitions, commitments,
# contracts and bids still standing. Valuations, revenues and rejected or withdrawn bids are
# amounts, not funding.
FUNDED_KINDS = ("investment", "funding_round", "acquisition", "bid", "commitment", "contract")
ENDED = ("rejected", "cancelled")

COUNTED: dict[str, Any] = {
    "documents": Document,
    "organisations": Organisation,
    "people": Person,
    "events": Event,
    "funding": Funding,
    "rivalries": Rivalry,
    "relationships": Relationship,
    "citations": Citation,
}


def _count(table: Any) -> ScalarSelect[int]:
    return select(func.count()).select_from(table).scalar_subquery()


def totals() -> Select[*tuple[Any, ...]]:
    """One row: the number of rows of each of :data:`COUNTED`, and ``usd``, the funding total."""
    return select(
        *(_count(table).label(name) for name, table in COUNTED.items()),
        select(func.coalesce(func.sum(Funding.amount_usd), 0))
        .where(Funding.kind.in_(FUNDED_KINDS), Funding.status.not_in(ENDED))
        .scalar_subquery()
        .label("usd"),
    )
