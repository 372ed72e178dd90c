"""Fuzzing Python scoping in ``scan``: a module constant, random rebindings of it (guarded by
flags or not), and a template formatted somewhere (module level, a function, a parameter's
or local's or loop's scope, a closure, a class, ``.format``, ``%``).

Property: the oracle runs the generated module (our own code, never a scanned one) under every
combination of its flags and collects each SQL string it builds; ``scan`` of the module either
exits 1 or gives a policy that allows every request each of those statements needs (judged
with the IAM evaluator). With no rebinding and no shadowing the constant is used: the policy
is that value's, and no other. ``EXAMPLES`` counts what was checked.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from redshift_iam.analysis import analyze_sources
from redshift_iam.cli.main import main
from redshift_iam.core.settings import Settings, TrustOptions
from redshift_iam.core.source import Source
from tests.iam_eval import allowed
from tests.rendering import ROLE

PROPERTY = settings(max_examples=120, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
EXAMPLES: Counter[str] = Counter()
KEY = f"COPY t FROM 's3://acme/{{P}}/k/' IAM_ROLE '{ROLE}';"
BUCKET = f"COPY t FROM 's3://{{P}}/k/' IAM_ROLE '{ROLE}';"
COPY = "<COPY>"  # in the tables below (<COPY:{}>: with {} for {P}); a case puts KEY or BUCKET


class Module(NamedTuple):
    source: str
    flags: int  # FLAGS[0..flags-1] guard rebindings
    clean: bool  # P is bound once and read unshadowed: the constant must be used
    copy: str  # KEY or BUCKET


def _module(text: str, flags: int, clean: bool, copy: str) -> Module:
    for marker in ("{}", "{p}", "%s"):
        text = text.replace(f"<COPY:{marker}>", copy.replace("{P}", marker))
    return Module(text.replace(COPY, copy), flags, clean, copy)

# module-level statements that bind P again
REBINDS = {
    "assign": 'P = "prod"',
    "same": 'P = "dev"',
    "aug": 'P += "-x"',
    "global": 'def _switch():\n    global P\n    P = "stage"\n_switch()',
    "loop": 'for P in ("loop1", "loop2"):\n    pass',
    "walrus": 'if (P := "walrus"):\n    pass',
    "compwalrus": '[(P := "compw") for _ in range(1)]',
    "import": "from string import digits as P",
    "match": 'match "match":\n    case P:\n        pass',
    "delset": 'del P\nP = "zed"',
    "try": 'try:\n    P = "try"\nexcept Exception:\n    pass',
    "star": "from tests.fuzz_star import *",
}
# where the template is formatted: code that appends the statements it builds to SQLS
SITES = {
    "module": f'SQLS.append(f"{COPY}")',
    "function": f'def make():\n    return f"{COPY}"\nSQLS.append(make())',
    "param": f'def make(P="param"):\n    return f"{COPY}"\nSQLS.append(make())\n'
             'SQLS.append(make("arg"))',
    "local": f'def make():\n    P = "local"\n    return f"{COPY}"\nSQLS.append(make())',
    "loop": f'def make():\n    return [f"{COPY}" for P in ("comp1", "comp2")]\nSQLS.extend(make())',
    "closure": f'def outer():\n    P = "outer"\n    def inner():\n        return f"{COPY}"\n'
               "    return inner()\nSQLS.append(outer())",
    "global": f'def make():\n    global P\n    P = "glob"\n    return f"{COPY}"\n'
              "SQLS.append(make())",
    "lambda": f'make = lambda P="lamb": f"{COPY}"\nSQLS.append(make())',
    "class": f'class C:\n    P = "klass"\n    S = f"{COPY}"\nSQLS.append(C.S)',
    "method": f'class C:\n    P = "klass"\n    def m(self):\n        return f"{COPY}"\n'
              "SQLS.append(C().m())",
    "format": 'SQLS.append("<COPY:{}>".format(P))',
    "format_kw": 'SQLS.append("<COPY:{p}>".format(p=P))',
    "percent": 'SQLS.append("<COPY:%s>" % P)',
}
SETTINGS = Settings(account_id="123456789012", region="us-east-1")


def _indented(code: str) -> str:
    return "\n".join("    " + line for line in code.splitlines())


@st.composite
def modules(draw) -> Module:
    """A module binding P, maybe rebinding it, and formatting the statement somewhere; P
    stands in the key or is the bucket."""
    rebinds = draw(st.lists(st.sampled_from(sorted(REBINDS)), max_size=3))
    site = draw(st.sampled_from(sorted(SITES)))
    statements, flags = [], 0
    for name in rebinds:
        if draw(st.booleans()):
            statements.append(f"if FLAGS[{flags}]:\n{_indented(REBINDS[name])}")
            flags += 1
        else:
            statements.append(REBINDS[name])
    statements.insert(draw(st.integers(0, len(statements))), SITES[site])
    clean = not rebinds and site in ("module", "function", "format", "format_kw", "percent",
                                     "method")
    return _module('P = "dev"\n' + "\n".join(statements) + "\n", flags, clean,
                   draw(st.sampled_from([KEY, BUCKET])))


def _renderings(source: str, flags: int) -> set[str]:
    """Every statement the module builds, over every combination of its flags."""
    built: set[str] = set()
    for combination in itertools.product([False, True], repeat=flags):
        out: list[str] = []
        with contextlib.suppress(Exception):  # a del without a rebinding: NameError
            exec(compile(source, "generated.py", "exec"), {"FLAGS": combination, "SQLS": out})
        built.update(out)
    return built


def _needs(sql: str) -> list[tuple[str, str, dict[str, str]]]:
    analysis = analyze_sources([Source("plain.sql", sql)], SETTINGS, TrustOptions())
    assert not analysis.failures(allow_unresolved=False), sql
    return [(g.action, g.resource.replace("*", "x"),
             {g.condition.key: g.condition.value.replace("*", "x")} if g.condition else {})
            for g in analysis.derivation.grants]


def _scan(folder: Path, source: str):
    (folder / "src").mkdir(exist_ok=True)
    (folder / "src" / "generated.py").write_text(source)
    with contextlib.chdir(folder):
        return CliRunner().invoke(main, ["scan", "src", "--format", "bundle"])


@PROPERTY
@given(module=modules())
# the examples: rebound under an if, +=, global, a parameter, a loop variable
@example(_module('P = "dev"\nif FLAGS[0]:\n    P = "prod"\n' + SITES["module"] + "\n", 1,
                 False, KEY))
@example(_module('P = "dev"\nP += "-x"\n' + SITES["function"] + "\n", 0, False, KEY))
@example(_module('P = "dev"\n' + REBINDS["global"] + "\n" + SITES["function"] + "\n", 0,
                 False, BUCKET))
@example(_module('P = "dev"\n' + SITES["param"] + "\n", 0, False, KEY))
@example(_module('P = "dev"\n' + SITES["loop"] + "\n", 0, False, BUCKET))
@example(_module('P = "dev"\n' + SITES["function"] + "\n", 0, True, BUCKET))
def test_the_policy_allows_what_every_run_of_the_module_builds(tmp_path_factory, module):
    built = _renderings(module.source, module.flags)
    result = _scan(tmp_path_factory.mktemp("fuzz"), module.source)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert not module.clean, (module.source, result.stderr)
        assert "RI145" in result.stderr, result.stderr
        EXAMPLES["unresolved: exit 1"] += 1
        return
    [principal] = json.loads(result.stdout)["principals"]
    policies = principal["policies"]
    for sql in built:
        for action, resource, context in _needs(sql):
            assert allowed(policies, action, resource, context), (module.source, sql)
    EXAMPLES["renderings checked"] += len(built)
    if module.clean:
        assert built == {module.copy.replace("{P}", "dev")}
        other = module.copy.replace("{P}", "prod")
        assert result.stderr == "" and not all(
            allowed(policies, *need) for need in _needs(other))
        EXAMPLES["constant used"] += 1


def test_examples_ran() -> None:
    """Runs last in this file (pytest keeps file order): each outcome was checked."""
    assert EXAMPLES["renderings checked"] > 50
    assert EXAMPLES["constant used"] > 0
    assert EXAMPLES["unresolved: exit 1"] > 0


