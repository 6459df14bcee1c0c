-- What a new team needs before its first prospect: a default brand and a
-- sales pipeline. The vendor's PHP client always sends brand_id 1 and
-- prospection_code_id 1, so those ids must name rows. Rows a database
-- already has under these ids are kept; AUTOINCREMENT moves past them.
INSERT OR IGNORE INTO brands (id, name) VALUES (1, 'Default brand');
INSERT OR IGNORE INTO prospection_codes (id, name) VALUES
    (1, 'New lead'),
    (2, 'Contacted'),
    (3, 'Qualified'),
    (4, 'Proposal sent'),
    (5, 'Negotiation'),
    (6, 'Won'),
    (7, 'Lost');
