"""Diagnostics: stable codes, positions and the one error type every stage raises.

Every message the tool prints about the input is a :class:`Diagnostic`. Its ``code`` is stable
(tests, scripts and users may match on it); its ``message`` never contains a secret: the
readers never quote a secret option's value, snippets mask every secret span, and whatever a
message quotes is printed with secret-shaped text masked (:attr:`Diagnostic.shown_message`:
a message says where, not what).
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from redshift_iam.core.secrets import hide_secret_shapes


class Severity(str, Enum):
    """How a diagnostic affects the exit code."""

    ERROR = "error"  # bad input: always exit 1
    UNRESOLVED = "unresolved"  # a need the flags did not supply: exit 1 unless --allow-unresolved
    WARNING = "warning"  # printed on stderr, exit unaffected


class Location(NamedTuple):
    """A 1-based line and column in a named input (a file path, ``<stdin>`` or a flag)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    @property
    def short(self) -> str:
        """``file:line``, the form used to point at a statement."""
        return f"{self.file}:{self.line}"


# code -> (severity, hint). The hint tells the user what to do; the message says what happened.
CATALOGUE: dict[str, tuple[Severity, str]] = {
    "RI100": (Severity.ERROR, "check the path and that it is a readable text file"),
    "RI101": (Severity.ERROR, "close the string with a single quote"),
    "RI102": (Severity.ERROR, 'close the quoted identifier with a double quote'),
    "RI103": (Severity.ERROR, "close the comment with */"),
    "RI104": (Severity.ERROR, "close the dollar-quoted body with the same $tag$"),
    "RI105": (Severity.ERROR, "the input is not UTF-8 text; convert it (iconv -t UTF-8)"),
    "RI106": (Severity.ERROR, "remove the \\i that includes a file already being read; "
                              "includes nest at most 32 deep and read at most 1000 files"),
    "RI107": (Severity.ERROR, "keep included files inside the working directory or the "
                              "top-level script's folder"),
    "RI108": (Severity.ERROR, "write \\i FILE, or \\i 'FILE NAME' for a name with spaces; "
                              "psql variables, backquotes and double quotes are not expanded"),
    "RI110": (Severity.ERROR, "see the statement's syntax in the Redshift Database Developer "
                              "Guide"),
    "RI111": (Severity.ERROR, "an option the tool does not know may need a permission; "
                              "check its spelling against the Redshift reference"),
    "RI112": (Severity.ERROR, "give each option once"),
    "RI113": (Severity.ERROR, "the Redshift reference forbids this combination"),
    "RI114": (Severity.ERROR, "the Redshift reference does not allow this option with this source"),
    "RI115": (Severity.ERROR, "add the missing part"),
    "RI120": (Severity.ERROR, "write the location as s3://bucket/key with a valid bucket name"),
    "RI126": (Severity.ERROR, "COPY reads from 's3://bucket/key', 'dynamodb://TableName' or "
                              "'emr://j-CLUSTERID/path'"),
    "RI121": (Severity.ERROR, "replace the placeholder with the real value (the CLI reads "
                              "template placeholders: --var NAME=VALUE)"),
    "RI122": (Severity.ERROR, "use an AWS Region code such as us-east-1"),
    "RI123": (Severity.ERROR, "write the role as arn:aws:iam::123456789012:role/NAME"),
    "RI124": (Severity.ERROR, "give a KMS key ARN, key id or alias/NAME"),
    "RI125": (Severity.ERROR, "use one partition for the whole script (--partition)"),
    "RI127": (Severity.ERROR, "an access key id looks like AKIAIOSFODNN7EXAMPLE: AKIA or ASIA, "
                              "uppercase letters and digits, 16 to 128 characters (is the "
                              "secret key there instead?)"),
    "RI128": (Severity.ERROR, "a lone surrogate (U+D800-U+DFFF) is half a character and "
                              "cannot be written: fix the \\uD8XX escape (give the whole "
                              "character) or the bytes that are not UTF-8"),
    "RI130": (Severity.UNRESOLVED, "this statement makes Redshift use an IAM role, but the tool "
                                   "cannot map it yet; write that policy by hand"),
    "RI131": (Severity.UNRESOLVED, "pass the statement's SQL with --var NAME=SQL (or --vars "
                                   "FILE), or --allow-unresolved when it runs no COPY, UNLOAD "
                                   "or CREATE LIBRARY"),
    "RI140": (Severity.UNRESOLVED, "pass --account-id"),
    "RI141": (Severity.UNRESOLVED, "pass --region (the cluster's Region) or add REGION to the "
                                   "statement"),
    "RI142": (Severity.UNRESOLVED, "pass --manifest S3URI=LOCALFILE with a local copy of the "
                                   "manifest"),
    "RI143": (Severity.UNRESOLVED, "pass --kms-key alias/NAME=KEY_ARN"),
    "RI144": (Severity.UNRESOLVED, "pass --kms-key s3://BUCKET=KEY_ARN with the bucket's default "
                                   "key"),
    "RI145": (Severity.UNRESOLVED, "pass --var NAME=VALUE for the template placeholder in the "
                                   "S3 location (or --allow-unresolved to leave its grants "
                                   "out)"),
    "RI146": (Severity.UNRESOLVED, "pass --var NAME=VALUE for the template placeholder that "
                                   "says who Redshift acts as; the principal is never guessed"),
    "RI147": (Severity.UNRESOLVED, "pass --var NAME=VALUE for the template placeholder in the "
                                   "DynamoDB table, EMR cluster, KMS key or REGION"),
    "RI148": (Severity.UNRESOLVED, "pass --var NAME=VALUE for the template placeholder where "
                                   "options stand: options such as MANIFEST change the grants"),
    "RI149": (Severity.UNRESOLVED, "replace the <name> placeholder, or pass --var NAME=VALUE: "
                                   "a doc-style placeholder is never read as a literal value"),
    "RI150": (Severity.ERROR, "a manifest is JSON with an \"entries\" list of {\"url\": "
                              "\"s3://...\"}"),
    "RI160": (Severity.ERROR, "raise --max-policies (IAM allows up to 20 managed policies per "
                              "role on request), drop --inline, or allow folding"),
    "RI161": (Severity.ERROR, "IAM's default trust policy quota is 2,048 characters; use fewer "
                              "--db-user values or ask AWS for the 4,096 quota"),
    "RI170": (Severity.ERROR, "fix the Jinja syntax at that line (see the jinja2 template "
                              "designer docs)"),
    "RI171": (Severity.ERROR, "the template is rendered in a sandbox: use the values, not "
                              "Python internals"),
    "RI172": (Severity.ERROR, "include files by a relative name under --template-path DIR"),
    "RI173": (Severity.ERROR, "a SQL template needs no such loop or size; check the template"),
    "RI174": (Severity.ERROR, "write --var NAME=VALUE"),
    "RI175": (Severity.ERROR, "give a .json, .yaml/.yml or .env file holding NAME: VALUE pairs"),
    "RI176": (Severity.ERROR, "remove the private-use character (U+E000-U+E00F) from the "
                              "template; the tool reserves them"),
    "RI177": (Severity.ERROR, "fix the template, or give the values it needs with --var"),
    "RI178": (Severity.ERROR, "pip install 'redshift-iam[render]' (jinja2) to read Jinja "
                              "templates, or pass --template-style none"),
    "RI180": (Severity.ERROR, "a spec is YAML or JSON; fix the syntax at this position"),
    "RI181": (Severity.ERROR, "see the spec format in the README (\"Operation specs\") and "
                              "redshift_iam/spec/schema.json"),
    # --resolve (core.lookups, derive.facts): a lookup the policy needs failed
    "RI190": (Severity.ERROR, "give your credentials the permission the lookup needs, or pass "
                              "the value with the flag the hint names"),
    "RI191": (Severity.ERROR, "check the name in the SQL, or pass the value with the flag the "
                              "hint names"),
    "RI192": (Severity.ERROR, "configure AWS credentials and a Region (AWS_PROFILE, "
                              "AWS_REGION), or pass the values with the flags the hint names"),
    "RI193": (Severity.ERROR, "check the network and AWS_ENDPOINT_URL, or pass the values with "
                              "the flags the hint names"),
    "RI194": (Severity.ERROR, "run it again later, or pass the values with the flags the hint "
                              "names"),
    "RI195": (Severity.ERROR, "pass the value with the flag the hint names"),
    # apply (aws.apply)
    "RI196": (Severity.ERROR, "run apply with credentials of the role's account"),
    "RI197": (Severity.ERROR, "IAM allows 10 managed policies per role (20 on request) of "
                              "6,144 characters each; split the role or raise the quota"),
    "RI198": (Severity.ERROR, "fix the cause and run apply again: it continues where it "
                              "stopped"),
    "RI199": (Severity.ERROR, "rename or delete that policy, or tag it managed-by=redshift-iam "
                              "to let apply manage it"),
    "RW201": (Severity.WARNING, "AWS account ids have 12 digits"),
    "RW202": (Severity.WARNING, "the documented keyword is SESSION_TOKEN"),
    "RW203": (Severity.WARNING, "the AWS docs strongly recommend IAM_ROLE over access keys"),
    "RW204": (Severity.WARNING, "temporary credentials must stay valid for the whole operation"),
    "RW205": (Severity.WARNING, "AWS is retiring client-side encryption for COPY and UNLOAD"),
    "RW206": (Severity.WARNING, "IAM treats * and ? as wildcards; the grant also matches other "
                                "keys"),
    "RW207": (Severity.WARNING, "a key with leading or trailing white space is usually a typo"),
    "RW221": (Severity.WARNING, "a template placeholder in an S3 key stands for any text: the "
                                "grant has * there; pass --var NAME=VALUE to narrow it"),
    "RW222": (Severity.WARNING, "a template placeholder where a grant needs a value is a "
                                "Terraform variable / CloudFormation Parameter: give its value "
                                "when the file is applied"),
    "RW220": (Severity.WARNING, "psql expands a variable only after its \\set line; move the "
                                "\\set up or pass --var NAME=VALUE"),
    "RW240": (Severity.WARNING, "a check --resolve makes could not be done; the hint says "
                                "what that leaves open"),
    "RW241": (Severity.WARNING, "check the name in the SQL: the statement will fail on it"),
    "RW242": (Severity.WARNING, "REGION must name the bucket's Region when it is not the "
                                "cluster's"),
    "RW243": (Severity.WARNING, "Redshift cannot use a disabled or deleted key, or a "
                                "terminated cluster"),
    "RW244": (Severity.WARNING, "apply creates roles only; give a user's or the default role's "
                                "policies with generate"),
    "RW223": (Severity.WARNING, "psql sets the variable to a text the tool cannot know (a "
                                "backquoted command, a branch of \\if): give it a literal "
                                "value"),
    "RW210": (Severity.WARNING, "folding widened the policy to fit IAM's quotas; split the "
                                "role, raise --max-policies, or pass --no-fold to refuse"),
}


class Diagnostic(NamedTuple):
    """One finding about the input: what, where, how bad and how to fix it."""

    code: str
    message: str
    location: Location | None = None
    snippet: str = ""  # the offending line and a caret, already redacted
    fix: str = ""  # a hint with this case's exact values; the catalogue's hint when empty

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code][0]

    @property
    def hint(self) -> str:
        return hide_secret_shapes(self.fix) if self.fix else CATALOGUE[self.code][1]

    @property
    def shown_message(self) -> str:
        """The message as printed: any secret-shaped text in it masked as ``****``."""
        return hide_secret_shapes(self.message)

    def render(self) -> str:
        """The human form: ``file:line:col: error RI111: message``, snippet and hint."""
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.severity.value} {self.code}: {self.shown_message}"
        if self.snippet:
            text += "\n" + self.snippet
        return text + f"\n    hint: {self.hint}"

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.shown_message,
            "location": str(self.location) if self.location else None,
            "hint": self.hint,
        }


class InputError(Exception):
    """Raised by a stage when the input cannot be read any further; carries its diagnostic
    (``diagnostic``), or several (``diagnostics``: the first is ``diagnostic``)."""

    def __init__(self, diagnostic: Diagnostic, *more: Diagnostic) -> None:
        super().__init__("\n".join(d.render() for d in (diagnostic, *more)))
        self.diagnostic = diagnostic
        self.diagnostics = (diagnostic, *more)
