"""Compiling a scenario: every policy becomes its lever, every event its indices."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import TREATIES, world

from sim.core.compile import anchor_of, compile_world, reference_setup
from sim.core.world import LEVER_INDEX, NEVER
from sim.scenario import baseline, load_scenario


def _policy(kind: str, **fields) -> dict:
    return {"kind": kind, "actor": "USA", "partners": ["PHL", "VNM"], **fields}


@pytest.mark.parametrize(
    ("policy", "lever", "value"),
    [
        (_policy("security_assistance", usd_m_per_year=250), "assistance", 0.25),
        (_policy("economic_inducement", usd_m_per_year=1500), "inducement", 1.5),
        (_policy("exercises", per_year=6), "exercises", 6),
        (_policy("trade_agreement", trade_share_delta=0.04), "trade", 0.04),
        (_policy("civil_nuclear", strength=0.3), "nuclear", 0.3),
        (_policy("forward_presence", level=0.7), "presence", 0.7),
        (_policy("deconfliction_channel", strength=0.6), "channel", 0.6),
        (_policy("gray_zone_coercion", intensity=0.9), "coercion", 0.9),
        (_policy("economic_coercion", intensity=0.6), "economic", 0.6),
        (_policy("ceasefire", strength=0.8), "ceasefire", 0.8),
        (_policy("dialogue", strength=0.4), "dialogue", 0.4),
    ],
)
def test_each_policy_kind_is_its_lever_from_the_actor_to_each_partner(policy, lever, value):
    w = world(policies={"p": policy})
    template = w.levers[0, LEVER_INDEX[lever]]
    usa, phl, vnm = w.index("USA"), w.index("PHL"), w.index("VNM")
    assert template[usa, phl] == template[usa, vnm] == pytest.approx(value)
    assert np.count_nonzero(w.levers[0]) == 2  # nothing else
    assert w.policy_start0[0] == 0 and w.policy_end0[0] == NEVER


def test_a_task_force_is_an_alliance_and_a_rotational_presence():
    w = world(policies={"tf": _policy("task_force", commitment=0.6, start=4, end=40)})
    k = w.alliance_names.index("tf")
    assert w.alliance_types[k] == "task_force" and w.codes[w.hub[k]] == "USA"
    assert w.members0[k, [w.index(c) for c in ("USA", "PHL", "VNM")]].all()
    assert (w.alliance_start0[k], w.alliance_end0[k], w.commitment0[k]) == (4, 40, 0.6)
    presence = w.levers[0, LEVER_INDEX["presence"], w.index("USA")]
    assert presence[w.index("PHL")] == w.params.alliances.task_force_presence
    assert w.policy_alliance[0] == k


def test_an_arms_transfer_schedules_its_deliveries_in_billions():
    deliveries = [{"after": 2, "value_usd_m": 300}, {"after": 10, "value_usd_m": 50}]
    w = world(policies={"arms": _policy("arms_transfer", deliveries=deliveries)})
    assert w.delivery_after.tolist() == [2, 10]
    assert w.delivery_value.tolist() == pytest.approx([0.3, 0.05])
    # every state may deliver arms or give aid by a move, so every state is a donor
    assert w.donors.tolist() == w.traders.tolist() == list(range(w.n))


def test_events_are_resolved_to_indices_and_event_policies_wait_for_their_event():
    events = {
        "shoal": {"kind": "incident", "step": 3, "actors": ["CHN", "PHL"], "level": "clash"},
        "aid": {"kind": "policy", "when": "step >= 6", "duration": 12,
                "policy": _policy("security_assistance", usd_m_per_year=100)},
        "cut": {"kind": "set_commitment", "step": 5, "alliance": "us_phl", "value": 0.3},
    }  # fmt: skip
    w = world(events=events)
    shoal, aid, cut = w.events
    assert shoal.dyad == (w.index("CHN"), w.index("PHL")) and shoal.level == 3
    assert aid.condition is not None and aid.when == "step >= 6" and aid.duration == 12
    assert aid.partners == ("PHL", "VNM")
    assert w.policy_names[aid.policy] == "aid.policy"
    assert w.policy_start0[aid.policy] == w.policy_end0[aid.policy] == NEVER
    assert cut.alliance == w.alliance_names.index("us_phl") and cut.value == 0.3


def test_country_overrides_and_baseline_years_change_the_starting_data():
    w = world(countries={"VNM": {"milex_usd_bn": 12.0, "alignment": 0.1}})
    i = w.index("VNM")
    assert w.milex0[i] == 12.0 and w.alignment0[i] == 0.1
    hindcast = compile_world(load_scenario("history_2015_2023"))
    gdp_2015, milex_2015 = baseline.history(2015)["VNM"]
    assert hindcast.gdp[i] == gdp_2015 and hindcast.milex0[i] == milex_2015


def test_incidents_are_possible_only_on_disputed_coerced_or_injected_dyads():
    w = world()
    disputed = {w.dyad_index(w.index(d.a), w.index(d.b)) for d in baseline.disputes()}
    assert set(w.incident_dyads.tolist()) == disputed
    w = world(policies={"c": _policy("gray_zone_coercion", intensity=0.5, partners=["AUS"])})
    assert w.dyad_index(w.index("USA"), w.index("AUS")) in w.incident_dyads


def test_the_world_held_at_rest_is_the_status_quo_or_the_scenario_itself():
    status_quo = load_scenario("hub_and_spoke")
    mine = world()  # anchor: self (the test scenarios)
    alliances, policies = reference_setup(status_quo)
    assert set(alliances) == set(status_quo.alliances) and set(policies) == set(status_quo.policies)
    plain = load_scenario("formal_asian_nato")
    assert anchor_of(plain) == "status_quo"
    alliances, policies = reference_setup(plain)
    assert "pacific_defence_pact" not in alliances  # it starts at month 6, a departure
    assert set(alliances) == set(status_quo.alliances)
    history = load_scenario("history_2015_2023")
    assert anchor_of(history) == "self"
    assert mine.alignment_anchor.shape == (mine.horizon + 1, mine.n)
    assert mine.reference_ratio.shape == (mine.horizon + 1, mine.n)


def test_pledges_are_aimed_at_the_hub_s_adversaries_unless_named():
    w = world(
        alliances={
            **TREATIES,
            "quad": {"type": "minilateral", "members": ["USA", "JPN", "AUS", "IND"]},
            "named": {"type": "bilateral_treaty", "members": ["USA", "THA"], "against": ["KHM"]},
        }
    )
    aimed = {
        w.alliance_names[k]: {w.codes[j] for j in np.flatnonzero(w.against[k])}
        for k in range(len(w.alliance_names))
    }
    assert aimed["us_jpn"] == {"CHN", "PRK", "RUS"}
    assert aimed["cn_prk"] >= {"USA", "PHL", "JPN", "TWN"} and "PRK" not in aimed["cn_prk"]
    assert aimed["quad"] == set()  # no pledge
    assert aimed["named"] == {"KHM"}


def test_burden_paths_reach_announced_targets_within_their_band():
    w = world()
    jpn, chn = w.index("JPN"), w.index("CHN")
    target = baseline.trajectories()["JPN"]
    assert w.burden_path[target.burden_target_month, jpn] == pytest.approx(target.burden_target)
    assert w.burden_path[-1, jpn] == pytest.approx(target.burden_target)
    np.testing.assert_allclose(w.burden_path[:, chn], w.milex0[chn] / w.gdp[chn])  # no target
    assert (w.burden_path >= w.burden_low - 1e-15).all()
    assert (w.burden_path <= w.burden_high + 1e-15).all()
    changed = world(countries={"CHN": {"burden_target_pct": 2.5, "burden_target_month": 12}})
    assert changed.burden_path[12, chn] == pytest.approx(0.025)
    assert changed.burden_high[chn] >= 0.025
