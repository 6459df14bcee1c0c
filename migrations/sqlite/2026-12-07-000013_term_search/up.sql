-- filter[term_match] on SQLite: an FTS5 index of the searched text (the
-- account number as a word, then the stored document), so a term reads the
-- index's lists of matching rows instead of every row's text.
-- * The document is already folded (lower case, no accents) and holds only
--   letters and digits separated by single spaces, so the `ascii` tokenizer
--   splits exactly where the application does, whatever the script.
-- * Contentless (the text lives in `accounts`), deletable by rowid, no
--   positions (every searched word is a one-token phrase), with prefix
--   indexes for the short prefixes a user types.
-- * Triggers keep it in the transaction of every write, so a write is
--   visible to search at once.
CREATE VIRTUAL TABLE accounts_search USING fts5 (
    searched,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'ascii',
    prefix = '2 3 4'
);

INSERT INTO accounts_search (rowid, searched)
SELECT id, ' ' || lower(customer_account) || search_document FROM accounts;

CREATE TRIGGER accounts_searched_inserts AFTER INSERT ON accounts
BEGIN
    INSERT INTO accounts_search (rowid, searched)
    VALUES (NEW.id, ' ' || lower(NEW.customer_account) || NEW.search_document);
END;

CREATE TRIGGER accounts_searched_deletes AFTER DELETE ON accounts
BEGIN
    DELETE FROM accounts_search WHERE rowid = OLD.id;
END;

-- The account number follows the kind (PR… becomes CL… on conversion).
CREATE TRIGGER accounts_searched_updates AFTER UPDATE OF search_document, kind ON accounts
WHEN OLD.search_document IS NOT NEW.search_document OR OLD.kind IS NOT NEW.kind
BEGIN
    DELETE FROM accounts_search WHERE rowid = OLD.id;
    INSERT INTO accounts_search (rowid, searched)
    VALUES (NEW.id, ' ' || lower(NEW.customer_account) || NEW.search_document);
END;

-- The version of the folding rules (lower case, no accents, ligatures
-- spelled out) that name_key and search_document were written with: 1 for
-- every row so far. The application re-folds older rows when it starts.
CREATE TABLE search_folding (version INTEGER PRIMARY KEY);
INSERT INTO search_folding (version) VALUES (1);
