"""Wire shapes of the organisation resource."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from service.facts import CitationRead

OrganisationKind = Literal[
    "ai_lab", "big_tech", "aerospace", "investor", "chipmaker", "media", "government", "energy", "other"
]
EntitySort = Literal["name", "-mention_count"]


class OrganisationRead(msgspec.Struct):
    id: str
    name: str
    aliases: list[str]
    kind: OrganisationKind
    country: str | None
    description: str | None
    mention_count: int
    source_count: int
    first_seen_on: dt.date | None
    last_seen_on: dt.date | None
    citations: list[CitationRead]


class OrganisationPerson(msgspec.Struct):
    person_id: str
    name: str
    role: str


class RelationshipRead(msgspec.Struct):
    """``type`` reads from this organisation: "subsidiary_of" X, "parent_of" Y, "invested_in" Z…"""

    type: str
    organisation_id: str
    name: str
    citations: list[CitationRead]


class OrganisationDetail(OrganisationRead):
    people: list[OrganisationPerson]
    relationships: list[RelationshipRead]
