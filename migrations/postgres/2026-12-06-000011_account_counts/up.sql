-- Exact list totals without counting the table: how many accounts of each
-- kind each representative has (0: none), kept by triggers in the same
-- transaction as every insert, delete and change of representative. Each
-- count is split into shards chosen by the writing session, so concurrent
-- creates do not queue on one hot row; a total is the sum of its shards.
CREATE TABLE account_counts (
    kind TEXT NOT NULL,
    representative_id BIGINT NOT NULL,
    shard SMALLINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (kind, representative_id, shard)
);

INSERT INTO account_counts (kind, representative_id, shard, n)
SELECT kind, coalesce(representative_id, 0), 0, count(*)
FROM accounts
GROUP BY kind, coalesce(representative_id, 0);

-- Inserts and deletes count once per statement, each key once (so a bulk
-- insert costs one upsert per representative, not one per row), in key
-- order so that two statements lock shared shards alike and cannot deadlock.
CREATE FUNCTION account_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_counts AS counts (kind, representative_id, shard, n)
    SELECT kind, coalesce(representative_id, 0), (pg_backend_pid() % 16)::smallint, count(*)
    FROM inserted
    GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (kind, representative_id, shard) DO UPDATE SET n = counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE FUNCTION account_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_counts AS counts (kind, representative_id, shard, n)
    SELECT kind, coalesce(representative_id, 0), (pg_backend_pid() % 16)::smallint, -count(*)
    FROM deleted
    GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (kind, representative_id, shard) DO UPDATE SET n = counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;

-- A change of representative (an update, or a user's deletion setting it
-- to NULL) moves one from the old key to the new.
CREATE FUNCTION account_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_counts AS counts (kind, representative_id, shard, n)
    SELECT moved.kind, moved.representative_id, (pg_backend_pid() % 16)::smallint, moved.n
    FROM (VALUES
        (OLD.kind, coalesce(OLD.representative_id, 0), -1::bigint),
        (NEW.kind, coalesce(NEW.representative_id, 0), 1::bigint)
    ) AS moved (kind, representative_id, n)
    ORDER BY 1, 2
    ON CONFLICT (kind, representative_id, shard) DO UPDATE SET n = counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER accounts_counted_inserts AFTER INSERT ON accounts
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION account_counts_inserted();
CREATE TRIGGER accounts_counted_deletes AFTER DELETE ON accounts
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION account_counts_deleted();
CREATE TRIGGER accounts_counted_moves AFTER UPDATE OF representative_id, kind ON accounts
    FOR EACH ROW
    WHEN (OLD.representative_id IS DISTINCT FROM NEW.representative_id OR OLD.kind <> NEW.kind)
    EXECUTE FUNCTION account_counts_moved();
