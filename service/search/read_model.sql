-- Search without extensions. The embedded PostgreSQL (the pgserver wheel) ships no contrib modules,
-- so neither `unaccent` nor `pg_trgm` can be relied on: these functions give the same behaviour in
-- every environment. They are IMMUTABLE because generated columns and indexes are built on them
-- (service/models.py): replacing one with a different result needs those rebuilt.

-- Accent folding for French full-text search and name look-ups.
CREATE FUNCTION public.rivalry_unaccent(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN translate(
    replace(replace(replace(replace(replace(value, 'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE'), 'ß', 'ss'),
    'àáâãäåāăąçćčďèéêëēĕėęěìíîïĩīįıñńňòóôõöøōőùúûüũūůűųýÿžźżšśşřŕľĺłţťÀÁÂÃÄÅĀĂĄÇĆČĎÈÉÊËĒĔĖĘĚÌÍÎÏĨĪĮİÑŃŇÒÓÔÕÖØŌŐÙÚÛÜŨŪŮŰŲÝŸŽŹŻŠŚŞŘŔĽĹŁŢŤ’‘',
    'aaaaaaaaacccdeeeeeeeeeiiiiiiiinnnoooooooouuuuuuuuuyyzzzsssrrlllttAAAAAAAAACCCDEEEEEEEEEIIIIIIIINNNOOOOOOOOUUUUUUUUUYYZZZSSSRRLLLTT'''''
);

-- The word trigrams of a text (pg_trgm's padding: two spaces before each word, one after), sorted
-- and without duplicates, as rivalry_similarity expects; stored in a GIN-indexed text[] for fuzzy
-- name search.
CREATE FUNCTION public.rivalry_trigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT coalesce(array_agg(DISTINCT substr(padded, i, 3) ORDER BY substr(padded, i, 3)), '{}')
    FROM (
        SELECT '  ' || word || ' ' AS padded
        FROM regexp_split_to_table(lower(rivalry_unaccent(value)), '[^a-z0-9]+') AS word
        WHERE word <> ''
    ) AS words
    CROSS JOIN LATERAL generate_series(1, length(padded) - 2) AS i;
END;

-- Jaccard similarity of two trigram sets: shared / (|a| + |b| - shared); 0 when either is empty.
-- A PL/pgSQL loop, because name search calls it on every candidate alias (thousands for a common
-- word) and a SQL function's subquery starts a small executor on each call.
CREATE FUNCTION public.rivalry_similarity(a text[], b text[]) RETURNS real
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    shared int := 0;
    gram text;
BEGIN
    IF cardinality(a) = 0 OR cardinality(b) = 0 THEN
        RETURN 0;
    END IF;
    FOREACH gram IN ARRAY a LOOP
        IF gram = ANY(b) THEN
            shared := shared + 1;
        END IF;
    END LOOP;
    RETURN shared::real / (cardinality(a) + cardinality(b) - shared)::real;
END
$$;
