"""One visual style for every picture geosim draws: files, reports and the dashboard.

The Okabe–Ito colour-blind-safe palette, the colours of the two poles, the line style of each
alliance type, the main arms actors, and the schematic map of the region.
"""

from __future__ import annotations

import threading

import matplotlib

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: The US pole, the China pole, and the hedgers between them.
US_COLOR, CHINA_COLOR, HEDGE_COLOR = PALETTE[0], PALETTE[3], "#8c8c8c"
#: Neutral grey of secondary marks (partnership ties, inconclusive verdicts, bands).
GREY = "#888888"

#: Matplotlib settings of the figures written to files.
STYLE = {
    "figure.dpi": 110,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "font.size": 10,
    "svg.hashsalt": "geosim",  # SVG clip-path ids are hashes: a fixed salt repeats them
}

#: Main actors whose spending paths are drawn.
ARMS_ACTORS = ("USA", "CHN", "JPN", "IND", "KOR", "AUS", "PHL", "VNM")

#: Line style and colour of each alliance type.
TIE_STYLES = {
    "bilateral_treaty": ("solid", PALETTE[0]),
    "collective_defence": ("solid", PALETTE[3]),
    "minilateral": ("dashed", PALETTE[2]),
    "partnership": ("dotted", GREY),
    "task_force": ("dashdot", PALETTE[4]),
}

#: Schematic map positions (longitude-like, latitude-like) that keep Southeast Asia legible;
#: the United States sits to the east of the region.
MAP_POSITIONS = {
    "IND": (78, 22),
    "MMR": (92, 22),
    "THA": (97, 13),
    "LAO": (102, 20),
    "KHM": (103, 10),
    "VNM": (109, 16),
    "MYS": (98, 3),
    "SGP": (104, -2),
    "IDN": (109, -9),
    "BRN": (115, 4),
    "PHL": (123, 12),
    "CHN": (110, 31),
    "PRK": (122, 39),
    "TWN": (121, 24),
    "RUS": (128, 48),
    "KOR": (129, 33),
    "JPN": (139, 36),
    "AUS": (139, -22),
    "USA": (158, 20),
}


def drawn_pairs(kind: str, members: list[str], hub: str) -> list[tuple[str, str]]:
    """The ties drawn for an alliance: every pair in a pact or grouping, else hub to spokes."""
    if kind in ("collective_defence", "minilateral"):
        return [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
    return [(hub, m) for m in members if m != hub] if hub in members else []


#: Held while geosim draws with matplotlib in a server thread: pyplot and rcParams are global
#: and not thread-safe, and the console draws its charts while a report may be drawing its own.
PLOTTING = threading.RLock()
