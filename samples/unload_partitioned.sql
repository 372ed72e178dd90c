-- Publish partitioned Parquet, replacing the previous run, encrypted with a KMS key.
UNLOAD ($$SELECT event_date, country, user_id, revenue FROM mart.daily_revenue$$)
TO 's3://acme-lake/mart/daily_revenue/'
IAM_ROLE 'arn:aws:iam::123456789012:role/LakePublisher'
FORMAT AS PARQUET
PARTITION BY (event_date, country) INCLUDE
CLEANPATH
KMS_KEY_ID '1234abcd-12ab-34cd-56ef-1234567890ab'
ENCRYPTED
MAXFILESIZE 256 MB
REGION 'us-east-1';
