"""structlog configuration (the ``http.request`` event of every request is written by :mod:`service.http.edge`)."""

from __future__ import annotations

import logging
import sys

import structlog

from service.settings import Settings, log_level_number


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
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        # Not cached: structlog.testing.capture_logs (and reconfiguration) must reach every logger.
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(
        level=max(level, logging.WARNING), stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
