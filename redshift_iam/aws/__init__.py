"""AWS: the account behind ``--resolve`` and ``apply``, with boto3 (loaded on first use).

- :class:`AwsResolver` answers the lookups of ``core.lookups`` (``derive.resolve_settings``
  asks it what a script needs beyond the flags).
- :func:`plan_apply`, :func:`execute_plan`, :func:`apply_reports` put the reports'
  roles, policies and trust in place, and the first role of each chain on a cluster or a
  Redshift Serverless namespace (see ``aws.apply``).
- :func:`read_role_policies` reads a role's permissions policies for ``check --from-role``.

Public names (the stage's one door; each loads on first use).
"""

from typing import TYPE_CHECKING

from redshift_iam.core.lazy import lazy_exports

_EXPORTS = {
    "AwsResolver": "resolver",
    "ApplyOptions": "plan",
    "ApplyError": "plan",
    "Plan": "plan",
    "Change": "plan",
    "Outcome": "plan",
    "plan_apply": "apply",
    "execute_plan": "execute",
    "apply_reports": "apply",
    "read_role_policies": "role_policies",
    "RolePolicy": "role_policies",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.aws.apply import apply_reports as apply_reports
    from redshift_iam.aws.apply import plan_apply as plan_apply
    from redshift_iam.aws.execute import execute_plan as execute_plan
    from redshift_iam.aws.plan import ApplyError as ApplyError
    from redshift_iam.aws.plan import ApplyOptions as ApplyOptions
    from redshift_iam.aws.plan import Change as Change
    from redshift_iam.aws.plan import Outcome as Outcome
    from redshift_iam.aws.plan import Plan as Plan
    from redshift_iam.aws.resolver import AwsResolver as AwsResolver
    from redshift_iam.aws.role_policies import RolePolicy as RolePolicy
    from redshift_iam.aws.role_policies import read_role_policies as read_role_policies
