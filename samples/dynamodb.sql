-- Copy a DynamoDB table that lives in another Region.
COPY product_catalog
FROM 'dynamodb://ProductCatalog'
IAM_ROLE 'arn:aws:iam::123456789012:role/DynamoLoader'
READRATIO 25
REGION 'us-west-2';
