"""What a comparison's differences say: findings in words, the table's rows, the drivers."""

from pathlib import Path

import pandas as pd

from sim.outputs.differences import difference_groups, drivers_of, findings_of, number


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """A compare.csv of scenario B against A (whose rows show no difference).

    Each row is ``(metric, country, diff, low, high, sign_share, floor, verdict)``.
    """
    records = []
    for metric, country, diff, low, high, share, floor, verdict in rows:
        common = {"metric": metric, "country": country, "mean": 0.5, "p05": 0.0, "p95": 1.0}
        common["minimum_difference"] = floor
        changed = {"diff": diff, "diff_low": low, "diff_high": high, "sign_share": share}
        changed |= {"verdict": verdict, "significant": low > 0 or high < 0}
        same = {"diff": 0.0, "diff_low": 0.0, "diff_high": 0.0, "sign_share": 1.0}
        same |= {"verdict": "about unchanged", "significant": False}
        records.append(common | changed | {"scenario": "B"})
        records.append(common | same | {"scenario": "A"})
    return pd.DataFrame(records)


ROWS = [
    ("regional_tension", "", 0.001, -0.002, 0.004, 0.55, 0.01, "about unchanged"),
    ("p_crisis", "", -0.05, -0.08, -0.02, 0.9, 0.02, "lower"),
    ("alignment", "PHL", 0.06, 0.05, 0.07, 1.0, 0.02, "higher"),
    ("alignment", "JPN", 0.005, 0.001, 0.009, 0.7, 0.02, "about unchanged"),
]


def test_findings_tell_only_the_changes_largest_against_their_floor_first():
    (block,) = findings_of(_frame(ROWS), "A")
    assert block["scenario"] == "B" and block["more"] == 0
    first, second = block["sentences"]
    assert first.startswith("Alignment (Philippines) is higher by 0.06")  # 3 floors
    assert "same way in 100% of the coefficient sets" in first
    assert second.startswith("P(crisis) is lower by 5 points")  # 2.5 floors
    assert "−8 to −2" in second


def test_a_comparison_that_changes_nothing_has_no_sentences():
    rows = [r for r in ROWS if r[-1] == "about unchanged"]
    (block,) = findings_of(_frame(rows), "A")
    assert block["sentences"] == [] and block["more"] == 0


def test_the_table_lists_model_outcomes_and_only_changed_country_outcomes():
    (group,) = difference_groups(_frame(ROWS), "A")
    labels = [row["outcome"] for row in group["rows"]]
    assert labels == ["regional tension", "P(crisis)", "alignment PHL"]
    crisis = group["rows"][1]
    assert crisis["verdict"] == "lower" and crisis["significant"] and crisis["unit"] == "pp"
    assert group["rows"][0]["sign_share"] == "55%"


def test_drivers_show_only_coefficients_above_the_noise_floor(tmp_path: Path):
    ranked = pd.DataFrame(
        {
            "scenario": "B",
            "metric": "alignment",
            "country": "PHL",
            "coefficient": ["alignment.alliance_weight", "alignment.rate", "arms.reaction"],
            "rho": [0.6, 0.3, 0.1],
            "share": [0.36, 0.09, 0.01],
            "rank": [1, 2, 3],
            "sets": 100,
            "noise_floor": 0.04,
        }
    )
    ranked.to_csv(tmp_path / "sensitivity.csv", index=False)
    (block,) = drivers_of(tmp_path, _frame(ROWS))
    phl = next(row for row in block["rows"] if row["outcome"] == "alignment (Philippines)")
    assert phl["drivers"] == ["alignment.alliance_weight (36%)", "alignment.rate (9%)"]
    assert drivers_of(tmp_path / "none", _frame(ROWS)) == []


def test_numbers_use_a_true_minus_and_a_dash_when_missing():
    assert number(-0.5, 1, sign=True) == "−0.5"
    assert number(float("nan")) == "–"
    assert number(0.0004, 3, sign=True) == "+0.000"
