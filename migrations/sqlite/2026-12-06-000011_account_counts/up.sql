-- Exact list totals without counting the table (see the PostgreSQL
-- migration). SQLite has one writer at a time, so one shard is enough.
CREATE TABLE account_counts (
    kind TEXT NOT NULL,
    representative_id INTEGER NOT NULL,
    shard INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (kind, representative_id, shard)
) WITHOUT ROWID;

INSERT INTO account_counts (kind, representative_id, shard, n)
SELECT kind, coalesce(representative_id, 0), 0, count(*)
FROM accounts
GROUP BY kind, coalesce(representative_id, 0);

CREATE TRIGGER accounts_counted_inserts AFTER INSERT ON accounts
BEGIN
    INSERT INTO account_counts (kind, representative_id, shard, n)
    VALUES (NEW.kind, coalesce(NEW.representative_id, 0), 0, 1)
    ON CONFLICT (kind, representative_id, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER accounts_counted_deletes AFTER DELETE ON accounts
BEGIN
    UPDATE account_counts SET n = n - 1
    WHERE kind = OLD.kind AND representative_id = coalesce(OLD.representative_id, 0) AND shard = 0;
END;

CREATE TRIGGER accounts_counted_moves AFTER UPDATE OF representative_id, kind ON accounts
WHEN OLD.representative_id IS NOT NEW.representative_id OR OLD.kind IS NOT NEW.kind
BEGIN
    UPDATE account_counts SET n = n - 1
    WHERE kind = OLD.kind AND representative_id = coalesce(OLD.representative_id, 0) AND shard = 0;
    INSERT INTO account_counts (kind, representative_id, shard, n)
    VALUES (NEW.kind, coalesce(NEW.representative_id, 0), 0, 1)
    ON CONFLICT (kind, representative_id, shard) DO UPDATE SET n = n + 1;
END;
