"""Every bomb is refused by a limit that trips before the work is done (RI173, jinja_limits):
each with its exact message; all of them together in a process whose address space is capped
at 400 MB and CPU at 120 s (a bomb that allocated, or a rewrite that went quadratic on
unclosed tags, would end it); the deadline and the work budget of one rendering."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import jinja_limits, template

WORK = "the template does too much work: "
LIMIT = "characters or items (the limit is 1,000,000)"
SANDBOX = "the template tried something the sandbox forbids: "
DOUBLING = ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s OP ns.s %}"
            "{% endfor %}")
BOMBS = [
    # the issue's: center (8 GB, 30 s), namespace doubling (3 GB, exit 0), format widths
    ("{{ 'x'|center(2000000000) }}", f"the filter center would build 2,000,000,000 {LIMIT}"),
    (DOUBLING.replace("OP", "~"), f"a ~ concatenation would build 1,048,576 {LIMIT}"),
    (DOUBLING.replace("OP", "+"), f"a + would build 1,048,576 {LIMIT}"),
    ("{{ '%2000000000s'|format(1) }}", f"the filter format would build 2,000,000,012 {LIMIT}"),
    ("{{ '%.2000000000f'|format(1.0) }}",
     f"the filter format would build 2,000,000,013 {LIMIT}"),
    ("{{ '%*s'|format(2000000000, 'x') }}",
     f"the filter format would build 2,000,000,003 {LIMIT}"),
    ("{{ '%2000000000s' % 1 }}", f"a % format would build 2,000,000,013 {LIMIT}"),
    ('{{ "{:>2000000000}".format(1) }}', f"a str.format would build 2,000,000,000 {LIMIT}"),
    ("{{ '{:{}}'.format(1, 2000000000) }}", f"a str.format would build 2,000,000,001 {LIMIT}"),
    ("{{ '{x:>2000000000}'.format_map({'x': 1}) }}",
     f"a str.format would build 2,000,000,000 {LIMIT}"),
    ("{{ ('{:>999999}' * 1000).format(*range(1000)) }}",
     f"a str.format would build 1,999,998 {LIMIT}"),
    # string-building filters and methods
    ("{{ 'a\nb'|indent(2000000000) }}", f"the filter indent would build 4,000,000,003 {LIMIT}"),
    ("{{ ('x' * 50000)|wordwrap(1, wrapstring='\n' * 20) }}",
     f"the filter wordwrap would build 1,050,000 {LIMIT}"),
    ("{{ ('x' * 450000)|wordwrap(1) }}",
     "the filter wordwrap would wrap 450,000 characters (the limit is 100,000)"),
    ("{{ ('x' * 1000)|replace('', 'y' * 10000) }}",
     f"the filter replace would build 10,011,000 {LIMIT}"),
    ("{{ range(100000)|join('x' * 100000) }}",
     f"the filter join would build 10,000,000,000 {LIMIT}"),
    ("{{ 'x'.ljust(2000000000) }}", f"str.ljust would build 2,000,000,000 {LIMIT}"),
    ("{{ 'x'.center(2000000000) }}", f"str.center would build 2,000,000,000 {LIMIT}"),
    ("{{ '1'.zfill(2000000000) }}", f"str.zfill would build 2,000,000,000 {LIMIT}"),
    ("{{ ('x' * 1000).replace('', 'y' * 10000) }}",
     f"str.replace would build 10,011,000 {LIMIT}"),
    ("{{ ('x' * 100000).join(range(100)|map('string')) }}",
     f"str.join would build 9,900,190 {LIMIT}"),
    ("{{ ('x' * 1000000)|urlencode }}", "a value is larger than 1,000,000 characters or items"),
    ("{{ [1]|batch(2000000000, 'x')|list }}",
     f"the filter batch would build 2,000,000,001 {LIMIT}"),
    ("{{ [1]|slice(2000000000)|list }}", f"the filter slice would build 2,000,000,001 {LIMIT}"),
    ("{{ ([[0] * 1000] * 1000)|sum(start=[])|length }}",
     f"the filter sum would build 1,000,000,000 {LIMIT}"),
    # lists, ranges and structures
    ("{{ range(100000)|list * 100 }}", "an expression repeats 100000 items 100 times"),
    ("{{ [0] * 2000000000 }}", "an expression repeats 1 items 2000000000 times"),
    ("{{ 'x' * 100000000 }}", "an expression repeats 1 items 100000000 times"),
    ("{{ range(2000000000)|list }}", "range() of more than 100,000 numbers"),
    ("{{ [[[0] * 1000] * 1000] * 1000 }}", "a value is larger than 1,000,000 characters or items"),
    ("{{ ([[[0] * 1000] * 1000] * 1000)|tojson }}",
     "a value is larger than 1,000,000 characters or items"),
    ("{{ [[0] * 100]|tojson(indent=100000) }}",
     f"the filter tojson would build 30,900,103 {LIMIT}"),
    ("{% set ns = namespace(a=[1]) %}{% for i in range(64) %}{% set ns.a = [ns.a, ns.a] %}"
     "{% endfor %}{{ ns.a }}", "a value is larger than 1,000,000 characters or items"),
    ("{% set ns = namespace(a=[]) %}{% for i in range(1000) %}{% set ns.a = [ns.a] %}"
     "{% endfor %}{{ ns.a }}", "a value is nested deeper than 100 levels"),
    ("{% set l = [1] %}{% for i in range(64) %}{% set _ = l.extend(l) %}{% endfor %}",
     f"list.extend would build 1,048,576 {LIMIT}"),
    ("{% set acc = [] %}{% set big = 'x' * 1000000 %}{% for i in range(100000) %}"
     "{% set _ = acc.append(big * 1) %}{% endfor %}",
     "it builds or does more than 20,000,000 characters, items or steps in all"),
    # numbers, loops, recursion
    ("{{ (10 ** 10000) ** 10000 }}",
     "an expression builds an integer of about 332,200,000 bits (the limit is 100,000)"),
    ("{{ 9 ** 99999999 }}", "an expression raises to the power 99999999"),
    ("{% set ns = namespace(n=3) %}{% for i in range(64) %}{% set ns.n = ns.n * ns.n %}"
     "{% endfor %}",
     "an expression builds an integer of about 103,874 bits (the limit is 100,000)"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "the template's loops ran more than 100,000 iterations"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "macros call themselves too deeply"),
]
REFUSED = [  # methods that only allocate: not offered at all
    ("{{ (1).to_bytes(2000000000, 'big') }}",
     "access to attribute 'to_bytes' of a 'int' object is unsafe"),
    ("{{ 'x\t'.expandtabs(2000000000) }}",
     "access to attribute 'expandtabs' of a 'str' object is unsafe"),
    ("{{ 'x'.translate({120: 'y' * 1000000}) }}",
     "access to attribute 'translate' of a 'str' object is unsafe"),
]
# unclosed tags repeated (60 KB took 29 s when the rewrite was quadratic): a syntax error
NESTS = "Jinja syntax error: the template nests too deeply to read (an unclosed '{{', '(' or " \
        "'[' repeated?)"
UNCLOSED = [
    ("{{ " * 200000, NESTS),
    ("{%macro " * 80000, "Jinja syntax error: expected token 'name', got '{'"),
    ("{{ (" * 150000, NESTS),
    ("{# " * 200000, "Jinja syntax error: Missing end of comment tag"),
    ("{% raw %}" * 60000, "Jinja syntax error: Missing end of raw directive"),
    ("{{ '" * 150000, "Jinja syntax error: expected token 'end of print statement', got '{'"),
    ("{% for x in " * 60000, "Jinja syntax error: unexpected '%'"),
]


def fails(sql: str) -> tuple[str, str, str]:
    with pytest.raises(InputError) as caught:
        template(Source("t.sql", sql), {})
    diagnostic = caught.value.diagnostic
    return diagnostic.code, diagnostic.message, str(diagnostic.location)


@pytest.mark.parametrize(("sql", "message"), BOMBS)
def test_each_bomb_is_refused_by_its_limit(sql, message):
    assert fails(sql) == ("RI173", WORK + message, "t.sql:1:1")


@pytest.mark.parametrize(("sql", "message"), REFUSED)
def test_allocating_methods_are_not_offered(sql, message):
    assert fails(sql) == ("RI171", SANDBOX + message, "t.sql:1:1")


def test_lipsum_of_any_size_is_an_unknown_value():
    result = template(Source("t.sql", "{{ lipsum(n=1000000000) }}"), {})
    assert (result.text, [p.name for p in result.placeholders]) == ("\ue0000\ue001", ["lipsum"])


def test_the_deadline_ends_a_rendering(monkeypatch):
    monkeypatch.setattr(jinja_limits, "DEADLINE", 0.0)
    assert fails("{% for i in range(3) %}{% endfor %}") == (
        "RI173", WORK + "the rendering takes longer than 0 seconds", "t.sql:1:1")


def test_the_work_budget_ends_a_rendering(monkeypatch):
    monkeypatch.setattr(jinja_limits, "MAX_WORK", 1000)
    assert fails("{% for i in range(2000) %}{% endfor %}") == (
        "RI173", WORK + "it builds or does more than 1,000 characters, items or steps in all",
        "t.sql:1:1")


_GUARDED = textwrap.dedent("""
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (400 << 20, 400 << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (120, 120))
    from redshift_iam.core.diagnostics import InputError
    from redshift_iam.core.source import Source
    from redshift_iam.inputs.templating import template
    for sql in json.load(sys.stdin):
        try:
            template(Source("t.sql", sql), {})
            print(json.dumps(["rendered", ""]))
        except InputError as error:
            print(json.dumps([error.diagnostic.code, error.diagnostic.message]))
""")


def test_no_bomb_allocates_or_runs_away():
    """All bombs, the unclosed tags at full size, in a process capped at 400 MB of address
    space and 120 s of CPU: each ends in its limit's error (a MemoryError would read
    differently), and the process exits normally."""
    cases = [*((sql, "RI173", WORK + text) for sql, text in BOMBS),
             *((sql, "RI171", SANDBOX + text) for sql, text in REFUSED),
             *((sql, "RI170", text) for sql, text in UNCLOSED)]
    done = subprocess.run([sys.executable, "-c", _GUARDED], capture_output=True, text=True,
                          input=json.dumps([sql for sql, _, _ in cases]), timeout=600,
                          check=False)
    assert (done.returncode, done.stderr) == (0, "")
    got = [json.loads(line) for line in done.stdout.splitlines()]
    assert got == [[code, text] for _, code, text in cases]
