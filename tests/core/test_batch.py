"""Samples advanced together give exactly the numbers each gives alone (sim/batch.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core import batch, engine
from sim.core.compile import compile_world
from sim.core.world import World
from sim.scenario import Scenario, baseline
from sim.scenario.loader import resolve, resolve_reference, shipped_scenarios
from sim.scenario.parameters import Parameters
from sim.sweep.spec import apply_values


def compile_sample(base: str, changes: dict[str, object]) -> World:
    """Compile ``base`` with scenario fields set at dotted paths, as a sweep sample does."""
    data, _ = resolve(resolve_reference(base))
    data = apply_values(data, tuple(changes), list(changes.values()))
    return compile_world(Scenario.model_validate(data, strict=True))


def every_coefficient(factor: float) -> dict[str, float]:
    """Every model coefficient scaled by ``factor`` (kept where that leaves its bounds)."""
    defaults = Parameters()
    changes = {}
    for group in type(defaults).model_fields:
        values = getattr(defaults, group)
        for name in type(values).model_fields:
            scaled = getattr(values, name) * factor
            try:
                type(values).model_validate({name: scaled})
            except ValueError:
                continue
            changes[f"parameters.{group}.{name}"] = scaled
    return changes


def alone(worlds: list[World], replicates: list[np.ndarray]) -> list[dict[str, np.ndarray]]:
    return [engine.final_outcomes(w, r, seed=11) for w, r in zip(worlds, replicates, strict=True)]


def assert_same(got: list[dict[str, np.ndarray]], want: list[dict[str, np.ndarray]]) -> None:
    assert len(got) == len(want)
    for mine, reference in zip(got, want, strict=True):
        assert mine.keys() == reference.keys()
        for name in reference:
            np.testing.assert_array_equal(mine[name], reference[name], err_msg=name)


def stacked_run(worlds: list[World], replicates: list[np.ndarray]) -> list[dict[str, np.ndarray]]:
    """The worlds' replicates through one stacked computation (no fallback)."""
    stacked = batch.stack(worlds, [len(r) for r in replicates])
    assert stacked is not None
    outcomes = engine.final_outcomes(stacked, np.concatenate(replicates), seed=11)
    bounds = np.cumsum([len(r) for r in replicates])[:-1]
    parts = {name: np.split(values, bounds) for name, values in outcomes.items()}
    return [{name: parts[name][k] for name in parts} for k in range(len(worlds))]


@pytest.mark.parametrize("base", shipped_scenarios())
def test_samples_differing_in_every_coefficient_run_together_exactly(base: str) -> None:
    worlds = [compile_sample(base, every_coefficient(f)) for f in (0.9, 1.0, 1.07)]
    replicates = [np.arange(5), np.arange(3, 10), np.arange(4)]  # 16: no other axis is 16 long
    stacked = batch.stack(worlds, [len(r) for r in replicates])
    assert stacked is not None
    assert isinstance(stacked.params.incidents.base_hazard, batch.PerReplicate)
    assert stacked.proximity.shape == (16, stacked.n, stacked.n)  # from the reach exponent
    assert_same(stacked_run(worlds, replicates), alone(worlds, replicates))


def test_samples_differing_in_scenario_numbers_run_together_exactly() -> None:
    samples = [
        {
            "policies.us_assistance_vietnam.usd_m_per_year": budget,
            "alliances.us_philippines.commitment": commitment,
            "countries.VNM.milex_usd_bn": milex,
            "countries.PHL.gdp_usd_bn": gdp,
            "countries.IDN.alignment": alignment,
        }
        for budget, commitment, milex, gdp, alignment in [
            (0.0, 0.4, 6.0, 400.0, 0.1),
            (300.0, 0.9, 8.5, 450.0, -0.2),
            (600.0, 0.6, 7.0, 420.0, 0.0),
        ]
    ]
    worlds = [compile_sample("sea_rebalance_2013", s) for s in samples]
    replicates = [np.arange(6)] * 3
    stacked = batch.stack(worlds, [6, 6, 6])
    assert stacked is not None
    assert stacked.milex0.shape == (18, stacked.n)
    policies, templates = stacked.lever_overrides  # only the policy whose budget differs
    assert [stacked.policy_names[p] for p in policies] == ["us_assistance_vietnam"]
    assert templates.shape == (18, 1, *stacked.levers.shape[1:])
    assert_same(stacked_run(worlds, replicates), alone(worlds, replicates))
    outcomes, computations = batch.final_outcomes(worlds, replicates, seed=11)
    assert computations == 1
    assert_same(outcomes, alone(worlds, replicates))


def test_samples_differing_in_structure_run_one_by_one_with_the_same_numbers() -> None:
    worlds = [compile_sample("scs_crisis", {"events.shoal_standoff.step": step}) for step in (2, 5)]
    assert batch.stack(worlds, [4, 4]) is None  # an event's timing is not a number to stack
    replicates = [np.arange(4), np.arange(4)]
    outcomes, computations = batch.final_outcomes(worlds, replicates, seed=11)
    assert computations == 2
    assert_same(outcomes, alone(worlds, replicates))


def test_a_stacked_computation_that_fails_falls_back_to_one_sample_at_a_time(monkeypatch) -> None:
    worlds = [
        compile_sample("scs_crisis", every_coefficient(f) | {"horizon": 24}) for f in (0.9, 1.1)
    ]
    replicates = [np.arange(3), np.arange(3)]
    want = alone(worlds, replicates)
    original = engine.final_outcomes

    def refuse_stacked(world, reps, *, seed=None):
        if world.proximity.ndim == 3:
            raise ValueError("operands could not be broadcast together")
        return original(world, reps, seed=seed)

    monkeypatch.setattr(engine, "final_outcomes", refuse_stacked)
    outcomes, computations = batch.final_outcomes(worlds, replicates, seed=11)
    assert computations == 2
    assert_same(outcomes, want)


def test_a_replicate_axis_as_long_as_another_axis_is_never_stacked() -> None:
    worlds = [
        compile_sample("scs_crisis", every_coefficient(f) | {"horizon": 24}) for f in (0.9, 1.1)
    ]
    n = worlds[0].n
    assert batch.stack(worlds, [n - 8, 8]) is None  # R = N could broadcast silently
    assert batch.stack(worlds, [n - 7, 8]) is not None


def test_groups_hold_at_most_the_cap_and_keep_sample_order() -> None:
    cap = batch.MAX_REPLICATES
    groups = batch._groups([100, 100, 100, cap, 1, 1])
    assert groups == [[0, 1], [2], [3], [4, 5]]


def test_per_replicate_coefficients_broadcast_along_the_leading_axis() -> None:
    coefficient = np.array([1.0, 2.0]).view(batch.PerReplicate)
    matrix = np.ones((2, 3, 3))
    scaled = coefficient * matrix
    assert type(scaled) is np.ndarray
    np.testing.assert_array_equal(scaled[1], np.full((3, 3), 2.0))
    derived = np.exp(-1.0 / coefficient)
    assert isinstance(derived, batch.PerReplicate) and derived.shape == (2,)
    per_country = coefficient * np.array([1.0, 10.0, 100.0])  # a world array: no R axis
    np.testing.assert_array_equal(per_country, [[1.0, 10.0, 100.0], [2.0, 20.0, 200.0]])
    per_dyad = coefficient * np.ones((2, 5))  # a state array: R axis first
    np.testing.assert_array_equal(per_dyad[:, 0], [1.0, 2.0])


def test_samples_with_different_incident_dyads_run_together_exactly() -> None:
    """Coercion of an undisputed neighbour makes a dyad an incident dyad in one sample only."""
    coercion = {
        "kind": "gray_zone_coercion",
        "actor": "CHN",
        "partners": ["AUS"],
        "source": "judgement: test",
    }
    worlds = [
        compile_sample("hub_and_spoke", {"policies.pressure": {**coercion, "intensity": x}})
        for x in (0.0, 0.8)
    ]
    chn, aus = worlds[0].index("CHN"), worlds[0].index("AUS")
    dyad = worlds[0].dyad_index(chn, aus)
    assert dyad not in worlds[0].incident_dyads and dyad in worlds[1].incident_dyads
    count = len(worlds[1].incident_dyads)
    assert batch.stack(worlds, [7, count - 7]) is None  # as many as the incident dyads
    replicates = [np.arange(7), np.arange(6)]
    together = stacked_run(worlds, replicates)
    # The coerced dyad is live: about 8 more incidents per run over ten years (none if not).
    gain = together[1]["incidents_total"].mean() - together[0]["incidents_total"].mean()
    assert gain > 4
    assert_same(together, alone(worlds, replicates))


def test_samples_differing_in_their_dyad_propensities_run_together_exactly() -> None:
    scenario = Scenario.model_validate(resolve(resolve_reference("hub_and_spoke"))[0], strict=True)
    shipped = baseline.propensities()
    draws = [{pair: k * f for pair, k in shipped.items()} for f in (0.5, 1.0, 2.5)]
    worlds = [compile_world(scenario, propensity=d) for d in draws]
    replicates = [np.arange(4), np.arange(2, 9), np.arange(5)]
    stacked = batch.stack(worlds, [len(r) for r in replicates])
    assert stacked is not None and stacked.propensity.shape == (16, stacked.n, stacked.n)
    assert_same(stacked_run(worlds, replicates), alone(worlds, replicates))
    # ... and the propensities are used: the samples' incidents differ.
    counts = [o["incidents_total"].mean() for o in alone(worlds, replicates)]
    assert counts[0] < counts[2]


def test_a_stacked_world_is_recorded_whole_whatever_the_chunks_and_threads() -> None:
    worlds = [
        compile_sample("scs_crisis", every_coefficient(f) | {"horizon": 24}) for f in (0.9, 1.1)
    ]
    stacked = batch.stack(worlds, [3, 4])
    assert stacked is not None and stacked.stacked == 7
    run = engine.simulate(stacked, np.arange(7), seed=11, chunk_size=2, threads=2, log=False)
    for k, (w, reps) in enumerate(zip(worlds, [np.arange(3), np.arange(3, 7)], strict=True)):
        own = engine.simulate(w, reps, seed=11, log=False, threads=1)
        np.testing.assert_array_equal(run.tension[:, reps], own.tension, err_msg=str(k))
    with pytest.raises(ValueError, match="stacked world runs 7 replicates, not 5"):
        engine.simulate(stacked, np.arange(5), seed=11)
