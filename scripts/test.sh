#!/usr/bin/env bash
# Quickstart, command 2: install (with dev tools), lint, type-check, then the test suite.
source "$(dirname "$0")/bootstrap.sh"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy service
exec .venv/bin/pytest "$@"
