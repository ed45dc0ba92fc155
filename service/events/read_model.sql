-- Each event keeps its list item, the JSON a list page shows of it, in `events.list_item`, so a page
-- is an index range read of stored values rather than a join per row. Triggers keep the items true
-- whatever writes: a row's own insert or update recomputes its item, and a write to what an item
-- shows from other tables (participants and their names, the event's funding ids, its first
-- citation) recomputes the items it touches. Names and citations are in
-- service/entities/read_model.sql and service/documents/read_model.sql.
--
-- A transaction that sets `rivalry.defer_list_items` to `on` (a document's load) has the triggers
-- queue the rows instead (`list_item_queue`), and recomputes each once when it calls
-- rivalry_flush_list_items(), or at commit if it never does.

-- An event as the API shows it (EventRead, service/events/schemas.py), field for field: with its
-- first citation for the list item (`lead_only`), all of them for the detail route. Its claims
-- (field/value citations) appear under `conflicts`, not `citations`.
-- PL/pgSQL rather than SQL: a SQL function with subqueries is never inlined and is planned again
-- by every statement calling it, while PL/pgSQL keeps its plans for the connection's lifetime.
CREATE FUNCTION public.rivalry_event_json(e events, lead_only boolean) RETURNS json
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT json_build_object(
        'id', e.id, 'type', e.type, 'title', e.title, 'summary', e.summary, 'status', e.status,
        'occurred_on', e.occurred_on, 'date_precision', e.date_precision, 'date_text', e.date_text,
        'reported_on', e.reported_on,
        'participants', coalesce((
            SELECT json_agg(json_build_object(
                'entity_kind', p.kind,
                'id', coalesce(p.organisation_id, p.person_id),
                'name', coalesce(o.name, pp.name, p.organisation_id, p.person_id),
                'role', p.role
            ) ORDER BY p.id)
            FROM event_participants p
            LEFT JOIN organisations o ON o.id = p.organisation_id
            LEFT JOIN people pp ON pp.id = p.person_id
            WHERE p.event_id = e.id
        ), '[]'::json),
        'funding_ids', coalesce((SELECT json_agg(f.id ORDER BY f.id) FROM funding f WHERE f.event_id = e.id), '[]'::json),
        'source_count', e.source_count, 'first_reported_on', e.first_reported_on,
        'last_reported_on', e.last_reported_on, 'conflicts', e.conflicts,
        'citations', rivalry_citations_json('event', e.id, lead_only, false)
    ));
END
$$;

-- A row's own writes: its item from its new values, or queued when the transaction defers.
CREATE FUNCTION public.rivalry_event_item() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('rivalry.defer_list_items', true), '') = 'on' THEN
        INSERT INTO list_item_queue (kind, id) VALUES ('event', NEW.id) ON CONFLICT DO NOTHING;
        RETURN NEW;
    END IF;
    NEW.list_item := rivalry_event_json(NEW, true);
    RETURN NEW;
END
$$;

CREATE TRIGGER list_item BEFORE INSERT OR UPDATE ON events
FOR EACH ROW EXECUTE FUNCTION rivalry_event_item();

-- Writes to participants: their events' items are recomputed (`list_item = NULL` is only the
-- update's pretext: the row trigger above computes the item). An update that changes nothing an
-- item shows, such as a participant row following its event's type and date, touches no event.
-- A transition table exists only for the operations that have it, and PL/pgSQL plans a statement
-- when it first runs it, so each operation has its own branch.
CREATE FUNCTION public.rivalry_participants_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    deferred boolean := coalesce(current_setting('rivalry.defer_list_items', true), '') = 'on';
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (SELECT event_id FROM new_rows) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL WHERE id IN (SELECT event_id FROM new_rows);
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (SELECT event_id FROM old_rows) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL WHERE id IN (SELECT event_id FROM old_rows);
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (
                SELECT n.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.event_id, n.kind, n.organisation_id, n.person_id, n.role)
                      IS DISTINCT FROM (o.event_id, o.kind, o.organisation_id, o.person_id, o.role)
                UNION
                SELECT o.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.event_id, n.kind, n.organisation_id, n.person_id, n.role)
                      IS DISTINCT FROM (o.event_id, o.kind, o.organisation_id, o.person_id, o.role)
            ) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL WHERE id IN (
                SELECT n.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.event_id, n.kind, n.organisation_id, n.person_id, n.role)
                      IS DISTINCT FROM (o.event_id, o.kind, o.organisation_id, o.person_id, o.role)
                UNION
                SELECT o.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.event_id, n.kind, n.organisation_id, n.person_id, n.role)
                      IS DISTINCT FROM (o.event_id, o.kind, o.organisation_id, o.person_id, o.role)
            );
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- Statement triggers: one UPDATE (or queue insert) per statement, however many rows it wrote. One
-- per operation, each naming the transition tables that operation has.
CREATE TRIGGER participants_changed_insert AFTER INSERT ON event_participants
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_participants_changed();

CREATE TRIGGER participants_changed_update AFTER UPDATE ON event_participants
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_participants_changed();

CREATE TRIGGER participants_changed_delete AFTER DELETE ON event_participants
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_participants_changed();

-- An event lists its funding ids: funding added, removed or moved to another event. Updates that
-- leave `event_id` alone, by far the most common, touch no event.
CREATE FUNCTION public.rivalry_funding_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    deferred boolean := coalesce(current_setting('rivalry.defer_list_items', true), '') = 'on';
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (SELECT event_id FROM new_rows) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL WHERE id IN (SELECT event_id FROM new_rows);
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (SELECT event_id FROM old_rows) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL WHERE id IN (SELECT event_id FROM old_rows);
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (
                SELECT n.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE o.event_id IS DISTINCT FROM n.event_id
                UNION
                SELECT o.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE o.event_id IS DISTINCT FROM n.event_id
            ) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL WHERE id IN (
                SELECT n.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE o.event_id IS DISTINCT FROM n.event_id
                UNION
                SELECT o.event_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE o.event_id IS DISTINCT FROM n.event_id
            );
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER funding_changed_insert AFTER INSERT ON funding
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_funding_changed();

CREATE TRIGGER funding_changed_update AFTER UPDATE ON funding
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_funding_changed();

CREATE TRIGGER funding_changed_delete AFTER DELETE ON funding
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_funding_changed();

-- Each participant row carries a copy of its event's type and date (`event_type`,
-- `event_occurred_on`), so that one entity's events are read from one index in page order
-- (service/models.py). A row written without them, or moved to another event, takes them from the
-- event (NULL for a missing event: the foreign key then rejects the row at the end of the
-- statement, with its usual error). A writer may give them itself: the loader does, because it
-- writes events and their participants in one statement, whose triggers see the events as they
-- were before it.
CREATE FUNCTION public.rivalry_participant_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR NEW.event_type IS NULL THEN
        SELECT e.type, e.occurred_on INTO NEW.event_type, NEW.event_occurred_on FROM events e WHERE e.id = NEW.event_id;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER participant_event BEFORE INSERT OR UPDATE OF event_id ON event_participants
FOR EACH ROW EXECUTE FUNCTION rivalry_participant_event();

-- An event whose type or date changes passes them on to its participant rows. Row triggers AFTER
-- an update run at the end of the statement and see everything it wrote, participant rows inserted
-- by the same statement included.
CREATE FUNCTION public.rivalry_event_participants_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE event_participants SET event_type = NEW.type, event_occurred_on = NEW.occurred_on
    WHERE event_id = NEW.id AND (event_type, event_occurred_on) IS DISTINCT FROM (NEW.type, NEW.occurred_on);
    RETURN NULL;
END
$$;

CREATE TRIGGER event_participants_follow AFTER UPDATE OF type, occurred_on ON events
FOR EACH ROW WHEN (OLD.type IS DISTINCT FROM NEW.type OR OLD.occurred_on IS DISTINCT FROM NEW.occurred_on)
EXECUTE FUNCTION rivalry_event_participants_follow();

-- Recompute the items a deferring transaction queued, events and funding alike, once each, and
-- stop deferring. Each transaction reads and empties only its own rows, found by the first column
-- of the primary key: rows are deleted by the transaction that queued them, so between
-- transactions the table holds only dead rows, and without VACUUM (autovacuum may be off) a scan
-- of the whole queue would walk every row ever queued.
CREATE FUNCTION public.rivalry_flush_list_items() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('rivalry.defer_list_items', 'off', true);
    WITH queued AS (DELETE FROM list_item_queue WHERE xact = pg_current_xact_id() AND kind = 'event' RETURNING id)
    UPDATE events SET list_item = NULL WHERE id IN (SELECT id FROM queued);
    WITH queued AS (DELETE FROM list_item_queue WHERE xact = pg_current_xact_id() AND kind = 'funding' RETURNING id)
    UPDATE funding SET list_item = NULL WHERE id IN (SELECT id FROM queued);
END
$$;

-- A transaction that deferred and never flushed is flushed when it commits, so no committed item
-- is ever stale: a deferred constraint trigger on the queue runs then.
CREATE FUNCTION public.rivalry_list_items_at_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('rivalry.defer_list_items', true), '') = 'on' THEN
        PERFORM rivalry_flush_list_items();
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER list_item_queue_at_commit AFTER INSERT ON list_item_queue
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION rivalry_list_items_at_commit();
