"""What a run takes besides its inputs: one frozen value, built once (from the flags by the
CLI, or by a library caller) and handed to the front door (``redshift_iam.analysis``).

Every field has the default the command line has; an empty string means "not given" (the
partition is then ``aws``, and an account or Region a grant needs is unresolved). Values are
the flags' own text (``--manifest S3URI=FILE``, ``--kms-key TARGET=KEY``, ``--var NAME=VALUE``):
the front door checks them once, the same way for the CLI and for library callers, and raises
:class:`OptionsError` (the CLI's usage error, exit 2) for one it cannot use.
"""

from __future__ import annotations

from typing import NamedTuple

from redshift_iam.core.aws_names import PARTITIONS  # noqa: F401 (one word list, re-exported)
from redshift_iam.core.localfiles import ReadLimits
from redshift_iam.core.settings import MAX_MANAGED, Limits

TEMPLATE_STYLES = ("auto", "jinja", "format", "percent", "shell", "psql", "ruby", "angle", "none")
INPUT_FORMATS = ("auto", "sql", "spec")
SEVERITIES = ("info", "warning", "unresolved", "error")  # lint --min-severity, least first
IAC_FORMATS = ("terraform", "cloudformation", "cloudformation-json")


class OptionsError(ValueError):
    """An option value that cannot be used; the message names the option (a usage error)."""


class Options(NamedTuple):
    """The options of one run (see the module docstring and docs/commands.md's option reference)."""

    # What the SQL does not say.
    partition: str = ""  # "" = not given: aws (Terraform/CloudFormation then use the data source)
    account_id: str = ""
    region: str = ""
    manifests: tuple[str, ...] = ()  # S3URI=LOCALFILE
    kms_keys: tuple[str, ...] = ()  # TARGET=KEY
    # The trust policy.
    serverless: bool = False
    trust_regions: tuple[str, ...] = ()
    db_users: tuple[str, ...] = ()
    # IAM's quotas.
    max_policies: int = MAX_MANAGED
    inline: bool = False
    fold: bool = True
    # Templated SQL.
    template_vars: tuple[str, ...] = ()  # NAME=VALUE, later wins
    vars_files: tuple[str, ...] = ()  # later wins; --var wins over every file
    template_style: str = "auto"
    template_path: str | None = None
    # How inputs are read, and what the documents are for.
    input_format: str = "auto"
    # Bytes read per file and per run (None: the job's default, core.localfiles: 32 MiB and
    # 256 MiB for scripts, 1 MiB and 1 GiB for scan); a file over them is never read.
    max_file_size: int | None = None
    max_total_size: int | None = None
    exclude: tuple[str, ...] = ()  # scan: GLOBs of files not read (inputs.scanning.excluded)
    iac: bool = False  # Terraform/CloudFormation: open values become variables/parameters
    # The account: look up with boto3 what the SQL and the flags leave open (--resolve).
    resolve: bool = False
    # check: the role's policies (files, '-' for standard input; and/or a role read from IAM),
    # the role of a file that holds several, request context keys (KEY=VALUE), and whether
    # what the policies allow beyond the need fails the check.
    policies: tuple[str, ...] = ()
    from_role: str = ""
    policy_role: str = ""
    context: tuple[str, ...] = ()
    strict: bool = False
    # lint: the least severity that fails the run.
    min_severity: str = "warning"
    # The project config (docs/config.md): a file named by --config, none with --no-config,
    # else .redshift-iam.toml or pyproject.toml's [tool.redshift-iam] found upward from the
    # first input. The config never overrides a field named in ``given`` (the command line
    # names the flags it was given) or, when ``given`` is None (a library caller), a field
    # that differs from its default.
    config: str | None = None
    no_config: bool = False
    given: tuple[str, ...] | None = None

    @property
    def partition_or_default(self) -> str:
        return self.partition or "aws"

    def read_limits(self, default: ReadLimits) -> ReadLimits:
        """The read limits of a job whose own defaults are ``default``."""
        return ReadLimits(self.max_file_size or default.per_file,
                          self.max_total_size or default.total)

    @property
    def limits(self) -> Limits:
        return Limits(self.max_policies, self.inline, self.fold)


DEFAULTS = Options()  # every option as the command line defaults it


class Setting(NamedTuple):
    """Where one option's value came from, for ``explain``: ``origin`` is ``flag``,
    ``FILE:LINE`` of the project config, or ``default``."""

    name: str
    value: object
    origin: str
