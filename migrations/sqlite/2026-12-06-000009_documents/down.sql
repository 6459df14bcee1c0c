CREATE TABLE documents_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mime_type TEXT,
    size_bytes BIGINT NOT NULL DEFAULT 0,
    content BLOB,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
INSERT INTO documents_rebuilt (id, account_id, name, mime_type, size_bytes, created_at, updated_at)
SELECT id, account_id, name, mime_type, size_bytes, created_at, updated_at FROM documents;
DELETE FROM sqlite_sequence WHERE name = 'documents_rebuilt';
INSERT INTO sqlite_sequence (name, seq) SELECT 'documents_rebuilt', seq FROM sqlite_sequence WHERE name = 'documents';
DROP TABLE documents;
ALTER TABLE documents_rebuilt RENAME TO documents;
CREATE INDEX documents_account_id_idx ON documents (account_id);
