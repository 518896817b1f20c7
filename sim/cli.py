"""The ``geosim`` command line.

Bad input (a scenario that does not validate, a bad ``--set``, an unusable ``--out``, a disk
that is full or read-only) is reported as one located message — ``file:line: field: what was
wrong`` plus a hint, or the path and what failed — with exit code 2 and nothing half-written.
The output location is checked before any work (``docs/reliability.md``). A command that needs
an optional extra (``sweep`` and ``analyze``: the ``sweep`` extra) says which one to install,
also in one line with exit code 2, when it is missing.

The module runs past 800 lines because it is the command table: each of the sixteen commands'
options, help and the mapping of its errors to one message sit with the command, so a reader
finds a command whole in one place; the work itself lives in the layers below.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from sim import __version__
from sim.core.parallel import ThreadsError
from sim.folders import (
    OutputError,
    check_file,
    check_output,
    check_writable,
    describe,
    write_file,
    write_folder,
)
from sim.scenario import ScenarioError, load_scenario, scenario_to_yaml, shipped_scenarios
from sim.scenario.loader import Loaded, load
from sim.scenario.problems import printable

if TYPE_CHECKING:
    from sim.studies.calibrate import Calibration

# The commands import the layers they need when they run, so that ``geosim --help``, ``list``
# and ``validate`` start without loading matplotlib, Dask or Solara.

EXIT_BAD_INPUT = 2

#: Replicate-months above which a progress bar is shown.
PROGRESS_THRESHOLD = 2_000
#: Coefficient sets a comparison draws from the priors unless told otherwise: 40 Latin-hypercube
#: sets cover each coefficient's range in steps of 2.5% and leave 2–3 replicates per set at the
#: default 100 replicates.
PARAMETER_SETS = 40


#: What to do when the machine runs out of memory.
MEMORY_HINT = (
    "hint: ask for less at once (fewer --replicates, a shorter --horizon, a smaller "
    "--chunk-size for a sweep), or run on a machine with more memory"
)


def _fail(message: str) -> None:
    click.echo(printable(message), err=True)
    sys.exit(EXIT_BAD_INPUT)


def _warn(message: str) -> None:
    click.echo(printable(message), err=True)


#: Modules of each optional extra (``[project.optional-dependencies]`` in pyproject.toml), by
#: the names they are imported as. A plain ``pip install geosim`` has none of them.
EXTRAS = {"sweep": ("dask", "distributed", "pyarrow", "SALib", "ema_workbench")}


def _require_extra(extra: str, command: str) -> None:
    """Stop with one line naming the extra to install, before any work, if it is missing."""
    if all(importlib.util.find_spec(module) for module in EXTRAS[extra]):
        return
    _fail(
        f"error: geosim {command} needs the '{extra}' extra ({', '.join(EXTRAS[extra])}): "
        f"pip install 'geosim[{extra}]'"
    )


class _Commands(click.Group):
    """The command group; running out of memory or a bad thread count is one message (exit 2)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MemoryError:  # pyarrow's ArrowMemoryError is one too
            _fail(f"error: out of memory\n{MEMORY_HINT}")
        except ThreadsError as exc:  # GEOSIM_THREADS, read when a run starts
            _fail(f"error: {exc}")
        except OSError as exc:  # a path no command checked first: still one located line
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"error: {where}{describe(exc)}")


def _checked(out: Path, *, force: bool, what: str = "--out", inputs: tuple[Path, ...] = ()) -> Path:
    """The output folder, checked before any work (exit 2 with the reason if unusable)."""
    try:
        return check_output(out, force=force, what=what, inputs=inputs)
    except OutputError as exc:
        _fail(f"error: {exc}")
        raise  # unreachable: _fail exits


def _write_outputs(
    out: Path,
    fill: Callable[[Path], None],
    *,
    force: bool,
    command: str,
    inputs: tuple[Path, ...] = (),
) -> None:
    """Fill an output folder atomically; a failed write is a clear error (exit 2).

    Files in it that geosim did not write (or that changed since) are kept, and listed.
    """
    try:
        kept = write_folder(out, fill, force=force, command=command, inputs=inputs)
    except OutputError as exc:
        _fail(f"error: {exc}")
        return
    if kept:
        shown = ", ".join(kept[:5]) + (f" and {len(kept) - 5} more" if len(kept) > 5 else "")
        _warn(f"note: {out}: kept what geosim did not write: {shown}")


def _check_finite(name: str, trajectory) -> None:
    """Refuse to write numbers the model could not hold (a bound missing somewhere)."""
    from sim.core.engine import non_finite

    bad = non_finite({**trajectory.model, **trajectory.countries})
    if bad:
        _fail(
            f"error: {name}: the model cannot hold this scenario's numbers ({', '.join(bad)} "
            "not finite); hint: bring extreme values back towards the baseline's"
        )


def _load(reference: str, overrides: tuple[str, ...] = (), *, horizon: int | None = None) -> Loaded:
    """Load a scenario as validate, run and compare all do; warn of what --horizon drops."""
    try:
        loaded = load(reference, overrides, horizon=horizon)
    except ScenarioError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits
    if loaded.dropped:
        _warn(
            f"warning: {loaded.scenario.name}: --horizon {horizon} leaves out what starts "
            f"after month {horizon}: " + ", ".join(loaded.dropped)
        )
    return loaded


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geosim")
def main() -> None:
    """geosim: agent-based scenarios of Indo-Pacific security.

    Start with `geosim list`, then `geosim run hub_and_spoke`.
    """


@main.command("run")
@click.argument("scenario")
@click.option("-n", "--replicates", default=20, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Base seed (default: scenario's).")
@click.option("--horizon", type=click.IntRange(1, 1200), help="Months to simulate.")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario field, e.g. --set parameters.arms.fatigue=0.3 (repeatable).",
)
@click.option("--out", type=click.Path(path_type=Path), help="Output folder [results/NAME].")
@click.option("--force", is_flag=True, help="Replace a non-empty output folder.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def run_command(
    scenario: str,
    replicates: int,
    seed: int | None,
    horizon: int | None,
    overrides: tuple[str, ...],
    out: Path | None,
    force: bool,
    quiet: bool,
) -> None:
    """Run SCENARIO (a shipped name or a YAML file) and write tables and plots."""
    from sim.core.compile import compile_world
    from sim.core.engine import simulate
    from sim.outputs.report import render_report
    from sim.outputs.writers import write_run

    extra = tuple(overrides) + ((f"seed={seed}",) if seed is not None else ())
    loaded = _load(scenario, extra, horizon=horizon)
    definition = loaded.scenario
    out = _checked(out or Path("results") / definition.name, force=force, inputs=loaded.files)

    world = compile_world(definition)
    total = replicates * world.horizon
    with tqdm(
        total=total,
        desc=f"{definition.name}",
        unit=" run-months",
        disable=quiet or total < PROGRESS_THRESHOLD,
        file=sys.stderr,
    ) as bar:
        trajectory = simulate(world, replicates, progress=bar.update)
    _check_finite(definition.name, trajectory)
    resolved = scenario_to_yaml(definition)
    parent = scenario_to_yaml(loaded.parent) if loaded.parent is not None else None

    def fill(directory: Path) -> None:
        write_run(directory, trajectory, definition, resolved, parent)
        (directory / "report.html").write_text(render_report(directory), encoding="utf-8")

    _write_outputs(out, fill, force=force, command="run", inputs=loaded.files)
    if not quiet:
        final = trajectory.model
        click.echo(
            f"{definition.name}: {replicates} replicates × {world.horizon} months → {out}/\n"
            f"  final regional tension {final['regional_tension'][-1].mean():.3f}, "
            f"US credibility {final['us_credibility'][-1].mean():.3f}, "
            f"hedging {final['hedging'][-1].mean():.3f} (hedgers {final['hedgers'][-1].mean():.1f})"
        )


@main.command("compare")
@click.argument("scenarios", nargs=-1, required=True)
@click.option("-n", "--replicates", default=100, show_default=True, type=click.IntRange(2, 100_000))
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Base seed for all [first's].")
@click.option("--horizon", type=click.IntRange(1, 1200), help="Months, for every scenario.")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help="For every scenario.")
@click.option(
    "--parameter-sets",
    default=PARAMETER_SETS,
    show_default=True,
    type=click.IntRange(2, 10_000),
    help="Coefficient sets drawn from the priors (seeds/priors.yaml), the same for every scenario.",
)
@click.option(
    "--fixed-parameters",
    is_flag=True,
    help="Run every replicate with the scenarios' own coefficients (no parameter uncertainty).",
)
@click.option(
    "--sensitivity",
    is_flag=True,
    help="Rank the free coefficients by their share of each difference's variance "
    "(sensitivity.csv and the report).",
)
@click.option(
    "--attribute",
    "attribute_entries",
    is_flag=True,
    help="Say which differing entry carries which part of each difference: rerun each "
    "scenario with each entry reverted alone (30 replicates, 5 coefficient sets, at most 8 "
    "entries; attribution.csv and the report). One differing entry is always attributed "
    "(it needs no run).",
)
@click.option("--out", type=click.Path(path_type=Path), help="Output folder [results/comparison].")
@click.option("--force", is_flag=True, help="Replace a non-empty output folder.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def compare_command(
    scenarios: tuple[str, ...],
    replicates: int,
    seed: int | None,
    horizon: int | None,
    overrides: tuple[str, ...],
    parameter_sets: int,
    fixed_parameters: bool,
    sensitivity: bool,
    attribute_entries: bool,
    out: Path | None,
    force: bool,
    quiet: bool,
) -> None:
    """Run SCENARIOS side by side with common random numbers and write a report.

    The first scenario is the reference: differences are paired replicate by replicate. By
    default each replicate runs one of --parameter-sets coefficient sets drawn from the priors
    of the free coefficients, the same sets for every scenario, so that every difference carries
    what the judgements leave open as well as the Monte-Carlo noise; --fixed-parameters runs
    the scenarios' own coefficients only. --attribute says which of the entries a scenario
    changes (an edited copy against the scenario it was copied from) carries which part.
    """
    from sim.outputs.report import render_report
    from sim.outputs.writers import write_comparison
    from sim.studies.attribution import attribute
    from sim.studies.compare import ComparisonError, check_comparable, outcome_table, run_comparison

    if len(scenarios) < 2:
        _fail("error: compare needs at least two scenarios (the first is the reference)")
    if sensitivity and fixed_parameters:
        _fail(
            "error: --sensitivity ranks the coefficients drawn from their priors; "
            "it cannot run with --fixed-parameters (drop one of them)"
        )
    repeated = sorted({s for s in scenarios if scenarios.count(s) > 1})
    if repeated:
        _fail(f"error: {repeated[0]} is given twice; compare different scenarios")
    loaded = [_load(s, tuple(overrides), horizon=horizon) for s in scenarios]
    definitions = [item.scenario for item in loaded]
    try:
        check_comparable(definitions)
    except ComparisonError as exc:
        _fail(f"error: {exc}")
    inputs = tuple(path for item in loaded for path in item.files)
    out = _checked(out or Path("results") / "comparison", force=force, inputs=inputs)
    try:
        total = replicates * sum(d.horizon for d in definitions)
        with tqdm(
            total=total,
            desc="compare",
            unit=" run-months",
            disable=quiet or total < PROGRESS_THRESHOLD,
            file=sys.stderr,
        ) as bar:
            comparison = run_comparison(
                definitions,
                replicates,
                seed=seed,
                progress=bar.update,
                parameter_sets=None if fixed_parameters else parameter_sets,
            )
    except ComparisonError as exc:
        _fail(f"error: {exc}")
    for name, trajectory in comparison.trajectories.items():
        _check_finite(name, trajectory)
    with tqdm(
        desc="attribute",
        unit=" run-months",
        disable=quiet or not attribute_entries,
        file=sys.stderr,
    ) as bar:
        attribution = attribute(comparison, run=attribute_entries, progress=bar.update)
    if attribute_entries:
        for note in attribution.notes:
            _warn(f"note: {note}")
    resolved = {d.name: scenario_to_yaml(d) for d in definitions}
    parents = {
        item.scenario.name: scenario_to_yaml(item.parent) if item.parent is not None else None
        for item in loaded
    }

    def fill(directory: Path) -> None:
        write_comparison(directory, comparison, resolved, parents)
        if sensitivity:
            from sim.studies.sensitivity import sensitivity as ranked

            ranked(comparison).to_csv(
                directory / "sensitivity.csv", index=False, float_format="%.6g"
            )
        if any(attribution.entries.values()):
            if len(attribution.table):
                attribution.table.to_csv(
                    directory / "attribution.csv", index=False, float_format="%.6g"
                )
            (directory / "attribution.json").write_text(
                json.dumps(attribution.summary(), indent=2) + "\n", encoding="utf-8"
            )
        (directory / "report.html").write_text(render_report(directory), encoding="utf-8")

    _write_outputs(out, fill, force=force, command="compare", inputs=inputs)
    if not quiet:
        table = outcome_table(comparison).set_index("scenario")
        click.echo(f"{len(definitions)} scenarios × {replicates} replicates → {out}/report.html")
        for name, row in table.iterrows():
            click.echo(
                f"  {name:<30} P(crisis) {row['p_crisis']:.2f} "
                f"[{row['p_crisis_low']:.2f}, {row['p_crisis_high']:.2f}]  "
                f"US credibility {row['us_credibility']:.2f}  hedging {row['hedging']:.3f} "
                f"(hedgers {row['hedgers']:.1f})"
            )


@main.command("sweep")
@click.argument("spec")
@click.option(
    "--out", type=click.Path(path_type=Path), help="Sweep directory [results/sweeps/NAME]."
)
@click.option(
    "--workers",
    type=click.IntRange(0, 4096),
    help="Local worker processes [one per core]; 0 runs in this process.",
)
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="An existing Dask scheduler to use.")
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the sweep in --out (or in SPEC, a sweep directory): skip the verified "
    "parts, redo the damaged ones.",
)
@click.option("--force", is_flag=True, help="Start afresh in a non-empty --out.")
@click.option("--chunk-size", type=click.IntRange(1, 1_000_000), help="Runs per chunk [spec's].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def sweep_command(
    spec: str,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    force: bool,
    chunk_size: int | None,
    quiet: bool,
) -> None:
    """Run the sweep SPEC (a shipped name or a YAML file) into Parquet parts under --out.

    With --resume, SPEC may be the sweep directory itself: its manifest holds the spec, the
    base scenario and the seed, so `geosim sweep DIR --resume` continues or repairs it
    whatever became of the spec file.
    """
    _require_extra("sweep", "sweep")
    from sim.sweep.executor import run_sweep
    from sim.sweep.spec import load_sweep
    from sim.sweep.store import SweepError, sweep_in

    if resume and force:
        _fail("error: --resume continues a sweep and --force replaces it; give one of them")
    folder = Path(spec)
    try:
        if resume and folder.is_dir():
            if out is not None and out.resolve() != folder.resolve():
                _fail(
                    f"error: {spec} is a sweep directory and --out names another ({out}); "
                    f"leave --out out to resume {spec}"
                )
            sweep, out = sweep_in(folder), folder
        else:
            sweep = load_sweep(spec)
    except ScenarioError as exc:
        _fail(str(exc))
    except SweepError as exc:
        _fail(f"error: {exc}")
    out = out or Path("results") / "sweeps" / sweep.spec.name
    bar = tqdm(desc=sweep.spec.name, unit=" runs", disable=quiet, file=sys.stderr, smoothing=0.1)

    def start(total: int, done: int) -> None:
        bar.reset(total=total)
        bar.update(done)
        if not quiet and done:
            click.echo(f"resuming: {done:,} of {total:,} runs already done", err=True)

    try:
        with bar:
            summary = run_sweep(
                sweep,
                out,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                force=force,
                chunk_size=chunk_size,
                progress=bar.update,
                on_start=start,
            )
    except SweepError as exc:
        _fail(f"error: {exc}")
    if not quiet:
        click.echo(
            f"{sweep.spec.name}: {summary.runs:,} runs ({sweep.samples:,} samples × "
            f"{sweep.spec.replicates} replicates) → {out}/runs/\n"
            f"  computed {summary.computed:,} in {summary.seconds:.1f} s "
            f"({summary.runs_per_second:,.0f} runs/s, {summary.computations:,} array "
            f"computations); resumed {summary.skipped:,}; invalid {summary.failed:,}"
            + (f"; damaged parts redone {summary.redone:,}" if summary.redone else "")
        )
        for line in summary.damaged[:10]:
            click.echo(f"    {line}")
        if summary.redone > 10:
            click.echo(f"    and {summary.redone - 10:,} more (listed in {out}/manifest.json)")


@main.command("analyze")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--method",
    type=click.Choice(["sobol", "morris", "main_effects", "prim"]),
    help="Sensitivity indices, a grid's main effects or scenario discovery [the design's own: "
    "sobol, morris, main_effects for a grid; PRIM otherwise, or when --threshold is given].",
)
@click.option("--outcome", help="Outcome to analyse [the sweep's first].")
@click.option(
    "--threshold",
    type=float,
    help="PRIM: a sample is a case of interest when its mean outcome ≥ this [0.5; when that "
    "separates no samples, the 75th percentile of their means, with a note].",
)
def analyze_command(
    directory: Path, method: str | None, outcome: str | None, threshold: float | None
) -> None:
    """Analyse a finished sweep in DIRECTORY: Sobol/Morris indices, main effects or PRIM boxes."""
    _require_extra("sweep", "analyze")
    from sim.folders import record
    from sim.outputs.writers import write_analysis
    from sim.sweep.analysis import analyze
    from sim.sweep.store import SweepError

    try:
        check_writable(directory / "analysis")
        result = analyze(directory, method=method, outcome=outcome, threshold=threshold)
        made = [] if (directory / "analysis").exists() else [directory / "analysis"]
        files = write_analysis(directory, result)
        record(directory, files, made)  # the sweep's ledger: --force removes them too
    except (SweepError, OutputError) as exc:
        _fail(f"error: {exc}")
    for note in result.notes:
        _warn(f"note: {note}")
    click.echo(f"{result.method} analysis of {result.outcome} ({directory})")
    digits = ".4g" if result.method == "main_effects" else ".3f"  # effects can be small
    click.echo(result.table.to_string(index=False, float_format=lambda v: f"{v:{digits}}"))
    if result.method == "prim":
        s = result.summary
        click.echo(
            f"box {s['box']}: coverage {s['coverage']:.2f}, density {s['density']:.2f}, "
            f"mass {s['mass']:.2f} ({s['cases']} of {s['samples']} samples are cases: "
            f"{result.outcome} ≥ {s['threshold']:g})"
        )
    click.echo("wrote " + ", ".join(str(f) for f in files))


@main.command("facts")
@click.option("-n", "--replicates", default=200, show_default=True, type=click.IntRange(2, 100_000))
@click.option("--seed", default=2025, show_default=True, type=click.IntRange(0, 2**63 - 1))
@click.option("--out", type=click.Path(path_type=Path), help="Output folder [results/facts].")
@click.option("--force", is_flag=True, help="Replace a non-empty output folder.")
@click.option("--check", is_flag=True, help="Exit 1 if a verdict differs from the documented one.")
def facts_command(replicates: int, seed: int, out: Path | None, force: bool, check: bool) -> None:
    """Run the stylized-facts validation suite and write its table and forest plot."""
    from sim.outputs.plots import plot_facts
    from sim.studies.stylized import markdown, results_table, run_facts, scenarios_needed

    out = _checked(out or Path("results") / "facts", force=force)
    total = replicates * len(scenarios_needed())
    with tqdm(total=total, desc="stylized facts", unit=" runs", file=sys.stderr) as bar:
        results = run_facts(replicates, seed=seed, progress=bar.update)

    def fill(directory: Path) -> None:
        results_table(results).to_csv(directory / "facts.csv", index=False)
        (directory / "facts.md").write_text(markdown(results), encoding="utf-8")
        plot_facts(results, directory / "forest")

    _write_outputs(out, fill, force=force, command="facts")
    click.echo(markdown(results))
    changed = [r.fact.id for r in results if r.verdict != r.fact.expected]
    click.echo(f"wrote {out}/facts.csv, facts.md, forest.png/.svg")
    if changed:
        click.echo(f"verdicts differ from docs/validation.md: {', '.join(changed)}", err=True)
        if check:
            sys.exit(1)


@main.command("effects")
@click.argument("scenario")
@click.option("-n", "--replicates", default=16, show_default=True, type=click.IntRange(2, 10_000))
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Base seed [the scenario's].")
@click.option("--horizon", type=click.IntRange(1, 1200), help="Months to run [the scenario's].")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE")
@click.option("--out", type=click.Path(path_type=Path), help="Output folder [results/effects].")
@click.option("--force", is_flag=True, help="Replace a non-empty output folder.")
@click.option("--check", is_flag=True, help="Exit 1 if an effect lies outside its kind's range.")
def effects_command(
    scenario: str,
    replicates: int,
    seed: int | None,
    horizon: int | None,
    overrides: tuple[str, ...],
    out: Path | None,
    force: bool,
    check: bool,
) -> None:
    """Switch each policy of SCENARIO off in turn; report its effect against its kind's range.

    A lever whose effect falls below its documented range does nothing; above it, everything
    (docs/model.md, the lever effects table).
    """
    from sim.studies.effects import effects_table, markdown, policies_of, policy_effects

    loaded = _load(scenario, overrides, horizon=horizon)
    definition = loaded.scenario
    out = _checked(out or Path("results") / "effects", force=force, inputs=loaded.files)
    runs = 1 + sum(1 for _ in policies_of(definition))
    with tqdm(
        total=runs * replicates * definition.horizon,
        desc="effects",
        unit=" run-months",
        file=sys.stderr,
    ) as bar:
        effects = policy_effects(definition, replicates=replicates, seed=seed, progress=bar.update)

    def fill(directory: Path) -> None:
        effects_table(effects).to_csv(directory / "effects.csv", index=False)
        (directory / "effects.md").write_text(markdown(effects), encoding="utf-8")

    _write_outputs(out, fill, force=force, command="effects", inputs=loaded.files)
    click.echo(markdown(effects))
    click.echo(f"wrote {out}/effects.csv, effects.md")
    outside = [e.policy for e in effects if not e.within]
    if outside:
        click.echo(f"outside their kind's range: {', '.join(outside)}", err=True)
        if check:
            sys.exit(1)


@main.command("record")
@click.option("-n", "--replicates", default=200, show_default=True, type=click.IntRange(2, 100_000))
@click.option("--seed", default=2025, show_default=True, type=click.IntRange(0, 2**63 - 1))
def record_command(replicates: int, seed: int) -> None:
    """Where the status quo puts force, against the record of 2015–2024 (docs/validation.md §4)."""
    from sim.studies.record import markdown, record_scores

    with tqdm(total=replicates * 120, desc="record", unit=" run-months", file=sys.stderr) as bar:
        scores = record_scores(replicates, seed=seed, progress=bar.update)
    click.echo(markdown(scores))


@main.command("backtest")
@click.option("-n", "--replicates", default=100, show_default=True, type=click.IntRange(2, 100_000))
@click.option(
    "--start", type=click.Choice(["2013", "2015", "2019"]), default="2015", show_default=True
)
@click.option("--end", type=click.IntRange(2016, 2023), default=2023, show_default=True)
@click.option("--seed", default=2015, show_default=True, type=click.IntRange(0, 2**63 - 1))
@click.option("--out", type=click.Path(path_type=Path), help="Output folder [results/backtest].")
@click.option(
    "--json",
    "json_file",
    type=click.Path(path_type=Path),
    help="Instead, the out-of-sample test: run 2019→2024 and write its scores against the "
    "record of 2020–2024 to this JSON file.",
)
@click.option("--force", is_flag=True, help="Replace a non-empty output folder (or --json file).")
@click.pass_context
def backtest_command(
    ctx: click.Context,
    replicates: int,
    start: str,
    end: int,
    seed: int,
    out: Path | None,
    json_file: Path | None,
    force: bool,
) -> None:
    """Hindcast: replay 2015–2023 from the START data; score END-year security alignment.

    With --json FILE, the out-of-sample test instead (docs/validation.md §6): the history from
    the 2019 data with no incident or escalation scripted, scored on incidents, arms and
    security alignment against the record of 2020–2024 and naive baselines fitted on
    2013–2019.
    """
    from sim.outputs.plots import plot_backtest
    from sim.studies.backtest import backtest, markdown, scores_table

    if json_file is not None:
        given = _given(ctx, ("start", "end", "out"))
        if given:
            _fail(f"error: --json scores the fixed window 2019→2024; leave out {', '.join(given)}")
        _out_of_sample(json_file, replicates=replicates, seed=seed, force=force)
        return
    if end <= int(start):
        _fail(f"error: --end {end} must come after --start {start}")
    out = _checked(out or Path("results") / "backtest", force=force)
    click.echo(f"simulating {start}→{end}, {replicates} replicates…", err=True)
    result = backtest(int(start), end, replicates=replicates, seed=seed)

    def fill(directory: Path) -> None:
        result.table.to_csv(directory / "alignment.csv", index=False)
        scores_table(result).to_csv(directory / "scores.csv", index=False)
        (directory / "scores.md").write_text(markdown(result), encoding="utf-8")
        plot_backtest(result, directory / "hindcast")

    _write_outputs(out, fill, force=force, command="backtest")
    click.echo(markdown(result))
    click.echo(f"wrote {out}/alignment.csv, scores.csv, scores.md, hindcast.png/.svg")


def _out_of_sample(path: Path, *, replicates: int, seed: int, force: bool) -> None:
    """``backtest --json``: score the window 2019→2024 and write the scores to ``path``."""
    from sim.studies.out_of_sample import markdown, out_of_sample, to_json

    _check_json(path, force)
    click.echo(f"simulating 2019→2024 out of sample, {replicates} replicates…", err=True)
    result = out_of_sample(replicates, seed=seed)
    click.echo(markdown(result))
    _write_json(path, to_json(result), force)


def _check_json(path: Path, force: bool) -> None:
    """Refuse, before any work, a ``--json`` file geosim may not write."""
    try:
        check_file(path, what="--json", force=force)
    except OutputError as exc:
        _fail(f"error: {exc}")


def _write_json(path: Path, payload: dict, force: bool) -> None:
    """Write a study's JSON (checked again: the file may have appeared meanwhile) and say so."""
    text = json.dumps({"geosim_version": __version__, **payload}, indent=1, allow_nan=False)
    try:
        check_file(path, what="--json", force=force)
        write_file(path, text + "\n", signature=False)
    except OutputError as exc:
        _fail(f"error: {exc}")
    click.echo(f"wrote {path}")


@main.command("calibrate")
@click.option(
    "-n",
    "--replicates",
    type=click.IntRange(2, 10_000),
    help="Replicates per run [the target's: 20 for alignment, 60 for incidents; 100 with "
    "--record].",
)
@click.option("--maxiter", default=12, show_default=True, type=click.IntRange(1, 1000))
@click.option("--popsize", default=6, show_default=True, type=click.IntRange(2, 100))
@click.option(
    "--points",
    type=click.IntRange(3, 101),
    help="Profile points per coefficient [11; 9 with --record; 8 a side with --surface].",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), help="Base seed [0; 2015].")
@click.option(
    "--write/--dry-run",
    default=True,
    help="Write seeds/calibration.yaml (seeds/propensities.csv with --propensities) [write].",
)
@click.option(
    "--target",
    type=click.Choice(["alignment", "incidents", "all"]),
    default="all",
    show_default=True,
    help="What to fit: the alignment coefficients on the security-alignment index, the "
    "incident coefficients on the record's dyad-years, or both.",
)
@click.option(
    "--fit-from",
    "fit_from",
    type=click.Choice(["2013", "2015"]),
    default="2015",
    show_default=True,
    help="First year of the fit window: 2015, the window the shipped calibration is fitted on, "
    "or 2013, the record's first year (alignment 2013→2019, incidents 2014–2019).",
)
@click.option(
    "--record",
    is_flag=True,
    help="Instead: profile every free coefficient of incidents, arms and alignment on the "
    "record of 2016-2019 and score the estimates on 2020-2024 (docs/validation.md §3). "
    "Writes nothing in seeds/.",
)
@click.option(
    "--surface",
    metavar="A,B",
    help="Instead: the objective over a grid of two coefficients of one target (e.g. "
    "alignment.rate,alignment.inducement_weight), the others where they ship; writes a table "
    "and a picture to --out, nothing in seeds/ (docs/validation.md §3).",
)
@click.option(
    "--propensities",
    is_flag=True,
    help="Instead: fit each dispute dyad's incident propensity on the record of 2014-2019 "
    "with partial pooling; writes seeds/propensities.csv (--dry-run to only print) "
    "(docs/validation.md §3).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="With --surface: the output folder [results/surface].",
)
@click.option(
    "--json",
    "json_file",
    type=click.Path(path_type=Path),
    help="With --record: write the profiles to FILE.",
)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--force",
    is_flag=True,
    help="With --json or --surface: replace a file or folder geosim wrote.",
)
@click.pass_context
def calibrate_command(
    ctx: click.Context,
    replicates: int | None,
    maxiter: int,
    popsize: int,
    points: int | None,
    seed: int | None,
    write: bool,
    target: str,
    fit_from: str,
    surface: str | None,
    out: Path | None,
    record: bool,
    propensities: bool,
    json_file: Path | None,
    workers: int,
    force: bool,
) -> None:
    """Fit what the record identifies; profile each coefficient; test out of sample.

    Alignment coefficients on the 2019 security-alignment index (from 2015, or the
    --fit-from year; tested on 2023), incident coefficients on the record's dyad-years
    2016–2019 (or from the year after --fit-from; tested on 2020–2024). Each
    coefficient's profile through the optimum (POINTS values over its search range) says whether
    the data identify it; one they do not, or whose optimum is at a bound, keeps its judgement
    value.
    With --record, every free coefficient of incidents, arms and alignment is profiled on the
    record's incidents, burden and security alignment instead (a simulated likelihood and
    least squares), and what it estimates is scored out of sample.
    """
    if record:
        given = _given(
            ctx,
            ("maxiter", "popsize", "target", "write", "fit_from", "surface", "out", "propensities"),
        )
        if given:
            _fail(
                f"error: --record profiles every coefficient and writes no file; leave out "
                f"{', '.join(given)}"
            )
        _record_fit(
            replicates or 100,
            points or 9,
            2015 if seed is None else seed,
            workers,
            json_file,
            force,
        )
        return
    if json_file is not None:
        _fail("error: --json goes with --record")
    if propensities:
        given = _given(ctx, ("maxiter", "popsize", "points", "target", "fit_from", "surface"))
        if given or out is not None or force:
            named = given + ["--out"] * (out is not None) + ["--force"] * force
            _fail(
                f"error: --propensities fits one grid per dyad on the record from 2013; leave "
                f"out {', '.join(named)}"
            )
        if (replicates is not None or seed is not None) and not _given(ctx, ("write",)):
            _fail(
                "error: a fit with other replicates or seeds than the declared ones would "
                "replace the shipped seeds/propensities.csv\nhint: add --dry-run to only print "
                "it, or --write to replace the shipped fit"
            )
        _propensities(replicates, seed, workers, write)
        return
    if surface is not None:
        given = _given(ctx, ("maxiter", "popsize", "target", "write"))
        if given:
            _fail(
                f"error: --surface evaluates a grid and writes nothing in seeds/; leave out "
                f"{', '.join(given)}"
            )
        _surface(surface, out, points, replicates, seed or 0, int(fit_from), workers, force)
        return
    if out is not None:
        _fail("error: --out goes with --surface")
    if fit_from != "2015" and not _given(ctx, ("write",)):
        _fail(
            f"error: a fit from {fit_from} would replace the shipped calibration (fitted from "
            "2015) in seeds/calibration.yaml\nhint: add --dry-run to only print it, or --write "
            "to replace the shipped fit"
        )
    points, seed = points or 11, seed or 0
    from sim.scenario.resources import calibration_file
    from sim.studies.calibrate import TARGETS, budget, calibrate
    from sim.studies.calibrate import write as write_calibration
    from sim.studies.identifiability import table

    for name in TARGETS if target == "all" else [target]:
        total = budget(maxiter, popsize, points, target=name)
        with tqdm(total=total, desc=f"calibration: {name}", unit=" runs", file=sys.stderr) as bar:
            result = calibrate(
                target=name,
                replicates=replicates,
                seed=seed,
                maxiter=maxiter,
                popsize=popsize,
                points=points,
                workers=workers,
                progress=bar.update,
                start=int(fit_from),
            )
        _print_calibration(result, TARGETS[name].metric, table(result.profiles))
        if write:
            try:
                write_calibration(result)
            except OutputError as exc:
                _fail(f"error: {exc}")
            click.echo(f"wrote {calibration_file()} ({name})")


def _propensities(replicates: int | None, seed: int | None, workers: int, write: bool) -> None:
    """``calibrate --propensities``: each dispute dyad's incident propensity, pooled."""
    from sim.studies.propensity import (
        LOG2_STEPS,
        PASSES,
        REPLICATES,
        SEEDS,
        fit_propensities,
        markdown,
    )
    from sim.studies.propensity import write as write_propensities

    seeds = SEEDS if seed is None else tuple(seed + k for k in range(len(SEEDS)))
    total = PASSES * len(LOG2_STEPS) * len(seeds)
    with tqdm(total=total, desc="propensities", unit=" runs", file=sys.stderr) as bar:
        fit = fit_propensities(
            replicates=replicates or REPLICATES, seeds=seeds, workers=workers, progress=bar.update
        )
    click.echo(markdown(fit))
    if write:
        click.echo(f"wrote {write_propensities(fit)}")


def _given(ctx: click.Context, names: tuple[str, ...]) -> list[str]:
    """The options among ``names`` (parameter names) the user gave, as they are spelt."""
    spelt = {"write": "--write/--dry-run", "fit_from": "--fit-from"}
    return [
        spelt.get(name, f"--{name}")
        for name in names
        if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
    ]


def _surface(
    pair: str,
    out: Path | None,
    points: int | None,
    replicates: int | None,
    seed: int,
    start: int,
    workers: int,
    force: bool,
) -> None:
    """``calibrate --surface A,B``: the objective over a grid of two coefficients."""
    import pandas as pd

    from sim.outputs.plots import plot_surface
    from sim.studies.calibrate import REFIT_SEEDS, TARGETS
    from sim.studies.surface import POINTS, markdown, surface

    names = tuple(n.strip() for n in pair.split(","))
    owners = [t for t, spec in TARGETS.items() if set(names) <= set(spec.names())]
    known = sorted(n for spec in TARGETS.values() for n in spec.names())
    if len(names) != 2 or len(set(names)) != 2 or len(owners) != 1:
        _fail(
            f"error: --surface {pair!r}: expected two different coefficients of one calibration "
            f"target, as A,B\nhint: the coefficients are {', '.join(known)}"
        )
    (target,) = owners
    out = _checked(out or Path("results") / "surface", force=force)
    points = points or POINTS
    total = points * points * REFIT_SEEDS
    with tqdm(total=total, desc=f"surface: {target}", unit=" runs", file=sys.stderr) as bar:
        result = surface(
            target,
            (names[0], names[1]),
            points=points,
            replicates=replicates,
            seed=seed,
            start=start,
            workers=workers,
            progress=bar.update,
        )
    metric = TARGETS[target].metric
    text = markdown(result, f"{metric}, fit from {start}")

    def fill(directory: Path) -> None:
        rows = [
            {
                names[0]: a,
                names[1]: b,
                "mean": float(result.mean[i, j]),
                "paired_se": float(result.paired_se[i, j]),
                "indifferent": bool(result.indifferent[i, j]),
            }
            for i, a in enumerate(result.grids[0])
            for j, b in enumerate(result.grids[1])
        ]
        pd.DataFrame(rows).to_csv(directory / "surface.csv", index=False)
        (directory / "surface.md").write_text(text + "\n", encoding="utf-8")
        plot_surface(result, directory / "surface", metric)

    _write_outputs(out, fill, force=force, command="calibrate --surface")
    click.echo(text)
    click.echo(f"wrote {out}/surface.csv, surface.md, surface.png/.svg")


def _print_calibration(result: Calibration, metric: str, profiles: str) -> None:
    """A calibration's optimum, its identifiability table, what ships and how it scores."""
    from sim.scenario.parameters import OPTIMUM_WORDS

    precision = result.precision
    click.echo(
        f"{result.target}: optimum {metric} {precision['optimum']:.4f} (seed-to-seed sd "
        f"{precision['seed_sd']:.4f}); identified when a profile rises by more than "
        f"{precision['threshold']:.4f}"
    )
    click.echo(profiles)
    for name, profile in result.profiles.items():
        if not profile.converged:
            click.echo(
                f"warning: {name}: its profile finds a lower objective than the optimum; "
                "raise --maxiter or --popsize",
                err=True,
            )
    for name, value in result.defaults.items():
        profile = result.profiles[name]
        fit = result.refits.get(name)
        if result.estimated(name):
            low, high = fit.indifferent
            kept = (
                f" (refit alone, the others at their shipped values: interior; values "
                f"{low:.4g}–{high:.4g} score alike)"
            )
        elif fit is not None:
            kept = (
                f" (judgement value: estimated jointly at {result.values[name]:.4g}, but refit "
                f"alone at the shipped values its optimum is {OPTIMUM_WORDS[fit.optimum]} of its "
                "grid, not an estimate)"
            )
        elif profile.identified:
            low, high = profile.indifferent
            kept = (
                f" (judgement value: the joint optimum {result.values[name]:.4g} is "
                f"{OPTIMUM_WORDS[profile.optimum]} of the search range (values "
                f"{low:.4g}–{high:.4g} score alike): a limit, not an estimate)"
            )
        else:
            kept = " (judgement value, not identified)"
        click.echo(f"{name} = {value:.4g}{kept}")
    for window, scores in result.fit.items():
        click.echo(
            f"{window} {scores['window']}: {metric} calibrated {scores['calibrated']:.3f}, "
            f"judgement {scores['judgement']:.3f}, baseline {scores['baseline']:.3f}"
        )


def _record_fit(
    replicates: int, points: int, seed: int, workers: int, path: Path | None, force: bool
) -> None:
    """``calibrate --record``: profile the coefficients on the record; print and write them."""
    from sim.studies.record_fit import NOISE_SEEDS, fit_record, grid, markdown, profiled, to_json

    if path is not None:
        _check_json(path, force)
    runs = 1 + NOISE_SEEDS + sum(len(grid(p, points)) for p in profiled())
    with tqdm(total=runs, desc="profiles", unit=" runs of 2015–2019", file=sys.stderr) as bar:
        result = fit_record(
            replicates=replicates, seed=seed, points=points, workers=workers, progress=bar.update
        )
    click.echo(markdown(result))
    if path is not None:
        _write_json(path, to_json(result), force)


@main.command("report")
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="HTML file [RESULTS_DIR/report.html].")
def report_command(results_dir: Path, out: Path | None) -> None:
    """Write a self-contained HTML after-action report for a run or comparison folder."""
    from sim.outputs.report import ReportError, render_report

    target = out or results_dir / "report.html"
    try:
        check_file(target)
        html = render_report(results_dir)
        check_file(target)  # again: it may have appeared while the report was made
        write_file(target, html)
    except (ReportError, OutputError) as exc:
        _fail(f"error: {exc}")
    click.echo(f"report → {target}")


@main.command("validate")
@click.argument("files", nargs=-1, required=True)
def validate_command(files: tuple[str, ...]) -> None:
    """Check scenario FILES; report every problem found (exit 2 if any)."""
    failed = False
    for file in files:
        try:
            definition = load(file).scenario
        except ScenarioError as exc:
            _warn(str(exc))
            failed = True
            continue
        click.echo(
            printable(
                f"ok: {file} ({definition.name}: {definition.horizon} months, "
                f"{len(definition.alliances)} alliances, {len(definition.policies)} policies, "
                f"{len(definition.events)} events)"
            )
        )
    if failed:
        sys.exit(EXIT_BAD_INPUT)


@main.command("list")
@click.option("--names", is_flag=True, help="Print only the names, one per line.")
@click.option("--sweeps", is_flag=True, help="List the shipped sweep specs instead.")
def list_command(names: bool, sweeps: bool) -> None:
    """List the shipped scenarios (or, with --sweeps, the shipped sweep specs)."""
    if sweeps:
        from sim.scenario.resources import sweeps_dir
        from sim.sweep.spec import load_sweep

        for path in sorted(sweeps_dir().glob("*.yaml")):
            if names:
                click.echo(path.stem)
                continue
            sweep = load_sweep(path.stem)
            design = f"{sweep.spec.design.method}, {sweep.runs:,} runs"
            click.echo(f"{path.stem:<24} {sweep.spec.base:<20} {design}")
        return
    for name, path in shipped_scenarios().items():
        if names:
            click.echo(name)
            continue
        try:
            definition = load_scenario(str(path))
            summary = " ".join(definition.description.split())
        except ScenarioError:
            summary = "(does not validate; run geosim validate)"
        if len(summary) > 90:
            summary = summary[:89].rsplit(" ", 1)[0] + "…"
        click.echo(f"{name:<30} {summary}")


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from sim.scenario import Scenario

    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "geosim scenario"
    click.echo(json.dumps(schema, indent=2))


@main.command("explain")
@click.argument("scenario")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE")
@click.option(
    "--only",
    type=click.Choice(["countries", "disputes", "alliances", "policies", "events", "coefficients"]),
    help="List one section alone.",
)
def explain_command(scenario: str, overrides: tuple[str, ...], only: str | None) -> None:
    """Show every number SCENARIO uses, with its value and source."""
    from sim.outputs.explain import explain

    click.echo(explain(_load(scenario, overrides).scenario, only))


@main.command("dashboard")
@click.argument("scenario", required=False, default="hub_and_spoke")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--sessions",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("results") / "sessions",
    show_default=True,
    help="Folder of the saved games.",
)
@click.option(
    "--resume",
    "resume",
    metavar="ID|FILE",
    default=None,
    help="Resume a saved game: its id (in --sessions) or its session file.",
)
@click.option(
    "--seats",
    default="",
    metavar="TEAM=ISO3,…;…",
    help="Start a game of SCENARIO with these team seats, e.g. 'Blue=USA,JPN;Red=CHN'.",
)
@click.option(
    "--turn-months",
    type=click.IntRange(1, 12),
    default=1,
    show_default=True,
    help="Months one turn advances (with --seats).",
)
@click.option(
    "--deck",
    default="",
    metavar="NAME|FILE",
    help="The inject deck of the game started with --seats (default: the scenario's own).",
)
@click.option(
    "--token",
    default=None,
    help="Room token browsers must give (required with a --host other than 127.0.0.1; "
    "'auto' makes one).",
)
def dashboard_command(
    scenario: str,
    host: str,
    port: int,
    sessions: Path,
    resume: str | None,
    seats: str,
    turn_months: int,
    deck: str,
    token: str | None,
) -> None:
    """Start the wargame console (a Solara app) on HOST:PORT.

    Opens the lobby, where a facilitator starts or resumes a game and teams join with a
    code. With --resume or --seats, the game is ready at start and its addresses are printed.
    """
    from sim.game.decks import load_deck
    from sim.game.record import ENV_SESSIONS
    from sim.game.rooms import SeatError, parse_seats
    from sim.game.sessions import SessionsFolderError, usable_folder
    from sim.ui.app import is_loopback

    _load(scenario)  # a bad scenario is reported here, before any server starts
    if not is_loopback(host) and not token:  # before any game is created or saved
        _fail(
            f"error: a room on {host} is reachable from other machines: give it a join token "
            "(--token WORD, or --token auto for a random one)"
        )
    try:
        parsed = parse_seats(seats) if seats else []
    except (SeatError, ValueError) as exc:
        _fail(f"error: {exc}")
    try:  # a file, /dev/null or a read-only place: said now, not by the first save
        usable_folder(sessions)
    except SessionsFolderError as exc:
        _fail(f"error: {exc}")
    if token == "auto":
        token = secrets.token_urlsafe(8)
    os.environ[ENV_SESSIONS] = str(sessions.resolve())
    from sim.ui.app import game_url, lobby, serve
    from sim.ui.shared import ENV_ADDRESS

    # the address goes with the lock of each game this server holds, for another to quote
    os.environ[ENV_ADDRESS] = f"http://{host}:{port}/"

    if token:
        os.environ["GEOSIM_ROOM_TOKEN"] = token
    announce: list[tuple[str, str]] = []
    game = None
    try:
        if resume:
            found = Path(resume)
            game = (
                lobby().adopt(found) if found.suffix in (".yaml", ".yml") else lobby().open(resume)
            )
        elif parsed:
            if deck:
                load_deck(deck)  # a bad deck is reported here, before any game is made
            game = lobby().create(scenario, parsed, turn_months=turn_months, deck=deck)
    except ScenarioError as exc:
        _fail(str(exc))
    except ValueError as exc:
        _fail(f"error: {exc}")
    if game is not None:
        record = game.record
        announce.append((f"{record.title}, facilitator", game_url(game, record.facilitator_code)))
        for seat in record.seats:
            announce.append((f"{seat.name} team (code {seat.code})", game_url(game, seat.code)))
        announce.append(
            (f"Board for a projector (code {record.board_code})", game_url(game, record.board_code))
        )
    try:
        serve(scenario, host=host, port=port, sessions=sessions, token=token, announce=announce)
    except RuntimeError as exc:  # e.g. the port is taken, or a LAN room without a token
        _fail(f"error: {exc}")


@main.command("sessions")
@click.option(
    "--sessions",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("results") / "sessions",
    show_default=True,
    help="Folder of the saved games.",
)
def sessions_command(sessions: Path) -> None:
    """List the saved games, newest first (resume one with geosim dashboard --resume ID).

    An entry of the folder that is not a readable game is named on stderr with why.
    """
    from sim.game.sessions import scan

    if sessions.exists() and not sessions.is_dir():
        _fail(f"error: --sessions {sessions} is not a folder")
    records, skipped = scan(sessions)
    for entry in skipped:
        click.echo(f"warning: {entry}", err=True)
    if not records:
        click.echo(f"No saved game in {sessions}.")
        return
    for record in records:
        seats = "; ".join(f"{s.name}: {','.join(s.countries)}" for s in record.seats) or "no teams"
        actions = sum(a.status == "accepted" for a in record.actions)
        click.echo(
            f"{record.id}  {record.title}  month {record.month}  {actions} actions  "
            f"seats {seats}  facilitator code {record.facilitator_code}  "
            f"(created {record.created})"
        )
