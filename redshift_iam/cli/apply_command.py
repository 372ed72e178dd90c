"""``redshift-iam apply``: put the roles, policies and trust the SQL needs in the account."""

from __future__ import annotations

import click

from redshift_iam.cli import errors as cli_errors
from redshift_iam.cli.click_options import shared_options, trust_options
from redshift_iam.cli.common import EXIT_CODES, analyze_input, build_options, guarded


@click.command(name="apply", epilog=EXIT_CODES)
@shared_options
@trust_options
@click.option("--cluster", metavar="ID", default="",
              help="Attach the first role of each chain to this provisioned cluster.")
@click.option("--namespace", metavar="NAME", default="",
              help="Attach the first role of each chain to this Redshift Serverless "
                   "namespace (the roles already there are kept).")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@guarded
def apply_command(scripts, cluster, namespace, dry_run, allow_unresolved, **flags):
    """Create or update the roles the SQL uses, with their trust and permissions.

    Implies --resolve. For each role: create it if missing (else update its trust policy),
    put its permissions as customer-managed policies named ROLE-redshift-iam, -2, -3 ...
    (tagged managed-by=redshift-iam; old versions pruned within IAM's limit of 5), attach
    them, and delete the ones it made earlier that are no longer needed. Key-based users and
    IAM_ROLE default are skipped, with the reason. The plan (JSON) goes to stdout, a
    readable summary to stderr; a second run with the same input changes nothing. A run
    that stops half-way is completed by the next one.
    """
    from redshift_iam.analysis import apply
    if cluster and namespace:
        raise click.UsageError("give --cluster or --namespace, not both")
    if flags.get("inline"):
        raise click.UsageError("apply puts customer-managed policies; --inline is not for "
                               "apply")
    options = build_options(flags)._replace(resolve=True)
    analysis = analyze_input(options, scripts, allow_unresolved)
    outcome = apply(analysis, options, cluster=cluster, namespace=namespace, dry_run=dry_run)
    cli_errors.diagnostics(outcome.plan.warnings())
    click.echo(outcome.plan.text(), nl=False)
    for line in outcome.summary().splitlines():
        cli_errors.info(line)
