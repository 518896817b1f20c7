"""Small pieces of the console: messages, downloads, the status line, the board, the log.

Every component that shows the game takes its ``revision`` (:attr:`sim.game.play.Game.revision`)
so that it redraws when the game changes, in this browser or another (:func:`use_revision`).

No traceback reaches a browser: every click handler goes through :func:`use_guard`, which logs
an unforeseen error with its traceback on the server and puts one plain line on the page
(:data:`UNEXPECTED`); the page itself catches what fails while drawing (:mod:`sim.ui.app`).
"""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import base64
import functools
import html
import logging
import threading
from collections.abc import Callable
from typing import Any

import solara

from sim.game.play import Game
from sim.game.record import Action
from sim.game.report import session_report_html
from sim.ui.charts import scale_for
from sim.ui.shared import charts_of
from sim.ui.views import EMPTY_LOG, status_items, turn_log_months

#: Narrowest a live chart is drawn two a row, pixels (text below it would shrink under 9 px).
MIN_CHART_WIDTH = 380
#: Width assumed for the charts' panel until the browser reports it (1366 px screens).
FIRST_WIDTH = 560
#: Gap between the charts, pixels (as ``.geosim-charts`` in the page's style).
GRID_GAP = 4
#: How often a browser looks for changes made elsewhere, seconds.
POLL_SECONDS = 0.3
#: What a browser is told of an error nobody foresaw (the server's log has the traceback).
UNEXPECTED = (
    "Something went wrong on the server (its log has the details); nothing more was done. "
    "Reload the page to go on."
)
#: The page's line for an unforeseen error, which :func:`use_guard` sets (provided by the page).
TROUBLE = solara.create_context(None)

log = logging.getLogger(__name__)


def use_guard() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A wrapper for click handlers: an unforeseen error is logged, and said in one plain line.

    The error and its traceback go to the server's log; the page shows :data:`UNEXPECTED`
    (through the :data:`TROUBLE` the page provides), never the traceback.
    """
    trouble = solara.use_context(TROUBLE)

    def guard(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except Exception:
                log.exception("the console failed in %s", handler.__qualname__)
                if trouble is not None:
                    trouble.set(UNEXPECTED)
                return None

        return guarded

    return guard


def use_message(game: Game) -> tuple[tuple[str, str], Callable[[str, str], None]]:
    """A panel's message, forgotten as soon as the game changes again (never stale).

    Returns:
        ``(kind, text)`` to show now, and a setter ``say(kind, text)``.
    """
    state = solara.use_reactive((-1, "", ""))

    def say(kind: str, text: str) -> None:
        state.set((game.revision, kind, text))

    revision, kind, text = state.value
    return ((kind, text) if revision == game.revision else ("", "")), say


@solara.component
def Message(kind: str, text: str) -> None:
    """A coloured one-line message (``kind``: success, warning or error)."""
    solara.HTML(unsafe_innerHTML=html.escape(text), classes=["geosim-message", kind])


@solara.component
def DownloadLink(label: str, filename: str, data: str | bytes, mime_type: str) -> None:
    """A download button: a link carrying its file as a ``data:`` URL."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    href = f"data:{mime_type};base64,{base64.b64encode(raw).decode('ascii')}"
    solara.HTML(
        tag="a",
        unsafe_innerHTML=html.escape(label),
        attributes={"href": href, "download": filename, "title": f"Download {filename}"},
        classes=["geosim-download"],
    )


def use_revision(game: Game) -> int:
    """The game's revision, re-rendering the component when another browser changes it.

    A thread polls the game every :data:`POLL_SECONDS`; a change this browser made itself is
    already drawn (the render notes the revision it drew), so only other browsers' changes
    cause a redraw.
    """
    revision, set_revision = solara.use_state(game.revision)
    drawn = solara.use_ref(game.revision)
    drawn.current = max(drawn.current, game.revision)

    def poll(cancel: threading.Event) -> None:
        while not cancel.wait(POLL_SECONDS):
            now = game.revision
            if now != drawn.current:
                drawn.current = now
                set_revision(now)

    solara.use_thread(poll, dependencies=[game.id])
    return max(revision, game.revision)


@solara.component
def StatusBar(game: Game, revision: int) -> None:
    """Key numbers of the current month."""
    cells = "".join(
        f'<div class="item"><span class="label">{html.escape(label)}</span>'
        f'<span class="value">{html.escape(value)}</span></div>'
        for label, value in status_items(game)
    )
    solara.HTML(unsafe_innerHTML=cells, classes=["geosim-status"])


@solara.component_vue("width_watch.vue")
def _WidthWatch(width: int, on_width: Callable[[int], None]) -> None:
    """The browser side of :func:`Charts`'s sizing (``width_watch.vue``)."""


def chart_layout(width: float) -> tuple[int, float]:
    """Charts per row and their scale for a panel ``width`` pixels wide.

    Two a row where each gets at least :data:`MIN_CHART_WIDTH` pixels, else one; drawn at the
    scale nearest the width each gets (:func:`~sim.ui.charts.scale_for`), so that text shows
    at its size in points rather than shrunk with the picture.
    """
    per_row = 2 if width >= 2 * MIN_CHART_WIDTH else 1
    return per_row, scale_for((width - GRID_GAP * (per_row - 1)) / per_row)


@solara.component
def Charts(game: Game, revision: int, width: int = 0) -> None:
    """The four live charts, drawn for the panel they fill (two a row if it is wide enough).

    The panel reports its width from the browser (``width_watch.vue``); ``width`` is the one
    assumed before it does (0: :data:`FIRST_WIDTH`).
    """
    seen = solara.use_reactive(width or FIRST_WIDTH)
    per_row, scale = chart_layout(seen.value)
    images = charts_of(game, scale).pngs()
    _WidthWatch(width=seen.value, on_width=seen.set)
    with solara.Div(
        classes=["geosim-charts"],
        style=f"grid-template-columns: repeat({per_row}, minmax(0, 1fr))",
    ):
        for image in images:
            solara.Image(image, width="100%")


@solara.component
def TurnLog(game: Game, revision: int, seat: str | None = None) -> None:
    """The turn log (newest month first), scrolling; a team sees its own view of it."""
    months = solara.use_memo(lambda: turn_log_months(game, seat), [game.id, revision, seat])
    # One element a month, keyed: a new month sends the browser that month only.
    with (
        solara.Card("Turn log", margin=0, classes=["geosim-card"]),
        solara.Div(classes=["geosim-log"]),
    ):
        for key, text in months or [("empty", EMPTY_LOG)]:
            solara.HTML(unsafe_innerHTML=text, classes=["geosim-log-month"]).key(key)


@solara.component
def ReportLink(
    game: Game, revision: int, label: str = "After-action report", seat: str | None = None
) -> None:
    """The after-action report: prepared on request, then downloaded; a team gets its copy."""
    report = solara.use_reactive(None)  # (revision, html) of the last report made
    error = solara.use_reactive("")
    guard = use_guard()

    def make() -> None:
        try:
            report.set((revision, session_report_html(game, seat)))
            error.set("")
        except Exception:  # a failed report must not end the game: say so, log the details
            log.exception("the report of game %s failed", game.id)
            error.set("Could not make the report (the server's log has the details).")

    team = "" if seat is None else "_" + "".join(c for c in seat.lower() if c.isalnum())
    name = f"{game.export_name()}{team}_report.html"
    if report.value is not None and report.value[0] == revision:
        DownloadLink(f"{label} (month {game.month})", name, report.value[1], "text/html")
    else:
        solara.Button(f"Prepare the {label.lower()}", on_click=guard(make), outlined=True)
    if error.value:
        Message("error", error.value)


@solara.component
def EndBanner(game: Game, revision: int, seat: str | None = None) -> None:
    """Shown once the game has reached its last month (a team's page offers its copy)."""
    if not game.finished:
        return
    with solara.Div(classes=["geosim-banner"]):
        solara.HTML(
            unsafe_innerHTML=html.escape(
                f"The game has ended: month {game.month} of {game.horizon}."
            )
        )
        ReportLink(game, revision, seat=seat)


def ruling_words(action: Action) -> str:
    """The facilitator's ruling on a move, in words (HTML-escaped)."""
    word = {"accepted": "amended" if action.original else "accepted"}.get(
        action.status, action.status
    )
    return html.escape(word + (f": {action.ruling}" if action.ruling else ""))


@solara.component
def Tabs(labels: tuple[str, ...], tab: solara.Reactive[int]) -> None:
    """Vuetify tabs (solara.lab.Tabs needs Vuetify 2)."""
    with solara.v.Tabs(v_model=tab.value, on_v_model=tab.set, density="compact"):
        for label in labels:
            solara.v.Tab(children=[label])
