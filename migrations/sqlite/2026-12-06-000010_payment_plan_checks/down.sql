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
SELECT id, account_id, payment_method, payment_terms_days, created_at, updated_at FROM payment_plans;
DELETE FROM sqlite_sequence WHERE name = 'payment_plans_rebuilt';
INSERT INTO sqlite_sequence (name, seq) SELECT 'payment_plans_rebuilt', seq FROM sqlite_sequence WHERE name = 'payment_plans';
DROP TABLE payment_plans;
ALTER TABLE payment_plans_rebuilt RENAME TO payment_plans;
