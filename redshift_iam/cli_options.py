"""The click options the commands share. Values are checked by the same functions the
library uses (flags.py, values.py); a bad value is a usage error (exit 2)."""

from __future__ import annotations

import re

import click

from redshift_iam.lazyre import LazyRegex

_DB_USER = LazyRegex(r"^arn:aws(?:-cn|-us-gov)?:redshift:[a-z0-9-]+:\d{12}:dbuser:[^/\s]+/\S+\Z",
                      re.ASCII)


def _flag(check_name):
    """A click callback running a flags.py check; its FlagError becomes a usage error."""
    def callback(ctx, param, value):
        from redshift_iam import flags
        try:
            return getattr(flags, check_name)(value) if value else value
        except flags.FlagError as exc:
            raise click.BadParameter(str(exc)) from None
    return callback


def _db_users(ctx, param, values):
    for value in values:
        if not _DB_USER.match(value):
            raise click.BadParameter(f"{value!r} is not arn:PARTITION:redshift:REGION:ACCOUNT:"
                                     "dbuser:CLUSTER/USER")
    return values


def _trust_regions(ctx, param, values):
    from redshift_iam.values import check_region
    for value in values:
        if check_region(value):
            raise click.BadParameter(f"{value!r} is not an AWS Region code")
    return values


def input_options(func):
    """The input: SCRIPT arguments (files, directories, '-') and how to read them."""
    func = click.option(
        "--input-format", type=click.Choice(["auto", "sql", "spec"]), default="auto",
        show_default=True,
        help="auto: files ending .yaml, .yml or .json are operation specs, the rest SQL; "
             "sql or spec: read every input so.")(func)
    return click.argument("scripts", nargs=-1, metavar="[SCRIPT]...")(func)


def shared_options(func):
    """Options every command that reads SQL takes."""
    options = [
        input_options,
        click.option("--account-id", default="", metavar="ID", callback=_flag("check_account"),
                     help="Account for ARNs the SQL does not fully name (12 digits). A role's "
                          "own account wins for its DynamoDB, EMR and KMS ARNs."),
        click.option("--region", default="", metavar="REGION", callback=_flag("check_region_code"),
                     help="The cluster's Region, for DynamoDB/EMR/KMS ARNs without REGION."),
        click.option("--partition", default="aws", show_default=True,
                     type=click.Choice(["aws", "aws-cn", "aws-us-gov"]),
                     help="ARN partition."),
        click.option("--manifest", "manifests", multiple=True, metavar="S3URI=FILE",
                     help="Local copy of a COPY manifest; its entries become exact grants. "
                          "Repeatable."),
        click.option("--kms-key", "kms_keys", multiple=True, metavar="TARGET=KEY",
                     help="TARGET is s3://bucket[/prefix] (objects there use KEY) or alias/NAME; "
                          "KEY is a key ARN, or a key id with --account-id and --region. "
                          "Repeatable."),
        click.option("--max-policies", default=10, show_default=True, metavar="N",
                     type=click.IntRange(1, 20),
                     help="Managed policies one principal may need (IAM: 10 per role, 20 on "
                          "request); each holds at most 6,144 characters."),
        click.option("--inline", is_flag=True,
                     help="Size for one inline policy (10,240 characters) instead."),
        click.option("--no-fold", is_flag=True,
                     help="Fail instead of folding keys into wildcards when the exact "
                          "grants do not fit."),
        click.option("--allow-unresolved", is_flag=True,
                     help="Emit what is known when an account, Region, manifest or key is "
                          "missing; the gaps become warnings."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


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
    for option in reversed(options):
        func = option(func)
    return func


def role_option(func):
    return click.option("--role", metavar="ROLE",
                        help="Which principal: a role ARN, 'default', 'user' or "
                             "'user:<access key id>'.")(func)
