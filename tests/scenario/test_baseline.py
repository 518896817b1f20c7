"""The country baseline and grounding data in seeds/."""

import math

import numpy as np
import pytest
import yaml

from sim.scenario import baseline
from sim.scenario.resources import seeds_dir

REQUIRED = {"USA", "CHN", "JPN", "KOR", "AUS", "IND", "PHL", "VNM", "MYS", "SGP", "IDN", "THA"}
REQUIRED |= {"KHM", "LAO", "MMR", "BRN", "PRK", "TWN", "RUS"}
SEEDS = seeds_dir()


def test_every_required_country_has_positive_economic_and_military_figures():
    countries = {c.iso3: c for c in baseline.countries()}
    assert set(countries) == REQUIRED
    for c in countries.values():
        assert c.gdp_usd_bn > 0 and c.milex_usd_bn > 0
        assert 0 <= c.trade_china_share <= 1 and 0 <= c.trade_us_share <= 1
        assert c.milex_usd_bn / c.gdp_usd_bn < 0.25  # PRK is the extreme (WMEAT estimate)
    assert all(countries[c].nuclear for c in ("USA", "CHN", "PRK", "RUS", "IND"))
    claimants = {c.iso3 for c in countries.values() if c.scs_claimant}
    assert claimants == {"CHN", "PHL", "VNM", "MYS", "BRN", "TWN"}  # the ROC line: Taiwan claims
    assert sum(c.asean for c in countries.values()) == 10


def test_alignment_mapping_keeps_order_poles_and_puts_treaty_allies_on_the_us_side():
    alignment = baseline.alignment_from_ideal_points(2023)
    assert alignment["USA"] == 1 and alignment["CHN"] == -1
    assert all(-1 <= a <= 1 for a in alignment.values())
    for ally in ("JPN", "KOR", "AUS", "PHL", "THA"):
        assert alignment[ally] > 0
    # Monotone in the ideal point (Myanmar excepted: it uses the junta prior; Taiwan and Russia
    # have no UN ideal points here and use their priors).
    priors = {c.iso3 for c in baseline.countries() if c.alignment_prior is not None}
    assert {"TWN", "RUS"} <= priors
    assert alignment["TWN"] > 0.5 and alignment["RUS"] < -0.5
    countries = [c for c in baseline.countries() if c.iso3 not in {"USA", "CHN", "MMR"} | priors]
    ordered = sorted(countries, key=lambda c: c.unga_2023)
    values = [alignment[c.iso3] for c in ordered]
    assert values == sorted(values)
    assert alignment["MMR"] < alignment["THA"]  # junta prior, not the NUG envoy's votes


def test_hedgers_at_the_start_are_the_southeast_asian_middle():
    alignment = baseline.alignment_from_ideal_points(2023)
    hedgers = {code for code, a in alignment.items() if abs(a) < 0.2}
    assert {"MYS", "VNM", "IDN", "BRN"} <= hedgers
    assert not hedgers & {"USA", "CHN", "JPN", "KOR", "AUS", "PRK"}


def test_great_circle_distances():
    c = {x.iso3: x for x in baseline.countries()}
    assert baseline.distance_km(c["JPN"], c["KOR"]) == pytest.approx(1160, rel=0.03)
    assert baseline.distance_km(c["CHN"], c["PHL"]) == pytest.approx(2850, rel=0.03)
    assert baseline.distance_km(c["PHL"], c["PHL"]) == 0
    d = np.array([[baseline.distance_km(a, b) for b in c.values()] for a in c.values()])
    np.testing.assert_allclose(d, d.T)
    assert d.max() < math.pi * 6371


def test_disputes_and_treaties_name_known_states_and_cite_sources():
    codes = set(baseline.country_codes())
    for d in baseline.disputes():
        assert {d.a, d.b} <= codes and d.a != d.b
        assert 0 < d.intensity <= 1 and d.source
    pairs = {frozenset((t.a, t.b)) for t in baseline.treaties()}
    expected = [("USA", x) for x in ("JPN", "KOR", "PHL", "THA", "AUS")] + [("CHN", "PRK")]
    assert pairs == {frozenset(p) for p in expected}


def _facts():
    return yaml.safe_load((SEEDS / "facts.yaml").read_text(encoding="utf-8"))


def test_seed_facts_have_the_documented_shape():
    data = _facts()
    sources = data["sources"]
    assert len(sources) == 5
    for meta in sources.values():
        assert {"outlet", "date", "stance", "reliability"} <= set(meta)
        assert meta["reliability"].split()[0].rstrip(":;,").split("-")[0] in {
            "high",
            "medium",
            "low",
        }
    for fact_id, fact in data["facts"].items():
        assert {"value", "unit", "date", "actors", "source", "summary"} <= set(fact), fact_id
        assert fact["source"] in sources
        assert isinstance(fact["date"], str)
        assert all(len(code) == 3 and code.isupper() for code in fact["actors"])


def test_every_fact_citation_in_the_seeds_resolves():
    facts = set(_facts()["facts"])
    for name in ("disputes.csv", "treaties.csv"):
        for token in (SEEDS / name).read_text().replace(";", " ").split():
            if token.startswith("fact:"):
                assert token.removeprefix("fact:").strip(",") in facts, token
