"""``rivalry seed``: read a corpus, extract facts, load each document in its own transaction."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import multiprocessing
import os
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from service.ingest import load
from service.ingest.extract import PIPELINE_VERSION, extract_batch
from service.ingest.facts import Extraction
from service.ingest.source import SourceError, SourceFile, article_paths, corpus_digest, iter_sources
from service.models import IngestionRun
from service.stats.queries import COUNTED, totals

log = structlog.get_logger("service.ingest")

BATCH_SIZE = 32
# Batches handed to the extraction worker ahead of the one being loaded. Two keep it busy when
# loading and extracting a batch take about as long, whichever happens to be slower each time.
LOOKAHEAD = 2
# Documents loaded before the planner's statistics are first refreshed (then each time the corpus doubles).
ANALYZE_EVERY = 2 * BATCH_SIZE
# One seed at a time per database: a second `rivalry seed` waits instead of interleaving.
SEED_LOCK_ID = 0x52495641


@dataclass
class SeedReport:
    """What a seed did with each file, and what the database holds after it.

    ``skipped``: files that are not an article the pipeline reads (empty, binary, not UTF-8,
    nothing visible), with why; ``failed``: articles the pipeline could not extract or load (an
    error of ours, logged with its traceback). Both leave the file out and make the exit status 1.
    ``stored`` counts what ``GET /api/v1/stats`` serves; ``created`` the facts this run added.
    """

    corpus: Path
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    facts: Counter[str] = field(default_factory=Counter)
    created: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    stored: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def left_out(self) -> list[tuple[str, str]]:
        """Every file this run did not ingest, with why."""
        return self.skipped + self.failed

    def print_summary(self, console: Console | None = None) -> None:
        console = console or Console(file=sys.stdout, highlight=False)
        console.print(f"rivalry seed: {self.corpus}")
        table = Table(show_header=True)
        table.add_column("documents")
        table.add_column("count", justify="right")
        table.add_row("new", str(len(self.new)))
        table.add_row("updated", str(len(self.updated)))
        table.add_row("unchanged", str(len(self.unchanged)))
        table.add_row("skipped (not a readable article)", str(len(self.skipped)), style="red" if self.skipped else None)
        table.add_row("failed (pipeline error)", str(len(self.failed)), style="red" if self.failed else None)
        console.print(table)
        if self.stored:
            facts = Table(show_header=True)
            facts.add_column("facts")
            facts.add_column("stored", justify="right")
            facts.add_column("new this run", justify="right")
            for kind, count in self.stored.items():
                created = _CREATED_KIND.get(kind)
                facts.add_row(kind, str(count), str(len(self.created.get(created, ()))) if created else "")
            console.print(facts)
        for name, reason in self.skipped:
            console.print(f"[red]skipped[/red] {name}: {reason}")
        for name, reason in self.failed:
            console.print(f"[red]failed[/red] {name}: {reason}")
        console.print(f"done in {self.seconds:.1f}s")


async def corpus_is_current(url: str, corpus: Path) -> bool:
    """True when the last completed run ingested exactly this corpus with this pipeline version."""
    digest = corpus_digest(article_paths(corpus), PIPELINE_VERSION)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                select(IngestionRun.id).where(IngestionRun.corpus_digest == digest, IngestionRun.status == "completed")
            )
            return found.first() is not None
    finally:
        await engine.dispose()


# The stored counts' names (``service.stats.queries.COUNTED``) → the change log's kind of fact.
_CREATED_KIND = {
    "documents": "document",
    "organisations": "organisation",
    "people": "person",
    "events": "event",
    "funding": "funding",
    "rivalries": "rivalry",
    "relationships": "relationship",
}


async def run_seed(url: str, corpus: Path, *, reset: bool, interactive: bool) -> SeedReport:
    # Kept-open connections: asyncpg's prepared statements and type codecs survive between documents.
    engine = create_async_engine(url, pool_size=2, max_overflow=1)
    try:
        return await seed(engine, corpus, reset=reset, interactive=interactive)
    finally:
        await engine.dispose()


async def _finish_run(engine: AsyncEngine, run_id: int, status: str, report: SeedReport) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(IngestionRun)
            .where(IngestionRun.id == run_id)
            .values(
                finished_at=func.now(),
                status=status,
                documents_new=len(report.new) + len(report.updated),
                documents_unchanged=len(report.unchanged),
                documents_failed=len(report.left_out),
                counts=dict(report.facts),
                errors=[{"file": name, "error": reason, "skipped": True} for name, reason in report.skipped]
                + [{"file": name, "error": reason} for name, reason in report.failed],
            )
        )


async def seed(engine: AsyncEngine, corpus: Path, *, reset: bool, interactive: bool = False) -> SeedReport:
    started = dt.datetime.now(dt.UTC)
    report = SeedReport(corpus=corpus)
    paths = article_paths(corpus)
    digest = corpus_digest(paths, PIPELINE_VERSION)
    run_id: int | None = None  # until the run is recorded: a stop before that has nothing to close
    async with engine.connect() as lock_conn:
        await lock_conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": SEED_LOCK_ID})
        try:
            async with engine.begin() as conn:
                # Holding the seed lock, no other seed runs: a run still marked running was killed.
                await conn.execute(
                    update(IngestionRun)
                    .where(IngestionRun.status == "running")
                    .values(status="failed", finished_at=func.now(), errors=[{"error": "interrupted"}])
                )
                run_id = (
                    await conn.execute(
                        insert(IngestionRun)
                        .values(source=str(corpus), corpus_digest=digest, pipeline_version=PIPELINE_VERSION)
                        .returning(IngestionRun.id)
                    )
                ).scalar_one()
            if reset:
                await load.reset_all(engine)
                log.info("ingest.reset")
            await _ingest(engine, paths, report, interactive)
            async with engine.connect() as conn:
                row = (await conn.execute(totals())).one()
            report.stored = {name: int(getattr(row, name)) for name in COUNTED}
            status = "completed" if not report.left_out else "failed"
        except BaseException:
            status = "failed"
            raise
        finally:
            report.seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
            if run_id is not None:
                await _finish_run(engine, run_id, status, report)
            await lock_conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": SEED_LOCK_ID})
    log.info(
        "ingest.run.finished",
        corpus=str(corpus),
        new=len(report.new),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
        skipped=len(report.skipped),
        failed=len(report.failed),
        seconds=round(report.seconds, 2),
    )
    return report


async def _ingest(engine: AsyncEngine, paths: list[Path], report: SeedReport, interactive: bool) -> None:
    progress = Progress(
        TextColumn("[bold]seeding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        disable=not interactive,
        transient=True,
    )
    # A large corpus is extracted in a worker process, ahead of the loader, so the NLP and the
    # database writes use both cores. A small one is not worth starting the worker for.
    pool = (
        concurrent.futures.ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=exit_with_parent,
            initargs=(os.getpid(),),
        )
        if len(paths) > 2 * BATCH_SIZE
        else None
    )
    loop = asyncio.get_running_loop()
    statistics = _Statistics(engine, stored=await load.document_count(engine))
    with progress:
        task = progress.add_task("", total=len(paths))
        pending: deque[tuple[list[SourceFile], asyncio.Future[list[Extraction | str]]]] = deque()
        try:
            for batch in _batches(paths, report, progress, task):
                known = await load.unchanged_sha256s(engine, [s.sha256 for s in batch], PIPELINE_VERSION)
                for source in batch:
                    if source.sha256 in known:
                        report.unchanged.append(source.path.name)
                        progress.advance(task)
                todo = [s for s in batch if s.sha256 not in known]
                pending.append((todo, loop.run_in_executor(pool, extract_isolated, todo)))
                if len(pending) > LOOKAHEAD:
                    todo, future = pending.popleft()
                    await _load_batch(engine, todo, await future, report, progress, task)
                    await statistics.loaded(len(todo))
            while pending:
                todo, future = pending.popleft()
                await _load_batch(engine, todo, await future, report, progress, task)
                await statistics.loaded(len(todo))
            # Whatever a killed run committed without recounting is recounted now, even when
            # every article of this run is unchanged.
            await _recount_rivalries(engine)
            await statistics.final()
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)


class _Statistics:
    """Keeps the planner's statistics in step with the tables a seed fills (:func:`load.analyze`).

    The tables are analysed each time the corpus has doubled since the last time (after at least
    :data:`ANALYZE_EVERY` documents), so a seed of any size analyses them a logarithmic number of
    times, and completely once more at the end when anything was loaded.
    """

    def __init__(self, engine: AsyncEngine, stored: int) -> None:
        self.engine = engine
        self.analysed_at = stored
        self.documents = stored

    async def loaded(self, documents: int) -> None:
        self.documents += documents
        if self.documents - self.analysed_at >= max(ANALYZE_EVERY, self.analysed_at):
            await self._analyze(complete=False)

    async def final(self) -> None:
        if self.documents > self.analysed_at:
            await self._analyze(complete=True)

    async def _analyze(self, *, complete: bool) -> None:
        await load.analyze(self.engine, complete=complete)
        log.debug("ingest.analyzed", documents=self.documents, complete=complete)
        self.analysed_at = self.documents


def _batches(paths: list[Path], report: SeedReport, progress: Progress, task: TaskID) -> Iterator[list[SourceFile]]:
    """Readable articles in batches (unreadable ones are reported here and skipped)."""
    batch: list[SourceFile] = []
    for path, source in iter_sources(paths):
        if isinstance(source, SourceError):
            report.skipped.append((path.name, str(source).removeprefix(f"{path.name}: ")))
            log.warning("ingest.document.skipped", file=path.name, reason=str(source))
            progress.advance(task)
            continue
        batch.append(source)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def exit_with_parent(parent: int, interval: float = 1.0) -> None:
    """Make this extraction worker exit when the seed that started it is gone.

    A seed killed with SIGKILL cannot shut its pool down, and the worker, blocked reading its next
    batch, would otherwise live on holding the model (≈ 400 MB). A daemon thread notices the
    parent is gone (the worker is re-parented) and ends the process.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def extract_isolated(batch: list[SourceFile]) -> list[Extraction | str]:
    """Extract a batch in one spaCy stream; if that fails, one by one, so one bad article fails alone.

    Returns, per article, its extraction or why it could not be extracted. Runs in the worker process.
    """
    try:
        return list(extract_batch(batch))
    except Exception:
        log.warning("ingest.batch.retrying_one_by_one", size=len(batch))
    results: list[Extraction | str] = []
    for source in batch:
        try:
            results.append(extract_batch([source])[0])
        except Exception as exc:
            log.exception("ingest.document.extraction_failed", file=source.path.name)
            results.append(f"could not be extracted: {exc.__class__.__name__}")
    return results


async def _load_batch(
    engine: AsyncEngine,
    batch: list[SourceFile],
    extractions: list[Extraction | str],
    report: SeedReport,
    progress: Progress,
    task: TaskID,
) -> None:
    loaded = False
    for source, extraction in zip(batch, extractions, strict=True):
        progress.update(task, description=source.path.name)
        if isinstance(extraction, str):
            report.failed.append((source.path.name, extraction))
            progress.advance(task)
            continue
        try:
            outcome = await load.load_document(engine, source, extraction, PIPELINE_VERSION, refresh_rivalries=False)
        except Exception as exc:
            log.exception("ingest.document.failed", file=source.path.name)
            report.failed.append((source.path.name, f"could not be loaded: {exc.__class__.__name__}"))
        else:
            {"created": report.new, "updated": report.updated, "unchanged": report.unchanged}[outcome.status].append(
                source.path.name
            )
            report.facts.update(outcome.facts)
            if outcome.status == "created":
                report.created["document"].add(outcome.document_id)
            for kind, ids in outcome.created.items():
                report.created[kind].update(ids)
            loaded = True
            log.debug("ingest.document.loaded", file=source.path.name, document_id=outcome.document_id)
        progress.advance(task)
    if loaded:
        # Rivalry timelines span documents: counted once per batch rather than once per document.
        await _recount_rivalries(engine)


async def _recount_rivalries(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await load.recount_rivalries(conn)
