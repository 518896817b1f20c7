"""geosim: an agent-based scenario simulator of Indo-Pacific security, built on Mesa.

The package's layers, each importing only those below it (``docs/architecture.md``):
:mod:`sim.scenario` (what an experiment is), :mod:`sim.core` (the model), :mod:`sim.studies`
and :mod:`sim.sweep` (experiments over it), :mod:`sim.outputs` (files, plots, reports) and
:mod:`sim.ui` (the dashboard), with :mod:`sim.cli` on top. The names most users want are here::

    from sim import IndoPacificModel, load_scenario
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("geosim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

#: Public names, imported on first use so that ``import sim`` stays light (sweep workers and
#: the CLI import only the layers they need).
_PUBLIC = {
    "IndoPacificModel": "sim.core.model",
    "Scenario": "sim.scenario.schema",
    "ScenarioError": "sim.scenario.problems",
    "compile_world": "sim.core.compile",
    "load_scenario": "sim.scenario.loader",
    "simulate": "sim.core.engine",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
