"""Plots of a run: regional and dyad tension over time, alignment at start and end.

One style for every figure: the Okabe–Ito colour-blind-safe palette, titles, axis labels with
units, and a 90% band (5th–95th percentile across replicates) around every mean.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D

from sim.core.engine import Trajectory
from sim.core.metrics import HEDGING_BAND
from sim.outputs.style import (
    ARMS_ACTORS,
    GREY,
    MAP_POSITIONS,
    PALETTE,
    STYLE,
    TIE_STYLES,
    drawn_pairs,
)
from sim.scenario.ladder import OUTCOME_LEVELS
from sim.studies.compare import outcome_table


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
        ax.axvspan(-HEDGING_BAND, HEDGING_BAND, color=GREY, alpha=0.15, label="hedging band")
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


# --------------------------------------------------------------------------------------------
# Comparisons: one figure per question, every scenario on it.


def _save(fig, path: Path) -> None:
    """Write a figure as PNG and SVG (``path`` without suffix), the same bytes every time.

    The SVG carries no date, and its element ids come from a fixed salt (``STYLE``).
    """
    fig.savefig(path.with_suffix(".png"))
    with plt.rc_context({"svg.hashsalt": STYLE["svg.hashsalt"]}):
        fig.savefig(path.with_suffix(".svg"), metadata={"Date": None})
    plt.close(fig)


def _colors(names) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def comparison_tension(comparison, path: Path) -> None:
    """Regional tension over time: mean and 90% band per scenario on one axis."""
    colors = _colors(comparison.names)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for name, traj in comparison.trajectories.items():
            months = np.arange(traj.tension.shape[0])
            _band(ax, months, traj.model["regional_tension"], colors[name], name)
        ax.set(
            title="Regional tension (mean, 90% band across replicates)",
            xlabel="month",
            ylabel="regional tension index (0–1)",
        )
        ax.legend(frameon=False)
        fig.tight_layout()
        _save(fig, path)


def comparison_alignment(comparison, path: Path) -> None:
    """Each country's alignment at month 0 and at the horizon, one marker per scenario."""
    colors = _colors(comparison.names)
    first = comparison.trajectories[comparison.reference]
    world = first.world
    start = first.countries["alignment"][0].mean(axis=0)
    order = np.argsort(start)
    offsets = np.linspace(-0.25, 0.25, len(comparison.names))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 7))
        ax.axvspan(-HEDGING_BAND, HEDGING_BAND, color=GREY, alpha=0.15, label="hedging band")
        ax.plot(start[order], np.arange(len(order)), "s", color="#000000", label="month 0", ms=5)
        for offset, (name, traj) in zip(offsets, comparison.trajectories.items(), strict=True):
            end = traj.countries["alignment"][-1]
            mean = end.mean(axis=0)[order]
            low, high = np.quantile(end, [0.05, 0.95], axis=0)
            rows = np.arange(len(order)) + offset
            for row, a, b in zip(rows, start[order], mean, strict=True):
                ax.annotate(
                    "",
                    xy=(b, row),
                    xytext=(a, row),
                    arrowprops={"arrowstyle": "->", "color": colors[name], "lw": 0.8},
                )
            ax.errorbar(
                mean,
                rows,
                xerr=[mean - low[order], high[order] - mean],
                fmt="o",
                ms=4,
                color=colors[name],
                label=f"{name}, month {traj.horizon}",
            )
        ax.set_yticks(np.arange(len(order)), [world.codes[i] for i in order])
        ax.set(
            xlim=(-1.05, 1.05),
            xlabel="alignment (−1 = with China, +1 = with the US)",
            title="Alignment at the start and the end (mean, 90% band)",
        )
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        fig.tight_layout()
        _save(fig, path)


def comparison_network(comparison, path: Path) -> None:
    """Alliance networks at the horizon: ties styled by type, width by mean commitment."""
    names = comparison.names
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(names), figsize=(5.2 * len(names), 4.8), squeeze=False)
        for ax, name in zip(axes[0], names, strict=True):
            traj = comparison.trajectories[name]
            world = traj.world
            pos = {code: MAP_POSITIONS[code] for code in world.codes}
            graph = nx.MultiGraph()
            graph.add_nodes_from(world.codes)
            final = traj.horizon
            for k, kind in enumerate(world.alliance_types):
                members = [c for c, m in zip(world.codes, world.members0[k], strict=True) if m]
                start, end = world.alliance_start0[k], world.alliance_end0[k]
                if not start <= final < end:
                    continue
                commitment = float(traj.commitment[-1, :, k].mean())
                hub = world.codes[world.hub[k]]
                for a, b in drawn_pairs(kind, members, hub):
                    graph.add_edge(a, b, kind=kind, weight=commitment)
            for kind, (style, color) in TIE_STYLES.items():
                edges = [(a, b) for a, b, d in graph.edges(data=True) if d["kind"] == kind]
                widths = [
                    0.5 + 3 * d["weight"] for _, _, d in graph.edges(data=True) if d["kind"] == kind
                ]
                nx.draw_networkx_edges(
                    graph, pos, edgelist=edges, style=style, edge_color=color, width=widths, ax=ax
                )
            alignment = traj.countries["alignment"][-1].mean(axis=0)
            nx.draw_networkx_nodes(
                graph,
                pos,
                node_color=alignment,
                cmap="coolwarm_r",
                vmin=-1,
                vmax=1,
                node_size=260,
                edgecolors="#333333",
                ax=ax,
            )
            nx.draw_networkx_labels(graph, pos, font_size=7, ax=ax)
            ax.set_title(f"{name} (month {final})")
            ax.set_axis_off()  # a schematic map: positions keep Southeast Asia legible
        handles = [
            Line2D([], [], linestyle=style, color=color, label=kind.replace("_", " "))
            for kind, (style, color) in TIE_STYLES.items()
        ]
        fig.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False)
        fig.suptitle(
            "Alliance networks (line width: commitment; node colour: alignment, red = China, "
            "blue = US)"
        )
        fig.tight_layout(rect=(0, 0.06, 1, 0.95))
        _save(fig, path)


def comparison_escalation(comparison, path: Path) -> None:
    """Probability of reaching each rung (Wilson 95% intervals) and incidents over time."""
    table = outcome_table(comparison).set_index("scenario")
    colors = _colors(comparison.names)
    width = 0.8 / len(comparison.names)
    with plt.rc_context(STYLE):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
        x = np.arange(len(OUTCOME_LEVELS))
        for i, name in enumerate(comparison.names):
            p = np.array([table.loc[name, f"p_{lv}"] for lv in OUTCOME_LEVELS])
            low = np.array([table.loc[name, f"p_{lv}_low"] for lv in OUTCOME_LEVELS])
            high = np.array([table.loc[name, f"p_{lv}_high"] for lv in OUTCOME_LEVELS])
            ax1.bar(
                x + (i - (len(comparison.names) - 1) / 2) * width,
                p,
                width,
                yerr=[p - low, high - p],
                capsize=3,
                color=colors[name],
                label=name,
            )
        ax1.set_xticks(x, [lv.replace("_", " ") for lv in OUTCOME_LEVELS])
        ax1.set(
            ylim=(0, 1.05),
            ylabel="share of replicates reaching the rung",
            xlabel="escalation rung (any dyad, within the horizon)",
            title="Escalation outcomes (Wilson 95% intervals)",
        )
        ax1.legend(frameon=False, fontsize=8)
        for name, traj in comparison.trajectories.items():
            months = np.arange(1, traj.tension.shape[0])
            incidents = pd.DataFrame(traj.model["incidents"][1:])
            smooth = incidents.rolling(6, min_periods=1).mean().to_numpy()  # trailing 6 months
            _band(ax2, months, smooth, colors[name], name)
        ax2.set(
            title="New incidents per month (trailing 6-month mean; mean, 90% band)",
            xlabel="month",
            ylabel="incidents per month (all dyads)",
        )
        fig.tight_layout()
        _save(fig, path)


def comparison_arms(comparison, path: Path) -> None:
    """Military spending paths of the main actors, one panel each."""
    colors = _colors(comparison.names)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 4, figsize=(13, 6), sharex=True)
        for ax, code in zip(axes.ravel(), ARMS_ACTORS, strict=True):
            for name, traj in comparison.trajectories.items():
                i = traj.world.index(code)
                months = np.arange(traj.tension.shape[0])
                _band(ax, months, traj.countries["milex_usd_bn"][:, :, i], colors[name], name)
            ax.set_title(code)
            ax.set_ylabel("US$ bn per year")
        for ax in axes[-1]:
            ax.set_xlabel("month")
        axes[0, 0].legend(frameon=False, fontsize=7)
        fig.suptitle("Military spending (mean, 90% band)")
        fig.tight_layout()
        _save(fig, path)


def comparison_plots(comparison, directory: Path) -> list[Path]:
    """Write every comparison figure (PNG and SVG) into ``directory``; return the PNGs."""
    directory.mkdir(parents=True, exist_ok=True)
    figures = {
        "tension": comparison_tension,
        "alignment": comparison_alignment,
        "network": comparison_network,
        "escalation": comparison_escalation,
        "arms": comparison_arms,
    }
    for name, draw in figures.items():
        draw(comparison, directory / name)
    return [directory / f"{name}.png" for name in figures]


def plot_indices(result, path: Path) -> list[Path]:
    """Bar chart of sensitivity indices: Sobol S1 and ST, or Morris mu* and sigma.

    Error bars are the 95% bootstrap confidence intervals SALib reports.

    Returns:
        The files written (PNG and SVG).
    """
    table = result.table
    if result.method == "sobol":
        bars = (("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST"))
        ylabel = "share of the outcome's variance"
    else:
        bars = (("mu_star", "mu_star_conf", "mu* (mean |effect|)"), ("sigma", None, "sigma"))
        ylabel = f"effect on {result.outcome} across the range"
    names = [name.removeprefix("parameters.") for name in table["parameter"]]
    x = np.arange(len(names))
    width = 0.38
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(names) + 2), 4.4))
        for k, (column, conf, label) in enumerate(bars):
            error = table[conf].to_numpy() if conf else None
            ax.bar(
                x + (k - 0.5) * width,
                table[column],
                width,
                yerr=error,
                capsize=3,
                color=PALETTE[k],
                label=label,
            )
        ax.set_xticks(x, names, rotation=20, ha="right")
        ax.set(ylabel=ylabel, title=f"{result.method.capitalize()} sensitivity of {result.outcome}")
        ax.axhline(0, color="black", linewidth=0.6)
        ax.legend(frameon=False)
        fig.tight_layout()
        _save(fig, path)
    return [path.with_suffix(".png"), path.with_suffix(".svg")]


def plot_prim(result, path: Path) -> list[Path]:
    """PRIM's peeling trajectory: coverage against density, the chosen box marked.

    Returns:
        The files written (PNG and SVG).
    """
    trajectory = result.trajectory
    chosen = result.summary["box"]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 4.6))
        points = ax.scatter(
            trajectory["coverage"],
            trajectory["density"],
            c=trajectory["res_dim"],
            cmap="viridis",
            s=22,
        )
        ax.scatter(
            [trajectory["coverage"].iloc[chosen]],
            [trajectory["density"].iloc[chosen]],
            s=140,
            facecolors="none",
            edgecolors=PALETTE[3],
            linewidths=2,
            label=f"reported box {chosen}",
        )
        fig.colorbar(points, ax=ax, label="restricted parameters")
        ax.set(
            xlabel="coverage (share of cases of interest inside the box)",
            ylabel="density (share of the box that are cases)",
            xlim=(0, 1.02),
            ylim=(0, 1.02),
            title=f"PRIM: {result.outcome} ≥ {result.summary['threshold']:g}",
        )
        ax.legend(frameon=False, loc="lower left")
        fig.tight_layout()
        _save(fig, path)
    return [path.with_suffix(".png"), path.with_suffix(".svg")]


def plot_main_effects(result, path: Path) -> list[Path]:
    """Main effects of a grid: one panel per parameter, the outcome's mean at each level.

    Panels follow the ranking (largest effect first) and share the outcome's axis, so their
    slopes compare directly; bars are the table's intervals, the dashed line the mean over
    every run.

    Returns:
        The files written (PNG and SVG).
    """
    table, summary = result.table, result.summary
    names = list(summary["effects"])
    columns = min(len(names), 3)
    rows = -(-len(names) // columns)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            rows, columns, figsize=(3.6 * columns + 0.6, 3.2 * rows + 0.7), sharey=True
        )
        axes = np.atleast_1d(axes).ravel()
        for ax, name in zip(axes, names, strict=False):
            levels = table[table["parameter"] == name]
            numeric = pd.api.types.is_numeric_dtype(levels["level"].infer_objects())
            x = levels["level"].astype(float) if numeric else np.arange(len(levels))
            ax.errorbar(
                x,
                levels["mean"],
                yerr=[levels["mean"] - levels["low"], levels["high"] - levels["mean"]],
                fmt="o-",
                capsize=3,
                color=PALETTE[0],
            )
            ax.axhline(summary["mean"], color=GREY, linewidth=0.8, linestyle="--")
            if not numeric:
                ax.set_xticks(x, [str(v)[:18] for v in levels["level"]], rotation=20, ha="right")
            ax.set_title(
                f"{name.removeprefix('parameters.')}\neffect {summary['effects'][name]:.3g}",
                fontsize=9,
            )
            ax.set_xlabel("value")
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        for ax in axes[::columns]:
            ax.set_ylabel(f"mean {result.outcome}")
        fig.suptitle(
            f"Main effects on {result.outcome} (mean and {summary['confidence']:.0%} interval "
            f"over each level's runs; {summary['runs']:,} runs)"
        )
        fig.tight_layout()
        _save(fig, path)
    return [path.with_suffix(".png"), path.with_suffix(".svg")]


def plot_facts(results, path: Path) -> list[Path]:
    """Forest plot of the stylized facts: standardized effects with 95% intervals.

    Each effect is divided by the spread of its control outcome and signed so that right of
    zero means "in the claimed direction"; colour gives the verdict.

    Returns:
        The files written (PNG and SVG).
    """
    colours = {"holds": PALETTE[2], "fails": PALETTE[3], "inconclusive": GREY}
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8.2, 0.42 * len(results) + 1.4))
        for row, result in enumerate(reversed(results)):
            effect, low, high = result.standardized
            colour = colours[result.verdict]
            ax.plot([low, high], [row, row], color=colour, linewidth=2.2)
            ax.plot([effect], [row], "o", color=colour, markersize=6)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(range(len(results)), [r.fact.id for r in reversed(results)])
        ax.set(
            xlabel="effect in the claimed direction (control standard deviations)",
            title="Stylized facts: paired effects with 95% intervals",
        )
        handles = [
            plt.Line2D([], [], color=c, marker="o", linewidth=2, label=v)
            for v, c in colours.items()
        ]
        ax.legend(handles=handles, frameon=False, loc="lower right")
        fig.tight_layout()
        _save(fig, path)
    return [path.with_suffix(".png"), path.with_suffix(".svg")]


def plot_backtest(result, path: Path) -> list[Path]:
    """Hindcast: simulated against observed end-year alignment, and each country's path.

    Left: the model's end-year alignment (mean, ±1 sd across replicates) against the observed
    one, with the 45° line and the persistence forecast. Right: each country's observed move
    from the start year (arrow) beside the model's (arrow, offset).

    Returns:
        The files written (PNG and SVG).
    """
    table = result.table
    start, end = f"observed_{result.start}", f"observed_{result.end}"
    with plt.rc_context(STYLE):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5.2))
        ax1.plot([-1, 1], [-1, 1], color="black", linewidth=0.8, label="perfect forecast")
        ax1.errorbar(
            table[end],
            table["model"],
            yerr=table["model_sd"],
            fmt="o",
            color=PALETTE[0],
            label="model (mean ± sd)",
        )
        ax1.plot(
            table[end],
            table["persistence"],
            "s",
            color=PALETTE[1],
            markersize=5,
            label=f"persistence ({result.start} value)",
        )
        for _, row in table.iterrows():
            ax1.annotate(
                row["country"],
                (row[end], row["model"]),
                fontsize=8,
                xytext=(4, 3),
                textcoords="offset points",
            )
        ax1.set(
            xlabel=f"observed alignment {result.end} (security-alignment index)",
            ylabel=f"forecast of {result.end}",
            xlim=(-1.05, 1.05),
            ylim=(-1.05, 1.05),
            title=f"Hindcast {result.start}→{result.end}",
        )
        ax1.legend(frameon=False, loc="upper left", fontsize=8)
        order = table.sort_values(end).reset_index(drop=True)
        for y, row in order.iterrows():
            ax2.annotate(
                "",
                xy=(row[end], y + 0.15),
                xytext=(row[start], y + 0.15),
                arrowprops={"arrowstyle": "->", "color": PALETTE[2], "lw": 1.6},
            )
            ax2.annotate(
                "",
                xy=(row["model"], y - 0.15),
                xytext=(row[start], y - 0.15),
                arrowprops={"arrowstyle": "->", "color": PALETTE[0], "lw": 1.6},
            )
        ax2.set_yticks(range(len(order)), order["country"])
        ax2.set(
            xlim=(-1.05, 1.05),
            xlabel="alignment (−1 China … +1 US)",
            title=f"Moves {result.start}→{result.end}: observed (green), model (blue)",
        )
        fig.tight_layout()
        _save(fig, path)
    return [path.with_suffix(".png"), path.with_suffix(".svg")]


def plot_surface(result, path: Path, metric: str) -> list[Path]:
    """A calibration objective over two coefficients, with what the record cannot tell apart.

    The mean loss's rise above the best point, on a log scale (so that the valley shows beside
    the heights), on the grid's points (equally spaced, labelled with their values); the points
    indifferent from the best outlined, the best marked with a star and the shipped pair with
    a cross.

    Args:
        result: A :class:`sim.studies.surface.Surface`.
        path: Where to write, without suffix.
        metric: The objective's name, for the colour bar.

    Returns:
        The files written (PNG and SVG).
    """
    mean, close = result.mean, result.indifferent
    rows, columns = result.grids
    rise = mean - mean.min()
    positive = rise[rise > 0]
    low = float(positive.min()) if positive.size else 1e-6
    norm = LogNorm(vmin=low, vmax=max(float(rise.max()), low * 10))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 6.4))
        image = ax.imshow(
            np.maximum(rise, low), origin="lower", cmap="viridis", norm=norm, aspect="auto"
        )
        fig.colorbar(image, ax=ax, label=f"{metric}: rise above the best (log scale)")
        for i, j in zip(*np.nonzero(close), strict=True):
            ax.add_patch(
                plt.Rectangle(
                    (j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="white", linewidth=1.6
                )
            )
        best = result.best
        ax.plot(best[1], best[0], marker="*", color="white", markersize=16, linestyle="none")
        shipped = [  # between grid points as the grid is spaced: geometric grids in logs
            float(np.interp(np.log(value), np.log(grid), np.arange(len(grid))))
            if value > 0 and min(grid) > 0
            else float(np.interp(value, grid, np.arange(len(grid))))
            for value, grid in zip(result.shipped, result.grids, strict=True)
        ]
        ax.plot(
            shipped[1], shipped[0], marker="X", color="#d62728", markersize=11, linestyle="none"
        )
        ax.set_xticks(range(len(columns)), [f"{v:.3g}" for v in columns], rotation=45)
        ax.set_yticks(range(len(rows)), [f"{v:.3g}" for v in rows])
        ax.set(
            xlabel=result.names[1],
            ylabel=result.names[0],
            title=f"{result.target}: fit from {result.start}, {result.loss.shape[0]} seeds",
        )
        fig.legend(
            handles=[
                Line2D([], [], marker="s", color="white", markeredgecolor="black", linestyle="none",
                       label="the record cannot tell it from the best"),
                Line2D([], [], marker="*", color="black", linestyle="none", markersize=12,
                       label="best point"),
                Line2D([], [], marker="X", color="#d62728", linestyle="none", label="shipped"),
            ],
            loc="upper center",
            ncol=3,
            fontsize=8,
        )  # fmt: skip
        fig.tight_layout(rect=(0, 0, 1, 0.93))
        _save(fig, path)
    return [path.with_suffix(".png"), path.with_suffix(".svg")]
