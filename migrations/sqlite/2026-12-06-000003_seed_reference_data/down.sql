-- The seeded rows that nothing references.
DELETE FROM prospection_codes WHERE id BETWEEN 1 AND 7
    AND NOT EXISTS (SELECT 1 FROM prospects p WHERE p.prospection_code_id = prospection_codes.id);
DELETE FROM brands WHERE id = 1
    AND NOT EXISTS (SELECT 1 FROM prospects p WHERE p.brand_id = brands.id);
