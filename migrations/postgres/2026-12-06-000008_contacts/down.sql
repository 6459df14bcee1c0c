DROP INDEX contacts_landline_phone_e164_idx;
DROP INDEX contacts_mobile_phone_e164_idx;
ALTER TABLE contacts
    DROP COLUMN civility,
    DROP COLUMN company,
    DROP COLUMN active,
    DROP COLUMN legal_representative,
    DROP COLUMN invoices_recipient,
    DROP COLUMN newsletters_recipient,
    DROP COLUMN technical_contact,
    DROP COLUMN comment,
    DROP COLUMN mobile_phone_e164,
    DROP COLUMN landline_phone_e164;
ALTER TABLE contacts ADD COLUMN is_main BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contacts RENAME COLUMN landline_phone TO phone;
ALTER TABLE contacts RENAME COLUMN role TO job_title;
