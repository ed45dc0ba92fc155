"""Settings are read once from the environment; bad values fail with a one-line message."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.settings import SettingsError, load_settings, normalise_database_url


def test_defaults_without_environment(tmp_path: Path) -> None:
    settings = load_settings({"RIVALRY_DATA_DIR": str(tmp_path)})
    assert settings.database_url is None
    assert settings.embedded
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.cors_origins == ("*",)
    assert settings.api_keys == ()
    assert settings.rate_limit_per_minute == 600
    assert settings.log_level == "INFO"
    assert settings.data_dir == tmp_path


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgresql://u:p@db:5432/rivalry", "postgresql+asyncpg://u:p@db:5432/rivalry"),
        ("postgresql+asyncpg://u@db/rivalry", "postgresql+asyncpg://u@db/rivalry"),
        ("postgres://u@db/rivalry", "postgresql+asyncpg://u@db/rivalry"),
        ("postgresql://postgres@/rivalry?host=/tmp/sock", "postgresql+asyncpg://postgres@/rivalry?host=/tmp/sock"),
    ],
)
def test_database_url_accepts_both_schemes(raw: str, expected: str) -> None:
    assert normalise_database_url(raw) == expected
    assert load_settings({"DATABASE_URL": raw}).database_url == expected


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://u@h"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"RIVALRY_PORT": "eighty"}, "RIVALRY_PORT"),
        ({"RIVALRY_PORT": "70000"}, "RIVALRY_PORT"),
        ({"RIVALRY_RATE_LIMIT_PER_MINUTE": "-1"}, "RIVALRY_RATE_LIMIT_PER_MINUTE"),
        ({"RIVALRY_CORS_ORIGINS": "example.com"}, "RIVALRY_CORS_ORIGINS"),
        ({"RIVALRY_API_KEYS": "short"}, "RIVALRY_API_KEYS"),
        ({"RIVALRY_LOG_LEVEL": "LOUD"}, "RIVALRY_LOG_LEVEL"),
        ({"RIVALRY_LOG_JSON": "maybe"}, "RIVALRY_LOG_JSON"),
        ({"RIVALRY_READ_CONNECTIONS": "0"}, "RIVALRY_READ_CONNECTIONS"),
        ({"RIVALRY_READ_CONNECTIONS": "many"}, "RIVALRY_READ_CONNECTIONS"),
        ({"RIVALRY_WORKERS": "0"}, "RIVALRY_WORKERS"),
    ],
)
def test_bad_values_fail_with_one_line_naming_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert names in message
    assert "\n" not in message


def test_data_dir_that_is_a_file_is_rejected(tmp_path: Path) -> None:
    file = tmp_path / "data"
    file.write_text("x")
    with pytest.raises(SettingsError, match="RIVALRY_DATA_DIR"):
        load_settings({"RIVALRY_DATA_DIR": str(file)})


def test_lists_are_comma_separated_and_trimmed() -> None:
    settings = load_settings(
        {
            "RIVALRY_CORS_ORIGINS": "https://a.example, http://b.example:3000 ,",
            "RIVALRY_API_KEYS": "k" * 20 + "," + "j" * 24,
            "RIVALRY_RATE_LIMIT_PER_MINUTE": "0",
            "RIVALRY_LOG_LEVEL": "debug",
        }
    )
    assert settings.cors_origins == ("https://a.example", "http://b.example:3000")
    assert settings.api_keys == ("k" * 20, "j" * 24)
    assert settings.rate_limit_per_minute == 0
    assert settings.log_level == "DEBUG"


def test_read_connections_default_to_twice_the_cores_plus_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    settings = load_settings({})
    assert (settings.read_connections, settings.workers) == (5, 1)
    assert settings.read_connections_per_worker == 5


@pytest.mark.parametrize(
    ("total", "workers", "each"),
    [("5", "1", 5), ("5", "2", 3), ("10", "4", 3), ("1", "1", 2), ("4", "8", 2), ("64", "2", 32)],
)
def test_workers_share_the_read_connections(total: str, workers: str, each: int) -> None:
    """Each worker takes its share, rounded up: a second worker does not double the connections
    PostgreSQL must serve; and every worker keeps at least two."""
    settings = load_settings({"RIVALRY_READ_CONNECTIONS": total, "RIVALRY_WORKERS": workers})
    assert settings.read_connections_per_worker == each


def test_serve_tells_its_workers_how_many_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """``rivalry serve --workers 3`` starts workers that read RIVALRY_WORKERS=3 from their
    environment, so each opens its share of the read connections, not all of them."""
    import uvicorn

    from service import cli
    from service.settings import get_settings

    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    monkeypatch.setenv("RIVALRY_READ_CONNECTIONS", "9")
    monkeypatch.setenv("RIVALRY_WORKERS", "1")  # restored after the test, whatever _serve sets
    try:
        cli._serve(load_settings(), "127.0.0.1", 8123, 3)
        assert started["workers"] == 3
        assert get_settings().workers == 3
        assert get_settings().read_connections_per_worker == 3
    finally:
        get_settings.cache_clear()
