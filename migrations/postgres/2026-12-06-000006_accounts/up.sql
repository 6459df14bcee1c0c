-- Customers are accounts of another kind than prospects: the same fields,
-- rules and search, so they share one table, and what an account owns
-- (contacts, documents, a payment plan) points at it with one foreign key.
ALTER TABLE prospects RENAME TO accounts;
ALTER TABLE accounts
    ADD COLUMN kind TEXT NOT NULL DEFAULT 'prospect'
        CONSTRAINT accounts_kind_check CHECK (kind IN ('prospect', 'customer'));

-- The account number now depends on the kind: PR000042 or CL000042. A
-- generated column cannot change its expression: drop it (with its unique
-- key and the searched-text index over it) and add it again.
ALTER TABLE accounts DROP COLUMN customer_account;
ALTER TABLE accounts
    ADD COLUMN customer_account TEXT GENERATED ALWAYS AS (
        CASE kind WHEN 'customer' THEN 'CL' ELSE 'PR' END
            || lpad(id::text, greatest(6, length(id::text)), '0')
    ) STORED
        CONSTRAINT accounts_customer_account_key UNIQUE;
CREATE INDEX accounts_searched_text_trgm_idx ON accounts
    USING gin ((' ' || lower(customer_account) || search_document) gin_trgm_ops);

-- A customer's prospect (at most one customer per prospect, so two
-- concurrent conversions cannot both succeed), and a prospect's customer.
ALTER TABLE accounts
    ADD COLUMN prospect_id BIGINT
        CONSTRAINT accounts_prospect_id_fkey REFERENCES accounts (id) ON DELETE SET NULL
        CONSTRAINT accounts_prospect_id_key UNIQUE,
    ADD COLUMN converted_customer_id BIGINT
        CONSTRAINT accounts_converted_customer_id_fkey REFERENCES accounts (id) ON DELETE SET NULL,
    ADD COLUMN converted_at TIMESTAMP(6),
    ADD CONSTRAINT accounts_conversion_check CHECK (
        (kind = 'prospect' AND prospect_id IS NULL)
        OR (kind = 'customer' AND converted_customer_id IS NULL AND converted_at IS NULL)
    );
CREATE INDEX accounts_kind_id_idx ON accounts (kind, id);
CREATE INDEX accounts_converted_customer_id_idx ON accounts (converted_customer_id);

ALTER TABLE contacts RENAME COLUMN prospect_id TO account_id;
ALTER TABLE documents RENAME COLUMN prospect_id TO account_id;
ALTER TABLE payment_plans RENAME COLUMN prospect_id TO account_id;
