"""The values of ``apply``: its options, the plan (one :class:`Change` per AWS call, in the
order they are made), what it skipped, and the outcome. Plans are frozen, JSON-serialisable
and deterministic: the same reports and the same account state give the same plan."""

from __future__ import annotations

import json
from typing import NamedTuple

from redshift_iam.core.diagnostics import Diagnostic, InputError
from redshift_iam.core.settings import MAX_MANAGED

TAG = {"Key": "managed-by", "Value": "redshift-iam"}  # on every role and policy apply makes
SUFFIX = "-redshift-iam"  # policies are <role>-redshift-iam, <role>-redshift-iam-2, ...


class ApplyOptions(NamedTuple):
    """``cluster`` (a provisioned cluster id) or ``namespace`` (a Redshift Serverless
    namespace) gets the first role of each chain; ``dry_run`` plans and changes nothing;
    ``max_policies`` is the role's quota of managed policies (10, or 20 on request)."""

    cluster: str = ""
    namespace: str = ""
    dry_run: bool = False
    max_policies: int = MAX_MANAGED


class Change(NamedTuple):
    """One AWS call. ``role``: the role ARN it is for; ``target``: the policy ARN (or name,
    before it exists), the cluster id or the namespace; ``document``: the trust or policy
    JSON it puts; ``version``: a policy version id; ``roles``/``default``: the roles a
    cluster gains, or all the roles and the default role a namespace keeps."""

    action: str
    role: str = ""
    target: str = ""
    document: str = ""
    version: str = ""
    roles: tuple[str, ...] = ()
    default: str = ""

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"action": self.action}
        for field in ("role", "target", "version", "default"):
            if getattr(self, field):
                body[field] = getattr(self, field)
        if self.roles:
            body["roles"] = list(self.roles)
        if self.document:
            body["document"] = json.loads(self.document)
        return body

    def summary(self) -> str:
        """One readable line: what the call does."""
        what = SUMMARIES[self.action].format(role=self.role, target=self.target,
                                             version=self.version, roles=", ".join(self.roles))
        return what + (f" (default role {self.default})" if self.default else "")


SUMMARIES = {
    "create-role": "create role {role}",
    "update-trust": "update the trust policy of {role}",
    "create-policy": "create policy {target} for {role}",
    "delete-policy-version": "delete version {version} of {target}",
    "create-policy-version": "put a new default version of {target}",
    "attach-policy": "attach {target} to {role}",
    "detach-policy": "detach {target} from {role}",
    "delete-policy": "delete policy {target}, no longer needed",
    "attach-to-cluster": "add {roles} to cluster {target}",
    "attach-to-namespace": "set the roles of namespace {target} to {roles}",
}


class Skip(NamedTuple):
    """A principal apply does not create, and why."""

    principal: str
    reason: str


class Plan(NamedTuple):
    """What apply does in ``account``: the changes in order, the principals it skips, the
    roles whose state already matches."""

    account: str
    changes: tuple[Change, ...]
    skipped: tuple[Skip, ...] = ()
    unchanged: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {"account": self.account,
                "changes": [change.as_json() for change in self.changes],
                "skipped": [{"principal": s.principal, "reason": s.reason}
                            for s in self.skipped],
                "unchanged": list(self.unchanged)}

    def text(self) -> str:
        """The JSON form, two-space indented, with a final newline (stable bytes)."""
        return json.dumps(self.as_json(), indent=2) + "\n"

    def warnings(self) -> tuple[Diagnostic, ...]:
        """RW244 for each principal skipped."""
        return tuple(Diagnostic("RW244", f"apply skipped {s.principal}: {s.reason}")
                     for s in self.skipped)

    def summary(self) -> str:
        """Readable lines: each change, or that nothing needs one."""
        if not self.changes:
            return (f"nothing to change: {len(self.unchanged)} role(s) in account "
                    f"{self.account} already match")
        return "\n".join(change.summary() for change in self.changes)


class Outcome(NamedTuple):
    """The plan and the changes made (none on a dry run, or when nothing was needed)."""

    plan: Plan
    done: tuple[Change, ...]
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            head = "dry run, nothing changed; apply would:" if self.plan.changes else ""
            return "\n".join(part for part in (head, self.plan.summary()) if part)
        if not self.done:
            return self.plan.summary()
        return "\n".join(["done:", *(change.summary() for change in self.done)])


class ApplyError(InputError):
    """Apply cannot go on: its diagnostic (RI196-RI199) and the changes made before it
    stopped (a run with the same input continues from there)."""

    def __init__(self, diagnostic: Diagnostic, done: tuple[Change, ...] = ()) -> None:
        super().__init__(diagnostic)
        self.done = done


def policy_name(role_name: str, index: int) -> str:
    """The name of a role's ``index``-th (1-based) policy: ``R-redshift-iam``, then
    ``R-redshift-iam-2``, ... (a role name has at most 64 characters, a policy 128)."""
    return role_name + SUFFIX + (f"-{index}" if index > 1 else "")


def compact(document: dict[str, object]) -> str:
    """A document as the compact JSON apply sends (IAM ignores white space)."""
    return json.dumps(document, separators=(",", ":"))


def split_arn(arn: str) -> tuple[str, str]:
    """An IAM role or policy ARN's path (``/`` or ``/etl/``) and name."""
    inner = arn.split(":", 5)[5].split("/", 1)[1]
    path, _, name = inner.rpartition("/")
    return (f"/{path}/" if path else "/"), name
