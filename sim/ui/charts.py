"""The dashboard's live charts: four matplotlib figures per game, updated in place.

:class:`BoardCharts` keeps the four charts of one game (tension, alignment, the alliance network
and arms spending) as matplotlib figures built once. A redraw copies what the charts show from the
board under the game's lock, changes the data of the figures' artists, and renders with the Agg
canvas only the charts whose picture changed, and in them only what moves (:class:`Chart`). One
:class:`BoardCharts` serves every browser viewing the game. ``benchmarks/bench_redraw.py``
measures it (docs/performance.md, "Dashboard redraw").

A dyad keeps one line style (colour, and dash once the colours are used up) for the whole game: a
style is given to a dyad the first month it is among the hottest and never to another dyad.

The module is over 800 lines because the four live charts and the what-if chart share one way
of drawing (a figure built once, its moving artists blitted, its picture cached by what it
shows), and each chart's build and update read best beside that machinery and each other.

Sizes are in inches at 100 display pixels per inch: a 3.3-inch chart fills a ~330-pixel column
at 1366 × 768 with 6–8.5 pt text; the PNGs are rendered at :data:`DPI`, a pixel per display pixel.
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.lines import Line2D

from sim.core.metrics import HEDGING_BAND
from sim.game.play import Game
from sim.outputs.style import (
    ARMS_ACTORS,
    CHINA_COLOR,
    GREY,
    HEDGE_COLOR,
    MAP_POSITIONS,
    PALETTE,
    PLOTTING,
    TIE_STYLES,
    US_COLOR,
    drawn_pairs,
)
from sim.scenario.ladder import rung_words
from sim.scenario.moves import NAMES

#: Resolution of the live charts' PNGs, dots per inch (one pixel per display pixel).
DPI = 100
#: Size of each live chart, inches (at scale 1: 330 × 245 px).
CHART_SIZE = (3.3, 2.45)
#: The scales the live charts are drawn at (:class:`BoardCharts`): a page asks for the one
#: that fits its panel (:func:`scale_for`), so its pictures are shown at about one pixel per
#: pixel and their text at its size in points (7–12 px at 1, 13–21 px at 1.75).
SCALES = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)


def scale_for(width: float) -> float:
    """The scale of :data:`SCALES` whose charts are nearest ``width`` pixels wide."""
    wanted = width / (CHART_SIZE[0] * DPI)
    return min(SCALES, key=lambda s: abs(s - wanted))


#: zlib level of the live charts' PNGs: 1 encodes several times faster than the default 6, and
#: the files are about a quarter larger (flat colours compress well either way).
PNG_COMPRESSION = 1
#: Dyads drawn beside the region in the tension chart.
HOTTEST = 4
#: Colours of the dyads' lines, in the order they are given (black is the region's; yellow is
#: too faint for a thin line on white).
DYAD_COLORS = PALETTE[:6]
#: Dashes of the dyads' lines, once every colour has been given (then the next dash, and so on).
DYAD_DASHES = ("solid", "dashed", "dotted")
#: Which mark each kind of accepted action gets: injects and deck cards, or team moves.
MARK_OF_ORIGIN = {"facilitator": "inject", "deck": "inject", "team": "team move"}
#: Line style of each mark.
MARK_STYLES = {
    "inject": {"color": "#555555", "linestyle": "dotted", "linewidth": 0.9},
    "team move": {"color": GREY, "linestyle": "dashed", "linewidth": 0.9},
}
#: Alignment is drawn rounded to this step (a pixel is about 0.0075 of the axis).
ALIGNMENT_STEP = 0.004
#: Commitment × credibility is drawn rounded to this step (0.15 pt of line width).
WEIGHT_STEP = 0.05
#: A node's alignment is shaded rounded to this step (1/40 of the colour scale).
SHADE_STEP = 0.05

#: Colours of the branches without and with the pending inject.
WITHOUT_COLOR, WITH_COLOR = PALETTE[0], PALETTE[1]
#: Alignment from China (−1) through the hedgers to the US (+1).
ALIGNMENT_CMAP = LinearSegmentedColormap.from_list("alignment", [CHINA_COLOR, "#e8e8e8", US_COLOR])
#: Legend of the time-series charts: top left, over a translucent background.
LEGEND = {
    "fontsize": 6,
    "loc": "upper left",
    "framealpha": 0.85,
    "edgecolor": "none",
    "handlelength": 1.2,
}

#: An alliance tie in force: (country, country, alliance type, commitment × credibility).
Tie = tuple[str, str, str, float]


def png(fig: Figure, dpi: int = 130) -> bytes:
    """Render a figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def ties_in_force(model: Any) -> list[Tie]:
    """Alliance ties in force now (of a model with ``world`` and ``state``)."""
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


# -------------------------------------------------------------------------------------------
# What the charts show


@dataclass(frozen=True, eq=False)
class BoardData:
    """What the four charts show, copied from the board under the game's lock.

    Attributes:
        model: ``id`` of the board it was copied from.
        revision: The game's revision then.
        horizon: The game's last month.
        codes: Country codes, in the model's order.
        dyads: The two codes of each dyad, in the order of the tension history.
        regional: Regional tension, month by month.
        tension: Dyad tension, months × dyads.
        milex: Military spending, months × countries.
        alignment0: Each country's alignment at month 0.
        alignment: Each country's alignment now.
        ties: Alliance ties in force now.
        marks: ``(month, mark)`` of every accepted action (see :data:`MARK_OF_ORIGIN`).
    """

    model: int
    revision: int
    horizon: int
    codes: tuple[str, ...]
    dyads: tuple[tuple[str, str], ...]
    regional: np.ndarray
    tension: np.ndarray
    milex: np.ndarray
    alignment0: np.ndarray
    alignment: np.ndarray
    ties: tuple[Tie, ...]
    marks: tuple[tuple[int, str], ...]


def board_data(game: Game) -> BoardData:
    """Copy what the charts show from a game's board."""
    with game.lock:
        model = game.model
        world = model.world
        codes = tuple(world.codes)
        return BoardData(
            model=id(model),
            revision=game.revision,
            horizon=world.horizon,
            codes=codes,
            dyads=tuple(
                (codes[i], codes[j]) for i, j in zip(world.dyad_i, world.dyad_j, strict=True)
            ),
            regional=np.array(model.datacollector.model_vars["regional_tension"], dtype=float),
            tension=np.array(model.tension_history, dtype=float),
            milex=np.array(model.milex_history, dtype=float),
            alignment0=np.array(world.alignment0, dtype=float),
            alignment=np.array(model.state.alignment[0], dtype=float),
            ties=tuple(ties_in_force(model)),
            marks=tuple((a.month, MARK_OF_ORIGIN.get(a.origin, "inject")) for a in game.accepted()),
        )


def digest(*parts: Any) -> bytes:
    """A short fingerprint of arrays and plain values (a chart is drawn again when it changes)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        h.update(b"|")
    return h.digest()


def hottest(tension: np.ndarray) -> list[int]:
    """Indices of the :data:`HOTTEST` most tense dyads of one month, hottest first."""
    return [int(d) for d in np.argsort(-tension, kind="stable")[:HOTTEST]]


class DyadStyles:
    """The colour and dash of each dyad's line, given on first appearance and never changed.

    The 6 colours × 3 dashes tell 18 dyads apart; a 19th dyad in one game gets the first style
    again (four are shown at a time).
    """

    def __init__(self) -> None:
        self.given: dict[tuple[str, str], tuple[str, str]] = {}

    def of(self, dyad: tuple[str, str]) -> tuple[str, str]:
        """The dyad's ``(colour, dash)``, giving it the next unused one if it has none."""
        if dyad not in self.given:
            n = len(self.given)
            dash = DYAD_DASHES[(n // len(DYAD_COLORS)) % len(DYAD_DASHES)]
            self.given[dyad] = (DYAD_COLORS[n % len(DYAD_COLORS)], dash)
        return self.given[dyad]


# -------------------------------------------------------------------------------------------
# The four charts


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


def legend_corner(ax: Any, lines: list[Line2D]) -> str:
    """``"upper left"``, or ``"lower left"`` when the lines crowd the top of the left part more.

    A fixed corner spares matplotlib's search for the best place; this picks the emptier one.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    top = bottom = 0
    for line in lines:
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        y = (y[x <= x0 + 0.6 * (x1 - x0)] - y0) / (y1 - y0)
        top += int(np.count_nonzero(y > 0.65))
        bottom += int(np.count_nonzero(y < 0.3))
    return "lower left" if top > bottom else "upper left"


def nice_limit(value: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × a power of ten that is at least ``value``.

    Axis limits snapped to these change only now and then, so the axes need not be drawn again
    every month.
    """
    if value <= 0:
        return 0.0
    power = 10.0 ** np.floor(np.log10(value))
    return next(k * power for k in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if k * power >= value)


class Marks:
    """Vertical marks at the months of accepted actions, one line artist per kind of mark."""

    def __init__(self, ax: Any) -> None:
        self.lines = {
            kind: ax.plot(
                [], [], transform=ax.get_xaxis_transform(), gid=kind, label=kind, **style
            )[0]
            for kind, style in MARK_STYLES.items()
        }

    def update(self, marks: tuple[tuple[int, str], ...]) -> None:
        """Draw a mark at the month of each action, and hide the kinds of mark not used."""
        for kind, line in self.lines.items():
            months = sorted({m for m, k in marks if k == kind})
            x = np.repeat(np.array(months, dtype=float), 3)
            y = np.tile([0.0, 1.0, np.nan], len(months))
            x[2::3] = np.nan
            line.set_data(x, y)
            line.set_visible(bool(months))

    def shown(self) -> list[Line2D]:
        """The kinds of mark drawn now."""
        return [line for line in self.lines.values() if line.get_visible()]


class Chart:
    """One live chart: a figure built once for a board's layout and updated in place.

    It is drawn in three layers, so that a month draws only what moves (matplotlib's blitting):
    a saved picture of the fixed parts (axes, ticks, labels, title), drawn again only when
    :meth:`background_key` changes; the :meth:`moving` artists (lines, dots, ties), drawn over it;
    and the :meth:`overlay` on top (legends, the network's codes), rendered onto a transparent
    layer when :meth:`overlay_key` changes. The PNG is rendered again only when :meth:`key` does.

    Attributes:
        figure: The figure (None before the first drawing).
        png: The last PNG drawn.
    """

    def __init__(self) -> None:
        self.dpi: float = DPI  # a larger one draws the same chart bigger, text and all
        self.figure: Figure | None = None
        self.png = b""
        self._layout: bytes | None = None
        self._drawn: bytes | None = None
        self._background: Any = None
        self._background_key: Any = None
        self._overlay: tuple[slice, slice, np.ndarray, np.ndarray] | None = None
        self._overlay_key: Any = None

    def layout_key(self, data: BoardData) -> bytes:
        """What the figure's fixed parts depend on (a new figure is built when it changes)."""
        return digest(data.codes, data.horizon, data.alignment0)

    def draw(self, data: BoardData) -> bool:
        """Bring the PNG up to date with the board; returns whether it was rendered again."""
        layout = self.layout_key(data)
        if layout != self._layout or self.figure is None:
            self.figure = Figure(figsize=CHART_SIZE, dpi=self.dpi)
            FigureCanvasAgg(self.figure)
            self.build(self.figure, data)
            self._layout, self._drawn = layout, None
            self._background = self._overlay = None
        key = self.key(data)
        if key == self._drawn:
            return False
        self.update(data)
        fig, canvas = self.figure, self.figure.canvas
        moving, overlay = in_drawing_order(self.moving()), self.overlay()
        for artist in (*moving, *overlay):
            artist.set_animated(True)  # left out of the saved picture
        if self._background is None or self.background_key() != self._background_key:
            canvas.draw()
            self._background = canvas.copy_from_bbox(fig.bbox)
            self._background_key = self.background_key()
        else:
            canvas.restore_region(self._background)
        for artist in moving:
            fig.draw_artist(artist)
        pixels = np.asarray(canvas.buffer_rgba())
        if self._overlay is None or self.overlay_key() != self._overlay_key:
            self._overlay = transparent_layer(fig, overlay)
            self._overlay_key = self.overlay_key()
        rows, columns, color, alpha = self._overlay
        under = pixels[rows, columns, :3]
        under[:] = (color + under * (1.0 - alpha) + 0.5).astype(np.uint8)
        buffer = io.BytesIO()
        imsave(buffer, pixels, format="png", pil_kwargs={"compress_level": PNG_COMPRESSION})
        self.png, self._drawn = buffer.getvalue(), key
        return True

    def build(self, fig: Figure, data: BoardData) -> None:
        """Make the figure's axes and artists."""
        raise NotImplementedError

    def key(self, data: BoardData) -> bytes:
        """What the picture depends on."""
        raise NotImplementedError

    def update(self, data: BoardData) -> None:
        """Set the artists' data to the board's."""
        raise NotImplementedError

    def moving(self) -> list[Any]:
        """The artists drawn every time over the saved picture."""
        raise NotImplementedError

    def overlay(self) -> list[Any]:
        """The artists on top of the moving ones (by default, the legends)."""
        return [legend for ax in self.figure.axes if (legend := ax.get_legend()) is not None]

    def background_key(self) -> Any:
        """What the saved picture depends on, after :meth:`update`."""
        return None

    def overlay_key(self) -> Any:
        """What the overlay depends on, after :meth:`update` (it is rendered again on a change)."""
        return None


def in_drawing_order(artists: list[Any]) -> list[Any]:
    """Artists in the order a full drawing of their axes draws them (by z-order, then age)."""
    if not artists:
        return []
    age = {id(child): n for n, child in enumerate(artists[0].axes.get_children())}
    return sorted(artists, key=lambda a: (a.get_zorder(), age.get(id(a), 0)))


def transparent_layer(
    fig: Figure, artists: list[Any]
) -> tuple[slice, slice, np.ndarray, np.ndarray]:
    """Artists rendered alone onto a transparent canvas the size of the figure.

    Returns:
        The rows and columns of the pixels they cover, their colour premultiplied by their
        opacity, and their opacity (both as floats, ready to lay over an opaque picture).
    """
    width, height = fig.canvas.get_width_height(physical=True)
    renderer = RendererAgg(width, height, fig.dpi)
    renderer.clear()
    for artist in artists:
        artist.draw(renderer)
    rgba = np.asarray(renderer.buffer_rgba())
    covered = np.nonzero(rgba[..., 3])
    if not len(covered[0]):
        return slice(0, 0), slice(0, 0), np.zeros((0, 0, 3)), np.zeros((0, 0, 1))
    rows = slice(int(covered[0].min()), int(covered[0].max()) + 1)
    columns = slice(int(covered[1].min()), int(covered[1].max()) + 1)
    alpha = rgba[rows, columns, 3:].astype(float) / 255.0
    return rows, columns, rgba[rows, columns, :3] * alpha, alpha


class TensionChart(Chart):
    """Regional tension and the currently hottest dyads, month by month, with the actions.

    Each dyad has its own line, made the first time it is among the hottest, in the style
    :class:`DyadStyles` gave it; the lines of dyads no longer among the hottest are hidden.
    """

    def __init__(self, styles: DyadStyles) -> None:
        super().__init__()
        self.styles = styles
        self.scanned: tuple[int, int] = (0, 0)  # (board, months) whose hottest dyads have styles

    def build(self, fig: Figure, data: BoardData) -> None:
        """The axes, the region's line and the marks."""
        fig.subplots_adjust(left=0.13, right=0.96, top=0.9, bottom=0.14)
        ax = self.ax = _axes(fig)
        ax.set_autoscale_on(False)
        (self.region,) = ax.plot([], [], color="black", linewidth=2.0, label="region")
        self.dyad_lines: dict[tuple[str, str], Line2D] = {}
        self.marks = Marks(ax)
        self.legend_of: tuple = ()
        ax.set_xlim(0, data.horizon)
        ax.set_ylim(0, 1)
        _title(ax, "Tension: region and hottest dyads")
        ax.set_xlabel("month", fontsize=7)
        ax.set_ylabel("0 calm – 1 maximal", fontsize=7)
        ax.xaxis.set_label_coords(0.5, -0.1)
        ax.yaxis.set_label_coords(-0.11, 0.5)

    def key(self, data: BoardData) -> bytes:
        """The region's and the dyads' tension, and the marks."""
        return digest(data.regional, data.tension, data.marks)

    def give_styles(self, data: BoardData) -> None:
        """Give a style to every dyad among the hottest in a month not yet looked at.

        The whole history is read (the last month again, which an inject rewrites), so a dyad's
        style does not depend on which months a browser happened to draw.
        """
        board, months = self.scanned
        start = max(0, months - 1) if board == data.model else 0
        for month in range(start, len(data.tension)):
            for d in hottest(data.tension[month]):
                self.styles.of(data.dyads[d])
        self.scanned = (data.model, len(data.tension))

    def update(self, data: BoardData) -> None:
        """Draw the region, the hottest dyads now (in their own styles) and the marks."""
        self.give_styles(data)
        single = {"marker": "o" if len(data.tension) == 1 else "None", "markersize": 3}
        self.region.set_data(np.arange(len(data.regional)), data.regional)
        self.region.set(**single)
        now = [data.dyads[d] for d in hottest(data.tension[-1])]
        months = np.arange(len(data.tension))
        for dyad in now:
            if dyad not in self.dyad_lines:
                color, dash = self.styles.of(dyad)
                (self.dyad_lines[dyad],) = self.ax.plot(
                    [], [], color=color, linestyle=dash, linewidth=1.2, label="–".join(dyad),
                    gid="dyad",
                )  # fmt: skip
        index = {dyad: d for d, dyad in enumerate(data.dyads)}
        for dyad, line in self.dyad_lines.items():
            line.set_visible(dyad in now)
            if dyad in now:
                line.set_data(months, data.tension[:, index[dyad]])
                line.set(**single)
        self.marks.update(data.marks)
        self.shown = [self.region, *(self.dyad_lines[d] for d in now)]
        in_order = [line for dyad, line in self.dyad_lines.items() if dyad in now]
        handles = [self.region, *in_order, *self.marks.shown()]  # by first appearance
        corner = legend_corner(self.ax, self.shown)
        legend_of = (corner, single["marker"], *(h.get_label() for h in handles))
        if legend_of != self.legend_of:
            self.ax.legend(handles=handles, **{**LEGEND, "loc": corner}, ncols=3)
            self.legend_of = legend_of

    def moving(self) -> list[Any]:
        """The marks and the lines shown."""
        return [*self.marks.shown(), *self.shown]

    def overlay_key(self) -> Any:
        """The legend's corner and entries."""
        return self.legend_of


class AlignmentChart(Chart):
    """Every country's position on the China–US axis: month 0 and now."""

    def build(self, fig: Figure, data: BoardData) -> None:
        """Countries in rows ordered by their month-0 alignment, with the hedging band."""
        start = data.alignment0
        self.order = np.argsort(start, kind="stable")
        self.rows = np.arange(len(self.order), dtype=float)
        fig.subplots_adjust(left=0.12, right=0.98, top=0.9, bottom=0.08)
        ax = self.ax = _axes(fig)
        ax.set_autoscale_on(False)
        ax.axvspan(-HEDGING_BAND, HEDGING_BAND, color=HEDGE_COLOR, alpha=0.15, linewidth=0)
        ax.text(0, len(self.order) - 0.2, "hedging", ha="center", fontsize=6, color="#555555")
        self.paths = LineCollection([], colors="#999999", linewidths=0.9)
        ax.add_collection(self.paths, autolim=False)
        self.start = ax.scatter(start[self.order], self.rows, marker="|", color="#555555", s=30)
        self.now = ax.scatter(start[self.order], self.rows, s=16, zorder=3, linewidths=0)
        ax.set_yticks(self.rows, [data.codes[i] for i in self.order], fontsize=6)
        ax.set_xlim(-1.05, 1.05)
        ax.set_ylim(-0.7, len(self.order) + 0.3)
        _title(ax, "Alignment: China (−1) ↔ US (+1)")
        handles = [
            Line2D([], [], linestyle="none", marker="|", color="#555555", label="month 0"),
            Line2D([], [], linestyle="none", marker="o", markersize=4, color="#555555",
                   label="now"),
        ]  # fmt: skip
        ax.legend(handles=handles, fontsize=6, loc="lower right", frameon=False, handlelength=1)

    def rounded(self, data: BoardData) -> np.ndarray:
        """Alignment now, rounded to what a pixel shows."""
        return np.round(data.alignment / ALIGNMENT_STEP) * ALIGNMENT_STEP

    def camps(self, data: BoardData) -> np.ndarray:
        """Each country's camp now: −1 China, 0 hedging, +1 US."""
        a = data.alignment
        return (a >= HEDGING_BAND).astype(int) - (a <= -HEDGING_BAND).astype(int)

    def key(self, data: BoardData) -> bytes:
        """Rounded positions and camps."""
        return digest(self.rounded(data), self.camps(data))

    def update(self, data: BoardData) -> None:
        """Move each country's dot, and the line from where it began."""
        order, rows = self.order, self.rows
        now, start = self.rounded(data)[order], data.alignment0[order]
        self.paths.set_segments(np.stack([np.c_[start, rows], np.c_[now, rows]], axis=1))
        self.now.set_offsets(np.c_[now, rows])
        colors = {1: US_COLOR, 0: HEDGE_COLOR, -1: CHINA_COLOR}
        self.now.set_facecolor([colors[c] for c in self.camps(data)[order]])

    def moving(self) -> list[Any]:
        """The lines, the month-0 ticks over them and the dots."""
        return [self.paths, self.start, self.now]


class NetworkChart(Chart):
    """The alliance network now: ties by type, width by commitment × credibility."""

    def build(self, fig: Figure, data: BoardData) -> None:
        """The schematic map: a node per country, coloured by alignment, and its code."""
        fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.01)
        ax = self.ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_autoscale_on(False)
        self.ties = LineCollection([], alpha=0.8)
        ax.add_collection(self.ties, autolim=False)
        self.placed = [i for i, code in enumerate(data.codes) if code in MAP_POSITIONS]
        xy = np.array([MAP_POSITIONS[data.codes[i]] for i in self.placed], dtype=float)
        node = {"s": 60, "zorder": 3, "edgecolors": "#333333", "linewidths": 0.5}
        self.nodes = ax.scatter(
            xy[:, 0], xy[:, 1], c=np.zeros(len(xy)), cmap=ALIGNMENT_CMAP, vmin=-1, vmax=1, **node
        )
        label = {"textcoords": "offset points", "ha": "center", "va": "top", "fontsize": 5.5}
        self.labels = [
            ax.annotate(data.codes[i], (x, y), xytext=(0, -6), **label)
            for i, (x, y) in zip(self.placed, xy, strict=True)
        ]
        self.kinds_shown: tuple[str, ...] | None = None
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        ax.set_xlim(x0 - 8, x1 + 8)
        ax.set_ylim(y0 - 5, y1 + 4)
        _title(ax, "Alliances (width: commitment × credibility)")

    def drawn_ties(self, data: BoardData) -> list[Tie]:
        """The ties between countries on the map, weights rounded to what a line shows."""
        return [
            (a, b, kind, round(weight / WEIGHT_STEP) * WEIGHT_STEP)
            for a, b, kind, weight in data.ties
            if a in MAP_POSITIONS and b in MAP_POSITIONS
        ]

    def shades(self, data: BoardData) -> np.ndarray:
        """Each placed country's alignment, rounded to the shade its node shows."""
        return np.round(data.alignment[self.placed] / SHADE_STEP) * SHADE_STEP

    def key(self, data: BoardData) -> bytes:
        """Rounded ties and shades."""
        return digest(self.drawn_ties(data), self.shades(data))

    def update(self, data: BoardData) -> None:
        """Draw the ties in force and colour each country by its alignment."""
        ties = self.drawn_ties(data)
        self.ties.set_segments([(MAP_POSITIONS[a], MAP_POSITIONS[b]) for a, b, _, _ in ties])
        self.ties.set_linestyle([TIE_STYLES[kind][0] for _, _, kind, _ in ties] or "solid")
        self.ties.set_color([TIE_STYLES[kind][1] for _, _, kind, _ in ties] or "none")
        self.ties.set_linewidth([0.5 + 3 * weight for _, _, _, weight in ties] or 1.0)
        self.nodes.set_array(self.shades(data))
        kinds = tuple(sorted({kind for _, _, kind, _ in ties}, key=list(TIE_STYLES).index))
        if kinds != self.kinds_shown:
            handles = [
                Line2D([], [], linestyle=TIE_STYLES[k][0], color=TIE_STYLES[k][1],
                       label=k.replace("_", " "))
                for k in kinds
            ]  # fmt: skip
            self.ax.legend(
                handles=handles, fontsize=6, loc="lower left", frameon=False, handlelength=2
            )
            self.kinds_shown = kinds

    def moving(self) -> list[Any]:
        """The ties and the nodes."""
        return [self.ties, self.nodes]

    def overlay(self) -> list[Any]:
        """The countries' codes and the legend."""
        return [*self.labels, *super().overlay()]

    def overlay_key(self) -> Any:
        """The kinds of tie in the legend."""
        return self.kinds_shown


class ArmsChart(Chart):
    """Military spending of the main actors, % change since month 0, with the actions."""

    def build(self, fig: Figure, data: BoardData) -> None:
        """A line per main actor in the scenario, the zero line and the marks."""
        fig.subplots_adjust(left=0.13, right=0.96, top=0.9, bottom=0.14)
        ax = self.ax = _axes(fig)
        ax.set_autoscale_on(False)
        self.actors = [data.codes.index(c) for c in ARMS_ACTORS if c in data.codes]
        self.lines = [
            ax.plot([], [], color=PALETTE[rank % 8], linewidth=1.2, label=data.codes[i])[0]
            for rank, i in enumerate(self.actors)
        ]
        self.marks = Marks(ax)
        self.corner = ""
        ax.axhline(0, color="#555555", linewidth=0.7)
        ax.set_xlim(0, data.horizon)
        _title(ax, "Arms spending, % change since month 0")
        ax.set_xlabel("month", fontsize=7)
        ax.xaxis.set_label_coords(0.5, -0.1)

    def key(self, data: BoardData) -> bytes:
        """Spending and the marks."""
        return digest(data.milex, data.marks)

    def update(self, data: BoardData) -> None:
        """Draw each actor's change in spending, on a scale that does not magnify noise."""
        change = 100.0 * (data.milex[:, self.actors] / data.milex[0, self.actors] - 1.0)
        months = np.arange(len(change))
        for line, column in zip(self.lines, change.T, strict=True):
            line.set_data(months, column)
        self.marks.update(data.marks)
        low, high = float(change.min()), float(change.max())
        pad = 0.05 * (high - low)
        self.ax.set_ylim(-nice_limit(max(pad - low, 1.0)), nice_limit(max(high + pad, 5.0)))
        corner = legend_corner(self.ax, self.lines)
        if corner != self.corner:
            self.ax.legend(handles=self.lines, **{**LEGEND, "loc": corner}, ncols=4)
            self.corner = corner

    def background_key(self) -> Any:
        """The spending scale."""
        return self.ax.get_ylim()

    def overlay_key(self) -> Any:
        """The legend's corner."""
        return self.corner

    def moving(self) -> list[Any]:
        """The marks and the lines."""
        return [*self.marks.shown(), *self.lines]


class BoardCharts:
    """The four live charts of one game, kept as matplotlib figures and updated in place.

    One instance may serve every browser viewing the game: it reads the game under the game's
    lock and draws under its own (never holding its own while waiting for the game's).

    Args:
        game: The game whose board is drawn.
        scale: Size of the pictures, 1 for :data:`CHART_SIZE` at :data:`DPI` (330 × 245 px);
            2 draws them twice as wide and high, text included, for a wider panel.
        styles: The dyads' line styles, shared by the game's charts at every scale so that a
            dyad has one colour on every screen at the table (a new set when None).

    Attributes:
        game: The game.
        scale: Size of the pictures.
        charts: The tension, alignment, network and arms charts.
        dyad_styles: The line style each dyad has been given.
        renders: How many times each chart has been rasterised.
        lock: Held while the charts are drawn.
    """

    def __init__(self, game: Game, scale: float = 1.0, styles: DyadStyles | None = None) -> None:
        self.game = game
        self.scale = scale
        self.dyad_styles = styles or DyadStyles()
        self.charts: tuple[Chart, ...] = (
            TensionChart(self.dyad_styles),
            AlignmentChart(),
            NetworkChart(),
            ArmsChart(),
        )
        for chart in self.charts:
            chart.dpi = DPI * scale
        self.renders = [0, 0, 0, 0]
        self.lock = threading.Lock()
        self._key: tuple[int, int, int] | None = None
        self._pngs: tuple[bytes, bytes, bytes, bytes] = (b"", b"", b"", b"")

    def pngs(self) -> tuple[bytes, bytes, bytes, bytes]:
        """(tension, alignment, network, arms) PNGs of the board now.

        Cached on ``(id(game.model), game.model.month, game.revision)``; when that changes, only
        the charts whose data changed are drawn again.
        """
        game = self.game
        with game.lock:
            key = (id(game.model), game.model.month, game.revision)
            data = None if key == self._key else board_data(game)
        with self.lock, PLOTTING:
            if data is None or key == self._key:
                return self._pngs
            if self._key is not None and data.revision < self._key[2]:
                return self._pngs  # another browser has drawn a later board meanwhile
            for n, chart in enumerate(self.charts):
                self.renders[n] += chart.draw(data)
            self._key = key
            self._pngs = tuple(chart.png for chart in self.charts)  # type: ignore[assignment]
            return self._pngs


# -------------------------------------------------------------------------------------------
# "What if" branches


class Branch(Protocol):
    """Outcomes of futures without and with a move, as the branch chart reads them."""

    @property
    def target(self) -> str:
        """The country whose alignment is compared."""

    @property
    def without(self) -> dict[str, np.ndarray]:
        """Outcome name → values over futures, without the move."""

    @property
    def with_inject(self) -> dict[str, np.ndarray]:
        """The same, with the move."""


def branch_figure(branch: Branch) -> Figure:
    """The two branches' final-month distributions, side by side, outcome by outcome."""
    fig = Figure(figsize=(6.8, 2.3))
    fig.subplots_adjust(left=0.06, right=0.99, top=0.88, bottom=0.17, wspace=0.35)
    panels = (
        ("regional_tension", "Regional tension"),
        ("us_credibility", "US credibility"),
        (f"alignment.{branch.target}", f"Alignment of {NAMES.get(branch.target, branch.target)}"),
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
    _title(ax, "Share of futures reaching")
    ax.legend(fontsize=6, frameon=False)
    return fig
