"""Sweep parts: recorded with their checksums, verified whole before they count, redone if not.

Each test damages a copy of a finished sweep of six chunks (four runs each), resumes it from the
command line and checks that exactly the damaged chunk ran again, that the summary named it and
why, and that the table is the undamaged one.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from sweep_files import (
    copy_of,
    edit_manifest,
    finished_sweep,
    flip,
    make_sweep_files,
    outcomes_of,
    part,
    rewrite_recorded,
    set_cell,
    snapshot,
)

from sim.cli import main
from sim.folders import record
from sim.sweep.executor import run_sweep
from sim.sweep.parts import Verifier, write_part
from sim.sweep.spec import load_sweep
from sim.sweep.store import read_manifest


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return finished_sweep(tmp_path_factory.mktemp("finished"))


@pytest.fixture
def damaged(finished, tmp_path: Path):
    """A copy of the finished sweep to damage, its undamaged table, and a resume."""
    spec, out = finished
    copy = copy_of(out, tmp_path)

    def resume() -> str:
        result = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(copy), "--resume",
                                           "--workers", "0"])  # fmt: skip
        assert result.exit_code == 0, result.output
        return result.output

    return copy, outcomes_of(out), resume


def redid(output: str, *reasons: str, runs: int = 4) -> bool:
    """Whether a resume's output says it computed ``runs`` runs and redid parts for ``reasons``."""
    said = output.split("damaged parts redone", 1)
    return (
        f"computed {runs} in" in output
        and len(said) == 2
        and said[1].startswith(f" {len(reasons)}\n")
        and all(f"    {reason}" in said[1] for reason in reasons)
    )


def others_unchanged(before: dict[str, bytes], after: dict[str, bytes], *redone: str) -> bool:
    return {k: v for k, v in before.items() if k not in redone} == {
        k: v for k, v in after.items() if k not in redone
    }


@pytest.mark.parametrize("at", [0.1, 0.4, 0.9])
def test_bytes_flipped_anywhere_in_a_part_redo_exactly_its_chunk(damaged, at: float) -> None:
    out, undamaged, resume = damaged
    before = snapshot(out)
    flip(part(out, 2), at)
    output = resume()
    assert redid(output, "runs/part-000002.parquet: checksum mismatch"), output
    assert "resuming: 20 of 24 runs already done" in output
    assert others_unchanged(before, snapshot(out), "runs/part-000002.parquet")
    assert outcomes_of(out).equals(undamaged)
    assert "computed 0 in" in resume()  # repaired for good: nothing left to redo


def test_a_part_cut_short_says_how_short(damaged) -> None:
    out, undamaged, resume = damaged
    data = part(out, 1).read_bytes()
    part(out, 1).write_bytes(data[:100])
    output = resume()
    size = f"{len(data):,}"
    assert redid(output, f"runs/part-000001.parquet: 100 bytes, where the manifest records {size}")
    assert outcomes_of(out).equals(undamaged)


#: Parts a bug could write, recorded with a checksum that matches: what the checks beyond the
#: checksum catch, and how they say it.
WRONG_CONTENT = {
    "alignment out of bounds": (
        lambda t: set_cell(t, "alignment.PHL", 1, -30.13),
        "alignment.PHL = -30.13 in run 5, outside its bounds (in [-1, 1])",
    ),
    "a probability between 0 and 1": (
        lambda t: set_cell(t, "p_crisis", 0, 0.5),
        "p_crisis = 0.5 in run 4, outside its bounds (whole numbers in [0, 1])",
    ),
    "a rung above war": (
        lambda t: set_cell(t, "max_escalation", 2, 6.0),
        "max_escalation = 6 in run 6, outside its bounds (whole numbers in [0, 5])",
    ),
    "a tension that is not a number": (
        lambda t: set_cell(t, "regional_tension", 3, math.nan),
        "regional_tension = nan in run 7, outside its bounds (in [0, 1])",
    ),
    "an ok run without its outcome": (
        lambda t: set_cell(t, "regional_tension", 0, None),
        "run 4 has status ok but no regional_tension",
    ),
    "an invalid run with outcomes": (
        lambda t: set_cell(t, "status", 0, "invalid"),
        "run 4 is invalid but has a value of p_crisis",
    ),
    "an unknown status": (
        lambda t: set_cell(t, "status", 0, "done"),
        "a run has status 'done', neither ok nor invalid",
    ),
    "another chunk's runs": (
        lambda t: set_cell(t, "run_id", 0, 40),
        "does not hold exactly runs 4 to 7",
    ),
    "a run twice": (
        lambda t: set_cell(t, "run_id", 0, 5),
        "does not hold exactly runs 4 to 7",
    ),
    "a run of another replicate": (
        lambda t: set_cell(t, "replicate", 0, 3),
        "a run's sample, replicate or seed is not its own",
    ),
    "a column missing": (
        lambda t: t.drop_columns(["worker"]),
        "its columns are not the sweep's (no column 'worker')",
    ),
    "a column of another type": (
        lambda t: t.set_column(0, "run_id", t.column("run_id").cast(pa.int32())),
        "its columns are not the sweep's (run_id is int32, not int64)",
    ),
}


@pytest.mark.parametrize("wrong", list(WRONG_CONTENT), ids=list(WRONG_CONTENT))
def test_a_part_whose_checksum_matches_but_whose_content_is_wrong_is_redone(
    damaged, wrong: str
) -> None:
    out, undamaged, resume = damaged
    change, reason = WRONG_CONTENT[wrong]
    rewrite_recorded(out, 1, change)
    output = resume()
    assert redid(output, f"runs/part-000001.parquet: {reason}"), output
    assert outcomes_of(out).equals(undamaged)


def test_a_part_written_but_not_recorded_is_redone_quietly(damaged) -> None:
    """A sweep killed between writing a part and recording it: nothing is damaged."""
    out, undamaged, resume = damaged
    edit_manifest(out, lambda m: m["files"].pop("runs/part-000003.parquet"))
    output = resume()
    assert "computed 4 in" in output and "damaged" not in output
    assert outcomes_of(out).equals(undamaged)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("deleted", "missing"),
        ("folder", "a folder, not a file"),
        ("link", "a symbolic link, not a file geosim wrote"),
        ("pipe", "not a regular file"),
    ],
)
def test_whatever_took_a_parts_place_is_removed_and_the_chunk_redone(
    damaged, tmp_path: Path, damage: str, reason: str
) -> None:
    out, undamaged, resume = damaged
    path = part(out, 3)
    good = tmp_path / "good.parquet"
    good.write_bytes(path.read_bytes())
    path.unlink()
    if damage == "folder":
        path.mkdir()
        (path / "inside").write_text("x")
    elif damage == "link":
        path.symlink_to(good)  # even a link to the right bytes: geosim never writes one
    elif damage == "pipe":
        os.mkfifo(path)
    output = resume()
    assert redid(output, f"runs/part-000003.parquet: {reason}"), output
    assert path.is_file() and not path.is_symlink()
    assert good.is_file()
    assert outcomes_of(out).equals(undamaged)


def test_a_part_of_another_chunking_is_removed_if_geosim_wrote_it(damaged) -> None:
    out, undamaged, resume = damaged
    stray = part(out, 99)
    stray.write_bytes(part(out, 0).read_bytes())
    record(out, [stray])  # as a sweep of other chunks would have
    output = resume()
    assert redid(output, "runs/part-000099.parquet: not a chunk of this sweep, which has 6", runs=0)
    assert not stray.exists()
    assert outcomes_of(out).equals(undamaged)


def test_a_part_geosim_did_not_write_is_never_removed(damaged) -> None:
    """Resume replaces only parts its manifest or its ledger lists: others are refused."""
    out, undamaged, resume = damaged
    stray = part(out, 99)
    stray.write_bytes(b"someone's file")
    before = snapshot(out)
    result = CliRunner().invoke(main, ["sweep", str(out), "--resume", "--workers", "0"])
    assert result.exit_code == 2, result.output
    assert f"{stray} is not a part of this sweep" in result.output
    assert snapshot(out) == before
    stray.unlink()
    unasked = part(out, 2, "timeseries")  # this sweep records no time series: not its file
    unasked.parent.mkdir()
    unasked.write_bytes(b"someone's file")
    assert "computed 0 in" in resume()
    assert unasked.read_bytes() == b"someone's file"
    assert outcomes_of(out).equals(undamaged)


def test_a_recorded_part_is_the_file_on_disk(tmp_path: Path) -> None:
    table = pa.table({"run_id": [0, 1]})
    record = write_part(tmp_path / "runs" / "part-000000.parquet", table)
    data = (tmp_path / "runs" / "part-000000.parquet").read_bytes()
    assert (record.size, record.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["part-000000.parquet"]


# --------------------------------------------------------------------------------------------
# Time series


@pytest.fixture(scope="module")
def with_series(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return finished_sweep(
        tmp_path_factory.mktemp("series"),
        samples=3,
        replicates=2,
        extra="timeseries: [regional_tension, hedgers, alignment.PHL]\n",
    )


def test_a_damaged_time_series_part_redoes_its_chunk(with_series, tmp_path: Path) -> None:
    spec, finished_out = with_series
    out = copy_of(finished_out, tmp_path)
    series = part(out, 1, "timeseries")
    undamaged = series.read_bytes()
    flip(series, 0.5)
    result = CliRunner().invoke(main, ["sweep", str(spec), "--out", str(out), "--resume",
                                       "--workers", "0"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert redid(result.output, "timeseries/part-000001.parquet: checksum mismatch", runs=2)
    assert len(series.read_bytes()) == len(undamaged)
    assert outcomes_of(out).equals(outcomes_of(finished_out))


def test_every_monthly_value_is_checked_against_its_bounds(with_series) -> None:
    _, out = with_series
    manifest = read_manifest(out)
    verifier = Verifier(manifest)
    assert set(verifier.series_bounds) == {"regional_tension", "hedgers", "alignment.PHL"}
    runs = verifier.runs(out, 0)
    verifier.timeseries(out, 0, runs)  # whole: passes


def test_chunks_of_invalid_samples_with_time_series_are_done_once(tmp_path: Path) -> None:
    """A chunk whose runs are all invalid has no time-series part, and is not redone for it."""
    spec = make_sweep_files(tmp_path, samples=8, replicates=2, extra="timeseries: [hedgers]\n")
    spec.write_text(
        spec.read_text().replace(
            "alliances.us_philippines.commitment: {range: [0.3, 1.0]}",
            "policies.us_assistance_philippines.start: {range: [0, 12]}\n"
            "  policies.us_assistance_philippines.end: {range: [1, 13]}",
        )
    )
    out = tmp_path / "out"
    first = run_sweep(load_sweep(spec), out, workers=0, chunk_size=2)
    assert 0 < first.failed < first.runs
    assert len(list((out / "timeseries").iterdir())) < len(list((out / "runs").iterdir()))
    again = run_sweep(load_sweep(spec), out, workers=0, resume=True)
    assert again.computed == 0 and again.damaged == ()
