-- JSON documents mapped to columns by a JSONPaths file kept beside the data.
COPY analytics.devices
FROM 's3://acme-iot/devices/2024-06-01/'
IAM_ROLE 'arn:aws:iam::123456789012:role/IotLoader'
FORMAT AS JSON 's3://acme-iot-config/jsonpaths/devices.jsonpaths'
REGION AS 'eu-west-1'
TIMEFORMAT 'epochmillisecs';
