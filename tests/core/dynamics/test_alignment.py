"""§3 Alignment and hedging (sim/core/dynamics/alignment.py).

Analytic cases, invariants and directional effects. Directional effects are measured over
ensembles with common random numbers (treated and control replicates share seeds) and must
clear both a minimum size and a t statistic of 4, so that they cannot pass by accident.
"""

from __future__ import annotations

from conftest import alignment_effect, paired_effect, run


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
