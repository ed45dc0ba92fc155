"""Wire shapes of the person resource."""

from __future__ import annotations

import msgspec

from service.facts import CitationRead


class RoleRead(msgspec.Struct):
    organisation_id: str | None
    title: str


class PersonRead(msgspec.Struct):
    id: str
    name: str
    aliases: list[str]
    roles: list[RoleRead]
    mention_count: int
    source_count: int
    citations: list[CitationRead]
