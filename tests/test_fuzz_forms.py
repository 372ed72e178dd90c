"""Fuzzing the placeholder forms whose text the engine computes when it runs (RULES "Every
rendering, or unresolved").

Properties:

1. a random COPY or UNLOAD whose key, bucket and options hold those forms (f-string
   expressions and specs, str.format specs, %-flags, shell command substitution and
   parameters, Terraform expressions and directives, psql ``\\if`` branches), read without
   values, either exits 1 or gives a policy that allows every request of every rendering:
   renderings are sampled, substituted by hand into plain SQL, derived, and each grant the
   plain SQL needs is checked against the template's policy with the IAM evaluator;
2. random text made of those forms' pieces never raises anything but the tool's InputError,
   and a script read through any style never raises.

``EXAMPLES`` counts what the properties actually checked.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from redshift_iam.analysis import analyze_sources
from redshift_iam.core.diagnostics import InputError
from redshift_iam.core.settings import Settings, TrustOptions
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import Value, render_source
from redshift_iam.output.text import bundle
from tests.iam_eval import allowed
from tests.rendering import ROLE, R

PROPERTY = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SETTINGS = Settings(account_id="123456789012", region="us-east-1")
EXAMPLES: Counter[str] = Counter()


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghij0123456789-") for _ in range(rng.randint(1, 6)))


class Piece(NamedTuple):
    """A placeholder as written, and one text its engine may render for it."""

    text: str
    render: Callable[[random.Random], str]


def _number(spec: str) -> Callable[[random.Random], str]:
    return lambda rng: format(rng.randint(0, 4000), spec)


def _percent(spec: str) -> Callable[[random.Random], str]:
    return lambda rng: ("%" + spec) % (rng.randint(0, 4000) if spec[-1] in "dixo" else
                                       _word(rng))


ANY = _word
# style -> the pieces it reads; each may stand in the key (and, for the block ones, options)
PIECES: dict[str, dict[str, Piece]] = {
    "fstring": {
        "today": Piece("{date.today().isoformat()}", ANY), "sum": Piece("{a + b}", ANY),
        "slice": Piece("{x[1:]}", ANY), "call": Piece("{f(x)}", ANY),
        "sub": Piece("{cfg[key]}", ANY), "spec": Piece("{m:02d}", _number("02d")),
        "fill": Piece("{p:0>3}", lambda rng: format(_word(rng), "0>3")),
        "conv": Piece("{x!s:>3}", lambda rng: format(_word(rng), ">3").replace(" ", "-")),
    },
    "format": {
        "spec": Piece("{m:02d}", _number("02d")), "hex": Piece("{n:x}", _number("x")),
        "pos": Piece("{:03d}", _number("03d")), "name": Piece("{part}", ANY),
    },
    "percent": {
        "02d": Piece("%02d", _percent("02d")), "named": Piece("%(m)03d", _percent("03d")),
        "prec": Piece("%.2s", _percent(".2s")), "i": Piece("%i", _percent("i")),
        "x": Piece("%x", _percent("x")), "s": Piece("%s", _percent("s")),
    },
    "shell": {
        "cmd": Piece("$(date +%F)", ANY), "nested": Piece("$(date -d \"$(cat f)\" +%F)", ANY),
        "tick": Piece("`hostname`", ANY), "arith": Piece("$((n+1))", _number("d")),
        "pos": Piece("$1", ANY), "all": Piece("$@", ANY),
        "glued": Piece("d_$DAY", lambda rng: "d_" + _word(rng)),
        # RULES: ${x:-d} renders d when no value is given
        "default": Piece("${X:-dflt}", lambda rng: "dflt"),
    },
    "terraform": {
        "expr": Piece("${var.env}", ANY), "minus": Piece("${var.n-1}", _number("d")),
        "if": Piece("%{ if var.eu }eu/%{ endif }x", lambda rng: rng.choice(["eu/x", "x"])),
        "else": Piece("%{ if c }a%{ else }b%{ endif }", lambda rng: rng.choice("ab")),
        "for": Piece("%{ for p in var.ps }${p}-%{ endfor }z",
                     lambda rng: "".join(_word(rng) + "-" for _ in range(rng.randint(0, 3)))
                     + "z"),
    },
    "auto": {
        "cmd": Piece("$(date +%F)", ANY), "02d": Piece("%02d", _percent("02d")),
        "spec": Piece("{m:02d}", _number("02d")), "named": Piece("%(m)s", ANY),
    },
}
OPTIONS = {  # options a Terraform directive may guard: same grants, or other grants
    "gzip": ("%{ if gz }GZIP%{ else }BZIP2%{ endif }", ("GZIP", "BZIP2")),
    "manifest": ("%{ if m }MANIFEST%{ endif }", ("MANIFEST", "")),
}


class Case(NamedTuple):
    style: str
    unload: bool
    bucket: str  # a piece name, or "" for a literal bucket
    key: tuple[str, ...]  # piece names and "=word" literal segments
    option: str  # an OPTIONS name (terraform only) or ""
    seed: int


@st.composite
def cases(draw) -> Case:
    style = draw(st.sampled_from(sorted(PIECES)))
    names = sorted(PIECES[style])
    segment = st.one_of(st.sampled_from(names), st.from_regex(r"\A=[a-z0-9]{1,5}\Z"))
    return Case(style, draw(st.booleans()),
                draw(st.sampled_from(["", "", "", *names])),
                tuple(draw(st.lists(segment, min_size=1, max_size=4))),
                draw(st.sampled_from(["", *sorted(OPTIONS)])) if style == "terraform" else "",
                draw(st.integers(0, 2**16)))


def _texts(case: Case, rng: random.Random | None) -> tuple[str, str, str] | None:
    """(bucket, key, options) as written (``rng`` None) or as one rendering."""
    pieces = PIECES[case.style]

    def one(name: str) -> str:
        if name.startswith("="):
            return name[1:]
        return pieces[name].text if rng is None else pieces[name].render(rng)

    bucket = one(case.bucket) if case.bucket else "acme"
    key = "/".join(one(name) for name in case.key) + "/"
    option = ""
    if case.option:
        option = OPTIONS[case.option][0] if rng is None else rng.choice(OPTIONS[case.option][1])
    return bucket, key, option


def _sql(case: Case, bucket: str, key: str, option: str) -> str:
    if case.unload:
        return f"UNLOAD ('select 1') TO 's3://{bucket}/{key}' {R} {option};\n"
    return f"COPY t FROM 's3://{bucket}/{key}' {R} CSV {option};\n"


def _policies(analysis) -> list[dict]:
    principals = json.loads(bundle(analysis))["principals"]
    return [policy for principal in principals if principal["principal"] == ROLE
            for policy in principal["policies"]]


def _needed(grant) -> tuple[str, str, dict[str, str]]:
    """One concrete request a plain SQL's grant stands for (each * taken as some text)."""
    context = {grant.condition.key: grant.condition.value.replace("*", "x")} \
        if grant.condition else {}
    return grant.action, grant.resource.replace("*", "x"), context


@PROPERTY
@given(case=cases())
# the examples
@example(Case("fstring", False, "", ("today", "sum", "slice"), "", 1))
@example(Case("shell", False, "", ("=k", "cmd", "tick", "arith", "pos"), "", 2))
@example(Case("terraform", False, "", ("=k",), "manifest", 3))
@example(Case("percent", True, "", ("02d", "named", "prec", "i", "x"), "", 4))
@example(Case("format", False, "", ("spec", "hex"), "", 5))
@example(Case("fstring", False, "spec", ("=k",), "", 6))
def test_every_rendering_is_allowed_or_the_run_exits_1(case: Case) -> None:
    texts = _texts(case, None)
    assert texts is not None
    template = _sql(case, *texts)
    source, _ = render_source(Source("t.sql", template), {}, case.style)
    analysis = analyze_sources([source], SETTINGS, TrustOptions())
    if analysis.failures(allow_unresolved=False):
        EXAMPLES["unresolved: exit 1"] += 1
        return
    policies = _policies(analysis)
    rng = random.Random(case.seed)
    for _ in range(4):
        rendering = _texts(case, rng)
        assert rendering is not None
        plain = analyze_sources([Source("plain.sql", _sql(case, *rendering))], SETTINGS,
                                TrustOptions())
        if plain.failures(allow_unresolved=False):
            continue  # a rendering that is not a valid statement needs nothing
        EXAMPLES["renderings checked"] += 1
        for grant in plain.derivation.grants:
            action, resource, context = _needed(grant)
            assert allowed(policies, action, resource, context), (template, rendering, grant)


@PROPERTY
@given(case=cases(), condition=st.sampled_from([None, "true", "off"]))
def test_a_psql_variable_set_in_branches_is_every_branchs_value_or_unresolved(
        case: Case, condition: str | None) -> None:
    """psql: a key part \\set in \\if branches (the same or not), the condition known or not:
    the policy allows the value of every branch that may run, or the run exits 1."""
    rng = random.Random(case.seed)
    words = [_word(rng), _word(rng)]
    branches = [rng.choice(words) for _ in range(rng.randint(1, 3))]
    script = "\\if :c\n\\set part " + branches[0] + "\n"
    for number, extra in enumerate(branches[1:], 2):
        last = number == len(branches)
        script += ("\\else\n" if last and rng.random() < 0.5 else "\\elif :d\n") + \
            f"\\set part {extra}\n"
    script += "\\endif\n\\set src 's3://acme/k/' :part '/'\n" + f"COPY t FROM :'src' {R};\n"
    values = {} if condition is None else {"c": Value(condition, condition, "--var c")}
    source, _ = render_source(Source("t.sql", script), values, "psql")
    analysis = analyze_sources([source], SETTINGS, TrustOptions())
    if analysis.failures(allow_unresolved=False):
        EXAMPLES["psql: exit 1"] += 1
        return
    EXAMPLES["psql: one value"] += 1
    policies = _policies(analysis)
    may_run = {None: branches, "true": branches[:1], "off": branches[1:]}[condition]
    for part in may_run:
        assert allowed(policies, "s3:ListBucket", "arn:aws:s3:::acme", {"s3:prefix": f"k/{part}/"})


SOUP = st.lists(st.sampled_from([
    "$(", ")", "`", "$((", "$1", "$@", "${", "}", "{", "%{ if x }", "%{ else }", "%{ endif }",
    "%{ for a in b }", "%{ endfor }", "%{~", "~}", "%", "%(", ")s", "02d", "%%", "{{", "}}",
    "!r", ":", "'", '"', "\\if :x\n", "\\else\n", "\\endif\n", "\\set b `x`\n", "\\set c 1\n",
    ":'b'", ":c", "$$", "--", "\n", "COPY t FROM 's3://acme/", "' " + R + ";", "x", " ",
]), max_size=40).map("".join)


@PROPERTY
@given(text=SOUP, style=st.sampled_from(["auto", "format", "fstring", "percent", "shell",
                                         "psql", "dollar", "terraform", "ruby"]))
def test_form_soup_never_raises(text: str, style: str) -> None:
    try:
        source, _ = render_source(Source("soup.sql", text),
                                  {"x": Value("v", "v", "--var x")}, style)
    except InputError as exc:
        EXAMPLES["soup: refused"] += 1
        assert exc.diagnostic.code.startswith("RI17")
        return
    EXAMPLES["soup: read"] += 1
    analyze_sources([source], SETTINGS, TrustOptions())


def test_examples_ran() -> None:
    """Runs last in this file (pytest keeps file order): each property checked something."""
    assert EXAMPLES["renderings checked"] > 50
    assert EXAMPLES["unresolved: exit 1"] > 0
    assert EXAMPLES["psql: exit 1"] > 0 and EXAMPLES["psql: one value"] > 0
    assert EXAMPLES["soup: read"] > 0


