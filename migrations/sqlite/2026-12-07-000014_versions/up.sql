-- Conditional writes (If-Match). An account's version moves with every
-- write to it or to what it owns, in the statement that locks the account;
-- a contact's, note's or payment plan's with every write to that row.
ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE contacts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE notes ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE payment_plans ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
