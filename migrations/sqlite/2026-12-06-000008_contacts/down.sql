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
    phone, mobile_phone, created_at, updated_at)
SELECT id, account_id, first_name, last_name, role, email_address, landline_phone, mobile_phone,
    created_at, updated_at FROM contacts;
-- Ids go on from the old sequence, never reused.
DELETE FROM sqlite_sequence WHERE name = 'contacts_rebuilt';
INSERT INTO sqlite_sequence (name, seq) SELECT 'contacts_rebuilt', seq FROM sqlite_sequence WHERE name = 'contacts';
DROP TABLE contacts;
ALTER TABLE contacts_rebuilt RENAME TO contacts;
CREATE INDEX contacts_account_id_idx ON contacts (account_id);
