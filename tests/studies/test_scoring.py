"""Scoring rules, each on a case whose answer is known by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.studies import scoring


def test_a_perfect_forecast_scores_the_log_of_the_clip() -> None:
    happened = np.array([1, 0, 0, 1, 0])
    assert scoring.log_score(happened.astype(float), happened) == pytest.approx(math.log(0.99))


def test_a_constant_forecast_of_one_half_scores_log_one_half_whatever_happens() -> None:
    happened = np.array([1, 0, 0, 1, 1, 0, 0])
    assert scoring.log_score(np.full(7, 0.5), happened) == pytest.approx(math.log(0.5))


def test_the_log_score_is_the_mean_log_likelihood_computed_by_hand() -> None:
    forecast = np.array([0.8, 0.3, 0.6, 0.0])
    happened = np.array([1, 0, 0, 1])
    by_hand = (math.log(0.8) + math.log(0.7) + math.log(0.4) + math.log(0.01)) / 4
    assert scoring.log_score(forecast, happened) == pytest.approx(by_hand)
    # An event called impossible costs ln 0.01, not minus infinity: the forecast is clipped.
    assert scoring.log_likelihoods(np.array([0.0]), np.array([1]))[0] == pytest.approx(
        math.log(0.01)
    )


def test_the_log_score_refuses_outcomes_that_are_not_events() -> None:
    with pytest.raises(ValueError, match="0 or 1"):
        scoring.log_score(np.array([0.5]), np.array([2]))
    with pytest.raises(ValueError, match="2 forecasts for 3 outcomes"):
        scoring.log_score(np.array([0.5, 0.5]), np.array([1, 0, 1]))


def test_the_laplace_rate_adds_half_a_hit_and_one_trial() -> None:
    assert scoring.laplace_rate(2, 7) == pytest.approx(2.5 / 8)
    assert scoring.laplace_rate(0, 7) == pytest.approx(1 / 16)  # never zero
    assert scoring.laplace_rate(7, 7) == pytest.approx(7.5 / 8)  # never one


def test_spearman_on_known_rankings() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    # Ranks differ by (1, 1, 1, 1, 0): rho = 1 - 6 * 4 / (5 * 24) = 0.8.
    assert scoring.spearman(x, np.array([2.0, 1.0, 4.0, 3.0, 5.0])) == pytest.approx(0.8)
    assert scoring.spearman(x, 10 * x**3) == pytest.approx(1.0)  # monotone: ranks agree
    assert scoring.spearman(x, -x) == pytest.approx(-1.0)
    assert math.isnan(scoring.spearman(np.zeros(5), x))  # no change forecast: no ranking


def test_median_absolute_error_and_rmse_by_hand() -> None:
    assert scoring.median_abs_error([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]) == pytest.approx(1.0)
    assert scoring.median_abs_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert scoring.rmse([0.0, 0.0], [3.0, 4.0]) == pytest.approx(math.sqrt(12.5))


def test_the_interval_of_a_constant_edge_is_that_edge() -> None:
    """Every unit 0.1 better: every resample's mean difference is 0.1."""
    baseline = np.array([-0.9, -0.4, -1.2, -0.3, -0.7])
    low, high = scoring.difference_interval(baseline + 0.1, baseline, "mean")
    assert low == pytest.approx(0.1) and high == pytest.approx(0.1)


def test_the_interval_is_reproducible_and_on_the_side_of_a_uniformly_better_forecast() -> None:
    rng = np.random.default_rng(0)
    baseline = rng.uniform(0.1, 1.0, size=12)
    model = baseline * 0.5  # smaller errors on every unit
    for aggregate in ("root_mean", "median"):
        first = scoring.difference_interval(model, baseline, aggregate)
        assert first == scoring.difference_interval(model, baseline, aggregate)
        assert first[0] <= first[1] < 0
    same = scoring.difference_interval(baseline, baseline, "median")
    assert same == (0.0, 0.0)


def test_the_interval_refuses_mismatched_units_and_unknown_scores() -> None:
    with pytest.raises(ValueError, match="one value per unit"):
        scoring.difference_interval(np.zeros(3), np.zeros(4), "mean")
    with pytest.raises(ValueError, match="aggregate"):
        scoring.difference_interval(np.zeros(3), np.zeros(3), "mode")
