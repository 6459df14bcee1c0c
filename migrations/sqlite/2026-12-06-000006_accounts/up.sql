-- Customers are accounts of another kind than prospects: the same fields,
-- rules and search, so they share one table, and what an account owns
-- (contacts, documents, a payment plan) points at it with one foreign key.
-- SQLite cannot change a generated column (the account number now depends
-- on the kind: PR000042 or CL000042), so the table is rebuilt, and its
-- children with it: they are copied aside first, since dropping the old
-- table would otherwise delete them (ON DELETE CASCADE).
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    brand_id BIGINT CONSTRAINT accounts_brand_id_fkey REFERENCES brands (id),
    representative_id BIGINT CONSTRAINT accounts_representative_id_fkey REFERENCES users (id) ON DELETE SET NULL,
    -- 'prospect' or 'customer'.
    kind TEXT NOT NULL DEFAULT 'prospect' CONSTRAINT accounts_kind_check CHECK (kind IN ('prospect', 'customer')),
    -- Generated from the id by the database, in the INSERT itself.
    customer_account TEXT GENERATED ALWAYS AS (CASE kind WHEN 'customer' THEN 'CL' ELSE 'PR' END || printf('%06d', id)) STORED
        CONSTRAINT accounts_customer_account_key UNIQUE,
    accounts_reference TEXT,
    registration_number TEXT,
    tax_registration_number TEXT,
    type TEXT,
    capital TEXT,
    activity_code TEXT,
    sector_id BIGINT CONSTRAINT accounts_sector_id_fkey REFERENCES sectors (id),
    cluster_id BIGINT CONSTRAINT accounts_cluster_id_fkey REFERENCES clusters (id),
    batch_id BIGINT CONSTRAINT accounts_batch_id_fkey REFERENCES batches (id),
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
    prospection_code_id BIGINT CONSTRAINT accounts_prospection_code_id_fkey REFERENCES prospection_codes (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    name_key TEXT NOT NULL,
    search_document TEXT NOT NULL DEFAULT '',
    -- A customer's prospect (at most one customer per prospect, so two
    -- concurrent conversions cannot both succeed), and a prospect's customer.
    prospect_id BIGINT CONSTRAINT accounts_prospect_id_fkey REFERENCES accounts (id) ON DELETE SET NULL
        CONSTRAINT accounts_prospect_id_key UNIQUE,
    converted_customer_id BIGINT CONSTRAINT accounts_converted_customer_id_fkey REFERENCES accounts (id) ON DELETE SET NULL,
    converted_at TIMESTAMP,
    CONSTRAINT accounts_conversion_check CHECK (
        (kind = 'prospect' AND prospect_id IS NULL)
        OR (kind = 'customer' AND converted_customer_id IS NULL AND converted_at IS NULL)
    )
);
INSERT INTO accounts (id, name, brand_id, representative_id, accounts_reference, registration_number,
    tax_registration_number, type, capital, activity_code, sector_id, cluster_id, batch_id,
    email_address, account_email_address, phone, mobile_phone, fax, main_contact_first_name,
    main_contact_last_name, main_address_line1, main_address_line2, main_address_postal_code,
    main_address_city, main_address_country, website, active, charge_vat, merge_invoices,
    accept_emails, accept_calls, comment, prospection_code_id, created_at, updated_at,
    name_key, search_document)
SELECT id, name, brand_id, representative_id, accounts_reference, registration_number,
    tax_registration_number, type, capital, activity_code, sector_id, cluster_id, batch_id,
    email_address, account_email_address, phone, mobile_phone, fax, main_contact_first_name,
    main_contact_last_name, main_address_line1, main_address_line2, main_address_postal_code,
    main_address_city, main_address_country, website, active, charge_vat, merge_invoices,
    accept_emails, accept_calls, comment, prospection_code_id, created_at, updated_at,
    name_key, search_document FROM prospects;
-- Ids are never reused: the new table continues the old one's sequence.
DELETE FROM sqlite_sequence WHERE name = 'accounts';
INSERT INTO sqlite_sequence (name, seq) SELECT 'accounts', seq FROM sqlite_sequence WHERE name = 'prospects';

CREATE TABLE contacts_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
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
INSERT INTO contacts_rebuilt (id, account_id, first_name, last_name, job_title, email_address,
    phone, mobile_phone, is_main, created_at, updated_at)
SELECT id, prospect_id, first_name, last_name, job_title, email_address, phone, mobile_phone,
    is_main, created_at, updated_at FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_rebuilt RENAME TO contacts;
CREATE INDEX contacts_account_id_idx ON contacts (account_id);

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
INSERT INTO documents_rebuilt (id, account_id, name, mime_type, size_bytes, content, created_at, updated_at)
SELECT id, prospect_id, name, mime_type, size_bytes, content, created_at, updated_at FROM documents;
DROP TABLE documents;
ALTER TABLE documents_rebuilt RENAME TO documents;
CREATE INDEX documents_account_id_idx ON documents (account_id);

CREATE TABLE payment_plans_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE
        CONSTRAINT payment_plans_account_id_key UNIQUE,
    payment_method TEXT,
    payment_terms_days INTEGER,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
INSERT INTO payment_plans_rebuilt (id, account_id, payment_method, payment_terms_days, created_at, updated_at)
SELECT id, prospect_id, payment_method, payment_terms_days, created_at, updated_at FROM payment_plans;
DROP TABLE payment_plans;
ALTER TABLE payment_plans_rebuilt RENAME TO payment_plans;

DROP TABLE prospects;
CREATE INDEX accounts_brand_id_idx ON accounts (brand_id);
CREATE INDEX accounts_representative_id_idx ON accounts (representative_id, id);
CREATE INDEX accounts_sector_id_idx ON accounts (sector_id);
CREATE INDEX accounts_cluster_id_idx ON accounts (cluster_id);
CREATE INDEX accounts_batch_id_idx ON accounts (batch_id);
CREATE INDEX accounts_prospection_code_id_idx ON accounts (prospection_code_id);
CREATE INDEX accounts_created_at_idx ON accounts (created_at, id);
CREATE INDEX accounts_updated_at_idx ON accounts (updated_at, id);
CREATE INDEX accounts_kind_id_idx ON accounts (kind, id);
CREATE INDEX accounts_converted_customer_id_idx ON accounts (converted_customer_id);
