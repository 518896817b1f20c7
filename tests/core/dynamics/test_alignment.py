"""§3 Alignment and hedging (sim/core/dynamics/alignment.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import alignment_effect, paired_effect, run, world

from sim.core.dynamics.alignment import lingering_threat
from sim.core.dynamics.levers import active_levers
from sim.core.dynamics.perception import perceive
from sim.core.dynamics.step import advance, initial_state
from sim.core.dynamics.threat import power_share
from sim.core.rng import replicate_keys


def test_alignment_stays_in_bounds_and_poles_stay_fixed(status_quo):
    alignment = status_quo.countries["alignment"]
    assert (alignment >= -1).all() and (alignment <= 1).all()
    w = status_quo.world
    assert (alignment[:, :, w.us] == 1).all() and (alignment[:, :, w.china] == -1).all()


#: The inducement mechanism at its judgement weight. Calibration against UN votes sets the
#: default near zero (docs/validation.md, section 3); these tests are about the mechanism.
INDUCEMENT_ON = {"alignment": {"inducement_weight": 1.0}}


def inducement_effect(country: str, policies: dict) -> tuple[float, float]:
    """Paired effect of ``policies`` on a country's alignment, inducements weighted 1.0."""
    treated = run(30, parameters=INDUCEMENT_ON, policies=policies)
    untreated = run(30, parameters=INDUCEMENT_ON)
    i = untreated.world.index(country)
    return paired_effect(*(t.countries["alignment"][-1, :, i] for t in (treated, untreated)))


def test_security_assistance_pulls_the_recipient_towards_the_donor():
    aid = {
        "kind": "security_assistance",
        "actor": "USA",
        "partners": ["VNM"],
        "usd_m_per_year": 1000,
        "start": 1,
    }
    effect, t = inducement_effect("VNM", {"aid": aid})
    assert effect > 0.08 and t > 4


def test_chinese_inducements_pull_towards_china():
    deal = {
        "kind": "economic_inducement",
        "actor": "CHN",
        "partners": ["KHM"],
        "usd_m_per_year": 2000,
        "start": 1,
    }
    effect, t = inducement_effect("KHM", {"deal": deal})
    assert effect < -0.1 and t < -4


def test_trade_agreement_tilts_alignment_towards_the_partner():
    deal = {
        "kind": "trade_agreement",
        "actor": "USA",
        "partners": ["MYS"],
        "trade_share_delta": 0.1,
        "start": 1,
    }
    effect, t = alignment_effect("MYS", policies={"deal": deal})
    assert effect > 0.05 and t > 4


def test_exercises_pull_the_partner_towards_the_state_that_leads_them():
    # Like every inducement, drills draw the partner to their leader (docs/model.md §3): Japan
    # drilling with India moves India towards Japan and leaves Japan where it is.
    drills = {"kind": "exercises", "actor": "JPN", "partners": ["IND"], "per_year": 24, "start": 1}
    treated = run(30, parameters=INDUCEMENT_ON, policies={"drills": drills})
    untreated = run(30, parameters=INDUCEMENT_ON)
    w = untreated.world
    india, japan = w.index("IND"), w.index("JPN")
    moved = {
        code: paired_effect(*(t.countries["alignment"][-1, :, k] for t in (treated, untreated)))
        for code, k in (("IND", india), ("JPN", japan))
    }
    assert moved["IND"][0] > 0.05 and moved["IND"][1] > 4
    assert abs(moved["JPN"][0]) < 0.1 * moved["IND"][0]


def test_a_receding_power_still_counts_for_those_who_balance_against_it():
    # Balancing is sticky (threat_relief = 0): a US whose share of the region's power falls
    # below its status-quo path is still read at that path by those aligned against it, so
    # North Korea is not pushed towards the US by the US's decline.
    w = world(countries={"USA": {"burden_target_pct": 1.5, "burden_target_month": 12}})
    state = initial_state(w, replicate_keys(11, [0]))
    for _ in range(60):
        advance(w, state)
    levers = active_levers(w, state)
    ties, cap, threat_matrix, *_ = perceive(w, state, levers)
    share = power_share(w, ties.credible, cap)[0, w.us]
    resting = w.reference_share[60, w.us]
    assert share < 0.9 * resting  # the US did recede
    read = lingering_threat(w, 60, threat_matrix, ties.credible, cap)
    prk = w.index("PRK")
    assert read[0, prk, w.us] == pytest.approx(threat_matrix[0, prk, w.us] * resting / share)
    relieved = w.params.model_copy(update={"alignment": w.params.alignment.model_copy(
        update={"threat_relief": 1.0})})  # fmt: skip
    symmetric = lingering_threat(
        dataclasses.replace(w, params=relieved), 60, threat_matrix, ties.credible, cap
    )
    assert np.array_equal(symmetric, threat_matrix)  # relief 1: the Model 2.0 rule
