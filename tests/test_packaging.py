"""A wheel, and a plain ``pip install .``, give a geosim that runs its own scenarios anywhere.

Each test installs geosim into a fresh virtual environment and runs the commands a new user
would, from an empty folder far from the checkout. Nothing is downloaded: the environment sees
packages of the development environment. A full install sees all of them (through a ``.pth``
file). A core install sees only the distributions that geosim's core dependencies resolve to
(linked one by one into a folder of their own), so the ``sweep`` extra and the test tooling
are as absent as after a plain ``pip install geosim``: not importable, not even findable.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from test_architecture import SWEEP_RUNNERS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
#: What a source distribution holds: enough to build geosim.
SOURCES = ("pyproject.toml", "README.md", "sim", "seeds", "scenarios")
#: What a core install must not have: the ``sweep`` extra's modules and the test tooling's.
NOT_CORE = (
    "pyarrow",
    "dask",
    "distributed",
    "SALib",
    "ema_workbench",
    "duckdb",
    "polars",
    "hypothesis",
    "playwright",
    "pytest",
)
#: Setuptools' complaints about the package configuration (data folders missing from
#: ``packages``, deprecated options), which a build must not print.
BUILD_WARNING = re.compile(r"\w+Warning:|Package would be ignored|absent from the `packages`")
#: Imports every module of geosim but those named on the command line; prints what failed.
IMPORT_ALL = """
import importlib, pkgutil, sys, sim
for found in pkgutil.walk_packages(sim.__path__, "sim."):
    if found.name not in sys.argv[1:] and found.name != "sim.__main__":
        try:
            importlib.import_module(found.name)
        except ImportError as error:
            print(found.name, error)
"""


def _pip(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"pip {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


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


@pytest.fixture(scope="module")
def built(source: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from the sources, and what the build printed (verbosely)."""
    dist = tmp_path_factory.mktemp("dist")
    log = _pip("wheel", "--no-deps", "--no-build-isolation", "-v", "-w", str(dist), str(source))
    return next(dist.glob("geosim-*.whl")), log


def _core_distributions() -> dict[str, metadata.Distribution]:
    """The installed distributions that geosim's core dependencies resolve to.

    The closure of ``[project] dependencies`` in pyproject.toml through each distribution's
    own requirements, with the extras asked for (``mesa[rec]``): what a plain ``pip install
    geosim`` would install, in the versions installed here.
    """
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [(Requirement(line), "") for line in project["dependencies"]]
    found: dict[str, metadata.Distribution] = {}
    asked: dict[str, set[str]] = {}
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        if name in found and set(requirement.extras) <= asked[name]:
            continue
        asked.setdefault(name, set()).update(requirement.extras)
        found[name] = metadata.distribution(name)
        todo += [
            (Requirement(line), wanted)
            for line in found[name].requires or []
            for wanted in ("", *asked[name])
        ]
    return found


def _link_core_distributions(packages: Path, prefix: Path) -> None:
    """Link the core distributions' files, and nothing else, as pip would have installed them.

    Their packages go into the folder ``packages``; their data files (Jupyter's configuration
    and the front-end assets Solara serves, under ``etc/`` and ``share/``) into the environment
    at ``prefix``. Scripts are left out: theirs run the development environment's Python.
    """
    packages.mkdir()
    for name, distribution in _core_distributions().items():
        assert distribution.files, f"{name} does not list its files (no RECORD)"
        for file in distribution.files:
            target = Path(os.path.normpath(distribution.locate_file(file)))
            if file.parts[0] == "..":
                where = target.relative_to(sys.prefix)
                link = prefix / where if where.parts[0] != "bin" else None
            else:
                link = packages / file.parts[0] if file.parts[0] != "__pycache__" else None
                target = Path(distribution.locate_file(file.parts[0]))
            if link is None or link.exists() or not target.exists():
                continue  # a folder two distributions share is linked once
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(target)


def _fresh_env(folder: Path, *, core: bool = False) -> Path:
    """A new virtual environment that sees the development environment's packages.

    With ``core``, it sees only the core distributions (:func:`_link_core_distributions`).
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    seen = Path(sysconfig.get_paths()["purelib"])
    if core:
        seen = folder / "core_packages"
        _link_core_distributions(seen, folder)
    Path(purelib, "development_packages.pth").write_text(f"{seen}\n")
    return python


def _geosim(python: Path, workdir: Path):
    """``run(*args, status=0)``: geosim's output, asserting its exit status."""
    geosim = python.parent / "geosim"

    def run(*args: str, status: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [geosim, *args], cwd=workdir, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == status, f"geosim {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    return run


def _installed_from(python: Path, workdir: Path) -> None:
    """The environment's geosim runs, not the checkout's, and it finds no checkout."""
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


def _use(python: Path, workdir: Path) -> None:
    """The commands of the packaging issue, from an empty folder."""
    run = _geosim(python, workdir)
    _installed_from(python, workdir)
    assert "hub_and_spoke" in run("list", "--names").stdout.split()
    assert "sea_funding_grid" in run("list", "--sweeps", "--names").stdout.split()
    assert "2 replicates × 120 months" in run("run", "hub_and_spoke", "-n", "2").stdout
    assert (workdir / "results" / "hub_and_spoke" / "report.html").is_file()
    assert "parameters.arms.fatigue" in run("explain", "hub_and_spoke").stdout
    assert "1,200 runs" in run("sweep", "sea_funding_grid", "--workers", "0").stdout
    assert len(list((workdir / "results" / "sweeps" / "sea_funding_grid" / "runs").iterdir()))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serves_the_dashboard(python: Path, workdir: Path, timeout: float = 120) -> None:
    """``geosim dashboard`` answers on 127.0.0.1 and logs no error; then it is stopped."""
    port = _free_port()
    log = workdir.parent / "dashboard.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [python.parent / "geosim", "dashboard", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert server.poll() is None, f"geosim dashboard exited:\n{log.read_text()}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    if page.status == 200:
                        break
            except urllib.error.HTTPError as error:
                pytest.fail(f"the dashboard answered {error.code}:\n{log.read_text()}")
            except (urllib.error.URLError, OSError):
                pass
            assert time.monotonic() < deadline, f"no answer in {timeout} s:\n{log.read_text()}"
            time.sleep(0.5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert "Traceback" not in log.read_text(), log.read_text()


def _use_core(python: Path, workdir: Path) -> None:
    """What a core install runs, and what it refuses in one line naming the extra (exit 2)."""
    run = _geosim(python, workdir)
    _installed_from(python, workdir)
    assert "hub_and_spoke" in run("list", "--names").stdout.split()
    assert "1,200 runs" in run("list", "--sweeps").stdout
    assert "ok: hub_and_spoke" in run("validate", "hub_and_spoke").stdout
    assert "parameters.arms.fatigue" in run("explain", "hub_and_spoke").stdout
    assert (
        "2 replicates × 24 months"
        in run("run", "hub_and_spoke", "-n", "2", "--horizon", "24").stdout
    )
    assert (workdir / "results" / "hub_and_spoke" / "report.html").is_file()
    compared = run(
        "compare",
        "hub_and_spoke",
        "us_retrenchment",
        "-n",
        "4",
        "--parameter-sets",
        "2",
        "--horizon",
        "24",
    )
    assert "2 scenarios × 4 replicates" in compared.stdout
    assert (workdir / "results" / "comparison" / "report.html").is_file()
    _serves_the_dashboard(python, workdir)
    hint = "needs the 'sweep' extra"
    install = "pip install 'geosim[sweep]'"
    for command in (("sweep", "sea_funding_grid", "--workers", "0"), ("analyze", "results")):
        refused = run(*command, status=2)
        assert refused.stderr.count("\n") == 1, refused.stderr  # one line, no traceback
        assert f"geosim {command[0]} {hint}" in refused.stderr and install in refused.stderr
    assert not (workdir / "results" / "sweeps").exists()
    assert not (workdir / "results" / "analysis").exists()


def test_the_wheel_builds_without_setuptools_warnings(built: tuple[Path, str]) -> None:
    wheel, log = built
    warned = [line.strip() for line in log.splitlines() if BUILD_WARNING.search(line)]
    assert not warned, "\n".join(warned)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    for shipped in ("sim/outputs/templates/", "sim/game/templates/", "sim/ui/"):
        wanted = {
            str(path.relative_to(ROOT))
            for path in (ROOT / shipped).iterdir()
            if path.suffix in (".j2", ".vue")
        }
        assert wanted <= set(names), f"missing from the wheel: {sorted(wanted - set(names))}"


def test_a_wheel_built_from_the_repository_installs_and_runs(
    built: tuple[Path, str], tmp_path: Path
) -> None:
    python = _fresh_env(tmp_path / "env")
    _pip("--python", str(python), "install", "--no-deps", "--no-index", "-q", str(built[0]))
    (tmp_path / "work").mkdir()
    _use(python, tmp_path / "work")


def test_a_core_install_without_extras_runs_and_names_the_extra_it_lacks(
    built: tuple[Path, str], tmp_path: Path
) -> None:
    python = _fresh_env(tmp_path / "env", core=True)
    _pip("--python", str(python), "install", "--no-deps", "--no-index", "-q", str(built[0]))
    found = subprocess.run(
        [
            python,
            "-c",
            f"import importlib.util as u; print([m for m in {NOT_CORE} if u.find_spec(m)])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert found.strip() == "[]", f"a core install should not see {found}"
    unloadable = subprocess.run(
        [python, "-c", IMPORT_ALL, *SWEEP_RUNNERS], capture_output=True, text=True, check=True
    ).stdout
    assert not unloadable, f"modules a core install cannot import:\n{unloadable}"
    (tmp_path / "work").mkdir()
    _use_core(python, tmp_path / "work")


def test_pip_install_dot_is_not_editable_and_runs(source: Path, tmp_path: Path) -> None:
    python = _fresh_env(tmp_path / "env")
    _pip("--python", str(python), "install", "--no-deps", "--no-build-isolation", "-q", str(source))
    (tmp_path / "work").mkdir()
    _use(python, tmp_path / "work")
