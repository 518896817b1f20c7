"""Every shipped sweep spec is usable as shipped.

Each parameter a spec varies moves at least one outcome it records, and each analysis its
description recommends runs and writes what it says. Both are checked on small designs of the
spec itself (its parameters, base scenario, horizon, seed and outcomes; fewer samples and
replicates), run in this process.

Whether a parameter moves an outcome is read from a two-level grid (a range at its two ends,
a list at all its values): every combination of the other parameters' levels, each replicate
with the same random numbers at every level of the parameter (common random numbers), gives
a paired difference between the parameter's levels with the highest and the lowest mean. A
parameter moves the outcome when the mean of those differences is at least

- a tenth of the outcome's minimum meaningful difference (``MINIMUM_DIFFERENCE`` of
  :mod:`sim.studies.compare`, the smallest difference a reader should act on), so that a real
  but negligible effect does not count; and
- ``z`` paired standard errors, ``z`` set so that a parameter without any effect passes on
  some outcome of the spec with a chance below 1 in 1,000 (Bonferroni over the spec's
  parameters and outcomes), so that noise does not count.

:func:`test_a_parameter_that_moves_nothing_is_caught` runs the check on the spec as it shipped
before (``parameters.incidents.escalation_channel``, which moved nothing), to show it fails.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from scipy import stats

from sim.cli import main
from sim.scenario.loader import resolve_reference
from sim.scenario.resources import sweeps_dir
from sim.studies.compare import MINIMUM_DIFFERENCE
from sim.sweep import analysis
from sim.sweep.executor import run_sweep
from sim.sweep.spec import Sweep, load_sweep, resolve_sweep
from sim.sweep.store import read_manifest, read_runs

pytestmark = pytest.mark.slow

SHIPPED = sorted(path.stem for path in sweeps_dir().glob("*.yaml"))

#: The design that shows each parameter's effect, and its replicates per sample.
TWO_LEVELS = {"method": "grid", "levels": 2}
EFFECT_REPLICATES = 8
#: Chance that a parameter without effect passes on some outcome of a spec.
FAMILY_ERROR = 0.001
#: Share of an outcome's minimum meaningful difference an effect must reach.
FLOOR = 0.1

#: The small design of each design method (for the recommended analyses), and its replicates.
SMALL_DESIGNS = {
    "grid": TWO_LEVELS,
    "sobol": {"method": "sobol", "samples": 2},
    "morris": {"method": "morris", "samples": 2},
    "lhs": {"method": "lhs", "samples": 16},
    "random": {"method": "random", "samples": 16},
}
SMALL_REPLICATES = {"grid": EFFECT_REPLICATES}  # a grid's analyses reuse its effects' runs
OTHER_REPLICATES = 4


def small_spec(name: str, folder: Path, design: dict, replicates: int, **changes) -> Path:
    """A copy of a shipped spec with another design and replicates (and ``changes``)."""
    shipped = resolve_sweep(name)
    data = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    data.update(design=design, replicates=replicates, **changes)
    data["base"] = str(resolve_reference(data["base"], shipped))
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory):
    """Run a small design of a shipped spec once per module: ``(sweep, directory)``."""
    done: dict[tuple, tuple[Sweep, Path]] = {}

    def run(name: str, design: dict, replicates: int, **changes) -> tuple[Sweep, Path]:
        key = (name, repr(design), replicates, repr(changes))
        if key not in done:
            folder = tmp_path_factory.mktemp(name)
            sweep = load_sweep(small_spec(name, folder, design, replicates, **changes))
            run_sweep(sweep, folder / "out", workers=0)
            done[key] = sweep, folder / "out"
        return done[key]

    return run


def extreme_levels(
    runs: pd.DataFrame, parameters: tuple[str, ...], parameter: str, outcome: str
) -> tuple[float, float]:
    """Mean and standard error of the paired difference between a parameter's extreme levels.

    The levels are those with the highest and the lowest mean outcome; a pair is two runs
    with the same values of every other parameter and the same replicate.
    """
    keys = [p for p in parameters if p != parameter] + ["replicate"]
    wide = runs.set_index([*keys, parameter])[outcome].unstack(parameter)
    means = wide.mean()
    difference = wide[means.idxmax()] - wide[means.idxmin()]
    return float(difference.mean()), float(difference.std(ddof=1) / np.sqrt(len(difference)))


def effects_table(sweep: Sweep, out: Path) -> pd.DataFrame:
    """Each parameter's effect on each outcome, its z score, and whether it counts."""
    runs = read_runs(out)
    needed = stats.norm.isf(FAMILY_ERROR / 2 / (len(sweep.parameter_names) * len(sweep.outcomes)))
    rows = []
    for outcome in sweep.outcomes:
        family = outcome.split(".")[0]
        assert family in MINIMUM_DIFFERENCE, f"declare the minimum difference of {outcome}"
        floor = FLOOR * MINIMUM_DIFFERENCE[family]
        effects = analysis.main_effects(out, outcome).summary["effects"]
        for parameter in sweep.parameter_names:
            effect, error = extreme_levels(runs, sweep.parameter_names, parameter, outcome)
            # On a full grid the paired mean is the range of the level means.
            assert effect == pytest.approx(effects[parameter], abs=1e-12)
            z = effect / error if error > 0 else (np.inf if effect > 0 else 0.0)
            rows.append(
                {
                    "parameter": parameter,
                    "outcome": outcome,
                    "effect": effect,
                    "floor": floor,
                    "z": z,
                    "z_needed": needed,
                    "moves": effect >= floor and z >= needed,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_parameter_of_a_shipped_sweep_moves_an_outcome(swept, name: str) -> None:
    sweep, out = swept(name, TWO_LEVELS, EFFECT_REPLICATES)
    table = effects_table(sweep, out)
    moves = table.groupby("parameter", sort=False)["moves"].any()
    assert moves.all(), (
        f"{name}: {', '.join(moves.index[~moves])} move no outcome:\n" + table.to_string()
    )


def test_a_parameter_that_moves_nothing_is_caught(swept) -> None:
    """The check fails the deconfliction coefficient sea_funding_grid shipped with before.

    Beside it, Vietnam's assistance, which passes: the same runs tell the two apart.
    """
    shipped = yaml.safe_load(resolve_sweep("sea_funding_grid").read_text(encoding="utf-8"))
    vietnam = "policies.us_assistance_vietnam.usd_m_per_year"
    parameters = {
        vietnam: shipped["parameters"][vietnam],
        "parameters.incidents.escalation_channel": {"values": [0.0, 1.5, 3.0]},
    }
    sweep, out = swept("sea_funding_grid", TWO_LEVELS, EFFECT_REPLICATES, parameters=parameters)
    moves = effects_table(sweep, out).groupby("parameter")["moves"].any()
    assert not moves["parameters.incidents.escalation_channel"]
    assert moves[vietnam]


def recommended(name: str) -> list[list[str]]:
    """The analysis commands a spec's description recommends, as arguments after ``analyze``."""
    text = " ".join(yaml.safe_load(resolve_sweep(name).read_text())["description"].split())
    return [shlex.split(command)[2:] for command in re.findall(r"`(geosim analyze [^`]*)`", text)]


@pytest.mark.parametrize("name", SHIPPED)
def test_the_analyses_a_shipped_sweep_recommends_run_and_write_what_they_say(
    swept, name: str
) -> None:
    commands = recommended(name)
    assert commands, f"{name}'s description recommends no `geosim analyze DIR ...` command"
    method = yaml.safe_load(resolve_sweep(name).read_text())["design"]["method"]
    replicates = SMALL_REPLICATES.get(method, OTHER_REPLICATES)
    _, out = swept(name, SMALL_DESIGNS[method], replicates)
    for command in commands:
        assert command[0] == "DIR", command
        result = CliRunner().invoke(main, ["analyze", str(out), *command[1:]])
        assert result.exit_code == 0, f"geosim analyze {shlex.join(command)}:\n{result.output}"
        options = dict(zip(command[1::2], command[2::2], strict=True))
        kind = options.get("--method") or (
            "prim" if "--threshold" in options else analysis.default_method(read_manifest(out))
        )
        stem = f"{kind}_{options['--outcome']}".replace(".", "_")
        wrote = next(line for line in result.output.splitlines() if line.startswith("wrote "))
        files = [Path(path) for path in wrote.removeprefix("wrote ").split(", ")]
        assert sorted(f.name for f in files) == sorted(
            f"{stem}{suffix}" for suffix in (".csv", ".json", ".png", ".svg")
        )
        assert all(f.parent == out / "analysis" and f.stat().st_size > 0 for f in files)
        assert f"{kind} analysis of {options['--outcome']}" in result.output
        pd.read_csv(out / "analysis" / f"{stem}.csv")
