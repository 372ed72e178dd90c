-- Nightly load, run as the Redshift role OrdersLoader.
COPY sales.orders
FROM 's3://acme-raw-data/orders/dt=2024-06-01/'
IAM_ROLE 'arn:aws:iam::123456789012:role/OrdersLoader'
FORMAT AS CSV
IGNOREHEADER 1
GZIP;
