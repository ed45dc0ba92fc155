-- Citations in the stored list items and the detail JSON of events and funding
-- (service/events/read_model.sql, service/funding/read_model.sql).

-- A fact's citations as the API shows them (CitationRead, service/facts.py), field for field, in
-- the order they were stored: the first one only (`lead_only`) for list items, all of them for
-- details. `claims` adds the citations that back one claim (those with a `field`); an event shows
-- those under `conflicts` instead.
-- PL/pgSQL rather than SQL, as every function the items are built with: a SQL function with
-- subqueries is never inlined and is planned again by every statement calling it, while PL/pgSQL
-- keeps its plans for the connection's lifetime.
CREATE FUNCTION public.rivalry_citations_json(kind text, fact text, lead_only boolean, claims boolean) RETURNS json
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (
        SELECT coalesce(json_agg(json_build_object(
            'document_id', c.document_id, 'start', c.start, 'end', c."end", 'quote', c.quote,
            'prefix', c.prefix, 'suffix', c.suffix, 'extractor', c.extractor, 'confidence', c.confidence
        ) ORDER BY c.id), '[]'::json)
        FROM (
            SELECT * FROM citations c
            WHERE c.fact_kind = kind AND c.fact_id = fact AND (claims OR c.field IS NULL)
            ORDER BY c.id LIMIT CASE WHEN lead_only THEN 1 END
        ) c
    );
END
$$;

-- Citations written or deleted: the items of the events and funding they cite are recomputed
-- (an event's item shows no claim citation). When the transaction defers
-- (`rivalry.defer_list_items`, a document's load), the rows are queued instead and recomputed once
-- when it flushes (service/events/read_model.sql). A transition table exists only for the
-- operations that have it, and PL/pgSQL plans a statement when it first runs it, so each operation
-- has its own branch.
CREATE FUNCTION public.rivalry_citations_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    deferred boolean := coalesce(current_setting('rivalry.defer_list_items', true), '') = 'on';
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (SELECT fact_id FROM new_rows WHERE fact_kind = 'event' AND field IS NULL) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO list_item_queue (kind, id)
            SELECT 'funding', x.id FROM (SELECT fact_id FROM new_rows WHERE fact_kind = 'funding') AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL
            WHERE id IN (SELECT fact_id FROM new_rows WHERE fact_kind = 'event' AND field IS NULL);
            UPDATE funding SET list_item = NULL
            WHERE id IN (SELECT fact_id FROM new_rows WHERE fact_kind = 'funding');
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (SELECT fact_id FROM old_rows WHERE fact_kind = 'event' AND field IS NULL) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO list_item_queue (kind, id)
            SELECT 'funding', x.id FROM (SELECT fact_id FROM old_rows WHERE fact_kind = 'funding') AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL
            WHERE id IN (SELECT fact_id FROM old_rows WHERE fact_kind = 'event' AND field IS NULL);
            UPDATE funding SET list_item = NULL
            WHERE id IN (SELECT fact_id FROM old_rows WHERE fact_kind = 'funding');
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF deferred THEN
            INSERT INTO list_item_queue (kind, id)
            SELECT 'event', x.id FROM (
                SELECT fact_id FROM new_rows WHERE fact_kind = 'event' AND field IS NULL
                UNION SELECT fact_id FROM old_rows WHERE fact_kind = 'event' AND field IS NULL
            ) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
            INSERT INTO list_item_queue (kind, id)
            SELECT 'funding', x.id FROM (
                SELECT fact_id FROM new_rows WHERE fact_kind = 'funding'
                UNION SELECT fact_id FROM old_rows WHERE fact_kind = 'funding'
            ) AS x(id)
            WHERE x.id IS NOT NULL ON CONFLICT DO NOTHING;
        ELSE
            UPDATE events SET list_item = NULL WHERE id IN (
                SELECT fact_id FROM new_rows WHERE fact_kind = 'event' AND field IS NULL
                UNION SELECT fact_id FROM old_rows WHERE fact_kind = 'event' AND field IS NULL
            );
            UPDATE funding SET list_item = NULL WHERE id IN (
                SELECT fact_id FROM new_rows WHERE fact_kind = 'funding'
                UNION SELECT fact_id FROM old_rows WHERE fact_kind = 'funding'
            );
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- Statement triggers: one UPDATE (or queue insert) per statement, however many rows it wrote. One
-- per operation, each naming the transition tables that operation has (an INSERT has no old rows,
-- a DELETE no new ones).
CREATE TRIGGER citations_changed_insert AFTER INSERT ON citations
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_citations_changed();

CREATE TRIGGER citations_changed_update AFTER UPDATE ON citations
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_citations_changed();

CREATE TRIGGER citations_changed_delete AFTER DELETE ON citations
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION rivalry_citations_changed();
