-- Pull Hadoop output from an EMR cluster over SSH; JSONPaths come from S3.
COPY web.sessions
FROM 'emr://j-1H7OUO3B52HI5/output/sessions/part-*'
IAM_ROLE 'arn:aws:iam::123456789012:role/EmrLoader'
JSON 's3://acme-config/jsonpaths/sessions.json';
