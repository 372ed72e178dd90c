-- Nightly ETL: load yesterday's partitions from the raw bucket, then publish an extract.
-- Run by the scheduler as the Redshift role EtlLoader.

BEGIN;

CREATE TEMP TABLE stage_orders (LIKE sales.orders);

COPY stage_orders
FROM 's3://acme-raw-data/orders/dt=2024-06-01/'
IAM_ROLE 'arn:aws:iam::123456789012:role/EtlLoader'
FORMAT AS CSV
IGNOREHEADER 1
GZIP
DATEFORMAT 'auto'
TIMEFORMAT 'auto';

COPY sales.customers (customer_id, name, email, updated_at)
FROM 's3://acme-raw-data/customers/snapshot_'
IAM_ROLE 'arn:aws:iam::123456789012:role/EtlLoader'
DELIMITER '|' NULL AS '\N' EMPTYASNULL
ZSTD;

COPY sales.clickstream
FROM 's3://acme-events/clickstream/2024/06/01/'
IAM_ROLE 'arn:aws:iam::123456789012:role/EtlLoader'
FORMAT AS JSON 'auto ignorecase'
TRUNCATECOLUMNS
MAXERROR 100;

INSERT INTO sales.orders SELECT * FROM stage_orders;  -- merge; no AWS access

COMMIT;

UNLOAD ('SELECT region, SUM(amount) FROM sales.orders WHERE order_date = ''2024-06-01'' GROUP BY 1')
TO 's3://acme-exports/daily/revenue_2024-06-01_'
IAM_ROLE 'arn:aws:iam::123456789012:role/EtlLoader'
FORMAT PARQUET
ALLOWOVERWRITE;
