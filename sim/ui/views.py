"""Text views of a session: the status line and the turn log, in plain words."""

from __future__ import annotations

import html

import numpy as np

from sim.core import metrics
from sim.outputs.narrative import sentence
from sim.scenario.ladder import rung_words
from sim.ui.session import DashboardModel

#: The turn log's style of each kind of line the narrator writes.
LOG_CLASSES = {
    "escalation": "entry escalation",
    "escalation severe": "entry escalation",
    "alliance abandonment": "entry escalation",
    "deescalation": "entry minor",
    "alliance": "entry minor",
}


def turn_log_html(model: DashboardModel) -> str:
    """The turn log as HTML, newest month first; injects head the turn they act in."""
    with model.lock:
        events = list(model.events)
        injects = {record.name: record for record in model.session_injects}
        month = model.month
    by_month: dict[int, list[tuple[str, str]]] = {}
    for record in injects.values():
        by_month.setdefault(record.month + 1, []).append(
            ("entry inject", f"Facilitator inject: {record.inject.summary}")
        )
    for event in events:
        if getattr(event, "event", None) in injects:
            continue  # shown as the facilitator's move
        line = sentence(event)
        text = line.text[:1].upper() + line.text[1:]
        by_month.setdefault(line.step, []).append((LOG_CLASSES.get(line.css, "entry"), text))
    parts = []
    for step in sorted(by_month, reverse=True):
        heading = f"Month {step}" + (" (next turn)" if step > month else "")
        parts.append(f'<div class="month">{html.escape(heading)}</div>')
        parts += [f'<div class="{css}">{html.escape(text)}</div>' for css, text in by_month[step]]
    if not parts:
        parts.append('<div class="entry minor">Nothing yet: press Step to play a month.</div>')
    return "".join(parts)


def status_items(model: DashboardModel) -> list[tuple[str, str]]:
    """The status line: (label, value) pairs."""
    with model.lock:
        world, state = model.world, model.state
        levels = state.level[0, world.dyad_i, world.dyad_j]
        values = {name: model.metric(name) for name in metrics.MODEL_METRICS}
        month, horizon, name = model.month, world.horizon, model.definition.name
    hottest = "calm everywhere"
    if levels.max() > 0:
        d = int(np.argmax(levels))
        pair = f"{world.codes[world.dyad_i[d]]}–{world.codes[world.dyad_j[d]]}"
        active = int((levels > 0).sum())
        more = f" (+{active - 1} more)" if active > 1 else ""
        hottest = f"{pair} {rung_words(int(levels[d]))}{more}"
    levers = ", ".join(f"{key} ×{value:g}" for key, value in model.levers.items())
    return [
        ("Scenario", name + (f" ({levers})" if levers else "")),
        ("Month", f"{month} of {horizon}"),
        ("Regional tension", f"{values['regional_tension']:.3f}"),
        ("Hottest dyad", hottest),
        ("Incidents this month", f"{values['incidents']:.0f}"),
        ("US credibility", f"{values['us_credibility']:.2f}"),
        ("Hedgers", f"{values['hedgers']:.0f}"),
    ]
