-- The whole schema of the Prospects service on SQLite: the same tables,
-- columns and constraints as on PostgreSQL.
-- AUTOINCREMENT: an id (hence an account number) is never reused, even after
-- the newest prospect is deleted.
-- Timestamps are stored as text (UTC, microseconds), which sorts in time order.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT NOT NULL CONSTRAINT users_email_key UNIQUE,
    role INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE brands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE sectors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE clusters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE prospection_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);

CREATE TABLE prospects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    brand_id BIGINT CONSTRAINT prospects_brand_id_fkey REFERENCES brands (id),
    representative_id BIGINT CONSTRAINT prospects_representative_id_fkey REFERENCES users (id) ON DELETE SET NULL,
    -- Generated from the id by the database, in the INSERT itself.
    customer_account TEXT GENERATED ALWAYS AS ('PR' || printf('%06d', id)) STORED
        CONSTRAINT prospects_customer_account_key UNIQUE,
    accounts_reference TEXT,
    registration_number TEXT,
    tax_registration_number TEXT,
    type TEXT,
    capital TEXT,
    activity_code TEXT,
    sector_id BIGINT CONSTRAINT prospects_sector_id_fkey REFERENCES sectors (id),
    cluster_id BIGINT CONSTRAINT prospects_cluster_id_fkey REFERENCES clusters (id),
    batch_id BIGINT CONSTRAINT prospects_batch_id_fkey REFERENCES batches (id),
    email_address TEXT,
    account_email_address TEXT,
    phone TEXT,
    mobile_phone TEXT,
    fax TEXT,
    main_contact_first_name TEXT,
    main_contact_last_name TEXT,
    main_address_line1 TEXT,
    main_address_line2 TEXT,
    main_address_postal_code TEXT,
    main_address_city TEXT,
    main_address_country TEXT NOT NULL DEFAULT 'France',
    website TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    charge_vat BOOLEAN NOT NULL DEFAULT TRUE,
    merge_invoices BOOLEAN NOT NULL DEFAULT FALSE,
    accept_emails BOOLEAN NOT NULL DEFAULT TRUE,
    accept_calls BOOLEAN NOT NULL DEFAULT TRUE,
    comment TEXT,
    prospection_code_id BIGINT CONSTRAINT prospects_prospection_code_id_fkey REFERENCES prospection_codes (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    name_key TEXT NOT NULL,
    search_document TEXT NOT NULL DEFAULT ''
);

CREATE INDEX prospects_brand_id_idx ON prospects (brand_id);
CREATE INDEX prospects_representative_id_idx ON prospects (representative_id, id);
CREATE INDEX prospects_sector_id_idx ON prospects (sector_id);
CREATE INDEX prospects_cluster_id_idx ON prospects (cluster_id);
CREATE INDEX prospects_batch_id_idx ON prospects (batch_id);
CREATE INDEX prospects_prospection_code_id_idx ON prospects (prospection_code_id);
CREATE INDEX prospects_created_at_idx ON prospects (created_at, id);
CREATE INDEX prospects_updated_at_idx ON prospects (updated_at, id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prospect_id BIGINT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    first_name TEXT,
    last_name TEXT,
    job_title TEXT,
    email_address TEXT,
    phone TEXT,
    mobile_phone TEXT,
    is_main BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX contacts_prospect_id_idx ON contacts (prospect_id);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prospect_id BIGINT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mime_type TEXT,
    size_bytes BIGINT NOT NULL DEFAULT 0,
    content BLOB,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX documents_prospect_id_idx ON documents (prospect_id);

CREATE TABLE payment_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prospect_id BIGINT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE
        CONSTRAINT payment_plans_prospect_id_key UNIQUE,
    payment_method TEXT,
    payment_terms_days INTEGER,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
