"""Text views of a game: the status line, the turn log as HTML, the game's numbers as CSV."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from sim.core import metrics
from sim.game.log import ESCALATION, INJECT, MINOR, turn_log
from sim.game.play import Game
from sim.scenario.ladder import rung_words
from sim.scenario.moves import NAMES

#: The turn log's CSS class of each kind of line.
LOG_CLASSES = {INJECT: "entry inject", ESCALATION: "entry escalation", MINOR: "entry minor"}


def turn_log_html(game: Game, seat: str | None = None) -> str:
    """The turn log as HTML, newest month first; moves and scripted events at their month.

    A month tells what the model did up to it, then what was put on the board at it (moves,
    injects, cards, scripted events: :func:`sim.game.log.turn_log`); this turn's moves, which
    act from the next month, are marked so.

    Args:
        game: The game.
        seat: The team reading it (None: the facilitator); see :func:`sim.game.log.turn_log`.
    """
    months = turn_log_months(game, seat)
    if not months:
        return EMPTY_LOG
    return "".join(text for _, text in months)


#: The turn log before the first month.
EMPTY_LOG = '<div class="entry minor">Nothing yet: advance a turn to play.</div>'


def turn_log_months(game: Game, seat: str | None = None) -> list[tuple[str, str]]:
    """The turn log as ``(key, HTML)`` per month, newest first (:func:`turn_log_html`).

    The console draws each month as its own element keyed by ``key``, so a new month sends the
    browser that month, not the whole log again; a month's key changes when its heading does.
    """
    months = []
    for turn in turn_log(game, seat=seat):
        heading = f"Month {turn.month}" + (" (this turn: acts next month)" if turn.upcoming else "")
        parts = [f'<div class="month">{html.escape(heading)}</div>']
        parts += [
            f'<div class="{LOG_CLASSES.get(line.kind, "entry")}">{html.escape(line.text)}</div>'
            for line in turn.lines
        ]
        months.append((f"{turn.month}{'u' if turn.upcoming else ''}", "".join(parts)))
    return months


def _short(code: str) -> str:
    return NAMES.get(code, code)


def status_items(game: Game) -> list[tuple[str, str]]:
    """The status line: (label, value) pairs."""
    with game.lock:
        model = game.model
        world, state = model.world, model.state
        levels = state.level[0, world.dyad_i, world.dyad_j]
        tension = state.tension[0, world.dyad_i, world.dyad_j]
        values = {name: model.metric(name) for name in metrics.MODEL_METRICS}
        month, horizon = model.month, world.horizon
        pending = len(game.pending())
    d = int(np.argmax(tension))  # the tensest pair, and its rung
    pair = f"{_short(world.codes[world.dyad_i[d]])}–{_short(world.codes[world.dyad_j[d]])}"
    active = int((levels > 0).sum())
    rung = rung_words(int(levels[d])) if levels[d] > 0 else "no incident"
    more = f"; {active} incidents in all" if active > 1 else ""
    hottest = f"{pair} {tension[d]:.2f}, {rung}{more}"
    items = [
        ("Month", f"{month} of {horizon}"),
        ("Regional tension", f"{values['regional_tension']:.3f}"),
        ("Tensest pair", hottest),
        ("US credibility", f"{values['us_credibility']:.2f}"),
        ("Hedgers", f"{values['hedgers']:.0f}"),
    ]
    if pending:
        items.append(("Moves awaiting a ruling", str(pending)))
    return items


def session_table(game: Game) -> pd.DataFrame:
    """The game's model metrics so far, one row per month (as a run's ``model.csv``)."""
    with game.lock:
        columns = {
            name: list(values) for name, values in game.model.datacollector.model_vars.items()
        }
    frame = pd.DataFrame(columns)
    frame.insert(0, "step", np.arange(len(frame)))
    return frame[["step", *metrics.MODEL_METRICS]]


def session_csv(game: Game) -> str:
    """:func:`session_table` as CSV text (full precision)."""
    return session_table(game).to_csv(index=False, float_format="%.17g")
