"""The project config (issue 18): where it is found, what it sets, precedence (flag >
per-path > global > default; --var beats both value levels), validation with exact
messages and exit 2, paths that stay in the repository, and explain's origins."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.analysis import Options, OptionsError, analyze, scan
from redshift_iam.cli.main import main
from redshift_iam.inputs import NOT_CONFIGURABLE, configurable

ROLE = "arn:aws:iam::123456789012:role/R"
SQL = f"COPY t FROM 's3://{{{{ bucket }}}}/x/' IAM_ROLE '{ROLE}' FORMAT AS CSV;\n"
DYNAMO = f"COPY t FROM 'dynamodb://Orders' IAM_ROLE '{ROLE}' READRATIO 50;\n"
PYPROJECT = """\
[project]
name = "x"

[tool.redshift-iam]
region = "eu-west-1"
account-id = "123456789012"

[tool.redshift-iam.values]
bucket = "global-bucket"

[tool.redshift-iam.per-path."dags/**".values]
bucket = "dags-bucket"

[tool.redshift-iam.per-path."dags/special.sql".values]
bucket = "special-bucket"
"""


def invoke(cwd: Path, *args: str):
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A repository (a .git folder) with a pyproject config and three scripts."""
    root = tmp_path / "repo"
    for name in ("dags/a.sql", "dags/special.sql", "other/b.sql"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(SQL)
    (root / "dyn.sql").write_text(DYNAMO)
    (root / ".git").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def subjects(cwd: Path, *args: str) -> dict[str, str]:
    result = invoke(cwd, "scan", ".", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return {s["location"]: s["subject"] for s in json.loads(result.stdout)["statements"]}


def test_each_file_gets_its_value_and_var_beats_both(repo):
    assert subjects(repo) == {
        "dags/a.sql:1:1": "t <- s3://dags-bucket/x/",
        "dags/special.sql:1:1": "t <- s3://special-bucket/x/",
        "dyn.sql:1:1": "t <- dynamodb://Orders",
        "other/b.sql:1:1": "t <- s3://global-bucket/x/",
    }
    assert set(subjects(repo, "--var", "bucket=cli-bucket").values()) == {
        "t <- s3://cli-bucket/x/", "t <- dynamodb://Orders"}


def test_policy_commands_read_the_config_per_file(repo):
    analysis = analyze([repo / "dags/special.sql", repo / "other/b.sql"])
    resources = {g.resource for g in analysis.derivation.grants}
    assert resources == {"arn:aws:s3:::special-bucket/x/*", "arn:aws:s3:::special-bucket",
                         "arn:aws:s3:::global-bucket/x/*", "arn:aws:s3:::global-bucket"}


def test_config_options_and_a_flag_that_beats_them(repo):
    table = "arn:aws:dynamodb:{}:123456789012:table/Orders"
    result = invoke(repo, "policy", "dyn.sql")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["Statement"][0]["Resource"] == table.format("eu-west-1")
    result = invoke(repo, "policy", "dyn.sql", "--region", "us-east-2")
    assert json.loads(result.stdout)["Statement"][0]["Resource"] == table.format("us-east-2")
    # Without the config, the Region and account are unresolved.
    assert invoke(repo, "policy", "dyn.sql", "--no-config").exit_code == 1


def test_explain_says_where_each_setting_came_from(repo):
    result = invoke(repo, "explain", "dyn.sql", "--region", "us-east-2", "--format", "json")
    settings = {s["name"]: (s["value"], s["origin"]) for s in json.loads(result.stdout)[
        "settings"]}
    assert settings["region"] == ("us-east-2", "flag")
    assert settings["account-id"] == ("123456789012", "pyproject.toml:6")
    assert settings["template-style"] == ("auto", "default")
    assert list(settings) == list(configurable())
    text = invoke(repo, "explain", "dyn.sql").stdout
    assert '    region          = "eu-west-1"  (pyproject.toml:5)\n' in text
    assert '    partition       = ""  (default)\n' in text
    # Without a config, explain's output is as before (no settings section).
    assert "Settings:" not in invoke(repo, "explain", "dyn.sql", "--no-config",
                                     "--allow-unresolved").stdout


def test_value_origins_name_the_config_line(repo):
    result = invoke(repo, "explain", "dags/special.sql")
    assert ('    bucket  dags/special.sql:1:19  = "special-bucket"  (pyproject.toml:15)\n'
            in result.stdout)


def test_discovery_stops_at_the_repository_root(tmp_path, repo):
    # A config above the repository is not read; .redshift-iam.toml beats pyproject.toml.
    (tmp_path / ".redshift-iam.toml").write_text('[values]\nbucket = "outside"\n')
    assert subjects(repo)["other/b.sql:1:1"] == "t <- s3://global-bucket/x/"
    (repo / "other" / ".redshift-iam.toml").write_text('[values]\nbucket = "near"\n')
    assert subjects(repo / "other")["b.sql:1:1"] == "t <- s3://near/x/"
    # --config names the file; --no-config reads none.
    assert subjects(repo / "other", "--config", "../pyproject.toml")[
        "b.sql:1:1"] == "t <- s3://global-bucket/x/"
    result = invoke(repo / "other", "scan", ".", "--no-config", "--format", "json")
    assert result.exit_code == 1
    result = invoke(repo, "scan", ".", "--config", "nothing.toml")
    assert result.exit_code == 2
    assert "Error: --config nothing.toml: no such file\n" in result.stderr


def test_a_pyproject_without_the_table_is_passed_over(tmp_path, repo):
    (repo / "other" / "pyproject.toml").write_text('[project]\nname = "y"\n')
    assert subjects(repo / "other")["b.sql:1:1"] == "t <- s3://global-bucket/x/"


def test_library_callers_keep_what_they_set(repo):
    report = scan([str(repo / "dyn.sql")], Options(region="us-west-2"))
    grants = {g.resource for g in report.analysis.derivation.grants}
    assert grants == {"arn:aws:dynamodb:us-west-2:123456789012:table/Orders"}


ERRORS = [
    ('regoin = "eu-west-1"\n', ".redshift-iam.toml:1: unknown key 'regoin' (did you mean "
                               "'region'?)"),
    ('account_id = "123456789012"\n', ".redshift-iam.toml:1: unknown key 'account_id' (did "
                                      "you mean 'account-id'?)"),
    ("region = 3\n", ".redshift-iam.toml:1: region: expected a string, not an integer"),
    ('kms-keys = "s3://b=k"\n', ".redshift-iam.toml:1: kms-keys: expected a list of strings, "
                                "not a string"),
    ('\n\nregion = "mars-1"\n', ".redshift-iam.toml:3: region: 'mars-1' is not an AWS Region "
                                "code (like us-east-1)"),
    ("max-policies = 30\n", ".redshift-iam.toml:1: max-policies: 30: IAM allows 1 to 20 "
                            "managed policies per role"),
    ('max-file-size = "lots"\n', ".redshift-iam.toml:1: max-file-size: 'lots' is not a size "
                                 "such as 4MiB, 512KiB, 1GiB or a number of bytes (at least 1)"),
    ('template-style = "mustache"\n', ".redshift-iam.toml:1: template-style: 'mustache': "
                                      "expected one of auto, jinja, format, percent, shell, "
                                      "psql, ruby, angle, none"),
    ("resolve = true\n", ".redshift-iam.toml:1: unknown key 'resolve'; the keys are "
                         "account-id, db-users, exclude, fold, inline, input-format, kms-keys, "
                         "manifests, max-file-size, max-policies, max-total-size, "
                         "min-severity, partition, per-path, region, serverless, strict, "
                         "template-path, template-style, trust-regions, values, vars-files"),
    ('template-path = "../.."\n', ".redshift-iam.toml:1: template-path: '../..' leads out of "
                                  "the repository ({repo}): a project config names only files "
                                  "inside it"),
    ('vars-files = ["/etc/passwd"]\n', ".redshift-iam.toml:1: vars-files: '/etc/passwd': a "
                                       "path in the project config is relative to its folder"),
    ('[values]\nbucket = "b"\n"bad name" = 1\n', '.redshift-iam.toml:3: [values] \'bad name\' '
                                                 "is not a variable name (letters, digits and "
                                                 "_, not starting with a digit; dotted for "
                                                 "nesting)"),
    ("[values]\nday = 2024-01-01\n", ".redshift-iam.toml:2: [values] day: a date or time is "
                                     "not a template value; quote it"),
    ('[per-path."dags/**"]\nregion = "us-east-1"\n',
     ".redshift-iam.toml:2: [per-path.\"dags/**\"] 'region' is an option: a per-path table "
     "holds only values; set it at the top of the config"),
    ('[per-path."../x".values]\nb = 1\n', ".redshift-iam.toml:1: [per-path] per-path '../x': "
                                          "a glob is relative to the config's folder and stays "
                                          "inside it"),
    ('[per-path."dags"]\nvalue = {b = 1}\n', ".redshift-iam.toml:2: [per-path.dags] unknown "
                                             "key 'value' (did you mean 'values'?)"),
    ('region = "us-east-1\n', ".redshift-iam.toml:1: not valid TOML: Illegal character "
                              "'\\n'"),
    # Hostile nesting: no RecursionError reaches the user.
    ("a = " + "[" * 100_000 + "]" * 100_000 + "\n",
     ".redshift-iam.toml:1: not valid TOML here: arrays or tables nest too deep"),
    ("[values." + ".".join(["a"] * 5000) + "]\nb = 1\n",
     ".redshift-iam.toml:1: [values] a: values nest more than 32 levels"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_config_errors_name_the_file_and_line(repo, text, message):
    (repo / ".redshift-iam.toml").write_text(text)
    expected = message.format(repo=repo)
    result = invoke(repo, "scan", ".")
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: {expected}\n")
    with contextlib.chdir(repo), pytest.raises(OptionsError) as caught:
        analyze(["other/b.sql"])
    assert str(caught.value) == expected


def test_a_bad_value_the_flags_check_later_names_the_config_line(repo):
    (repo / ".redshift-iam.toml").write_text(
        'kms-keys = ["s3://b=arn:aws-cn:kms:us-east-1:123456789012:key/x"]\n')
    result = invoke(repo, "policy", "other/b.sql")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: --kms-key ...=arn:aws-cn:kms:us-east-1:123456789012:key/x: the key is not in "
        "partition aws (--partition) (set at .redshift-iam.toml:1)\n")


def test_paths_are_relative_to_the_config_and_stay_inside(tmp_path, repo):
    (repo / "vals.yaml").write_text("bucket: from-file\n")
    (repo / ".redshift-iam.toml").write_text('vars-files = ["vals.yaml"]\n')
    assert subjects(repo / "other", "--config", "../.redshift-iam.toml")[
        "b.sql:1:1"] == "t <- s3://from-file/x/"
    os.symlink(tmp_path, repo / "up")
    (repo / ".redshift-iam.toml").write_text('template-path = "up"\n')
    result = invoke(repo, "scan", ".")
    assert result.exit_code == 2
    assert "template-path: 'up' leads out of the repository" in result.stderr


def test_every_option_is_configurable_unless_listed():
    keys = {key.replace("-", "_") for key in configurable()}
    assert keys | set(NOT_CONFIGURABLE) == set(Options._fields)
    assert not keys & set(NOT_CONFIGURABLE)
