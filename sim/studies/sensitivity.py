"""Which judgement drives a comparison's answer: the free coefficients ranked per difference.

A comparison run with parameter uncertainty (:func:`sim.studies.compare.run_comparison` with
``parameter_sets``) gives, for every outcome, the paired difference of each scenario from the
reference averaged within each coefficient set. Across the sets (a Latin hypercube over the
priors) that difference varies with the coefficients; a coefficient's **share** of its variance
is estimated by the squared Spearman correlation ``ρ²`` between the coefficient and the
difference, the first-order share of a monotone effect (the rank form of the standardised
regression coefficient, Saltelli et al. 2008, §1.2). It is cheap and needs no design of its own,
but it sees only monotone main effects, and with ``K`` sets a share below about ``4 / K`` cannot
be told from zero: the report says so. Monte-Carlo noise within a set adds variance that no
coefficient explains, so the shares sum to less than one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.studies.compare import Comparison, outcomes, set_means

#: Coefficients kept per outcome in the table.
TOP = 10


def sensitivity(comparison: Comparison, top: int = TOP) -> pd.DataFrame:
    """The coefficients that move each difference most, ``top`` per scenario and outcome.

    Args:
        comparison: A comparison run with parameter uncertainty.
        top: Coefficients kept per outcome.

    Returns:
        Columns ``scenario, metric, country, coefficient, rho, share, rank, sets, noise_floor``:
        ``rho`` the Spearman correlation across the sets, ``share`` its square, ``rank`` 1 for
        the largest share, ``noise_floor`` the share a coefficient with no effect reaches by
        chance (``4 / sets``). Outcomes whose difference is the same in every set are left out.

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
    rows = []
    for scenario in comparison.names[1:]:
        values = outcomes(comparison.trajectories[scenario])
        diff = np.column_stack([values[key] - reference[key] for key in keys])
        per_set = set_means(diff, comparison.sets)  # (K, outcomes)
        for j, (metric, country) in enumerate(keys):
            column = per_set[:, j]
            if np.ptp(column) == 0:
                continue
            rho = _spearman(stats.rankdata(column), ranked_coefficients)
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
                        "noise_floor": 4.0 / k,
                    }
                )
    return pd.DataFrame(rows)


def _spearman(ranked: np.ndarray, ranked_columns: np.ndarray) -> np.ndarray:
    """Pearson correlation of ranks ``ranked`` (K,) with each column of ``ranked_columns``."""
    a = ranked - ranked.mean()
    b = ranked_columns - ranked_columns.mean(axis=0)
    return (a @ b) / np.sqrt((a @ a) * (b * b).sum(axis=0))
