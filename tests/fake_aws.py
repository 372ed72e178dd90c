"""A stand-in for the ``aws`` command line, with boto3, for the README's recipes on machines
without the AWS CLI: exactly the calls the recipes make, with the same arguments, each done
with the boto3 calls the AWS CLI makes for it (``cloudformation deploy``: a change set, then
its execution, waiting for each as the CLI does). Anything else exits 2 as the CLI would for an
unknown command. boto3 reads the endpoint, Region and credentials from the environment
(``AWS_ENDPOINT_URL`` points it at the test's moto server)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _value(text: str) -> str:
    """The AWS CLI reads a parameter from a file when it is written ``file://PATH``."""
    return Path(text.removeprefix("file://")).read_text() if text.startswith("file://") else text


def _create_role(client, args: argparse.Namespace) -> dict:
    return client.create_role(RoleName=args.role_name,
                              AssumeRolePolicyDocument=_value(args.assume_role_policy_document))


def _put_role_policy(client, args: argparse.Namespace) -> dict:
    client.put_role_policy(RoleName=args.role_name, PolicyName=args.policy_name,
                           PolicyDocument=_value(args.policy_document))
    return {}


def _deploy(client, args: argparse.Namespace) -> dict:
    body = Path(args.template_file).read_text()
    change = client.create_change_set(StackName=args.stack_name, TemplateBody=body,
                                      ChangeSetName="redshift-iam-deploy", ChangeSetType="CREATE",
                                      Capabilities=args.capabilities)
    print("Waiting for changeset to be created..")
    client.get_waiter("change_set_create_complete").wait(
        ChangeSetName=change["Id"], StackName=args.stack_name, WaiterConfig={"Delay": 1})
    client.execute_change_set(ChangeSetName=change["Id"], StackName=args.stack_name)
    print("Waiting for stack create/update to complete")
    client.get_waiter("stack_create_complete").wait(StackName=args.stack_name,
                                                    WaiterConfig={"Delay": 1})
    print(f"Successfully created/updated stack - {args.stack_name}")
    return {}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aws")
    services = parser.add_subparsers(dest="service", required=True)
    iam = services.add_parser("iam").add_subparsers(dest="command", required=True)
    role = iam.add_parser("create-role")
    role.add_argument("--role-name", required=True)
    role.add_argument("--assume-role-policy-document", required=True)
    role.set_defaults(run=_create_role)
    put = iam.add_parser("put-role-policy")
    for name in ("--role-name", "--policy-name", "--policy-document"):
        put.add_argument(name, required=True)
    put.set_defaults(run=_put_role_policy)
    cfn = services.add_parser("cloudformation").add_subparsers(dest="command", required=True)
    deploy = cfn.add_parser("deploy")
    deploy.add_argument("--template-file", required=True)
    deploy.add_argument("--stack-name", required=True)
    deploy.add_argument("--capabilities", nargs="+", default=[])
    deploy.set_defaults(run=_deploy)
    return parser


def main(argv: list[str]) -> int:
    import boto3
    from botocore.exceptions import ClientError

    args = _parser().parse_args(argv)
    try:
        response = args.run(boto3.client(args.service), args)
    except ClientError as error:  # the AWS CLI's message and exit code (version 1)
        print(f"\n{error}", file=sys.stderr)
        return 255
    response.pop("ResponseMetadata", None)
    if response:
        print(json.dumps(response, indent=4, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
