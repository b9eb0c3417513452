"""Random input never crashes the interpreter: every call returns plain data or raises a
CelestraError (nothing else, no panic, no other exception type)."""

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import celestra_engine as ce

NODE_TYPES = [
    "celestra-app", "celestra-statefulapp", "celestra-job", "celestra-cronjob", "celestra-service",
    "celestra-ingress", "celestra-networkpolicy", "celestra-secret", "celestra-configmap",
    "celestra-serviceaccount", "celestra-role", "celestra-deploymentstrategy",
    "celestra-observability", "celestra-appgroup", "celestra-customresource", "celestra-unknown",
]
PROPS = ["image", "replicas", "ports", "port", "environment", "cpuLimit", "memoryLimit", "schedule",
         "data", "labels", "annotations", "namespace", "storage", "rules", "host", "paths"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(), st.sampled_from(["nginx:1.27", "0 2 * * *", "500m", "1Gi", "{{ x }}", "${HOME}", "a\nb"]),
)
# Values JSON cannot hold, mixed in on purpose.
non_json = st.one_of(st.binary(max_size=4), st.sets(st.integers(), max_size=2), st.builds(object),
                     st.integers(min_value=2**64, max_value=2**80), st.complex_numbers())
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(PROPS)), inner, max_size=5),
    ),
    max_leaves=30,
)
anything = st.recursive(
    st.one_of(scalars, non_json),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.tuples(inner),
        st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=4),
    ),
    max_leaves=20,
)
node = st.fixed_dictionaries(
    {"id": st.text(max_size=6), "type": st.sampled_from(NODE_TYPES)},
    optional={"data": st.fixed_dictionaries(
        {"name": st.text(max_size=12)},
        optional={"properties": st.dictionaries(st.sampled_from(PROPS), json_like, max_size=5)},
    ), "parent": st.text(max_size=4)},
)
workflow = st.fixed_dictionaries(
    {"nodes": st.lists(node, max_size=8)},
    optional={
        "schemaVersion": st.sampled_from(["1.0", "2.0", "1.3", "x"]),
        "connections": st.lists(st.fixed_dictionaries(
            {"id": st.text(max_size=4), "source": st.text(max_size=6), "target": st.text(max_size=6)},
            optional={"style": st.sampled_from(["solid", "dashed", "dotted", "bold"])},
        ), max_size=8),
        "settings": st.dictionaries(st.sampled_from(["executionMode", "environment"]), json_like, max_size=2),
    },
)


def exercise(doc):
    for call in (
        lambda: ce.validate(doc),
        lambda: ce.validate(doc, live=True, target="compose"),
        lambda: ce.plan(doc),
        lambda: ce.generate(doc, "kubernetes"),
        lambda: ce.generate(doc, "helm"),
        lambda: ce.generate(doc, "dsl", redact_secrets=True),
        lambda: ce.generate(doc, "compose"),
    ):
        try:
            out = call()
        except ce.CelestraError as e:
            assert e.code in {"PARSE", "SHAPE", "TOO_LARGE", "INVALID", "PLAN_BLOCKED", "OPTION"}, e
            json.dumps(e.diagnostics)
        else:
            json.dumps(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anything)
def test_any_python_value_never_crashes(value):
    exercise(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflow)
def test_random_workflows_never_crash(doc):
    exercise(doc)
    exercise(json.dumps(doc, allow_nan=True))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data):
    exercise(data)


def test_nan_in_json_text_is_a_parse_error():
    try:
        ce.validate('{"nodes": [], "x": NaN}')
    except ce.ParseError as e:
        assert e.code == "PARSE"
    else:  # pragma: no cover
        raise AssertionError("NaN accepted")
    assert math.isnan(float("nan"))
