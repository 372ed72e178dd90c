-- Install a Python library for UDFs from S3, and one from a public URL (no AWS access).
CREATE OR REPLACE LIBRARY urlparse3
LANGUAGE plpythonu
FROM 's3://acme-udf/libraries/urlparse3-1.0.3.zip'
IAM_ROLE 'arn:aws:iam::123456789012:role/UdfInstaller';

CREATE LIBRARY f_distance
LANGUAGE plpythonu
FROM 'https://example.com/packages/f_distance-0.2.zip';
