-- Airflow task (Jinja, as a RedshiftSQLOperator renders it): load the day's orders, export a report.
-- Values: Airflow's macros (ds, ds_nodash) and the task's params; see airflow_jinja.flags.

COPY staging.orders
FROM 's3://{{ params.bucket }}/orders/dt={{ ds }}/'
IAM_ROLE 'arn:aws:iam::123456789012:role/AirflowLoader'
FORMAT AS PARQUET;

UNLOAD ('SELECT * FROM reports.daily_orders WHERE day = ''{{ ds }}''')
TO 's3://{{ params.bucket }}/exports/daily/{{ ds_nodash }}/'
IAM_ROLE 'arn:aws:iam::123456789012:role/AirflowLoader'
{% if params.with_header %}HEADER{% endif %}
FORMAT AS CSV;
