-- The cluster's role assumes a role in the data owner's account, which reads the bucket.
COPY finance.ledger
FROM 's3://partner-finance-share/ledger/2024/'
IAM_ROLE 'arn:aws:iam::123456789012:role/ClusterRole,arn:aws:iam::210987654321:role/PartnerReader'
FORMAT AS CSV;
