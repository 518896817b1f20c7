"""How much of a run the compiled kernels take, and how often they are called.

Run from the repository root (about half a minute on a 2-core machine)::

    GEOSIM_THREADS=1 .venv/bin/python benchmarks/kernel_share.py 250

Every numba kernel that the dynamics, the engine, the metrics and the random streams call from
Python is wrapped by a counter and a clock; one run of ``hub_and_spoke`` (120 months, every
state deciding, :func:`sim.core.engine.final_outcomes`) then says how many kernel calls it made
and what share of its time was inside them. The rest is NumPy and Python between the kernels,
which a month fused into one compiled call would remove (docs/performance.md, "How far from
the floor, rerun"). The wrappers' own cost (two clock reads a call) is counted outside.
"""

from __future__ import annotations

import argparse
import collections
import importlib
import pkgutil
import time
from collections.abc import Callable

from numba.core.registry import CPUDispatcher

import sim.core.dynamics as dynamics

MODULES = [f"sim.core.dynamics.{m.name}" for m in pkgutil.iter_modules(dynamics.__path__)]
MODULES += ["sim.core.engine", "sim.core.metrics", "sim.core.rng"]


def wrap_kernels(calls: collections.Counter, spent: collections.Counter) -> int:
    """Replace every kernel in :data:`MODULES` by a counting, timing wrapper; return how many."""
    modules = [importlib.import_module(name) for name in MODULES]
    wrappers: dict[int, Callable] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and id(value) not in wrappers:
                wrappers[id(value)] = _timed(value, calls, spent)
    for module in modules:  # every module that imported a kernel calls it through its own name
        for name, value in list(vars(module).items()):
            if isinstance(value, CPUDispatcher):
                setattr(module, name, wrappers[id(value)])
    return len(wrappers)


def _timed(kernel: CPUDispatcher, calls: collections.Counter, spent: collections.Counter):
    name = f"{kernel.py_func.__module__.rsplit('.', 1)[-1]}.{kernel.py_func.__name__}"

    def timed(*args, **kwargs):
        calls[name] += 1
        began = time.perf_counter()
        try:
            return kernel(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - began

    return timed


def main() -> None:
    """Print the kernel calls of one run and the share of its time spent in them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("replicates", type=int, nargs="?", default=250)
    args = parser.parse_args()
    calls: collections.Counter = collections.Counter()
    spent: collections.Counter = collections.Counter()
    kernels = wrap_kernels(calls, spent)
    from sim.core.compile import compile_world
    from sim.core.engine import final_outcomes
    from sim.scenario.loader import load_scenario

    world = compile_world(load_scenario("hub_and_spoke"))
    final_outcomes(world, 2)  # the kernels load from the cache
    total = float("inf")
    for _ in range(2):
        calls.clear()
        spent.clear()
        began = time.perf_counter()
        final_outcomes(world, args.replicates)
        total = time.perf_counter() - began
    inside = sum(spent.values())
    print(
        f"{args.replicates} replicates: {total * 1000:,.0f} ms a run, {inside * 1000:,.0f} ms "
        f"inside kernels ({inside / total:.0%}); {sum(calls.values()):,} kernel calls of "
        f"{len(calls)} kernels ({kernels} wrapped)"
    )
    for name, seconds in spent.most_common(10):
        print(f"  {seconds * 1000:8.1f} ms  {calls[name]:5d} calls  {name}")


if __name__ == "__main__":
    main()
