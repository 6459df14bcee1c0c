-- Customers have no place in the prospects table: they are left behind,
-- with what they own.
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
INSERT INTO prospects (id, name, brand_id, representative_id, accounts_reference, registration_number,
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
    name_key, search_document FROM accounts WHERE kind = 'prospect';
-- Ids are never reused: the new table continues the old one's sequence.
DELETE FROM sqlite_sequence WHERE name = 'prospects';
INSERT INTO sqlite_sequence (name, seq) SELECT 'prospects', seq FROM sqlite_sequence WHERE name = 'accounts';

CREATE TABLE contacts_rebuilt (
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
INSERT INTO contacts_rebuilt (id, prospect_id, first_name, last_name, job_title, email_address,
    phone, mobile_phone, is_main, created_at, updated_at)
SELECT id, account_id, first_name, last_name, job_title, email_address, phone, mobile_phone,
    is_main, created_at, updated_at FROM contacts WHERE account_id IN (SELECT id FROM prospects);
DROP TABLE contacts;
ALTER TABLE contacts_rebuilt RENAME TO contacts;
CREATE INDEX contacts_prospect_id_idx ON contacts (prospect_id);

CREATE TABLE documents_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prospect_id BIGINT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mime_type TEXT,
    size_bytes BIGINT NOT NULL DEFAULT 0,
    content BLOB,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
INSERT INTO documents_rebuilt (id, prospect_id, name, mime_type, size_bytes, content, created_at, updated_at)
SELECT id, account_id, name, mime_type, size_bytes, content, created_at, updated_at FROM documents WHERE account_id IN (SELECT id FROM prospects);
DROP TABLE documents;
ALTER TABLE documents_rebuilt RENAME TO documents;
CREATE INDEX documents_prospect_id_idx ON documents (prospect_id);

CREATE TABLE payment_plans_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prospect_id BIGINT NOT NULL REFERENCES prospects (id) ON DELETE CASCADE
        CONSTRAINT payment_plans_prospect_id_key UNIQUE,
    payment_method TEXT,
    payment_terms_days INTEGER,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
INSERT INTO payment_plans_rebuilt (id, prospect_id, payment_method, payment_terms_days, created_at, updated_at)
SELECT id, account_id, payment_method, payment_terms_days, created_at, updated_at FROM payment_plans WHERE account_id IN (SELECT id FROM prospects);
DROP TABLE payment_plans;
ALTER TABLE payment_plans_rebuilt RENAME TO payment_plans;

DROP TABLE accounts;
CREATE INDEX prospects_brand_id_idx ON prospects (brand_id);
CREATE INDEX prospects_representative_id_idx ON prospects (representative_id, id);
CREATE INDEX prospects_sector_id_idx ON prospects (sector_id);
CREATE INDEX prospects_cluster_id_idx ON prospects (cluster_id);
CREATE INDEX prospects_batch_id_idx ON prospects (batch_id);
CREATE INDEX prospects_prospection_code_id_idx ON prospects (prospection_code_id);
CREATE INDEX prospects_created_at_idx ON prospects (created_at, id);
CREATE INDEX prospects_updated_at_idx ON prospects (updated_at, id);
