"""Which judgement drives a comparison's answer: the free coefficients ranked per difference.

A comparison run with parameter uncertainty (:func:`sim.studies.compare.run_comparison` with
``parameter_sets``) gives, for every outcome, the paired difference of each scenario from the
reference averaged within each coefficient set. Across the sets (a Latin hypercube over the
priors) that difference varies with the coefficients. A coefficient's association with it is
the squared Spearman correlation ``ρ²`` across the sets: the share of the difference's variance
a monotone effect of that coefficient alone would explain (the rank form of the standardised
regression coefficient, Saltelli et al. 2008, §1.2). It is cheap and needs no design of its own,
but it sees only monotone main effects; it is not a decomposition (with many coefficients the
``ρ²`` of coefficients with no effect add up to about ``P / K``), and Monte-Carlo noise within a
set adds variance no coefficient explains.

Which associations can be told from chance: ranking ``P`` coefficients, the largest ``ρ²`` of
``P`` coefficients with no effect exceeds a one-test threshold almost surely. Each outcome's
**noise floor** is therefore the 95th percentile of the largest ``ρ²`` over the coefficients when
the outcome's values are shuffled across the sets (:data:`PERMUTATIONS` shuffles, a fixed seed);
an association above it is one that a coefficient with no effect reaches by chance in fewer than
one comparison in twenty. Outcomes whose difference is zero in all but a few sets (fewer than
:data:`MIN_MOVING_SETS` sets move) are not ranked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.studies.compare import Comparison, outcomes, set_means

#: Columns of the table.
COLUMNS = ("scenario", "metric", "country", "coefficient", "rho", "share", "rank", "sets")
COLUMNS += ("noise_floor",)
#: Coefficients kept per outcome in the table.
TOP = 10
#: Shuffles of an outcome across the sets for its noise floor.
PERMUTATIONS = 200
#: Fewest sets with a non-zero difference for an outcome to be ranked.
MIN_MOVING_SETS = 10


def sensitivity(comparison: Comparison, top: int = TOP) -> pd.DataFrame:
    """The coefficients that move each difference most, ``top`` per scenario and outcome.

    Args:
        comparison: A comparison run with parameter uncertainty.
        top: Coefficients kept per outcome.

    Returns:
        Columns ``scenario, metric, country, coefficient, rho, share, rank, sets, noise_floor``:
        ``rho`` the Spearman correlation across the sets, ``share`` its square (the
        association), ``rank`` 1 for the largest, ``noise_floor`` the outcome's permutation
        threshold (see the module docstring). Outcomes that move in fewer than
        :data:`MIN_MOVING_SETS` sets are left out.

    Raises:
        ValueError: The comparison ran with fixed parameters.
    """
    if comparison.sets is None or comparison.coefficients is None:
        raise ValueError("the comparison ran with fixed parameters: there is nothing to rank")
    names = list(comparison.coefficients[0])
    drawn = np.array([[c[n] for n in names] for c in comparison.coefficients])  # (K, P)
    ranked_coefficients = stats.rankdata(drawn, axis=0)
    reference = outcomes(comparison.trajectories[comparison.reference])
    keys = list(reference)
    k = drawn.shape[0]
    shuffles = np.random.default_rng(2008).permuted(
        np.tile(np.arange(k), (PERMUTATIONS, 1)), axis=1
    )
    rows = []
    for scenario in comparison.names[1:]:
        values = outcomes(comparison.trajectories[scenario])
        diff = np.column_stack([values[key] - reference[key] for key in keys])
        per_set = set_means(diff, comparison.sets)  # (K, outcomes)
        for j, (metric, country) in enumerate(keys):
            column = per_set[:, j]
            if np.count_nonzero(column) < MIN_MOVING_SETS or np.ptp(column) == 0:
                continue
            ranks = stats.rankdata(column)
            rho = _spearman(ranks, ranked_coefficients)
            floor = noise_floor(ranks, ranked_coefficients, shuffles)
            for rank, p in enumerate(np.argsort(-(rho**2))[:top], start=1):
                rows.append(
                    {
                        "scenario": scenario,
                        "metric": metric,
                        "country": country,
                        "coefficient": names[p],
                        "rho": rho[p],
                        "share": rho[p] ** 2,
                        "rank": rank,
                        "sets": k,
                        "noise_floor": floor,
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def noise_floor(ranks: np.ndarray, ranked_columns: np.ndarray, shuffles: np.ndarray) -> float:
    """95th percentile of the largest ``ρ²`` with the columns when ``ranks`` are shuffled.

    Args:
        ranks: The outcome's ranks across the sets, ``(K,)``.
        ranked_columns: The coefficients' ranks, ``(K, P)``.
        shuffles: Permutations of ``0 … K−1``, one per row.
    """
    null = _spearman_rows(ranks[shuffles], ranked_columns)  # (shuffles, P)
    return float(np.quantile((null**2).max(axis=1), 0.95))


def _spearman_rows(ranked_rows: np.ndarray, ranked_columns: np.ndarray) -> np.ndarray:
    """:func:`_spearman` of each row of ``ranked_rows`` (S, K) with each column, ``(S, P)``."""
    a = ranked_rows - ranked_rows.mean(axis=1, keepdims=True)
    b = ranked_columns - ranked_columns.mean(axis=0)
    scale = np.sqrt((a * a).sum(axis=1)[:, None] * (b * b).sum(axis=0)[None, :])
    return (a @ b) / scale


def _spearman(ranked: np.ndarray, ranked_columns: np.ndarray) -> np.ndarray:
    """Pearson correlation of ranks ``ranked`` (K,) with each column of ``ranked_columns``."""
    return _spearman_rows(ranked[None, :], ranked_columns)[0]
