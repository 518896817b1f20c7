"""A wheel, and a plain ``pip install .``, give a geosim that runs its own scenarios anywhere.

Each test installs geosim into a fresh virtual environment whose only other packages are the
development environment's (made visible through a ``.pth`` file, so nothing is downloaded), and
runs the commands a new user would, from an empty folder far from the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
#: What a source distribution holds: enough to build geosim.
SOURCES = ("pyproject.toml", "README.md", "sim", "seeds", "scenarios")


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sources only (no build folders, no results, no virtual environment)."""
    folder = tmp_path_factory.mktemp("source") / "geosim"
    folder.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, folder / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, folder / name)
    return folder


def _fresh_env(folder: Path) -> Path:
    """A new virtual environment that sees the development environment's packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "development_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _use(python: Path, workdir: Path) -> None:
    """The commands of the packaging issue, from an empty folder."""
    geosim = python.parent / "geosim"

    def run(*args: str) -> str:
        done = subprocess.run(
            [geosim, *args], cwd=workdir, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"geosim {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    where = subprocess.run(
        [
            python,
            "-c",
            "import sim, sim.scenario.resources as r; print(sim.__file__, r.checkout())",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(python.parent.parent)) and where.split()[1] == "None"
    assert "hub_and_spoke" in run("list", "--names").split()
    assert "sea_funding_grid" in run("list", "--sweeps", "--names").split()
    assert "2 replicates × 120 months" in run("run", "hub_and_spoke", "-n", "2")
    assert (workdir / "results" / "hub_and_spoke" / "report.html").is_file()
    assert "parameters.arms.fatigue" in run("explain", "hub_and_spoke")
    assert "1,200 runs" in run("sweep", "sea_funding_grid", "--workers", "0")
    assert len(list((workdir / "results" / "sweeps" / "sea_funding_grid" / "runs").iterdir()))


def test_a_wheel_built_from_the_repository_installs_and_runs(source: Path, tmp_path: Path) -> None:
    _pip(
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(tmp_path / "dist"),
        str(source),
    )
    wheel = next((tmp_path / "dist").glob("geosim-*.whl"))
    python = _fresh_env(tmp_path / "env")
    _pip("--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel))
    (tmp_path / "work").mkdir()
    _use(python, tmp_path / "work")


def test_pip_install_dot_is_not_editable_and_runs(source: Path, tmp_path: Path) -> None:
    python = _fresh_env(tmp_path / "env")
    _pip("--python", str(python), "install", "--no-deps", "--no-build-isolation", "-q", str(source))
    (tmp_path / "work").mkdir()
    _use(python, tmp_path / "work")
