-- The payment plan's rules, enforced by the database as well as the service.
-- A value written by hand outside them before this migration is cleared
-- (the plan stays; a client sees the field as unset), not kept invalid.
-- Rebuilt, to add the CHECKs; nothing references payment plans.
CREATE TABLE payment_plans_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE
        CONSTRAINT payment_plans_account_id_key UNIQUE,
    payment_method TEXT CONSTRAINT payment_plans_payment_method_check
        CHECK (payment_method IN ('transfer', 'direct_debit', 'card', 'cheque')),
    payment_terms_days INTEGER CONSTRAINT payment_plans_payment_terms_days_check
        CHECK (payment_terms_days BETWEEN 0 AND 365),
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
INSERT INTO payment_plans_rebuilt (id, account_id, payment_method, payment_terms_days, created_at, updated_at)
SELECT id, account_id,
    CASE WHEN payment_method IN ('transfer', 'direct_debit', 'card', 'cheque') THEN payment_method END,
    CASE WHEN payment_terms_days BETWEEN 0 AND 365 THEN payment_terms_days END,
    created_at, updated_at
FROM payment_plans;
-- Ids go on from the old sequence, never reused.
DELETE FROM sqlite_sequence WHERE name = 'payment_plans_rebuilt';
INSERT INTO sqlite_sequence (name, seq) SELECT 'payment_plans_rebuilt', seq FROM sqlite_sequence WHERE name = 'payment_plans';
DROP TABLE payment_plans;
ALTER TABLE payment_plans_rebuilt RENAME TO payment_plans;
