"""Analysing a finished sweep: global sensitivity indices and scenario discovery.

Per-run outcomes are first averaged over each sample's replicates (``p_crisis`` becomes the
probability of a crisis for that configuration), in design order. Then:

- ``sobol``: SALib's Sobol analysis (first-order ``S1`` and total ``ST`` indices with bootstrap
  confidence intervals) on a Saltelli design;
- ``morris``: SALib's elementary effects (``mu*``, ``sigma``) on a Morris design, in the unit
  space the design was drawn in (``mu*`` is the effect of moving a parameter across its whole
  range);
- ``main_effects`` (grid designs): the outcome's mean at each level of each parameter, with a
  95% interval, and the range of those means as the parameter's effect, ranked;
- ``prim``: scenario discovery with the Patient Rule Induction Method of EMA Workbench: the
  box of parameter ranges in which the outcome reaches a threshold, with its coverage and
  density. A threshold that leaves no sample (or every sample) a case is answered with the
  outcome's observed range and a threshold inside it (:func:`suggest_threshold`).

SALib's :class:`~SALib.ProblemSpec` carries the problem from definition to indices, so the order
of samples is the design's own (``design.parquet``), never re-sorted.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.sweep.manifest import Manifest
from sim.sweep.store import SweepError, read_design, read_manifest, read_runs


@dataclass(frozen=True)
class Analysis:
    """Result of one analysis.

    Attributes:
        method: ``sobol``, ``morris``, ``main_effects`` or ``prim``.
        outcome: The outcome analysed.
        table: One row per parameter (indices), per parameter and level (main effects) or per
            restricted parameter (PRIM box).
        summary: Extra numbers (PRIM: coverage, density, mass, threshold, cases; main effects:
            the effects in rank order).
        trajectory: PRIM's peeling trajectory (coverage/density per box), else None.
        notes: What the reader must know about choices made for them (a threshold chosen
            because the default separated nothing), one sentence each.
    """

    method: str
    outcome: str
    table: pd.DataFrame
    summary: dict[str, Any]
    trajectory: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()


#: Analyses by design: a design's own index method, main effects for a grid, else PRIM.
OWN_METHOD = {"sobol": "sobol", "morris": "morris", "grid": "main_effects"}

#: PRIM's threshold when none is given: a probability outcome (``p_crisis``) is then "more
#: likely than not".
DEFAULT_THRESHOLD = 0.5

#: The quantile of the sample means suggested as a threshold when the one asked for separates
#: nothing: the top quarter of the samples are then cases, enough for PRIM to peel a box even
#: in a small sweep (a 90th percentile would leave 5 cases of 48).
SUGGESTED_QUANTILE = 0.75


def default_method(manifest: Manifest) -> str:
    """The natural analysis of a design: its own index method, main effects of a grid, else PRIM."""
    return OWN_METHOD.get(manifest.design.method, "prim")


def sample_means(out: Path, outcome: str) -> tuple[Manifest, pd.DataFrame, np.ndarray]:
    """Design and per-sample mean of an outcome over replicates, in design order.

    Returns:
        ``(manifest, design, y)``: the manifest, ``design.parquet`` as a DataFrame and ``y``
        with one value per sample.

    Raises:
        SweepError: If the outcome is unknown, runs failed, or parts are missing or damaged
            (:func:`~sim.sweep.store.read_runs` names them and the command that redoes them).
    """
    manifest, design, runs = _valid_runs(out, outcome)
    y = runs.groupby("sample", sort=True)[outcome].mean().to_numpy()
    return manifest, design, y


def _valid_runs(out: Path, outcome: str) -> tuple[Manifest, pd.DataFrame, pd.DataFrame]:
    """Manifest, design and every run of a finished sweep whose runs are all valid."""
    manifest = read_manifest(out)
    if outcome not in manifest.outcomes:
        raise SweepError(
            f"outcome {outcome!r} was not recorded in {out}; recorded: "
            + ", ".join(manifest.outcomes)
        )
    design = read_design(out, manifest)
    runs = read_runs(out, manifest)
    bad = runs[runs["status"] != "ok"]
    if len(bad):
        first = bad.iloc[0]
        raise SweepError(
            f"{len(bad):,} runs have status other than ok (first: sample {first['sample']}: "
            f"{first['message']}); narrow the parameter ranges so every sample is valid"
        )
    return manifest, design, runs


#: Seed of SALib's bootstrap, so that confidence intervals repeat exactly. Not 0: SALib's Sobol
#: analysis treats a seed of 0 as no seed (``if seed:``) and resamples differently every time.
BOOTSTRAP_SEED = 1


def _problem_spec(manifest: Manifest) -> Any:
    from SALib import ProblemSpec

    names = [p.path for p in manifest.parameters]
    return ProblemSpec({"names": names, "bounds": [[0.0, 1.0]] * len(names), "outputs": ["y"]})


def sobol(out: Path, outcome: str, *, seed: int = BOOTSTRAP_SEED) -> Analysis:
    """First-order and total Sobol indices of an outcome (Saltelli design required)."""
    if not seed:
        raise ValueError("SALib ignores a bootstrap seed of 0; use a positive seed")
    manifest, design, y = sample_means(out, outcome)
    _require(manifest, "sobol")
    spec = _problem_spec(manifest)
    d = len(manifest.parameters)
    if len(y) % (d + 2):
        raise SweepError(f"{len(y)} samples do not form a Saltelli design of {d} parameters")
    spec.set_samples(_unit(design, manifest)).set_results(y)
    spec.analyze_sobol(calc_second_order=False, print_to_console=False, seed=seed)
    total, first = spec.analysis.to_df()
    table = pd.concat([first, total], axis=1).rename_axis("parameter").reset_index()
    table = table[["parameter", "S1", "S1_conf", "ST", "ST_conf"]]
    return Analysis("sobol", outcome, table, {"samples": len(y), "variance": float(np.var(y))})


def morris(out: Path, outcome: str, *, seed: int = BOOTSTRAP_SEED) -> Analysis:
    """Morris elementary effects of an outcome (Morris design required)."""
    manifest, design, y = sample_means(out, outcome)
    _require(manifest, "morris")
    spec = _problem_spec(manifest)
    levels = manifest.spec.design.levels or 4
    spec.set_samples(_unit(design, manifest)).set_results(y)
    spec.analyze_morris(num_levels=levels, print_to_console=False, seed=seed)
    table = spec.analysis.to_df().rename_axis("parameter").reset_index()
    table = table[["parameter", "mu", "mu_star", "mu_star_conf", "sigma"]]
    return Analysis("morris", outcome, table, {"samples": len(y)})


def main_effects(out: Path, outcome: str, *, confidence: float = 0.95) -> Analysis:
    """Main effects of a grid: the outcome's mean at each level of each parameter.

    On a full grid every level of a parameter meets every combination of the other
    parameters' levels equally often, so the means at its levels differ by its own effect,
    averaged over the others (the main-effects plot of a factorial design). Each mean is over
    every run at that level (its samples and their replicates), with a Student-t interval
    over those runs. A parameter's effect is the range of its level means (largest minus
    smallest); the table ranks the parameters by it, largest first.

    The intervals treat runs as independent. Runs of one replicate share their random numbers
    across samples (common random numbers), so the differences between levels are known more
    precisely than overlapping intervals suggest.

    Args:
        out: The sweep directory (a grid design).
        outcome: The outcome to average.
        confidence: Coverage of the intervals.

    Returns:
        An analysis whose table has one row per parameter and level (``parameter``, ``rank``,
        ``effect``, ``level``, ``runs``, ``mean``, ``low``, ``high``), parameters in rank
        order and levels in their own order (numbers ascending, listed values as listed).
    """
    from scipy import stats

    manifest, design, runs = _valid_runs(out, outcome)
    drawn = manifest.design.method
    if drawn != "grid":
        raise SweepError(
            f"main effects need a grid design, whose levels meet each other equally often, but "
            f"this sweep used '{drawn}'; try --method {default_method(manifest)}"
        )
    blocks: dict[str, pd.DataFrame] = {}
    for param in manifest.parameters:
        if param.kind == "json":
            order = list(pd.unique(design[param.path]))  # the spec's order of the values
        else:
            order = sorted(pd.unique(design[param.path]))
        grouped = runs.groupby(param.path, sort=False)[outcome]
        level = grouped.agg(["count", "mean", "std"]).reindex(order)
        half = stats.t.ppf(0.5 + confidence / 2, level["count"] - 1) * (
            level["std"] / np.sqrt(level["count"])
        )
        blocks[param.path] = pd.DataFrame(
            {
                "parameter": param.path,
                "effect": level["mean"].max() - level["mean"].min(),
                "level": order,
                "runs": level["count"].to_numpy(),
                "mean": level["mean"].to_numpy(),
                "low": (level["mean"] - half).to_numpy(),
                "high": (level["mean"] + half).to_numpy(),
            }
        )
    effects = {name: float(block["effect"].iloc[0]) for name, block in blocks.items()}
    ranked = sorted(effects, key=lambda name: -effects[name])  # stable: spec order on ties
    table = pd.concat([blocks[name] for name in ranked], ignore_index=True)
    table.insert(1, "rank", table["parameter"].map({name: k + 1 for k, name in enumerate(ranked)}))
    summary = {
        "samples": len(design),
        "replicates": manifest.spec.replicates,
        "runs": len(runs),
        "confidence": confidence,
        "mean": float(runs[outcome].mean()),
        "effects": {name: effects[name] for name in ranked},
    }
    return Analysis("main_effects", outcome, table, summary)


def prim(
    out: Path, outcome: str, *, threshold: float | None = None, density: float = 0.8
) -> Analysis:
    """Scenario discovery: the box of parameter values where ``outcome ≥ threshold``.

    PRIM peels the parameter space box by box; the box reported is the first on the peeling
    trajectory whose density (share of its samples that are cases of interest) reaches
    ``density``, or the densest one if none does.

    Args:
        out: The sweep directory.
        outcome: The outcome whose sample means define the cases.
        threshold: A sample is a case when its mean outcome is at least this. None: 0.5
            (:data:`DEFAULT_THRESHOLD`), unless that leaves no sample, or every sample, a
            case; then the suggested threshold (:func:`suggest_threshold`), which the
            result's notes state with the outcome's observed range.
        density: The density the reported box must reach.

    Raises:
        SweepError: When the threshold given leaves no sample (or every sample) a case: the
            message gives the outcome's observed range and quantiles, and a threshold inside
            them.
    """
    with warnings.catch_warnings():  # EMA Workbench warns about its optional parallel backend
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim as ema_prim

    manifest, design, y = sample_means(out, outcome)
    threshold, chosen_by, notes = _case_threshold(y, outcome, threshold)
    cases = y >= threshold
    x = pd.DataFrame(
        {
            p.path: design[p.path].astype("category")
            if p.kind == "json"
            else design[p.path].astype(float)
            for p in manifest.parameters
        }
    )
    import logging

    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():  # pandas deprecations inside EMA Workbench
        warnings.simplefilter("ignore")
        box = ema_prim.Prim(x, cases.astype(int), mass_min=0.05).find_box()
    trajectory = box.peeling_trajectory.copy()
    dense = np.nonzero(trajectory["density"].to_numpy() >= density)[0]
    chosen = int(dense[0]) if len(dense) else int(trajectory["density"].to_numpy().argmax())
    box.select(chosen)
    limits = box.box_lims[chosen]
    initial = box.prim.box_init
    rows = []
    for name in limits.columns:
        low, high = limits[name].iloc[0], limits[name].iloc[1]
        if isinstance(low, set | frozenset):
            if set(low) == set(initial[name].iloc[0]):
                continue
            rows.append({"parameter": name, "low": None, "high": None, "values": sorted(low)})
        elif (low, high) != (initial[name].iloc[0], initial[name].iloc[1]):
            rows.append({"parameter": name, "low": float(low), "high": float(high), "values": None})
    table = pd.DataFrame(rows, columns=["parameter", "low", "high", "values"])
    summary = {
        "threshold": threshold,
        "threshold_chosen_by": chosen_by,
        "cases": int(cases.sum()),
        "samples": len(y),
        "box": chosen,
        "coverage": float(trajectory["coverage"].iloc[chosen]),
        "density": float(trajectory["density"].iloc[chosen]),
        "mass": float(trajectory["mass"].iloc[chosen]),
    }
    return Analysis("prim", outcome, table, summary, trajectory, notes)


def suggest_threshold(y: np.ndarray) -> tuple[float, str] | None:
    """A threshold that makes some samples cases and leaves others out, and what it is.

    The 75th percentile of the sample means (:data:`SUGGESTED_QUANTILE`), to three
    significant figures when that still separates the samples. When three quarters or more
    of the samples share the lowest mean (a rare event in a short sweep), the lowest mean
    above it instead.

    Args:
        y: The sample means of an outcome.

    Returns:
        ``(threshold, description)``, or None when every sample has the same mean.
    """
    low, high = float(np.min(y)), float(np.max(y))
    if low == high:
        return None
    value = float(np.quantile(y, SUGGESTED_QUANTILE))
    which = f"the {SUGGESTED_QUANTILE * 100:.0f}th percentile"
    if value <= low:
        value, which = float(np.min(y[y > low])), "the lowest sample mean above the minimum"
    rounded = float(f"{value:.3g}")
    if low < rounded <= high:
        value = rounded
    return value, which


def spread_of(y: np.ndarray, outcome: str) -> str:
    """The observed range and quantiles of an outcome's sample means, in words."""
    q25, q50, q75, q90 = np.quantile(y, [0.25, 0.5, 0.75, 0.9])
    return (
        f"the {len(y):,} sample means of {outcome} range from {np.min(y):.4g} to "
        f"{np.max(y):.4g} (quartiles {q25:.4g}, {q50:.4g}, {q75:.4g}; 90th percentile "
        f"{q90:.4g})"
    )


def _case_threshold(
    y: np.ndarray, outcome: str, given: float | None
) -> tuple[float, str, tuple[str, ...]]:
    """The threshold PRIM uses, who chose it (given, default, suggested) and notes on it.

    A threshold the user gave is their definition of a case, so one that separates nothing is
    refused with a suggestion rather than silently replaced; the default is nobody's choice,
    so it gives way to the suggestion, and the notes say so.
    """
    asked = DEFAULT_THRESHOLD if given is None else given
    cases = y >= asked
    if cases.any() and not cases.all():
        return asked, "default" if given is None else "given", ()
    problem = f"{'no' if not cases.any() else 'every'} sample has {outcome} ≥ {asked:g}"
    suggestion = suggest_threshold(y)
    if suggestion is None:
        raise SweepError(
            f"{problem}: nothing to discover; every sample has the same mean ({y[0]:.6g}), "
            "so no threshold separates them"
        )
    value, which = suggestion
    share = f"{int((y >= value).sum()):,} of {len(y):,} samples are cases"
    if given is not None:
        raise SweepError(
            f"{problem}: nothing to discover\n  hint: {spread_of(y, outcome)}; try "
            f"--threshold {value:g} ({which}: {share})"
        )
    note = (
        f"the default threshold {asked:g} separates nothing ({problem}); "
        f"{spread_of(y, outcome)}; using {value:g}, {which} ({share}); give --threshold to "
        "choose another"
    )
    return value, "suggested", (note,)


def _require(manifest: Manifest, method: str) -> None:
    drawn = manifest.design.method
    if drawn != method:
        own = default_method(manifest)
        raise SweepError(
            f"{method} indices need a {method} design, but this sweep used '{drawn}'; try "
            + (f"--method {own}, or " if own != "prim" else "")
            + "--method prim for scenario discovery"
        )


def _unit(design: pd.DataFrame, manifest: Manifest) -> np.ndarray:
    return design[[f"unit.{p.path}" for p in manifest.parameters]].to_numpy()


def analyze(
    out: Path,
    *,
    method: str | None = None,
    outcome: str | None = None,
    threshold: float | None = None,
) -> Analysis:
    """Run the chosen analysis on one outcome.

    Args:
        out: The sweep directory.
        method: ``sobol``, ``morris``, ``main_effects`` or ``prim``. None: PRIM when a
            threshold is given (only PRIM takes one), else the design's own
            (:func:`default_method`).
        outcome: The outcome to analyse [the sweep's first].
        threshold: PRIM's threshold (see :func:`prim`).
    """
    manifest = read_manifest(out)
    if method is None and threshold is not None:
        method = "prim"
    method = method or default_method(manifest)
    outcome = outcome or manifest.outcomes[0]
    if method == "sobol":
        return sobol(out, outcome)
    if method == "morris":
        return morris(out, outcome)
    if method == "main_effects":
        return main_effects(out, outcome)
    return prim(out, outcome, threshold=threshold)
