"""The designs' effects on the states' choices across the cost split φ (sim/studies/designs.py)."""

from __future__ import annotations

import pytest

from sim.studies.designs import DESIGNS, STRAIT, design_effects, strait_sensitivity


@pytest.mark.slow
def test_the_table_has_each_design_at_each_split_and_retrenchment_turns_with_it():
    table = design_effects(commons=(0.0, 1.0), replicates=16)
    assert len(table) == 2 * len(DESIGNS)
    assert set(table["design"]) == set(DESIGNS)
    cut = table[table["design"] == "us_retrenchment"].set_index("common_cost")
    # costs by the balance of strength: weaker US backing shifts them to the Philippines
    assert cut.loc[0.0, "coercion_effect"] > 0 and cut.loc[0.0, "coercion_t"] > 3
    # costs borne alike: only deterrence is lost, and pressing gets riskier
    assert cut.loc[1.0, "coercion_effect"] < 0 and cut.loc[1.0, "coercion_t"] < -3
    # either way the Philippines accommodates China
    assert (cut["alignment_effect"] < -0.05).all()


@pytest.mark.slow
def test_in_a_strait_crisis_clarity_makes_china_back_down_more_and_taiwan_less():
    table = strait_sensitivity(offsets=(-2.0,), replicates=100).set_index("design")
    assert list(table.index) == list(STRAIT)
    assert ((table["low"] <= table["p_clash"]) & (table["p_clash"] <= table["high"])).all()
    ambiguity, clarity = table.loc["taiwan_strait_crisis"], table.loc["taiwan_strait_clarity"]
    # deterrence: China backs down more against a clear pledge
    assert clarity["china_backdowns"] > ambiguity["china_backdowns"] + 0.05
    # moral hazard: Taiwan, protected, backs down less
    assert clarity["taiwan_backdowns"] < ambiguity["taiwan_backdowns"] - 0.2
