"""Finding things on a console rendered in-process (``solara.render``), for the UI tests."""

from __future__ import annotations

import html

import ipyvuetify as v
import solara

from sim.game.play import Game
from sim.game.record import Seat

#: The seats of the test games.
SEATS = [Seat(name="Blue", countries=["USA", "JPN", "PHL"]), Seat(name="Red", countries=["CHN"])]


def new_game(folder) -> Game:
    """A game of the South China Sea crisis with a Blue and a Red team."""
    return Game.create("scs_crisis", folder / "sessions", seats=SEATS)


class Pressed:
    """An action button (:func:`sim.ui.actions.ActionButton`) as a test presses it.

    A press sends the revision its page shows, as the browser's does.
    """

    def __init__(self, widget) -> None:
        self.widget = widget

    @property
    def disabled(self) -> bool:
        return bool(self.widget.blocked)

    def click(self) -> None:
        self.widget.vue_press(self.widget.revision)


def button(rc, label: str):
    """The button with this text: a plain one, or an action button (:class:`Pressed`)."""
    actions = [w for w in rc.find(v.VuetifyTemplate).widgets if _is_action(w, label)]
    if actions:
        assert len(actions) == 1, f"{len(actions)} action buttons {label!r}"
        return Pressed(actions[0])
    return rc.find(v.Btn, children=[label]).widget


def _is_action(widget, label: str) -> bool:
    return getattr(widget, "label", None) == label and hasattr(widget, "vue_press")


def field(rc, label: str):
    """The text field (or text area) whose label starts with ``label``."""
    boxes = rc.find(v.TextField).widgets + rc.find(v.Textarea).widgets
    found = [w for w in boxes if str(w.label).startswith(label)]
    assert found, f"no field {label!r}"
    return found[0]


def select(rc, label: str):
    """The select (or multi-select) with this label."""
    found = [
        w
        for w in rc.find(v.Select).widgets + rc.find(v.Autocomplete).widgets
        if str(w.label) == label
    ]
    assert found, f"no select {label!r}"
    return found[0]


def html_of(rc, css_class: str) -> str:
    """The HTML of every element with the class, joined."""
    found = [
        w.unsafe_innerHTML or ""
        for w in rc.find(solara.widgets.HTML).widgets
        if css_class in (w.attributes or {}).get("class", "").split()
    ]
    return "\n".join(found)


def messages(rc) -> str:
    """The text of the messages shown."""
    return html.unescape(html_of(rc, "geosim-message"))


def page_text(rc) -> str:
    """Every text the page shows (labels, HTML, plain text), joined by newlines."""
    found: list[str] = []

    def walk(widget) -> None:
        if isinstance(widget, str):
            found.append(widget)
            return
        for name in ("value", "unsafe_innerHTML", "label", "v_model"):
            text = getattr(widget, name, None)
            if isinstance(text, str):
                found.append(text)
        for child in getattr(widget, "children", None) or ():
            walk(child)

    walk(rc.container if hasattr(rc, "container") else rc)
    return html.unescape("\n".join(found))
