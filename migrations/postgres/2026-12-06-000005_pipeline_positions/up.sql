-- Prospection codes are the pipeline's stages: `position` orders them.
-- Existing stages keep their id order.
ALTER TABLE prospection_codes ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE prospection_codes SET position = id;
