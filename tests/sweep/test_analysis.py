"""Sweep analysis: indices with known answers through the real path, PRIM boxes, the CLI."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner, Result
from sweep_files import (
    copy_of,
    edit_manifest,
    finished_sweep,
    flip,
    outcomes_of,
    part,
    rewrite_recorded,
    set_cell,
)

from sim.cli import main
from sim.sweep import analysis
from sim.sweep.executor import run_sweep
from sim.sweep.parts import runs_schema
from sim.sweep.spec import chunk_bounds, load_sweep
from sim.sweep.store import SweepError, prepare_directory, read_manifest, write_chunk

#: Ishigami & Homma (1990) with a = 7, b = 0.1: analytic Sobol indices (Sobol' & Levitan 1999).
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_tension(u: np.ndarray) -> np.ndarray:
    """Ishigami on [−π, π]³, moved into [0, 1] (it spans −10.75 … 17.75; indices do not change)."""
    return (ishigami(np.pi * (2 * u - 1)) + 11.0) / 29.0


def spec_file(tmp_path: Path, design: str, replicates: int = 2) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            name: known_answer
            base: hub_and_spoke
            design: {design}
            replicates: {replicates}
            parameters:
              parameters.incidents.base_hazard: {{range: [0.0, 1.0]}}
              parameters.incidents.deescalation: {{range: [0.0, 1.0]}}
              parameters.incidents.channel_spillover: {{range: [0.0, 1.0]}}
            outcomes: [regional_tension]
            """
        )
    )
    return path


def fill_with(sweep, out: Path, function, *, chunk_size: int = 97, shuffle: int = 0) -> None:
    """Write a sweep's runs as if the model were ``function`` of its unit design point.

    Uses the real sweep directory, manifest, design and part files; chunks are written in a
    shuffled order with shuffled rows, to prove the analysis restores the design's order.
    ``function`` must stay within the bounds of ``regional_tension``, [0, 1].
    """
    record = prepare_directory(sweep, out, chunk_size, resume=False, force=True)
    schema = runs_schema([(p.path, p.kind) for p in record.parameters], record.outcomes)
    reps = sweep.spec.replicates
    y = function(sweep.unit)
    values = sweep.values_of(0, sweep.samples)
    bounds = chunk_bounds(sweep.runs, chunk_size)
    order = np.random.default_rng(shuffle).permutation(len(bounds))
    for c in order:
        start, stop = bounds[c]
        run = np.arange(start, stop)[np.random.default_rng(c).permutation(stop - start)]
        sample = run // reps
        n = len(run)
        columns = {
            "run_id": run,
            "sample": sample,
            "replicate": run % reps,
            "seed": [sweep.seed] * n,
            "config_hash": ["-"] * n,
            **{p: [values[s][j] for s in sample] for j, p in enumerate(sweep.parameter_names)},
            "regional_tension": y[sample],
            "status": ["ok"] * n,
            "message": [""] * n,
            "elapsed_s": [0.0] * n,
            "worker": ["fill_with"] * n,
        }
        write_chunk(out, record, int(c), pa.table(columns, schema=schema), None)


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values(
    tmp_path: Path,
) -> None:
    sweep = load_sweep(spec_file(tmp_path, "{method: sobol, samples: 4096}"))
    fill_with(sweep, tmp_path / "out", ishigami_tension)
    result = analysis.sobol(tmp_path / "out", "regional_tension")
    table = result.table.set_index("parameter")
    assert list(table.index) == list(sweep.parameter_names)
    assert table["S1"].to_numpy() == pytest.approx(ISHIGAMI_S1, abs=0.04)
    assert table["ST"].to_numpy() == pytest.approx(ISHIGAMI_ST, abs=0.04)
    assert (table["ST_conf"] < 0.05).all() and (table["S1_conf"] < 0.06).all()
    # The bootstrap is seeded: the confidence intervals repeat exactly.
    again = analysis.sobol(tmp_path / "out", "regional_tension").table
    pd.testing.assert_frame_equal(again, result.table)


def test_shuffling_the_sample_order_would_destroy_the_indices(tmp_path: Path) -> None:
    """Guard for the test above: it can fail if samples were read out of design order."""
    sweep = load_sweep(spec_file(tmp_path, "{method: sobol, samples: 1024}"))
    scrambled = np.random.default_rng(1).permutation(sweep.samples)
    fill_with(sweep, tmp_path / "out", lambda u: ishigami_tension(u[scrambled]))
    table = analysis.sobol(tmp_path / "out", "regional_tension").table
    assert table["S1"].to_numpy() != pytest.approx(ISHIGAMI_S1, abs=0.04)


def test_morris_ranks_a_linear_function_by_its_slopes(tmp_path: Path) -> None:
    sweep = load_sweep(spec_file(tmp_path, "{method: morris, samples: 20}"))
    fill_with(sweep, tmp_path / "out", lambda u: (3.0 * u[:, 0] - 1.0 * u[:, 1] + 1.0) / 4.0)
    table = analysis.morris(tmp_path / "out", "regional_tension").table.set_index("parameter")
    assert table["mu_star"].to_numpy() == pytest.approx([0.75, 0.25, 0.0], abs=1e-9)
    assert table["mu"].to_numpy() == pytest.approx([0.75, -0.25, 0.0], abs=1e-9)
    assert table["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_prim_finds_the_box_where_the_outcome_happens(tmp_path: Path) -> None:
    sweep = load_sweep(spec_file(tmp_path, "{method: lhs, samples: 1000}"))
    fill_with(sweep, tmp_path / "out", lambda u: ((u[:, 0] > 0.7) & (u[:, 2] < 0.4)) * 1.0)
    result = analysis.prim(tmp_path / "out", "regional_tension", threshold=0.5, density=0.95)
    box = result.table.set_index("parameter")
    assert set(box.index) == {
        "parameters.incidents.base_hazard",
        "parameters.incidents.channel_spillover",
    }
    assert box.loc["parameters.incidents.base_hazard", "low"] == pytest.approx(0.7, abs=0.05)
    assert box.loc["parameters.incidents.channel_spillover", "high"] == pytest.approx(0.4, abs=0.05)
    assert result.summary["density"] >= 0.95 and result.summary["coverage"] >= 0.8


def grid_file(tmp_path: Path) -> Path:
    """A 3 × 3 × 3 grid; the last parameter is a list, given out of order."""
    path = tmp_path / "grid.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: known_effects
            base: hub_and_spoke
            design: {method: grid, levels: 3}
            replicates: 2
            parameters:
              parameters.incidents.base_hazard: {range: [0.0, 1.0]}
              parameters.incidents.deescalation: {range: [0.0, 1.0]}
              parameters.incidents.channel_spillover: {values: [0.5, 0.1, 0.3]}
            outcomes: [regional_tension]
            """
        )
    )
    return path


def test_main_effects_of_a_grid_are_the_level_means_ranked_by_their_range(
    tmp_path: Path,
) -> None:
    sweep = load_sweep(grid_file(tmp_path))
    out = tmp_path / "out"
    # y = 0.1 + 0.5 u0 + 0.2 u1²: level means 0.1 + 0.5 u0 + 0.2 · mean(u1²) over u0, and so on.
    fill_with(sweep, out, lambda u: 0.1 + 0.5 * u[:, 0] + 0.2 * u[:, 1] ** 2, chunk_size=5)
    result = analysis.main_effects(out, "regional_tension")
    table = result.table
    assert list(result.summary["effects"]) == [
        "parameters.incidents.base_hazard",
        "parameters.incidents.deescalation",
        "parameters.incidents.channel_spillover",
    ]
    assert list(result.summary["effects"].values()) == pytest.approx([0.5, 0.2, 0.0], abs=1e-12)
    hazard = table[table["parameter"] == "parameters.incidents.base_hazard"]
    u1_squared = np.mean([0.0, 0.25, 1.0])
    expected = [0.1 + 0.5 * u0 + 0.2 * u1_squared for u0 in (0.0, 0.5, 1.0)]
    assert hazard["mean"].to_numpy() == pytest.approx(expected, abs=1e-12)
    assert list(hazard["level"]) == [0.0, 0.5, 1.0] and set(hazard["rank"]) == {1}
    assert (hazard["runs"] == 9 * 2).all()
    assert ((hazard["low"] < hazard["mean"]) & (hazard["mean"] < hazard["high"])).all()
    # Each interval is the Student-t interval over that level's runs.
    runs = outcomes_of(out)
    first = runs.loc[runs["parameters.incidents.base_hazard"] == 0.0, "regional_tension"]
    half = 2.110 * first.std() / np.sqrt(len(first))  # t(0.975, 17) = 2.110
    assert hazard["high"].iloc[0] - hazard["mean"].iloc[0] == pytest.approx(half, rel=1e-3)
    listed = table[table["parameter"] == "parameters.incidents.channel_spillover"]
    assert list(listed["level"]) == [0.1, 0.3, 0.5]  # numbers ascending, whatever the list's order


def test_a_grid_is_analysed_by_its_main_effects_from_the_command_line(tmp_path: Path) -> None:
    sweep = load_sweep(grid_file(tmp_path))
    out = tmp_path / "out"
    fill_with(sweep, out, lambda u: 0.1 + 0.5 * u[:, 0] + 0.2 * u[:, 1] ** 2, chunk_size=5)
    result = CliRunner().invoke(main, ["analyze", str(out)])
    assert result.exit_code == 0, result.output
    assert "main_effects analysis of regional_tension" in result.output
    stem = out / "analysis" / "main_effects_regional_tension"
    written = [stem.with_suffix(suffix) for suffix in (".csv", ".json", ".png", ".svg")]
    assert f"wrote {', '.join(str(path) for path in written)}" in result.output
    table = pd.read_csv(stem.with_suffix(".csv"))
    assert list(table.columns) == [
        "parameter",
        "rank",
        "effect",
        "level",
        "runs",
        "mean",
        "low",
        "high",
    ]
    assert len(table) == 9 and table["rank"].is_monotonic_increasing
    assert stem.with_suffix(".png").stat().st_size > 10_000
    # A threshold asks for scenario discovery; so does --method prim.
    prim = CliRunner().invoke(main, ["analyze", str(out), "--threshold", "0.5"])
    assert prim.exit_code == 0 and "prim analysis of regional_tension" in prim.output
    lhs = load_sweep(spec_file(tmp_path, "{method: lhs, samples: 20}"))
    fill_with(lhs, tmp_path / "lhs", lambda u: u[:, 0])
    with pytest.raises(SweepError, match="main effects need a grid design"):
        analysis.main_effects(tmp_path / "lhs", "regional_tension")


def test_without_a_threshold_prim_uses_one_inside_the_outcomes_range_and_says_so(
    tmp_path: Path,
) -> None:
    """0.5 is nobody's choice: when it separates nothing, the 75th percentile replaces it."""
    sweep = load_sweep(spec_file(tmp_path, "{method: lhs, samples: 200}"))
    out = tmp_path / "out"
    fill_with(sweep, out, lambda u: 0.2 * u[:, 0])  # every mean below 0.5
    result = CliRunner().invoke(main, ["analyze", str(out), "--outcome", "regional_tension"])
    assert result.exit_code == 0, result.output
    means = 0.2 * sweep.unit[:, 0]
    suggested = float(f"{np.quantile(means, 0.75):.3g}")
    assert "note: the default threshold 0.5 separates nothing" in result.output
    assert f"using {suggested:g}, the 75th percentile" in result.output
    assert f"range from {means.min():.4g} to {means.max():.4g}" in result.output
    assert f"samples are cases: regional_tension ≥ {suggested:g})" in result.output
    summary = analysis.prim(out, "regional_tension").summary
    assert summary["threshold"] == suggested and summary["threshold_chosen_by"] == "suggested"
    assert summary["cases"] == int((means >= suggested).sum())


def test_a_threshold_given_outside_the_outcomes_range_is_refused_with_one_inside_it(
    tmp_path: Path,
) -> None:
    """A threshold the user gave defines their cases: refused, never silently replaced."""
    sweep = load_sweep(spec_file(tmp_path, "{method: lhs, samples: 200}"))
    out = tmp_path / "out"
    fill_with(sweep, out, lambda u: 0.2 * u[:, 0])
    refused = analyze_prim(out, 0.5)
    assert refused.exit_code == 2, refused.output
    lines = refused.output.splitlines()
    assert lines[0] == "error: no sample has regional_tension ≥ 0.5: nothing to discover"
    assert lines[1].startswith("  hint: the 200 sample means of regional_tension range from")
    assert "quartiles" in lines[1] and "90th percentile" in lines[1]
    suggested = re.search(r"try --threshold (\S+) \(the 75th percentile", lines[1])
    assert suggested, lines[1]
    assert analyze_prim(out, float(suggested[1])).exit_code == 0
    with pytest.raises(SweepError, match="every sample has regional_tension ≥ -1"):
        analysis.prim(out, "regional_tension", threshold=-1.0)


def test_the_suggested_threshold_separates_even_outcomes_with_ties() -> None:
    crises = np.array([0.0] * 8 + [0.05, 0.1])  # most samples without a crisis
    assert analysis.suggest_threshold(crises) == (0.05, "the lowest sample mean above the minimum")
    assert analysis.suggest_threshold(np.full(5, 0.3)) is None
    value, which = analysis.suggest_threshold(np.linspace(0.0, 1.0, 101) ** 2)
    assert (value, which) == (0.562, "the 75th percentile")


def test_analysis_refuses_incomplete_sweeps_and_mismatched_designs(tmp_path: Path) -> None:
    sweep = load_sweep(spec_file(tmp_path, "{method: lhs, samples: 50}"))
    out = tmp_path / "out"
    fill_with(sweep, out, lambda u: u[:, 0])
    with pytest.raises(SweepError, match="sobol indices need a sobol design"):
        analysis.sobol(out, "regional_tension")
    with pytest.raises(SweepError, match="was not recorded"):
        analysis.prim(out, "p_war", threshold=0.5)
    with pytest.raises(SweepError, match="nothing to discover"):
        analysis.prim(out, "regional_tension", threshold=2.0)
    next((out / "runs").glob("part-*.parquet")).unlink()
    with pytest.raises(SweepError, match=r"missing\n  this redoes them: geosim sweep .* --resume"):
        analysis.prim(out, "regional_tension", threshold=0.5)
    result = CliRunner().invoke(main, ["analyze", str(out), "--method", "sobol"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_sweep_then_analyze_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "short.yaml").write_text("name: short\nextends: hub_and_spoke\nhorizon: 24\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        textwrap.dedent(
            """\
            name: cli_morris
            base: short.yaml
            design: {method: morris, samples: 4}
            replicates: 4
            parameters:
              parameters.alignment.rate: {range: [0.005, 0.05]}
              parameters.alignment.noise_sd: {range: [0.0, 0.02]}
            outcomes: [alignment.PHL, regional_tension]
            """
        )
    )
    out = tmp_path / "out"
    runner = CliRunner()
    done = runner.invoke(main, ["sweep", str(spec), "--out", str(out), "--workers", "0", "-q"])
    assert done.exit_code == 0, done.output
    assert read_manifest(out).complete
    result = runner.invoke(main, ["analyze", str(out)])
    assert result.exit_code == 0, result.output
    assert "morris analysis of alignment.PHL" in result.output
    table = pd.read_csv(out / "analysis" / "morris_alignment_PHL.csv")
    assert list(table["parameter"]) == [
        "parameters.alignment.rate",
        "parameters.alignment.noise_sd",
    ]
    assert (out / "analysis" / "morris_alignment_PHL.png").stat().st_size > 10_000
    assert (out / "analysis" / "morris_alignment_PHL.svg").exists()


def test_a_real_sweep_responds_to_the_parameter_that_drives_it(tmp_path: Path) -> None:
    """End to end on the model: the incident hazard must dominate the count of incidents."""
    (tmp_path / "short.yaml").write_text("name: short\nextends: hub_and_spoke\nhorizon: 36\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        textwrap.dedent(
            """\
            name: drivers
            base: short.yaml
            design: {method: sobol, samples: 32}
            replicates: 8
            parameters:
              parameters.incidents.base_hazard: {range: [0.02, 0.4]}
              parameters.alignment.noise_sd: {range: [0.0, 0.02]}
            outcomes: [incidents_total]
            """
        )
    )
    run_sweep(load_sweep(spec), tmp_path / "out", workers=0)
    table = analysis.sobol(tmp_path / "out", "incidents_total").table.set_index("parameter")
    assert table.loc["parameters.incidents.base_hazard", "ST"] > 0.8
    assert table.loc["parameters.alignment.noise_sd", "ST"] < 0.1


# --------------------------------------------------------------------------------------------
# Damaged sweeps: analyze names what is damaged and the one command that repairs it


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return finished_sweep(tmp_path_factory.mktemp("finished"))


def analyze_prim(out: Path, threshold: float) -> Result:
    prim = ["--method", "prim", "--outcome", "regional_tension", "--threshold", str(threshold)]
    return CliRunner().invoke(main, ["analyze", str(out), *prim])


def middle(runs: pd.DataFrame) -> float:
    """A threshold that splits the samples: the median of their mean regional tension."""
    return float(runs.groupby("sample")["regional_tension"].mean().median())


def repair_of(output: str) -> list[str]:
    """The command an error prints to repair the sweep, as arguments (``geosim`` first)."""
    line = next(line for line in output.splitlines() if line.startswith("  this "))
    return shlex.split(line.split(": ", 1)[1])


#: Damage, and how analyze names it.
DAMAGE = {
    "bytes flipped at 10%": (lambda out: flip(part(out, 2), 0.1), "part-000002.parquet: checksum"),
    "bytes flipped at 40%": (lambda out: flip(part(out, 2), 0.4), "part-000002.parquet: checksum"),
    "bytes flipped at 90%": (lambda out: flip(part(out, 2), 0.9), "part-000002.parquet: checksum"),
    "a value out of bounds": (
        lambda out: rewrite_recorded(out, 1, lambda t: set_cell(t, "alignment.PHL", 1, -30.13)),
        "part-000001.parquet: alignment.PHL = -30.13 in run 5, outside its bounds",
    ),
    "a part deleted": (lambda out: part(out, 4).unlink(), "part-000004.parquet: missing"),
    "a chunk not run": (
        lambda out: (
            part(out, 5).unlink(),
            edit_manifest(out, lambda m: m["files"].pop("runs/part-000005.parquet")),
        ),
        "1 of 6 chunks have not run yet",
    ),
    "the design damaged": (
        lambda out: flip(out / "design.parquet", 0.5),
        "design.parquet is damaged (checksum mismatch)",
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_analyze_names_the_damage_and_the_command_it_prints_repairs_it(
    finished, tmp_path: Path, damage: str
) -> None:
    _, pristine = finished
    out = copy_of(pristine, tmp_path)
    threshold = middle(outcomes_of(pristine))
    assert analyze_prim(out, threshold).exit_code == 0
    damage_it, named = DAMAGE[damage]
    damage_it(out)
    refused = analyze_prim(out, threshold)
    assert refused.exit_code == 2 and named in refused.output, refused.output
    command = repair_of(refused.output)
    assert command == ["geosim", "sweep", str(out), "--resume"]
    repaired = CliRunner().invoke(main, [*command[1:], "--workers", "0"])
    assert repaired.exit_code == 0, repaired.output
    assert analyze_prim(out, threshold).exit_code == 0
    assert outcomes_of(out).equals(outcomes_of(pristine))


def test_the_printed_command_runs_as_printed_even_without_the_spec(tmp_path: Path) -> None:
    """The repair reads the spec from the manifest: the spec file and its base may be gone."""
    spec, out = finished_sweep(tmp_path / "files")
    undamaged = outcomes_of(out)
    threshold = middle(undamaged)
    flip(part(out, 3), 0.4)
    for path in (spec, spec.parent / "short.yaml"):
        path.unlink()
    command = repair_of(analyze_prim(out, threshold).output)
    done = subprocess.run(
        [sys.executable, "-m", "sim", *command[1:]],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "runs/part-000003.parquet: checksum mismatch" in done.stdout
    assert analyze_prim(out, threshold).exit_code == 0
    assert outcomes_of(out).equals(undamaged)
