-- A document's bytes leave the database for the file store; the row keeps
-- where they are (`storage_key`) and their SHA-256. No route ever wrote a
-- document before this migration, so no row has a file to point at: any
-- row written by hand is dropped rather than kept without content. Rebuilt,
-- to add CHECKs; nothing references documents.
CREATE TABLE documents_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL CONSTRAINT documents_name_check CHECK (length(name) BETWEEN 1 AND 255),
    mime_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CONSTRAINT documents_size_bytes_check CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL CONSTRAINT documents_sha256_check
        CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    storage_key TEXT NOT NULL CONSTRAINT documents_storage_key_key UNIQUE,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
-- Ids go on from the old sequence, never reused.
DELETE FROM sqlite_sequence WHERE name = 'documents_rebuilt';
INSERT INTO sqlite_sequence (name, seq) SELECT 'documents_rebuilt', seq FROM sqlite_sequence WHERE name = 'documents';
DROP TABLE documents;
ALTER TABLE documents_rebuilt RENAME TO documents;
CREATE INDEX documents_account_id_idx ON documents (account_id);
