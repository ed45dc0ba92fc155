"""The Quickstart commands pass their arguments through (bootstrap.sh is sourced: it must not
consume them), as the README documents with `./scripts/test.sh tests/reliability`."""

from __future__ import annotations

import os
import subprocess

from tests.conftest import ROOT


def test_test_script_forwards_its_arguments_to_pytest() -> None:
    result = subprocess.run(
        ["bash", "scripts/test.sh", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pytest" in (result.stdout + result.stderr)
