"""Dashboard redraw: the four live charts of one game, drawn after every month, old way and new.

Run from the repository root (about two minutes on a 2-core machine)::

    .venv/bin/python benchmarks/bench_redraw.py --out benchmarks/results

It plays ``taiwan_strait_crisis`` month by month to its horizon (36 months), with a Blue team
holding the United States and Japan, a facilitator's inject (a China–Philippines clash) at
month 6 and an accepted team move (US exercises with the Philippines) at month 12, and after
every month times, in one process, server-side:

* **model**: ``Game.advance(1)``, the month itself (the Mesa step and saving the record);
* **new**: :meth:`sim.ui.charts.BoardCharts.pngs` (figures kept and updated in place);
* **cached**: the same call again, as a second browser viewing the game makes it;
* **old code**: the dashboard's previous charts (``sim/ui/charts.py`` at commit ``f136098``,
  read with ``git show``): four new matplotlib Figures and ``savefig`` at 130 dpi;
* **fresh figures**: the new charts' look, but four new Figures every month and ``savefig`` at
  130 dpi (the old way of drawing, without the old code).

All five run on the same board one after the other, so a loaded machine slows them alike. The
game is played ``--games`` times (3 by default) and the months pooled. Results are printed as
a Markdown table and written to ``OUT/redraw.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import Move
from sim.ui import charts

#: The commit whose ``sim/ui/charts.py`` is the old way.
OLD_COMMIT = "f136098"
#: The old charts, in the order ``BoardCharts.pngs`` returns them.
OLD_FIGURES = ("tension_figure", "alignment_figure", "network_figure", "arms_figure")


def old_charts(commit: str) -> types.ModuleType | None:
    """The previous ``sim/ui/charts.py``, imported from git (None when it cannot be).

    It imported ``Branch`` and ``DashboardModel`` from ``sim.ui.session``, since removed, only
    to name them in annotations; a stand-in module provides the two names while it loads.
    """
    root = Path(__file__).resolve().parent.parent
    try:
        source = subprocess.run(
            ["git", "-C", str(root), "show", f"{commit}:sim/ui/charts.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    folder = Path(tempfile.mkdtemp(prefix="geosim-old-charts-"))
    path = folder / "old_charts.py"
    path.write_text(source, encoding="utf-8")
    stand_in = types.ModuleType("sim.ui.session")
    stand_in.Branch = stand_in.DashboardModel = object  # type: ignore[attr-defined]
    saved = sys.modules.get("sim.ui.session")
    sys.modules["sim.ui.session"] = stand_in
    try:
        spec = importlib.util.spec_from_file_location("old_charts", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["sim.ui.session"]
        else:
            sys.modules["sim.ui.session"] = saved
    return module


class OldSession:
    """A game's board as the old charts read it: the model plus ``lock`` and ``session_injects``."""

    def __init__(self, game: Game) -> None:
        self._game = game
        self.lock = game.lock

    @property
    def session_injects(self) -> list[Any]:
        """The accepted actions (the old charts read their ``month``)."""
        return self._game.accepted()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._game.model, name)


def old_way(module: types.ModuleType, game: Game) -> list[bytes]:
    """The four charts as the old dashboard drew them: new Figures, ``savefig`` at 130 dpi."""
    session = OldSession(game)
    return [module.png(getattr(module, name)(session), dpi=130) for name in OLD_FIGURES]


def fresh_figures(game: Game) -> list[bytes]:
    """The new charts' look in four new Figures, each saved with ``savefig`` at 130 dpi."""
    data = charts.board_data(game)
    pngs = []
    for chart in (
        charts.TensionChart(charts.DyadStyles()),
        charts.AlignmentChart(),
        charts.NetworkChart(),
        charts.ArmsChart(),
    ):
        fig = Figure(figsize=charts.CHART_SIZE)
        chart.figure = fig
        chart.build(fig, data)
        chart.update(data)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=130)
        pngs.append(buffer.getvalue())
    return pngs


def timed(work: Any) -> tuple[float, Any]:
    """Milliseconds taken by ``work()``, and its result."""
    began = time.perf_counter()
    result = work()
    return 1000 * (time.perf_counter() - began), result


def play(scenario: str, folder: Path, old: types.ModuleType | None) -> dict[str, Any]:
    """Play one game to its horizon, timing the month and every way of drawing after it."""
    game = Game.create(scenario, folder, seats=[Seat(name="Blue", countries=["USA", "JPN"])])
    board = charts.BoardCharts(game)
    first_ms, _ = timed(board.pngs)
    rows = []
    while not game.finished:
        if game.month == 6:
            game.inject(Move.new("incident", actor="CHN", other="PHL", level="clash"))
        if game.month == 12:
            move = Move.new("exercises", actor="USA", partners=["PHL"], per_year=6, months=12)
            game.accept(game.submit("Blue", move, "reassure Manila").id)
        renders = list(board.renders)
        row: dict[str, Any] = {}
        row["model_ms"], _ = timed(lambda: game.advance(1))
        row["month"] = game.month
        row["new_ms"], new = timed(board.pngs)
        row["cached_ms"], again = timed(board.pngs)
        assert again is new
        row["charts_drawn"] = sum(board.renders) - sum(renders)
        row["new_bytes"] = sum(len(p) for p in new)
        if old is not None:
            row["old_ms"], drawn = timed(lambda: old_way(old, game))
            row["old_bytes"] = sum(len(p) for p in drawn)
        row["fresh_ms"], _ = timed(lambda: fresh_figures(game))
        rows.append(row)
        print(
            f"month {row['month']:>2}: model {row['model_ms']:6.1f} ms, new {row['new_ms']:6.1f}"
            f" ms ({row['charts_drawn']} charts), old {row.get('old_ms', float('nan')):6.1f} ms,"
            f" fresh {row['fresh_ms']:6.1f} ms",
            flush=True,
        )
    return {"first_drawing_ms": first_ms, "months": rows}


def summary(values: list[float]) -> dict[str, float]:
    """Median, 95th percentile and mean."""
    return {
        "median": statistics.median(values),
        "p95": float(np.percentile(values, 95)),
        "mean": statistics.fmean(values),
    }


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--scenario", default="taiwan_strait_crisis")
    parser.add_argument("--games", type=int, default=3, help="games played, months pooled")
    parser.add_argument("--old-commit", default=OLD_COMMIT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    old = old_charts(args.old_commit)
    if old is None:
        print(f"The old charts (commit {args.old_commit}) could not be read; skipping them.")
    load_before = os.getloadavg()
    games = []
    with tempfile.TemporaryDirectory(prefix="geosim-bench-redraw-") as scratch:
        for n in range(args.games):
            games.append(play(args.scenario, Path(scratch) / f"game{n}", old))
    rows = [row for g in games for row in g["months"]]
    report: dict[str, Any] = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "scenario": args.scenario,
        "games": args.games,
        "months_per_game": len(games[0]["months"]),
        "chart_pixels": [round(v * charts.DPI) for v in charts.CHART_SIZE],
        "dpi": {"new": charts.DPI, "old": 130},
        "old_commit": args.old_commit if old is not None else None,
        "first_drawing_ms": [g["first_drawing_ms"] for g in games],
    }
    for name in ("model", "new", "cached", "old", "fresh"):
        if f"{name}_ms" in rows[0]:
            report[f"{name}_ms"] = summary([row[f"{name}_ms"] for row in rows])
    report["charts_drawn_per_month"] = statistics.fmean(row["charts_drawn"] for row in rows)
    report["png_bytes_per_month"] = {
        way: statistics.median(row[f"{way}_bytes"] for row in rows)
        for way in ("new", "old")
        if f"{way}_bytes" in rows[0]
    }
    if old is not None:
        report["ratio_old_to_new"] = report["old_ms"]["median"] / report["new_ms"]["median"]
        report["ratio_old_to_new_p95"] = report["old_ms"]["p95"] / report["new_ms"]["p95"]
    report["ratio_fresh_to_new"] = report["fresh_ms"]["median"] / report["new_ms"]["median"]
    report["per_month"] = games
    (args.out / "redraw.json").write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)


def print_table(report: dict[str, Any]) -> None:
    """Print the report as a Markdown table."""
    machine = report["machine"]
    months = report["games"] * report["months_per_game"]
    print(
        f"\nMachine: {machine['cores']} cores, Python {machine['python']}; load average "
        f"{machine['load_average_before'][0]:.1f} before, {machine['load_average_after'][0]:.1f}"
        f" after. {report['scenario']}, {report['games']} games × {report['months_per_game']}"
        f" months = {months} redraws; charts {report['chart_pixels'][0]} × "
        f"{report['chart_pixels'][1]} px.\n"
    )
    labels = {
        "model": "the month itself (`Game.advance(1)`)",
        "new": "four charts, `BoardCharts.pngs()` (in place)",
        "cached": "again, a second browser (cache)",
        "old": f"four charts, old code ({report['old_commit']}, 130 dpi)",
        "fresh": "four charts, new look in fresh Figures (130 dpi)",
    }
    print("| per month | median ms | 95th percentile ms |")
    print("|---|---:|---:|")
    for name, label in labels.items():
        if f"{name}_ms" in report:
            row = report[f"{name}_ms"]
            digits = 3 if name == "cached" else 1
            print(f"| {label} | {row['median']:.{digits}f} | {row['p95']:.{digits}f} |")
    if "ratio_old_to_new" in report:
        print(
            f"\nOld code / new: {report['ratio_old_to_new']:.1f}× at the median, "
            f"{report['ratio_old_to_new_p95']:.1f}× at the 95th percentile; fresh figures / new:"
            f" {report['ratio_fresh_to_new']:.1f}×. Charts drawn per month: "
            f"{report['charts_drawn_per_month']:.2f} of 4; PNG bytes per month (median): "
            f"{report['png_bytes_per_month']}; first drawing: "
            f"{', '.join(f'{v:.0f}' for v in report['first_drawing_ms'])} ms."
        )


if __name__ == "__main__":
    main()
