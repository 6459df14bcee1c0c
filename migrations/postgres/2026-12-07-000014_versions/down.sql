ALTER TABLE payment_plans DROP COLUMN version;
ALTER TABLE notes DROP COLUMN version;
ALTER TABLE contacts DROP COLUMN version;
ALTER TABLE accounts DROP COLUMN version;
