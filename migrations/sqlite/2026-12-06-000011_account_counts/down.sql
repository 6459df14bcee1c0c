DROP TRIGGER accounts_counted_moves;
DROP TRIGGER accounts_counted_deletes;
DROP TRIGGER accounts_counted_inserts;
DROP TABLE account_counts;
