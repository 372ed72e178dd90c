"""Who an operation runs as: ``access_key_id`` [+ ``session_token``], else ``role`` (a role
ARN, ``default``, or a chain) here or at the top level -> :class:`Authorization`, checked as
the SQL reader checks IAM_ROLE and ACCESS_KEY_ID (same codes and messages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

from redshift_iam.core.aws_names import (
    MAX_ROLE_CHAIN,
    access_key_warnings,
    check_key_id,
    check_role_arn,
    placeholder,
    role_account_warning,
)
from redshift_iam.core.statements import AuthKind, Authorization, Open, Text
from redshift_iam.spec.loader import Node

if TYPE_CHECKING:
    from redshift_iam.spec.operations import Operation


@overload
def authorization(op: Operation, keyword: str, needed: Literal[True] = True) -> Authorization:
    ...


@overload
def authorization(op: Operation, keyword: str, needed: bool) -> Authorization | None:
    ...


def authorization(op: Operation, keyword: str, needed: bool = True) -> Authorization | None:
    """``access_key_id`` [+ ``session_token``], else ``role`` here or at the top level."""
    if op.get("session_token") and not op.get("access_key_id"):
        raise op.error("RI115", f"{op.path}: session_token needs access_key_id",
                       op.members["session_token"].key_offset)
    if op.get("access_key_id") is not None:
        return _keys(op)
    found = op.node("role", inherit=needed)
    if found is None:
        if not needed:
            return None
        raise op.error("RI115", f"{op.path}: {keyword} needs authorization: give role (here or "
                                "at the top level) or access_key_id", op.key_offset)
    path, node = found
    loc = op.at(node)
    if isinstance(node.value, str) and node.value.lower() == "default":
        return Authorization(AuthKind.DEFAULT_ROLE, loc)
    open_role = _open_role(op, node)
    if open_role is not None:
        return Authorization(AuthKind.OPEN, loc, open=open_role)
    return Authorization(AuthKind.ROLE, loc, roles=_chain(op, path, node))


def _open_role(op: Operation, node: Node) -> Open | None:
    """A role (or a chain, written as IAM_ROLE 'a,b' would be) holding an unresolved
    placeholder: who gets the permissions is open (derive: RI146)."""
    items = node.value if isinstance(node.value, list) else [node]
    if not any(op.is_open(item) for item in items):
        return None
    text = ",".join(item.value for item in items) if isinstance(node.value, list) else node.value
    first = next(item for item in items if op.is_open(item))
    return Open("role", text, op.at(first if isinstance(node.value, list) else node))


def _keys(op: Operation) -> Authorization:
    path, node = op.required("access_key_id")
    if op.is_open(node):
        at = op.members["access_key_id"].key_offset
        return Authorization(AuthKind.OPEN, op.source.location(at),
                             open=Open("access key id", node.value, op.at(node)))
    problem = placeholder(node.value, not op.templated)
    if problem:
        raise op.problem(problem, path, node)
    if not node.value:
        raise op.error("RI115", f"{path}: the access key id is empty", node.offset)
    bad_shape = check_key_id(node.value)
    if bad_shape:
        raise op.error("RI127", f"{path}: {bad_shape[0]}", node.text_offset + bad_shape[1],
                       redact_from=node.offset)
    at, temporary = op.members["access_key_id"].key_offset, bool(op.get("session_token"))
    for code, message in access_key_warnings(node.value, temporary):
        op.warn(code, message, at)
    return Authorization(AuthKind.KEYS, op.source.location(at), access_key_id=node.value,
                         temporary=temporary)


def _chain(op: Operation, path: str, node: Node) -> tuple[Text, ...]:
    """A role list, or a comma string as IAM_ROLE 'a,b' (no spaces), checked like SQL's."""
    if isinstance(node.value, list):
        items = [(f"{path}[{i}]", item, item.value, 0) for i, item in enumerate(node.value)]
    else:
        space = next((i for i, ch in enumerate(node.value) if ch.isspace()), -1)
        if space >= 0:
            raise op.error("RI123", f"{path}: a role chain must not contain spaces",
                           node.text_offset + space)
        items, start = [], 0
        for arn in node.value.split(","):
            items.append((path, node, arn, start))
            start += len(arn) + 1
    if len(items) > MAX_ROLE_CHAIN:
        raise op.error("RI113", f"{path}: a role chain has at most {MAX_ROLE_CHAIN} roles, "
                                f"found {len(items)}", node.offset)
    return tuple(_role(op, *item) for item in items)


def _role(op: Operation, path: str, node: Node, arn: str, start: int) -> Text:
    problem = check_role_arn(arn, not op.templated)
    if problem:
        raise op.problem(problem, path, node, start)
    warning = role_account_warning(arn)
    if warning:
        op.warn(*warning, node.offset)
    return Text(arn, op.at(node, start))
