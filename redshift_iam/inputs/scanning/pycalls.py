"""SQL that library calls build from their arguments, derived as ``format`` templates.

Understood calls (one row each in ``CALLS``), after the sources of apache-airflow-providers-amazon
(``transfers/s3_to_redshift.py``, ``transfers/redshift_to_s3.py``, ``utils/redshift.py``) and
awswrangler (``redshift/_write.py``, ``redshift/_read.py``, ``redshift/_utils.py``):

* ``S3ToRedshiftOperator``: ``schema``, ``table``, ``s3_bucket``, ``s3_key``, ``column_list``,
  ``copy_options`` (list; items joined by new lines), ``method`` (``UPSERT`` copies into
  ``#table``), ``aws_conn_id`` -> ``COPY dest (cols) FROM 's3://bucket/key' credentials
  '{aws_conn.ID}' options;``.
* ``RedshiftToS3Operator``: ``s3_bucket``, ``s3_key``, ``select_query`` (else ``SELECT * FROM
  schema.table``), ``table`` + ``table_as_file_name`` (default True: key ``key/table_``),
  ``include_header`` (adds HEADER), ``unload_options``, ``aws_conn_id`` -> ``UNLOAD ($$query$$)
  TO 's3://bucket/key' credentials '{aws_conn.ID}' options;``.
* awswrangler ``redshift.copy_from_files`` / ``redshift.copy``: ``path`` (``copy``: a trailing
  ``*`` dropped, a ``/`` added), ``table``, ``schema``, ``iam_role``, ``aws_access_key_id``,
  ``aws_secret_access_key``, ``aws_session_token``, ``data_format`` (``copy_from_files``),
  ``serialize_to_json``, ``manifest`` (``copy_from_files``), ``sql_copy_extra_params``.
* awswrangler ``redshift.unload`` / ``redshift.unload_to_files``: ``sql``, ``path`` (``unload``:
  a ``/`` added), ``iam_role``, the key arguments, ``region``, ``unload_format``
  (``unload_to_files``), ``parallel``, ``max_file_size``, ``kms_key_id``, ``manifest`` and
  ``partition_cols`` (``unload_to_files``), ``cleanpath``.

Credentials that come from outside the call are a placeholder in the authorization position:
``{aws_conn.ID}`` for the Airflow connection ``ID`` (``aws_default`` when not given,
``aws_conn.None`` for ``aws_conn_id=None``, the source text when not a literal), and
``{boto3_session.default}`` (or ``{boto3_session.SOURCE}``) for awswrangler's session
credentials, so the principal stays unresolved; the placeholder stands at the
``aws_conn_id=`` / ``boto3_session=`` argument when the call passes it. Other arguments do
not change the statement's permissions and are not read (white space is normalized; table
and column names are kept).
"""

from __future__ import annotations

import ast

from redshift_iam.inputs.scanning.callargs import UNKNOWN, CallArgs
from redshift_iam.inputs.scanning.fragments import Fragment, Skipped
from redshift_iam.inputs.scanning.host import HostText


def derive(call: ast.Call, path: str, host: HostText) -> Fragment | Skipped | None:
    """The statement a known call issues (None when the call is not in ``CALLS``)."""
    row = CALLS.get(_name(call.func))
    if row is None:
        return None
    order, recipe = row
    args = CallArgs(call, host, order)
    problem = recipe(args)
    if problem:
        line, col = host.position(args.at)
        return Skipped(path, line, col, problem)
    runs = tuple(args.builder.runs)
    return Fragment(path, "python", args.builder.text(), "fstring", runs, {}, ())


def _name(func: ast.AST) -> str:
    """``S3ToRedshiftOperator`` or ``redshift.copy`` style name of the called function."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        return f"{owner_name}.{func.attr}" if owner_name == "redshift" else func.attr
    return ""


def _credentials(args: CallArgs, default_conn: str) -> None:
    conn = args.value("aws_conn_id", default_conn)
    name = args.source("aws_conn_id") if conn is UNKNOWN else str(conn)
    args.text("credentials\n")
    args.raw("'{aws_conn." + name.replace("{", "").replace("}", "") + "}'", "aws_conn_id")


def _s3_to_redshift(args: CallArgs) -> str:
    for required in ("table", "s3_bucket", "s3_key"):
        if required not in args.args:
            return f"S3ToRedshiftOperator without {required}=: the COPY cannot be derived"
    args.text("COPY ")
    if args.value("method") == "UPSERT":
        args.text("#")
    elif "schema" in args.args and args.value("schema") is not None:
        args.emit("schema")
        args.text(".")
    args.emit("table")
    if "column_list" in args.args and args.value("column_list"):
        args.text(" (")
        args.items("column_list", ", ")
        args.text(")")
    _from_s3(args, "\nFROM 's3://", "")
    _credentials(args, "aws_default")
    if args.value("copy_options", None):
        args.text("\n")
        args.items("copy_options", "\n")
    args.text(";")
    return ""


def _from_s3(args: CallArgs, head: str, table_suffix: str) -> None:
    args.text(head)
    args.emit("s3_bucket")
    args.text("/")
    args.emit("s3_key")
    if table_suffix:
        flag = args.value("table_as_file_name", True)
        if flag is UNKNOWN:
            args.emit("table_as_file_name")
        elif flag:
            args.text("/")
            args.emit("table")
            args.text("_")
    args.text("'\n")


def _redshift_to_s3(args: CallArgs) -> str:
    for required in ("s3_bucket", "s3_key"):
        if required not in args.args:
            return f"RedshiftToS3Operator without {required}=: the UNLOAD cannot be derived"
    has_query = args.value("select_query", None) is not None
    if not has_query and "table" not in args.args:
        return "RedshiftToS3Operator without select_query= or table=: the UNLOAD cannot be derived"
    args.text("UNLOAD ($$")
    if has_query:
        args.emit("select_query")
    else:
        args.text("SELECT * FROM ")
        if args.value("schema", None) is not None:
            args.emit("schema")
            args.text(".")
        args.emit("table")
    has_table = args.value("table", None) is not None
    _from_s3(args, "$$)\nTO 's3://", "table" if has_table else "")
    _credentials(args, "aws_default")
    _unload_options(args)
    args.text(";")
    return ""


def _unload_options(args: CallArgs) -> None:
    options = args.value("unload_options", None)
    header = args.value("include_header", False)
    if options:
        args.text("\n")
        args.items("unload_options", "\n")
    if header is UNKNOWN:
        args.text("\n")
        args.emit("include_header")
    elif header and not (isinstance(options, list) and "HEADER" in [
            str(option).upper().strip() for option in options]):
        args.text("\nHEADER")


def _wrangler_auth(args: CallArgs) -> None:
    """awswrangler's authorization: keys, else IAM_ROLE, else the boto3 session's credentials."""
    if args.value("aws_access_key_id", None) is not None and \
            args.value("aws_secret_access_key", None) is not None:
        for keyword, name in (("ACCESS_KEY_ID", "aws_access_key_id"),
                              ("SECRET_ACCESS_KEY", "aws_secret_access_key"),
                              ("SESSION_TOKEN", "aws_session_token")):
            if args.value(name, None) is not None:
                args.text(f"{keyword} '")
                args.emit(name)
                args.text("'\n")
    elif args.value("iam_role", None) is not None:
        args.text("IAM_ROLE '")
        args.emit("iam_role")
        args.text("'\n")
    else:
        session = args.source("boto3_session") if "boto3_session" in args.args else "default"
        args.raw("{boto3_session." + session.replace("{", "").replace("}", "") + "}\n",
                 "boto3_session")


def _flag(args: CallArgs, name: str, default: object, text_if_true: str) -> None:
    """An option written when a boolean argument is True; ``{source}`` when not a literal."""
    value = args.value(name, default)
    if value is UNKNOWN:
        args.text("\n")
        args.emit(name)
    elif value is True:
        args.text(text_if_true)


def _wrangler_path(args: CallArgs, staged: bool) -> None:
    """``path``; ``staged`` (copy/unload): a trailing ``*`` dropped and a ``/`` added."""
    value = args.value("path")
    args.emit("path")
    if staged and isinstance(value, str) and not value.endswith("/"):
        if value.endswith("*"):
            args.builder.parts[-1] = args.builder.parts[-1][:-1]
            args.builder.length -= 1
        args.text("/")


def _wrangler_copy(args: CallArgs, staged: bool) -> str:
    if "path" not in args.args or "table" not in args.args:
        return "redshift.copy without path= or table=: the COPY cannot be derived"
    args.text("COPY ")
    if args.value("schema", None) is not None:
        args.text('"')
        args.emit("schema")
        args.text('".')
    args.text('"')
    args.emit("table")
    args.text('" \nFROM \'')
    _wrangler_path(args, staged)
    args.text("' ")
    _wrangler_auth(args)
    args.text("\nFORMAT AS ")
    data_format = "parquet" if staged else args.value("data_format", "parquet")
    if data_format is UNKNOWN:
        args.emit("data_format")
    else:
        args.text(str(data_format).upper())
    _flag(args, "serialize_to_json", False, " SERIALIZETOJSON")
    if not staged:
        _flag(args, "manifest", False, "\nMANIFEST")
    if args.value("sql_copy_extra_params", None):
        args.text("\n")
        args.items("sql_copy_extra_params", "\n")
    return ""


def _wrangler_unload(args: CallArgs, staged: bool) -> str:
    if "path" not in args.args or "sql" not in args.args:
        return "redshift.unload without sql= or path=: the UNLOAD cannot be derived"
    args.text("UNLOAD ('")
    args.emit("sql", quotes=True)
    args.text("')\nTO '")
    _wrangler_path(args, staged)
    args.text("'\n")
    _wrangler_auth(args)
    cleanpath = args.value("cleanpath", False)
    if cleanpath is UNKNOWN:
        args.emit("cleanpath")
    else:
        args.text("CLEANPATH" if cleanpath else "ALLOWOVERWRITE")
    parallel = args.value("parallel", True)
    args.text("\n\n")
    args.emit("parallel") if parallel is UNKNOWN else args.text(
        "PARALLEL ON" if parallel else "PARALLEL OFF")
    args.text("\nFORMAT ")
    fmt = args.value("unload_format", None) if not staged else None
    args.emit("unload_format") if fmt is UNKNOWN else args.text(str(fmt or "PARQUET"))
    args.text("\nENCRYPTED")
    _wrangler_unload_tail(args, staged)
    args.text(";")
    return ""


def _wrangler_unload_tail(args: CallArgs, staged: bool) -> None:
    """KMS_KEY_ID, PARTITION BY, REGION, MAXFILESIZE and MANIFEST, in awswrangler's order."""
    if args.value("kms_key_id", None) is not None:
        args.text("\nKMS_KEY_ID '")
        args.emit("kms_key_id")
        args.text("'")
    if not staged and args.value("partition_cols", None):
        args.text("\nPARTITION BY (")
        args.items("partition_cols", ",")
        args.text(")")
    if args.value("region", None) is not None:
        args.text("\nREGION AS '")
        args.emit("region")
        args.text("'")
    if args.value("max_file_size", None) is not None:
        args.text("\nMAXFILESIZE AS ")
        args.emit("max_file_size")
        args.text(" MB")
    if not staged:
        _flag(args, "manifest", False, "\nmanifest")


_KEYS = ("iam_role", "aws_access_key_id", "aws_secret_access_key", "aws_session_token")

# called name -> (positional parameter names, recipe)
CALLS = {
    "S3ToRedshiftOperator": ((), _s3_to_redshift),
    "RedshiftToS3Operator": ((), _redshift_to_s3),
    "redshift.copy_from_files": (("path", "con", "table", "schema", *_KEYS),
                                 lambda args: _wrangler_copy(args, staged=False)),
    "redshift.copy": (("df", "path", "con", "table", "schema", *_KEYS),
                      lambda args: _wrangler_copy(args, staged=True)),
    "redshift.unload_to_files": (("sql", "path", "con", *_KEYS),
                                 lambda args: _wrangler_unload(args, staged=False)),
    "redshift.unload": (("sql", "path", "con", *_KEYS),
                        lambda args: _wrangler_unload(args, staged=True)),
}
