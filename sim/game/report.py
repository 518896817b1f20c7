"""The after-action report of a game as it was played: one printable, self-contained page.

:func:`session_report_html` reads a :class:`~sim.game.play.Game` (its board and its record,
through :func:`sim.game.findings.read_played`) and returns one HTML page, in the order a reader
needs it:

1. **Findings** (one printed page): the scenario and the seats, where play stopped, the
   question the game asks, the answer in words and three to five turning points
   (:mod:`sim.game.findings`);
2. **Outcomes** of this game: month 0, now, and the change in words, "about unchanged" below
   the thresholds of practical importance;
3. **Moves and injects**: every action, who made it, why, and the facilitator's ruling (an
   amendment with the move as submitted); the facilitator's notes;
4. **Plots**: tension with every accepted action and the month play stopped marked, alignment
   at month 0 and now, the change in military spending;
5. **Appendix**: the game month by month, told by the narrator of
   :mod:`sim.outputs.narrative` without routine gray-zone noise, at most
   :data:`~sim.outputs.narrative.STORY_LINES` lines, injects and moves marked by who made them.

The page speaks of one game ("in this game"), never of an ensemble. The CSS is inline (with
print rules for A4), plots are embedded PNGs and there is no script: the file renders offline
and prints on at most six A4 pages.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.core import records
from sim.core.metrics import HEDGING_BAND
from sim.game.findings import (
    LOOKAHEAD,
    POLES,
    PRACTICAL,
    Played,
    action_text,
    answer,
    cap,
    change_words,
    dyad_words,
    movers,
    number,
    peak,
    practically_changed,
    question,
    read_played,
    scenario_words,
    stop_words,
    threshold_note,
    turning_points,
    unscripted_words,
)
from sim.game.play import Game
from sim.game.record import Action
from sim.outputs.narrative import STORY_LINES, Line, story
from sim.outputs.report import template_environment
from sim.outputs.style import (
    ARMS_ACTORS,
    CHINA_COLOR,
    GREY,
    PALETTE,
    PLOTTING,
    STYLE,
    US_COLOR,
)
from sim.scenario.ladder import level_name, rung_words
from sim.scenario.moves import (
    MOVES,
    NAMES,
    Board,
    Move,
    MoveError,
    alliance_label,
    country_name,
    joined,
    move_entry,
    task_force_label,
)
from sim.scenario.schema import Scenario

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "session_report.html.j2"

#: Dyads drawn and tabled: the most tense when play stopped.
HOT_DYADS = 4
#: States whose alignment the outcome table shows: those that moved most.
MOVERS = 3


@dataclass(frozen=True)
class Mark:
    """How the plots mark the actions of one origin.

    Attributes:
        legend: The legend's words.
        color: Line and symbol colour.
        style: Line style of the vertical mark.
        marker: Symbol at the top of the axes (one row per origin, so that actions of the same
            month stay apart).
        row: Height of the symbol, as a share of the axes.
    """

    legend: str
    color: str
    style: object
    marker: str
    row: float


#: The marks of facilitator injects, inject cards and team moves.
MARKS = {
    "facilitator": Mark("facilitator inject", PALETTE[1], (0, (4, 2)), "v", 0.96),
    "deck": Mark("inject card", PALETTE[4], (0, (1, 1.5)), "D", 0.9),
    "team": Mark("team move", PALETTE[2], "solid", "^", 0.84),
}
#: The colour of the line where play stopped.
STOP_COLOR = "#000000"
#: Share of a time plot's height below the marks of the actions (drawn at its top).
MARKS_BELOW = 0.8
#: Colours of the hottest dyads' lines (none shared with the marks).
DYAD_COLORS = (PALETTE[3], PALETTE[0], PALETTE[5], "#555555")


# --------------------------------------------------------------------------------------------
# Outcomes


def _row(label: str, start: str, now: str, change: str, marked: bool, **notes: str) -> dict:
    return {"label": label, "start": start, "now": now, "change": change, "marked": marked} | {
        "start_note": notes.get("start_note", ""),
        "now_note": notes.get("now_note", ""),
    }


def _where(dyads: Sequence[int], played: Played) -> str:
    shown = joined([dyad_words(played.pairs[d]) for d in dyads[:2]])
    return shown + (f" and {len(dyads) - 2} more" if len(dyads) > 2 else "")


def spending_change(played: Played) -> dict[str, float]:
    """Percent change in military spending from month 0 to now, for the main actors."""
    change = {}
    for code in ARMS_ACTORS:
        if code in played.codes and played.milex0[i := played.codes.index(code)] > 0:
            change[code] = 100.0 * (played.milex[i] / played.milex0[i] - 1.0)
    return change


def outcome_rows(played: Played) -> list[dict]:
    """The outcome table, at most twelve rows: month 0, now, and the change in words."""
    delta = played.regional[-1] - played.regional[0]
    rows = [
        _row(
            "Regional tension",
            number(played.regional[0]),
            number(played.regional[-1]),
            change_words("tension", delta),
            practically_changed("tension", delta),
        )
    ]
    first, last = played.levels[0], played.levels[-1]
    top, month, at = peak(played)
    if top > first.max():
        peak_words = f"highest in play: {rung_words(level_name(top))} ({_where(at, played)}, "
        peak_words += f"month {month})"
    else:
        peak_words = "no rung above the one at the start"
    rows.append(
        _row(
            "Highest rung",
            rung_words(level_name(int(first.max()))),
            rung_words(level_name(int(last.max()))),
            peak_words,
            bool(top > first.max() or last.max() != first.max()),
            start_note=_where(np.nonzero(first == first.max())[0].tolist(), played),
            now_note=_where(np.nonzero(last == last.max())[0].tolist(), played),
        )
    )
    for d in np.argsort(-played.tension[-1], kind="stable")[:HOT_DYADS]:
        delta = played.tension[-1, d] - played.tension[0, d]
        rows.append(
            _row(
                f"Tension {dyad_words(played.pairs[d])}",
                number(played.tension[0, d]),
                number(played.tension[-1, d]),
                change_words("tension", delta),
                practically_changed("tension", delta),
            )
        )
    for label, kind, series, digits in (
        ("US credibility", "credibility", played.credibility, 2),
        (f"Hedging states (|alignment| < {HEDGING_BAND:g})", "hedgers", played.hedgers, 0),
    ):
        delta = series[-1] - series[0]
        rows.append(
            _row(
                label,
                number(series[0], digits),
                number(series[-1], digits),
                change_words(kind, delta),
                practically_changed(kind, delta),
            )
        )
    change = played.alignment - played.alignment0
    for i in movers(played)[:MOVERS]:
        rows.append(
            _row(
                f"Alignment of {NAMES.get(played.codes[i], played.codes[i])}",
                number(played.alignment0[i]),
                number(played.alignment[i]),
                change_words("alignment", change[i]),
                practically_changed("alignment", change[i]),
            )
        )
    spending = spending_change(played)
    if spending:
        code = max(spending, key=lambda c: abs(spending[c]))
        i = played.codes.index(code)
        rows.append(
            _row(
                f"Military spending of {NAMES.get(code, code)}, US$ bn a year (the largest change)",
                f"{played.milex0[i]:,.1f}",
                f"{played.milex[i]:,.1f}",
                change_words("spending", spending[code]),
                practically_changed("spending", spending[code]),
            )
        )
    return rows


# --------------------------------------------------------------------------------------------
# Moves and injects


def _value_words(kind: str, name: str, value: object, definition: Scenario) -> str:
    spec = MOVES[kind].field(name)
    if spec.kind == "country":
        return NAMES.get(str(value), str(value))
    if spec.kind == "countries":
        return joined([NAMES.get(str(c), str(c)) for c in value or []])
    if spec.kind == "alliance":
        return alliance_label(str(value), definition)
    if spec.kind in ("rung", "type"):
        return str(value).replace("_", " ")
    if spec.kind == "months":
        return f"{value} months" if value else "to the end"
    return f"{value:g}" if isinstance(value, float) else str(value)


def original_words(action: Action, played: Played) -> str:
    """The move as the team submitted it, before the facilitator amended it."""
    if action.original is None:
        return ""
    try:
        board = Board(played.definition, action.month, {}, replaying=True)
        return move_entry(Move.from_data(action.original), board).summary
    except (MoveError, KeyError, TypeError, ValueError):
        pass  # not a move on the board as it stands now: say what differed instead
    kind = str(action.original.get("kind", ""))
    if kind not in MOVES:
        return "a different move"
    fields = {f.name for f in MOVES[kind].fields}
    changed = [
        f"{MOVES[kind].field(name).label} {_value_words(kind, name, value, played.definition)}"
        for name, value in action.original.items()
        if name in fields and action.move.get(name) != value
    ]
    return "; ".join(changed) or "the same move"


def who(action: Action) -> str:
    """Who made an action: "Facilitator", "Inject card" or "Blue team"."""
    if action.origin == "team":
        return f"{action.seat} team"
    return "Facilitator" if action.origin == "facilitator" else "Inject card"


def ruling(action: Action, played: Played) -> tuple[str, str, str]:
    """An action's fate: its verdict, its style and the facilitator's words (or the original)."""
    words = action.ruling.strip()
    if action.status == "rejected":
        return "Rejected", "rejected", words or "no reason given"
    if action.status == "pending":
        return "Awaiting a ruling", "pending", ""
    if action.original is not None:
        submitted = f"Submitted as: {original_words(action, played)}"
        return "Amended", "amended", f"{words.rstrip('.')}. {submitted}" if words else submitted
    if action.origin == "team":
        return "Accepted", "accepted", words
    return "Injected", "accepted", ""


def action_rows(played: Played, seat: str | None = None) -> list[dict[str, str]]:
    """Every inject, card and move: month, who, what, why and the ruling.

    Args:
        played: The game as played.
        seat: The team reading it (None: the facilitator, who reads everything). A team reads
            its own moves in full, and the others' only once played, without their reasons
            or the rulings' words, as its turn log shows them (:func:`sim.game.log.turn_log`).
    """
    rows = []
    for action in sorted(played.actions, key=lambda a: (a.month, a.id)):  # as submitted
        own = seat is None or (action.origin == "team" and action.seat == seat)
        if not own and (action.status != "accepted" or action.month + 1 > played.month):
            continue  # another player's move that has not happened: unknown to this team
        verdict, status, detail = ruling(action, played)
        kind = MOVES.get(str(action.move.get("kind", "")))
        rows.append(
            {
                "month": str(action.month),
                "who": who(action),
                "origin": action.origin,
                "what": action.summary or (kind.label if kind else "a move"),
                "why": action.rationale.strip() if own else "",
                "verdict": verdict,
                "status": status,
                "detail": detail if own else "",
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# Plots


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=170)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _mark_time(ax, played: Played, accepted: Sequence[Action]) -> None:
    """Accepted actions as vertical marks (a symbol each at the top), and where play stopped."""
    top = ax.get_xaxis_transform()
    for action in accepted:
        mark = MARKS[action.origin]
        ax.axvline(action.month, color=mark.color, linestyle=mark.style, lw=0.9, alpha=0.8)
        ax.plot([action.month], [mark.row], mark.marker, color=mark.color, ms=4, transform=top)
    if not played.finished:
        ax.axvspan(played.month, played.horizon, color=GREY, alpha=0.14, linewidth=0)
    ax.axvline(played.month, color=STOP_COLOR, linewidth=1.6)
    ax.set_xlim(0, played.horizon)


def _room_for_marks(values: np.ndarray) -> tuple[float, float]:
    """Limits that show at least 0.06 of tension and keep the top of the axes for the marks."""
    low, high = float(values.min()), float(values.max())
    middle, half = (low + high) / 2, max((high - low) / 2, 0.03) * 1.1
    low, high = max(0.0, middle - half), middle + half
    return low, low + (high - low) / MARKS_BELOW


def draw_tension(played: Played) -> Figure:
    """Regional tension and the hottest dyads, month by month, the actions and the stop marked."""
    months = np.arange(played.month + 1)
    accepted = played.accepted
    with plt.rc_context({**STYLE, "font.size": 7.5}):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.2, 2.5))
        ax1.plot(months, played.regional, color=PALETTE[0], linewidth=1.8)
        ax1.set(ylim=_room_for_marks(played.regional), xlabel="month")
        ax1.set_title("Regional tension (0 calm … 1 maximal)", fontsize=8)
        _mark_time(ax1, played, accepted)
        for rank, d in enumerate(np.argsort(-played.tension[-1], kind="stable")[:HOT_DYADS]):
            ax2.plot(
                months,
                played.tension[:, d],
                color=DYAD_COLORS[rank],
                linestyle="dashed" if rank == 3 else "solid",
                linewidth=1.4,
                label=dyad_words(played.pairs[d]),
            )
        ax2.set(ylim=(0, 1 / MARKS_BELOW), xlabel="month", yticks=np.linspace(0, 1, 6))
        ax2.set_title(f"Tension of the {HOT_DYADS} most tense pairs now", fontsize=8)
        _mark_time(ax2, played, accepted)
        ax2.legend(loc="lower left", frameon=False, fontsize=6.5, ncols=2)
        shown = [m for o, m in MARKS.items() if any(a.origin == o for a in accepted)]
        handles = [
            Line2D([], [], color=m.color, linestyle=m.style, marker=m.marker, ms=4, label=m.legend)
            for m in shown
        ]
        handles.append(Line2D([], [], color=STOP_COLOR, linewidth=1.6, label="play stopped"))
        if not played.finished:
            handles.append(Patch(color=GREY, alpha=0.3, label="not played"))
        fig.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False)
        fig.tight_layout(rect=(0, 0.08, 1, 1))
        return fig


def _plots(played: Played) -> dict[str, str]:
    """The report's figures, drawn while no other thread draws (:data:`PLOTTING`)."""
    with PLOTTING:
        return {
            "tension_plot": tension_figure(played) if played.month >= 1 else "",
            "alignment_plot": alignment_figure(played),
        }


def tension_figure(played: Played) -> str:
    """:func:`draw_tension` as a PNG data URI."""
    return _png(draw_tension(played))


def alignment_figure(played: Played) -> str:
    """Alignment at month 0 and now, and the change in military spending, as a PNG data URI."""
    rows = [int(i) for i in np.argsort(played.alignment) if played.codes[i] not in POLES]
    spending = spending_change(played)
    with plt.rc_context({**STYLE, "font.size": 7.5}):
        fig, (ax1, ax2) = plt.subplots(
            1, 2, figsize=(7.2, 2.9), gridspec_kw={"width_ratios": [1.35, 1]}
        )
        ax1.axvspan(-HEDGING_BAND, HEDGING_BAND, color=GREY, alpha=0.15, linewidth=0)
        for y, i in enumerate(rows):
            start, end = played.alignment0[i], played.alignment[i]
            if practically_changed("alignment", end - start):
                ax1.annotate(
                    "", xy=(end, y), xytext=(start, y),
                    arrowprops={"arrowstyle": "->", "color": "#222222", "lw": 1.1},
                )  # fmt: skip
            ax1.plot([start], [y], "s", color="#999999", ms=3.2)
            ax1.plot([end], [y], "o", color=US_COLOR if end >= 0 else CHINA_COLOR, ms=3.6)
        ax1.set_yticks(range(len(rows)), [NAMES.get(played.codes[i], "") for i in rows])
        ax1.tick_params(axis="y", labelsize=6.3)
        ax1.set(xlim=(-1.05, 1.05), xlabel="−1 with China … +1 with the US")
        ax1.set_title(f"Alignment: month 0 (square) and month {played.month} (dot)", fontsize=8)
        codes = list(spending)
        values = [spending[c] for c in codes]
        ax2.axvspan(-PRACTICAL["spending"], PRACTICAL["spending"], color=GREY, alpha=0.15, lw=0)
        ax2.barh(range(len(codes)), values, color=PALETTE[0], height=0.6)
        ax2.set_yticks(range(len(codes)), [NAMES.get(c, c) for c in codes])
        ax2.tick_params(axis="y", labelsize=6.3)
        ax2.invert_yaxis()
        ax2.axvline(0, color="#000000", linewidth=0.7)
        ax2.set(xlabel=f"% change, month 0 to month {played.month}")
        ax2.set_title("Military spending", fontsize=8)
        fig.tight_layout()
        return _png(fig)


# --------------------------------------------------------------------------------------------
# The narrative


_CODE = re.compile(r"\b(" + "|".join(sorted(NAMES, key=len, reverse=True)) + r")\b")

#: Kinds of story line, most routine first: dropped, in this order, from a story still too long.
ROUTINE = ("incident", "deescalation", "alliance", "escalation")


def named(text: str) -> str:
    """A narrator's line with country codes as names (``CHN–PHL`` → ``China–Philippines``)."""
    return _CODE.sub(lambda m: NAMES[m.group(1)], text)


def _alliance_words(played: Played, record: records.Record) -> str:
    key = getattr(record, "alliance", "")
    task_force = task_force_label(key, played.definition)  # stood up by an event or a move
    if task_force is not None:
        return task_force  # listed with other alliances, each without an article
    if key.endswith(".policy"):
        return "task force " + key.removesuffix(".policy").replace("_", " ")
    # the label without its note in brackets: a story line names, it does not cite
    return alliance_label(key, played.definition, note=False)


def _scripted(record: records.Record, played: Played) -> str:
    note = getattr(record, "note", "")
    if note:
        return f"Scripted: {note}"
    if isinstance(record, records.IncidentInjected):
        return f"Scripted: {dyad_words(record.pair)} incident at the {rung_words(record.rung)} rung"
    if isinstance(record, records.JoinedAlliance | records.LeftAlliance):
        verb = "joins" if isinstance(record, records.JoinedAlliance) else "leaves"
        label = alliance_label(record.alliance, played.definition)
        return f"Scripted: {cap(country_name(record.country))} {verb} {label}"
    return "Scripted: " + getattr(record, "event", "event").replace("_", " ")


def narrative(played: Played, limit: int = STORY_LINES) -> dict[str, object]:
    """The game month by month, in at most ``limit`` lines, with injects and moves marked.

    The narrator's story (:func:`sim.outputs.narrative.story`) always without routine
    gray-zone noise (incidents that never escalated, de-escalations to calm), alliances by
    their labels; every inject, card and move at the month it was made, by whom, and the
    scenario's own scripted events, marked as such, at the month they are scripted for, each
    after what the model did up to that month. A story still longer than ``limit`` loses
    the most routine kinds of line (:data:`ROUTINE`), latest first, and says how many.

    Returns:
        ``lines`` (dicts: month, whether it is the month's first line, text, css) and
        ``omitted`` (a sentence, or '').
    """
    log, own = [], []
    for record in played.events:
        if isinstance(record, records.AllianceResponded | records.AllianceFailed):
            record = dataclasses.replace(record, label=_alliance_words(played, record))
        elif record.type.startswith("inject:") and record.event not in played.entries:
            # at the month it is scripted for, with the moves made then, as the turn log
            own.append(Line(record.month, _scripted(record, played), "scripted", 4))
        log.append(record)
    for action in played.accepted:
        css = {"facilitator": "inject", "deck": "card", "team": "move"}[action.origin]
        own.append(Line(action.month, action_text(action), css, 4))
    credibility = dict(enumerate(played.credibility.tolist()))
    told = story(log, 0, credibility=credibility, limit=0)
    lines = [line for line in told["lines"] if line.css != "inject"] + own
    omitted = [str(told["omitted"])] if told["omitted"] else []
    dropped = 0
    for css in ROUTINE:
        excess = len(lines) - limit
        if excess <= 0:
            break
        spare = [k for k, line in enumerate(lines) if line.css == css][-excess:]
        dropped += len(spare)
        lines = [line for k, line in enumerate(lines) if k not in set(spare)]
    if dropped:
        omitted.append(f"{dropped} more routine lines were left out to keep it short.")
    lines.sort(key=lambda line: (line.step, line.order))
    return {
        "lines": [
            {
                "month": line.step,
                "first": k == 0 or lines[k - 1].step != line.step,
                "text": cap(named(line.text)),
                "css": line.css,
            }
            for k, line in enumerate(lines)
        ],
        "omitted": " ".join(omitted),
    }


# --------------------------------------------------------------------------------------------
# The page


def _environment() -> jinja2.Environment:
    return template_environment(TEMPLATE_DIR)


def session_report_html(game: Game, seat: str | None = None) -> str:
    """The after-action report of a game as played so far, as one self-contained HTML page.

    Args:
        game: A game, at any month (play may have stopped before its horizon).
        seat: The team it is for (None: the facilitator's full report). A team's copy keeps
            the other teams' reasons, the rulings' words on their moves, their moves not played
            and the facilitator's notes to itself out (:func:`action_rows`).

    Returns:
        The HTML text: inline CSS, embedded plots, no script, printable on A4.
    """
    played = read_played(game)
    counts = {o: sum(a.origin == o for a in played.accepted) for o in MARKS}
    seats = [
        {"team": s.name, "states": joined([NAMES.get(c, c) for c in s.countries])}
        for s in game.record.seats
    ]
    title = cap(game.record.title or game.base.name.replace("_", " "))
    context = {
        "title": title if seat is None else f"{title}: the {seat} team's copy",
        "created": game.record.created[:10],
        "stop": stop_words(played),
        "finished": played.finished,
        "month": played.month,
        "horizon": played.horizon,
        "scenario": scenario_words(game),
        "seats": seats,
        "unscripted": unscripted_words(played, game.record.unscripted),
        "question": question(game).text,
        "answer": answer(game, played),
        "turning_points": turning_points(played),
        "lookahead": LOOKAHEAD,
        "outcomes": outcome_rows(played),
        "threshold_note": threshold_note(),
        "actions": action_rows(played, seat),
        "counts": counts,
        "notes": [] if seat is not None else sorted(game.record.notes, key=lambda n: n.month),
        **_plots(played),
        "story": narrative(played),
    }
    return _environment().get_template(TEMPLATE_NAME).render(**context)
