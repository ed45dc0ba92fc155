"""The database's functions and triggers, declared in each domain's ``read_model.sql``.

Those files hold the one current definition of every function and trigger of the schema: the JSON
of the stored list items and the triggers that keep them, search's accent folding and trigrams,
a rivalry's events. Registered with alembic_utils, they are compared with the database by
``alembic revision --autogenerate`` as the tables of ``service/models.py`` are, and the migration
it writes replaces whatever changed. Migrations hold copies of the definitions as they were then,
so that each one keeps doing what it did.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from alembic_utils.pg_function import PGFunction
from alembic_utils.pg_trigger import PGTrigger
from alembic_utils.replaceable_entity import ReplaceableEntity, register_entities

SERVICE = Path(__file__).resolve().parent
SCHEMA = "public"

# How autogenerate compares the database with the declarations: migrations/env.py and
# tests/test_migrations.py use these, so the test checks what `alembic revision --autogenerate` does.
AUTOGENERATE_OPTIONS: dict[str, Any] = {
    "compare_type": True,
    "compare_server_default": True,
    # Only the default schema; alembic_utils reads this option, which MigrationContext.configure()
    # does not fill in as EnvironmentContext.configure() does.
    "include_schemas": False,
}

# Enough of PostgreSQL's lexical rules to find the semicolons that end statements: not those in
# quoted strings or identifiers, dollar-quoted bodies, comments, or the statements of a
# BEGIN ATOMIC ... END body (whose CASE ... END pairs nest like psql counts them).
_TOKENS = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<quoted>'(?:[^']|'')*'|"(?:[^"]|"")*")
    | (?P<dollar>\$(?:[a-z_][a-z_0-9]*)?\$)
    | (?P<atomic>\bbegin\s+atomic\b)
    | (?P<word>[a-z_][a-z_0-9$]*)
    | (?P<semicolon>;)
    | (?P<other>.)
    """,
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
_FUNCTION = re.compile(r"create\s+(or\s+replace\s+)?function\s", re.IGNORECASE)
_TRIGGER = re.compile(r"create\s+(constraint\s+)?trigger\s", re.IGNORECASE)


def files() -> list[Path]:
    """Every domain's ``read_model.sql``. Each creates its objects in order, given the tables."""
    return sorted(SERVICE.glob("*/read_model.sql"))


def statements(sql: str) -> list[str]:
    """The statements of ``sql``, without their final semicolon or the comments between them."""
    found: list[str] = []
    start: int | None = None
    depth = 0
    pos = 0
    while pos < len(sql):
        token = _TOKENS.match(sql, pos)
        assert token is not None  # `other` matches any character
        kind, text, end = token.lastgroup, token.group(), token.end()
        if kind == "dollar":
            close = sql.find(text, end)
            if close < 0:
                raise ValueError(f"unterminated {text} quote at character {pos}")
            end = close + len(text)
        if kind == "semicolon" and depth == 0:
            if start is not None:
                found.append(sql[start:pos].strip())
            start = None
        elif kind not in ("space", "comment"):
            start = pos if start is None else start
            if kind == "atomic":
                depth += 1
            elif kind == "word" and depth and text.upper() in ("CASE", "END"):
                depth += 1 if text.upper() == "CASE" else -1
        pos = end
    if start is not None:
        found.append(sql[start:].strip())
    return found


def _entity(statement: str, path: Path) -> ReplaceableEntity:
    entity: ReplaceableEntity
    if _FUNCTION.match(statement):
        entity = PGFunction.from_sql(statement)
    elif _TRIGGER.match(statement):
        entity = PGTrigger.from_sql(statement)
    else:
        raise ValueError(f"{path}: only CREATE FUNCTION and CREATE TRIGGER belong here, not: {statement[:60]}…")
    # An unqualified function name would be read as part of its schema by alembic_utils' parser.
    if entity.schema != SCHEMA:
        raise ValueError(f"{path}: name functions {SCHEMA}.NAME: {statement[:60]}…")
    return entity


@functools.cache
def entities() -> tuple[ReplaceableEntity, ...]:
    """Every function and trigger of the ``read_model.sql`` files, in file order."""
    found: dict[str, ReplaceableEntity] = {}
    for path in files():
        for statement in statements(path.read_text(encoding="utf-8")):
            entity = _entity(statement, path)
            if entity.identity in found:
                raise ValueError(f"{path}: {entity.identity} is declared twice")
            found[entity.identity] = entity
    return tuple(found.values())


def register() -> None:
    """Have autogenerate compare the functions and triggers with the database (idempotent: the
    registry is keyed by each object's identity)."""
    register_entities(entities())
