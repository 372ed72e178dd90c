-- Python str.format template (loader.py: LOAD_SQL.format(table, bucket=..., ...)).
-- {} is positional: it names the table here, which needs no permission.

COPY {}
FROM 's3://{bucket}/events/{date}/'
IAM_ROLE 'arn:aws:iam::123456789012:role/PyLoader'
FORMAT AS JSON 's3://{bucket}/jsonpaths/events.json';

COPY {}
FROM 'dynamodb://{ddb_table}'
IAM_ROLE 'arn:aws:iam::123456789012:role/PyLoader'
REGION '{region}'
READRATIO 50;
