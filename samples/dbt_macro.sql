-- dbt-style macro call (run-operation): export a model to S3, encrypted with the team's key.
-- Values: dbt --vars (export_bucket, run_date, export_region) and an env var (EXPORT_KMS_KEY).

{% macro unload_model(model, prefix) %}
UNLOAD ('SELECT * FROM {{ ref(model) }}')
TO 's3://{{ var("export_bucket") }}/{{ prefix }}/{{ model }}/{{ var("run_date") }}/'
IAM_ROLE 'arn:aws:iam::123456789012:role/DbtExporter'
KMS_KEY_ID '{{ env_var("EXPORT_KMS_KEY") }}' ENCRYPTED
REGION '{{ var("export_region") }}'
FORMAT AS PARQUET;
{% endmacro %}

{{ unload_model("fct_orders", "marts") }}
