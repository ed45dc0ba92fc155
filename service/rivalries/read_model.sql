-- A rivalry's events: those where its two sides take part on opposite sides. The timeline route
-- filters on rivalry_event_ids and the loader counts with it (`event_count`, `first_event_on`,
-- `last_event_on`), so this is the one definition of both.

-- A party's side: the party itself and, for a person, the organisations they run (a role with a
-- chief's title). Musk's side includes the companies he runs, so his suits against OpenAI are
-- part of Musk against Altman.
CREATE FUNCTION public.rivalry_side(kind text, organisation_id text, person_id text)
RETURNS TABLE (side_organisation text, side_person text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT organisation_id, person_id
    UNION
    SELECT r.organisation_id, NULL FROM person_roles AS r
    WHERE kind = 'person' AND r.person_id = rivalry_side.person_id
      AND lower(r.title) IN (
          'pdg', 'ceo', 'directeur général', 'directrice générale', 'président-directeur général',
          'patron', 'patronne', 'propriétaire', 'dirigeant', 'dirigeante'
      )
$$;

-- Opposite sides are roles that face each other: a plaintiff and a defendant, a bidder or a buyer
-- and its target, a speaker and whom they speak of. Partners of one deal, co-defendants, or a
-- founder and the company founded are on one side.
CREATE FUNCTION public.rivalry_event_ids(rivalry text)
RETURNS SETOF text
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
    WHERE r.id = rivalry
      AND (pa.role, pb.role) IN (
          ('plaintiff', 'defendant'), ('defendant', 'plaintiff'),
          ('bidder', 'target'), ('target', 'bidder'),
          ('acquirer', 'target'), ('target', 'acquirer'),
          ('speaker', 'subject'), ('subject', 'speaker')
      )
$$;
