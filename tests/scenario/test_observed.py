"""The observed record 2013–2024 in seeds/ and the security-alignment index built from it."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.scenario import baseline, observed
from sim.scenario.ladder import ESCALATION_LEVELS
from sim.scenario.resources import seeds_dir

YEARS = list(range(observed.FIRST_YEAR, observed.LAST_YEAR + 1))
CODES = [c.iso3 for c in baseline.countries()]
NON_POLES = [c for c in CODES if c not in ("USA", "CHN")]


def _codebook(name: str) -> str:
    """The codebook section of ``name`` in seeds/README.md."""
    text = (seeds_dir() / "README.md").read_text(encoding="utf-8")
    start = text.index(f"### {name}")
    end = text.find("\n### ", start + 1)
    return text[start : end if end > 0 else len(text)]


@pytest.mark.parametrize("kind", sorted(observed.FILES))
def test_every_column_is_in_the_codebook_and_every_row_names_its_source(kind):
    name = observed.FILES[kind]
    table = pd.read_csv(seeds_dir() / name, keep_default_na=False)
    book = _codebook(name)
    undocumented = [c for c in table.columns if f"`{c}`" not in book]
    assert not undocumented, f"{name}: columns missing from seeds/README.md: {undocumented}"
    assert "recalled" in table.columns
    assert set(table["recalled"].astype(int)) <= {0, 1}
    sources = [c for c in table.columns if "source" in c]
    assert sources, f"{name} has no source column"
    for column in sources:
        blank = table.index[table[column].astype(str).str.strip() == ""].tolist()
        assert not blank, f"{name}: rows {blank[:5]} have no {column}"


def test_incidents_cover_every_dispute_dyad_every_year_and_peak_where_they_say():
    table = observed.incidents()
    dyads = {(d.a, d.b) for d in baseline.disputes()}
    assert set(zip(table["a"], table["b"], strict=True)) == dyads
    for (a, b), rows in table.groupby(["a", "b"]):
        assert sorted(rows["year"]) == YEARS, (a, b)
    counts = table[list(ESCALATION_LEVELS)].to_numpy()
    assert (counts >= 0).all()
    highest = np.where(counts.any(axis=1), counts.shape[1] - np.argmax(counts[:, ::-1] > 0, 1), 0)
    assert (highest == table["max_rung"].to_numpy()).all()
    assert set(table["icb_onset"]) <= {0, 1}
    # The episodes a referee would look for first are there, at the rung the ladder gives them.
    by = table.set_index(["a", "b", "year"])
    peak = by["max_rung"]
    assert by.loc[("CHN", "IND", 2017), "standoff"] >= 1  # Doklam
    assert peak["CHN", "IND", 2020] == 3  # Galwan: a clash
    assert peak["CHN", "VNM", 2014] == 2  # HYSY-981
    assert peak["CHN", "PHL", 2024] == 3  # Second Thomas Shoal, June 2024
    assert (table["war"] == 0).all()  # no war in the region since 1979


def test_burden_is_spending_over_gdp_for_every_state_and_year():
    table = observed.burden()
    assert sorted(set(table["iso3"])) == sorted(CODES)
    for code, rows in table.groupby("iso3"):
        assert sorted(rows["year"]) == YEARS, code
    computed = 100.0 * table["milex_usd_bn"] / table["gdp_usd_bn"]
    assert np.allclose(computed, table["burden_pct"], atol=0.006)
    # Magnitudes a reader can check: the US near 3.4% in 2024, Russia's wartime surge.
    by = table.set_index(["iso3", "year"])["burden_pct"]
    assert 3.0 < by["USA", 2024] < 4.0
    assert by["RUS", 2024] > 1.5 * by["RUS", 2021]


def test_indicators_are_in_range_for_every_non_pole_state_and_year():
    table = observed.indicators()
    assert sorted(set(table["iso3"])) == sorted(NON_POLES)
    assert len(table) == len(NON_POLES) * len(YEARS)
    for column in ("us_treaty", "china_treaty"):
        assert set(table[column]) <= {0, 1}
    for column in ("us_partnership", "china_partnership"):
        assert table[column].between(0, 3).all()
    for column in ("us_access", "china_access"):
        assert table[column].between(0, 2).all()
    shares = table[["us_arms_share", "china_arms_share", "russia_arms_share"]]
    assert (shares.fillna(0.0).sum(axis=1) <= 1.0 + 1e-9).all()


def _rows(**columns) -> pd.DataFrame:
    """Indicator rows of made-up states for 2013 (defaults: no tie to either pole)."""
    base = {
        "us_treaty": 0,
        "china_treaty": 0,
        "us_partnership": 0,
        "china_partnership": 0,
        "us_exercises": 0,
        "china_exercises": 0,
        "us_arms_share": 0.0,
        "china_arms_share": 0.0,
        "us_access": 0,
        "china_access": 0,
    }
    n = max(len(v) for v in columns.values())
    frame = pd.DataFrame({k: [v] * n for k, v in base.items()})
    for k, v in columns.items():
        frame[k] = v
    frame.insert(0, "year", 2013)
    frame.insert(0, "iso3", [f"X{i}" for i in range(n)])
    return frame


def test_index_reaches_its_bounds_at_the_ideal_allies_and_is_zero_between():
    table = _rows(
        us_treaty=[1, 0, 0, 1],
        china_treaty=[0, 1, 0, 1],
        us_partnership=[3, 0, 0, 3],
        china_partnership=[0, 3, 0, 3],
        us_exercises=[15, 0, 0, 3],
        china_exercises=[0, 15, 0, 3],
        us_arms_share=[1.0, 0.0, 0.0, 0.5],
        china_arms_share=[0.0, 1.0, 0.0, 0.5],
        us_access=[2, 0, 0, 1],
        china_access=[0, 2, 0, 1],
    )
    index = observed.security_alignment(table)["alignment"].to_numpy()
    assert index == pytest.approx([1.0, -1.0, 0.0, 0.0])


def test_each_component_weighs_a_fifth_on_its_own_scale():
    one = observed.security_alignment(_rows(us_partnership=[3, 0], china_access=[0, 1]))
    assert one["alignment"].to_numpy() == pytest.approx([1 / 5, -0.5 / 5])
    drills = observed.security_alignment(_rows(us_exercises=[1]))["alignment"].iloc[0]
    assert drills == pytest.approx(np.log(2.0) / np.log(16.0) / 5)


def test_exercises_are_averaged_with_the_year_before_so_biennial_series_do_not_swing():
    rows = pd.concat(
        [_rows(us_exercises=[e]).assign(iso3="X", year=y) for y, e in ((2013, 2), (2014, 4))]
    )
    parts = observed.alignment_components(rows)
    assert parts["exercises"].to_numpy() == pytest.approx(
        [np.log1p(2) / np.log(16), np.log1p(3) / np.log(16)]
    )


def test_missing_arms_shares_leave_the_mean_to_the_other_components():
    rows = _rows(china_treaty=[1], us_arms_share=[np.nan], china_arms_share=[np.nan])
    assert observed.security_alignment(rows)["alignment"].iloc[0] == pytest.approx(-1 / 4)


def test_taiwans_treaty_and_exercises_are_structural_and_left_out_of_its_mean():
    rows = _rows(us_partnership=[2, 2], us_arms_share=[1.0, 1.0], us_access=[1, 1])
    rows["iso3"] = ["TWN", "X1"]
    index = observed.security_alignment(rows)["alignment"].to_numpy()
    # Taiwan: (2/3 + 1 + 1/2) / 3 over its three components; another state: the same / 5
    assert index == pytest.approx([(2 / 3 + 1 + 0.5) / 3, (2 / 3 + 1 + 0.5) / 5])
    # a zero Taiwan chose (no Chinese arms) still counts: only its status-bound parts are out
    rows["china_arms_share"] = [0.5, 0.5]
    assert observed.security_alignment(rows)["alignment"].iloc[0] == pytest.approx(
        (2 / 3 + 0.5 + 0.5) / 3
    )


def test_the_model_starts_from_the_index_with_the_poles_at_one():
    start = observed.starting_alignment()
    assert start == {**observed.alignment_in(observed.LAST_YEAR), "USA": 1.0, "CHN": -1.0}
    assert set(start) == set(baseline.country_codes())
    assert observed.starting_alignment(2015)["IND"] == observed.alignment_in(2015)["IND"]


def test_index_puts_india_with_the_us_and_cambodia_with_china_where_un_votes_did_not():
    index = observed.alignment_in(2023)
    votes = baseline.observed_alignment(2023)
    assert index["IND"] > 0 > votes["IND"]
    assert index["KHM"] < 0 < votes["KHM"]
    allies = ("JPN", "KOR", "AUS", "PHL")
    others = [c for c in index if c not in (*allies, "THA", "TWN")]
    assert min(index[a] for a in allies) > max(index[c] for c in others)
    # Thailand, the ally that hedges since its 2014 coup, sits above the non-allies' mean.
    assert index["THA"] > np.mean([index[c] for c in others])
    # The Quad years: India moved towards the US, as the record of exercises and arms shows.
    assert observed.alignment_in(2024)["IND"] > observed.alignment_in(2015)["IND"]


@pytest.mark.parametrize("component", [name for name, *_ in observed.COMPONENTS])
def test_no_single_component_decides_the_ranking_of_the_non_allies(component):
    # Among all 17 the gap between the treaty allies and the rest would carry any ranking;
    # among the 12 others (the hedgers and China's partners) the order must survive too.
    allies = ("JPN", "KOR", "AUS", "PHL", "THA")
    full = observed.security_alignment()
    without = observed.security_alignment(drop=component)
    for year in (2015, 2019, 2024):
        a = full[(full["year"] == year) & ~full["iso3"].isin(allies)]["alignment"]
        b = without[(without["year"] == year) & ~without["iso3"].isin(allies)]["alignment"]
        assert stats.spearmanr(a, b).statistic > 0.85, (component, year)


def test_out_of_range_requests_are_refused_with_what_exists():
    with pytest.raises(ValueError, match="2013–2024"):
        observed.alignment_in(2030)
    with pytest.raises(ValueError, match=re.escape("'treaty'")):
        observed.security_alignment(drop="votes")
