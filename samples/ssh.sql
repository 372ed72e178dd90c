-- Load the output of commands run on remote hosts; the SSH manifest lives in S3.
COPY ops.syslog
FROM 's3://acme-ops/ssh/syslog_hosts.manifest'
IAM_ROLE 'arn:aws:iam::123456789012:role/OpsLoader'
SSH
DELIMITER '\t';
