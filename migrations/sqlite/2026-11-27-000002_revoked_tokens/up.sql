-- Revocation ids of revoked tokens (one per Biscuit block, hex). A token is
-- refused when any of its blocks' ids is here, so revoking a token also
-- revokes every token derived from it.
CREATE TABLE revoked_tokens (
    revocation_id TEXT PRIMARY KEY,
    revoked_at TIMESTAMP NOT NULL
);
