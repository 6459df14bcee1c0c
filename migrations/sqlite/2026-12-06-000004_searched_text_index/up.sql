-- PostgreSQL indexes the searched text for trigram matching; SQLite cannot
-- index a LIKE '%...%' at all, so there is nothing to do here.
SELECT 1;
