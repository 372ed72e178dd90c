"""Module constants in scanned Python are used only where Python reads them (RULES "SQL inside
source code"): a name bound more than once, conditionally, in a loop, by ``+=``, through
``global``, or shadowed where the template is formatted has no binding, never its first
value. The policies are judged with the IAM evaluator: every rendering allowed, or exit 1."""

from __future__ import annotations

import pytest

from redshift_iam.inputs.scanning import Binding, scan
from tests.rendering import R, reads
from tests.rendering import scan as scan_cli

COPY = f"COPY t FROM 's3://acme/{{P}}/k/' {R};"


def _bindings(tmp_path, source: str) -> list[dict[str, str]]:
    path = tmp_path / "m.py"
    path.write_text(source)
    return [{name: binding.value for name, binding in fragment.bindings.items()}
            for fragment in scan([str(path)]).fragments]


SQL = "f\"COPY t FROM 's3://{B}/k/' x\""
# (case, module source, the bindings of its one fragment)
SCOPES = [
    ("one top-level constant", f'B = "dev"\nq = {SQL}\n', {"B": "dev"}),
    ("rebound under if", f'B = "dev"\nif prod:\n    B = "prod"\nq = {SQL}\n', {}),
    ("bound twice", f'B = "dev"\nB = "prod"\nq = {SQL}\n', {}),
    ("augmented", f'B = "dev"\nB += "-x"\nq = {SQL}\n', {}),
    ("global in a function",
     f'B = "dev"\ndef use_prod():\n    global B\n    B = "prod"\ndef q():\n    return {SQL}\n',
     {}),
    ("global read only", f'B = "dev"\ndef q():\n    global B\n    return {SQL}\n', {"B": "dev"}),
    ("parameter", f'B = "dev"\ndef q(B):\n    return {SQL}\n', {}),
    ("keyword-only parameter", f'B = "dev"\ndef q(*, B="x"):\n    return {SQL}\n', {}),
    ("lambda parameter", f'B = "dev"\nq = lambda B: {SQL}\n', {}),
    ("loop variable", f'B = "dev"\ndef q():\n    for B in xs:\n        yield {SQL}\n', {}),
    ("module loop", f'B = "dev"\nfor B in xs:\n    pass\nq = {SQL}\n', {}),
    ("comprehension", f'B = "dev"\nq = [{SQL} for B in xs]\n', {}),
    ("with as", f'B = "dev"\ndef q():\n    with open(p) as B:\n        return {SQL}\n', {}),
    ("except as", f'B = "dev"\ndef q():\n    try:\n        pass\n    except E as B:\n'
     f'        pass\n    return {SQL}\n', {}),
    ("import in the function", f'B = "dev"\ndef q():\n    from m import B\n    return {SQL}\n',
     {}),
    ("local assignment after use", f'B = "dev"\ndef q():\n    s = {SQL}\n    B = 1\n', {}),
    ("walrus at module level", f'B = "dev"\nif (B := g()):\n    pass\nq = {SQL}\n', {}),
    ("walrus in a comprehension", f'B = "dev"\nz = [(B := y) for y in ys]\nq = {SQL}\n', {}),
    ("del", f'B = "dev"\ndel B\nq = {SQL}\n', {}),
    ("match capture", f'B = "dev"\nmatch v:\n    case B:\n        pass\nq = {SQL}\n', {}),
    ("enclosing function binds it",
     f'B = "dev"\ndef o():\n    B = g()\n    def i():\n        return {SQL}\n', {}),
    ("nonlocal", f'B = "dev"\ndef o():\n    B = 1\n    def i():\n        nonlocal B\n'
     f'        return {SQL}\n', {}),
    ("class attribute in its own body", f'B = "dev"\nclass C:\n    B = "x"\n    q = {SQL}\n', {}),
    ("class attribute hidden from a method",
     f'B = "dev"\nclass C:\n    B = "x"\n    def m(self):\n        return {SQL}\n', {"B": "dev"}),
    ("def of the same name", f'B = "dev"\ndef B():\n    pass\nq = {SQL}\n', {}),
    ("star import after", f'B = "dev"\nfrom m import *\nq = {SQL}\n', {}),
    ("star import before", f'from m import *\nB = "dev"\nq = {SQL}\n', {"B": "dev"}),
    ("used above the binding", f'q = {SQL}\nB = "dev"\n', {}),
    ("function above the binding", f'def q():\n    return {SQL}\nB = "dev"\n', {"B": "dev"}),
    ("annotation without value", f'B: str\nB = "dev"\nq = {SQL}\n', {"B": "dev"}),
    ("bound to a non-literal too", f'B = "dev"\nB = os.environ["B"]\nq = {SQL}\n', {}),
    ("chained assignment", f'A = B = "dev"\nq = {SQL}\n', {"B": "dev"}),
    ("tuple target", f'B = "dev"\nB, C = "a", "b"\nq = {SQL}\n', {}),
    # Python reads the identifier Ｂ (fullwidth) as B
    ("rebound under another spelling", f'B = "dev"\nif x:\n    \uff22 = "prod"\nq = {SQL}\n', {}),
]


@pytest.mark.parametrize(("case", "source", "expected"), SCOPES, ids=[c[0] for c in SCOPES])
def test_a_constant_binds_only_where_python_reads_it(tmp_path, case, source, expected):
    assert _bindings(tmp_path, source) == [expected]


FORMATTED = [
    # .format: positional arguments read the module's names; named fields only the call's
    ('B = "dev"\nq = "COPY t FROM \'s3://{}/{B}/{b}\' x".format(B, b=B)\n',
     {"B": "dev", "b": "dev"}),
    # a ** mapping or a *args: what follows no longer has a known name
    ('B = "dev"\nq = "COPY t FROM \'s3://{}/{}\' x".format(*rest, B)\n', {}),
    ('b = "dev"\nq = "COPY t FROM \'s3://{b}/\' x".format(**cfg)\n', {}),
    # %: a dict literal's entries, those after a ** only
    ('B = "dev"\nq = "COPY t FROM \'s3://%(b)s/%(c)s\' x" % {"b": B, "c": "k", **o}\n', {}),
    ('B = "dev"\nq = "COPY t FROM \'s3://%(b)s/%(c)s\' x" % {**o, "b": B, "c": "k"}\n',
     {"b": "dev", "c": "k"}),
    ('B = "dev"\nq = "COPY t FROM \'s3://%s/k\' x" % B\n', {"B": "dev"}),
    # a plain literal: no Python formats it (Airflow renders its Jinja with its own context)
    ('B = "dev"\nq = "COPY t FROM \'s3://{B}/{{ B }}\' x"\n', {}),
]


@pytest.mark.parametrize(("source", "expected"), FORMATTED)
def test_format_and_percent_read_their_arguments(tmp_path, source, expected):
    assert _bindings(tmp_path, source) == [expected]


def test_a_derived_call_reads_the_constants_passed_to_it(tmp_path):
    path = tmp_path / "dag.py"
    path.write_text('B = "acme"\nK = "k"\nt = S3ToRedshiftOperator(task_id="t", table="t", '
                    's3_bucket=B, s3_key="in/{{ K }}")\n')
    (fragment,) = scan([str(path)]).fragments
    assert fragment.bindings == {"B": Binding("acme", f"{path}:1")}


# --- the policies: every rendering allowed, or exit 1 -------------------------------------

REBOUND_KEY = {
    # the example: "dev", then "prod" under an if
    "if": 'P = "dev"\nif prod:\n    P = "prod"\nSQL = f"' + COPY + '"\n',
    "augmented": 'P = "dev"\nP += "-eu"\nSQL = f"' + COPY + '"\n',
    "global": 'P = "dev"\n\n\ndef switch():\n    global P\n    P = "prod"\n\n\n'
              'def sql():\n    return f"' + COPY + '"\n',
    "parameter": 'P = "dev"\n\n\ndef sql(P):\n    return f"' + COPY + '"\n',
    "loop": 'P = "dev"\nfor P in ("dev", "prod"):\n    run(f"' + COPY + '")\n',
}


@pytest.mark.parametrize("case", sorted(REBOUND_KEY))
def test_a_rebound_name_in_a_key_grants_every_value(tmp_path, case):
    run = scan_cli(tmp_path, {"load.py": REBOUND_KEY[case]})
    policies = run.policies()
    for value in ("dev", "prod", "dev-eu", "anything"):
        assert reads(policies, "acme", f"{value}/k/"), value
    assert not reads(policies, "acme", "dev/other/")
    assert not reads(policies, "other", "dev/k/")
    lines = REBOUND_KEY[case].splitlines()
    text = next(line for line in lines if "COPY" in line)
    line, col = lines.index(text) + 1, text.index("{P}") + 1
    assert run.stderr == (
        f"src/load.py:{line}:{col}: warning RW221: variable P ({{P}}) is unresolved in the S3 "
        "key s3://acme/{P}/k/: granted as acme/*/k/ (any text in its place)\n"
        f"{line:>5} | {text}\n      | {' ' * (col - 1)}^\n"  # the host file's line
        "    hint: pass --var P=VALUE to grant one prefix\n")


def test_a_single_constant_still_resolves(tmp_path):
    run = scan_cli(tmp_path, {"load.py": 'P = "dev"\nSQL = f"' + COPY + '"\n'})
    policies = run.policies()
    assert (run.stderr, reads(policies, "acme", "dev/k/")) == ("", True)
    assert not reads(policies, "acme", "prod/k/")


def test_a_rebound_bucket_is_unresolved(tmp_path):
    source = ('BUCKET = "dev"\nif prod:\n    BUCKET = "prod"\n'
              f"SQL = f\"COPY t FROM 's3://{{BUCKET}}/k/' {R};\"\n")
    run = scan_cli(tmp_path, {"load.py": source})
    assert (run.code, run.stdout) == (1, "")
    assert run.stderr == (
        "src/load.py:4:27: unresolved RI145: variable BUCKET ({BUCKET}) is unresolved in the S3 "
        "location of this COPY (s3://{BUCKET}/k/): its grants are left out\n"
        "    4 | SQL = f\"COPY t FROM 's3://{BUCKET}/k/' IAM_ROLE "
        "'arn:aws:iam::123456789012:role/etl';\"\n"
        f"      | {' ' * 26}^\n"
        "    hint: pass --var BUCKET=VALUE\n"
        "redshift-iam: 1 problem(s); no document written (--allow-unresolved writes what is "
        "known)\n")
    narrowed = scan_cli(tmp_path, {}, "--var", "BUCKET=prod").policies()
    assert reads(narrowed, "prod", "k/") and not reads(narrowed, "dev", "k/")
