"""Sweep specifications: which scenario parameters vary, how they are sampled, what is measured.

A sweep spec is a YAML file read as safely and validated as strictly as a scenario (same error
format: file, line, field path, hint). It names a base scenario, the parameters that vary (as
scenario field paths, e.g. ``parameters.arms.reaction`` or ``policies.sea_training.usd_m_per_year``)
with a range, a list of values or a distribution, a design (``grid``, ``random``, ``lhs``,
``sobol``, ``morris``), replicates per sample, a seed and the outcomes to record.

Every design is drawn in the unit hypercube first and mapped to parameter values by one
function (:meth:`ParameterSpec.from_unit`), so a distribution means the same thing in every
design. Sobol and Morris samples come from SALib (in unit space, so its analysis reads them
back in the same order); LHS from ``scipy.stats.qmc``.
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.core import metrics
from sim.scenario.baseline import country_codes
from sim.scenario.ladder import ESCALATION_LEVELS
from sim.scenario.loader import load_raw, load_scenario, resolve, resolve_reference
from sim.scenario.problems import (
    Problem,
    ScenarioError,
    SourceMap,
    closest,
    display_path,
    dotted,
)
from sim.scenario.resources import sweeps_dir
from sim.scenario.schema import Scenario
from sim.scenario.translate import problems_from

#: Outcomes recorded when a spec names none.
DEFAULT_OUTCOMES = (
    "p_crisis",
    "p_war",
    "max_escalation",
    "regional_tension",
    "polarization",
    "hedgers",
    "us_credibility",
)

#: Most runs one sweep may ask for.
MAX_RUNS = 100_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class ParameterSpec(_Strict):
    """How one scenario field varies across the sweep.

    Exactly one of ``range``, ``values`` or ``distribution`` is given.

    Attributes:
        range: ``[low, high]``: uniform between the two (inclusive ends on a grid).
        values: A list of values (numbers, text or whole mappings); drawn with equal weight.
        distribution: ``normal``, ``lognormal`` or ``triangular``.
        mean: Mean of a normal distribution (or of the logarithm, for lognormal).
        sd: Standard deviation of a normal distribution (or of the logarithm).
        mode: Most likely value of a triangular distribution (with ``bounds``).
        bounds: ``[low, high]`` truncating a normal distribution; required for triangular.
        levels: Grid points for a range or distribution (grid design only).
        integer: Round drawn values to whole numbers (default: when the base value is whole).
    """

    range: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    values: Annotated[list[Any], Field(min_length=1)] | None = None
    distribution: Literal["normal", "lognormal", "triangular"] | None = None
    mean: Annotated[float, Field(ge=-1e12, le=1e12)] | None = None
    sd: Annotated[float, Field(gt=0, le=1e12)] | None = None
    mode: float | None = None
    bounds: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    levels: Annotated[int, Field(ge=2, le=1000)] | None = None
    integer: bool | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ParameterSpec:
        given = [k for k in ("range", "values", "distribution") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'range: [low, high]', 'values: [...]' or "
                f"'distribution: ...' (got {', '.join(given) or 'none'})"
            )
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range must be [low, high] with low < high, got {list(self.range)}")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"bounds must be [low, high] with low < high, got {list(self.bounds)}")
        if self.distribution in ("normal", "lognormal") and (self.mean is None or self.sd is None):
            raise ValueError(f"a {self.distribution} distribution needs 'mean' and 'sd'")
        if self.distribution == "lognormal" and (abs(self.mean) > 700 or self.sd > 100):  # type: ignore[arg-type]
            raise ValueError(
                "a lognormal's 'mean' and 'sd' are those of the logarithm: |mean| at most 700 "
                "and sd at most 100 keep exp() finite"
            )
        if self.distribution == "triangular":
            if self.bounds is None or self.mode is None:
                raise ValueError("a triangular distribution needs 'bounds: [low, high]' and 'mode'")
            if not self.bounds[0] <= self.mode <= self.bounds[1]:
                raise ValueError(f"mode {self.mode} must lie within bounds {list(self.bounds)}")
        if self.values is not None and self.levels is not None:
            raise ValueError("'levels' applies to a range or a distribution, not to 'values'")
        return self

    @property
    def numeric(self) -> bool:
        """Whether values come from a continuous range or distribution (not a list)."""
        return self.values is None

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map points of the unit interval to parameter values (the inverse CDF).

        Args:
            u: Points in [0, 1].

        Returns:
            One value per point: floats (ints when ``integer``), or items of ``values``.
        """
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.values is not None:
            index = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [copy.deepcopy(self.values[i]) for i in index]
        # scipy.stats takes 0.4 s to import; workers, which never sample, are spared it.
        from scipy import stats

        if self.range is not None:
            low, high = self.range
            x = low + u * (high - low)
        elif self.distribution == "triangular":
            low, high = self.bounds  # type: ignore[misc]
            c = (self.mode - low) / (high - low)  # type: ignore[operator]
            x = stats.triang.ppf(u, c, loc=low, scale=high - low)
        elif self.distribution == "lognormal":
            x = stats.lognorm.ppf(_open(u), s=self.sd, scale=math.exp(self.mean))  # type: ignore[arg-type]
        else:
            if self.bounds is None:
                x = stats.norm.ppf(_open(u), loc=self.mean, scale=self.sd)
            else:
                a = (self.bounds[0] - self.mean) / self.sd  # type: ignore[operator]
                b = (self.bounds[1] - self.mean) / self.sd  # type: ignore[operator]
                x = stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd)
        if self.integer:
            return [int(v) for v in np.rint(x)]
        return [float(v) for v in x]

    def grid_points(self, default_levels: int) -> np.ndarray:
        """Unit-interval points of this parameter on a full-factorial grid."""
        if self.values is not None:
            return (np.arange(len(self.values)) + 0.5) / len(self.values)
        levels = self.levels or default_levels
        if self.range is not None:
            return np.linspace(0.0, 1.0, levels)
        return (np.arange(levels) + 0.5) / levels  # quantile midpoints of a distribution

    def probes(self) -> list[Any]:
        """The lowest, middle and highest values that can be drawn (to validate up front)."""
        if self.values is not None:
            return self.values
        bounded = self.range is not None or self.bounds is not None
        return self.from_unit(np.array([0.0, 0.5, 1.0] if bounded else [0.001, 0.5, 0.999]))


def _open(u: np.ndarray) -> np.ndarray:
    """Keep unbounded inverse CDFs finite at the ends of the unit interval."""
    return np.clip(u, 1e-9, 1.0 - 1e-9)


class Design(_Strict):
    """How samples are drawn.

    Attributes:
        method: ``grid`` (full factorial), ``random`` (Monte Carlo), ``lhs`` (Latin hypercube),
            ``sobol`` (Saltelli's scheme for Sobol indices) or ``morris`` (elementary effects).
        samples: Samples for ``random``/``lhs``; base samples N for ``sobol`` (a power of two;
            the design has N·(D+2) samples); trajectories for ``morris`` (N·(D+1) samples).
        levels: Grid points per range (``grid``, default 5) or Morris levels (default 4).
    """

    method: Literal["grid", "random", "lhs", "sobol", "morris"]
    samples: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    levels: Annotated[int, Field(ge=2, le=1000)] | None = None

    @model_validator(mode="after")
    def _size_fits(self) -> Design:
        method, size = self.method, self.samples
        if method == "grid" and size is not None:
            raise ValueError(
                "a grid has no 'samples': its size is the product of the parameters' levels"
            )
        if method != "grid" and size is None:
            raise ValueError(f"design '{method}' needs 'samples: <count>'")
        if method == "sobol" and size is not None and size & (size - 1):
            lower = 1 << (size.bit_length() - 1)
            raise ValueError(
                f"sobol base samples must be a power of two (Saltelli's scheme), got {size}; "
                f"try {lower} or {2 * lower}"
            )
        return self


class SweepSpec(_Strict):
    """A validated sweep specification (see ``docs/sweeps.md``).

    Attributes:
        name: Identifier of the sweep.
        description: Free text.
        base: Shipped scenario name or path (relative to the spec's folder) that samples vary.
        parameters: Scenario field path → how it varies.
        design: The sampling design.
        replicates: Runs per sample (each with its own random stream, common across samples).
        seed: Base seed of the runs and of the design; defaults to the base scenario's.
        outcomes: Outcome names or shell-style patterns (``alignment.*``).
        timeseries: Monthly metrics to record as well (slower; empty: none).
        chunk_size: Runs per chunk (the unit of work, retry and resume); default: a whole
            number of samples near 1/64 of the sweep, between 100 and 2,000 runs.
    """

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", max_length=80)]
    description: str = ""
    base: Annotated[str, Field(min_length=1)]
    parameters: Annotated[dict[str, ParameterSpec], Field(min_length=1)]
    design: Design
    replicates: Annotated[int, Field(ge=1, le=100_000)] = 10
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None
    outcomes: list[str] = Field(default_factory=lambda: list(DEFAULT_OUTCOMES))
    timeseries: list[str] = Field(default_factory=list)
    chunk_size: Annotated[int, Field(ge=1, le=1_000_000)] | None = None

    @model_validator(mode="after")
    def _design_fits(self) -> SweepSpec:
        method = self.design.method
        if method in ("sobol", "morris"):
            listed = [path for path, p in self.parameters.items() if not p.numeric]
            if listed:
                raise ValueError(
                    f"{method} designs need numeric parameters; {', '.join(listed)} "
                    "use 'values' (use a grid, random or lhs design for lists)"
                )
        if method == "morris" and any(p.distribution for p in self.parameters.values()):
            raise ValueError("morris designs take 'range' parameters only")
        return self


@dataclass(frozen=True)
class Sweep:
    """A loaded sweep: the spec, the resolved base scenario and the design's samples.

    The design is drawn when first used (:attr:`unit`), so reading and sizing a spec (``geosim
    list --sweeps``) needs neither the time to draw it nor SALib, which draws Sobol and Morris
    designs and comes with the ``sweep`` extra.

    Attributes:
        spec: The validated spec.
        source: Path of the spec file.
        base_data: The base scenario as plain data (``extends`` resolved).
        base: The validated base scenario.
        seed: Base seed of runs and design.
        outcomes: Outcome names (patterns expanded).
    """

    spec: SweepSpec
    source: Path
    base_data: dict[str, Any]
    base: Scenario
    seed: int
    outcomes: tuple[str, ...]

    @cached_property
    def unit(self) -> np.ndarray:
        """Design points in the unit hypercube, ``(S, D)``, drawn once on first use.

        Values are mapped from them chunk by chunk (:meth:`values_of`), so memory does not
        grow with parameter lists.
        """
        return unit_design(self.spec, self.seed)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Scenario paths of the varied parameters, in spec order."""
        return tuple(self.spec.parameters)

    @property
    def samples(self) -> int:
        """Number of samples S (the design's size, known without drawing it)."""
        return design_size(self.spec)

    @property
    def runs(self) -> int:
        """Total runs: samples × replicates."""
        return self.samples * self.spec.replicates

    @property
    def chunk_size(self) -> int:
        """Runs per chunk: the spec's, or whole samples making about 64 chunks.

        A chunk holds at least about 256 runs (so that samples with few replicates fill the
        engine's arrays, see :mod:`sim.core.batch`) and at most about 2,000.
        """
        if self.spec.chunk_size is not None:
            return self.spec.chunk_size
        reps = self.spec.replicates
        target = min(max(self.runs // 64, 256), 2_000)
        return reps * max(1, target // reps)

    def values_of(self, start: int, stop: int) -> list[list[Any]]:
        """Parameter values of samples ``start … stop − 1`` (one list per sample)."""
        block = self.unit[start:stop]
        params = self.spec.parameters.values()
        columns = [p.from_unit(block[:, j]) for j, p in enumerate(params)]
        return [list(row) for row in zip(*columns, strict=True)]

    def fingerprint(self) -> str:
        """Hash of everything that determines the runs' results (for safe resumes)."""
        payload = {
            "spec": self.spec.model_dump(mode="json", exclude={"description"}),
            "base": self.base_data,
            "seed": self.seed,
        }
        return _hash(payload)


def config_hash(data: dict[str, Any]) -> str:
    """Hash of one sample's full scenario data (equal configurations share it)."""
    return _hash(data)[:16]


def _hash(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def apply_values(base: dict[str, Any], paths: tuple[str, ...], values: list[Any]) -> dict[str, Any]:
    """Set scenario fields at dotted paths in a deep copy of ``base``.

    Intermediate mappings are created as needed (as ``--set`` does), so a path can name a
    field left at its default, such as ``parameters.arms.reaction``.
    """
    data = copy.deepcopy(base)
    for path, value in zip(paths, values, strict=True):
        node = data
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return data


def outcome_names(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Every outcome a run can record (see :func:`sim.core.engine.final_outcomes`)."""
    names = [f"p_{level}" for level in ESCALATION_LEVELS]
    names += ["max_escalation", "incidents_total"]
    names += [m for m in metrics.MODEL_METRICS if m not in ("incidents", "max_escalation")]
    for metric in (*metrics.COUNTRY_METRICS, "milex_change_pct", *metrics.DECISION_OUTCOMES):
        names += [f"{metric}.{code}" for code in codes]
    return tuple(names)


def timeseries_names(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Every monthly metric a sweep can record."""
    names = list(metrics.MODEL_METRICS)
    for metric in metrics.COUNTRY_METRICS:
        names += [f"{metric}.{code}" for code in codes]
    return tuple(names)


# --------------------------------------------------------------------------------------------
# Designs


def unit_design(spec: SweepSpec, seed: int) -> np.ndarray:
    """Draw the design's points in the unit hypercube, ``(S, D)``, in analysis order."""
    params = list(spec.parameters.values())
    d = len(params)
    method, size = spec.design.method, spec.design.samples
    if method == "grid":
        axes = [p.grid_points(spec.design.levels or 5) for p in params]
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, d)
    if method == "random":
        return np.random.default_rng(seed).random((size, d))  # type: ignore[arg-type]
    if method == "lhs":
        from scipy import stats  # see ParameterSpec.from_unit

        return stats.qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(size)  # type: ignore[arg-type]
    problem = unit_problem(spec)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, size, calc_second_order=False, seed=seed % 2**32)
    from SALib.sample import morris

    return morris.sample(problem, size, num_levels=spec.design.levels or 4, seed=seed % 2**32)


def unit_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem of a spec, in unit space (values are mapped afterwards)."""
    names = list(spec.parameters)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def design_size(spec: SweepSpec) -> int:
    """Number of samples the design will have (without drawing it)."""
    d, method, size = len(spec.parameters), spec.design.method, spec.design.samples or 0
    if method == "grid":
        return math.prod(
            len(p.grid_points(spec.design.levels or 5)) for p in spec.parameters.values()
        )
    if method == "sobol":
        return size * (d + 2)
    if method == "morris":
        return size * (d + 1)
    return size


# --------------------------------------------------------------------------------------------
# Loading


def resolve_sweep(ref: str | Path) -> Path:
    """Find a sweep spec: a shipped spec name (``scenarios/sweeps/<name>.yaml``) or a path."""
    if isinstance(ref, Path) or "/" in str(ref) or str(ref).endswith((".yaml", ".yml")):
        return resolve_reference(Path(ref))
    shipped = sweeps_dir() / f"{ref}.yaml"
    if shipped.is_file():
        return shipped
    names = sorted(p.stem for p in sweeps_dir().glob("*.yaml"))
    raise ScenarioError(
        [
            Problem(
                str(ref),
                None,
                "(file)",
                f"no sweep spec named {ref!r}",
                f"shipped sweeps: {', '.join(names)}; or give a path to a YAML file",
            )
        ]
    )


def load_sweep(ref: str | Path) -> Sweep:
    """Read, validate and expand a sweep spec.

    Besides the schema, every parameter path is checked against the base scenario: the sweep
    sets the lowest, highest and a middle value into the base scenario and validates it, so a
    misspelt path or an out-of-range value is reported before anything runs.

    Args:
        ref: Shipped sweep name or path of a YAML file.

    Returns:
        The loaded sweep (its design is drawn on first use).

    Raises:
        ScenarioError: Listing every problem with file, line, field path and hint.
    """
    path = resolve_sweep(ref)
    data, lines = load_raw(path)
    file = display_path(path)
    sources = SourceMap({key: (file, line) for key, line in lines.items()})
    sources[()] = (file, None)
    try:
        spec = SweepSpec.model_validate(data, strict=True)
    except ValidationError as exc:
        raise ScenarioError(problems_from(exc, sources, root=SweepSpec)) from None

    def problem(where: tuple[str, ...], message: str, hint: str | None = None) -> Problem:
        at_file, line = sources.locate(where)
        return Problem(at_file, line, dotted(where), message, hint)

    try:
        base_path = resolve_reference(spec.base, path)
    except ScenarioError as exc:
        raise ScenarioError([problem(("base",), p.message, p.hint) for p in exc.problems]) from None
    try:
        base_data, _ = resolve(base_path)
        base = load_scenario(base_path)
    except ScenarioError as exc:
        first = problem(("base",), f"the base scenario {spec.base!r} is invalid:")
        raise ScenarioError([first, *exc.problems]) from None
    seed = base.seed if spec.seed is None else spec.seed

    problems = _check_parameters(spec, base_data, base, problem)
    codes = country_codes()
    outcomes, more = _expand(spec.outcomes, outcome_names(codes), "outcomes", problem)
    series, even_more = _expand(spec.timeseries, timeseries_names(codes), "timeseries", problem)
    problems += more + even_more
    size = design_size(spec)
    if size * spec.replicates > MAX_RUNS:
        problems.append(
            problem(
                ("design",),
                f"the sweep asks for {size * spec.replicates:,} runs, more than {MAX_RUNS:,}",
                "split it into several sweeps",
            )
        )
    if problems:
        raise ScenarioError(problems)
    spec = spec.model_copy(update={"timeseries": list(series)})
    return Sweep(spec, path, base_data, base, seed, tuple(outcomes))


def recorded_sweep(spec: SweepSpec, source: Path, base_data: dict[str, Any], seed: int) -> Sweep:
    """The sweep a sweep directory records: its spec as run, its base scenario's data, its seed.

    Its fingerprint is that of the sweep :func:`load_sweep` gave when it started, unless the
    record was changed since (the caller compares them).

    Raises:
        ValidationError: When ``base_data`` is not a valid scenario.
    """
    base = Scenario.model_validate(base_data, strict=True)
    outcomes = _matching(spec.outcomes, outcome_names(country_codes()))
    return Sweep(spec, source, base_data, base, seed, tuple(outcomes))


def _matching(patterns: list[str], known: tuple[str, ...]) -> list[str]:
    """The known names each pattern matches, in pattern order, each once."""
    chosen: list[str] = []
    for pattern in patterns:
        chosen += [n for n in known if fnmatch.fnmatchcase(n, pattern) and n not in chosen]
    return chosen


def _expand(
    patterns: list[str], known: tuple[str, ...], field: str, problem
) -> tuple[list[str], list[Problem]]:
    problems: list[Problem] = []
    for i, pattern in enumerate(patterns):
        matches = [name for name in known if fnmatch.fnmatchcase(name, pattern)]
        if not matches:
            close = closest(pattern, list(known))
            hint = f"did you mean {close!r}?" if close else "see docs/sweeps.md for the names"
            problems.append(
                problem(
                    (field, i),
                    f"unknown {'outcome' if field == 'outcomes' else 'time series'} {pattern!r}",
                    hint,
                )
            )
    return _matching(patterns, known), problems


def _check_parameters(spec: SweepSpec, base_data: dict, base: Scenario, problem) -> list[Problem]:
    problems: list[Problem] = []
    dumped = base.model_dump()
    for path, param in spec.parameters.items():
        where = ("parameters", path)
        parts = path.split(".")
        if parts[0] in ("name", "extends", "seed", "description"):
            problems.append(
                problem(
                    where,
                    f"{path!r} cannot be swept",
                    "sweep model parameters, policies, alliances, events or countries",
                )
            )
            continue
        if param.numeric and param.integer is None:
            whole = _takes_whole_numbers(base_data, path, _lookup(dumped, parts), param)
            spec.parameters[path] = param.model_copy(update={"integer": whole})
            param = spec.parameters[path]
        for value in param.probes():
            data = apply_values(base_data, (path,), [value])
            try:
                Scenario.model_validate(data, strict=True)
            except ValidationError as exc:
                inner = problems_from(exc, SourceMap({(): ("<base>", None)}))[0]
                if inner.message.startswith("unknown key"):
                    message = f"{path} is not a field of the scenario: {inner.message}"
                else:
                    message = (
                        f"{path} = {value!r} makes the base scenario invalid: "
                        f"{inner.path}: {inner.message}"
                    )
                problems.append(problem(where, message, inner.hint))
                break
    return problems


def _takes_whole_numbers(
    base_data: dict[str, Any], path: str, current: Any, param: ParameterSpec
) -> bool:
    """Whether a field holds whole numbers (months, counts): its value's type, else a probe."""
    if current is not None:
        return isinstance(current, int) and not isinstance(current, bool)
    middle = param.model_copy(update={"integer": False}).from_unit(np.array([0.5]))[0]
    try:
        Scenario.model_validate(apply_values(base_data, (path,), [middle + 0.25]), strict=True)
    except ValidationError as exc:
        return any(error["type"] == "int_type" for error in exc.errors())
    return False


def _lookup(data: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


# --------------------------------------------------------------------------------------------
# Chunks and columns


def chunk_bounds(runs: int, chunk_size: int) -> list[tuple[int, int]]:
    """Run-id ranges ``[start, stop)`` of every chunk."""
    return [(start, min(start + chunk_size, runs)) for start in range(0, runs, chunk_size)]


def parameter_kinds(sweep: Sweep) -> tuple[str, ...]:
    """Parquet column kind of each parameter: ``int``, ``float`` or ``json`` (lists of items)."""
    kinds = []
    for param in sweep.spec.parameters.values():
        if param.numeric:
            kinds.append("int" if param.integer else "float")
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in param.values or []):
            kinds.append("int")
        elif all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in param.values or []
        ):
            kinds.append("float")
        else:
            kinds.append("json")
    return tuple(kinds)
