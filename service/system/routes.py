"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import get
from litestar.datastructures import State

from service.db import DatabaseUnavailable, ping
from service.documents.ingest import extraction_state
from service.http.problems import ServiceUnavailable, problem_responses
from service.migrate import current_revision, head_revision


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str
    database: str
    migration: str
    extraction: str


@get("/health", summary="Liveness", tags=["system"], cache_control=None, responses=problem_responses())
async def health() -> Health:
    """The process is up; says nothing about the database."""
    return Health(status="ok")


@get("/ready", summary="Readiness", tags=["system"], responses=problem_responses(503))
async def ready(state: State) -> Readiness:
    """Ready when the database answers, its schema is at the latest migration and the extraction
    pipeline is loaded (until then the first post would wait seconds for the language model)."""
    try:
        await ping(state.engine, within=2.0)
        current = await asyncio.wait_for(current_revision(state.engine), timeout=2.0)
    except (DatabaseUnavailable, TimeoutError) as exc:
        raise ServiceUnavailable("The database is unreachable.", headers={"Retry-After": "5"}) from exc
    head = head_revision()
    if current != head:
        raise ServiceUnavailable(
            f"The database schema is at {current or 'no revision'}, expected {head}: run `rivalry migrate`."
        )
    extraction = extraction_state(state.get("extraction"))
    if extraction == "loading":
        raise ServiceUnavailable("The language model is still loading.", headers={"Retry-After": "2"})
    if extraction == "failed":
        raise ServiceUnavailable("The language model could not be loaded; the server log says why.")
    return Readiness(status="ready", database="ok", migration=current or "", extraction=extraction)
