"""GET /api/v1/stats: what the database holds, in one query."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import get
from litestar.di import NamedDependency
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.http.problems import problem_responses
from service.models import Event, Funding, IngestionRun
from service.stats.queries import COUNTED, totals


class Counts(msgspec.Struct):
    documents: int
    organisations: int
    people: int
    events: int
    funding: int
    rivalries: int
    relationships: int
    citations: int


class LastIngestion(msgspec.Struct):
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    pipeline_version: str
    documents_new: int
    documents_unchanged: int
    documents_failed: int


class Stats(msgspec.Struct):
    counts: Counts
    events_by_type: dict[str, int]
    # Funding still standing (service.stats.queries.FUNDED_KINDS); every amount is in money_usd_by_kind.
    funding_usd_total: float
    money_usd_by_kind: dict[str, float]
    last_ingestion: LastIngestion | None


@get("/api/v1/stats", summary="Totals", tags=["stats"], responses=problem_responses(503))
async def stats(db_session: NamedDependency[AsyncSession]) -> Stats:
    counts = (await db_session.execute(totals())).one()
    by_type = {
        row.type: row.n
        for row in await db_session.execute(select(Event.type, func.count().label("n")).group_by(Event.type))
    }
    by_kind = {
        row.kind: float(row.usd)
        for row in await db_session.execute(
            select(Funding.kind, func.coalesce(func.sum(Funding.amount_usd), 0).label("usd")).group_by(Funding.kind)
        )
    }
    run = (
        await db_session.execute(select(IngestionRun).order_by(IngestionRun.id.desc()).limit(1))
    ).scalar_one_or_none()
    return Stats(
        counts=Counts(**{name: getattr(counts, name) for name in COUNTED}),
        events_by_type=dict(sorted(by_type.items())),
        funding_usd_total=float(counts.usd),
        money_usd_by_kind=dict(sorted(by_kind.items())),
        last_ingestion=LastIngestion(
            started_at=run.started_at,
            finished_at=run.finished_at,
            status=run.status,
            pipeline_version=run.pipeline_version,
            documents_new=run.documents_new,
            documents_unchanged=run.documents_unchanged,
            documents_failed=run.documents_failed,
        )
        if run is not None
        else None,
    )
