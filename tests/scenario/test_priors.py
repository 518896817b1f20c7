"""Priors of the free coefficients (seeds/priors.yaml) and the sets drawn from them."""

import numpy as np
import pytest
import yaml
from pydantic import ValidationError
from scipy.special import ndtr

from sim.scenario import baseline
from sim.scenario import priors as pr
from sim.scenario.parameters import Parameters, provenance
from sim.scenario.resources import seeds_dir


def test_every_free_coefficient_has_a_prior_with_a_reason_and_the_plausible_range():
    free = {
        row["path"].removeprefix("parameters."): row["plausible"]
        for row in provenance(Parameters())
        if row["free"] or row["source"].startswith("calibrated")  # a calibrated one keeps one
    }
    found = {p.path: p for p in pr.priors()}
    assert set(found) == set(free)
    for path, prior in found.items():
        assert (prior.low, prior.high) == free[path], path
        assert prior.shape in pr.SHAPES and len(prior.reason) > 20, path
        if prior.shape == "fixed":
            assert prior.low == prior.high, path


def test_the_file_and_its_codebook_agree():
    data = yaml.safe_load((seeds_dir() / "priors.yaml").read_text(encoding="utf-8"))
    assert data["version"] == 1
    readme = (seeds_dir() / "README.md").read_text(encoding="utf-8")
    assert "## Priors of the free coefficients" in readme
    for shape in pr.SHAPES:
        assert f"`{shape}`" in readme


def test_sets_are_reproducible_inside_the_ranges_and_cover_each_range_evenly():
    sets = pr.draw_sets(20, seed=7)
    assert sets == pr.draw_sets(20, seed=7)
    assert sets != pr.draw_sets(20, seed=8)
    for prior in pr.priors():
        if prior.shape == "fixed":
            assert all(prior.path not in s for s in sets)
            continue
        values = np.array([s[prior.path] for s in sets])
        assert ((values >= prior.low) & (values <= prior.high)).all(), prior.path
        # Latin hypercube: one draw in each of the 20 equal-probability strata.
        strata = np.floor(20 * _cdf(prior, values)).astype(int)
        assert sorted(strata.tolist()) == list(range(20)), prior.path


def _cdf(prior: pr.Prior, x: np.ndarray) -> np.ndarray:
    if prior.shape == "uniform":
        return (x - prior.low) / (prior.high - prior.low)
    a, m, b = (np.log(abs(v)) for v in (prior.low, prior.judgement, prior.high))
    t = np.log(np.abs(x))  # log-magnitudes run from a (u = 0) through m to b (u = 1)
    below = 0.5 * (t - a) / (m - a) if m != a else np.zeros_like(t)
    above = 0.5 + 0.5 * (t - m) / (b - m) if b != m else np.full_like(t, 0.5)
    first_half = (t - m) * (a - m) > 0
    return np.clip(np.where(first_half, below, above), 0.0, 1.0 - 1e-12)


def test_a_log_uniform_prior_puts_its_median_at_the_judgement_and_its_ends_at_the_bounds():
    prior = pr.Prior("x.y", "log-uniform", 0.5, 2.0, "a scale known within a factor of four", 1.0)
    assert prior.quantile(np.array([0.0, 0.25, 0.5]))[1:] == pytest.approx([np.sqrt(0.5), 1.0])
    skewed = pr.Prior("x.r", "log-uniform", 0.002, 0.04, "an asymmetric range", 0.02)
    assert skewed.quantile(np.array([0.0, 0.5, 0.75])) == pytest.approx(
        [0.002, 0.02, np.sqrt(0.02 * 0.04)]
    )
    negative = pr.Prior("x.z", "log-uniform", -4.0, -1.0, "a negative scale", -2.0)
    assert negative.quantile(np.array([0.0, 0.5]))[1] == pytest.approx(-2.0)
    with pytest.raises(ValueError, match="outside"):
        pr.Prior("x.w", "uniform", 0.0, 1.0, "a judgement out of its range", 2.0)


def test_every_shipped_prior_has_its_median_at_the_judgement_or_the_midpoint():
    for prior in pr.priors():
        middle = prior.quantile(np.array([0.5]))[0]
        expected = {
            "log-uniform": prior.judgement,
            "uniform": (prior.low + prior.high) / 2,
            "fixed": prior.low,
        }[prior.shape]
        assert middle == pytest.approx(expected), prior.path


def test_with_coefficients_changes_only_the_named_ones_and_checks_them():
    params = pr.with_coefficients(Parameters(), {"incidents.base_hazard": 0.2})
    assert params.incidents.base_hazard == 0.2
    assert params.incidents.tension_hazard == Parameters().incidents.tension_hazard
    assert params.arms == Parameters().arms
    with pytest.raises(ValidationError):
        pr.with_coefficients(Parameters(), {"arms.fatigue": -5.0})
    with pytest.raises(ValidationError):
        pr.with_coefficients(Parameters(), {"arms.no_such_thing": 1.0})


def test_each_dyad_propensity_is_drawn_from_its_posterior_in_every_set():
    kappas = pr.propensity_priors()
    assert [p.path for p in kappas] == [f"propensity.{d.a}-{d.b}" for d in baseline.disputes()]
    for prior in kappas:  # the fit's median and its 10% and 90% points, where the file has them
        np.testing.assert_allclose(
            prior.quantile(np.array([0.1, 0.5, 0.9])), [prior.low, prior.judgement, prior.high]
        )
    sets = pr.draw_sets(20, seed=7)
    for prior in kappas:
        values = np.array([s[prior.path] for s in sets])
        a, m, b = np.log([prior.low, prior.judgement, prior.high])
        z = (np.log(values) - m) / np.where(values < prior.judgement, m - a, b - m) * pr.Z90
        strata = np.floor(20 * ndtr(z)).astype(int)  # one draw in each of 20 strata
        assert sorted(strata.tolist()) == list(range(20)), prior.path
    coefficients, kappa = pr.split_propensities(sets[0])
    assert set(kappa) == set(baseline.propensities())
    assert not any(path.startswith("propensity.") for path in coefficients)
