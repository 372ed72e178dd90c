-- Legacy job still authenticating with an IAM user's access keys (migrate to IAM_ROLE).
COPY legacy.invoices
FROM 's3://acme-legacy/invoices/'
CREDENTIALS 'aws_access_key_id=AKIAIOSFODNN7EXAMPLE;aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
DELIMITER ','
REMOVEQUOTES;

UNLOAD ('SELECT * FROM legacy.invoices')
TO 's3://acme-legacy/exports/invoices_'
ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE'
SECRET_ACCESS_KEY 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
