"""Model-level measures computed from hand-built states, and the bounds of every measure."""

import copy

import numpy as np
import pytest
from conftest import world

from sim.core import metrics
from sim.core.compile import compile_world
from sim.core.dynamics.step import advance, initial_state
from sim.core.dynamics.tension import polarization
from sim.core.engine import final_outcomes, simulate
from sim.core.rng import replicate_keys
from sim.scenario import Scenario
from sim.scenario.loader import resolve, shipped_scenarios
from sim.scenario.parameters import Parameters, provenance


def test_polarization_is_zero_when_all_agree_and_half_at_two_even_blocs():
    assert polarization(np.zeros((1, 6)))[0] == 0
    blocs = np.array([[1, 1, 1, -1, -1, -1]], dtype=float)
    # 9 of 15 pairs are 2 apart (half-distance 1), 6 are 0 apart.
    assert polarization(blocs)[0] == np.float64(9 / 15)


def test_hedgers_count_excludes_the_poles():
    w = world()
    state = initial_state(w, replicate_keys(0, [0]))
    state.alignment[0] = 0.0
    assert metrics.hedgers(w, state)[0] == w.n - 2


def test_us_credibility_weights_defence_pledges_by_commitment():
    treaty = {"type": "bilateral_treaty"}
    w = world(
        alliances={
            "a": treaty | {"members": ["USA", "JPN"], "commitment": 1.0, "credibility": 0.9},
            "b": treaty | {"members": ["USA", "PHL"], "commitment": 0.5, "credibility": 0.3},
            "p": {"type": "partnership", "members": ["USA", "VNM"], "credibility": 0.0},
            "c": treaty | {"members": ["CHN", "PRK"], "credibility": 0.1},
        }
    )
    state = initial_state(w, replicate_keys(0, [0]))
    expected = (1.0 * 0.9 + 0.5 * 0.3) / 1.5
    assert metrics.us_credibility(w, state)[0] == np.float64(expected)
    alone = world(alliances={})
    assert metrics.us_credibility(alone, initial_state(alone, replicate_keys(0, [0])))[0] == 0


def test_regional_tension_is_a_weighted_mean_in_the_unit_interval():
    w = world()
    state = initial_state(w, replicate_keys(0, [0]))
    state.tension[:] = 1.0
    assert np.isclose(metrics.regional_tension(w, state)[0], 1.0)
    state.tension[:] = 0.0
    assert metrics.regional_tension(w, state)[0] == 0


# --------------------------------------------------------------------------------------------
# Declared bounds: every value of a valid run lies within them (sweep parts are checked so)


def test_bounds_hold_to_rounding_and_refuse_what_no_run_can_give():
    unit = metrics.Bounds(0.0, 1.0)
    assert not unit.outside(np.array([0.0, 0.5, 1.0, 1.0 + 2e-16])).any()
    assert unit.outside(np.array([-0.01, 1.01, np.nan, np.inf])).all()
    spending = metrics.Bounds(0.0, above=True)
    assert spending.outside(np.array([0.0, -1.0])).all() and not spending.outside([1e-6]).any()
    count = metrics.Bounds(0.0, whole=True)
    assert count.outside(np.array([0.5, -1.0])).all() and not count.outside([0.0, 7.0]).any()
    assert (str(unit), str(spending), str(count)) == ("in [0, 1]", "> 0", "whole numbers ≥ 0")


def test_a_weighted_mean_of_tensions_at_one_is_within_its_bounds():
    w = world()
    state = initial_state(w, replicate_keys(0, [0]))
    state.tension[:] = 1.0
    bounds = metrics.metric_bounds(w.n)["regional_tension"]
    assert not bounds.outside(metrics.regional_tension(w, state)).any()


def test_every_metric_and_outcome_has_its_bounds():
    w = world(horizon=2)
    bounds = metrics.metric_bounds(w.n)
    assert set(bounds) == {*metrics.MODEL_METRICS, *metrics.COUNTRY_METRICS}
    for name in final_outcomes(w, 1):
        metrics.outcome_bounds(name, w.n)  # a KeyError for an outcome without bounds
    assert metrics.outcome_bounds("hedgers", w.n).high == w.n
    assert metrics.outcome_bounds("coercion_intensity.CHN", w.n).high == w.n - 1
    with pytest.raises(KeyError):
        metrics.outcome_bounds("hedginess", w.n)


def _at_edges(data: dict, which: str, rng: np.random.Generator) -> dict:
    """Scenario data with every coefficient at an end of its plausible range, or drawn in it."""
    data = copy.deepcopy(data)
    for row in provenance(Parameters()):
        if row["plausible"] is None:
            continue
        low, high = row["plausible"]
        value = {"low": low, "high": high}.get(which, rng.uniform(low, high))
        if isinstance(row["default"], int) and not isinstance(row["default"], bool):
            value = round(value)
        _, group, name = row["path"].split(".")
        data.setdefault("parameters", {}).setdefault(group, {})[name] = value
    return data


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_every_value_of_a_valid_run_lies_within_its_bounds(name: str):
    """Each final outcome and each month's metrics, within their declared bounds.

    Shipped scenarios at their defaults and with every coefficient at the ends of its plausible
    range (and at every schema bound of every coefficient, tried one by one while the bounds
    were written).
    """
    rng = np.random.default_rng(7)
    data, _ = resolve(name)
    for which in ("default", "low", "high", "drawn"):
        varied = data if which == "default" else _at_edges(data, which, rng)
        w = compile_world(Scenario.model_validate(varied, strict=True))
        for outcome, values in final_outcomes(w, 16, seed=3).items():
            bounds = metrics.outcome_bounds(outcome, w.n)
            assert not bounds.outside(values).any(), (which, outcome, bounds, values)
        trajectory = simulate(w, 3, seed=5, log=False)
        bounds = metrics.metric_bounds(w.n)
        for metric, values in {**trajectory.model, **trajectory.countries}.items():
            assert not bounds[metric].outside(values).any(), (which, metric, bounds[metric])


def test_hedging_is_the_mean_distance_from_the_poles_without_a_threshold():
    w = world(horizon=2)
    state = initial_state(w, replicate_keys(3, range(3)))
    free = ~w.pole
    state.alignment[0, free] = 1.0  # every state at a pole
    state.alignment[1, free] = 0.0  # every state at the centre
    state.alignment[2, free] = np.where(np.arange(free.sum()) % 2, 0.21, -0.19)
    hedging = metrics.hedging(w, state)
    assert hedging[0] == 0.0 and hedging[1] == 1.0
    near = 1.0 - np.abs(state.alignment[2, free])
    assert hedging[2] == pytest.approx(near.mean())  # a count sees only those below 0.2
    assert metrics.hedgers(w, state)[2] == (free.sum() + 1) // 2


def _array_forms(w, state) -> dict[str, np.ndarray]:
    """The model metrics from their array forms, one function each."""
    levels = state.level[:, w.dyad_i, w.dyad_j]
    alignment = state.alignment
    gaps = np.abs(alignment[:, :, None] - alignment[:, None, :]).sum(axis=(1, 2))
    return {
        "regional_tension": metrics.regional_tension(w, state),
        "incidents": state.new_incidents.sum(axis=1).astype(float),
        "max_escalation": levels.max(axis=1).astype(float),
        "polarization": gaps / (w.n * (w.n - 1)) / 2.0,
        "hedging": metrics.hedging(w, state),
        "hedgers": metrics.hedgers(w, state),
        "us_credibility": metrics.us_credibility(w, state),
    }


def test_the_compiled_metrics_are_the_array_forms_bit_for_bit():
    """``model_metrics`` (one compiled pass) gives each array form's bits, month after month."""
    w = compile_world(Scenario.model_validate(resolve("hub_and_spoke")[0]))
    state = initial_state(w, replicate_keys(11, range(4)))
    reader = metrics.lookup(w, state)
    for _ in range(30):
        compiled, forms = metrics.model_metrics(w, state), _array_forms(w, state)
        assert list(compiled) == list(metrics.MODEL_METRICS)
        for name, values in forms.items():
            assert values.tobytes() == compiled[name].tobytes(), (state.step, name)
        assert polarization(state.alignment).tobytes() == forms["polarization"].tobytes()
        advance(w, state, reader)


def test_a_recorded_month_is_the_metrics_of_its_state():
    """The engine's compiled record of month t holds ``model_metrics`` and ``country_metrics``."""
    w = compile_world(Scenario.model_validate(resolve("hub_and_spoke")[0]))
    trajectory = simulate(w, 3, seed=2, log=False)
    state = initial_state(w, replicate_keys(2, range(3)))
    reader = metrics.lookup(w, state)
    for t in range(w.horizon + 1):
        if t:
            advance(w, state, reader)
        for name, values in metrics.model_metrics(w, state).items():
            assert trajectory.model[name][t].tobytes() == values.tobytes(), (t, name)
        for name, values in metrics.country_metrics(w, state).items():
            assert trajectory.countries[name][t].tobytes() == values.tobytes(), (t, name)
        tension = state.tension[:, w.dyad_i, w.dyad_j]
        assert trajectory.tension[t].tobytes() == tension.tobytes()
        assert (trajectory.level[t] == state.level[:, w.dyad_i, w.dyad_j]).all()
        assert (trajectory.credibility[t] == state.credibility).all()
        assert (trajectory.commitment[t] == state.commitment).all()
        assert (trajectory.interoperability[t] == state.interoperability).all()
