"""Every shipped scenario validates, cites its sources, runs, and runs reproducibly."""

from __future__ import annotations

import re

import numpy as np
import pytest
import yaml

from sim.core.compile import compile_world
from sim.core.engine import simulate
from sim.scenario.loader import load_raw, load_scenario, shipped_scenarios
from sim.scenario.resources import seeds_dir

SHIPPED = list(shipped_scenarios())
FACTS = set(yaml.safe_load((seeds_dir() / "facts.yaml").read_text(encoding="utf-8"))["facts"])


def test_the_seven_scenarios_of_the_brief_are_shipped():
    assert set(SHIPPED) >= {
        "hub_and_spoke",
        "formal_asian_nato",
        "latticework",
        "sea_rebalance_2013",
        "peace_through_strength_2025",
        "us_retrenchment",
        "scs_crisis",
    }


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_describes_itself_and_cites_every_block(name):
    definition = load_scenario(name)
    assert definition.name == name
    assert len(definition.description.split()) >= 30
    raw, _ = load_raw(shipped_scenarios()[name])
    assert "parameters" not in raw  # coefficients live, documented, in sim/parameters.py
    for block in ("countries", "alliances", "policies", "events"):
        for key, entry in (raw.get(block) or {}).items():
            if entry is None:  # a deletion of an inherited entry
                continue
            assert entry.get("source"), f"{name}: {block}.{key} has no source"
    for block in (definition.alliances, definition.policies, definition.events):
        for key, entry in block.items():
            sources = [entry.source] if isinstance(entry.source, str) else entry.source
            assert any(sources), f"{name}: {key} has no source"
            for source in sources:
                if source.startswith("fact:"):
                    assert source.removeprefix("fact:") in FACTS, f"{name}: {source}"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_runs_with_bounded_outputs_and_reproducible_replicates(name):
    world = compile_world(load_scenario(name))
    many = simulate(world, 6)
    alone = simulate(world, [4])
    np.testing.assert_array_equal(many.tension[:, 4], alone.tension[:, 0])
    np.testing.assert_array_equal(
        many.countries["alignment"][:, 4], alone.countries["alignment"][:, 0]
    )
    assert many.horizon == world.horizon
    assert (many.tension >= 0).all() and (many.tension <= 1).all()
    alignment = many.countries["alignment"]
    assert (alignment >= -1).all() and (alignment <= 1).all()
    # Spending stays within each state's record band times its (uncoerced) projected GDP.
    months = np.arange(many.horizon + 1)[:, None, None]
    grown = world.gdp * (1.0 + world.growth) ** (months / 12.0)
    milex = many.countries["milex_usd_bn"]
    assert (milex <= world.burden_high * grown * (1 + 1e-9)).all()
    assert (
        milex >= world.burden_low * grown * (1 - world.params.economy.coercion_gdp_cost) - 1e-9
    ).all()


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def test_the_hindcast_months_its_sources_name_are_its_own_and_follow_its_calendar():
    """Month 0 is mid-2015 (July); a source's "(month N)" is when its block starts or fires."""
    raw, _ = load_raw(shipped_scenarios()["history_2015_2023"])
    named = 0
    for block in ("alliances", "policies", "events"):
        for key, entry in raw[block].items():
            sources = entry["source"] if isinstance(entry["source"], list) else [entry["source"]]
            text = " ".join(sources)
            own = {entry.get("start", 0), entry.get("step")}
            for month in re.findall(r"\bmonth (\d+)", text):
                assert int(month) in own, f"{block}.{key}: month {month}, but it is at {own}"
                named += 1
            dated = re.findall(r"\b([A-Z][a-z]{2})[a-z]* (20\d\d) \(month (\d+)", text)
            for name, year, month in dated:
                expected = (int(year) - 2015) * 12 + MONTHS.index(name) - 6
                assert int(month) == expected, f"{block}.{key}: {name} {year} is month {expected}"
    assert named >= 15
