"""AWS: the account behind ``--resolve`` and ``apply``, with boto3 (loaded on first use).

- :class:`AwsResolver` answers the lookups of ``core.lookups`` (``derive.resolve_settings``
  asks it what a script needs beyond the flags).
- :func:`plan_apply`, :func:`execute_plan`, :func:`apply_reports` put the reports'
  roles, policies and trust in place, and the first role of each chain on a cluster or a
  Redshift Serverless namespace (see ``aws.apply``).
- :func:`read_role_policies` reads a role's permissions policies for ``check --from-role``.

Public names (the stage's one door; each loads on first use).
"""

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
