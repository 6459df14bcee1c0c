-- Every list is of one kind (prospects or customers) and, for a sales
-- user, of one representative: each sortable order gets an index that
-- starts with those equalities, so a page is the first rows of one index
-- range rather than a walk that filters out the other kinds' and the other
-- representatives' rows. The representative's indexes lead with
-- representative_id, which also serves its foreign key.
-- (Their old forms still carry the names the table had before 000006.)
DROP INDEX prospects_representative_id_idx;
DROP INDEX prospects_created_at_idx;
DROP INDEX prospects_updated_at_idx;
CREATE INDEX accounts_representative_id_idx ON accounts (representative_id, kind, id);
CREATE INDEX accounts_representative_created_at_idx ON accounts (representative_id, kind, created_at, id);
CREATE INDEX accounts_representative_updated_at_idx ON accounts (representative_id, kind, updated_at, id);
CREATE INDEX accounts_created_at_idx ON accounts (kind, created_at, id);
CREATE INDEX accounts_updated_at_idx ON accounts (kind, updated_at, id);
