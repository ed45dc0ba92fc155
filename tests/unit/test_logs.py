"""Log lines written while a progress bar is live go above the bar, not under it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import structlog
from rich.console import Console
from rich.progress import Progress

from service.logs import configure_logging
from service.settings import load_settings


def test_a_line_logged_under_a_live_progress_bar_is_printed_through_its_console(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    configured = structlog.get_config()
    configure_logging(load_settings({"RIVALRY_DATA_DIR": str(tmp_path), "RIVALRY_LOG_LEVEL": "INFO"}))
    terminal = io.StringIO()
    try:
        with Progress(console=Console(file=terminal, force_terminal=True, width=100)) as progress:
            progress.add_task("seeding", total=2)
            structlog.get_logger("service.ingest").warning("ingest.document.skipped", file="empty.txt")
    finally:
        structlog.configure(**configured)
    assert "ingest.document.skipped" in terminal.getvalue()
    assert "ingest.document.skipped" not in capsys.readouterr().err
