"""Which reports are one event: the matching rules of the cluster stage, on hand-made reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from service.ingest.cluster import best_match


@dataclass(frozen=True)
class Report:
    type: str
    status: str = "reported"
    occurred_on: dt.date | None = None
    date_precision: str | None = None


PARTIES = {"person:jeanne-roux", "organisation:orbitex"}


def test_a_bid_and_a_partnership_of_the_same_parties_are_two_events() -> None:
    stored = Report("partnership")
    assert best_match(Report("bid"), PARTIES, [(stored, PARTIES, "a")]) is None
    assert best_match(Report("partnership"), PARTIES, [(Report("bid"), PARTIES, "a")]) is None


def test_a_bid_and_a_purchase_of_the_same_parties_may_be_one_deal() -> None:
    stored = Report("acquisition")
    assert best_match(Report("bid"), PARTIES, [(stored, PARTIES, "a")]) is stored


def test_an_investment_and_a_partnership_of_the_same_parties_may_be_one_deal() -> None:
    stored = Report("partnership")
    assert best_match(Report("investment"), PARTIES, [(stored, PARTIES, "a")]) is stored
