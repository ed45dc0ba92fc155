"""The served OpenAPI document passes Redocly's linter (`@redocly/cli`, pinned in
tests/api/typescript/package.json) with its recommended rules: no error, no warning.

Its tags name every group of operations, as Redocly's stricter rules ask. Needs node and npm (CI
has them); skipped with a message only where absent.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from service.system.openapi import operations
from tests.api.test_typescript_client import node_tools, served_document


def test_redocly_finds_nothing_in_the_served_document(live_server: str, tmp_path: Path) -> None:
    tools = node_tools()
    document = served_document(live_server, tmp_path)
    quiet = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    lint = subprocess.run(
        [str(tools / "redocly"), "lint", str(document), "--extends", "recommended", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=quiet,
    )
    report = json.loads(lint.stdout)
    problems = [
        (problem["severity"], problem["ruleId"], problem["message"], problem["location"][0]["pointer"])
        for problem in report["problems"]
    ]
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}, problems
    assert lint.returncode == 0, lint.stderr


def test_every_operation_is_in_a_described_tag(live_server: str, tmp_path: Path) -> None:
    spec = json.loads(served_document(live_server, tmp_path).read_text())
    described = {tag["name"] for tag in spec["tags"] if tag.get("description")}
    assert {tag for _, _, operation in operations(spec) for tag in operation["tags"]} <= described
