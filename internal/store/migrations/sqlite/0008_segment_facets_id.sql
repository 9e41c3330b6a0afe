-- Nothing to do in SQLite: every index already carries the rowid (the
-- customer id), so customers_facets answers segment counts alone. The
-- PostgreSQL step of this number adds the id to its index.
SELECT 1;
