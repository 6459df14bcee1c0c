ALTER TABLE prospection_codes DROP COLUMN position;
