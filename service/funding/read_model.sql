-- Each funding row keeps its list item, the JSON a list page shows of it, in `funding.list_item`,
-- kept by triggers as the events' are (service/events/read_model.sql, which also holds the queue a
-- deferring transaction fills and flushes). Names and citations are in
-- service/entities/read_model.sql and service/documents/read_model.sql.

-- A funding as the API shows it (FundingRead, service/funding/schemas.py), field for field: with
-- its first citation for the list item (`lead_only`), all of them for the detail route.
-- PL/pgSQL rather than SQL: a SQL function with subqueries is never inlined and is planned again
-- by every statement calling it, while PL/pgSQL keeps its plans for the connection's lifetime.
CREATE FUNCTION public.rivalry_funding_json(f funding, lead_only boolean) RETURNS json
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT json_build_object(
        'id', f.id, 'kind', f.kind, 'amount', f.amount::float8, 'currency', f.currency,
        'qualifier', f.qualifier, 'amount_usd', f.amount_usd::float8, 'equivalents', f.equivalents,
        'amount_text', f.amount_text,
        'payers', coalesce((
            SELECT json_agg(rivalry_entity_json(p.kind, p.organisation_id, p.person_id) ORDER BY p.id)
            FROM funding_payers p WHERE p.funding_id = f.id
        ), '[]'::json),
        'recipient', CASE WHEN f.recipient_kind IS NULL THEN NULL
            ELSE rivalry_entity_json(f.recipient_kind, f.recipient_organisation_id, f.recipient_person_id) END,
        'event_id', f.event_id, 'occurred_on', f.occurred_on, 'date_precision', f.date_precision,
        'status', f.status, 'source_count', f.source_count,
        'citations', rivalry_citations_json('funding', f.id, lead_only, true)
    ));
END
$$;

-- A row's own writes: its item from its new values, or queued when the transaction defers.
CREATE FUNCTION public.rivalry_funding_item() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('rivalry.defer_list_items', true), '') = 'on' THEN
        INSERT INTO list_item_queue (kind, id) VALUES ('funding', NEW.id) ON CONFLICT DO NOTHING;
        RETURN NEW;
    END IF;
    NEW.list_item := rivalry_funding_json(NEW, true);
    RETURN NEW;
END
$$;

CREATE TRIGGER list_item BEFORE INSERT OR UPDATE ON funding
FOR EACH ROW EXECUTE FUNCTION rivalry_funding_item();

-- Writes to payers: their funding's items are recomputed (`list_item = NULL` is only the update's
-- pretext: the row trigger above computes the item), or queued when the transaction defers. A
-- transition table exists only for the operations that have it, and PL/pgSQL plans a statement
-- when it first runs it, so each operation has its own branch.
CREATE FUNCTION public.rivalry_payers_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    deferred boolean := coalesce(current_setting('rivalry.defer_list_items', true), '') = 'on';
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'funding', x.id FROM (SELECT funding_id FROM new_rows) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE funding SET list_item = NULL WHERE id IN (SELECT funding_id FROM new_rows);
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'funding', x.id FROM (SELECT funding_id FROM old_rows) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE funding SET list_item = NULL WHERE id IN (SELECT funding_id FROM old_rows);
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'funding', x.id FROM (SELECT funding_id FROM new_rows UNION SELECT funding_id FROM old_rows) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE funding SET list_item = NULL
            WHERE id IN (SELECT funding_id FROM new_rows UNION SELECT funding_id FROM old_rows);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- Statement triggers: one UPDATE (or queue insert) per statement, however many rows it wrote. One
-- per operation, each naming the transition tables that operation has.
CREATE TRIGGER payers_changed_insert AFTER INSERT ON funding_payers
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_payers_changed();

CREATE TRIGGER payers_changed_update AFTER UPDATE ON funding_payers
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_payers_changed();

CREATE TRIGGER payers_changed_delete AFTER DELETE ON funding_payers
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_payers_changed();
