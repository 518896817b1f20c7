"""The whole console, server-side: from the facilitator's "Advance" click to the page redrawn.

Run from the repository root (about two minutes on a 2-core machine)::

    .venv/bin/python benchmarks/bench_console.py --out benchmarks/results

It renders the facilitator's console (:class:`sim.ui.facilitator.FacilitatorView`) in-process
with ``solara.render``, as the server does for a browser at 1366 × 768, on a game of
``taiwan_strait_crisis`` with a Blue and a Red team, and clicks "Advance 1 month" to the
horizon. Each click is timed from the click to the end of the re-render it causes: the month
itself (the Mesa step and the save), the four charts (:class:`sim.ui.charts.BoardCharts`), the
status line, the turn log and every panel, i.e. everything the server does before it sends the
changed widgets to the browser. At months 6 and 12 a facilitator's inject and an accepted team
move are made, as in ``bench_redraw.py``. The game is played ``--games`` times and the months
pooled; results are printed and written to ``OUT/console.json``.

Not included: sending the widget changes over the websocket and the browser's own drawing
(about 95 kB of PNGs a month over loopback).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import ipyvuetify as v
import numpy as np
import solara

from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.moves import Move
from sim.ui import widgets
from sim.ui.facilitator import FacilitatorView

SEATS = [Seat(name="Blue", countries=["USA", "JPN"]), Seat(name="Red", countries=["CHN"])]


def play(scenario: str, folder: Path) -> list[dict[str, float]]:
    """Play one game to its horizon by clicking "Advance", timing each click's redraw."""
    game = Game.create(scenario, folder, seats=SEATS)
    _, rc = solara.render(FacilitatorView(game), handle_error=False)
    rows = []
    while not game.finished:
        if game.month == 6:
            game.inject(Move.new("incident", actor="CHN", other="PHL", level="clash"))
        if game.month == 12:
            move = Move.new("exercises", actor="USA", partners=["PHL"], per_year=6, months=12)
            game.accept(game.submit("Blue", move, "reassure Manila").id)
        # The action button (sim.ui.actions): a press sends the revision its page shows.
        button = next(
            w
            for w in rc.find(v.VuetifyTemplate).widgets
            if getattr(w, "label", None) == "Advance 1 month" and hasattr(w, "vue_press")
        )
        start = time.perf_counter()
        button.vue_press(game.revision)
        elapsed = 1000 * (time.perf_counter() - start)
        status = "".join(
            w.unsafe_innerHTML or ""
            for w in rc.find(solara.widgets.HTML).widgets
            if "geosim-status" in (w.attributes or {}).get("class", "")
        )
        assert f"{game.month} of {game.horizon}" in status, "the page did not redraw"
        rows.append({"month": game.month, "click_to_redrawn_ms": elapsed})
        print(f"month {game.month:>2}: {elapsed:7.1f} ms", flush=True)
    rc.close()
    return rows


def main() -> None:
    """Run the benchmark and print its summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--scenario", default="taiwan_strait_crisis")
    parser.add_argument("--games", type=int, default=2, help="games played, months pooled")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    widgets.POLL_SECONDS = 3600.0  # one browser: no poll thread competing for the render
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="geosim-bench-console-") as scratch:
        games = [play(args.scenario, Path(scratch) / f"game{n}") for n in range(args.games)]
    times = [row["click_to_redrawn_ms"] for rows in games for row in rows]
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
        "clicks": len(times),
        "click_to_redrawn_ms": {
            "median": statistics.median(times),
            "p95": float(np.percentile(times, 95)),
            "max": max(times),
            "share_within_300_ms": sum(t <= 300 for t in times) / len(times),
        },
        "per_month": games,
    }
    (args.out / "console.json").write_text(json.dumps(report, indent=2) + "\n")
    summary = report["click_to_redrawn_ms"]
    print(
        f"\n{len(times)} clicks on {args.scenario}: median {summary['median']:.0f} ms, "
        f"95th percentile {summary['p95']:.0f} ms, max {summary['max']:.0f} ms; "
        f"{100 * summary['share_within_300_ms']:.0f}% within 300 ms. Load average "
        f"{load_before[0]:.1f} before, {report['machine']['load_average_after'][0]:.1f} after."
    )


if __name__ == "__main__":
    main()
