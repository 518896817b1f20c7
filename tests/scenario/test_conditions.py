"""The safe condition language of conditional events."""

import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.conditions import ConditionError, parse_condition, quantities

VALUES = {
    ("tension", ("CHN", "PHL")): np.array([0.2, 0.7, 0.9]),
    ("escalation", ("CHN", "PHL")): np.array([1.0, 3.0, 0.0]),
    ("step", ()): np.array([5.0, 5.0, 5.0]),
    ("us_credibility", ()): np.array([0.5, 0.3, 0.7]),
}


def lookup(metric, args):
    return VALUES[(metric, args)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tension(CHN, PHL) > 0.6", [False, True, True]),
        ("tension(CHN,PHL) > 0.6 and step >= 12", [False, False, False]),
        ("escalation(CHN, PHL) >= clash", [False, True, False]),
        ("escalation(CHN, PHL) >= clash or us_credibility > 0.6", [False, True, True]),
        ("not (us_credibility < 0.4)", [True, False, True]),
        ("0.6 < tension(CHN, PHL)", [False, True, True]),
        ("escalation(CHN, PHL) == calm", [False, False, True]),
    ],
)
def test_conditions_evaluate_per_replicate(text, expected):
    np.testing.assert_array_equal(parse_condition(text).evaluate(lookup), expected)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("tensoin(CHN, PHL) > 1", "did you mean 'tension'"),
        ("tension(CHN, PHX) > 1", "did you mean PHL"),
        ("tension(CHN) > 1", "takes 2 country code"),
        ("tension(CHN, CHN) > 1", "two different countries"),
        ("tension(CHN, PHL) >", "ends too early"),
        ("1 > 2", "at least one model quantity"),
        ("__import__('os').system('true')", "syntax error"),
        ("tension(CHN, PHL) > 0.5 ; rm -rf /", "syntax error"),
        ("step", "expected a comparison"),
    ],
)
def test_bad_conditions_are_explained(text, fragment):
    with pytest.raises(ConditionError) as err:
        parse_condition(text)
    assert fragment in str(err.value)


def test_quantities_lists_what_a_condition_reads():
    cond = parse_condition("tension(CHN, PHL) > 0.6 and (step > 3 or alignment(VNM) < 0)")
    assert {(q.metric, q.args) for q in quantities(cond)} == {
        ("tension", ("CHN", "PHL")),
        ("step", ()),
        ("alignment", ("VNM",)),
    }


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_parses_or_raises_condition_error(text):
    with contextlib.suppress(ConditionError):
        parse_condition(text)
