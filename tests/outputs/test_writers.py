"""Outputs shaped by the contract of results/README.md."""

import numpy as np
from conftest import run, scenario

from sim.core.compile import compile_world
from sim.core.engine import simulate
from sim.outputs.writers import (
    FLOAT_FORMAT,
    config_hash,
    country_columns,
    csv_rows,
    dyad_columns,
    dyad_table,
    escalation_outcomes,
    model_columns,
    table,
    tension_by_dyad,
    write_table,
)
from sim.scenario import load_scenario


def test_config_hash_changes_with_any_setting():
    assert config_hash(scenario()) == config_hash(scenario())
    assert config_hash(scenario()) != config_hash(scenario(seed=12))
    assert config_hash(scenario()) != config_hash(scenario(parameters={"arms": {"fatigue": 0.3}}))


def test_escalation_outcomes_are_cumulative_shares():
    outcomes = escalation_outcomes(run(10, horizon=24))
    values = list(outcomes.values())
    assert list(outcomes) == ["gray_zone", "standoff", "clash", "crisis", "war"]
    assert values == sorted(values, reverse=True)
    assert all(0 <= v <= 1 for v in values)


def test_the_dyads_contributions_sum_to_the_regional_tension_and_the_summary_names_the_top():
    trajectory = simulate(compile_world(load_scenario("hub_and_spoke")), 3, seed=5)
    frame = dyad_table(trajectory)
    summed = frame.groupby(["replicate", "step"])["contribution"].sum().to_numpy()
    np.testing.assert_allclose(summed, trajectory.model["regional_tension"].T.reshape(-1))
    top = tension_by_dyad(trajectory)
    assert top[0]["share"] >= top[-1]["share"] and top[0]["pair"] == ["USA", "CHN"]
    assert sum(t["share"] for t in top) <= 1.0 + 1e-9


def test_the_streamed_tables_are_the_frames_csv_text_in_replicate_order(tmp_path):
    # Replicate indices out of order: the rows still come replicate by replicate, ascending.
    trajectory = simulate(compile_world(load_scenario("hub_and_spoke")), [4, 1, 7], seed=3)
    for columns in (model_columns, country_columns, dyad_columns):
        path = tmp_path / f"{columns.__name__}.csv"
        write_table(path, trajectory, columns)
        frame = table(trajectory, columns)
        assert path.read_text() == frame.to_csv(index=False, float_format=FLOAT_FORMAT)
        assert frame["replicate"].tolist() == sorted(frame["replicate"].tolist())
        assert frame["replicate"].iloc[0] == 1 and frame["replicate"].iloc[-1] == 7


def test_csv_rows_write_integers_floats_text_and_missing_values_as_pandas_does():
    import pandas as pd

    columns = {
        "n": np.array([3, -1, 0]),
        "x": np.array([0.1234567, np.nan, -0.0]),
        "y": np.array([1e-9, 2.0, 123456789.0]),
        "code": np.array(["USA", "CHN", "JPN"]),
    }
    expected = pd.DataFrame(columns).to_csv(index=False, float_format=FLOAT_FORMAT)
    assert csv_rows(columns) == expected.split("\n", 1)[1]
    assert csv_rows(columns).splitlines()[1] == "-1,,2,CHN"
