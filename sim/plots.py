"""Plots of a run: regional and dyad tension over time, alignment at start and end.

One style for every figure: the Okabe–Ito colour-blind-safe palette, titles, axis labels with
units, and a 90% band (5th–95th percentile across replicates) around every mean.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from sim.engine import Trajectory

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

STYLE = {
    "figure.dpi": 110,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "font.size": 10,
}


def _band(ax, months: np.ndarray, values: np.ndarray, color: str, label: str) -> None:
    """Mean line and 90% band of ``values`` (months × replicates)."""
    low, high = np.quantile(values, [0.05, 0.95], axis=1)
    ax.fill_between(months, low, high, color=color, alpha=0.2, linewidth=0)
    ax.plot(months, values.mean(axis=1), color=color, label=label, linewidth=1.8)


def tension_plot(trajectory: Trajectory, path: Path, *, top: int = 5) -> None:
    """Regional tension, and tension in the most tense dyads, over time.

    Args:
        trajectory: A recorded run.
        path: Image file to write.
        top: Number of dyads to show (highest mean final tension).
    """
    world = trajectory.world
    months = np.arange(trajectory.tension.shape[0])
    with plt.rc_context(STYLE):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
        _band(ax1, months, trajectory.model["regional_tension"], PALETTE[0], "regional index")
        ax1.set(
            title=f"Regional tension — {world.name}",
            xlabel="month",
            ylabel="tension (0 = calm, 1 = maximal)",
            ylim=(0, 1),
        )
        ax1.legend(loc="upper left", frameon=False)
        final = trajectory.tension[-1].mean(axis=0)
        for rank, d in enumerate(np.argsort(final)[::-1][:top]):
            label = f"{world.codes[world.dyad_i[d]]}–{world.codes[world.dyad_j[d]]}"
            _band(ax2, months, trajectory.tension[:, :, d], PALETTE[rank % len(PALETTE)], label)
        ax2.set(title=f"Most tense dyads (mean, 90% band; {len(trajectory.replicates)} runs)")
        ax2.set_xlabel("month")
        ax2.legend(loc="upper left", frameon=False, ncols=2)
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)


def alignment_plot(trajectory: Trajectory, path: Path) -> None:
    """Each country's alignment at month 0 and at the horizon (mean and 90% band)."""
    world = trajectory.world
    alignment = trajectory.countries["alignment"]
    start, end = alignment[0].mean(axis=0), alignment[-1]
    end_mean = end.mean(axis=0)
    low, high = np.quantile(end, [0.05, 0.95], axis=0)
    order = np.argsort(start)
    rows = np.arange(len(order))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 6.2))
        ax.axvspan(-0.2, 0.2, color="#999999", alpha=0.15, label="hedging band")
        for row, i in zip(rows, order, strict=True):
            ax.annotate(
                "",
                xy=(end_mean[i], row),
                xytext=(start[i], row),
                arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 1},
            )
        ax.errorbar(
            end_mean[order],
            rows,
            xerr=[end_mean[order] - low[order], high[order] - end_mean[order]],
            fmt="o",
            color=PALETTE[3],
            label=f"month {trajectory.horizon} (mean, 90% band)",
        )
        ax.plot(start[order], rows, "s", color=PALETTE[0], label="month 0")
        ax.set_yticks(rows, [world.codes[i] for i in order])
        ax.set(
            xlim=(-1.05, 1.05),
            xlabel="alignment (−1 = with China, +1 = with the US)",
            title=f"Alignment on the China–US axis — {world.name}",
        )
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
