DROP INDEX prospects_searched_text_trgm_idx;
CREATE INDEX prospects_search_document_trgm_idx ON prospects USING gin (search_document gin_trgm_ops);
