"""Fuzz: two thousand broken scenario files through the command line, in this process.

Each file (``tests/mutants.py``) goes through ``geosim validate`` and ``geosim run``. Both must
exit 0 or 2, never with a traceback nor a raw control character in what they print; they must
agree (whatever validate accepts, run runs; whatever validate refuses, run refuses with the
same message); an accepted run's numbers are finite; and a refused run writes nothing. The
files come in four shards, each a test class, so that the test workers share them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mutants import generate

from sim.cli import main
from sim.folders import STAGING

pytestmark = pytest.mark.slow

#: Files per shard (four shards: 2,000 files).
PER_SHARD = 500
#: Characters that must never reach a terminal raw (tab and line feed are fine).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")


def _clean(result: Result, what: str) -> None:
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"{what} raised {result.exception!r}"
    assert result.exit_code in (0, 2), f"{what} exited {result.exit_code}"
    assert "Traceback" not in result.output
    raw = RAW_CONTROL.search(result.output)
    assert raw is None, f"{what} echoed a raw control character {raw.group()!r}"


def _check_shard(folder: Path, seed: int) -> None:
    runner = CliRunner()
    accepted = 0
    for path in generate(folder, PER_SHARD, seed):
        checked = runner.invoke(main, ["validate", str(path)])
        _clean(checked, f"validate {path.name}")
        out = folder / f"out_{path.stem}"
        ran = runner.invoke(main, ["run", str(path), "-n", "1", "--out", str(out), "-q"])
        _clean(ran, f"run {path.name}")
        if checked.exit_code == 0:
            accepted += 1
            assert ran.exit_code == 0, f"{path.name}: validate accepts, run refuses:\n{ran.output}"
            summary = (out / "summary.json").read_text()
            assert "NaN" not in summary and "Infinity" not in summary, f"{path.name}: not finite"
        else:
            assert ran.exit_code == 2, f"{path.name}: validate refuses, run does not"
            assert ran.stderr == checked.stderr, f"{path.name}: different messages"
            assert not out.exists(), f"{path.name}: a refused run wrote {out}"
    assert not list(folder.glob(f"{STAGING}*")), "staging folders left behind"
    assert 0.05 * PER_SHARD < accepted < 0.5 * PER_SHARD  # the mix exercises both paths


class TestShardOne:
    def test_validate_and_run_agree_without_tracebacks(self, tmp_path: Path) -> None:
        _check_shard(tmp_path, seed=1)


class TestShardTwo:
    def test_validate_and_run_agree_without_tracebacks(self, tmp_path: Path) -> None:
        _check_shard(tmp_path, seed=2)


class TestShardThree:
    def test_validate_and_run_agree_without_tracebacks(self, tmp_path: Path) -> None:
        _check_shard(tmp_path, seed=3)


class TestShardFour:
    def test_validate_and_run_agree_without_tracebacks(self, tmp_path: Path) -> None:
        _check_shard(tmp_path, seed=4)
