"""Dyad propensities: how incident-prone each dispute dyad is, fitted with partial pooling.

The model gives every dispute dyad the same hazards and lets the dispute's judged intensity,
its stake, coercion, presence and tension tell the dyads apart (``docs/model.md`` §5). The
record says that is not enough: some dyads see incidents more or less often than those inputs
make them, year after year. A dyad's **propensity** ``ψ_d`` — a dyad effect, as a panel model
of conflict would carry one — multiplies its incident hazard, and is fitted on the record's
dyad-years of the fit window from 2013 (``sim.studies.record_fit``: the history from the 2013
data, nothing scripted that is scored, the six years 2014–2019), every coefficient at the
value it ships at. It scales the onset of incidents only: how far they climb stays the
ladder's, so a dyad with gray-zone incidents every year and no standoff gains from a higher
``ψ`` only until its standoffs grow too.

**The likelihood.** For each value ``m`` of a grid of multipliers (:data:`LOG2_STEPS`), the
fit window is run with every dyad's propensity multiplied by ``m``, over :data:`SEEDS` ×
``replicates`` replicates with common random numbers, and each dyad's log-likelihood
``ℓ_d(m)`` is the sum over its six years of the log of the model's probability of the
record's category (calm, gray zone, standoff, clash or higher; Jeffreys' ½ added to each
count: the simulated likelihood of ``sim.studies.record_fit``; the years taken as
independent, which they are not quite). Every dyad is moved at once: a dyad's likelihood at
``m`` is read in a world where the others moved too. A second pass (:data:`PASSES`) profiles
again around the first pass's estimates, so that at its centre (``m = 1``) every dyad is at
its own estimate.

**Partial pooling** (empirical Bayes, a normal hierarchical model): ``log ψ_d ~ N(0, σ²)`` —
centred on the judgement that the dispute's intensity says all (``ψ = 1``) — with ``σ`` the
value of :data:`SIGMAS` that maximises the marginal likelihood
``Σ_d log Σ_k P_k(σ) exp ℓ_d(m_k)``, where ``P_k`` is the prior's mass on grid point ``k``'s
cell (the likelihood read as constant over each cell and flat beyond the grid's ends; the
smallest of tied values; :func:`pool`). Each dyad's posterior over its cells is
``∝ P_k(σ̂) exp ℓ_d(m_k)``; its shipped ``ψ_d`` is ``exp`` of the posterior mean of
``log ψ_d``, its interval the posterior's 10% and 90% points. A dyad the record says little
about keeps ``ψ`` near one; a dyad whose six years all say the same is pulled towards them,
as far as ``σ̂`` lets it. ``σ̂`` near zero would mean the record finds no dyad differing from
the model's hazards.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import logsumexp, ndtr

from sim.scenario import baseline
from sim.scenario.resources import seeds_dir
from sim.studies import out_of_sample as oos
from sim.studies import record_fit
from sim.studies.tasks import run_tasks

#: The fit window's first year: the record's first, so that six years are scored (2014–2019).
START = 2013
#: The multipliers' grid, as powers of two: 1/16 … 8 in steps of √2.
LOG2_STEPS = np.arange(-8, 7) / 2.0
#: Base seeds of the runs at each grid point (their replicates are pooled).
SEEDS = (2015, 2016, 2017)
#: Replicates per seed.
REPLICATES = 200
#: Profiling passes: the second profiles around the first's estimates.
PASSES = 2
#: The prior standard deviations of ``log ψ`` the marginal likelihood chooses from.
SIGMAS = np.geomspace(0.05, 4.0, 60)
#: Marginal log-likelihoods closer than this to the best tie with it.
TIE = 1e-9
#: The drop in the marginal log-likelihood that bounds the values of σ the record supports
#: (half the 95% point of χ² with one degree of freedom).
LIKELIHOOD_RATIO = 1.92
#: The posterior quantiles that bound a propensity's interval.
INTERVAL = (0.1, 0.9)

Pair = tuple[str, str]


@dataclass(frozen=True)
class Pooled:
    """The partially pooled estimates from one pass's profiles.

    Attributes:
        sigma: The chosen prior standard deviation of ``log ψ``.
        sigma_range: The values of :data:`SIGMAS` within :data:`LIKELIHOOD_RATIO` of the best.
        marginal: The marginal log-likelihood at each of :data:`SIGMAS`.
        posterior: Each dyad's posterior over its grid, ``(D, G)``.
        log_kappa: Each dyad's posterior mean of ``log ψ``, ``(D,)``.
        low: Each dyad's lower interval point of ``ψ``, ``(D,)``.
        high: Each dyad's upper interval point of ``ψ``, ``(D,)``.
        mle: Each dyad's best grid value of ``ψ`` alone (no pooling), ``(D,)``.
        mle_edge: −1 where that best value is the grid's lowest (the likelihood still rises
            below it: an upper limit), +1 where it is the highest (a lower limit), else 0.
    """

    sigma: float
    sigma_range: tuple[float, float]
    marginal: np.ndarray
    posterior: np.ndarray
    log_kappa: np.ndarray
    low: np.ndarray
    high: np.ndarray
    mle: np.ndarray
    mle_edge: np.ndarray

    @property
    def kappa(self) -> np.ndarray:
        """Each dyad's shipped propensity, ``exp`` of the posterior mean of ``log ψ``."""
        return np.exp(self.log_kappa)


@dataclass(frozen=True)
class Pass:
    """One profiling pass: the grid it ran, the dyads' log-likelihoods and their pooling.

    Attributes:
        centre: Each dyad's propensity the multipliers were applied to, ``(D,)``.
        log_kappa: ``log ψ`` at each grid point, ``(D, G)``.
        loglik: Each dyad's log-likelihood at each grid point, ``(D, G)``.
        pooled: The partial pooling of these profiles.
    """

    centre: np.ndarray
    log_kappa: np.ndarray
    loglik: np.ndarray
    pooled: Pooled


@dataclass(frozen=True)
class Propensities:
    """The fit: every pass, and what ships.

    Attributes:
        pairs: The dispute dyads, in the order of ``seeds/disputes.csv``.
        years: The years scored.
        observed: The record's category of each dyad-year, ``(years, D)``.
        passes: The profiling passes, in order.
        replicates: Replicates per seed.
        seeds: The base seeds.
    """

    pairs: tuple[Pair, ...]
    years: tuple[int, ...]
    observed: np.ndarray
    passes: tuple[Pass, ...]
    replicates: int
    seeds: tuple[int, ...]

    @property
    def final(self) -> Pooled:
        """The last pass's pooling: what ships."""
        return self.passes[-1].pooled

    def shipped(self) -> dict[Pair, float]:
        """Each dyad's propensity, rounded to three significant digits."""
        return {
            pair: float(f"{k:.3g}") for pair, k in zip(self.pairs, self.final.kappa, strict=True)
        }


def dyad_loglik(peak: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Each dyad's log-likelihood of the record's categories over the years, ``(D,)``.

    Args:
        peak: Highest rung of each replicate's dyad-year, ``(R, years, D)``.
        categories: The record's category of each dyad-year, ``(years, D)``.
    """
    p = record_fit.category_probabilities(peak)
    chosen = np.take_along_axis(p, categories[..., None], axis=-1)[..., 0]
    return np.log(chosen).sum(axis=0)


def pool(log_kappa: np.ndarray, loglik: np.ndarray, sigmas: np.ndarray = SIGMAS) -> Pooled:
    """Partial pooling of dyad profiles: ``log ψ_d ~ N(0, σ²)``, ``σ`` by marginal likelihood.

    Each dyad's likelihood is read as constant over the cell of each grid point (from halfway
    to its neighbours; the end cells reach to ±∞, so the likelihood is flat beyond the grid),
    and each cell carries the mass the normal prior puts on it. The model is then the same
    whatever range a dyad's grid covers: shifting a grid changes only how finely the
    likelihood is read, not the prior.

    Args:
        log_kappa: ``log ψ`` at each dyad's grid points, ``(D, G)``, ascending per dyad.
        loglik: Each dyad's log-likelihood at those points, ``(D, G)``.
        sigmas: The prior standard deviations to choose from.

    Returns:
        The pooled estimates (:class:`Pooled`).
    """
    cells = [_cells(log_kappa, s) for s in sigmas]
    marginal = np.array([logsumexp(mass + loglik, axis=1).sum() for mass, _ in cells])
    # The smallest σ of those that tie for the best (flat profiles: no spread is needed).
    best = int(np.argmax(marginal >= marginal.max() - TIE))
    supported = sigmas[marginal >= marginal.max() - LIKELIHOOD_RATIO]
    log_mass, centre = cells[best]
    joint = log_mass + loglik
    posterior = np.exp(joint - logsumexp(joint, axis=1)[:, None])
    cdf = np.cumsum(posterior, axis=1)
    rows = np.arange(len(loglik))
    low = log_kappa[rows, np.argmax(cdf >= INTERVAL[0], axis=1)]
    high = log_kappa[rows, np.argmax(cdf >= INTERVAL[1], axis=1)]
    best_alone = np.argmax(loglik, axis=1)
    return Pooled(
        sigma=float(sigmas[best]),
        sigma_range=(float(supported.min()), float(supported.max())),
        marginal=marginal,
        posterior=posterior,
        log_kappa=(posterior * centre).sum(axis=1),
        low=np.exp(low),
        high=np.exp(high),
        mle=np.exp(log_kappa[rows, best_alone]),
        mle_edge=(best_alone == log_kappa.shape[1] - 1).astype(int) - (best_alone == 0),
    )


def _cells(log_kappa: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """The normal prior's log mass on each grid point's cell, and its mean there, ``(D, G)``.

    A cell runs from halfway to the point below to halfway to the point above; the first
    starts at −∞ and the last ends at +∞.
    """
    inner = (log_kappa[:, 1:] + log_kappa[:, :-1]) / (2.0 * sigma)
    edge = np.full((len(log_kappa), 1), np.inf)
    a = np.concatenate([-edge, inner], axis=1)
    b = np.concatenate([inner, edge], axis=1)
    # Φ(b) − Φ(a), from whichever tail keeps its digits.
    mass = np.maximum(ndtr(b) - ndtr(a), ndtr(-a) - ndtr(-b))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_mass = np.log(mass)
        density = (np.exp(-0.5 * np.square(a)) - np.exp(-0.5 * np.square(b))) / np.sqrt(2 * np.pi)
        centre = np.where(mass > 0, sigma * density / mass, log_kappa)
    return log_mass, centre


def _peaks(task: tuple[dict[Pair, float], int, int]) -> np.ndarray:
    """The fit window's peaks with the propensities ``task[0]``, ``(R, years, D)``."""
    kappa, replicates, seed = task
    years = record_fit.scored_years(START)
    run = oos.run_window(
        record_fit.fit_scenario(START),
        replicates,
        seed,
        start=START,
        years=years,
        propensity=kappa,
    )
    return run.peak


def fit_propensities(
    *,
    replicates: int = REPLICATES,
    seeds: tuple[int, ...] = SEEDS,
    passes: int = PASSES,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Propensities:
    """Fit each dispute dyad's propensity on the record of 2014–2019, with partial pooling.

    Args:
        replicates: Replicates per seed at each grid point.
        seeds: Base seeds (common random numbers across the grid).
        passes: Profiling passes, each around the last one's estimates (from one).
        workers: Processes.
        progress: Called with the number of runs done.

    Returns:
        The fit (:class:`Propensities`).
    """
    pairs = oos.dispute_pairs()
    years = record_fit.scored_years(START)
    observed = record_fit.observed_categories(years)
    steps = LOG2_STEPS * math.log(2.0)
    centre = np.ones(len(pairs))
    done: list[Pass] = []
    for _ in range(passes):
        tasks = [
            (
                {p: float(c * math.exp(s)) for p, c in zip(pairs, centre, strict=True)},
                replicates,
                seed,
            )
            for s in steps
            for seed in seeds
        ]
        peaks = run_tasks(_peaks, tasks, workers, progress)
        loglik = np.stack(
            [
                dyad_loglik(np.concatenate(peaks[k * len(seeds) : (k + 1) * len(seeds)]), observed)
                for k in range(len(steps))
            ],
            axis=1,
        )
        log_kappa = np.log(centre)[:, None] + steps[None, :]
        pooled = pool(log_kappa, loglik)
        done.append(Pass(centre=centre, log_kappa=log_kappa, loglik=loglik, pooled=pooled))
        centre = pooled.kappa
    return Propensities(
        pairs=pairs,
        years=years,
        observed=observed,
        passes=tuple(done),
        replicates=replicates,
        seeds=tuple(seeds),
    )


# --------------------------------------------------------------------------------------------
# What ships, and how it reads

#: The ``source`` of every row of ``seeds/propensities.csv``.
SOURCE = (
    "incidents_2013_2024.csv:max_rung (2014-2019, recalled: fitted by geosim calibrate "
    "--propensities, sim/studies/propensity.py, as exp of the posterior mean of log kappa under "
    "partial pooling over the dispute dyads, every other coefficient at its shipped value)"
)


#: How a best value alone at a grid end reads: the likelihood still rises beyond it.
EDGE_WORDS = {-1: "upper limit", 0: "", 1: "lower limit"}


def table(fit: Propensities) -> pd.DataFrame:
    """One row per dyad: the shipped propensity, its interval, the unpooled best, the record."""
    final = fit.final
    rows = []
    for d, (a, b) in enumerate(fit.pairs):
        rows.append(
            {
                "a": a,
                "b": b,
                "propensity": float(f"{final.kappa[d]:.3g}"),
                "low": float(f"{final.low[d]:.3g}"),
                "high": float(f"{final.high[d]:.3g}"),
                "alone": float(f"{final.mle[d]:.3g}"),
                "alone_limit": EDGE_WORDS[int(final.mle_edge[d])],
                "record": " ".join(str(int(c)) for c in fit.observed[:, d]),
                "sigma": float(f"{final.sigma:.3g}"),
                "source": SOURCE,
            }
        )
    return pd.DataFrame(rows)


def write(fit: Propensities, path: Path | None = None) -> Path:
    """Write ``seeds/propensities.csv`` (through a temporary file and a rename).

    Returns:
        The path written.
    """
    path = seeds_dir() / baseline.PROPENSITY_FILE if path is None else path
    hidden = path.with_name(f".{path.name}.tmp")
    table(fit).to_csv(hidden, index=False, lineterminator="\n")
    os.replace(hidden, path)
    return path


def markdown(fit: Propensities) -> str:
    """The fit as a markdown table, with the pooling's standard deviation and each pass."""
    final = fit.final
    first = fit.passes[0].pooled
    lines = [
        f"Dyad propensities: the record's dyad-years {fit.years[0]}–{fit.years[-1]}, "
        f"{len(fit.seeds)} × {fit.replicates} replicates at each of {len(LOG2_STEPS)} "
        f"multipliers, {len(fit.passes)} pass(es)",
        "",
        f"Pooling: sd of log ψ {final.sigma:.2f} (the record supports "
        f"{final.sigma_range[0]:.2f}–{final.sigma_range[1]:.2f}; first pass "
        f"{first.sigma:.2f}); interval: the posterior's {INTERVAL[0]:.0%}–{INTERVAL[1]:.0%}",
        "",
        "| dyad | record (max rung by year) | ψ | interval | alone (no pooling) | first pass |",
        "|---|---|---:|---|---:|---:|",
    ]
    for d, (a, b) in enumerate(fit.pairs):
        record = " ".join(str(int(c)) for c in fit.observed[:, d])
        alone = {-1: "≤ ", 0: "", 1: "≥ "}[int(final.mle_edge[d])] + f"{final.mle[d]:.3g}"
        lines.append(
            f"| {a}–{b} | {record} | {final.kappa[d]:.3g} | {final.low[d]:.3g}–"
            f"{final.high[d]:.3g} | {alone} | {first.kappa[d]:.3g} |"
        )
    return "\n".join(lines)
