"""The console in Debian's Chromium: from a click on "Advance" to the page redrawn.

Run from the repository root (about a minute)::

    .venv/bin/python benchmarks/bench_browser.py --out benchmarks/results

It serves ``geosim dashboard taiwan_strait_crisis`` with a Blue and a Red team on 127.0.0.1,
opens the facilitator's page at 1366 × 768 in Chromium (through Playwright, as the browser
tests do) and clicks "Advance 1 month" ``--months`` times. Each click is timed from the click
to the status line showing the new month with every chart image loaded: everything a
facilitator waits for (the month itself, the server's redraw, the websocket, the browser's
drawing). The server's part alone is ``bench_console.py``. Results are printed and written
to ``OUT/browser.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "ui")]

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from served import Seat, Server  # noqa: E402

SEATS = "Blue=JPN,TWN;Red=CHN"


def clicks(months: int) -> list[float]:
    """Seconds from each click on "Advance 1 month" to the page redrawn."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        server = Server(folder, folder / "sessions", "--seats", SEATS).wait()
        try:
            url = server.addresses()["Taiwan Strait crisis, facilitator"]
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                chair = Seat(browser, url, folder, "facilitator")
                chair.month()
                times = []
                for month in range(1, months + 1):
                    chair.settled("Advance 1 month")
                    began = time.perf_counter()
                    chair.button("Advance 1 month").click()
                    chair.at_month(month)
                    chair.page.wait_for_function(
                        "() => Array.from(document.images).every(i => i.complete)"
                    )
                    times.append(time.perf_counter() - began)
                    print(f"month {month}: {times[-1]:.3f} s", flush=True)
                browser.close()
        finally:
            server.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--months", type=int, default=20)
    args = parser.parse_args()
    times = clicks(args.months)
    ordered = sorted(times)
    report = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "load_average": os.getloadavg(),
        "clicks": len(times),
        "median_s": statistics.median(times),
        "p90_s": ordered[int(0.9 * (len(ordered) - 1))],
        "max_s": ordered[-1],
        "within_0_3_s": sum(t <= 0.3 for t in times) / len(times),
        "seconds": times,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "browser.json").write_text(json.dumps(report, indent=1))
    print(
        f"click to redrawn: median {report['median_s']:.3f} s, 90th percentile "
        f"{report['p90_s']:.3f} s, {report['within_0_3_s']:.0%} within 0.3 s "
        f"(load average {report['load_average'][0]:.1f})"
    )


if __name__ == "__main__":
    main()
