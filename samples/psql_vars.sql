-- psql script: run as psql -v sales_path=s3://... -f psql_vars.sql (here: --var sales_path=...).
-- :'name' is the variable as a quoted literal; \set gives a value inside the script.
\set role arn:aws:iam::123456789012:role/PsqlLoader
\set returns_bucket acme-raw-data

COPY public.sales
FROM :'sales_path'
IAM_ROLE :'role'
CSV IGNOREHEADER 1;

COPY public.returns (order_id, reason)
FROM 's3://acme-raw-data/returns/'
IAM_ROLE :'role'
REGION :'source_region'
CSV;
