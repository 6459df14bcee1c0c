DROP TABLE account_history;
