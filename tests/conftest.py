"""Shared builders: small scenarios written in Python, independent of the shipped files."""

from __future__ import annotations

import copy
import functools
import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.core.compile import compile_world
from sim.core.engine import Trajectory, simulate
from sim.core.world import World
from sim.scenario import Scenario

#: Debian's Chromium, driven by Playwright in the report and dashboard tests (never downloaded).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Screenshots are copied here when GEOSIM_ARTIFACTS is set (git-ignored).
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

#: The ATOP 2018 treaty network, as a scenario's ``alliances`` block.
TREATIES = {
    "us_jpn": {"type": "bilateral_treaty", "members": ["USA", "JPN"]},
    "us_kor": {"type": "bilateral_treaty", "members": ["USA", "KOR"]},
    "us_phl": {"type": "bilateral_treaty", "members": ["USA", "PHL"]},
    "us_tha": {"type": "bilateral_treaty", "members": ["USA", "THA"]},
    "us_aus": {"type": "bilateral_treaty", "members": ["USA", "AUS"]},
    "cn_prk": {"type": "bilateral_treaty", "members": ["CHN", "PRK"]},
}


def scenario(**fields: Any) -> Scenario:
    """A validated scenario: the treaty network plus ``fields`` (deep-copied).

    It is anchored on its own month 0 (``anchor: self``), so that the control world is at rest
    by itself and a test's treatment is the only departure. Its states follow the script
    (``decisions: {strategy: scripted}``) unless ``decisions`` is given: a mechanism's test
    measures the mechanism, not the choices it prompts.
    """
    data: dict[str, Any] = {
        "name": "test",
        "seed": 11,
        "anchor": "self",
        "alliances": copy.deepcopy(TREATIES),
        "decisions": {"strategy": "scripted"},
    }
    data.update(copy.deepcopy(fields))
    return Scenario.model_validate(data)


def world(**fields: Any) -> World:
    """A compiled :func:`scenario`."""
    return compile_world(scenario(**fields))


def run(replicates: int = 40, log: bool = False, **fields: Any) -> Trajectory:
    """Simulate :func:`scenario` for ``replicates`` replicates."""
    return simulate(world(**fields), replicates, log=log)


def paired_effect(treated: np.ndarray, control: np.ndarray) -> tuple[float, float]:
    """Mean paired difference and its t statistic (common random numbers)."""
    diff = np.asarray(treated, dtype=float) - np.asarray(control, dtype=float)
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    return float(diff.mean()), float(diff.mean() / se) if se > 0 else float("inf")


@pytest.fixture(scope="session")
def status_quo() -> Trajectory:
    """Forty replicates of the treaty network with no policies (shared, read-only)."""
    return run(40, horizon=120)


@functools.cache
def control(replicates: int = 30, log: bool = False):
    """The untreated ensemble (treaty network, no policies), shared by the effect tests."""
    return run(replicates, log=log)


def alignment_effect(country: str, **fields) -> tuple[float, float]:
    """Paired effect of ``fields`` on a country's final alignment, and its t statistic."""
    treated, untreated = run(30, **fields), control()
    i = untreated.world.index(country)
    final = (t.countries["alignment"][-1, :, i] for t in (treated, untreated))
    return paired_effect(*final)


@pytest.fixture
def tmpfs(tmp_path: Path):
    """A mounted 8 MiB tmpfs (root only); yields its mount point, unmounts afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    point = tmp_path / "mnt"
    point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(point)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def fill_up(folder: Path, leave: int = 16 * 1024) -> None:
    """Fill the file system of ``folder`` until only about ``leave`` bytes are free."""
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    (folder / ".filler").write_bytes(b"0" * max(free - leave, 0))


@pytest.fixture
def no_polling(monkeypatch):
    """No poll thread in the console's in-process component tests.

    Browsers poll for other browsers' changes; a component test has no other browser, and a
    poll thread rendering at the moment of a click would make the click's redraw land a moment
    later, in that thread. The browser tests (tests/ui/test_console.py) poll for real.
    """
    from sim.ui import actions, widgets

    monkeypatch.setattr(widgets, "POLL_SECONDS", 3600.0)
    monkeypatch.setattr(actions, "BEAT_SECONDS", 3600.0)  # the connection watch's beat, too


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser tests need Debian's chromium at {CHROMIUM}: install it with "
            "`apt-get install -y chromium` (`make test` does it)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
