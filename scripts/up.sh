#!/usr/bin/env bash
# Quickstart, command 1: install, then `rivalry up` (embedded PostgreSQL unless DATABASE_URL is set).
source "$(dirname "$0")/bootstrap.sh"
exec .venv/bin/rivalry up "$@"
