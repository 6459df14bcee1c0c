-- The seeded rows that nothing references.
DELETE FROM prospection_codes c WHERE c.id BETWEEN 1 AND 7
    AND NOT EXISTS (SELECT 1 FROM prospects p WHERE p.prospection_code_id = c.id);
DELETE FROM brands b WHERE b.id = 1
    AND NOT EXISTS (SELECT 1 FROM prospects p WHERE p.brand_id = b.id);
