DROP TRIGGER accounts_counted_moves ON accounts;
DROP TRIGGER accounts_counted_deletes ON accounts;
DROP TRIGGER accounts_counted_inserts ON accounts;
DROP FUNCTION account_counts_moved();
DROP FUNCTION account_counts_deleted();
DROP FUNCTION account_counts_inserted();
DROP TABLE account_counts;
