-- Notes on an account, newest first; deleted with their account, kept
-- (without an author) when their author's user is deleted.
CREATE TABLE notes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL
        CONSTRAINT notes_account_id_fkey REFERENCES accounts (id) ON DELETE CASCADE,
    user_id BIGINT
        CONSTRAINT notes_user_id_fkey REFERENCES users (id) ON DELETE SET NULL,
    title TEXT,
    body TEXT NOT NULL,
    type TEXT,
    priority INTEGER NOT NULL DEFAULT 999,
    shared BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP(6) NOT NULL,
    updated_at TIMESTAMP(6) NOT NULL
);
CREATE INDEX notes_account_id_idx ON notes (account_id, created_at, id);
CREATE INDEX notes_user_id_idx ON notes (user_id);
