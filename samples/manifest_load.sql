-- Load exactly the files a manifest lists (manifests/orders.manifest is its local copy).
-- redshift-iam policy manifest_load.sql --manifest s3://acme-raw-data/manifests/orders.manifest=samples/manifests/orders.manifest
COPY sales.orders
FROM 's3://acme-raw-data/manifests/orders.manifest'
IAM_ROLE 'arn:aws:iam::123456789012:role/ManifestLoader'
MANIFEST
FORMAT AS CSV
GZIP;
