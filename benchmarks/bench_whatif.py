"""The console's month and a what-if, server-side, in the checkout it runs from.

Run from the repository root (about ten seconds on a 2-core machine)::

    .venv/bin/python benchmarks/bench_whatif.py

It times, in one process, on ``taiwan_strait_crisis`` with every state deciding:

* **month**: 36 months of :class:`sim.core.model.IndoPacificModel` (``R = 1``, what the console
  steps), best of six models, per month;
* **what-if**: :func:`sim.game.branch.branch_from_present` at month 13 of a game with a Blue and
  a Red team (US exercises with the Philippines for six months, 40 replicates to the horizon),
  the median of five.

To compare two commits, run it from a worktree of each with ``PYTHONPATH`` set to that
worktree, alternating, and compare the medians (docs/performance.md does so).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from sim.core.model import IndoPacificModel
from sim.game.branch import branch_from_present
from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.loader import load_scenario
from sim.scenario.moves import Move

SCENARIO = "taiwan_strait_crisis"


def month_ms(months: int = 36, models: int = 6) -> float:
    """Milliseconds per month of the Mesa model, best of ``models`` runs of ``months`` months."""
    scenario = load_scenario(SCENARIO)
    best = float("inf")
    for _ in range(models):
        model = IndoPacificModel(scenario)
        began = time.perf_counter()
        for _ in range(months):
            model.step()
        best = min(best, time.perf_counter() - began)
    return 1000 * best / months


def whatif_ms(calls: int = 5) -> float:
    """Median milliseconds of a what-if at month 13 of a two-team game."""
    seats = [
        Seat(name="Blue", countries=["USA", "JPN", "TWN"]),
        Seat(name="Red", countries=["CHN"]),
    ]
    move = Move.new("exercises", actor="USA", partners=["PHL"], per_year=6.0, months=6)
    with tempfile.TemporaryDirectory() as folder:
        game = Game.create(SCENARIO, Path(folder), seats=seats, game_id="bench")
        game.advance(13)
        branch_from_present(game, move)  # warm up
        times = []
        for _ in range(calls):
            began = time.perf_counter()
            branch_from_present(game, move)
            times.append(time.perf_counter() - began)
    return 1000 * statistics.median(times)


def main() -> None:
    """Time both and print them as one JSON line."""
    print(json.dumps({"month_ms": round(month_ms(), 3), "whatif_ms": round(whatif_ms(), 1)}))


if __name__ == "__main__":
    main()
