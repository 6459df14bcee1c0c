-- Terms are matched against the account number and the stored document
-- together (' ' || lower(customer_account) || search_document), since the
-- INSERT writes the document before the id exists: index that expression,
-- or no term search could use a trigram index.
DROP INDEX prospects_search_document_trgm_idx;
CREATE INDEX prospects_searched_text_trgm_idx ON prospects
    USING gin ((' ' || lower(customer_account) || search_document) gin_trgm_ops);
