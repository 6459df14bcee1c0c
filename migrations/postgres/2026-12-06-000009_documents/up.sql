-- A document's bytes leave the database for the file store; the row keeps
-- where they are (`storage_key`) and their SHA-256. No route ever wrote a
-- document before this migration, so no row has a file to point at: any
-- row written by hand is dropped rather than kept without content.
DELETE FROM documents;
ALTER TABLE documents
    DROP COLUMN content,
    ALTER COLUMN mime_type SET NOT NULL,
    ALTER COLUMN size_bytes DROP DEFAULT,
    ADD COLUMN sha256 TEXT NOT NULL
        CONSTRAINT documents_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    ADD COLUMN storage_key TEXT NOT NULL CONSTRAINT documents_storage_key_key UNIQUE,
    ADD CONSTRAINT documents_name_check CHECK (char_length(name) BETWEEN 1 AND 255),
    ADD CONSTRAINT documents_size_bytes_check CHECK (size_bytes >= 0);
