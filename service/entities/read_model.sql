-- Organisations and people as the stored list items of events and funding name them
-- (service/events/read_model.sql, service/funding/read_model.sql).

-- An entity reference as the API shows it (EntityRef, service/facts.py): its name, or its id when
-- it has no row (yet).
CREATE FUNCTION public.rivalry_entity_json(kind text, organisation text, person text) RETURNS json
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT json_build_object(
        'entity_kind', kind,
        'id', coalesce(organisation, person),
        'name', coalesce(
            (SELECT o.name FROM organisations o WHERE o.id = organisation),
            (SELECT p.name FROM people p WHERE p.id = person),
            organisation, person
        )
    ));
END
$$;

-- An organisation or a person renamed: the items naming it (as a participant, a payer or a
-- recipient) are recomputed, or queued when the transaction defers (`rivalry.defer_list_items`).
-- A changed id needs nothing here: it cascades to the participant and payer rows, whose own
-- triggers fire.
CREATE FUNCTION public.rivalry_names_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    deferred boolean := coalesce(current_setting('rivalry.defer_list_items', true), '') = 'on';
    renamed text[];
BEGIN
    SELECT array_agg(n.id) INTO renamed FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.name IS DISTINCT FROM o.name;
    IF renamed IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'organisations' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (
                SELECT event_id FROM event_participants WHERE organisation_id = ANY(renamed)
            ) AS x(id)
            ON CONFLICT DO NOTHING;
            INSERT INTO list_item_queue (kind, id)
            SELECT 'funding', x.id FROM (
                SELECT id FROM funding WHERE recipient_organisation_id = ANY(renamed)
                UNION SELECT funding_id FROM funding_payers WHERE organisation_id = ANY(renamed)
            ) AS x(id)
            ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL WHERE id IN (
                SELECT event_id FROM event_participants WHERE organisation_id = ANY(renamed)
            );
            UPDATE funding SET list_item = NULL WHERE id IN (
                SELECT id FROM funding WHERE recipient_organisation_id = ANY(renamed)
                UNION SELECT funding_id FROM funding_payers WHERE organisation_id = ANY(renamed)
            );
        END IF;
    ELSE
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (
                SELECT event_id FROM event_participants WHERE person_id = ANY(renamed)
            ) AS x(id)
            ON CONFLICT DO NOTHING;
            INSERT INTO list_item_queue (kind, id)
            SELECT 'funding', x.id FROM (
                SELECT id FROM funding WHERE recipient_person_id = ANY(renamed)
                UNION SELECT funding_id FROM funding_payers WHERE person_id = ANY(renamed)
            ) AS x(id)
            ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL WHERE id IN (
                SELECT event_id FROM event_participants WHERE person_id = ANY(renamed)
            );
            UPDATE funding SET list_item = NULL WHERE id IN (
                SELECT id FROM funding WHERE recipient_person_id = ANY(renamed)
                UNION SELECT funding_id FROM funding_payers WHERE person_id = ANY(renamed)
            );
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER organisations_renamed AFTER UPDATE ON organisations
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_names_changed();

CREATE TRIGGER people_renamed AFTER UPDATE ON people
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_names_changed();
