"""The click options the commands share. Values are checked by the same functions the
library uses (inputs/flags.py, core/aws_names.py); a bad value is a usage error (exit 2)."""

from __future__ import annotations

from pathlib import Path

import click

from redshift_iam.core.aws_names import _DB_USER
from redshift_iam.core.options import INPUT_FORMATS, PARTITIONS, SEVERITIES, TEMPLATE_STYLES


def apply_options(func, options):
    """``func`` decorated by ``options`` in their listed order (the first shows first in
    --help)."""
    for option in reversed(options):
        func = option(func)
    return func


def _flag(check_name):
    """A click callback running a flags.py check; its FlagError becomes a usage error."""
    def callback(ctx, param, value):
        import redshift_iam.inputs as inputs
        try:
            return getattr(inputs, check_name)(value) if value else value
        except inputs.FlagError as exc:
            raise click.BadParameter(str(exc)) from None
    return callback


def _db_users(ctx, param, values):
    for value in values:
        if not _DB_USER.match(value):
            raise click.BadParameter(f"{value!r} is not arn:PARTITION:redshift:REGION:ACCOUNT:"
                                     "dbuser:CLUSTER/USER")
    return values


def _trust_regions(ctx, param, values):
    from redshift_iam.core.aws_names import check_region
    for value in values:
        if check_region(value):
            raise click.BadParameter(f"{value!r} is not an AWS Region code")
    return values


def _vars(ctx, param, values):
    """--var NAME=VALUE values, checked now (a malformed one is a usage error) and kept as
    typed: the front door reads them."""
    if not values:
        return ()
    from redshift_iam.core.diagnostics import InputError
    from redshift_iam.inputs import parse_var
    for value in values:
        try:
            parse_var(value)
        except InputError as exc:
            raise click.BadParameter(f"{exc.diagnostic.shown_message}; {exc.diagnostic.hint}"
                                     ) from None
    return tuple(values)


def size_value(ctx, param, value):
    """A size flag (4MiB, 512KiB, 1GiB, bytes) -> bytes; a bad one is a usage error. None
    (not given, no default) stays None: the job's own default."""
    if value is None:
        return None
    from redshift_iam.core.localfiles import parse_size
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def read_limit_options(per_file="32MiB", total="256MiB", larger="is an error (RI100)"):
    """How much of the input files one run reads (core.localfiles.ReadLimits): the options,
    with these defaults; ``larger`` says what becomes of a larger file."""
    def decorate(func):
        options = [
            click.option("--max-file-size", default=per_file, show_default=True,
                         metavar="SIZE", callback=size_value,
                         help=f"Read no file larger than this (units KiB, MiB, GiB; or bytes): "
                              f"a larger one {larger}, never read."),
            click.option("--max-total-size", default=total, show_default=True, metavar="SIZE",
                         callback=size_value,
                         help="Read at most this much in all in one run; a file past it is "
                              "treated as --max-file-size says."),
        ]
        return apply_options(func, options)
    return decorate


def template_options(func):
    """How templated SQL is read: the values of its placeholders and the forms recognised."""
    options = [
        click.option("--var", "template_vars", multiple=True, metavar="NAME=VALUE",
                     callback=_vars,
                     help="A template value: NAME is the text before the first '=' (as a "
                          "hint prints it; cfg['bucket'] is cfg.bucket), VALUE the text after "
                          "it, exactly as typed (never retyped or unquoted). Wins over --vars. "
                          "Repeatable."),
        click.option("--vars", "vars_files", multiple=True, metavar="FILE", callback=shown_paths,
                     help="Template values from a .json, .yaml/.yml, .env or .ini/.cfg file "
                          "(nested keys and [SECTION] KEY give dotted names); a later file "
                          "wins. Repeatable."),
        click.option("--template-style", type=click.Choice(TEMPLATE_STYLES), default="auto",
                     show_default=True,
                     help="The placeholder forms recognised in SQL scripts: auto (all), one "
                          "style, or none (every character literal)."),
        click.option("--template-path", metavar="DIR", default=None, callback=_shown,
                     help="Where Jinja {% include %} and {% import %} may read files "
                          "(nothing is read without it)."),
        click.option("--config", metavar="FILE", default=None, callback=_shown,
                     help="The project config to read (a .redshift-iam.toml, or a "
                          "pyproject.toml with [tool.redshift-iam]) instead of the one found "
                          "upward from the first input (up to the repository root). A flag "
                          "given here wins over it."),
        click.option("--no-config", is_flag=True,
                     help="Read no project config."),
    ]
    return apply_options(func, options)


def input_options(func):
    """The input: SCRIPT arguments (files, directories, '-') and how to read them."""
    func = read_limit_options()(func)
    func = click.option(
        "--input-format", type=click.Choice(INPUT_FORMATS), default="auto",
        show_default=True,
        help="auto: files ending .yaml, .yml or .json are operation specs, the rest SQL; "
             "sql or spec: read every input so.")(func)
    return click.argument("scripts", nargs=-1, metavar="[SCRIPT]...", callback=shown_paths)(func)


def shared_options(func):
    """Options every command that reads SQL takes."""
    return input_options(template_options(settings_options(func)))


def settings_options(func):
    """What the SQL does not say (account, Region, partition, manifests, keys), the quotas,
    and how problems are reported: every command that derives grants takes them."""
    options = [
        click.option("--account-id", default="", metavar="ID", callback=_flag("check_account"),
                     help="Account for ARNs the SQL does not fully name (12 digits, or "
                          "1234-5678-9012 as the console shows it). A role's own account wins "
                          "for its DynamoDB, EMR and KMS ARNs."),
        click.option("--region", default="", metavar="REGION", callback=_flag("check_region_code"),
                     help="The cluster's Region, for DynamoDB/EMR/KMS ARNs without REGION."),
        click.option("--partition", default=None, show_default="aws",
                     type=click.Choice(PARTITIONS),
                     help="ARN partition."),
        click.option("--manifest", "manifests", multiple=True, metavar="S3URI=FILE",
                     help="Local copy of a COPY manifest; its entries become exact grants. "
                          "Split at the last '=' whose right side is an existing file (else the "
                          "last '='), so S3URI may hold '=' (s3://b/dt=2024-01-01/m). "
                          "Repeatable."),
        click.option("--kms-key", "kms_keys", multiple=True, metavar="TARGET=KEY",
                     help="TARGET is s3://bucket[/prefix] (objects there use KEY), alias/NAME "
                          "or an alias ARN; KEY is a key ARN or a key id (an ARN in each "
                          "statement's Region and account); for an s3:// TARGET, KEY may be "
                          "'none': the objects use no customer key (SSE-S3, or the AWS managed "
                          "key aws/s3), so no KMS permission is needed. An s3:// TARGET ends at "
                          "the last '=' (it may hold '='); an alias at the first. Repeatable."),
        click.option("--max-policies", default=10, show_default=True, metavar="N",
                     type=click.IntRange(1, 20),
                     help="Managed policies one principal may need (IAM: 10 per role, 20 on "
                          "request); each holds at most 6,144 characters."),
        click.option("--inline", is_flag=True,
                     help="Size for one inline policy (10,240 characters) instead."),
        click.option("--no-fold", is_flag=True,
                     help="Fail instead of folding keys into wildcards when the exact "
                          "grants do not fit."),
        click.option("--resolve", is_flag=True,
                     help="Look up with boto3 (default credential chain; AWS_PROFILE, "
                          "AWS_REGION, AWS_ENDPOINT_URL) what the SQL and the flags leave "
                          "open: the account, the Region, manifests, bucket default keys, "
                          "KMS aliases; and check that buckets, tables and keys exist."),
        click.option("--allow-unresolved", is_flag=True,
                     help="Emit what is known when a value is missing (a template "
                          "placeholder without a value, an account, Region, manifest or key); "
                          "the gaps become warnings and their grants are left out."),
        error_format_option,
    ]
    return apply_options(func, options)


error_format_option = click.option(
    "--error-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="stderr as text, or as one JSON object per line (code, severity, message, location, "
         "hint). Not implied by --format json.")


def trust_options(func):
    options = [
        click.option("--serverless", is_flag=True,
                     help="Trust redshift-serverless.amazonaws.com as well."),
        click.option("--db-user", "db_users", multiple=True, metavar="ARN",
                     callback=_db_users,
                     help="Only these database users may assume the role (sts:ExternalId). "
                          "Repeatable."),
        click.option("--trust-region", "trust_regions", multiple=True, metavar="REGION",
                     callback=_trust_regions,
                     help="Trust redshift.REGION.amazonaws.com instead of the global principal. "
                          "Repeatable."),
    ]
    return apply_options(func, options)


def role_option(func):
    return click.option("--role", metavar="ROLE",
                        help="Which principal: a role ARN, a role name or path/name that names "
                             "one role of the input (EtlLoader, etl/EtlLoader), 'default', "
                             "'user' or 'user:<access key id>'.")(func)


def _path(ctx, param, value):
    return None if value is None else Path(shown_path(value))


def shown_path(path: str) -> str:
    """``path`` as the tool prints it: relative to the working directory when it names a
    place under it (``/home/me/repo/a.py`` run in ``/home/me`` is ``repo/a.py``), else as
    given (a relative path, ``-``, a place elsewhere). Only the text changes: the same
    file is read."""
    import os

    if not os.path.isabs(path):
        return path
    cwd = os.getcwd()
    absolute = os.path.normpath(path)
    if absolute != cwd and not absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return path
    return os.path.relpath(absolute, cwd)  # the working directory itself is "."


def shown_paths(ctx, param, value):
    """A click callback: each path of a repeatable option or argument as :func:`shown_path`
    makes it (every location, hint and summary line then names it so)."""
    return tuple(shown_path(item) for item in value) if value else value


def _shown(ctx, param, value):
    return value if value is None else shown_path(value)


def out_dir_options(what: str, out_dir_help: str):
    """--out-dir DIR, --force and --check of a command that writes documents (``what``
    names the command in the --check help)."""
    def decorate(func):
        options = [
            click.option("--out-dir", metavar="DIR", default=None, callback=_path,
                         help=out_dir_help),
            click.option("--force", is_flag=True,
                         help="With --out-dir: replace files the tool did not write."),
            click.option("--check", is_flag=True,
                         help="With --out-dir: write nothing; exit 1 with a unified diff on "
                              f"stdout when the folder is not what {what} would write."),
        ]
        return apply_options(func, options)
    return decorate


def check_options(func):
    """What ``check`` checks: the role's policies (files and/or IAM), which role of a file,
    the request context, and whether excess fails (Options.policies ... Options.strict)."""
    options = [
        click.option("--policy", "policies", multiple=True, metavar="FILE", callback=shown_paths,
                     help="The role's policies: a policy document, an aws iam get-role-policy, "
                          "get-policy-version or get-account-authorization-details response, "
                          "a terraform show -json plan or state, or a CloudFormation template "
                          "(JSON or YAML); '-' reads standard input. Repeatable: the "
                          "documents are evaluated together."),
        click.option("--from-role", default="", metavar="NAME",
                     help="Read the role's inline and attached policies and its permissions "
                          "boundary from IAM with boto3 (default credential chain; "
                          "AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL); a name or a role ARN."),
        click.option("--policy-role", default="", metavar="ROLE",
                     help="The role of a --policy file that holds several (its name or ARN, "
                          "a Terraform address, a CloudFormation logical id); default: the "
                          "checked principal's role name."),
        click.option("--strict", is_flag=True,
                     help="Exit 1 when the documents allow anything beyond what the SQL "
                          "needs (RC402)."),
        click.option("--context", multiple=True, metavar="KEY=VALUE",
                     help="A condition key every request carries (aws:SourceVpc=vpc-1a2b3c4d, "
                          "aws:SourceIp=10.0.0.8); a condition on a key not given is not "
                          "known to hold. Repeatable, each key once."),
    ]
    return apply_options(func, options)


def min_severity_option(func):
    """lint's threshold (Options.min_severity)."""
    return click.option("--min-severity", type=click.Choice(SEVERITIES), default="warning",
                        show_default=True,
                        help="Exit 1 when a finding is at or above this severity (info < "
                             "warning < unresolved < error). Every finding is reported.")(func)
