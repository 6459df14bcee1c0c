DROP TABLE account_history;
DROP FUNCTION account_history_is_append_only();
