"""Ingesting one article from the API: the same pipeline as ``rivalry seed``, in one transaction."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
from typing import Any, Literal

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.documents import queries
from service.documents.schemas import DocumentCreate, DocumentRead, FactIds, IngestResult
from service.http.problems import NotFound, invalid
from service.ingest.extract import PIPELINE_VERSION, extract_text
from service.ingest.load import load_document_in, retract_document
from service.ingest.source import is_blank, text_sha256
from service.models import Document

log = structlog.get_logger("service.documents")

# spaCy runs on one dedicated thread: the event loop keeps serving reads meanwhile, and
# concurrent posts queue instead of competing for the same model.
_EXTRACTOR = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="rivalry-extract")
_KIND_FIELDS = {
    "organisation": "organisations",
    "person": "people",
    "event": "events",
    "funding": "funding",
    "rivalry": "rivalries",
    "relationship": "relationships",
}


# The load :func:`warm` started, once per process (the model is the process's: ``load_nlp``).
_warming: concurrent.futures.Future[None] | None = None


def warm() -> concurrent.futures.Future[None]:
    """Load the language model and the lexicons on the extraction thread, ahead of the first post:
    the model alone takes seconds to load, and a post meanwhile would wait for it. The event loop
    keeps serving; the app keeps the future, and readiness waits until :func:`extraction_state`
    says ``loaded``."""
    global _warming
    if _warming is None:
        _warming = _EXTRACTOR.submit(_load)
        _warming.add_done_callback(_loaded)
    return _warming


def _load() -> None:
    extract_text("OpenAI a levé des fonds.")
    # The model is some 250,000 objects that live as long as the process: out of the cyclic
    # collector's sight, as the app freezes what start-up built (``service.app``), or every full
    # collection walks them again (135 ms, a pause any request in flight waits through).
    gc.collect()
    gc.freeze()


def _loaded(future: concurrent.futures.Future[None]) -> None:
    error = future.exception()
    if error is not None:
        log.error("ingest.extraction.load_failed", exc_info=error)
    else:
        log.info("ingest.extraction.loaded")


def extraction_state(
    warming: concurrent.futures.Future[None] | None,
) -> Literal["loaded", "loading", "failed", "on first write"]:
    """Where the load :func:`warm` returned stands; ``on first write`` for an app that did not warm
    the pipeline (one built by the tests: its first post loads the model)."""
    if warming is None:
        return "on first write"
    if not warming.done():
        return "loading"
    return "failed" if warming.exception() is not None else "loaded"


def check_text(body: DocumentCreate) -> None:
    """Text PostgreSQL cannot store, or that holds no words, is a 400 (never a 500 later)."""
    for name in ("text", "title", "publisher", "author", "url"):
        value = getattr(body, name)
        if value is None:
            continue
        if "\x00" in value:
            raise invalid(name, "must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise invalid(name, "must be valid Unicode (no lone surrogates)") from None
    if is_blank(body.text):
        raise invalid("text", "must not be empty, only whitespace or only invisible characters")


def _ids(groups: dict[str, list[str]]) -> FactIds:
    return FactIds(**{_KIND_FIELDS[k]: v for k, v in groups.items() if k in _KIND_FIELDS})


async def _existing(session: AsyncSession, sha: str) -> DocumentRead | None:
    document_id = await session.scalar(select(Document.id).where(Document.sha256 == sha))
    if document_id is None:
        return None
    return await queries.get_document(session, document_id)


async def ingest(session: AsyncSession, body: DocumentCreate, lock: asyncio.Lock) -> tuple[int, IngestResult]:
    """201 and what was created, or 200 and the existing document when this text is already known."""
    check_text(body)
    sha = text_sha256(body.text)
    empty = FactIds()
    async with lock:
        existing = await _existing(session, sha)
        if existing is not None:
            return 200, IngestResult(document=_summary(existing), created=empty, corroborated=empty)
        meta: dict[str, Any] = {
            k: v for k, v in {
                "title": body.title, "publisher": body.publisher, "author": body.author, "url": body.url,
                "published_on": body.published_on.isoformat() if body.published_on else None,
                "language": body.language,
            }.items() if v is not None
        }  # fmt: skip
        # Not inside a transaction while the NLP runs: nothing is held open for seconds.
        await session.rollback()
        loop = asyncio.get_running_loop()
        extraction = await loop.run_in_executor(_EXTRACTOR, extract_text, body.text, meta)
        conn = await session.connection()
        outcome = await load_document_in(conn, body.text, None, extraction, PIPELINE_VERSION)
        await session.commit()
        document = await queries.get_document(session, outcome.document_id)
    if document is None:  # pragma: no cover - loaded in the transaction just committed
        raise NotFound("The document vanished after loading.")
    status = 201 if outcome.status == "created" else 200
    return status, IngestResult(
        document=_summary(document), created=_ids(outcome.created), corroborated=_ids(outcome.corroborated)
    )


def _summary(document: DocumentRead) -> DocumentRead:
    return DocumentRead(**{f: getattr(document, f) for f in DocumentRead.__struct_fields__})


async def retract(session: AsyncSession, document_id: str) -> None:
    """Delete a document and every fact only it supported; 404 when there is no such document."""
    conn = await session.connection()
    if not await retract_document(conn, document_id):
        raise NotFound(f"No document with id {document_id!r}.")
    await session.commit()
