DROP TABLE search_folding;
