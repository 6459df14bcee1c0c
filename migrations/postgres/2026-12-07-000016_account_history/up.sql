-- The history of every write to an account or to what it owns (issue 14),
-- written in the write's own transaction. No foreign key to the account:
-- the history of a deleted account stays, and says who deleted it. No
-- foreign key to the user either, for the same reason.
CREATE TABLE account_history (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    -- created, updated, deleted, converted
    action TEXT NOT NULL,
    -- account, contact, note, document, payment_plan; and the record's id
    subject TEXT NOT NULL,
    subject_id BIGINT,
    user_id BIGINT NOT NULL,
    -- The revocation id of the token the request carried, and its id.
    token_id TEXT,
    request_id TEXT,
    at TIMESTAMP(6) NOT NULL,
    -- [{"field": ..., "old": ..., "new": ...}]
    changes TEXT NOT NULL
);
-- An account's entries, newest first.
CREATE INDEX account_history_by_account ON account_history (account_id, id);

-- Append-only: nothing changes or removes an entry.
CREATE FUNCTION account_history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'account_history is append-only';
END
$$;
CREATE TRIGGER account_history_append_only
    BEFORE UPDATE OR DELETE ON account_history
    FOR EACH ROW EXECUTE FUNCTION account_history_is_append_only();
CREATE TRIGGER account_history_never_truncated
    BEFORE TRUNCATE ON account_history
    FOR EACH STATEMENT EXECUTE FUNCTION account_history_is_append_only();
