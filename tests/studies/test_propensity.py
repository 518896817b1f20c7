"""Dyad propensities: the pooling on known answers, the likelihood, the hazard, the seeds file."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from conftest import scenario, world

from sim.core.compile import compile_world
from sim.core.dynamics.incidents import incident_hazard
from sim.scenario import baseline
from sim.scenario.resources import seeds_dir
from sim.studies import propensity
from sim.studies.propensity import dyad_loglik, fit_propensities, pool


def _normal_profiles(x: np.ndarray, s: float, step: float = 0.02, reach: float = 5.0):
    """Each dyad's log-likelihood ``−(u − x_d)² / 2s²`` on one even grid of ``u = log ψ``."""
    u = np.arange(-reach, reach + step / 2, step)
    log_kappa = np.broadcast_to(u, (len(x), len(u)))
    return log_kappa, -0.5 * np.square((log_kappa - x[:, None]) / s)


def test_the_pooling_recovers_the_spread_and_shrinks_as_the_normal_model_says() -> None:
    # x_d ~ N(0, σ² + s²) marginally: the marginal likelihood's σ̂² is about var(x) − s², and
    # each posterior mean is x_d σ̂² / (σ̂² + s²), the normal-normal shrinkage.
    rng = np.random.default_rng(4)
    sigma, s = 0.8, 0.4
    x = rng.normal(0.0, sigma, 400) + rng.normal(0.0, s, 400)
    pooled = pool(*_normal_profiles(x, s), sigmas=np.linspace(0.05, 2.0, 400))
    expected_sigma = np.sqrt(np.mean(x**2) - s**2)
    assert pooled.sigma == pytest.approx(expected_sigma, abs=0.01)
    shrink = pooled.sigma**2 / (pooled.sigma**2 + s**2)
    np.testing.assert_allclose(pooled.log_kappa, shrink * x, atol=2e-3)
    assert shrink < 0.85  # the pull towards zero is real, not a rounding
    # The interval is the posterior's 10% and 90% points: mean ∓ 1.2816 posterior sd (within
    # the grid's step of 0.02).
    sd = np.sqrt(shrink) * s
    np.testing.assert_allclose(np.log(pooled.low), shrink * x - 1.2816 * sd, atol=0.025)
    np.testing.assert_allclose(np.log(pooled.high), shrink * x + 1.2816 * sd, atol=0.025)


def test_flat_profiles_leave_every_propensity_at_one() -> None:
    log_kappa = np.broadcast_to(np.linspace(-2, 2, 13), (5, 13))
    pooled = pool(log_kappa, np.zeros((5, 13)))
    np.testing.assert_allclose(pooled.log_kappa, 0.0, atol=1e-12)
    assert pooled.sigma == propensity.SIGMAS[0]  # no spread is needed to explain nothing


def test_a_weaker_record_is_pulled_further_towards_one() -> None:
    x = np.array([1.0, 1.0, -1.0, 0.5, -0.5, 0.0] * 5)
    s = np.array([0.2, 1.0, 0.3, 0.3, 0.3, 0.3] * 5)
    u = np.arange(-5, 5.01, 0.02)
    log_kappa = np.broadcast_to(u, (len(x), len(u)))
    loglik = -0.5 * np.square((log_kappa - x[:, None]) / s[:, None])
    pooled = pool(log_kappa, loglik)
    assert 0 < pooled.log_kappa[1] < pooled.log_kappa[0] < 1.0
    assert (pooled.low <= pooled.kappa).all() and (pooled.kappa <= pooled.high).all()
    assert pooled.mle[0] == pytest.approx(np.e, rel=0.03)  # alone: the record's own value


def test_the_likelihood_of_a_dyad_is_its_years_probabilities() -> None:
    observed = np.array([[0, 1], [2, 1], [3, 1]])  # three years, two dyads
    peak = np.stack([observed, observed])  # both replicates did what the record says
    # (2 + ½) / (2 + 4 × ½) for each year: three years each.
    np.testing.assert_allclose(dyad_loglik(peak, observed), 3 * np.log(2.5 / 4))
    other = peak.copy()
    other[:, :, 0] = 1  # the first dyad always gray zone: none of its three years happened
    got = dyad_loglik(other, observed)
    assert got[0] == pytest.approx(3 * np.log(0.5 / 4))
    assert got[1] == pytest.approx(3 * np.log(2.5 / 4))


def test_the_propensity_multiplies_the_dyads_hazard_and_no_other() -> None:
    plain = scenario()
    doubled = compile_world(plain, propensity={("CHN", "PHL"): 2.0, ("KHM", "THA"): 0.0})
    ones = compile_world(plain, propensity={})
    s = ones.incident_dyads
    tau, zero = np.full(s.size, 0.4), np.zeros(s.size)
    base = incident_hazard(ones, tau, zero, zero)
    changed = incident_hazard(doubled, tau, zero, zero)
    pair = {
        frozenset((ones.codes[ones.dyad_i[d]], ones.codes[ones.dyad_j[d]])): k
        for k, d in enumerate(s)
    }
    chn_phl, khm_tha = pair[frozenset(("CHN", "PHL"))], pair[frozenset(("KHM", "THA"))]
    assert changed[chn_phl] == pytest.approx(2.0 * base[chn_phl]) and base[chn_phl] > 0
    assert changed[khm_tha] == 0.0 < base[khm_tha]
    others = np.ones(s.size, dtype=bool)
    others[[chn_phl, khm_tha]] = False
    np.testing.assert_array_equal(changed[others], base[others])
    shipped = compile_world(plain).propensity  # by default, the shipped file's
    for (a, b), kappa in baseline.propensities().items():
        assert shipped[ones.index(a), ones.index(b)] == kappa


def test_the_shipped_file_covers_every_dispute_with_its_interval_and_source() -> None:
    path = seeds_dir() / baseline.PROPENSITY_FILE
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["a"], r["b"]) for r in rows] == [(d.a, d.b) for d in baseline.disputes()]
    for r in rows:
        low, kappa, high = float(r["low"]), float(r["propensity"]), float(r["high"])
        assert 0 < low <= kappa <= high, r
        assert "incidents_2013_2024.csv:max_rung" in r["source"] and "recalled" in r["source"]
        assert len(r["record"].split()) == 6  # the six years 2014–2019
    shipped = baseline.propensities()
    w = world()
    for (a, b), kappa in shipped.items():
        assert w.propensity[w.index(a), w.index(b)] == w.propensity[w.index(b), w.index(a)] == kappa


def test_a_small_fit_runs_both_passes_around_the_first() -> None:
    fit = fit_propensities(replicates=4, seeds=(1,), passes=2)
    first, second = fit.passes
    np.testing.assert_allclose(second.centre, first.pooled.kappa)
    np.testing.assert_allclose(second.log_kappa[:, 8], np.log(first.pooled.kappa))  # m = 1
    assert list(fit.shipped()) == list(fit.pairs)
    assert fit.observed.shape == (6, len(fit.pairs))
    table = propensity.table(fit)
    assert list(table["a"] + "-" + table["b"]) == [f"{a}-{b}" for a, b in fit.pairs]
    assert "| CHN–PHL |" in propensity.markdown(fit)


def test_where_a_dyads_grid_lies_does_not_change_the_pooling() -> None:
    # Five dyads calm in every year (the likelihood rises towards ψ = 0 and levels off), ten
    # with an interior best value: read on one grid for all, or on grids shifted dyad by dyad
    # (as the second pass shifts them), the model is the same, so are σ̂ and every ψ.
    rng = np.random.default_rng(7)
    centres = np.concatenate([rng.normal(0.0, 0.7, 10), np.full(5, -1.0)])

    def loglik(u: np.ndarray) -> np.ndarray:
        normal = -0.5 * np.square((u[:10] - centres[:10, None]) / 0.5)
        plateau = -np.logaddexp(0.0, 4.0 * (u[10:] - centres[10:, None]))
        return np.concatenate([normal, plateau])

    steps = propensity.LOG2_STEPS * np.log(2.0)  # the fit's own grid, 1/16 … 8
    same = np.broadcast_to(steps, (15, len(steps)))
    # The second pass moves a calm dyad's grid down, the others' a little either way. A prior
    # normalised over each grid instead gives σ̂ 0.98 and 1.52 here.
    shift = np.concatenate([rng.uniform(-0.5, 0.5, 10), np.full(5, -1.5)])
    one, other = (
        pool(same, loglik(same)),
        pool(same + shift[:, None], loglik(same + shift[:, None])),
    )
    assert other.sigma == pytest.approx(one.sigma, rel=0.03)
    np.testing.assert_allclose(other.log_kappa, one.log_kappa, atol=0.02)
    assert one.mle_edge[10:].tolist() == [-1] * 5  # alone, a calm dyad has only an upper limit
    assert (one.mle_edge[:10] == 0).all()


def test_the_command_refuses_options_of_other_fits_and_prints_without_writing(tmp_path) -> None:
    from click.testing import CliRunner

    from sim.cli import main

    refused = CliRunner().invoke(main, ["calibrate", "--propensities", "--target", "incidents"])
    assert refused.exit_code == 2 and "leave out --target" in refused.output
    for other in ("--record", "--surface=alignment.rate,alignment.inertia"):
        mixed = CliRunner().invoke(main, ["calibrate", other, "--propensities"])
        assert mixed.exit_code == 2 and "--propensities" in mixed.output, other
    small = CliRunner().invoke(main, ["calibrate", "--propensities", "--replicates", "3"])
    assert small.exit_code == 2 and "--dry-run" in small.output  # would replace the shipped fit
    before = (seeds_dir() / baseline.PROPENSITY_FILE).read_bytes()
    printed = CliRunner().invoke(
        main, ["calibrate", "--propensities", "--replicates", "3", "--dry-run"]
    )
    assert printed.exit_code == 0, printed.output
    assert "| KHM–THA |" in printed.output and "wrote" not in printed.output
    assert (seeds_dir() / baseline.PROPENSITY_FILE).read_bytes() == before
