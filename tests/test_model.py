"""The Mesa face of the model: agents, DataCollector, stepping and running out."""

from conftest import scenario

from sim.baseline import country_codes
from sim.model import IndoPacificModel


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
