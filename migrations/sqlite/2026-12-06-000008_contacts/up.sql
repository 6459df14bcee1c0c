-- Contacts in the vendor's shape: the job title is the `role`, the phone
-- the `landline_phone`; `is_main` has no counterpart. Each number is also
-- kept in E.164 form (written by the service, which parses it), indexed,
-- for `/contacts/numbers`. Rebuilt, to add a CHECK; nothing references
-- contacts, so nothing cascades.
CREATE TABLE contacts_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    civility BIGINT CONSTRAINT contacts_civility_check CHECK (civility BETWEEN 0 AND 255),
    first_name TEXT,
    last_name TEXT,
    email_address TEXT,
    company TEXT,
    mobile_phone TEXT,
    landline_phone TEXT,
    role TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    legal_representative BOOLEAN NOT NULL DEFAULT FALSE,
    invoices_recipient BOOLEAN NOT NULL DEFAULT FALSE,
    newsletters_recipient BOOLEAN NOT NULL DEFAULT FALSE,
    technical_contact BOOLEAN NOT NULL DEFAULT FALSE,
    comment TEXT,
    mobile_phone_e164 TEXT,
    landline_phone_e164 TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
INSERT INTO contacts_rebuilt (id, account_id, first_name, last_name, email_address,
    mobile_phone, landline_phone, role, created_at, updated_at)
SELECT id, account_id, first_name, last_name, email_address, mobile_phone, phone, job_title,
    created_at, updated_at FROM contacts;
-- Ids go on from the old sequence, never reused.
DELETE FROM sqlite_sequence WHERE name = 'contacts_rebuilt';
INSERT INTO sqlite_sequence (name, seq) SELECT 'contacts_rebuilt', seq FROM sqlite_sequence WHERE name = 'contacts';
DROP TABLE contacts;
ALTER TABLE contacts_rebuilt RENAME TO contacts;
CREATE INDEX contacts_account_id_idx ON contacts (account_id);
CREATE INDEX contacts_mobile_phone_e164_idx ON contacts (mobile_phone_e164);
CREATE INDEX contacts_landline_phone_e164_idx ON contacts (landline_phone_e164);
