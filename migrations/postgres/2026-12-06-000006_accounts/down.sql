-- Customers have no place in the prospects table: they are deleted, with
-- what they own.
ALTER TABLE contacts RENAME COLUMN account_id TO prospect_id;
ALTER TABLE documents RENAME COLUMN account_id TO prospect_id;
ALTER TABLE payment_plans RENAME COLUMN account_id TO prospect_id;
DELETE FROM accounts WHERE kind = 'customer';
DROP INDEX accounts_kind_id_idx;
DROP INDEX accounts_converted_customer_id_idx;
ALTER TABLE accounts
    DROP CONSTRAINT accounts_conversion_check,
    DROP COLUMN converted_at,
    DROP COLUMN converted_customer_id,
    DROP COLUMN prospect_id;
ALTER TABLE accounts DROP COLUMN customer_account;
ALTER TABLE accounts DROP COLUMN kind;
ALTER TABLE accounts
    ADD COLUMN customer_account TEXT GENERATED ALWAYS AS ('PR' || lpad(id::text, greatest(6, length(id::text)), '0')) STORED
        CONSTRAINT prospects_customer_account_key UNIQUE;
CREATE INDEX prospects_searched_text_trgm_idx ON accounts
    USING gin ((' ' || lower(customer_account) || search_document) gin_trgm_ops);
ALTER TABLE accounts RENAME TO prospects;
