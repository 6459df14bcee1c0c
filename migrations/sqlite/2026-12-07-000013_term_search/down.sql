DROP TABLE search_folding;
DROP TRIGGER accounts_searched_updates;
DROP TRIGGER accounts_searched_deletes;
DROP TRIGGER accounts_searched_inserts;
DROP TABLE accounts_search;
