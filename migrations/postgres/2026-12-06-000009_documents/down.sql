ALTER TABLE documents
    DROP CONSTRAINT documents_size_bytes_check,
    DROP CONSTRAINT documents_name_check,
    DROP COLUMN storage_key,
    DROP COLUMN sha256,
    ALTER COLUMN size_bytes SET DEFAULT 0,
    ALTER COLUMN mime_type DROP NOT NULL,
    ADD COLUMN content BYTEA;
