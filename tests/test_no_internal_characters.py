"""No internal character reaches a user: the templating stage marks placeholders with
private-use characters (``core.placeholders``: U+E000.. sentinels and variable markers), and
whatever scan prints, in every format, on stdout or stderr, shows them as the source text.
Checked over the fixture repositories and samples/, and over generated trees with a
placeholder in each slot a statement has, in each host language."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redshift_iam.cli.main import main
from tests.helpers import examples

ROOT = Path(__file__).parent.parent
TREES = ("tests/fixtures/scan_repo", "tests/fixtures/scan_hints", "samples")
FORMATS = ("json", "text", "bundle", "terraform", "cloudformation", "cloudformation-json")
# a private-use character, raw or as the escape a JSON or repr writer makes of it
INTERNAL = re.compile(r"[\ue000-\uf8ff]|\\u(?:e[0-9a-f]{3}|f[0-8][0-9a-f]{2})", re.I)
ROLE = "arn:aws:iam::123456789012:role/R"

# Statements with a placeholder NAME in each slot (table, location, bucket, key, role, chain,
# options, an option's value, CREDENTIALS, KMS, a JSONPaths file, a bad option beside one).
SLOTS = (
    "COPY {NAME} FROM 's3://b/k' IAM_ROLE '" + ROLE + "' CSV",
    "COPY t FROM '{NAME}' IAM_ROLE '" + ROLE + "' CSV",
    "COPY t FROM 's3://{NAME}/k' IAM_ROLE '" + ROLE + "' CSV",
    "COPY t FROM 's3://b-{NAME}/k/{NAME}' IAM_ROLE '" + ROLE + "' CSV",
    "COPY t FROM 's3://b/k' IAM_ROLE '{NAME}' CSV",
    "COPY t FROM 's3://b/k' IAM_ROLE '" + ROLE + ",{NAME}' CSV",
    "COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::{NAME}:role/R' REGION '{NAME}' CSV",
    "COPY t FROM 's3://b/k' IAM_ROLE '" + ROLE + "' {NAME} CSV",
    "COPY t FROM 's3://b/k' CREDENTIALS '{NAME}' CSV",
    "COPY t FROM 's3://b/k' CREDENTIALS 'aws_iam_role={NAME};master_symmetric_key={NAME}' "
    "ENCRYPTED",
    "COPY t FROM 's3://b/{NAME}' IAM_ROLE '" + ROLE + "' JSON '{NAME}'",
    "COPY t FROM 'dynamodb://{NAME}' IAM_ROLE '" + ROLE + "' READRATIO 50",
    "UNLOAD ('select * from {NAME}') TO 's3://b/{NAME}' IAM_ROLE '" + ROLE + "' KMS_KEY_ID "
    "'{NAME}' ENCRYPTED",
    "CREATE LIBRARY {NAME} LANGUAGE plpythonu FROM 's3://{NAME}/l.zip' IAM_ROLE '" + ROLE + "'",
    "COPY t FROM 's3://b/{NAME}' IAM_ROLE '" + ROLE + "' FORMAT AS {NAME} BOGUS {NAME}",
    "COPY t FROM 's3://b/k' IAM_ROLE '" + ROLE + "' IGNOREHEADER {NAME} PARALELL 4",
    "COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::123456789012:role/[{NAME}]' CSV",
)
# How each host writes a placeholder named n, and a statement s as a line of its language.
HOSTS = {
    "a.sql": ("{{{{ {n} }}}}", "{s};"),
    "b.py": ("{{{n}}}", 'cur.execute(f"""{s}""")'),
    "c.py": ("%s", 'cur.execute("""{s}""", (x, y, z))'),
    "d.py": ("{{}}", 'cur.execute("""{s}""".format(*args))'),
    "e.sh": ("${{{n}}}", 'psql -c "{s}"'),
    "f.rb": ("#{{{n}}}", 'conn.exec("{s}")'),
    "g.sql": (":'{n}'", "{s};"),
}


def _scan(cwd: Path, *args: str) -> tuple[int, str]:
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(main, ["scan", *args])
    return result.exit_code, result.stdout + result.stderr


def _internal(text: str) -> list[str]:
    return sorted({match.group() for match in INTERNAL.finditer(text)})


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("tree", TREES)
def test_scan_of_the_fixtures_prints_no_internal_character(tree: str, fmt: str) -> None:
    for extra in ((), ("--allow-unresolved",)):
        code, output = _scan(ROOT, tree, "--format", fmt, *extra)
        assert code in (0, 1) and "internal error" not in output
        assert _internal(output) == []


def test_the_values_template_holds_no_internal_character() -> None:
    for tree in TREES:
        code, output = _scan(ROOT, tree, "--values-template")
        assert code in (0, 1) and "internal error" not in output
        assert _internal(output) == []


@settings(max_examples=examples(0.2), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slots=st.lists(st.sampled_from(SLOTS), min_size=1, max_size=4),
       host=st.sampled_from(sorted(HOSTS)), fmt=st.sampled_from(FORMATS),
       name=st.sampled_from(["x", "bucket-name", "cfg.S3.key", "a1"]))
def test_scan_of_a_placeholder_in_any_slot_prints_no_internal_character(
        tmp_path_factory: pytest.TempPathFactory, slots: list[str], host: str, fmt: str,
        name: str) -> None:
    top = tmp_path_factory.mktemp("slots")
    (top / "src").mkdir()
    mark, line = HOSTS[host]
    placeholder = mark.format(n=name if host != "g.sql" else name.replace("-", "_"))
    text = "\n".join(line.format(s=s.replace("{NAME}", placeholder).replace('"', '\\"')
                                 if host in ("e.sh", "f.rb") else
                                 s.replace("{NAME}", placeholder)) for s in slots) + "\n"
    (top / "src" / host).write_text(text)
    code, output = _scan(top, "src", "--format", fmt)
    assert code in (0, 1) and "internal error" not in output
    assert _internal(output) == [], text
