"""Options -> what the stages read: Settings (with the manifests the options name, read),
TrustOptions and Limits. The one place option values are checked, for the CLI and for
library callers alike (the CLI's flag callbacks call the same checks early, for their
messages)."""

from __future__ import annotations

import os
from typing import NamedTuple

from redshift_iam.core.options import INPUT_FORMATS, TEMPLATE_STYLES, Options, OptionsError
from redshift_iam.core.settings import Limits, Settings, TrustOptions


class Configured(NamedTuple):
    """What the stages read of the options."""

    settings: Settings
    trust: TrustOptions
    limits: Limits


def configure(options: Options) -> Configured:
    """The stages' settings. Raises OptionsError for a value that cannot be used, and
    InputError for a manifest file whose content is bad (it has a file:line:col)."""
    from redshift_iam.inputs import FlagError, build_settings, check_account, check_region_code

    _check_words(options)
    partition = options.partition_or_default
    try:
        account = check_account(options.account_id) if options.account_id else ""
        region = check_region_code(options.region) if options.region else ""
        if options.iac:  # Terraform/CloudFormation: the applying account and Region
            account, region = account or _placeholder_account(), region or _placeholder_region(
                partition)
        settings = build_settings(partition, account, region, options.manifests,
                                  options.kms_keys)
    except FlagError as exc:
        raise OptionsError(str(exc)) from None
    if not 1 <= options.max_policies <= 20:
        raise OptionsError(f"--max-policies {options.max_policies}: IAM allows 1 to 20 managed "
                           "policies per role")
    return Configured(settings._replace(variables=options.iac), trust_options(options),
                      options.limits)


def trust_options(options: Options) -> TrustOptions:
    """The trust flags, checked against the partition."""
    from redshift_iam.inputs import FlagError, build_trust_options

    try:
        return build_trust_options(options.partition_or_default, options.serverless,
                                   tuple(options.trust_regions), tuple(options.db_users))
    except FlagError as exc:
        raise OptionsError(str(exc)) from None


def _check_words(options: Options) -> None:
    if options.template_style not in TEMPLATE_STYLES:
        raise OptionsError(f"--template-style {options.template_style!r}: expected one of "
                           f"{', '.join(TEMPLATE_STYLES)}")
    if options.input_format not in INPUT_FORMATS:
        raise OptionsError(f"--input-format {options.input_format!r}: expected one of "
                           f"{', '.join(INPUT_FORMATS)}")
    if options.template_path and not os.path.isdir(options.template_path):
        raise OptionsError(f"--template-path {options.template_path!r}: not a folder (give "
                           "the folder {% include %} and {% import %} names are read from)")


def _placeholder_account() -> str:
    from redshift_iam.output import PLACEHOLDER_ACCOUNT

    return str(PLACEHOLDER_ACCOUNT)


def _placeholder_region(partition: str) -> str:
    from redshift_iam.output import placeholder_region

    return str(placeholder_region(partition))
