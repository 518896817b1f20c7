"""The Mesa face of the model: agents, DataCollector, stepping and running out."""

import numpy as np
from conftest import scenario

from sim.core.model import IndoPacificModel
from sim.scenario.baseline import country_codes


def test_one_country_agent_per_state_reading_the_model_arrays():
    model = IndoPacificModel(scenario(horizon=6), rng=3)
    assert sorted(a.iso3 for a in model.agents) == sorted(country_codes())
    phl = model.country("PHL")
    assert phl.alignment == model.state.alignment[0, phl.index]
    assert 0 < phl.threat < 1
    assert phl.milex_usd_bn > 0
    assert model.country("USA").is_hedger is False


def test_stepping_advances_months_collects_data_and_stops_at_the_horizon():
    model = IndoPacificModel(scenario(horizon=4), rng=3)
    assert model.month == 0
    model.step()
    assert model.month == 1
    while model.running:
        model.step()
    assert model.month == 4 and model.finished
    model.step()  # past the horizon: nothing happens
    assert model.month == 4
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 5
    assert {"regional_tension", "us_credibility", "hedgers"} <= set(frame.columns)


def test_rng_argument_seeds_the_run():
    a = IndoPacificModel(scenario(horizon=24), rng=1)
    b = IndoPacificModel(scenario(horizon=24), rng=1)
    c = IndoPacificModel(scenario(horizon=24), rng=2)
    for m in (a, b, c):
        while m.running:
            m.step()
    assert a.events == b.events
    assert a.events != c.events


def test_an_inject_takes_effect_now_changes_nothing_before_and_exports_reproducibly(tmp_path):
    from click.testing import CliRunner

    from sim.cli import main

    model = IndoPacificModel(scenario(horizon=24, seed=5), rng=5)
    for _ in range(6):
        model.step()
    before = model.datacollector.get_model_vars_dataframe().copy()
    events_before = list(model.events)
    model.inject(
        "events",
        "shoal",
        {"kind": "incident", "actors": ["CHN", "PHL"], "level": "crisis"},
    )
    model.inject(
        "alliances",
        "us_vnm_pact",
        {"type": "bilateral_treaty", "members": ["USA", "VNM"]},
    )
    assert model.events == events_before  # the past is replayed unchanged
    while model.running:
        model.step()
    assert any(e.type == "inject:incident" and e.step == 7 for e in model.events)
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame.iloc[:6].equals(before.iloc[:6])  # month 6 counts the new alliance

    exported = tmp_path / "session.yaml"
    exported.write_text(model.to_yaml())
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(exported), "-n", "1", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    import pandas as pd

    rerun = pd.read_csv(out / "model.csv")  # written with 6 significant digits
    for column in ("regional_tension", "us_credibility", "max_escalation", "hedgers"):
        np.testing.assert_allclose(rerun[column], frame[column], rtol=1e-5)


def test_bad_injects_are_refused_with_a_reason():
    import pytest

    model = IndoPacificModel(scenario(horizon=12), rng=1)
    with pytest.raises(ValueError, match="PHX"):
        model.inject("events", "x", {"kind": "incident", "actors": ["CHN", "PHX"]})
    with pytest.raises(ValueError, match="already exists"):
        model.inject("alliances", "us_jpn", {"type": "partnership", "members": ["USA", "JPN"]})


def test_rng_takes_what_mesa_takes_and_derives_the_base_seed_reproducibly():
    import pytest

    definition = scenario(horizon=12)
    default = IndoPacificModel(definition)
    assert default.seed == definition.seed
    assert IndoPacificModel(definition, rng=np.int64(9)).seed == 9
    first = IndoPacificModel(definition, rng=np.random.default_rng(123))
    again = IndoPacificModel(definition, rng=np.random.default_rng(123))
    other = IndoPacificModel(definition, rng=np.random.SeedSequence(7))
    assert first.seed == again.seed != other.seed
    assert 0 <= first.seed < 2**63
    for model in (first, again):
        while model.running:
            model.step()
    assert first.events == again.events
    with pytest.raises(ValueError, match="seed from 0"):
        IndoPacificModel(definition, rng=-1)


def test_a_bad_inject_is_one_located_message():
    import pytest

    model = IndoPacificModel(scenario(horizon=12), rng=1)
    with pytest.raises(ValueError, match="unknown key") as info:
        model.inject("events", "aid", {"kind": "policy", "policy": {
            "kind": "security_assistance", "actor": "USA", "partners": ["PHL"],
            "usd_m_per_yer": 50}})  # fmt: skip
    message = str(info.value)
    assert "events.aid.policy.usd_m_per_yer: unknown key 'usd_m_per_yer'" in message
    assert "did you mean 'usd_m_per_year'" in message
    assert "\n" not in message
