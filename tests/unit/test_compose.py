"""docker compose cannot run here (no engine), so the compose file is checked statically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_services_are_db_migrate_seed_and_api() -> None:
    assert set(_compose()["services"]) == {"db", "migrate", "seed", "api"}


def test_database_is_postgres_16_with_a_healthcheck() -> None:
    db = _compose()["services"]["db"]
    assert db["image"] == "postgres:16"
    check = db["healthcheck"]
    assert "pg_isready" in " ".join(check["test"])
    assert check["retries"] >= 3


def test_one_shot_jobs_run_the_cli_in_order() -> None:
    services = _compose()["services"]
    assert services["migrate"]["command"] == ["rivalry", "migrate"]
    assert services["seed"]["command"] == ["rivalry", "seed"]
    assert services["migrate"]["restart"] == "no"
    assert services["seed"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["api"]["depends_on"]["seed"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("migrate", "seed", "api"):
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert "@db:5432/" in services[name]["environment"]["DATABASE_URL"]


def test_api_serves_on_8000_built_from_the_lock_file() -> None:
    api = _compose()["services"]["api"]
    assert api["command"][:2] == ["rivalry", "serve"]
    assert "8000:8000" in api["ports"]
    assert api["build"] == "."
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv.lock" in dockerfile
    assert "uv sync --frozen" in dockerfile
    for path in ("service", "migrations", "seeds", "alembic.ini"):
        assert f"COPY {path}" in dockerfile


def test_seed_corpus_is_in_the_image_context() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "seeds" not in ignored
    assert len(list((ROOT / "seeds" / "corpus").glob("*.txt"))) >= 5


def test_the_image_leaves_the_embedded_database_and_caches_out() -> None:
    """pgserver has no wheel for Linux arm64: it is an extra the image never asks for, and the
    local scripts install it only where a wheel exists (the marker in pyproject.toml)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith("pgserver") for dep in project["dependencies"])
    (embedded,) = project["optional-dependencies"]["embedded"]
    assert embedded.startswith("pgserver") and "platform_machine == 'x86_64'" in embedded
    assert "--extra" not in (ROOT / "Dockerfile").read_text()
    assert "--extra embedded" in (ROOT / "scripts" / "bootstrap.sh").read_text()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".cache", ".venv", ".git", "**/node_modules"} <= set(ignored)
