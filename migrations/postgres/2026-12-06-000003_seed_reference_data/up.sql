-- What a new team needs before its first prospect: a default brand and a
-- sales pipeline. The vendor's PHP client always sends brand_id 1 and
-- prospection_code_id 1, so those ids must name rows. Rows a database
-- already has under these ids are kept.
INSERT INTO brands (id, name) VALUES (1, 'Default brand') ON CONFLICT (id) DO NOTHING;
INSERT INTO prospection_codes (id, name) VALUES
    (1, 'New lead'),
    (2, 'Contacted'),
    (3, 'Qualified'),
    (4, 'Proposal sent'),
    (5, 'Negotiation'),
    (6, 'Won'),
    (7, 'Lost')
ON CONFLICT (id) DO NOTHING;
-- Explicit ids do not move an identity's sequence: move it past them.
SELECT setval(pg_get_serial_sequence('brands', 'id'), (SELECT max(id) FROM brands));
SELECT setval(pg_get_serial_sequence('prospection_codes', 'id'), (SELECT max(id) FROM prospection_codes));
