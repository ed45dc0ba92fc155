"""A rivalry's events: those where its two sides take part on opposite sides.

A side is the party itself or, for a person, an organisation they run (``person_roles`` with a
chief's title): Musk against Altman lists Musk's lawsuits against OpenAI, which Altman runs.
Opposite sides means roles that face each other: a plaintiff and a defendant, a bidder or a buyer
and its target, a speaker and whom they speak of. Partners of one deal, co-defendants, or a
founder and the company founded are not on opposite sides. ``rivalry_event_ids`` is the one
definition: the timeline route filters on it and the loader counts with it (``event_count``,
``first_event_on``, ``last_event_on``).

Revision ID: a7d3e9f1b2c4
Revises: f2c6a8d4b913
Create Date: 2026-12-07 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "a7d3e9f1b2c4"
down_revision: str | None = "f2c6a8d4b913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACING = (("plaintiff", "defendant"), ("bidder", "target"), ("acquirer", "target"), ("speaker", "subject"))
CHIEFS = (
    "pdg", "ceo", "directeur général", "directrice générale", "président-directeur général",
    "patron", "patronne", "propriétaire", "dirigeant", "dirigeante",
)  # fmt: skip


def upgrade() -> None:
    chiefs = ", ".join(f"'{title}'" for title in CHIEFS)
    facing = ", ".join(f"('{a}', '{b}'), ('{b}', '{a}')" for a, b in FACING)
    op.execute(
        f"""
        CREATE FUNCTION rivalry_side(kind text, organisation_id text, person_id text)
        RETURNS TABLE (side_organisation text, side_person text)
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
            SELECT organisation_id, person_id
            UNION
            SELECT r.organisation_id, NULL FROM person_roles AS r
            WHERE kind = 'person' AND r.person_id = rivalry_side.person_id AND lower(r.title) IN ({chiefs})
        $$
        """  # noqa: S608 - the titles are this module's constants
    )
    op.execute(
        f"""
        CREATE FUNCTION rivalry_event_ids(rivalry text) RETURNS SETOF text
        LANGUAGE sql STABLE PARALLEL SAFE AS $$
            SELECT DISTINCT pa.event_id
            FROM rivalries AS r
            CROSS JOIN LATERAL rivalry_side(r.party_a_kind, r.party_a_organisation_id, r.party_a_person_id) AS a
            CROSS JOIN LATERAL rivalry_side(r.party_b_kind, r.party_b_organisation_id, r.party_b_person_id) AS b
            JOIN event_participants AS pa
              ON pa.organisation_id = a.side_organisation OR pa.person_id = a.side_person
            JOIN event_participants AS pb
              ON pb.event_id = pa.event_id
             AND (pb.organisation_id = b.side_organisation OR pb.person_id = b.side_person)
            WHERE r.id = rivalry AND (pa.role, pb.role) IN ({facing})
        $$
        """  # noqa: S608 - the roles are this module's constants
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION rivalry_event_ids(text)")
    op.execute("DROP FUNCTION rivalry_side(text, text, text)")
