"""Safe clicks: action buttons that act once per view of the game, and the connection watch.

A console is used at a table, by people who double-click and on networks that drop. Two rules
keep a click from changing the game by accident or being lost in silence:

* **One press per view** (:func:`ActionButton`). The button turns itself off in the browser the
  moment it is clicked and stays off until the server has answered and :data:`COOLDOWN_MS`
  more, so the second click of a double click finds it off; and the press carries the game's
  revision that the page showed, which the handler passes on as ``expect=`` (the game refuses
  an action asked for on an older view, :meth:`sim.game.play.Game.check`). A slow second
  click on a page that has redrawn is a new decision on a new view, and acts.
* **No silent loss** (:func:`ConnectionWatch`). The server sends a beat every
  :data:`BEAT_SECONDS`; a page that has heard none for :data:`TIMEOUT_MS` shows a banner
  saying so and turns every action button off until the beats return. A click during an
  outage is refused where the user sees it, not sent into a dead socket.

The browser side of both is in ``action_button.vue`` and ``connection.vue`` beside this module.
"""

# ruff: noqa: N802  (Solara components are named like classes, as in Solara and Mesa)

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import solara

from sim.ui.widgets import use_guard

#: How long an action button stays off after the server's answer, ms (a double click's
#: second click comes within about half a second of the first).
COOLDOWN_MS = 500
#: How often the server tells each page it is there, seconds.
BEAT_SECONDS = 1.0
#: Silence after which a page says the server is gone, ms: several missed beats, so that a
#: server busy for a moment (a "what if?" of many futures) is not taken for a dead one.
TIMEOUT_MS = 6_000


@solara.component_vue("action_button.vue")
def _ActionButton(
    label: str,
    revision: int,
    answered: int,
    blocked: bool,
    color: str,
    outlined: bool,
    flat: bool,
    cooldown_ms: int,
    event_press: Callable[[Any], None],
) -> None:
    """The browser side of :func:`ActionButton` (``action_button.vue``)."""


class OwnChanges:
    """The changes of the game one page made itself: each revision it moved the game from, to.

    A page is told of its own action by a redraw whose parts may reach the browser one after
    another, so a quick next click on another button can still carry the revision from before
    that action. Such a press is on a view that is old only by the page's own changes, which its
    user has seen made: it is taken as on the present view (:meth:`present`). A change by
    anyone else in between (a second tab, another browser) still makes it stale.
    """

    def __init__(self) -> None:
        self.moves: dict[int, int] = {}

    def present(self, seen: int, now: int) -> int:
        """``now`` if the page's own changes lead from ``seen`` to it, else ``seen``."""
        at, steps = seen, 0
        while at != now and at in self.moves and steps <= len(self.moves):
            at, steps = self.moves[at], steps + 1
        return now if at == now else seen

    def made(self, before: int, after: int) -> None:
        """Note that this page moved the game from ``before`` to ``after``."""
        if after != before:
            self.moves[before] = after


#: The page's :class:`OwnChanges` (provided by the page; absent, presses are taken as sent).
OWN_CHANGES = solara.create_context(None)


def seen_revision(data: Any) -> int | None:
    """The revision a press says its page showed, or None when it says none a game could have."""
    if isinstance(data, bool) or not isinstance(data, int | float) or data != int(data):
        return None
    return int(data) if data >= 0 else None


@solara.component
def ActionButton(
    label: str,
    on_press: Callable[[int], None],
    revision: int,
    *,
    disabled: bool = False,
    color: str = "",
    outlined: bool = False,
    text: bool = False,
    now: Callable[[], int] | None = None,
) -> None:
    """A button that acts once per view of the game (see the module's docstring).

    Args:
        label: What the button says.
        on_press: Called with the revision the page showed when clicked; pass it on as
            ``expect=`` to the game's action, which refuses it if the game has changed since.
            Errors are handled as every click's are (:func:`sim.ui.widgets.use_guard`).
        revision: The game's revision this page shows.
        disabled: Off regardless (e.g. a form with a problem, a finished game).
        now: The game's revision now, to take a press made on a view old only by this page's
            own changes as made on the present one (:class:`OwnChanges`); None: as sent.
        color: Vuetify colour (``primary``, ``error``) or empty.
        outlined: An outlined button.
        text: A text button.
    """
    answered = solara.use_reactive(0)
    guard = use_guard()
    own: OwnChanges | None = solara.use_context(OWN_CHANGES)

    def press(data: Any) -> None:
        try:
            seen = seen_revision(data)
            if seen is None:  # a press that names no revision is refused as from an old view
                guard(on_press)(-1)
                return
            before = seen if now is None else now()
            if own is not None and now is not None:
                seen = own.present(seen, before)
            guard(on_press)(seen)
            if own is not None and now is not None:
                own.made(before, now())
        finally:
            answered.set(answered.value + 1)

    _ActionButton(
        label=label,
        revision=revision,
        answered=answered.value,
        blocked=disabled,
        color=color,
        outlined=outlined,
        flat=text,
        cooldown_ms=COOLDOWN_MS,
        event_press=press,
    )


@solara.component_vue("connection.vue")
def _ConnectionWatch(beat: int, timeout_ms: int) -> None:
    """The browser side of :func:`ConnectionWatch` (``connection.vue``)."""


@solara.component
def ConnectionWatch() -> None:
    """The server's beat, and the page's banner when it stops (see the module's docstring)."""
    beat, set_beat = solara.use_state(0)

    def send(cancel: threading.Event) -> None:
        count = 0
        while not cancel.wait(BEAT_SECONDS):
            count += 1
            set_beat(count)

    solara.use_thread(send, dependencies=[])
    _ConnectionWatch(beat=beat, timeout_ms=TIMEOUT_MS)
