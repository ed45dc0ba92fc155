"""What the event stage hands on: one event candidate and the clause it was read in."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.ingest.types import DateMention, EntityMention, MoneyMention, Sentence


@dataclass
class Clause:
    start: int
    end: int


@dataclass
class EventDraft:
    type: str
    status: str
    sentence: Sentence
    clause: Clause
    trigger_start: int
    trigger_end: int
    participants: list[tuple[EntityMention, str]]
    date: DateMention | None
    reported: DateMention | None
    money: list[MoneyMention] = field(default_factory=list)
    status_cue: tuple[int, int] | None = None
