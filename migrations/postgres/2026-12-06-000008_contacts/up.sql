-- Contacts in the vendor's shape: the job title is the `role`, the phone
-- the `landline_phone`; `is_main` has no counterpart. Each number is also
-- kept in E.164 form (written by the service, which parses it), indexed,
-- for `/contacts/numbers`.
ALTER TABLE contacts RENAME COLUMN job_title TO role;
ALTER TABLE contacts RENAME COLUMN phone TO landline_phone;
ALTER TABLE contacts DROP COLUMN is_main;
ALTER TABLE contacts
    ADD COLUMN civility BIGINT CONSTRAINT contacts_civility_check CHECK (civility BETWEEN 0 AND 255),
    ADD COLUMN company TEXT,
    ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN legal_representative BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN invoices_recipient BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN newsletters_recipient BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN technical_contact BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN comment TEXT,
    ADD COLUMN mobile_phone_e164 TEXT,
    ADD COLUMN landline_phone_e164 TEXT;
CREATE INDEX contacts_mobile_phone_e164_idx ON contacts (mobile_phone_e164);
CREATE INDEX contacts_landline_phone_e164_idx ON contacts (landline_phone_e164);
