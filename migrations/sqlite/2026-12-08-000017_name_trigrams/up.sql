-- filter[name] on SQLite: a `LIKE '%part%'` has no index and read every
-- row's name_key (a million rows: about a second per request, and 503s
-- under load). An FTS5 index of each name_key's trigrams finds the rows
-- that hold every trigram of a part; the LIKE then checks only those.
-- * Contentless, deletable by rowid, no positions: it only narrows the rows
--   down, so it need not know where a trigram is.
-- * A part shorter than three characters has no trigram and is still
--   answered by reading every name.
-- * Triggers keep it in the transaction of every write.
CREATE VIRTUAL TABLE accounts_name_trigrams USING fts5 (
    name_key,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'trigram'
);

INSERT INTO accounts_name_trigrams (rowid, name_key) SELECT id, name_key FROM accounts;

CREATE TRIGGER accounts_name_trigrams_inserts AFTER INSERT ON accounts
BEGIN
    INSERT INTO accounts_name_trigrams (rowid, name_key) VALUES (NEW.id, NEW.name_key);
END;

CREATE TRIGGER accounts_name_trigrams_deletes AFTER DELETE ON accounts
BEGIN
    DELETE FROM accounts_name_trigrams WHERE rowid = OLD.id;
END;

CREATE TRIGGER accounts_name_trigrams_updates AFTER UPDATE OF name_key ON accounts
WHEN OLD.name_key IS NOT NEW.name_key
BEGIN
    DELETE FROM accounts_name_trigrams WHERE rowid = OLD.id;
    INSERT INTO accounts_name_trigrams (rowid, name_key) VALUES (NEW.id, NEW.name_key);
END;
