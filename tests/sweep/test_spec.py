"""Sweep specs: designs, value mapping, and clear errors for bad specs."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from sim.cli import main
from sim.scenario.loader import ScenarioError
from sim.scenario.resources import sweeps_dir
from sim.sweep.spec import ParameterSpec, design_size, load_sweep, unit_design


def write_spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


BASIC = """\
    name: basic
    base: hub_and_spoke
    design: {method: lhs, samples: 20}
    replicates: 3
    parameters:
      parameters.arms.reaction: {range: [0.02, 0.08]}
      policies.us_assistance_philippines.start: {range: [0, 24]}
    outcomes: [p_crisis, "alignment.V*"]
"""


def problems(tmp_path: Path, text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_sweep(write_spec(tmp_path, text))
    return str(caught.value)


@pytest.mark.parametrize("path", sorted(sweeps_dir().glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_specs_load_and_have_their_design_size(path: Path) -> None:
    sweep = load_sweep(path.stem)
    assert sweep.runs == sweep.samples * sweep.spec.replicates
    assert "unit" not in vars(sweep)  # sized without drawing the design (nor needing SALib)
    assert len(sweep.unit) == sweep.samples == design_size(sweep.spec)
    assert sweep.spec.description
    assert len(list(sweeps_dir().glob("*.yaml"))) >= 2


@pytest.mark.parametrize(
    ("samples", "replicates", "chunk"),
    [(1_000, 1, 256), (1_000, 10, 250), (100, 200, 200), (20_000, 10, 2_000), (10, 500, 500)],
)
def test_default_chunks_hold_whole_samples_and_enough_runs_to_fill_the_engine(
    tmp_path: Path, samples: int, replicates: int, chunk: int
) -> None:
    text = BASIC.replace("samples: 20", f"samples: {samples}").replace(
        "replicates: 3", f"replicates: {replicates}"
    )
    assert load_sweep(write_spec(tmp_path, text)).chunk_size == chunk


def test_design_sizes_follow_each_scheme(tmp_path: Path) -> None:
    def size(design: str, params: int = 3) -> int:
        lines = "\n".join(
            f"  parameters.incidents.{name}: {{range: [0.1, 0.2]}}"
            for name in ("base_hazard", "deescalation", "channel_spillover")[:params]
        )
        text = f"name: s\nbase: hub_and_spoke\ndesign: {design}\nparameters:\n{lines}\n"
        return len(load_sweep(write_spec(tmp_path, text)).unit)  # the design drawn

    assert size("{method: sobol, samples: 16}") == 16 * (3 + 2)  # Saltelli, no 2nd order
    assert size("{method: morris, samples: 5}") == 5 * (3 + 1)
    assert size("{method: grid, levels: 3}") == 27
    assert size("{method: random, samples: 11}") == 11


def test_values_stay_in_range_and_whole_numbers_stay_whole(tmp_path: Path) -> None:
    sweep = load_sweep(write_spec(tmp_path, BASIC))
    values = np.array(sweep.values_of(0, sweep.samples), dtype=object)
    reaction = values[:, 0].astype(float)
    assert reaction.min() >= 0.02 and reaction.max() <= 0.08
    starts = values[:, 1]
    assert all(isinstance(v, int) for v in starts)  # the base field is whole months
    assert min(starts) >= 0 and max(starts) <= 24
    assert sweep.outcomes == ("p_crisis", "alignment.VNM")


def test_latin_hypercube_puts_one_point_in_every_stratum(tmp_path: Path) -> None:
    unit = unit_design(load_sweep(write_spec(tmp_path, BASIC)).spec, seed=5)
    for column in unit.T:
        assert sorted((column * 20).astype(int)) == list(range(20))


def test_grid_covers_ends_of_ranges_and_every_listed_value(tmp_path: Path) -> None:
    text = """\
        name: g
        base: hub_and_spoke
        design: {method: grid, levels: 3}
        parameters:
          parameters.arms.reaction: {range: [0.02, 0.08]}
          parameters.incidents.escalation_channel: {values: [0.0, 1.5]}
    """
    sweep = load_sweep(write_spec(tmp_path, text))
    pairs = {tuple(v) for v in sweep.values_of(0, sweep.samples)}
    assert pairs == {(r, c) for r in (0.02, 0.05, 0.08) for c in (0.0, 1.5)}


def test_distributions_map_through_their_inverse_cdf() -> None:
    u = np.linspace(0.0005, 0.9995, 2000)
    triangular = ParameterSpec(distribution="triangular", bounds=[1.0, 4.0], mode=2.0)
    drawn = np.array(triangular.from_unit(u))
    assert drawn.min() >= 1.0 and drawn.max() <= 4.0
    assert drawn.mean() == pytest.approx((1 + 4 + 2) / 3, abs=0.01)
    normal = ParameterSpec(distribution="normal", mean=0.5, sd=0.1, bounds=[0.4, 0.9])
    assert min(normal.from_unit(u)) >= 0.4
    lognormal = np.array(ParameterSpec(distribution="lognormal", mean=0.0, sd=0.5).from_unit(u))
    assert np.median(lognormal) == pytest.approx(1.0, abs=0.01)
    assert lognormal.min() > 0


def test_a_sweep_is_the_same_every_time_it_is_loaded(tmp_path: Path) -> None:
    path = write_spec(tmp_path, BASIC)
    first, second = load_sweep(path), load_sweep(path)
    assert np.array_equal(first.unit, second.unit)
    assert first.fingerprint() == second.fingerprint()
    changed = write_spec(tmp_path, BASIC.replace("replicates: 3", "replicates: 4"), "b.yaml")
    assert load_sweep(changed).fingerprint() != first.fingerprint()


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        (
            ("parameters.arms.reaction:", "parameters.arms.reactoin:"),
            ["spec.yaml:6", "parameters.parameters.arms.reactoin", "reaction"],
        ),
        (("[0.02, 0.08]", "[0.08, 0.02]"), ["spec.yaml:6", "low < high"]),
        (("[0.02, 0.08]", "[-0.5, 0.08]"), ["spec.yaml:6", "makes the base scenario invalid"]),
        (("samples: 20}", "samples: 20, levels: 2}"), []),
        (("method: lhs", "method: sobol"), ["spec.yaml:3", "power of two", "try 16 or 32"]),
        (("method: lhs", "method: latin"), ["spec.yaml:3", "design.method", "lhs"]),
        (('"alignment.V*"', "alignment.VNN"), ["spec.yaml:8", "unknown outcome", "alignment.VNM"]),
        (("base: hub_and_spoke", "base: hub_and_spokes"), ["spec.yaml:2", "hub_and_spoke"]),
        (("replicates: 3", "replicates: '3'"), ["spec.yaml:4", "replicates"]),
        (("{range: [0, 24]}", "{values: [0, 12], range: [0, 1]}"), ["exactly one of"]),
    ],
    ids=[
        "typo-in-path",
        "inverted-range",
        "value-the-scenario-rejects",
        "levels-ignored-for-lhs",
        "sobol-size",
        "unknown-design",
        "unknown-outcome",
        "unknown-base",
        "quoted-number",
        "two-kinds",
    ],
)
def test_bad_specs_name_file_line_field_and_a_fix(
    tmp_path: Path, replace: tuple[str, str], expected: list[str]
) -> None:
    text = BASIC.replace(*replace)
    if not expected:
        load_sweep(write_spec(tmp_path, text))  # accepted: levels only matter on a grid
        return
    message = problems(tmp_path, text)
    for fragment in expected:
        assert fragment in message


def test_sobol_refuses_listed_values_and_morris_refuses_distributions(tmp_path: Path) -> None:
    listed = BASIC.replace("method: lhs, samples: 20", "method: sobol, samples: 16").replace(
        "{range: [0, 24]}", "{values: [0, 12]}"
    )
    assert "need numeric parameters" in problems(tmp_path, listed)
    shaped = BASIC.replace("method: lhs, samples: 20", "method: morris, samples: 4").replace(
        "{range: [0, 24]}", "{distribution: normal, mean: 12, sd: 3}"
    )
    assert "'range' parameters only" in problems(tmp_path, shaped)


def test_cli_reports_a_bad_spec_with_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, BASIC.replace("[0.02, 0.08]", "[0.08, 0.02]"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(out)])
    assert result.exit_code == 2
    assert "low < high" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_specs_are_plain_yaml_with_no_tags(tmp_path: Path) -> None:
    text = BASIC.replace("replicates: 3", "replicates: !!python/object:os.system 3")
    assert "tag" in problems(tmp_path, text).lower()
    for path in sweeps_dir().glob("*.yaml"):
        assert isinstance(yaml.safe_load(path.read_text()), dict)


def test_sobol_design_uses_saltelli_blocks(tmp_path: Path) -> None:
    text = BASIC.replace("method: lhs, samples: 20", "method: sobol, samples: 8")
    unit = load_sweep(write_spec(tmp_path, text)).unit
    d = 2
    blocks = unit.reshape(8, d + 2, d)
    # Each block: A, then A with column i from B (i = 0 … d−1), then B.
    a, b = blocks[:, 0], blocks[:, -1]
    for i in range(d):
        mixed = blocks[:, 1 + i]
        assert np.array_equal(mixed[:, i], b[:, i])
        others = [j for j in range(d) if j != i]
        assert np.array_equal(mixed[:, others], a[:, others])
    assert math.isclose(unit.mean(), 0.5, abs_tol=0.1)


def test_cli_lists_the_shipped_sweeps() -> None:
    result = CliRunner().invoke(main, ["list", "--sweeps"])
    assert result.exit_code == 0
    assert "escalation_sobol" in result.output and "35,840 runs" in result.output
    names = CliRunner().invoke(main, ["list", "--sweeps", "--names"]).output.split()
    assert names == sorted(p.stem for p in sweeps_dir().glob("*.yaml"))
