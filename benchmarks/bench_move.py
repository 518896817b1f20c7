"""An accepted move's cost at month 24: played in array form, against recompiling and replaying.

Run from the repository root (well under a minute on a 2-core machine)::

    .venv/bin/python benchmarks/bench_move.py

It plays ``taiwan_strait_crisis`` to month 24 with a Blue team (the United States, Japan and
Taiwan) and a Red team (China), then times, server-side and in one process:

* **game**: ``Game.inject`` of ten moves (gray-zone pressure, exercises, an incident,
  assistance, a dialogue, twice), from the call to the saved session file: the checks, the
  move played into the board, the save;
* **model, array form**: ``IndoPacificModel.play`` of the same move (what a move costs the
  model now);
* **model, recompiled**: ``IndoPacificModel.inject`` of the same move as a scenario event
  (the scenario recompiled and the 24 months replayed: what every move cost before, and what a
  new alliance still costs).

Medians are printed, with the minimum and the maximum.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from sim.core.model import IndoPacificModel
from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import Move
from sim.scenario.schema import PlayedMove

MONTH = 24
MOVES = [
    Move.new("gray_zone_coercion", actor="CHN", partners=["PHL"], intensity=0.3, months=6),
    Move.new("exercises", actor="USA", partners=["PHL"], per_year=6.0, months=6),
    Move.new("incident", actor="CHN", other="TWN", level="standoff"),
    Move.new("security_assistance", actor="USA", partners=["TWN"], usd_m_per_year=500.0),
    Move.new("dialogue", actor="CHN", partners=["PHL"], strength=0.5),
]


def _line(label: str, times: list[float]) -> str:
    return (
        f"{label:<22} median {statistics.median(times) * 1e3:9.3f} ms "
        f"(min {min(times) * 1e3:.3f}, max {max(times) * 1e3:.3f}; {len(times)} moves)"
    )


def main() -> None:
    """Time the three ways and print them."""
    seats = [
        Seat(name="Blue", countries=["USA", "JPN", "TWN"]),
        Seat(name="Red", countries=["CHN"]),
    ]
    with tempfile.TemporaryDirectory() as folder:
        game = Game.create("taiwan_strait_crisis", Path(folder), seats=seats, game_id="bench")
        game.advance(MONTH)
        played = []
        for move in MOVES * 2:
            start = time.perf_counter()
            game.inject(move, rationale="a benchmark")
            played.append(time.perf_counter() - start)
    model = IndoPacificModel(game.base)
    for _ in range(MONTH):
        model.step()
    move = PlayedMove(
        month=MONTH, kind="gray_zone_coercion", actor="CHN", partners=["PHL"], value=0.3, months=6
    )
    event = {
        "kind": "policy",
        "duration": 6,
        "policy": {"kind": "gray_zone_coercion", "actor": "CHN", "partners": ["PHL"],
                   "intensity": 0.3},
    }  # fmt: skip
    array, recompiled = [], []
    for n in range(10):
        start = time.perf_counter()
        model.play(move)
        array.append(time.perf_counter() - start)
        start = time.perf_counter()
        model.inject("events", f"bench_{n}", event)
        recompiled.append(time.perf_counter() - start)
    print(f"An accepted move at month {MONTH} of taiwan_strait_crisis:")
    print(_line("game (check, play, save)", played))
    print(_line("model, array form", array))
    print(_line("model, recompiled", recompiled))


if __name__ == "__main__":
    main()
