"""The README's Python API example runs, and the library door gives the CLI's documents."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from redshift_iam.analysis import Options, Source, analyze, bundle
from redshift_iam.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def _example() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Python API"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_prints_what_the_cli_prints(tmp_path: Path) -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(_example(), "README.md", "exec"), {})  # noqa: S102 - our own README
    sql = re.search(r'sql = """\n(.*?)"""', _example(), re.S).group(1)
    (tmp_path / "etl.sql").write_text(sql)
    result = CliRunner().invoke(main, ["policy", str(tmp_path / "etl.sql"), "--region",
                                       "us-east-1", "--var", "ds=2026-12-01"])
    assert result.exit_code == 0, result.output
    assert printed.getvalue() == result.stdout
    assert '"arn:aws:s3:::acme-raw/sales/2026-12-01/*"' in printed.getvalue()


def test_a_template_with_a_value_gives_the_same_bundle_through_both_doors(tmp_path: Path
                                                                          ) -> None:
    sql = ("UNLOAD ('select 1') TO 's3://acme-out/{{ env }}/x_' "
           "IAM_ROLE 'arn:aws:iam::123456789012:role/Unloader' CLEANPATH;\n"
           "COPY t FROM 's3://acme-raw/{{ prefix }}' "
           "IAM_ROLE 'arn:aws:iam::123456789012:role/L';\n")
    for name in ("a.sql", "b.sql"):
        (tmp_path / name).write_text(sql.replace("{{ env }}", "prod") if name == "b.sql"
                                     else sql)
    flags = ["--var", "env=prod", "--var", "prefix=p/", "--region", "us-east-1"]
    result = CliRunner().invoke(main, ["generate", str(tmp_path / "a.sql"), *flags])
    assert result.exit_code == 0, result.output
    options = Options(region="us-east-1", template_vars=("env=prod", "prefix=p/"))
    by_path = analyze([str(tmp_path / "a.sql")], options)
    by_text = analyze([Source(str(tmp_path / "a.sql"), sql)], options)
    assert bundle(by_path) == bundle(by_text) == result.stdout
    assert "arn:aws:s3:::acme-out/prod/x_*" in result.stdout
    assert "arn:aws:s3:::acme-raw/p/*" in result.stdout


def test_the_audit_doors_take_options_and_sources() -> None:
    """analysis.check and analysis.lint: the flags as Options fields, texts as Sources; the
    reports render to what the commands print."""
    from redshift_iam.analysis import OptionsError, check, check_text, findings_text, lint

    sql = Source("etl.sql", "COPY t FROM 's3://acme-data/k/' IAM_ROLE "
                            "'arn:aws:iam::123456789012:role/Etl';\n")
    body = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": '
            '"s3:GetObject", "Resource": "arn:aws:s3:::acme-data/*"}]}')
    report = check([sql], Options(context=("aws:SourceVpc=vpc-1",)),
                   sources=[Source("p.json", body)])
    assert [m.need.action for m in report.missing] == ["s3:ListBucket"]
    assert [d.code for d in report.failures(strict=False)] == ["RC400"]
    assert [d.code for d in report.failures(strict=True)] == ["RC400", "RC402"]
    assert check_text(report).endswith(
        "arn:aws:iam::123456789012:role/Etl: 2 need(s), 1 missing; excess in: s3\n")
    linted = lint([Source("d.sql", "UNLOAD ('select 1') TO 's3://b-1/o/' IAM_ROLE default;")],
                  Options(min_severity="info"))
    assert [f.code for f in linted.findings] == ["RW233"]
    assert findings_text(linted.findings).endswith("1 finding(s): 1 info\n")
    for bad, door in ((Options(min_severity="loud"), lint), (Options(), check),
                      (Options(policies=("p.json",), context=("nokey",)), check)):
        with pytest.raises(OptionsError):
            door([sql], bad)
