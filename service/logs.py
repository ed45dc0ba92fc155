"""structlog configuration (the ``http.request`` event of every request is written by :mod:`service.http.edge`)."""

from __future__ import annotations

import logging
import sys

import structlog

from service.settings import Settings, log_level_number


class _Stderr:
    """``sys.stderr`` as it is when a line is written, not when logging was configured.

    A live display on a terminal (``rivalry seed``'s progress bar) swaps ``sys.stderr`` for a
    proxy that prints each line above the bar; a logger holding the stream it was configured with
    would write under the bar instead, and the bar would be drawn over the line.
    """

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(settings: Settings) -> None:
    level = log_level_number(settings)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_json or not sys.stderr.isatty()
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=_Stderr()),  # type: ignore[arg-type]
        # Not cached: structlog.testing.capture_logs (and reconfiguration) must reach every logger.
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(
        level=max(level, logging.WARNING), stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
