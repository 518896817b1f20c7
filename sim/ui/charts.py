"""The dashboard's live charts: matplotlib figures of one session, rendered to PNG.

No browser-side plotting library is needed. Sizes are in inches at 100 display pixels per
inch: a 3.3-inch chart fills a ~330-pixel column at 1366 × 768 with 7–9 pt text that stays
legible; PNGs are rendered at 130 dpi.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.core.metrics import HEDGING_BAND
from sim.outputs.style import (
    ARMS_ACTORS,
    CHINA_COLOR,
    HEDGE_COLOR,
    MAP_POSITIONS,
    PALETTE,
    TIE_STYLES,
    US_COLOR,
    drawn_pairs,
)
from sim.scenario.ladder import rung_words
from sim.ui.session import Branch, DashboardModel

#: Colours of the branches without and with the pending inject.
WITHOUT_COLOR, WITH_COLOR = PALETTE[0], PALETTE[1]
#: Alignment from China (−1) through the hedgers to the US (+1).
ALIGNMENT_CMAP = LinearSegmentedColormap.from_list("alignment", [CHINA_COLOR, "#e8e8e8", US_COLOR])

#: Size of each live chart, inches.
CHART_SIZE = (3.3, 2.45)
#: Legend of the time-series charts: top left, over a translucent background.
LEGEND = {
    "fontsize": 6,
    "loc": "upper left",
    "framealpha": 0.85,
    "edgecolor": "none",
    "handlelength": 1.2,
}


def _axes(fig: Figure, *args: int) -> Any:
    """Styled axes: light grid, no top/right spines, small ticks."""
    ax = fig.add_subplot(*args) if args else fig.add_subplot()
    ax.grid(True, alpha=0.3, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=6.5, length=2, pad=2)
    return ax


def _title(ax: Any, text: str) -> None:
    # A fixed y (and fixed axis-label positions below) spares matplotlib measuring tick labels.
    ax.set_title(text, fontsize=8.5, pad=4, y=1.0)


def png(fig: Figure, dpi: int = 130) -> bytes:
    """Render a figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _inject_marks(ax: Any, model: DashboardModel) -> None:
    for record in model.session_injects:
        ax.axvline(record.month, color="#555555", linestyle=":", linewidth=0.9)


def tension_figure(model: DashboardModel) -> Figure:
    """Regional tension and the four currently most tense dyads, month by month."""
    with model.lock:
        regional = list(model.datacollector.model_vars["regional_tension"])
        dyads = np.array(model.tension_history)
        world = model.world
    months = np.arange(len(regional))
    fig = Figure(figsize=CHART_SIZE)
    fig.subplots_adjust(left=0.13, right=0.96, top=0.9, bottom=0.14)
    ax = _axes(fig)
    dot = {"marker": "o", "markersize": 3} if len(months) == 1 else {}  # month 0 alone
    ax.plot(months, regional, color="black", linewidth=2.0, label="region", **dot)
    for rank, d in enumerate(np.argsort(dyads[-1])[::-1][:4]):
        label = f"{world.codes[world.dyad_i[d]]}–{world.codes[world.dyad_j[d]]}"
        color = PALETTE[(rank + 1) % 8]
        ax.plot(months, dyads[:, d], color=color, linewidth=1.2, label=label, **dot)
    _inject_marks(ax, model)
    ax.set_xlim(0, world.horizon)
    ax.set_ylim(0, 1)
    _title(ax, "Tension: region and hottest dyads")
    ax.set_xlabel("month", fontsize=7)
    ax.set_ylabel("0 calm – 1 maximal", fontsize=7)
    ax.xaxis.set_label_coords(0.5, -0.1)
    ax.yaxis.set_label_coords(-0.11, 0.5)
    ax.legend(**LEGEND, ncols=3)
    return fig


def alignment_figure(model: DashboardModel) -> Figure:
    """Every country's position on the China–US axis: month 0 and now."""
    with model.lock:
        start = model.world.alignment0.copy()
        now = model.state.alignment[0].copy()
        codes, month = model.world.codes, model.month
    order = np.argsort(start)
    rows = np.arange(len(order))
    fig = Figure(figsize=CHART_SIZE)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.08)
    ax = _axes(fig)
    ax.axvspan(-HEDGING_BAND, HEDGING_BAND, color=HEDGE_COLOR, alpha=0.15, linewidth=0)
    ax.text(0, len(order) - 0.2, "hedging", ha="center", fontsize=6, color="#555555")
    for row, i in zip(rows, order, strict=True):
        ax.plot([start[i], now[i]], [row, row], color="#999999", linewidth=0.9)
    colors = [
        US_COLOR if a >= HEDGING_BAND else CHINA_COLOR if a <= -HEDGING_BAND else HEDGE_COLOR
        for a in now[order]
    ]
    ax.scatter(start[order], rows, marker="|", color="#555555", s=30, label="month 0")
    ax.scatter(now[order], rows, color=colors, s=16, zorder=3, label=f"month {month}")
    ax.set_yticks(rows, [codes[i] for i in order], fontsize=6)
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-0.7, len(order) + 0.3)
    _title(ax, "Alignment: China (−1) ↔ US (+1)")
    ax.legend(fontsize=6, loc="lower right", frameon=False, handlelength=1)
    return fig


def ties_in_force(model: DashboardModel) -> list[tuple[str, str, str, float]]:
    """Alliance ties in force now: (a, b, type, commitment × credibility)."""
    world, state = model.world, model.state
    t = state.step
    ties = []
    for k, kind in enumerate(world.alliance_types):
        if not state.alliance_start[0, k] <= t < state.alliance_end[0, k]:
            continue
        members = [world.codes[i] for i in np.nonzero(state.members[0, k])[0]]
        if len(members) < 2:
            continue
        weight = float(state.commitment[0, k] * state.credibility[0, k])
        hub = world.codes[world.hub[k]]
        ties += [(a, b, kind, weight) for a, b in drawn_pairs(kind, members, hub)]
    return ties


def network_figure(model: DashboardModel) -> Figure:
    """The alliance network now: ties by type, width by commitment × credibility."""
    with model.lock:
        ties = ties_in_force(model)
        alignment = dict(zip(model.world.codes, model.state.alignment[0], strict=True))
    fig = Figure(figsize=CHART_SIZE)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.01)
    ax = fig.add_subplot()
    ax.set_axis_off()
    for a, b, kind, weight in ties:
        (xa, ya), (xb, yb) = MAP_POSITIONS[a], MAP_POSITIONS[b]
        style, color = TIE_STYLES[kind]
        width = 0.5 + 3 * weight
        ax.plot([xa, xb], [ya, yb], linestyle=style, color=color, linewidth=width, alpha=0.8)
    codes = list(MAP_POSITIONS)
    xs, ys = zip(*(MAP_POSITIONS[c] for c in codes), strict=True)
    colors = [alignment[c] for c in codes]
    node = {"s": 60, "zorder": 3, "edgecolors": "#333333", "linewidths": 0.5}
    ax.scatter(xs, ys, c=colors, cmap=ALIGNMENT_CMAP, vmin=-1, vmax=1, **node)
    label = {"textcoords": "offset points", "ha": "center", "va": "top", "fontsize": 5.5}
    for code, x, y in zip(codes, xs, ys, strict=True):
        ax.annotate(code, (x, y), xytext=(0, -6), **label)
    present = sorted({kind for _, _, kind, _ in ties}, key=list(TIE_STYLES).index)
    handles = []
    for kind in present:
        style, color = TIE_STYLES[kind]
        handles.append(Line2D([], [], linestyle=style, color=color, label=kind.replace("_", " ")))
    ax.legend(handles=handles, fontsize=6, loc="lower left", frameon=False, handlelength=2)
    ax.set_xlim(70, 166)
    ax.set_ylim(-27, 44)
    _title(ax, "Alliances (width: commitment × credibility)")
    return fig


def arms_figure(model: DashboardModel) -> Figure:
    """Military spending of the main actors, % change since month 0."""
    with model.lock:
        milex = np.array(model.milex_history)
        world = model.world
    months = np.arange(len(milex))
    fig = Figure(figsize=CHART_SIZE)
    fig.subplots_adjust(left=0.13, right=0.96, top=0.9, bottom=0.14)
    ax = _axes(fig)
    for rank, code in enumerate(ARMS_ACTORS):
        i = world.index(code)
        change = 100.0 * (milex[:, i] / milex[0, i] - 1.0)
        ax.plot(months, change, color=PALETTE[rank % 8], linewidth=1.2, label=code)
    _inject_marks(ax, model)
    ax.axhline(0, color="#555555", linewidth=0.7)
    ax.set_xlim(0, world.horizon)
    low, high = ax.get_ylim()
    ax.set_ylim(min(low, -1.0), max(high, 5.0))  # no magnified noise in the first months
    _title(ax, "Arms spending, % change since month 0")
    ax.set_xlabel("month", fontsize=7)
    ax.xaxis.set_label_coords(0.5, -0.1)
    ax.legend(**LEGEND, ncols=4)
    return fig


def branch_figure(branch: Branch) -> Figure:
    """The two branches' final-month distributions, side by side, outcome by outcome."""
    fig = Figure(figsize=(6.8, 2.3))
    fig.subplots_adjust(left=0.06, right=0.99, top=0.88, bottom=0.17, wspace=0.35)
    panels = (
        ("regional_tension", "Regional tension"),
        ("us_credibility", "US credibility"),
        (f"alignment.{branch.target}", f"Alignment of {branch.target}"),
    )
    rng = np.random.default_rng(0)
    for column, (key, title) in enumerate(panels, start=1):
        ax = _axes(fig, 1, 4, column)
        data = [branch.without[key], branch.with_inject[key]]
        box = ax.boxplot(data, widths=0.5, showfliers=False, patch_artist=True)
        for patch, color in zip(box["boxes"], (WITHOUT_COLOR, WITH_COLOR), strict=True):
            patch.set(facecolor=color, alpha=0.25, edgecolor=color)
        for median in box["medians"]:
            median.set(color="black")
        for position, (values, color) in enumerate(
            zip(data, (WITHOUT_COLOR, WITH_COLOR), strict=True), start=1
        ):
            jitter = rng.uniform(-0.12, 0.12, len(values))
            ax.scatter(position + jitter, values, s=5, color=color, alpha=0.7, zorder=3)
        ax.set_xticks([1, 2], ["without", "with"], fontsize=7)
        _title(ax, title)
    ax = _axes(fig, 1, 4, 4)
    rungs = range(2, 6)
    x = np.arange(len(rungs))
    for offset, (outcome, color, label) in zip(
        (-0.2, 0.2),
        ((branch.without, WITHOUT_COLOR, "without"), (branch.with_inject, WITH_COLOR, "with")),
        strict=True,
    ):
        shares = [float((outcome["max_escalation"] >= r).mean()) for r in rungs]
        ax.bar(x + offset, shares, width=0.4, color=color, alpha=0.8, label=label)
    ax.set_xticks(x, [rung_words(r) for r in rungs], fontsize=6.5, rotation=30)
    ax.set_ylim(0, 1)
    _title(ax, "Share of runs reaching")
    ax.legend(fontsize=6, frameon=False)
    return fig
