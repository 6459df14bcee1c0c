-- Idempotency keys (issue 14): a creating request's key, claimed while it
-- runs, then the response it got, stored in the write's own transaction
-- and sent again to a retry under the same key. Scoped to the user.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    -- A digest of the first request's method, path and body.
    fingerprint TEXT NOT NULL,
    -- Who holds the key while the request runs, and until when.
    holder TEXT NOT NULL,
    leased_until TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- The response, once there is one.
    status INTEGER,
    headers TEXT,
    body TEXT,
    PRIMARY KEY (user_id, idempotency_key)
);
-- The purge deletes the oldest keys.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
