"""Atomic, contract-shaped outputs."""

from pathlib import Path

import pytest
from conftest import run, scenario

from sim.outputs.writers import (
    OutputError,
    config_hash,
    escalation_outcomes,
    prepare_out_dir,
    write_atomically,
)


def test_a_failure_while_writing_leaves_nothing_behind(tmp_path: Path):
    out = tmp_path / "out"

    def explode(directory: Path) -> None:
        (directory / "model.csv").write_text("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(out, explode, force=False)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_forced_replacement_is_atomic_and_keeps_the_old_folder_on_failure(tmp_path: Path):
    out = tmp_path / "out"
    write_atomically(out, lambda d: (d / "a.txt").write_text("old"), force=False)
    with pytest.raises(RuntimeError):
        write_atomically(out, lambda d: (_ for _ in ()).throw(RuntimeError("boom")), force=True)
    assert (out / "a.txt").read_text() == "old"
    write_atomically(out, lambda d: (d / "b.txt").write_text("new"), force=True)
    assert sorted(p.name for p in out.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_prepare_out_dir_refuses_files_and_non_empty_folders(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a directory"):
        prepare_out_dir(tmp_path / "file", force=True)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(OutputError, match="--force"):
        prepare_out_dir(tmp_path / "full", force=False)
    prepare_out_dir(tmp_path / "full", force=True)
    prepare_out_dir(tmp_path / "empty", force=False)


def test_config_hash_changes_with_any_setting():
    assert config_hash(scenario()) == config_hash(scenario())
    assert config_hash(scenario()) != config_hash(scenario(seed=12))
    assert config_hash(scenario()) != config_hash(scenario(parameters={"arms": {"fatigue": 0.3}}))


def test_escalation_outcomes_are_cumulative_shares():
    outcomes = escalation_outcomes(run(10, horizon=24))
    values = list(outcomes.values())
    assert list(outcomes) == ["gray_zone", "standoff", "clash", "crisis", "war"]
    assert values == sorted(values, reverse=True)
    assert all(0 <= v <= 1 for v in values)
