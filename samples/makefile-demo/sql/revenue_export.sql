-- Daily revenue extract, run as the Redshift role Exporter.
UNLOAD ('SELECT region, SUM(amount) FROM sales.orders GROUP BY 1')
TO 's3://acme-exports/daily/revenue_'
IAM_ROLE 'arn:aws:iam::123456789012:role/Exporter'
FORMAT PARQUET
ALLOWOVERWRITE;
