DROP INDEX accounts_updated_at_idx;
DROP INDEX accounts_created_at_idx;
DROP INDEX accounts_representative_updated_at_idx;
DROP INDEX accounts_representative_created_at_idx;
DROP INDEX accounts_representative_id_idx;
CREATE INDEX accounts_representative_id_idx ON accounts (representative_id, id);
CREATE INDEX accounts_created_at_idx ON accounts (created_at, id);
CREATE INDEX accounts_updated_at_idx ON accounts (updated_at, id);
