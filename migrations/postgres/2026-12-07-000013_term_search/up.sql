-- SQLite's term search gets its FTS5 index here; PostgreSQL's trigram
-- index (000004) already serves it.

-- The version of the folding rules (lower case, no accents, ligatures
-- spelled out) that name_key and search_document were written with: 1 for
-- every row so far. The application re-folds older rows when it starts.
CREATE TABLE search_folding (version INTEGER PRIMARY KEY);
INSERT INTO search_folding (version) VALUES (1);
