"""The front door of ``apply``: put an analysis' roles, policies and trust in the AWS account
(the ``aws`` stage does it, with boto3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from redshift_iam.core.options import Options
from redshift_iam.core.reports import Analysis

if TYPE_CHECKING:
    from redshift_iam.aws import Outcome


def apply(analysis: Analysis, options: Options, *, cluster: str = "", namespace: str = "",
          dry_run: bool = False, session: Any = None) -> Outcome:
    """Create or update each role of ``analysis`` with its trust policy and its policies (as
    customer-managed policies), and attach the first role of each chain to ``cluster`` or
    ``namespace``; ``dry_run`` only plans. ``options`` must not ask for inline policies
    (apply manages customer-managed ones). Raises ``aws.ApplyError`` (an InputError) when
    the account refuses or holds what apply does not own, and OptionsError for a bad
    combination."""
    from redshift_iam.aws import ApplyOptions, apply_reports
    from redshift_iam.core.options import OptionsError

    if options.inline:
        raise OptionsError("apply puts customer-managed policies; --inline is not for apply")
    if cluster and namespace:
        raise OptionsError("give --cluster or --namespace, not both")
    return apply_reports(analysis.reports, ApplyOptions(cluster, namespace, dry_run,
                                                        options.max_policies), session)
