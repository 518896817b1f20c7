"""Country agents are named views into the model's arrays: one per state, never a copy."""

from __future__ import annotations

from conftest import scenario

from sim.core.metrics import HEDGING_BAND
from sim.core.model import IndoPacificModel


def test_agents_read_their_row_of_the_state_as_it_moves() -> None:
    model = IndoPacificModel(scenario(horizon=12), rng=4)
    vnm, chn = model.country("VNM"), model.country("CHN")
    for _ in range(6):
        model.step()
    i = vnm.index
    assert vnm.alignment == model.state.alignment[0, i]
    assert vnm.milex_usd_bn == model.state.milex[0, i]
    assert vnm.threat == model.state.threat[0, i]
    assert vnm.abandonment_fear == model.state.abandonment[0, i]
    assert vnm.entrapment_fear == model.state.entrapment[0, i]
    assert vnm.tension_with(chn) == model.tension("VNM", "CHN") == chn.tension_with(vnm)


def test_hedgers_are_the_states_inside_the_band_and_never_the_poles() -> None:
    model = IndoPacificModel(scenario(horizon=2), rng=4)
    for agent in model.agents:
        inside = abs(agent.alignment) < HEDGING_BAND and agent.iso3 not in ("USA", "CHN")
        assert agent.is_hedger == inside
    assert sum(a.is_hedger for a in model.agents) == model.metric("hedgers")
    assert repr(model.country("JPN")).startswith("Country(JPN, alignment=+")
