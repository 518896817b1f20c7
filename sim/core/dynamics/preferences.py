"""Revealed preference (``docs/model.md`` §9): the status quo is each state's best reply.

Structural models recover preferences from observed choices (Signorino 1999): if the 2025
posture of every state is what it chose, its private value of each lever must make that
posture its best reply to the others'. The status quo is also the reference point of the
state's preferences (prospect theory in international politics: Jervis 1992, Levy 1992): a
lever has one marginal value for a step up and one for a step down, a kink at the status quo.
With ``C`` the model's cost of the variable to the state (its expected escalation costs,
summed threat and lost following, :mod:`sim.core.dynamics.outlook`) and ``C'_±`` its
one-sided slopes at the status quo's value,

    β_+ = C'_+ − m |C'_+|,      β_− = C'_− + m |C'_−|

so that each step loses ``m |C'_±| δ``: ``m`` is the ``reference_margin`` for a lever in use
and the ``dormancy`` for one at a bound (not used, or at its ceiling). A kink rather than one
price holds whatever the shape of ``C``: where backing down from a clash would save far more
than pressing would cost, no single price makes holding the best reply, but two do.

Prices are solved along the world held at rest once a year, at the first decision month of
each year (:data:`~sim.core.dynamics.decisions.PRICE_EVERY`; its capabilities on their
announced paths, tension and memory at their stationary means, each incident dyad at its
stationary distribution over the rungs; a stance at each rung), so that with nothing new no
state's best reply moves. A lever's *stake* is the first-order value ``|β_v δ_v|`` of one step,
and a state's ``Z_i`` that of its weightiest lever of any kind. A lever worth less than
``attention`` times the same state's weightiest lever of the same kind, in every year, is not
attended to: it stays on the menu and is never moved (bounded attention). A channel is priced
as if its partner accepted: holding stays the best reply with acceptance counted because a
channel lowers its proposer's costs (``C'_+ < 0``), so the savings scaled by the chance of
acceptance only make the step less attractive.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.core.dynamics.chains import RUNGS
from sim.core.dynamics.decisions import (
    MIN_STAKE,
    PRICE_EVERY,
    current_values,
    score_moves,
)
from sim.core.dynamics.levers import active_levers
from sim.core.dynamics.menu import KIND_INDEX, KINDS, Menu, incident_positions
from sim.core.dynamics.outlook import Outlook, outlook
from sim.core.dynamics.perception import perceive
from sim.core.dynamics.step import initial_state
from sim.core.world import World


def decision_months(world: World) -> np.ndarray:
    """The months whose prices are solved: the first decision month, then every year.

    Prices follow the status quo's path, which moves slowly (growth, announced burdens), so a
    year's decisions share the prices of its first (:func:`~sim.core.dynamics.decisions.
    decision_row`). At least one row, within the horizon.
    """
    first = min(world.decision_interval, world.horizon)
    months = np.arange(first, world.horizon, PRICE_EVERY)
    return months if months.size else np.array([first])


def preferences(reference: World, world: World) -> dict[str, np.ndarray]:
    """Prices ``β`` ``(decisions, V)`` and stakes ``Z`` ``(decisions, N)`` of ``world``'s menu.

    Args:
        reference: The world held at rest, with its anchors (``tension0``, ``level_cdf``…).
        world: The scenario's world, with its menu.

    Returns:
        ``decision_price`` (a step up, a step down), ``stance_price`` (the same at each rung),
        ``decision_scale`` (each state's stake: the first-order value of one step of its
        weightiest lever) and ``kept``, the variables a state attends to
        (stake at least ``attention`` times its weightiest's). A variable the world held at
        rest does not have (a dyad or pledge only the scenario has) gets price 0 and is kept.
    """
    menu = world.menu
    months = decision_months(world)
    price = np.zeros((months.size, menu.size, 2))
    scale = np.ones((months.size, world.n))
    if menu.size == 0:
        return {
            "decision_price": price,
            "stance_price": np.zeros((months.size, 0, RUNGS, 2)),
            "decision_scale": scale,
            "kept": np.zeros(0, bool),
        }
    rest = dataclasses.replace(
        reference,
        decision_lookahead=world.decision_lookahead,
        decision_interval=world.decision_interval,
    )
    known, mapped = _on_reference(rest, world, menu)
    stance = known & (menu.kind == KIND_INDEX["stance"])
    others = known & ~stance
    by_rung = np.zeros((months.size, menu.size, RUNGS, 2))
    path = RestPath(rest, months)
    if others.any():
        price[:, others] = path.prices(mapped.take(np.flatnonzero(others)))
    if stance.any():
        sub = mapped.take(np.flatnonzero(stance))
        price[:, stance] = path.prices(sub, level=-1)
        for level in range(1, RUNGS):
            by_rung[:, stance, level] = path.prices(sub, level=level)
    stake = np.abs(price).max(axis=2) * menu.step
    for i in range(world.n):
        own = (menu.actor == i) & known
        if own.any():
            scale[:, i] = stake[:, own].max(axis=1)
    scale = np.maximum(scale, MIN_STAKE)
    # Bounded attention, instrument by instrument: of each kind of move, a state attends to
    # the levers worth at least `attention` times its weightiest of that kind, in some year
    # (levers the world held at rest lacks stay: their worth is the model's alone).
    group = menu.actor * len(KINDS) + menu.kind
    top = np.zeros((months.size, world.n * len(KINDS)))
    np.maximum.at(top, (slice(None), group), np.where(known, stake, 0.0))
    top = top[:, group]
    attention = world.params.decisions.attention
    kept = ~known | ((stake >= attention * top) & (top > MIN_STAKE)).any(axis=0)
    return {
        "decision_price": price,
        "stance_price": by_rung,
        "decision_scale": scale,
        "kept": kept,
    }


class RestPath:
    """The world held at rest at the price months: one replicate a month, perceived once.

    Capabilities on their announced paths, tension and memory at their stationary means;
    the rung of the incident dyads is set per price (:meth:`prices`).
    """

    def __init__(self, rest: World, months: np.ndarray) -> None:
        self.rest, self.months = rest, months
        state = initial_state(rest, np.zeros(months.size, dtype=np.uint64))
        if rest.tension0 is not None:
            state.tension = np.broadcast_to(rest.tension0, state.tension.shape).copy()
        if rest.memory0 is not None:
            state.memory = np.broadcast_to(rest.memory0, state.memory.shape).copy()
        path = rest.burden_path[..., months, :]
        state.burden = np.broadcast_to(path, state.burden.shape).copy()
        grown = rest.gdp * (1.0 + rest.growth) ** (months[:, None] / 12.0)
        state.milex = state.burden * grown
        self.state = state
        self.levers = active_levers(rest, state)
        self.ties, self.capability, self.threat, *_ = perceive(rest, state, self.levers)

    def view(self, level: int = 0) -> Outlook:
        """The outlook at the price months, the incident dyads as ``level`` says (:meth:`prices`).

        Sets the rung of every incident dyad of :attr:`state` accordingly.
        """
        rest, state = self.rest, self.state
        rungs = np.zeros_like(state.level)
        if level != 0:  # every incident dyad in an incident (at its rung, or the start's)
            s = rest.incident_dyads
            rungs[:, rest.dyad_i[s], rest.dyad_j[s]] = max(level, 1)
            rungs[:, rest.dyad_j[s], rest.dyad_i[s]] = max(level, 1)
        state.level = rungs
        start = _stationary(rest, self.months.size, level=level)
        return outlook(
            rest, state, self.levers, self.ties, self.capability, self.threat, start=start
        )

    def prices(self, menu: Menu, *, level: int = 0) -> np.ndarray:
        """The revealed prices of ``menu``'s variables (a step up, a step down).

        ``level`` 0: each incident dyad at its stationary distribution; -1: at it given an
        incident; 1 … 5: in an incident at that rung (the price a stance is weighed at there).
        """
        rest, state = self.rest, self.state
        view = self.view(level)
        values = current_values(rest, state, menu, self.levers)
        scores = score_moves(rest, state, view, menu, values)
        cost = scores.cost.sum(axis=3)
        available = scores.available
        slope = np.where(available, cost / np.where(available, scores.change, 1.0), 0.0)
        p = rest.params.decisions
        # In use: the reference point's kink; at a bound: the unused lever's dormancy.
        margin = np.where(available.all(axis=2, keepdims=True), p.reference_margin, p.dormancy)
        shade = margin * np.abs(slope) * np.array([-1.0, 1.0])
        return np.where(available, slope + shade, 0.0)


def _stationary(rest: World, rows: int, *, level: int) -> np.ndarray:
    """Each incident dyad's rung distribution for :func:`_prices`' ``level``."""
    s = rest.incident_dyads
    if level > 0:
        return np.broadcast_to(np.eye(RUNGS)[level], (rows, s.size, RUNGS)).copy()
    active = level < 0
    if rest.level_cdf is None:
        pi = np.zeros((s.size, RUNGS))
        pi[:, 1 if active else 0] = 1.0
    else:
        cdf = rest.level_cdf[..., s, :]
        pi = np.diff(cdf, axis=-1, prepend=0.0)
    if active:
        pi = pi.copy()
        pi[..., 0] = 0.0
        total = pi.sum(axis=-1, keepdims=True)
        pi = np.where(total > 0, pi / np.where(total > 0, total, 1.0), np.eye(RUNGS)[1])
    return np.broadcast_to(pi, (rows, s.size, RUNGS)).copy()


def _on_reference(rest: World, world: World, menu: Menu) -> tuple[np.ndarray, Menu]:
    """Which variables the world held at rest has, and the menu in its indices."""
    names = {name: k for k, name in enumerate(rest.alliance_names)}
    _, incident = incident_positions(rest.incident_dyads, menu.dyad)
    on_dyad = np.isin(menu.kind, [KIND_INDEX[k] for k in ("coercion", "stance", "channel")])
    known = ~on_dyad | incident
    target = menu.target.copy()
    for v in np.flatnonzero(menu.kind == KIND_INDEX["clarity"]):
        target[v] = names.get(world.alliance_names[menu.target[v]], -1)
        known[v] = target[v] >= 0
    return known, dataclasses.replace(menu, target=target)
