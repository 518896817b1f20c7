"""Analysing a finished sweep: global sensitivity indices and scenario discovery.

Per-run outcomes are first averaged over each sample's replicates (``p_crisis`` becomes the
probability of a crisis for that configuration), in design order. Then:

- ``sobol``: SALib's Sobol analysis (first-order ``S1`` and total ``ST`` indices with bootstrap
  confidence intervals) on a Saltelli design;
- ``morris``: SALib's elementary effects (``mu*``, ``sigma``) on a Morris design, in the unit
  space the design was drawn in (``mu*`` is the effect of moving a parameter across its whole
  range);
- ``prim``: scenario discovery with the Patient Rule Induction Method of EMA Workbench: the
  box of parameter ranges in which the outcome reaches a threshold, with its coverage and
  density.

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
        method: ``sobol``, ``morris`` or ``prim``.
        outcome: The outcome analysed.
        table: One row per parameter (indices) or per restricted parameter (PRIM box).
        summary: Extra numbers (PRIM: coverage, density, mass, threshold, cases).
        trajectory: PRIM's peeling trajectory (coverage/density per box), else None.
    """

    method: str
    outcome: str
    table: pd.DataFrame
    summary: dict[str, Any]
    trajectory: pd.DataFrame | None = None


def default_method(manifest: Manifest) -> str:
    """The natural analysis of a design: its own index method, else PRIM."""
    method = manifest.design.method
    return method if method in ("sobol", "morris") else "prim"


def sample_means(out: Path, outcome: str) -> tuple[Manifest, pd.DataFrame, np.ndarray]:
    """Design and per-sample mean of an outcome over replicates, in design order.

    Returns:
        ``(manifest, design, y)``: the manifest, ``design.parquet`` as a DataFrame and ``y``
        with one value per sample.

    Raises:
        SweepError: If the outcome is unknown, runs failed, or parts are missing or damaged
            (:func:`~sim.sweep.store.read_runs` names them and the command that redoes them).
    """
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
    y = runs.groupby("sample", sort=True)[outcome].mean().to_numpy()
    return manifest, design, y


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


def prim(out: Path, outcome: str, *, threshold: float, density: float = 0.8) -> Analysis:
    """Scenario discovery: the box of parameter values where ``outcome ≥ threshold``.

    PRIM peels the parameter space box by box; the box reported is the first on the peeling
    trajectory whose density (share of its samples that are cases of interest) reaches
    ``density``, or the densest one if none does.
    """
    with warnings.catch_warnings():  # EMA Workbench warns about its optional parallel backend
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim as ema_prim

    manifest, design, y = sample_means(out, outcome)
    cases = y >= threshold
    if not cases.any() or cases.all():
        share = "no" if not cases.any() else "every"
        low, high = float(np.min(y)), float(np.max(y))
        advice = (
            f"every sample has the same mean ({low:.6g}), so no threshold separates them"
            if low == high
            else f"choose a threshold above {low:.6g} and at most {high:.6g}"
        )
        raise SweepError(
            f"{share} sample has {outcome} ≥ {threshold}: nothing to discover; {advice}"
        )
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
        "cases": int(cases.sum()),
        "samples": len(y),
        "box": chosen,
        "coverage": float(trajectory["coverage"].iloc[chosen]),
        "density": float(trajectory["density"].iloc[chosen]),
        "mass": float(trajectory["mass"].iloc[chosen]),
    }
    return Analysis("prim", outcome, table, summary, trajectory)


def _require(manifest: Manifest, method: str) -> None:
    drawn = manifest.design.method
    if drawn != method:
        raise SweepError(
            f"{method} indices need a {method} design, but this sweep used '{drawn}'"
            + ("; try --method prim for scenario discovery" if drawn != "morris" else "")
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
    """Run the chosen analysis (default: the design's own method, on its first outcome)."""
    manifest = read_manifest(out)
    method = method or default_method(manifest)
    outcome = outcome or manifest.outcomes[0]
    if method == "sobol":
        return sobol(out, outcome)
    if method == "morris":
        return morris(out, outcome)
    if threshold is None:
        threshold = 0.5
    return prim(out, outcome, threshold=threshold)
