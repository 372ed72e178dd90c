"""Diagnostics: stable codes, positions and the one error type every stage raises.

Every message the tool prints about the input is a :class:`Diagnostic`. Its ``code`` is stable
(tests, scripts and users may match on it); its ``message`` never contains a secret: the
readers never quote a secret option's value, snippets mask every secret span, and whatever a
message quotes is printed with secret-shaped text masked (:attr:`Diagnostic.shown_message`:
a message says where, not what). The codes and what
each means are :data:`CATALOGUE` (one :class:`~redshift_iam.core.catalogue.Entry` row each:
severity, hint, title, why, doc); docs/diagnostics.md's catalogue is rendered from it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from redshift_iam.core.catalogue import Entry, Severity, build
from redshift_iam.core.docs import DG, MG, S3UG
from redshift_iam.core.secrets import hide_secret_shapes


class Location(NamedTuple):
    """A 1-based line and column in a named input (a file path, ``<stdin>`` or a flag).
    ``via`` names the call site a statement was instantiated for (``scan``: a template
    formatted with the values one call passes, ``dags/load.py:40``); one template gives one
    statement per call site, each at the template's place."""

    file: str
    line: int
    col: int
    via: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" + (f" via {self.via}" if self.via else "")

    @property
    def short(self) -> str:
        """``file:line``, the form used to point at a statement."""
        return f"{self.file}:{self.line}" + (f" via {self.via}" if self.via else "")


ERROR, UNRESOLVED, WARNING, INFO = (Severity.ERROR, Severity.UNRESOLVED, Severity.WARNING,
                                    Severity.INFO)
IAMUG = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
JINJA = "https://jinja.palletsprojects.com/en/stable/templates/"
PSQL = "https://www.postgresql.org/docs/current/app-psql.html"
AUTH = DG + "copy-parameters-authorization.html"
PERMS = DG + "copy-usage_notes-access-permissions.html"
ARNS = IAMUG + "reference-arns.html"
QUOTAS = IAMUG + "reference_iam-quotas.html"

# code -> Entry(severity, hint, title, why, doc). The hint tells the user what to do; the
# message says what happened; title and why explain the code in docs/diagnostics.md and in SARIF.
CATALOGUE: dict[str, Entry] = build({
    "RI100": Entry(
        ERROR, "check the path and that it is a readable text file",
        "input missing or unreadable",
        "the input file or an included file (`\\i`, `\\ir`) is missing or unreadable, a "
        "directory holds no `*.sql` file and no spec, or a `scan` PATH does not exist (the "
        "other PATHs are scanned)"),
    "RI101": Entry(
        ERROR, "close the string with a single quote", "unterminated string",
        "a string literal runs to the end of the input; the rest is hidden in snippets (it "
        "may be swallowing a secret)"),
    "RI102": Entry(
        ERROR, "close the quoted identifier with a double quote",
        "unterminated quoted identifier"),
    "RI103": Entry(
        ERROR, "close the comment with */", "unterminated block comment",
        "reported at its outermost `/*` (block comments nest, as in PostgreSQL)"),
    "RI104": Entry(
        ERROR, "close the dollar-quoted body with the same $tag$",
        "unterminated dollar-quoted body"),
    "RI105": Entry(
        ERROR, "the input is not UTF-8 text; convert it (iconv -t UTF-8)", "not UTF-8 text",
        "the input is binary or in another encoding; the tool does not guess, since a misread "
        "bucket name is a wrong policy"),
    "RI106": Entry(
        ERROR, "remove the \\i that includes a file already being read; includes nest at most "
               "32 deep and read at most 1000 files",
        "include cycle or too many includes",
        "an include cycle (the message names the chain), or includes nested deeper than 32 or "
        "more than 1000 of them", PSQL),
    "RI107": Entry(
        ERROR, "keep included files inside the working directory or the top-level script's "
               "folder",
        "include outside the allowed folders",
        "an included file resolves outside the working directory and the top-level script's "
        "folder (it is not opened)", PSQL),
    "RI108": Entry(
        ERROR, "write \\i FILE, or \\i 'FILE NAME' for a name with spaces; psql variables, "
               "backquotes and double quotes are not expanded",
        "include name missing or not literal",
        "an include's file name is missing or holds what psql would expand first "
        "(`:variable`, backquotes) or keep (double quotes)", PSQL),
    "RI110": Entry(
        ERROR, "see the statement's syntax in the Redshift Database Developer Guide",
        "syntax error", "a COPY, UNLOAD or CREATE LIBRARY does not follow its grammar",
        DG + "r_COPY.html"),
    "RI111": Entry(
        ERROR, "an option the tool does not know may need a permission; check its spelling "
               "against the Redshift reference",
        "unknown option", "an option the tool does not know is refused: skipping it could be "
        "a missing permission; a word close to an option of the command is named (`'PARALELL' "
        "(did you mean PARALLEL?)`)", DG + "r_COPY.html"),
    "RI112": Entry(ERROR, "give each option once", "option given twice"),
    "RI113": Entry(
        ERROR, "the Redshift reference forbids this combination", "options that exclude each other",
        "IAM_ROLE with keys or CREDENTIALS, KMS_KEY_ID with CREDENTIALS, CLEANPATH with "
        "ALLOWOVERWRITE, ENCRYPTED AUTO with a key, more than 10 chained roles", AUTH),
    "RI114": Entry(
        ERROR, "the Redshift reference does not allow this option with this source",
        "option not allowed with this COPY source", "for example MANIFEST from EMR",
        DG + "r_COPY.html"),
    "RI115": Entry(
        ERROR, "add the missing part", "missing part",
        "no authorization, SESSION_TOKEN without keys, KMS_KEY_ID without ENCRYPTED, ENCRYPTED "
        "with no key"),
    "RI120": Entry(
        ERROR, "write the location as s3://bucket/key with a valid bucket name",
        "invalid S3 location",
        "an invalid S3 location or bucket name (S3 access point aliases included: not mapped "
        "yet)", S3UG + "bucketnamingrules.html"),
    "RI121": Entry(
        ERROR, "replace the placeholder with the real value (the CLI reads template "
               "placeholders: --var NAME=VALUE)",
        "placeholder where a value belongs",
        "doc grammar (`[,...]`) where a value belongs; in the library without the template "
        "layer (`read_script` on raw text) also a template placeholder (`<name>`, `{{ x }}`, "
        "`${X}`, `{x}`, `%s`). The commands read template placeholders (see "
        "[Templated SQL](templates.md))"),
    "RI122": Entry(ERROR, "use an AWS Region code such as us-east-1", "invalid Region code"),
    "RI123": Entry(
        ERROR, "write the role as arn:aws:iam::123456789012:role/NAME",
        "invalid role ARN or role chain", doc=ARNS),
    "RI124": Entry(
        ERROR, "give a KMS key ARN, key id or alias/NAME", "invalid KMS key reference",
        "an invalid KMS key reference, or an alias ARN that `--kms-key` maps to a key in "
        "another account or Region (the message names both ARNs)",
        "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id"),
    "RI125": Entry(
        ERROR, "use one partition for the whole script (--partition)", "partition mismatch",
        "a role, a Region and `--partition` name different partitions", ARNS),
    "RI126": Entry(
        ERROR, "COPY reads from 's3://bucket/key', 'dynamodb://TableName' or "
               "'emr://j-CLUSTERID/path'",
        "unknown COPY source", "the COPY source is not `s3://`, `dynamodb://` or `emr://`",
        DG + "r_COPY.html"),
    "RI127": Entry(
        ERROR, "an access key id looks like AKIAIOSFODNN7EXAMPLE: AKIA or ASIA, uppercase "
               "letters and digits, 16 to 128 characters (is the secret key there instead?)",
        "malformed access key id",
        "an access key id (`ACCESS_KEY_ID`, `aws_access_key_id=`) is not shaped like one: "
        "`AKIA` or `ASIA`, then uppercase letters and digits, 16 to 128 characters in all. The "
        "message names the first bad character's position, never the value (it may be a "
        "pasted secret key)", IAMUG + "id_credentials_access-keys.html"),
    "RI130": Entry(
        UNRESOLVED, "this statement makes Redshift use an IAM role, but the tool cannot map it "
                    "yet; write that policy by hand",
        "statement not mapped yet",
        "CREATE EXTERNAL SCHEMA/TABLE/FUNCTION, CREATE MODEL, COPY JOB RUN, a procedure body "
        "running COPY/UNLOAD by dynamic SQL (`EXECUTE '...'`), any"
        " other statement with an `IAM_ROLE`, `CREDENTIALS` or "
        "`ACCESS_KEY_ID` clause", MG + "authorizing-redshift-service.html"),
    "RI131": Entry(
        UNRESOLVED, "pass the statement's SQL with --var NAME=SQL (or --vars FILE), or "
                    "--allow-unresolved when it runs no COPY, UNLOAD or CREATE LIBRARY",
        "placeholder stands for a whole statement",
        "a template placeholder without a value stands for a whole statement "
        "(`{{ copy_sql }};`, `%s;`): it may be a COPY, UNLOAD or CREATE LIBRARY"),
    "RI140": Entry(
        UNRESOLVED, "pass --account-id", "account needed",
        "an ARN needs the account: `--account-id` (the hint names whose account)"),
    "RI141": Entry(
        UNRESOLVED, "pass --region (the cluster's Region) or add REGION to the statement",
        "Region needed",
        "an ARN needs the Region: `--region` or `REGION` (the hint names the statement kind)"),
    "RI142": Entry(
        UNRESOLVED, "pass --manifest S3URI=LOCALFILE with a local copy of the manifest",
        "manifest entries unknown",
        "the hint names the flag with the manifest's URI, `--manifest s3://b/k=FILE`",
        DG + "loading-data-files-using-manifest.html"),
    "RI143": Entry(
        UNRESOLVED, "pass --kms-key alias/NAME=KEY_ARN", "KMS alias not resolved",
        "the hint names `--kms-key alias/NAME=KEY_ARN` (or the alias ARN) as written",
        S3UG + "UsingKMSEncryption.html"),
    "RI144": Entry(
        UNRESOLVED, "pass --kms-key s3://BUCKET=KEY_ARN with the bucket's default key",
        "bucket default key unknown",
        "ENCRYPTED AUTO's bucket key is unknown: the hint names `--kms-key s3://BUCKET=KEY_ARN` "
        "with the bucket", DG + "r_UNLOAD.html#unload-parameters-encrypted"),
    "RI145": Entry(
        UNRESOLVED, "pass --var NAME=VALUE for the template placeholder in the S3 location (or "
                    "--allow-unresolved to leave its grants out)",
        "placeholder in an S3 location",
        "a template placeholder without a value in the bucket, scheme or whole S3 location "
        "(or the JSONPaths file): at the placeholder, with `--var NAME=VALUE`"),
    "RI146": Entry(
        UNRESOLVED, "pass --var NAME=VALUE for the template placeholder that says who Redshift "
                    "acts as; the principal is never guessed",
        "placeholder in the authorization",
        "a template placeholder without a value in the role, an access key id or the whole "
        "authorization: who gets the permissions is never guessed"),
    "RI147": Entry(
        UNRESOLVED, "pass --var NAME=VALUE for the template placeholder in the DynamoDB table, "
                    "EMR cluster, KMS key or REGION",
        "placeholder in a table, cluster, key or Region",
        "a template placeholder without a value in a DynamoDB table, EMR cluster id, KMS key or "
        "a REGION an ARN needs"),
    "RI148": Entry(
        UNRESOLVED, "pass --var NAME=VALUE for the template placeholder where options stand: "
                    "options such as MANIFEST change the grants",
        "placeholder where options stand",
        "a template placeholder without a value where options may stand (`{copy_options}`, "
        "`FORMAT AS {fmt}`, a Jinja block whose branches differ in grants): the message names "
        "what the options could add"),
    "RI149": Entry(
        UNRESOLVED, "replace the <name> placeholder, or pass --var NAME=VALUE: a doc-style "
                    "placeholder is never read as a literal value",
        "doc-style placeholder",
        "a doc-style `<name>` placeholder without a value where RI145-RI148 would apply"),
    "RI150": Entry(
        ERROR,
        "a manifest is JSON with an \"entries\" list of {\"url\": \"s3://...\"}",
        "invalid manifest",
        "a `--manifest` file (a regular file of at most 64 MiB, else a usage error) or a manifest "
        "read by `--resolve` is not a valid manifest: not JSON, a key given twice (two "
        "`\"entries\"`), nested deeper than 32 levels, a number too long, or an entry without a "
        "valid `\"url\"` (at its line and column)", DG + "loading-data-files-using-manifest.html"),
    "RI160": Entry(
        ERROR, "raise --max-policies (IAM allows up to 20 managed policies per role on "
               "request), drop --inline, or allow folding",
        "grants do not fit IAM's quotas",
        "a principal's grants do not fit `--max-policies` documents (even folded, or folding "
        "is off); the hint names only the ways out the flags leave open (`--max-policies` or "
        "dropping `--inline`, dropping `--no-fold` when given, splitting the role)", QUOTAS),
    "RI161": Entry(
        ERROR, "IAM's default trust policy quota is 2,048 characters; use fewer --db-user "
               "values or ask AWS for the 4,096 quota",
        "trust policy too large",
        "a trust policy exceeds IAM's 2,048-character quota (too many `--db-user`)", QUOTAS),
    "RI170": Entry(
        ERROR, "fix the Jinja syntax at that line (see the jinja2 template designer docs)",
        "Jinja syntax error", "a Jinja template has a syntax error (file:line of the template)",
        JINJA),
    "RI171": Entry(
        ERROR,
        "the template is rendered in a sandbox: use the values, not Python internals",
        "Jinja sandbox violation",
        "a Jinja template tried what the sandbox forbids (`''.__class__`, `__globals__`, a method "
        "outside the allowed ones such as `to_bytes`, printing a function or helper, a name "
        "starting with `_ri_`, which the tool reserves)", JINJA),
    "RI172": Entry(
        ERROR, "include files by a relative name under --template-path DIR",
        "Jinja include outside --template-path",
        "an `{% include %}`/`{% import %}` names a file outside `--template-path` (absolute, "
        "`..`, or a symlink out)", JINJA),
    "RI173": Entry(
        ERROR,
        "a SQL template needs no such loop or size; check the template",
        "Jinja template does too much work",
        "a Jinja template does more work than SQL needs, refused before the work is done: a "
        "string, list or value as text over 1,000,000 characters or items (a filter, a `str` "
        "method, a `%`/`format` width, `~`, `+`, `*`), an integer over 100,000 bits, a value "
        "nested over 100 deep, over 100,000 loop iterations, over 20,000,000 characters, items "
        "and steps in all, over 3 seconds, a 10 MB rendering, runaway macro recursion, over "
        "10,000 expressions and tags in one template", JINJA),
    "RI174": Entry(ERROR, "write --var NAME=VALUE", "malformed --var",
                   "a `--var` is not `NAME=VALUE`"),
    "RI175": Entry(
        ERROR,
        "give a .json, .yaml/.yml, .env or .ini/.cfg file holding NAME: VALUE pairs",
        "bad --vars file",
        "a `--vars` file is unreadable, not `.json`/`.yaml`/`.yml`/`.env`/`.ini`/`.cfg`, or "
        "malformed (file:line:col): a YAML tag other than plain data, an alias, nesting deeper "
        "than 32 levels, a key given twice, a number too long, a `.env` line python-dotenv "
        "cannot read (named by its key) or a `${NAME}` no earlier line sets, an INI line "
        "configparser cannot read, a section or key given twice, or a `%(key)s` nothing sets"),
    "RI176": Entry(
        ERROR,
        "remove the private-use character (U+E000-U+E00F) from the template; the tool reserves "
        "them",
        "reserved character in a template",
        "the template holds a private-use character U+E000-U+E00F, which the tool reserves, or a "
        "Jinja value or filter makes one (`\"\\ue000\"`, `'%c' | format(57344)`)"),
    "RI177": Entry(
        ERROR,
        "fix the template, or give the values it needs with --var",
        "Jinja rendering failed",
        "a template failed while rendering: a Jinja error (the Python error, at the template "
        "line), or the file of an `{% import %}`/`{% extends %}` (or an `autoescape`) named by an "
        "undefined value; a value a `{x:spec}`, `{x!c}` or `%spec` placeholder cannot format, "
        "where Python would raise (`{m:02d}` given a text: the message names the placeholder, the "
        "variable and where its value came from, never the value); a width over 10,000 "
        "characters; brackets (`{`, `$(`, `%{`, a backtick) that open and never close so often "
        "that reading them would take too long", JINJA),
    "RI178": Entry(
        ERROR, "jinja2 is a dependency of redshift-iam: reinstall the tool (pip install "
               "redshift-iam), or pass --template-style none",
        "jinja2 not installed", "a Jinja template needs the jinja2 package"),
    "RI180": Entry(
        ERROR,
        "a spec is YAML or JSON; fix the syntax at this position",
        "spec syntax error",
        "a spec is not valid YAML or JSON (or gives a key twice, uses a YAML tag other than plain "
        "data, reuses a list or mapping through an alias, or nests deeper than 32 levels); on a "
        "line where a template tag stands outside quotes, the message says to quote the value, or "
        "that a Jinja block cannot choose keys"),
    "RI181": Entry(
        ERROR, "see the spec format in docs/specs.md (the schema ships in the package: "
               "redshift_iam/spec/schema.json)",
        "spec does not match its schema",
        "unknown key (a secret key says to leave it out), wrong type, value not among the "
        "choices, missing key; the message names the path "
        "(`operations[3].unload.kms_key_id`)"),
    "RW201": Entry(
        WARNING, "AWS account ids have 12 digits", "account id not 12 digits",
        "a role ARN's account is not 12 digits (the AWS docs' own examples use 13)", ARNS),
    "RW202": Entry(
        WARNING, "the documented keyword is SESSION_TOKEN", "bare TOKEN",
        "bare `TOKEN` (the docs write it; the keyword is `SESSION_TOKEN`)", AUTH),
    "RW203": Entry(
        WARNING, "the AWS docs strongly recommend IAM_ROLE over access keys",
        "key-based authorization",
        "access keys written in the SQL: whoever reads the script (or its logs) holds "
        "them; the AWS docs strongly recommend a role", AUTH),
    "RW204": Entry(
        WARNING, "temporary credentials must stay valid for the whole operation",
        "temporary credentials",
        "temporary credentials must outlive the operation; the policy belongs to whoever "
        "issued them", PERMS),
    "RW205": Entry(
        WARNING, "AWS is retiring client-side encryption for COPY and UNLOAD",
        "client-side encryption",
        "client-side encryption (`MASTER_SYMMETRIC_KEY`) is being retired by AWS for COPY and "
        "UNLOAD", DG + "r_UNLOAD.html#unload-parameters-encrypted"),
    "RW206": Entry(
        WARNING, "IAM treats * and ? as wildcards; the grant also matches other keys",
        "* or ? in an S3 key",
        "an S3 key contains `*` or `?`, which IAM reads as wildcards (SQL locations, manifest "
        "entries, `--manifest` and `--kms-key` URIs alike)",
        IAMUG + "reference_policies_elements_resource.html"),
    "RW207": Entry(
        WARNING, "a key with leading or trailing white space is usually a typo",
        "white space around an S3 key",
        "an S3 key starts or ends with white space (granted as written; usually a typo; "
        "wherever a key enters, as RW206)"),
    "RW210": Entry(
        WARNING, "folding widened the policy to fit IAM's quotas; split the role, raise "
                 "--max-policies, or pass --no-fold to refuse",
        "keys folded into a wildcard",
        "keys were folded into a wildcard to fit IAM's quotas; the message says what it now "
        "also allows", QUOTAS),
    "RW220": Entry(
        WARNING, "psql expands a variable only after its \\set line; move the \\set up or pass "
                 "--var NAME=VALUE",
        "psql variable used before its \\set",
        "a psql `:var` is used above the `\\set` line that defines it (psql does not expand "
        "it there)", PSQL),
    "RW221": Entry(
        WARNING, "a template placeholder in an S3 key stands for any text: the grant has * "
                 "there; pass --var NAME=VALUE to narrow it",
        "placeholder in an S3 key",
        "a template placeholder without a value inside an S3 key: granted as `*` at its place; "
        "the message names the variable and the pattern"),
    "RW228": Entry(
        WARNING, "pass --var NAME=VALUE to grant the value the script runs with",
        "granted for a default value",
        "a placeholder without a given value is filled by the default its template or code "
        "states (`${B:-dev}`, dbt `var('b', 'dev')`, `os.environ.get('B', 'dev')`, a parameter "
        "default): the grants are for that default, and the warning says so, since the value "
        "set where the script runs wins over it"),
    "RW224": Entry(
        WARNING, "pass --var NAME=VALUE to read the one branch that runs",
        "Jinja block of whole statements",
        "an `if`/`for` on an unknown variable holds whole statements (`{% if export %} UNLOAD "
        "...; {% endif %}`): each branch is read and the role gets what any branch needs, at "
        "the block's position"),
    "RW222": Entry(
        WARNING, "a template placeholder where a grant needs a value is a Terraform variable / "
                 "CloudFormation Parameter: give its value when the file is applied",
        "placeholder becomes a file variable",
        "Terraform/CloudFormation only: a template placeholder without a value where a grant "
        "needs one is a variable (Parameter) of the file; the message names the variable, the "
        "hint `give NAME when the file is applied, or pass --var NAME=VALUE now`"),
    "RW226": Entry(
        WARNING, "this is not Redshift SQL, so it needs no permission of Redshift's; if it is "
                 "meant for Redshift, write it as Redshift's COPY (a table, then FROM 's3://...')",
        "not Redshift SQL: skipped",
        "a statement that starts like COPY but is another database's SQL or no SQL at all "
        "(Snowflake's `COPY INTO`, PostgreSQL's `COPY ... FROM STDIN` or `COPY (query) TO`, a "
        "log message such as `Copy from {key} to {table} completed`); the message names which",
        DG + "r_COPY.html"),
    "RW227": Entry(
        WARNING, "end the statement before it with ';' (a statement that is not COPY or UNLOAD "
                 "would otherwise hide it)",
        "statement starts inside another (missing ';')",
        "a COPY or UNLOAD starts a line inside another statement with no `;` between; both "
        "parts are read as statements of their own, the second at its own line",
        DG + "r_COPY.html"),
    "RW229": Entry(
        WARNING, "give the values with --var now (the size is then exact), or raise "
                 "--max-policies so the grants are spread over more policies",
        "policy near IAM's quota once variables are filled",
        "Terraform/CloudFormation only: a policy holding template variables is estimated, with "
        "each variable counted as the longest value assumed for it (an S3 bucket 63, a DynamoDB "
        "table 255, a whole location's key 256, any other value 128), at more than 90% of "
        "IAM's quota; a longer value can make it exceed the quota at apply", QUOTAS),
    "RW230": Entry(
        ERROR, "deactivate and rotate the key now (IAM console or aws iam "
               "update-access-key), then use IAM_ROLE instead of keys",
        "live-looking access key id",
        "an `AKIA`/`ASIA` access key id of the real shape (20 characters, base32) that is not "
        "one of the AWS documentation's `...EXAMPLE` keys, anywhere in the text (comments "
        "too): a script in a repository leaks it", IAMUG + "id_credentials_access-keys.html"),
    "RW231": Entry(
        ERROR, "deactivate and rotate the key now, then use IAM_ROLE instead of keys",
        "live-looking secret access key",
        "a 40-character secret access key after `SECRET_ACCESS_KEY` or "
        "`aws_secret_access_key=` that is not the AWS documentation's `...EXAMPLEKEY`; the "
        "finding shows no snippet (the line holds the secret)",
        IAMUG + "id_credentials_access-keys.html"),
    "RW232": Entry(
        ERROR, "write the CREDENTIALS string as key=value pairs joined by ';' with no spaces",
        "space or typo in a CREDENTIALS string",
        "Redshift refuses a CREDENTIALS string with spaces or an unknown key; the message names "
        "the pair and the key it most likely means (never a value). It replaces the reader's "
        "RI110 for that string", AUTH),
    "RW233": Entry(
        INFO, "name the role (IAM_ROLE 'arn:aws:iam::ACCOUNT:role/NAME') to make it reviewable",
        "IAM_ROLE default",
        "the principal is the cluster's default role, invisible in the SQL: a reviewer cannot "
        "tell which role's policy this script needs, and the default can change under it",
        MG + "default-iam-role.html"),
    "RW234": Entry(
        WARNING, "use one authorization form per script, preferably IAM_ROLE",
        "mixed authorization forms",
        "one script authorizes statements in different forms (a named role, the default "
        "role, access keys): the keys are usually a leftover, and reviewers must check each "
        "statement's principal", AUTH),
    "RW235": Entry(
        WARNING, "add KMS_KEY_ID 'KEY' ENCRYPTED (SSE-KMS: readers also need kms:Decrypt), or "
                 "check that the bucket blocks public access",
        "unencrypted UNLOAD to a public-looking path",
        "an UNLOAD without KMS or client-side encryption to a bucket or key whose name has a "
        "word such as public, www, website, static, cdn, assets, shared, open, download(s), "
        "media or pub: SSE-S3 (the default) does not stop anyone the bucket lets read",
        DG + "r_UNLOAD.html#unload-parameters-encrypted"),
    "RI128": Entry(
        ERROR,
        "a lone surrogate (U+D800-U+DFFF) is half a character and cannot be written: fix the "
        "\\uD8XX escape (give the whole character) or the bytes that are not UTF-8",
        "text holds a lone surrogate",
        "text that is not characters: a lone surrogate (U+D800-U+DFFF) in SQL (a scanned string "
        "literal's `\"\\ud800\"`, a Jinja literal), a `--var` (an argument that is not UTF-8: "
        "exit 2), a values file, a manifest or a spec; the message names the code point "
        "(`U+D800`) and where, never the character"),
    "RI190": Entry(
        ERROR,
        "give your credentials the permission the lookup needs, or pass the value with the flag "
        "the hint names",
        "--resolve: a lookup was denied",
        "a value the policy depends on could not be looked up: the credentials lack the "
        "permission"),
    "RI191": Entry(
        ERROR, "check the name in the SQL, or pass the value with the flag the hint names",
        "--resolve: not found",
        "a manifest, bucket or key the policy depends on does not exist"),
    "RI192": Entry(
        ERROR,
        "configure AWS credentials and a Region (AWS_PROFILE, AWS_REGION), or pass the values "
        "with the flags the hint names",
        "--resolve: no credentials or Region",
        "boto3 found no credentials, no Region, or is not installed"),
    "RI193": Entry(
        ERROR,
        "check the network and AWS_ENDPOINT_URL, or pass the values with the flags the hint names",
        "--resolve: AWS unreachable",
        "the AWS endpoint could not be reached"),
    "RI194": Entry(
        ERROR, "run it again later, or pass the values with the flags the hint names",
        "--resolve: throttled or another AWS error",
        "AWS refused the lookup after retries"),
    "RI195": Entry(
        ERROR, "pass the value with the flag the hint names",
        "--resolve: an answer that cannot be used",
        "AWS answered with something the policy cannot be built on"),
    "RI196": Entry(
        ERROR, "run apply with credentials of the role's account",
        "apply: a role of another account",
        "apply changes one account: the credentials' own"),
    "RI197": Entry(
        ERROR,
        "IAM allows 10 managed policies per role (20 on request) of 6,144 characters each; split "
        "the role or raise the quota",
        "apply: over IAM's quotas",
        "the role's policies would not fit its quota of managed policies"),
    "RI198": Entry(
        ERROR, "fix the cause and run apply again: it continues where it stopped",
        "apply: an AWS call failed",
        "a call failed half-way; what was done is reported, and the next run completes it"),
    "RI199": Entry(
        ERROR,
        "rename or delete that policy, or tag it managed-by=redshift-iam to let apply manage it",
        "apply: a name apply does not own",
        "a role or policy of the name apply would use exists without apply's tag"),
    "RW223": Entry(
        WARNING,
        "psql sets the variable to a text the tool cannot know (a backquoted command, a branch of "
        "\\if): give it a literal value",
        "psql variable of unknown value",
        "a backquoted command, `\\unset`, `\\prompt`, `\\getenv` or an `\\if` branch leaves the "
        "variable's value unknown where it is used"),
    "RW225": Entry(
        WARNING, "check the --var name against the placeholders (explain lists them)",
        "--var fills no placeholder",
        "a `--var NAME=VALUE` whose NAME no placeholder of the input uses (nor a dotted path "
        "below or above it, nor a word of a Jinja template): the message names the closest "
        "placeholder name, the hint the `--var` that would fill it"),
    "RW240": Entry(
        WARNING, "a check --resolve makes could not be done; the hint says what that leaves open",
        "--resolve: a check could not be made",
        "the policy does not depend on it, but what it would have found is unknown"),
    "RW241": Entry(
        WARNING, "check the name in the SQL: the statement will fail on it",
        "--resolve: does not exist",
        "a bucket, object, table, EMR cluster or key the SQL names is not in the account"),
    "RW242": Entry(
        WARNING, "REGION must name the bucket's Region when it is not the cluster's",
        "--resolve: bucket in another Region",
        "COPY needs REGION when the bucket is not in the cluster's Region"),
    "RW243": Entry(
        WARNING, "Redshift cannot use a disabled or deleted key, or a terminated cluster",
        "--resolve: disabled key or terminated cluster",
        "the statement would fail at run time"),
    "RW244": Entry(
        WARNING,
        "apply creates roles only; give a user's or the default role's policies with generate",
        "apply skipped a principal",
        "key-based users and IAM_ROLE default are not roles apply can create"),
    "RC400": Entry(
        ERROR, "add a statement that allows it (see the closest statement named), or run "
               "redshift-iam policy on the SQL for the least-privilege one",
        "needed request not allowed",
        "a request the SQL makes Redshift send is not allowed by the policy documents "
        "together (denied by default); the message names the statement (file:line:col), the "
        "action, resource and context, and the policy statement that came closest",
        IAMUG + "reference_policies_evaluation-logic.html"),
    "RC401": Entry(
        ERROR, "narrow the Deny statement named so that it leaves the request alone",
        "needed request explicitly denied",
        "a Deny statement of the documents applies (or, for a prefix, may apply) to a request "
        "the SQL needs; an explicit deny wins over every allow",
        IAMUG + "reference_policies_evaluation-logic.html"),
    "RC402": Entry(
        INFO, "remove what the SQL does not need (redshift-iam policy prints the least "
              "privilege)",
        "allowed beyond the need",
        "the documents allow an action, resource or prefix the SQL does not need (wildcard "
        "actions expanded with policyuniverse's action catalogue); information unless "
        "`--strict`", IAMUG + "best-practices.html#grant-least-privilege"),
    "RC403": Entry(
        ERROR, "give a policy document, an aws iam get-role-policy / get-policy-version / "
               "get-account-authorization-details response, a terraform show -json plan or a "
               "CloudFormation template",
        "policy file unreadable",
        "the policy file is not JSON or YAML, or not one of the forms check reads"),
    "RC404": Entry(
        ERROR, "fix the policy document (see the IAM JSON policy reference)",
        "malformed policy document",
        "a document, statement or condition does not follow IAM's grammar (Effect, "
        "Action/NotAction, Resource/NotResource, a known condition operator), or it is a "
        "resource-based or trust policy (it has a Principal)",
        IAMUG + "reference_policies_grammar.html"),
    "RC405": Entry(
        UNRESOLVED, "give the value in the file (a literal), or the document in another "
                    "--policy file and --allow-unresolved",
        "policy value not known",
        "a CloudFormation intrinsic (`Ref` to a Parameter, `Fn::GetAtt`, ...), a Terraform "
        "value known only after apply, or an attached policy whose document the file does not "
        "hold: the statement or document is left out rather than guessed (an Allow left out "
        "can only add missing requests; a Deny left out could hide a denial)"),
    "RC406": Entry(
        ERROR, "name the role whose policies to read (the message lists the roles in the file)",
        "role not chosen in the policy file",
        "the policy file holds several roles (or none of the name asked for)"),
    "RC407": Entry(
        ERROR, "pick the principal whose policy you check (the message lists them)",
        "principal not chosen in the SQL",
        "the SQL needs permissions for several principals (or none), so it is unclear whose "
        "requests the documents should allow"),
    "RC408": Entry(
        UNRESOLVED, "write the SQL so scan can read it (the message says how), or give it as "
                    "an INPUT or a spec; check --allow-unresolved checks the rest, lint "
                    "--min-severity error ignores it",
        "statement not read by --scan",
        "`check --scan` or `lint --scan` could not read a statement at this place (SQL "
        "assembled at run time, a file over --max-file-size, ...): its requests are not "
        "checked and its text not linted, so the run cannot say all is well"),
    "RC409": Entry(
        ERROR, "check the role's name and your AWS credentials, or pass the role's policies "
               "with --policy",
        "--from-role: policies not read",
        "`check --from-role` reads the role's inline and attached policies and its permissions "
        "boundary from IAM with boto3; a call failed (no such role, access denied, no "
        "credentials, AWS unreachable)"),
})


# The private-use characters the templating stage writes into rendered text (core.placeholders:
# a sentinel \ue000N\ue001, a variable \ue004NAME\ue005, a location part
# \ue002KIND\ue006HEX\ue003). A message built from rendered text must never show them.
_INTERNAL = re.compile("\ue000[0-9]*\ue001|\ue004([^\ue004\ue005]*)\ue005"
                       "|\ue002[a-z]*\ue006([0-9a-f]*)\ue003|[\ue000-\ue00f]")


def readable_text(text: str) -> str:
    """``text`` without internal characters: a sentinel reads ``a placeholder``, a variable
    marker its name, a location part its text; any other reserved character is dropped."""
    if not any("\ue000" <= char <= "\ue00f" for char in text):
        return text

    def one(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(1)
        if match.group(2) is not None:
            return readable_text(bytes.fromhex(match.group(2)).decode("utf-8", "replace"))
        return "a placeholder" if match.group().startswith("\ue000") else ""

    return _INTERNAL.sub(one, text)


class Diagnostic(NamedTuple):
    """One finding about the input: what, where, how bad and how to fix it."""

    code: str
    message: str
    location: Location | None = None
    snippet: str = ""  # the offending line and a caret, already redacted
    fix: str = ""  # a hint with this case's exact values; the catalogue's hint when empty

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    @property
    def hint(self) -> str:
        return readable_text(hide_secret_shapes(self.fix)) if self.fix else \
            CATALOGUE[self.code].hint

    @property
    def shown_message(self) -> str:
        """The message as printed: any secret-shaped text in it masked as ``****``."""
        return readable_text(hide_secret_shapes(self.message))

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


def source_order(diagnostic: Diagnostic) -> tuple[int, str, int, int, str]:
    """The order a run's diagnostics are shown in (a sort key; sorted stably, the same input
    gives the same bytes): those about no place first, then by file, line, column and code."""
    where = diagnostic.location
    if where is None:
        return (0, "", 0, 0, diagnostic.code)
    return (1, where.file, where.line, where.col, diagnostic.code)


class InputError(Exception):
    """Raised by a stage when the input cannot be read any further; carries its diagnostic
    (``diagnostic``), or several (``diagnostics``: the first is ``diagnostic``)."""

    def __init__(self, diagnostic: Diagnostic, *more: Diagnostic) -> None:
        super().__init__("\n".join(d.render() for d in (diagnostic, *more)))
        self.diagnostic = diagnostic
        self.diagnostics = (diagnostic, *more)
