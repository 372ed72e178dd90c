"""Properties of the template layer, with hypothesis.

1. A plain script (the grammar generator of tests/test_fuzz.py) read through the template
   layer gives byte-identical output: the very same Source when it holds no placeholder, and
   the same bundle and diagnostics when it only looks templated (a ``<word>`` or ``%s`` in
   a query string).
2. A random template with random values gives exactly the documents of the plain SQL made
   by substituting the values by hand.
"""

from __future__ import annotations

import json
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redshift_iam.analysis import analyze_sources
from redshift_iam.core.settings import TrustOptions
from redshift_iam.core.source import Source
from redshift_iam.inputs.templating import parse_var, render_source
from redshift_iam.output.text import bundle
from tests.helpers import examples
from tests.test_fuzz import BUCKET, ROLE, SCRIPT, SETTINGS, rendered

PROPERTY = settings(max_examples=examples(1), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EXAMPLES: Counter[str] = Counter()


def output(source: Source) -> tuple[str, list[str]]:
    analysis = analyze_sources([source], SETTINGS, TrustOptions())
    return bundle(analysis), [d.render() for d in analysis.diagnostics]


@PROPERTY
@given(script=SCRIPT, data=st.data())
def test_plain_scripts_read_the_same_through_the_template_layer(script, data) -> None:
    source = Source("fuzz.sql", data.draw(rendered(script)))
    layered, notes = render_source(source, {}, "auto")
    if layered is source:
        EXAMPLES["plain: untouched"] += 1
        assert notes == ()
        return
    EXAMPLES["plain: looks templated"] += 1
    assert output(layered) == output(source)


# --- random templates against the plain SQL their values make --------------------------------

FORMS = {
    "jinja": "{{{{ {} }}}}", "format": "{{{}}}", "percent": "%({})s", "shell": "${{{}}}",
    "ruby": "#{{{}}}", "angle": "<{}>",
}
SEGMENT = st.from_regex(r"\Ap[a-z0-9-]{0,6}\Z")
COPY_OPTIONS = st.sampled_from(["CSV", "GZIP", "FORMAT AS SHAPEFILE", "JSON 'auto'",
                                "DELIMITER '|' ACCEPTINVCHARS"])
UNLOAD_OPTIONS = st.sampled_from(["CLEANPATH", "PARALLEL OFF", "MANIFEST", "CLEANPATH GZIP"])


@st.composite
def template_case(draw) -> tuple[str, str, dict[str, str]]:
    """(template, the plain SQL its values make, the values as --var gives them)."""
    form = FORMS[draw(st.sampled_from(sorted(FORMS)))]
    unload = draw(st.booleans())
    pieces = {"bucket": draw(BUCKET), "role": draw(ROLE),
              "opts": draw(UNLOAD_OPTIONS if unload else COPY_OPTIONS)}
    pieces.update({f"k{n}": part for n, part in enumerate(draw(st.lists(SEGMENT, min_size=1,
                                                                        max_size=3)))})
    values: dict[str, str] = {}
    slots: dict[str, tuple[str, str]] = {}
    for name, value in pieces.items():
        if draw(st.booleans()):
            slots[name] = (form.format(name), value)
            values[name] = value
        else:
            slots[name] = (value, value)
    keys = "/".join(f"{{{name}}}" for name in pieces if name.startswith("k"))
    shape = (f"UNLOAD ('select 1') TO 's3://{{bucket}}/{keys}/' IAM_ROLE '{{role}}' {{opts}}"
             if unload else f"COPY t FROM 's3://{{bucket}}/{keys}/' IAM_ROLE '{{role}}' {{opts}}")
    template = shape.format(**{name: text for name, (text, _) in slots.items()})
    plain = shape.format(**{name: value for name, (_, value) in slots.items()})
    return template, plain, values


@PROPERTY
@given(case=template_case())
def test_values_give_the_documents_of_the_substituted_sql(case) -> None:
    template, plain, values = case
    given_values = dict(parse_var(f"{name}={value}") for name, value in values.items())
    layered, _ = render_source(Source("t.sql", template), given_values, "auto")
    EXAMPLES["templates: templated" if values else "templates: plain"] += 1
    templated, substituted = documents(layered), documents(Source("t.sql", plain))
    assert templated == substituted


def documents(source: Source) -> tuple[str, list[tuple[str, str]]]:
    """The principals' documents as bytes, and each diagnostic's code and message (their
    positions differ: a template's are the template's)."""
    analysis = analyze_sources([source], SETTINGS, TrustOptions())
    bundle_text = json.loads(bundle(analysis))
    return (json.dumps(bundle_text["principals"], indent=2),
            [(d.code, d.message) for d in analysis.diagnostics])


def test_examples_ran() -> None:
    """Runs last in this file (pytest keeps file order): each property ran its examples."""
    assert EXAMPLES["plain: untouched"] > 0
    assert EXAMPLES["templates: templated"] > 0


