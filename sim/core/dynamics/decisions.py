"""Countries that decide (``docs/model.md`` §9): score the menu, choose by a logit, move.

Every ``decisions.interval`` months each deciding state scores each move of its menu
(:mod:`sim.core.dynamics.menu`) by its expected effect on its own utility over the look-ahead
(:mod:`sim.core.dynamics.outlook`), the other states holding their postures (a unilateral
deviation, as in Bueno de Mesquita's expected-utility model), and chooses one move or none by
a quantal-response rule (McKelvey & Palfrey 1995):

    ΔU_i(m) = −ΔC_i(m) + V_v(o_v + Δ_m/δ_v) − V_v(o_v) − κ S_v [(o_v + Δ_m/δ_v)² − o_v²] − c S_v
    V_v(o)  = δ_v (β_v+ max(o, 0) + β_v− min(o, 0))
    P_i(m) ∝ exp(λ_i ΔU_i(m) / S_v),      ΔU_i(hold) = 0

``ΔC`` is the change of what the model says the move costs the state — expected escalation
costs it bears, summed threat, minus the following it gains (:func:`score_moves`); ``V_v`` is
the state's private value of the variable, kinked at the status quo with the slopes ``β_v±``
set by revealed preference so that the status quo is its best reply (:func:`revealed_value`,
:mod:`sim.core.dynamics.preferences`); ``o_v`` is the variable's departure from the status quo
in steps ``δ_v``, ``κ`` the pull of the standing posture, ``c`` the cost of making a move, and
``S_v = max(|β_v±| δ_v, attention · Z_i)`` the lever's stake (:func:`lever_stakes`), the unit a
move is weighed in. The logit's unobserved shocks scale with the stakes of the lever they
concern (a heteroscedastic logit), so a lever moves when its incentives shift by a share of
its stake. The chosen moves apply to the running state of the replicates that chose them
(:func:`apply_choices`): the lever overlay, the burden posture, clarity, lean or stance —
never a new scenario.

Draws are counter-based: Gumbel shocks keyed by what each move is (:class:`~sim.core.rng.Stream`
``DECISION``), so a replicate chooses the same alone, in a batch or in the Mesa model (where
:meth:`~sim.core.agents.Country.step` makes the choice and the model applies it) and two
scenarios give a move they share the same shock; a partner's acceptance of a channel draws
from ``ACCEPTANCE``.

The module is over 800 lines because scoring is one function per kind of move (eleven of
them, each a mechanism of the model with its own docstring) around one rule; split, the
kinds would import the rule's helpers and the rule the kinds, a cycle.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

from sim.core import records
from sim.core.dynamics.alignment import aid_intensity
from sim.core.dynamics.incidents import interdependence_restraint
from sim.core.dynamics.levers import active_levers, lever_change, note_moved
from sim.core.dynamics.menu import KIND_INDEX, KINDS, MOVES, Menu, incident_positions, move_key
from sim.core.dynamics.outlook import (
    COVARIATES,
    Chains,
    Outlook,
    alignment_months,
    cover,
    following_value,
    outlook,
    party_costs,
    threat_sum,
)
from sim.core.dynamics.perception import perceive
from sim.core.dynamics.state import (
    DT,
    EPS,
    State,
    coefficients,
    leading,
    maximum,
    minimum,
    per_replicate,
    row_sum,
)
from sim.core.rng import DrawPlan, Stream, draw, uniforms
from sim.core.world import LEVER_INDEX, NEVER, World

#: The utility terms a move's cost is made of, in the order of :attr:`Scores.cost`'s last axis.
TERMS = ("escalation", "security", "following")
#: Months between the rows of revealed prices (one a year along the status quo's path).
PRICE_EVERY = 12
#: Smallest stake a state is given (crisis-months), so that a state with nothing at stake
#: still weighs its moves against the pull of its posture.
MIN_STAKE = 1e-6


@dataclass(frozen=True)
class Scores:
    """What every move of the menu would change, ``(R, V, 2)`` (up, down).

    The arrays cover the variables that were scored: all of the menu, or, from
    :func:`evaluate`, those some replicate attends to (:attr:`slots` finds a variable's place).

    Attributes:
        cost: Change of the model's cost to the mover, by :data:`TERMS`, ``(R, V, 2, 3)``.
        change: The move's change of its variable (0 where it is not available).
        available: Whether the move can be made (within bounds; a stance only in an incident).
        partner_cost: Change of what the partner bears of the move's dyad (moves on a dyad),
            for its acceptance of a channel.
        value: The mover's private value of the move (:func:`revealed_value`), once
            :func:`evaluate` has priced it.
        accept: The chance that the partner accepts the move (:func:`acceptance`), ``(R, V)``.
        stake: Each lever's stake this month (:func:`lever_stakes`), ``(R, V)``, over the whole
            menu.
        slots: Each menu variable's place along the scored arrays' second axis, -1 where it
            was not scored, ``(V,)``; None when every variable was, in menu order.
    """

    cost: np.ndarray
    change: np.ndarray
    available: np.ndarray
    partner_cost: np.ndarray
    value: np.ndarray | None = None
    accept: np.ndarray | None = None
    stake: np.ndarray | None = None
    slots: np.ndarray | None = None

    def slot(self, v: int) -> int:
        """The place of menu variable ``v`` along the scored arrays (-1: not scored)."""
        return v if self.slots is None else int(self.slots[v])

    def scored(self, name: str, rep: int, v: int, d: int) -> np.ndarray | float:
        """Field ``name`` of move ``d`` of variable ``v`` in replicate ``rep`` (0 unscored).

        A variable no replicate attends to keeps no score: its move changes nothing and
        costs nothing (the rule never chooses it; a choice set from outside is a no-op).
        """
        at = self.slot(v)
        values = getattr(self, name)
        return values[rep, at, d] if at >= 0 else np.zeros(values.shape[3:])


def is_decision_month(world: World, step: int) -> bool:
    """Whether the states decide at the start of month ``step``."""
    return (
        world.menu.size > 0
        and step > 0
        and step % world.decision_interval == 0
        and step < world.horizon
    )


def decision_row(world: World, step: int) -> int:
    """Row of ``World.decision_price`` and ``decision_scale`` for month ``step``.

    Prices are solved at the first decision month and every :data:`PRICE_EVERY` months after
    (:func:`sim.core.dynamics.preferences.decision_months`); a month reads the latest row.
    """
    rows = world.decision_price.shape[-3]
    return max(0, min((step - world.decision_interval) // PRICE_EVERY, rows - 1))


def current_values(world: World, state: State, menu: Menu, levers: np.ndarray) -> np.ndarray:
    """The value of every decision variable now, ``(R, V)``."""
    plan = _plan(world, menu)
    values = np.zeros((state.replicates, menu.size))
    at, index = plan.levers
    values[:, at] = levers[:, *index]
    for name, at, index in plan.reads:  # each kind read from the state, in turn
        values[:, at] = getattr(state, name)[:, *index]
    return values


def departures(world: World, state: State, menu: Menu, values: np.ndarray) -> np.ndarray:
    """Each variable's departure from the status quo's posture, in steps, ``(R, V)``.

    A lever's from its scripted value (the overlay), the burden posture's from 1, clarity's
    from the scenario's, lean's and stance's from 0.
    """
    plan = _plan(world, menu)
    overlay = np.zeros((1, 1, 1, 1)) if state.overlay is None else state.overlay
    clarity0 = leading(np.asarray(world.clarity0, dtype=float), 1)
    return _departures(values, overlay, *plan.variables, plan.departure, clarity0, menu.step)


#: How :func:`departures` reads each variable: the overlay, from 1, from the scenario's
#: clarity, from 0, or not at all (0).
_OVERLAY, _FROM_ONE, _FROM_SCENARIO, _FROM_ZERO, _HELD = range(5)


@numba.njit(cache=True, nogil=True)
def _departures(values, overlay, lever, actor, target, mode, clarity0, step):
    """:func:`departures`, ``(R, V)``: each variable's departure over its step (the same bits).

    ``clarity0`` is ``(1, K)``, or ``(R, K)`` stacked.
    """
    reps, moves = values.shape
    out = np.empty((reps, moves))
    for r in range(reps):
        rest = clarity0[r if clarity0.shape[0] > 1 else 0]
        for m in range(moves):
            how = mode[m]
            if how == _OVERLAY:
                x = overlay[r, lever[m], actor[m], target[m]]
            elif how == _FROM_ONE:
                x = values[r, m] - 1.0
            elif how == _FROM_SCENARIO:
                x = values[r, m] - rest[target[m]]
            elif how == _FROM_ZERO:
                x = values[r, m]
            else:
                x = 0.0
            out[r, m] = x / step[m]
    return out


def score_moves(
    world: World,
    state: State,
    view: Outlook,
    menu: Menu,
    values: np.ndarray,
    o: np.ndarray | None = None,
) -> Scores:
    """The change each move would make to its mover's costs (:data:`TERMS`), ``(R, V, 2, 3)``.

    See :mod:`sim.core.dynamics.outlook` for each term, and ``docs/model.md`` §9 for what each
    kind of move changes. ``o`` is :func:`departures` of ``values``, computed when not given.
    """
    r, v = values.shape
    if o is None:
        o = departures(world, state, menu, values)
    plan = _plan(world, menu)
    # A stance is on offer only in an incident.
    offered = np.ones((r, v), dtype=np.bool_)
    if plan.stance.size:
        offered[:, plan.stance] = state.level[:, plan.stance_i, plan.stance_j] > 0
    change, available = _steps(values, o, menu.step, menu.low, menu.high, offered)
    cost = np.zeros((r, v, 2, len(TERMS)))
    partner_cost = np.zeros((r, v, 2))
    shares = view.cover.shares(world.params.decisions.common_cost)
    followers = _Following(world, view, state)
    lasting = Baseline(world, view, shares, world.params.decisions.continuation, followers)
    stance = Baseline(world, view, shares, None)
    # The scorers see the directions on the second axis, (R, 2, M): the moves' long axis last.
    ways = np.ascontiguousarray(change.transpose(0, 2, 1))
    cost_ways, partner_ways = cost.transpose(0, 2, 1, 3), partner_cost.transpose(0, 2, 1)
    scored = []
    for part in plan.kinds:
        block = part.block
        # A kind's moves side by side (evaluate orders them so): the scorer writes in place.
        if isinstance(block, slice):
            out = Move(cost_ways[:, :, block], partner_ways[:, :, block])
        else:
            out = Move(np.zeros((r, 2, block.size, len(TERMS))), np.zeros((r, 2, block.size)))
            scored.append((block, out))
        # Both directions in one call: what does not depend on the move is worked out once.
        base = stance if part.kind == "stance" else lasting
        scorer = _SCORERS[part.kind]
        scorer(world, state, view, part, values[:, block], ways[:, :, block], out, base)
    for base in (lasting, stance):  # the escalation the scorers asked for, in one pass each
        base.run()
    for idx, out in scored:
        cost[:, idx] = out.cost.transpose(0, 2, 1, 3)
        partner_cost[:, idx] = out.partner.transpose(0, 2, 1)
    return Scores(cost, change, available, partner_cost)


@numba.njit(cache=True, nogil=True)
def _steps(values, o, step, low, high, offered):
    """The change of each move of :func:`score_moves` and whether it is available, ``(R, V, 2)``.

    A step up ``min(δ, high − x)``, down ``−min(δ, x − low)``; a step back towards the status
    quo's posture (``o δ`` away from it) stops there; a change below ``1e-12`` in size is none,
    and a move is available where its change is not 0 and it is ``offered``. The arithmetic of
    the array form it replaced (the same bits).
    """
    reps, moves = values.shape
    change = np.zeros((reps, moves, 2))
    available = np.zeros((reps, moves, 2), dtype=np.bool_)
    for r in range(reps):
        for m in range(moves):
            x, away = values[r, m], o[r, m] * step[m]
            up = minimum(step[m], high[m] - x)
            down = -minimum(step[m], x - low[m])
            if away < 0 and up > -away:
                up = -away
            if away > 0 and -down > away:
                down = -away
            for d in range(2):
                delta = up if d == 0 else down
                if abs(delta) < 1e-12:
                    delta = 0.0
                if delta != 0.0 and offered[r, m]:
                    change[r, m, d] = delta
                    available[r, m, d] = True
    return change, available


@dataclass(frozen=True, eq=False)
class _Kind:
    """Where one kind's moves are on a menu, and what scoring them reads of the world.

    Fixed by the menu and the world (:func:`_plan`), so a month does not look it up again.

    Attributes:
        kind: The kind (a key of :data:`KINDS`).
        idx: Its variables' positions on the menu, ``(M,)``.
        block: ``idx`` as a slice where the moves are side by side, else ``idx``.
        actor: The mover of each, ``(M,)``.
        target: Its partner (the alliance for ``clarity``; -1 for ``arms`` and ``lean``).
        pairs: The moves twice, up then down: actor and target, ``(2M,)`` each (the layout
            of both directions' moves flattened, ``(R, 2, M)`` read as ``(R, 2M)``).
        dyads: The moves' incident dyads, as :func:`_dyad_move` reads them: every move's for
            coercion, stances and channels, the moves' whose dyad is one for economic
            coercion (None where none is, and for kinds without a dyad).
        side: The mover's side of each incident dyad (0 first, 1 second; -1 not a party),
            ``(M, S)`` (``arms`` only).
        friction: The incident dyads whose presence friction each move changes, as a mask
            ``(S,)`` and their two countries, and whether each state disputes with each as
            floats ``(N, N)`` (``presence`` only; :func:`_friction_dyads`).
    """

    kind: str
    idx: np.ndarray
    block: slice | np.ndarray
    actor: np.ndarray
    target: np.ndarray
    pairs: tuple[np.ndarray, np.ndarray]
    dyads: _Dyads | None = None
    side: np.ndarray | None = None
    friction: tuple | None = None


@dataclass(frozen=True, eq=False)
class _Dyads:
    """The incident dyads of some moves of a kind (:func:`_dyad_move`).

    Attributes:
        within: Which of the kind's moves (all, or a mask of them).
        moves: Their positions among the kind's moves, ``(E,)``.
        at: Their dyads' positions among the incident dyads, ``(E,)``.
        side: Whether the mover is the dyad's second country (0 first, 1 second), ``(E,)``.
        twice: ``at`` twice (the moves up, then down), ``(2E,)``.
    """

    within: slice | np.ndarray
    moves: np.ndarray
    at: np.ndarray
    side: np.ndarray
    twice: np.ndarray


@dataclass(frozen=True, eq=False)
class _Plan:
    """What :func:`score_moves` reads of a menu and its world, fixed by them.

    Attributes:
        kinds: Each kind with moves on the menu, in :data:`KINDS` order.
        stance: The stances' positions on the menu, ``(T,)``.
        stance_i: Their dyads' first countries, ``(T,)``.
        stance_j: Their dyads' second countries, ``(T,)``.
        variables: The menu's lever, actor and target, ``(V,)`` each.
        levers: The variables that are levers, and their places in the lever tensor (lever,
            actor, target), as :func:`current_values` reads them.
        reads: The variables it reads from the state: the state's field, the variables, and
            their places in it (after the replicate).
        departure: How :func:`departures` reads each, ``(V,)``.
    """

    kinds: tuple[_Kind, ...]
    stance: np.ndarray
    stance_i: np.ndarray
    stance_j: np.ndarray
    variables: tuple[np.ndarray, np.ndarray, np.ndarray]
    levers: tuple[np.ndarray, tuple[np.ndarray, ...]]
    reads: tuple[tuple[str, np.ndarray, tuple[np.ndarray, ...]], ...]
    departure: np.ndarray


#: What each live world fixes for scoring (:func:`_memo`: each menu's :class:`_Plan`, the
#: stances among the variables priced), keyed by the world's id and checked by a weak
#: reference; an entry goes with its world.
_PLANS: dict[int, tuple[weakref.ref, dict[tuple, object]]] = {}


def _memo(world: World, key: tuple, make: Callable[[], object]):
    """What ``make()`` gives for ``world`` and ``key``, made once while the world lives."""
    entry = _PLANS.get(id(world))
    if entry is None or entry[0]() is not world:
        at = id(world)

        def forget(ref: weakref.ref, at: int = at) -> None:
            if _PLANS.get(at, (None,))[0] is ref:
                del _PLANS[at]

        entry = _PLANS[at] = (weakref.ref(world, forget), {})
    known = entry[1]
    if key not in known:
        known[key] = make()
    return known[key]


def _plan(world: World, menu: Menu) -> _Plan:
    """The :class:`_Plan` of ``menu`` (a part of ``world``'s), made once per world and menu.

    Found first by the menu's identity (the menu a month scores is the same object every
    month), else by what the menu holds.
    """
    known = _MENU_PLANS.get(menu)
    if known is not None and known[0]() is world:
        return known[1]
    fields = (menu.actor, menu.kind, menu.target, menu.lever, menu.dyad)
    key = ("plan", *(array.tobytes() for array in fields))
    plan = _memo(world, key, lambda: _make_plan(world, menu))
    _MENU_PLANS[menu] = (weakref.ref(world), plan)
    return plan


#: The last :class:`_Plan` of each menu, with (a weak reference to) the world it is for.
_MENU_PLANS: weakref.WeakKeyDictionary[Menu, tuple[weakref.ref, _Plan]] = (
    weakref.WeakKeyDictionary()
)


def _make_plan(world: World, menu: Menu) -> _Plan:
    """:func:`_plan` of a menu not seen before."""
    kinds = []
    s = world.incident_dyads
    for kind in KINDS:
        idx = menu.of_kind(kind)
        if idx.size == 0:
            continue
        block = slice(idx[0], idx[-1] + 1) if idx[-1] - idx[0] + 1 == idx.size else idx
        actor, target = menu.actor[idx], menu.target[idx]
        dyads = side = None
        if kind in ("coercion", "stance", "channel", "economic_coercion"):
            at, paired = incident_positions(s, menu.dyad[idx])
            # Economic coercion moves a dyad's chain only where it is an incident dyad; the
            # others' dyads all are.
            within = paired if kind == "economic_coercion" and not paired.all() else slice(None)
            if paired.any() or kind != "economic_coercion":
                at, sides = at[within], _side(world, menu, idx)[within]
                moves = np.arange(idx.size)[within]
                dyads = _Dyads(within, moves, at, sides, np.tile(at, 2))
        if kind == "arms":
            side = np.full((actor.size, s.size), -1, dtype=np.int64)
            side[world.dyad_i[s][None, :] == actor[:, None]] = 0
            side[world.dyad_j[s][None, :] == actor[:, None]] = 1
        pairs = (np.tile(actor, 2), np.tile(target, 2))
        friction = _friction_dyads(world, actor, target) if kind == "presence" else None
        kinds.append(_Kind(kind, idx, block, actor, target, pairs, dyads, side, friction))
    stance = menu.of_kind("stance")
    pair = menu.dyad[stance]
    lever = np.flatnonzero(menu.lever >= 0)
    levers = (lever, (menu.lever[lever], menu.actor[lever], menu.target[lever]))
    mode = np.full(menu.size, _HELD, dtype=np.int64)
    mode[lever] = _OVERLAY
    reads = []
    for kind, name, by, away in (
        ("arms", "posture", ("actor",), _FROM_ONE),
        ("lean", "lean", ("actor",), _FROM_ZERO),
        ("clarity", "clarity", ("target",), _FROM_SCENARIO),
        ("stance", "stance", ("actor", "target"), _FROM_ZERO),
    ):
        idx = menu.of_kind(kind)
        mode[idx] = away
        if idx.size:
            reads.append((name, idx, tuple(getattr(menu, field)[idx] for field in by)))
    variables = (menu.lever, menu.actor, menu.target)
    stance_pairs = (world.dyad_i[pair], world.dyad_j[pair])
    return _Plan(tuple(kinds), stance, *stance_pairs, variables, levers, tuple(reads), mode)


class Baseline:
    """The month's escalation outlook that every move of one horizon is scored against.

    It is the first ask of its :attr:`chains`, so that it runs with the moves' chains in one
    pass (:meth:`run`); its fields are known once that has run, and what reads them from
    outside a chain waits in :attr:`later`.

    Attributes:
        total: Expected rung-costs of every incident dyad over the look-ahead, ``(R, S)``.
        severe: Their part on the crisis and war rungs, ``(R, S)``.
        shares: Each side's share of a dyad's costs (:meth:`Cover.shares`), ``(R, S, 2)``.
        lasting: Months beyond the look-ahead a lasting posture is weighed over (None for a
            stance).
        chains: The scorers' asks for changed chains, run together once all have asked.
        bears: What each state bears now (:func:`party_costs`), ``(R, N)``; only lasting
            postures (deployments, pledges) are weighed by it, so None for a stance.
        later: What reads the baseline once it is known, in turn, after the chains.
        followers: The scorers' asks for following values, run with the chains (the lasting
            postures' baseline only; None for a stance).
    """

    def __init__(
        self,
        world: World,
        view: Outlook,
        shares: np.ndarray,
        lasting: float | None,
        followers: _Following | None = None,
    ) -> None:
        """The baseline of the month for moves weighed over ``lasting`` (None: a stance)."""
        self.shares, self.lasting, self.followers = shares, lasting, followers
        self.chains = Chains(world, view, lasting)
        self.total: np.ndarray | None = None
        self.severe: np.ndarray | None = None
        self.bears: np.ndarray | None = None
        self.later: list[Callable[[], None]] = []

        def settle(total: np.ndarray, severe: np.ndarray) -> None:
            self.total, self.severe = np.ascontiguousarray(total), np.ascontiguousarray(severe)
            if lasting is not None:
                self.bears = party_costs(world, view, view.cover, self.total, self.severe)

        self.chains.ask(np.arange(world.incident_dyads.size), settle)

    def run(self) -> None:
        """Run the chains (the baseline's first), the followers, then :attr:`later`."""
        if len(self.chains.asks) > 1 or self.later:
            self.chains.run()
        if self.followers is not None:
            self.followers.run()
        for then in self.later:
            then()
        self.later.clear()


class _Following:
    """The following values the scorers ask for, worked out in one :func:`following_value` call.

    Each ask gives pulls on both directions of a kind's moves, ``(R, 2, M)`` each; :meth:`run`
    works them out side by side (each element as it would be alone: the same bits) and hands
    ``then`` their values, in the same shapes.
    """

    def __init__(self, world: World, view: Outlook, state: State) -> None:
        """No asks yet, for the month of ``view``."""
        self.world, self.view, self.state = world, view, state
        self.asks: list[tuple[_Kind, tuple[np.ndarray, ...], Callable[..., None]]] = []

    def ask(self, part: _Kind, then: Callable[..., None], *pulls: np.ndarray) -> None:
        """Ask for the value of ``pulls`` on the moves ``part``; ``then(*values)`` receives it."""
        self.asks.append((part, pulls, then))

    def run(self) -> None:
        """Work out every ask in one call and hand each its values."""
        if not self.asks:
            return
        each = [(part, pull) for part, pulls, _ in self.asks for pull in pulls]
        actors = np.concatenate([part.pairs[0] for part, _ in each])
        targets = np.concatenate([part.pairs[1] for part, _ in each])
        pull = np.concatenate([_twice(pull) for _, pull in each], axis=1)
        value = following_value(self.world, self.view, self.state, actors, targets, pull)
        start = 0
        for _, pulls, then in self.asks:
            values = []
            for pull in pulls:
                values.append(value[:, start : start + pull[0].size].reshape(pull.shape))
                start += pull[0].size
            then(*values)
        self.asks.clear()


def _lose(out: Move) -> Callable[..., None]:
    """A ``then`` for :class:`_Following`: the values' sum comes off the moves' following."""

    def then(value: np.ndarray, *more: np.ndarray) -> None:
        for other in more:
            value = value + other
        _take_off(out.cost, value, 2)

    return then


@numba.njit(cache=True, nogil=True)
def _take_off(cost, value, term):
    """``cost[..., term] -= value`` of moves' costs ``(R, 2, M, 3)``, in place."""
    for r in range(value.shape[0]):
        for d in range(value.shape[1]):
            for m in range(value.shape[2]):
                cost[r, d, m, term] -= value[r, d, m]


@dataclass(frozen=True)
class Move:
    """What a batch of moves of one kind changes (filled by the kind's scorer).

    Attributes:
        cost: Change of the mover's costs by :data:`TERMS`, each direction (up, down),
            ``(R, 2, M, 3)``.
        partner: Change of what the partner bears of the dyad, ``(R, 2, M)``.
    """

    cost: np.ndarray
    partner: np.ndarray


# --------------------------------------------------------------------------------------------
# What each kind of move changes


def _side(world: World, menu: Menu, idx: np.ndarray) -> np.ndarray:
    """Whether the mover is the second country of its dyad (0 first, 1 second)."""
    return (world.dyad_j[menu.dyad[idx]] == menu.actor[idx]).astype(int)


def _twice(array: np.ndarray) -> np.ndarray:
    """Both directions of ``(R, 2, M)`` moves as ``(R, 2M)`` (the moves up, then down)."""
    return array.reshape(array.shape[0], -1)


def _dyad_move(out: Move, base: Baseline, dyads: _Dyads, **replaced: np.ndarray) -> None:
    """Escalation term of moves on their own dyad: the mover's share of the change.

    Both directions at once: each covariate ``replaced`` is ``(R, 2, E)``, for the moves
    ``dyads.within``. It is asked of ``base.chains`` and lands in ``out`` when they run.
    """

    def settle(total: np.ndarray, severe: np.ndarray) -> None:
        where = (dyads.at, dyads.side, dyads.moves)
        _land(total, base.total, base.shares, *where, out.cost[..., 0], out.partner)

    base.chains.ask(dyads.twice, settle, **{k: _twice(v) for k, v in replaced.items()})


@numba.njit(cache=True, nogil=True)
def _land(total, before, shares, at, side, moves, cost, partner):
    """:func:`_dyad_move`'s change: ``mine · Δ`` lands on the mover, ``theirs · Δ`` on its partner.

    ``Δ = total − before`` of each dyad ``at`` (``total`` ``(R, 2E)``, both directions' chains
    side by side; ``before`` the baseline's, ``(R, S)``), ``mine`` and ``theirs`` the shares
    (``(R, S, 2)``) of the mover's ``side`` and the other; added to ``cost`` and ``partner``
    (``(R, 2, M)``) at the moves ``moves``, as the array form did (the same bits).
    """
    count = at.size
    for r in range(total.shape[0]):
        for d in range(2):
            for e in range(count):
                q, m = at[e], moves[e]
                delta = total[r, d * count + e] - before[r, q]
                cost[r, d, m] += shares[r, q, side[e]] * delta
                partner[r, d, m] += shares[r, q, 1 - side[e]] * delta


def _coercion(world, state, view, part, values, change, out, base) -> None:
    """Gray-zone coercion: the dyad's escalation, and the target's backlash against the mover.

    Coercion raises the incident hazard, the odds of a step up and the persistence of
    standoffs (§5); it is also a hostile act that pushes the target away from the mover
    (§2–§3), which a state with followers to lose counts against it.
    """
    if part.dyads is not None:
        now = view.coercion[:, part.dyads.at]
        _dyad_move(out, base, part.dyads, coercion=now[:, None] + change[:, :, part.dyads.within])
    unit = _hostility_unit(world, view, part)
    base.followers.ask(part, _lose(out), _backlash(world, state, part, unit, change))


def _hostility_unit(world, view, part) -> np.ndarray:
    """``s_a · exposure_ba``: the threat the target feels per unit of the mover's hostility."""
    a, b = part.actor, part.target
    exposure = world.proximity[..., b, a] * (
        1.0 - world.params.threat.ally_discount * view.ties.credible[:, b, a]
    )
    return view.share[:, a] * exposure


def _backlash(world, state, part, unit, hostility) -> np.ndarray:
    """The pull (``(R, 2, M)``) of the target's balancing against added hostility.

    Its following value (:class:`_Following`) is what the mover loses. ``unit`` is
    :func:`_hostility_unit` of the moves, ``hostility`` ``(R, 2, M)``.
    """
    added = unit[:, None] * hostility  # ΔT_ba
    return -world.params.alignment.security_weight * added * state.alignment[:, None, part.actor]


def _stance(world, state, view, part, values, change, out, base) -> None:
    """Press or back down in an incident: the step-up logit and the step-down chance."""
    p = world.params.decisions
    at = part.dyads.at
    push_now, retreat_now = view.push[:, None, at], view.retreat[:, None, at]
    backing_down = (values < 0).astype(float)[:, None]
    new = values[:, None] + change
    push = push_now + p.stance_push * change
    retreat = retreat_now + p.stance_retreat * ((new < 0).astype(float) - backing_down)
    _dyad_move(out, base, part.dyads, push=push, retreat=retreat)


def _channel(world, state, view, part, values, change, out, base) -> None:
    """Open or close a channel with a rival: deconfliction of the dyad."""
    other = view.levers[:, LEVER_INDEX["channel"], part.target, part.actor][:, None]  # partner's
    before = np.maximum(values[:, None], other)
    now = view.channel[:, None, part.dyads.at]
    after = np.maximum(values[:, None] + change, other)
    channel = np.clip(now + after - before, 0.0, 1.0)
    _dyad_move(out, base, part.dyads, channel=channel)


def _economic(world, state, view, part, values, change, out, base) -> None:
    """Economic coercion: compliance and backlash (§3, §8), and the commercial peace (§5)."""
    a, b = part.actor, part.target
    p = world.params
    trade = world.trade_share[..., b, a][..., None, :]
    apart = (state.alignment[:, a] - state.alignment[:, b])[:, None]
    unit = _hostility_unit(world, view, part)
    compliance = p.alignment.compliance_weight * change * trade
    pull = compliance * apart
    hostility = p.economy.coercion_hostility * change
    backlash = _backlash(world, state, part, unit, hostility)
    base.followers.ask(part, _lose(out), pull, backlash)
    dyads = part.dyads
    if dyads is not None:
        economic_now = view.terms.economic_dyad[:, None, world.incident_dyads[dyads.at]]
        economic = economic_now + change[:, :, dyads.within]
        restraint = interdependence_restraint(world, _twice(economic), dyads.twice)
        _dyad_move(out, base, dyads, restraint=restraint.reshape(economic.shape))


def _inducing(unit_of):
    """A scorer for a lever that pulls its partner towards its actor (§3 inducements)."""

    def score(world, state, view, part, values, change, out, base) -> None:
        a, b = part.actor, part.target
        p = world.params.alignment
        before, after = unit_of(world, state, view, a, b, values, change)
        pulled = np.tanh(before)[:, None]
        apart = (state.alignment[:, a] - state.alignment[:, b])[:, None]
        pull = p.inducement_weight * (np.tanh(after) - pulled)
        pull = pull * apart
        base.followers.ask(part, _lose(out), pull)

    return score


def _aid_units(world, state, view, a, b, values, change):
    """Aid intensity before, and after each change (``(R, 2, M)``).

    (:func:`~sim.core.dynamics.alignment.aid_intensity`.)
    """
    levers = view.levers
    aid = levers[:, LEVER_INDEX["assistance"], a, b] + levers[:, LEVER_INDEX["inducement"], a, b]
    nuclear = levers[:, LEVER_INDEX["nuclear"], a, b]
    before = aid_intensity(world, aid, nuclear, state.transfers[:, a, b], state.milex[:, b])
    per = world.params.alignment.aid_unit * np.maximum(state.milex[:, b], 0.01)
    return before, before[:, None] + change / per[:, None]


def _drill_units(world, state, view, a, b, values, change):
    """Drill intensity before, and after each change (``(R, 2, M)``): ``x / u_E``."""
    unit = world.params.alignment.exercise_unit
    return values / unit, (values[:, None] + change) / unit


def _arms(world, state, view, part, values, change, out, base) -> None:
    """Raise or cut the budget: security against the summed threat, and shares in disputes.

    Over the look-ahead the burden closes ``1 − (1 − a/12)^H`` of the gap to the new target
    (§1); the added theatre capability dilutes every other state's share of the region's power
    (§2) and strengthens the state's side in each of its disputes (:class:`Cover`).
    """
    a = part.actor
    h = view.horizon
    closed = 1.0 - (1.0 - DT * world.params.arms.fatigue) ** h
    regional = view.capability * world.regional
    spent = (world.regional * state.milex)[:, None, a]
    burden = np.maximum(values, EPS)[:, None]
    total = regional.sum(axis=1, keepdims=True)[:, None]
    threat = threat_sum(view)[:, None, a]
    weight = world.params.decisions.security_weight * h
    common = per_replicate(world.params.decisions.common_cost, state.replicates)
    added = spent * change / burden * closed
    security = threat * (total / (total + added) - 1.0)
    out.cost[..., 1] += weight * security
    strength = view.cover.strength
    base.later.append(
        lambda: _dispute_shares(strength, added, part.side, base.total, common, out.cost[..., 0])
    )


@numba.njit(cache=True, nogil=True)
def _dispute_shares(strength, added, side, total, common, out):
    """The escalation term of :func:`_arms`: the shift of a mover's share in its disputes.

    In each dispute a side bears ``φ + (1 − φ) 2 F_other / (F_own + F_other)`` of the
    costs; the mover's added capability ``added`` changes its own strength, and ``out`` (the
    moves' escalation cost, ``(R, 2, M)``) gains ``(1 − φ)`` times the change of its share
    times the dyad's expected cost ``total``, summed over the dyads (each side in turn, the
    dyads in NumPy's pairwise order: the bits of the array form it replaced).

    Args:
        strength: Each side's strength in each dyad, ``(R, S, 2)``.
        added: The capability each move adds, each direction, ``(R, 2, M)``.
        side: The mover's side of each dyad (0 or 1; -1 not a party), ``(M, S)``.
        total: Each dyad's expected cost, ``(R, S)``.
        common: ``φ`` per replicate, ``(R,)``.
        out: The moves' escalation cost, ``(R, 2, M)``, added to in place.
    """
    reps, moves = added.shape[0], added.shape[2]
    dyads = side.shape[1]
    row = np.empty(dyads)
    was = np.empty(dyads)  # the share's term before the move, the same for both directions
    for which in range(2):
        for m in range(moves):
            party = False
            for q in range(dyads):
                party = party or side[m, q] == which
            if not party:
                continue
            for r in range(reps):
                for q in range(dyads):
                    if side[m, q] == which:
                        own, other = strength[r, q, which], strength[r, q, 1 - which]
                        was[q] = 2.0 * other / maximum(own + other, EPS)
                for d in range(2):
                    for q in range(dyads):
                        row[q] = 0.0
                        if side[m, q] == which:
                            own, other = strength[r, q, which], strength[r, q, 1 - which]
                            after = 2.0 * other / maximum(own + added[r, d, m] + other, EPS)
                            row[q] = (1.0 - common[r]) * (after - was[q]) * total[r, q]
                    out[r, d, m] += row_sum(row)


def _lean(world, state, view, part, values, change, out, base) -> None:
    """Lean towards a pole: the summed threat through ideological distance (§2).

    A step moves the point the state's domestic preferences hold it to by ``s_ℓ``
    (:func:`~sim.core.dynamics.outlook.alignment_months`); its hostility with j,
    ``((A_i − A_j)/2)²``, changes by ``g ΔA + ΔA²/4`` with ``g = (A_i − A_j)/2``, weighted by
    j's power share and the state's exposure to j. The second-order term is kept: a state
    between the poles sits near where the first-order terms cancel (Singapore, a pull from
    Washington against one from Beijing), and there only the curvature says that a step
    either way costs it security; linearised, the month's noise in its alignment would
    decide the sign of the step.
    """
    p = world.params
    r = state.replicates
    slope, curvature = _lean_terms(
        view.share,
        leading(world.proximity, 2),
        view.ties.credible,
        state.alignment,
        part.actor,
        per_replicate(p.threat.ally_discount, r),
    )
    pull = p.alignment.inertia * p.decisions.lean_shift * change
    moved = alignment_months(world, view, pull, lasting=True)
    squared = alignment_months(world, view, pull, lasting=True, squared=True)
    terms = slope[:, None] * moved + curvature[:, None] * squared
    out.cost[..., 1] += p.decisions.security_weight * terms


@numba.njit(cache=True, nogil=True)
def _lean_terms(share, proximity, credible, alignment, actors, discount):
    """:func:`_lean`'s slope ``Σ_j w_ij g_ij`` and curvature ``Σ_j w_ij / 4``, ``(R, M)`` each.

    ``w_ij = s_j · prox_ij (1 − d W_ij)`` and ``g_ij = (A_i − A_j)/2`` for each mover ``i``
    of ``actors``; ``proximity`` is ``(1, N, N)``, or ``(R, N, N)`` stacked. One replicate at
    a time (:func:`_lean_row`).
    """
    reps, moves = share.shape[0], actors.size
    slope = np.empty((reps, moves))
    curvature = np.empty((reps, moves))
    for r in range(reps):
        near = proximity[r if proximity.shape[0] > 1 else 0]
        row = (share[r], near, credible[r], alignment[r], actors, discount[r])
        _lean_row(*row, slope[r], curvature[r])
    return slope, curvature


@numba.njit(cache=True, nogil=True)
def _lean_row(share, proximity, credible, alignment, actors, discount, slope, curvature):
    """One replicate of :func:`_lean_terms`, into ``slope`` and ``curvature`` (``(M,)``).

    The arithmetic of the array form it replaced, its sums over j in NumPy's pairwise order
    (:func:`~sim.core.dynamics.state.row_sum`): the same bits.
    """
    n = share.size
    weight = np.empty(n)
    product = np.empty(n)
    for m in range(actors.size):
        a = actors[m]
        for j in range(n):
            w = share[j] * (proximity[a, j] * (1.0 - discount * credible[a, j]))
            weight[j] = w
            product[j] = w * ((alignment[a] - alignment[j]) / 2.0)
        slope[m] = row_sum(product)
        curvature[m] = row_sum(weight) / 4.0


def _recover(world, view, credible, promised, theatre):
    """A :class:`Cover` with other pledges or reach."""
    return cover(world, view.ties, credible, promised, view.capability, theatre)


def _whole(world, view, new_cover, base, actor, then, **replaced) -> None:
    """The change of what ``actor`` bears over all incident dyads under ``new_cover``.

    It is asked of ``base.chains``; ``then(change)`` receives it, ``(R,)``, when they run.
    """
    replaced |= {"deter": new_cover.deter, "embolden": new_cover.embolden}
    # Only the dyads whose covariates change need their chain again: the others' are the
    # baseline's, to the bit.
    changed = np.zeros(world.incident_dyads.size, dtype=np.bool_)
    for name, array in replaced.items():
        _differs(changed, array, COVARIATES[name](view))
    changed = np.flatnonzero(changed)

    def settle(part: np.ndarray, part_severe: np.ndarray) -> None:
        total, severe = base.total.copy(), base.severe.copy()
        total[:, changed], severe[:, changed] = part, part_severe
        after = party_costs(world, view, new_cover, total, severe)[:, actor]
        then(after - base.bears[:, actor])

    base.chains.ask(changed, settle, **{k: v[:, changed] for k, v in replaced.items()})


@numba.njit(cache=True, nogil=True)
def _differs(changed, array, before):
    """Mark in ``changed`` ``(S,)`` the dyads where ``array`` differs from ``before``, in place.

    ``array`` is ``(R, S)``, ``before`` ``(R, S)`` or ``(1, S)``; a dyad differs where some
    replicate's values are not equal (NaN differs, as ``!=`` has it).
    """
    for r in range(array.shape[0]):
        was = before[r if before.shape[0] > 1 else 0]
        for q in range(array.shape[1]):
            if array[r, q] != was[q]:
                changed[q] = True


def _add_escalation(out: Move, m: int, d: int, moved: np.ndarray):
    """A ``then`` for :func:`_whole`: the change lands on move ``m``, direction ``d``, if moved."""

    def land(delta: np.ndarray) -> None:
        out.cost[:, d, m, 0] += np.where(moved, delta, 0.0)

    return land


def _presence(world, state, view, part, values, change, out, base) -> None:
    """Deploy or withdraw forces in a host: theatre reach (deterrence, strength) and friction.

    Only the mover's row of the reach (``theatre_reach``) and the friction of the dyads across
    which it faces an adversary (``presence_friction``) change; both are recomputed there.
    """
    presence = view.terms.presence
    touches, opposed = part.friction
    theatre = view.terms.theatre.copy()  # each move's reach in turn (cover keeps none of it)
    decay = leading(world.decay, 2)
    for d in range(2):
        for m in range(part.idx.size):
            if not (change[:, d, m] != 0).any():
                continue
            a, h = part.actor[m], part.target[m]
            reach, level = _reach_of(presence, a, h, change[:, d, m], decay)  # level: a's in h
            theatre[:, a] = reach
            new_cover = _recover(world, view, view.ties.strength, view.ties.promise, theatre)
            theatre[:, a] = view.terms.theatre[:, a]
            # Friction across (h, j) moves with a's presence in h where a disputes j (§5).
            step = level - presence[:, a, h]
            touched, first, second = touches[m]
            friction = view.presence.copy()
            if first.size:
                friction[:, touched] = _friction(presence, a, h, level, first, second, opposed)
            land = _add_escalation(out, m, d, step != 0)
            _whole(world, view, new_cover, base, a, land, presence=friction)


def _friction_dyads(world: World, actor: np.ndarray, target: np.ndarray) -> tuple:
    """:attr:`_Kind.friction` of deployments of ``actor`` in ``target`` (fixed by the world).

    The friction across an incident dyad (h, j) moves with a's presence in h where a
    disputes j: for each move the mask of those dyads ``(S,)`` and their first and second
    countries; and whether each state disputes with each, as floats ``(N, N)``.
    """
    s = world.incident_dyads
    di, dj = world.dyad_i[s], world.dyad_j[s]
    opposed = world.dispute > 0
    touches = []
    for a, h in zip(actor.tolist(), target.tolist(), strict=True):
        touched = ((di == h) & opposed[a, dj]) | ((dj == h) & opposed[a, di])
        touches.append((touched, world.dyad_i[s[touched]], world.dyad_j[s[touched]]))
    return tuple(touches), opposed.astype(float)


@numba.njit(cache=True, nogil=True)
def _reach_of(presence, a, h, change, decay):
    """``θ_a·``: the reach of state a's forces from home and its hosts, ``(R, N)``.

    a's presence is ``presence[:, a]`` but ``level`` in host ``h``, its presence there moved
    by ``change`` and clipped to [0, 1] (as ``np.clip``: −0 stays −0); a host's reach is
    ``min(presence, 1)`` (home ``+ 1``) times ``decay`` (``(1, N, N)``, or ``(R, N, N)``
    stacked), the largest over the hosts taken in order as the array form's maximum did (the
    same bits).

    Returns:
        The reach, ``(R, N)``, and ``level``, ``(R,)``.
    """
    reps, n = presence.shape[0], presence.shape[1]
    out = np.empty((reps, n))
    level = np.empty(reps)
    bases = np.empty(n)
    for r in range(reps):
        x = presence[r, a, h] + change[r]
        x = 0.0 if x < 0.0 else x
        level[r] = 1.0 if x > 1.0 else x
        fall = decay[r if decay.shape[0] > 1 else 0]
        for k in range(n):
            bases[k] = minimum(level[r] if k == h else presence[r, a, k], 1.0)
        bases[a] = bases[a] + 1.0  # home
        for j in range(n):
            best = bases[0] * fall[0, j]
            for k in range(1, n):
                best = maximum(best, bases[k] * fall[k, j])
            out[r, j] = best
    return out, level


@numba.njit(cache=True, nogil=True)
def _friction(presence, a, h, level, i, j, opposed):
    """Presence friction ``clip(Σ_m P_mi O_mj + P_mj O_mi, 0, 1)`` of dyads (i, j), ``(R, len(i))``.

    ``P`` is ``presence`` with a's presence in h at ``level``; the states ``m`` summed in
    order, each term as the array form added it (the same bits at any batch size).
    """
    reps, n = presence.shape[0], presence.shape[1]
    out = np.empty((reps, i.size))
    for r in range(reps):
        for e in range(i.size):
            total = 0.0
            for m in range(n):
                into_i = level[r] if (m == a and i[e] == h) else presence[r, m, i[e]]
                into_j = level[r] if (m == a and j[e] == h) else presence[r, m, j[e]]
                total += into_i * opposed[m, j[e]] + into_j * opposed[m, i[e]]
            out[r, e] = minimum(maximum(total, 0.0), 1.0)
    return out


def _clarity(world, state, view, part, values, change, out, base) -> None:
    """Clarify or obscure a pledge: its protégés' deterrence and emboldening, and entrapment.

    A pledge's strength grows with its clarity (§4): the hub takes on more of its protégés'
    crisis and war costs as it deters more.
    """
    for d in range(2):
        for m in range(part.idx.size):
            moved = change[:, d, m] != 0
            if not moved.any():
                continue
            a, k = part.actor[m], part.target[m]
            scale = (values[:, m] + change[:, d, m]) / np.maximum(values[:, m], EPS)
            credible, promised = view.ties.strength.copy(), view.ties.promise.copy()
            credible[:, k] *= scale
            promised[:, k] *= scale
            new_cover = _recover(world, view, credible, promised, view.terms.theatre)
            _whole(world, view, new_cover, base, a, _add_escalation(out, m, d, moved))


_SCORERS = {
    "arms": _arms,
    "coercion": _coercion,
    "stance": _stance,
    "channel": _channel,
    "assistance": _inducing(_aid_units),
    "exercises": _inducing(_drill_units),
    "presence": _presence,
    "inducement": _inducing(_aid_units),
    "economic_coercion": _economic,
    "clarity": _clarity,
    "lean": _lean,
}


# --------------------------------------------------------------------------------------------
# Utility, choice and moves


def utilities(
    world: World,
    state: State,
    scores: Scores,
    values: np.ndarray,
    idx: np.ndarray,
    *,
    value: np.ndarray | None = None,
    stake: np.ndarray | None = None,
    o: np.ndarray | None = None,
) -> np.ndarray:
    """``ΔU`` of the moves of the menu's variables ``idx`` (see the module docstring).

    ``value`` is :func:`revealed_value` of the moves, ``stake`` their :func:`lever_stakes`
    and ``o`` :func:`departures` of ``values``, each computed when not given.

    Returns:
        ``(R, len(idx), 2)``; ``-inf`` where a move is not available or not attended to.
    """
    key = ("utilities", idx.dtype.str, idx.tobytes())
    menu, attended = _memo(
        world, key, lambda: (world.menu.take(idx), leading(world.decision_attended[..., idx], 1))
    )
    p = world.params.decisions
    if o is None:
        o = departures(world, state, menu, values)
    if value is None:
        value = revealed_value(world, state, menu, idx, values, scores.change, o=o)
    own = lever_stakes(world, state, idx) if stake is None else stake
    r = state.replicates
    return _gains(
        scores.cost,
        scores.change,
        scores.available,
        attended,
        value,
        np.ascontiguousarray(own),
        o,
        menu.step,
        coefficients(r, p.commitment, p.move_cost),
    )


@numba.njit(cache=True, nogil=True)
def _gains(cost, change, available, attended, value, stake, o, step, coefficient):
    """``ΔU`` of :func:`utilities`, ``(R, V, 2)``: ``-inf`` where not available or attended.

    ``−ΣC + value − κ S ((o + Δ/δ)² − o²) − c S``, ``coefficient`` holding ``κ`` and ``c`` per
    replicate; the cost's three terms added in order. The arithmetic of the array form it
    replaced (the same bits).
    """
    reps, moves = change.shape[0], change.shape[1]
    out = np.empty((reps, moves, 2))
    for r in range(reps):
        commitment, move_cost = coefficient[r]
        seen = attended[r if attended.shape[0] > 1 else 0]
        for m in range(moves):
            own, before = stake[r, m], o[r, m]
            for d in range(2):
                if not (available[r, m, d] and seen[m]):
                    out[r, m, d] = -np.inf
                    continue
                after = before + change[r, m, d] / step[m]
                terms = (cost[r, m, d, 0], cost[r, m, d, 1], cost[r, m, d, 2])
                out[r, m, d] = _gain(
                    terms, value[r, m, d], own, before, after, commitment, move_cost
                )
    return out


@numba.njit(cache=True, nogil=True)
def _gain(cost, value, own, before, after, commitment, move_cost):
    """One move's ``ΔU``: ``−ΣC + value − κ S (after² − before²) − c S``, the terms in order."""
    pull = commitment * own * (after * after - before * before)
    total = cost[0] + cost[1] + cost[2]
    return -total + value - pull - move_cost * own


def prices_now(world: World, state: State, idx: np.ndarray) -> np.ndarray:
    """The revealed prices ``β_±`` of variables ``idx`` this month, ``(R, len(idx), 2)``.

    A stance is priced at the rung its incident is on (the prices of an incident in general
    where there is none).
    """
    row = decision_row(world, state.step)
    key = ("prices", idx.dtype.str, idx.tobytes())
    stance, pair_i, pair_j = _memo(world, key, lambda: _stance_pairs(world, idx))
    return _prices(
        state.replicates,
        leading(world.decision_price[..., row, :, :], 2),
        leading(world.stance_price[..., row, :, :, :], 3),
        idx,
        stance,
        pair_i,
        pair_j,
        state.level,
    )


def _stance_pairs(world: World, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stances among variables ``idx`` (positions in ``idx``), and their dyads' countries."""
    stance = np.flatnonzero(world.menu.kind[idx] == KIND_INDEX["stance"])
    pair = world.menu.dyad[idx[stance]]
    return stance, world.dyad_i[pair], world.dyad_j[pair]


@numba.njit(cache=True, nogil=True)
def _prices(reps, price, by_rung, idx, stance, pair_i, pair_j, level):
    """:func:`prices_now`, ``(R, len(idx), 2)``: the row's prices, a stance's at its rung.

    ``price`` is the row of ``World.decision_price`` and ``by_rung`` of ``stance_price``, each
    with a replicate axis (1, or R stacked); ``stance`` the stances' positions in ``idx``.
    """
    out = np.empty((reps, idx.size, 2))
    for r in range(reps):
        row = price[r if price.shape[0] > 1 else 0]
        rungs = by_rung[r if by_rung.shape[0] > 1 else 0]
        for m in range(idx.size):
            out[r, m, 0] = row[idx[m], 0]
            out[r, m, 1] = row[idx[m], 1]
        for t in range(stance.size):
            rung = level[r, pair_i[t], pair_j[t]]
            if rung > 0:
                m = stance[t]
                out[r, m, 0] = rungs[idx[m], rung, 0]
                out[r, m, 1] = rungs[idx[m], rung, 1]
    return out


def revealed_value(
    world: World,
    state: State,
    menu: Menu,
    idx: np.ndarray,
    values: np.ndarray,
    change: np.ndarray,
    price: np.ndarray | None = None,
    o: np.ndarray | None = None,
) -> np.ndarray:
    """The private value ``V(o + Δ) − V(o)`` of each move of variables ``idx``, ``(R, V, 2)``.

    ``price`` is :func:`prices_now` of the variables and ``o`` :func:`departures` of
    ``values``, each computed when not given.

    ``V(o) = δ (β_+ max(o, 0) + β_− min(o, 0))`` is piecewise linear in the departure ``o``
    from the status quo (in steps ``δ``), kinked there: a move above the status quo is valued
    at ``β_+`` whichever way it goes, one below at ``β_−``, so a step back returns exactly what
    the step out gained, and a partial step at a bound is valued for what it moves.
    """
    if price is None:
        price = prices_now(world, state, idx)
    if o is None:
        o = departures(world, state, menu, values)
    return _values(np.ascontiguousarray(price), o, change, menu.step)


@numba.njit(cache=True, nogil=True)
def _values(price, o, change, step):
    """:func:`revealed_value`'s ``V(o + Δ/δ) − V(o)``, ``(R, V, 2)`` (0 where ``Δ`` is 0).

    ``V(x) = δ (β_+ max(x, 0) + β_− min(x, 0))``; the arithmetic of the array form it replaced
    (the same bits).
    """
    reps, moves = change.shape[0], change.shape[1]
    out = np.zeros((reps, moves, 2))
    for r in range(reps):
        for m in range(moves):
            rise, fall, before = price[r, m, 0], price[r, m, 1], o[r, m]
            now = _kinked(rise, fall, step[m], before)
            for d in range(2):
                if change[r, m, d] != 0.0:
                    after = before + change[r, m, d] / step[m]
                    out[r, m, d] = _kinked(rise, fall, step[m], after) - now
    return out


@numba.njit(cache=True, nogil=True)
def _kinked(rise, fall, step, x):
    """``V(x) = δ (β_+ max(x, 0) + β_− min(x, 0))`` of one variable (:func:`_values`)."""
    return step * (rise * maximum(x, 0.0) + fall * minimum(x, 0.0))


@numba.njit(cache=True, nogil=True)
def _priced_gains(cost, change, available, attended, price, stake, idx, o, step, coefficient, size):
    """:func:`revealed_value` and :func:`utilities` of the scored moves in one pass.

    The variables ``idx`` were scored (``cost``, ``change``, ``available``, ``o`` and
    ``step`` are theirs, ``(R, V', …)``); ``price`` ``(R, V, 2)`` and ``stake`` ``(R, V)``
    are the whole menu's. The arithmetic of :func:`_values` and :func:`_gains` (the same bits).

    Returns:
        The moves' private value, ``(R, V', 2)``, and their ``ΔU`` spread over the whole
        menu, ``(R, size, 2)``: ``-inf`` where not scored, available or attended.
    """
    reps, moves = change.shape[0], change.shape[1]
    value = np.zeros((reps, moves, 2))
    full = np.full((reps, size, 2), -np.inf)
    for r in range(reps):
        commitment, move_cost = coefficient[r]
        seen = attended[r if attended.shape[0] > 1 else 0]
        for m in range(moves):
            v = idx[m]
            rise, fall, own, before = price[r, v, 0], price[r, v, 1], stake[r, v], o[r, m]
            now = _kinked(rise, fall, step[m], before)
            for d in range(2):
                delta = change[r, m, d]
                after = before + delta / step[m]
                if delta != 0.0:
                    value[r, m, d] = _kinked(rise, fall, step[m], after) - now
                if available[r, m, d] and seen[m]:
                    terms = (cost[r, m, d, 0], cost[r, m, d, 1], cost[r, m, d, 2])
                    gain = _gain(terms, value[r, m, d], own, before, after, commitment, move_cost)
                    full[r, v, d] = gain
    return value, full


def lever_stakes(
    world: World, state: State, idx: np.ndarray | None = None, price: np.ndarray | None = None
) -> np.ndarray:
    """Each lever's stake ``S_v``, ``(R, V)`` (or ``(R, len(idx))``).

    ``S_v = max(|β_v| δ_v, attention · Z_i)``: the first-order value of one step at the status
    quo (a stance's at its rung), at least ``attention`` times that of the state's weightiest
    lever — the unit a move is weighed in, so that a lever worth little to the state moves only
    for a gain that matters to it. ``price`` is :func:`prices_now` of the variables, computed
    when not given.
    """
    menu = world.menu
    if idx is None:
        idx = np.arange(menu.size)
    row = decision_row(world, state.step)
    if price is None:
        price = prices_now(world, state, idx)
    weightiest = leading(world.decision_scale[..., row, :], 1)
    attention = per_replicate(world.params.decisions.attention, state.replicates)
    return _stakes(price, menu.step, menu.actor, idx, weightiest, attention)


@numba.njit(cache=True, nogil=True)
def _stakes(price, step, actor, idx, weightiest, attention):
    """:func:`lever_stakes`, ``(R, len(idx))``: ``max(max(|β_+|, |β_−|) δ, attention · Z)``.

    ``weightiest`` is ``Z`` of each state, ``(1, N)`` or ``(R, N)`` stacked; the arithmetic of
    the array form it replaced (the same bits).
    """
    reps = price.shape[0]
    out = np.empty((reps, idx.size))
    for r in range(reps):
        scale = weightiest[r if weightiest.shape[0] > 1 else 0]
        for m in range(idx.size):
            v = idx[m]
            first = maximum(abs(price[r, m, 0]), abs(price[r, m, 1])) * step[v]
            out[r, m] = maximum(first, attention[r] * scale[actor[v]])
    return out


def choose(
    world: World,
    state: State,
    gains: np.ndarray,
    deciders: np.ndarray,
    stake: np.ndarray | None = None,
) -> np.ndarray:
    """Each decider's move by the logit rule: ``(R, len(deciders))`` positions, -1 to hold.

    A position ``2 v + d`` is move ``d`` (0 up, 1 down) of variable ``v``. The logit draw is
    made with Gumbel shocks (the largest of ``λ ΔU / S + g`` wins, ``g`` Gumbel), one per move
    keyed by what the move is (:meth:`~sim.core.dynamics.menu.Menu.identity`) and one per
    state for holding, from the ``DECISION`` stream: a move meets the same shock whichever
    other states decide with it and whatever else a scenario puts on the menu, so paired
    scenarios compare like with like (common random numbers). ``stake`` is
    :func:`lever_stakes` of the whole menu (:attr:`Scores.stake`), computed when not given.
    """
    r = state.replicates
    out = np.full((r, deciders.size), -1, dtype=np.int64)
    layout = _choice_layout(world.menu, world.n, deciders)
    if layout is None:
        return out
    stake = lever_stakes(world, state) if stake is None else stake
    u = draw(state.keys, state.step, layout.plan)[0]
    offered, needed = _offers(gains, stake, layout.order, u, layout.deciding.size, MIN_STAKE)
    lam = leading(world.rationality, 1)
    shocks = _gumbel(needed)
    places = (layout.movers, layout.starts, layout.ends, layout.deciding)
    _pick(offered, layout.order, shocks, lam, *places, out)
    return out


@dataclass(frozen=True)
class _Layout:
    """Where :func:`choose` finds each decider's moves and their draws (fixed by the menu).

    Attributes:
        order: The deciders' moves (positions ``2 v + d``), grouped by decider, each group in
            menu order.
        deciding: The deciders (positions in ``deciders``) with a move on the menu.
        starts: Where each of their groups starts in ``order``.
        ends: Where each ends.
        movers: The actor of each move of ``order``.
        plan: The ``DECISION`` draws: one per deciding state for holding, then one per move
            of ``order``, each keyed by what it is.
    """

    order: np.ndarray
    deciding: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    movers: np.ndarray
    plan: DrawPlan


#: Each menu's :class:`_Layout` by deciders (a menu's structure is fixed; kept while it lives).
_LAYOUTS: weakref.WeakKeyDictionary[Menu, dict[tuple, _Layout | None]] = weakref.WeakKeyDictionary()


def _choice_layout(menu: Menu, n: int, deciders: np.ndarray) -> _Layout | None:
    """The :class:`_Layout` of ``deciders``' moves on ``menu`` (None: they have none)."""
    known = _LAYOUTS.setdefault(menu, {})
    key = (n, deciders.dtype.str, deciders.tobytes())
    if key in known:
        return known[key]
    rank = np.full(n, -1)
    rank[deciders] = np.arange(deciders.size)
    group = rank[np.repeat(menu.actor, 2)]  # each move's decider, -1 if its actor does not decide
    kept = np.flatnonzero(group >= 0)
    order = kept[np.argsort(group[kept], kind="stable")]
    layout = None
    if order.size:
        counts = np.bincount(group[order], minlength=deciders.size)
        deciding = np.flatnonzero(counts)  # deciders with a move on the menu
        starts = np.concatenate([[0], np.cumsum(counts[deciding])[:-1]])
        ends = np.concatenate([starts[1:], [order.size]])
        holds = np.array([hold_identity(i) for i in deciders[deciding].tolist()], dtype=np.int64)
        keys = np.concatenate([holds, menu.identity()[order]])
        plan = DrawPlan.of([(Stream.DECISION, keys)])
        movers = np.repeat(menu.actor, 2)[order]
        layout = _Layout(order, deciding, starts, ends, movers, plan)
    known[key] = layout
    return layout


@numba.njit(cache=True, nogil=True)
def _offers(gains, stake, order, u, holds, least):
    """The deciders' moves in their levers' stakes, and the uniforms their draws need.

    ``ΔU / max(S, least)`` of each move of ``order``, ``(R, len(order))``, and the uniforms
    of :func:`_pick`'s shocks, in the order it reads them: each replicate's ``holds`` for
    holding first, then, replicate by replicate, those of the moves on offer (finite), the
    others' being never read; each clipped to [1e-300, 1 − 1e-16] as ``np.clip`` clips, for
    :func:`_gumbel`'s logarithms.
    """
    reps, count = u.shape[0], order.size
    offered = np.empty((reps, count))
    needed = np.empty(u.size)
    at = 0
    for r in range(reps):
        for k in range(holds):
            needed[at] = _clip_uniform(u[r, k])
            at += 1
    for r in range(reps):
        for c in range(count):
            v, d = order[c] >> 1, order[c] & 1
            value = gains[r, v, d] / maximum(stake[r, v], least)
            offered[r, c] = value
            needed[at] = _clip_uniform(u[r, holds + c])  # kept only if on offer (at moves on)
            at += np.isfinite(value)
    return offered, needed[:at]


@numba.njit(cache=True, nogil=True)
def _clip_uniform(x):
    """``np.clip(x, 1e-300, 1 − 1e-16)`` of one number (a NaN stays NaN)."""
    x = 1e-300 if x < 1e-300 else x
    return 1.0 - 1e-16 if x > 1.0 - 1e-16 else x


@numba.njit(cache=True, nogil=True)
def _pick(offered, order, shocks, lam, movers, starts, ends, deciding, out):
    """The logit draw of :func:`choose`: each group's largest ``λ ΔU/S + g``, if above holding.

    Groups are the deciders' moves (``order[starts[k]:ends[k]]``), ``offered`` their
    ``ΔU/S`` from :func:`_offers` and ``shocks`` the Gumbel shocks of its uniforms; ``lam``
    is ``(1, N)``, or ``(R, N)`` stacked. The first of equal bests wins, as an argmax takes
    it; a move not on offer (``-inf``) is never picked. Into column ``deciding[k]`` of
    ``out``, the group's position ``2 v + d``, left -1 where holding wins.
    """
    reps, groups = offered.shape[0], starts.size
    at = reps * groups  # the moves' shocks follow those for holding
    for r in range(reps):
        rate = lam[r if lam.shape[0] > 1 else 0]
        for k in range(groups):
            best = -np.inf
            pick = -1
            for c in range(starts[k], ends[k]):
                value = offered[r, c]
                on = np.isfinite(value)
                z = rate[movers[c]] * value + (shocks[at] if at < shocks.size else 0.0)
                at += on  # without branching on the offer: it is unpredictable
                if on & (z > best):
                    best, pick = z, order[c]
            if best > shocks[r * groups + k]:
                out[r, deciding[k]] = pick


def hold_identity(i: int) -> int:
    """The draw key of state ``i``'s option to hold (beyond every move's key)."""
    return int(move_key(len(KINDS), i, -1))


def _gumbel(u: np.ndarray) -> np.ndarray:
    """Standard Gumbel shocks ``−log(−log u)``, in place (``u``'s array).

    ``u`` are uniforms clipped to [1e-300, 1 − 1e-16] (:func:`_offers` clips them).
    """
    np.log(u, out=u)
    np.negative(u, out=u)
    np.log(u, out=u)
    return np.negative(u, out=u)


def acceptance(world: World, state: State, scores: Scores, gains: np.ndarray) -> np.ndarray:
    """The chance that each variable's partner accepts its move, ``(R, V)`` (1 but channels).

    A channel opens only if the partner accepts: with the logit probability of its own
    ``ΔU`` for the channel — its move of the same variable if it decides (in that lever's
    stake, with its own cost of moving and posture pull: accepting is a move of its own), else
    what the channel saves it of the dyad's costs, at the default rationality, in the
    proposer's stake for the channel (a partner with no channel lever of its own has none).
    """
    menu = world.menu
    r = state.replicates
    out = np.ones((r, menu.size))
    channels, mirrors = _mirrors(menu)
    if channels.size == 0:
        return out
    stake = lever_stakes(world, state) if scores.stake is None else scores.stake
    at = channels if scores.slots is None else scores.slots[channels]
    lam, lam_0 = leading(world.rationality, 1), per_replicate(world.params.decisions.rationality, r)
    where = (channels, mirrors, at, menu.target[channels])
    z = _acceptance_logits(gains, stake, scores.partner_cost, *where, lam, lam_0, MIN_STAKE)
    _logistic(out, channels, np.exp(z, out=z))
    return out


def _mirrors(menu: Menu) -> tuple[np.ndarray, np.ndarray]:
    """The menu's channels, and each one's mirror (found once per menu).

    A channel's mirror is the partner's variable of the same channel, -1 if it has none.
    """
    known = _MIRRORS.get(menu)
    if known is None:
        channels = menu.of_kind("channel")
        where = {(int(menu.actor[v]), int(menu.target[v])): v for v in channels.tolist()}
        found = [
            where.get((int(menu.target[v]), int(menu.actor[v])), -1) for v in channels.tolist()
        ]
        known = _MIRRORS[menu] = (channels, np.array(found, dtype=np.int64))
    return known


#: Each menu's channels and their mirrors (a menu's structure is fixed; kept while it lives).
_MIRRORS: weakref.WeakKeyDictionary[Menu, tuple[np.ndarray, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


@numba.njit(cache=True, nogil=True)
def _acceptance_logits(
    gains, stake, partner_cost, channels, mirrors, at, target, lam, lam_0, least
):
    """Minus the partner's logit ``z`` of :func:`acceptance` for each channel, ``(R, C)``.

    ``λ_b ΔU_b / S`` of the mirror move where the partner has one and its gain is finite, else
    ``λ_0 (−ΔC_b) / S`` (the channel's saving to the partner, 0 where it was not scored, at
    ``at`` -1), with ``S`` the stake, at least ``least``; ``lam`` is ``(1, N)``, or ``(R, N)``
    stacked. Clipped to ±700 and negated, ready for the exponential. The arithmetic of the
    array form it replaced (the same bits).
    """
    reps, count = gains.shape[0], channels.size
    z = np.empty((reps, count))
    for r in range(reps):
        rate = lam[r if lam.shape[0] > 1 else 0]
        for c in range(count):
            v, mirror = channels[c], mirrors[c]
            own = np.nan
            if mirror >= 0:
                own = gains[r, mirror, 0] / maximum(stake[r, mirror], least)
            if np.isfinite(own):
                logit = rate[target[c]] * own
            else:
                partner = partner_cost[r, at[c], 0] if at[c] >= 0 else 0.0
                logit = lam_0[r] * (-partner / maximum(stake[r, v], least))
            z[r, c] = -minimum(maximum(logit, -700.0), 700.0)
    return z


@numba.njit(cache=True, nogil=True)
def _logistic(out, channels, e):
    """``1 / (1 + e)`` of each channel into its column of ``out`` (``e = exp(−z)``), in place."""
    for r in range(out.shape[0]):
        for c in range(channels.size):
            out[r, channels[c]] = 1.0 / (1.0 + e[r, c])


def apply_choices(
    world: World, state: State, choices: np.ndarray, scores: Scores, gains: np.ndarray
) -> None:
    """Put the chosen moves on the running state, for the replicates that chose them.

    A proposed channel opens if its partner accepts (:attr:`Scores.accept`, drawn from the
    ``ACCEPTANCE`` stream at the proposer); two states that propose the same channel in the
    same month open it once.
    """
    menu = world.menu
    if not (choices >= 0).any():
        return
    drawn = uniforms(state.keys, state.step, Stream.ACCEPTANCE, world.n)
    slots = np.arange(menu.size) if scores.slots is None else scores.slots
    accept = np.ones((state.replicates, menu.size)) if scores.accept is None else scores.accept
    menus = (menu.kind, menu.actor, menu.target, menu.lever)
    fate, moved = _apply(
        choices, *menus, scores.change, slots, accept, drawn, _APPLIED,
        state.overlay, state.posture, state.lean, state.clarity, state.stance, state.retreats,
        state.first_retreat, state.moves, state.step, NEVER,
    )  # fmt: skip
    if moved.shape[0]:
        state.overlay_version += 1
        note_moved(state, moved)  # the levers are summed again there only
    if state.log is not None:
        rows, cols = np.nonzero(fate >= 0)
        for rep, col, number in zip(rows, cols, state.replicate_id(rows), strict=True):
            v, d = divmod(int(choices[rep, col]), 2)
            refused = bool(fate[rep, col])
            record = move_record(
                world, scores, gains, rep, v, d, step=state.step + 1, refused=refused, number=number
            )
            state.log.append(record)


#: The kinds :func:`_apply` tells apart, in its order.
_APPLIED = np.array([KIND_INDEX[name] for name in ("channel", "arms", "lean", "clarity", "stance")])


@numba.njit(cache=True, nogil=True)
def _apply(
    choices, kind, actor, target, lever, change, slots, accept, drawn, codes,
    overlay, posture, lean, clarity, stance, retreats, first_retreat, moves, step, never,
):  # fmt: skip
    """:func:`apply_choices` in place, replicate by replicate, each one's deciders in turn.

    A step up of a channel is refused unless the partner's draw ``drawn[r, a]`` is below its
    chance ``accept``, and not made when the partner opened it this month; a variable not
    scored (``slots`` -1) changes by 0. A stance moves by its change rounded half to even.

    Returns:
        Each choice's fate, ``(R, N)``: 0 made, 1 refused, -1 none or not made; and the
        overlay's entries moved, ``(E, 4)``: replicate, lever kind, actor, partner.
    """
    channel, arms, leaning, clear, standing = codes[0], codes[1], codes[2], codes[3], codes[4]
    reps, n = choices.shape
    fate = np.full((reps, n), -1, dtype=np.int8)
    opened = np.empty((n, 2), dtype=np.int64)  # the channels opened in this replicate
    moved = np.empty((reps * n, 4), dtype=np.int64)
    count_moved = 0
    for r in range(reps):
        count = 0
        for col in range(n):
            position = choices[r, col]
            if position < 0:
                continue
            v, d = position // 2, position % 2
            a, b, at = actor[v], target[v], slots[v]
            delta = change[r, at, d] if at >= 0 else 0.0
            if kind[v] == channel and delta > 0:
                seen = False
                for c in range(count):
                    seen |= opened[c, 0] == b and opened[c, 1] == a
                if seen:  # the partner opened it this month
                    continue
                if not drawn[r, a] < accept[r, v]:
                    fate[r, col] = 1
                    continue
                opened[count, 0], opened[count, 1] = a, b
                count += 1
            fate[r, col] = 0
            if lever[v] >= 0:
                overlay[r, lever[v], a, b] += delta
                moved[count_moved, 0], moved[count_moved, 1] = r, lever[v]
                moved[count_moved, 2], moved[count_moved, 3] = a, b
                count_moved += 1
            elif kind[v] == arms:
                posture[r, a] += delta
            elif kind[v] == leaning:
                lean[r, a] += delta
            elif kind[v] == clear:
                clarity[r, b] += delta
            elif kind[v] == standing:
                stance[r, a, b] += int(np.rint(delta))
                if delta < 0:
                    retreats[r, a] += 1
                    if first_retreat[r, a] == never:
                        first_retreat[r, a] = step
            moves[r, a] += 1
    return fate, moved[:count_moved]


def move_record(
    world: World,
    scores: Scores,
    gains: np.ndarray,
    rep: int,
    v: int,
    d: int,
    *,
    step: int,
    refused: bool = False,
    number: int | None = None,
) -> records.Decision:
    """The record of move ``d`` of variable ``v`` in replicate ``rep``, with the terms of its gain.

    ``rep`` is the replicate's row in ``scores``; ``number`` the index the record names it by
    (default ``rep``).

    The terms are the model's (:data:`TERMS`), the state's private ``value`` of the move
    (:func:`revealed_value`) and the ``posture`` (the pull of the standing posture and the
    cost of moving), so that they sum to the gain.
    """
    menu = world.menu
    kind = KINDS[menu.kind[v]]
    delta = float(scores.scored("change", rep, v, d))
    cost = scores.scored("cost", rep, v, d)
    terms = {name: -float(cost[t]) for t, name in enumerate(TERMS)}
    terms["value"] = float(scores.scored("value", rep, v, d))
    gain = float(gains[rep, v, d])
    terms["posture"] = gain - sum(terms.values())
    a = world.codes[menu.actor[v]]
    if kind == "clarity":
        target = world.alliance_labels[menu.target[v]]
    elif menu.target[v] >= 0:
        target = world.codes[menu.target[v]]
    else:
        target = ""
    return records.Decision(
        replicate=rep if number is None else number,
        step=step,
        decider=a,
        target=target,
        move=MOVES[kind][d],
        kind=kind,
        change=delta,
        gain=gain,
        terms=tuple((name, round(value, 6)) for name, value in terms.items()),
        refused=refused,
    )


def decide(world: World, state: State) -> None:
    """The decision phase of a month: every deciding state scores its menu and moves."""
    scores, gains = evaluate(world, state)
    deciders = _scored(world).deciders
    choices = choose(world, state, gains, deciders, scores.stake)
    apply_choices(world, state, _spread(world, deciders, choices), scores, gains)


def evaluate(world: World, state: State) -> tuple[Scores, np.ndarray]:
    """The scores and ``ΔU`` of every move on the menu this month.

    Only the levers some replicate attends to are scored; the others keep no score and a
    ``ΔU`` of ``-inf`` (never chosen). What a channel saves its proposer counts times the
    chance that the partner accepts (:func:`acceptance`); its political price, the pull of
    the posture and the cost of moving are the proposer's whether or not it is accepted.
    """
    levers = active_levers(world, state)
    ties, cap, threat_matrix, *_ = perceive(world, state, levers)
    view = outlook(world, state, levers, ties, cap, threat_matrix)
    scored = _scored(world)
    idx, menu, everything = scored.idx, scored.menu, scored.everything
    values = current_values(world, state, menu, levers)
    o = departures(world, state, menu, values)  # once, for the changes, values and gains
    part = score_moves(world, state, view, menu, values, o)
    price = prices_now(world, state, everything)  # once, for the value and every stake
    stake = lever_stakes(world, state, everything, price)
    p = world.params.decisions
    # revealed_value and utilities of the scored moves, in one pass
    value, full = _priced_gains(
        part.cost, part.change, part.available, scored.attended, price, stake, idx, o,
        menu.step, coefficients(state.replicates, p.commitment, p.move_cost), everything.size,
    )  # fmt: skip
    fields = {
        "cost": part.cost,
        "change": part.change,
        "available": part.available,
        "partner_cost": part.partner_cost,
        "value": value,
    }
    scores = Scores(**fields, stake=stake, slots=scored.slots)
    accept = acceptance(world, state, scores, full)
    if scored.channels.size:  # what the channel saves needs the partner; seeking it is the mover's
        _channel_savings(full, part.cost, accept, scored.channels, scored.slots)
    return Scores(**fields, accept=accept, stake=stake, slots=scored.slots), full


@dataclass(frozen=True)
class _Scoring:
    """What :func:`evaluate` scores of a world's menu (fixed by the world).

    Attributes:
        idx: The variables some replicate attends to, each kind's together, ``(V',)``.
        menu: The menu of those variables.
        everything: Every variable of the whole menu, ``(V,)``.
        slots: Each variable's place in ``idx``, -1 where it is not scored, ``(V,)``.
        channels: The channels that are scored.
        deciders: The states with a variable on the menu, ascending.
        attended: Whether each replicate attends to each of ``idx``, ``(1, V')``, or
            ``(R, V')`` stacked.
    """

    idx: np.ndarray
    menu: Menu
    everything: np.ndarray
    slots: np.ndarray
    channels: np.ndarray
    deciders: np.ndarray
    attended: np.ndarray


#: Each menu's :class:`_Scoring`, with the attention it was found for (a world's menu and
#: attention are frozen with it; kept while the menu lives).
_SCORINGS: weakref.WeakKeyDictionary[Menu, tuple[object, _Scoring]] = weakref.WeakKeyDictionary()


def _scored(world: World) -> _Scoring:
    """The :class:`_Scoring` of a world's menu and attention, found once."""
    known = _SCORINGS.get(world.menu)
    if known is not None and known[0] is world.decision_attended:
        return known[1]
    attended = np.asarray(world.decision_attended)
    idx = np.flatnonzero(attended if attended.ndim == 1 else attended.any(axis=0))
    idx = idx[np.argsort(world.menu.kind[idx], kind="stable")]  # each kind's moves together
    v = world.menu.size
    slots = np.full(v, -1, dtype=np.int64)
    slots[idx] = np.arange(idx.size)
    channels = world.menu.of_kind("channel")
    channels = channels[slots[channels] >= 0]  # the others keep no score and never move
    deciders = np.unique(world.menu.actor)
    picked = leading(attended[..., idx], 1)
    scoring = _Scoring(idx, world.menu.take(idx), np.arange(v), slots, channels, deciders, picked)
    _SCORINGS[world.menu] = (world.decision_attended, scoring)
    return scoring


@numba.njit(cache=True, nogil=True)
def _channel_savings(full, cost, accept, channels, slots):
    """A proposed channel's saving counted times its acceptance, in place.

    ``ΔU += (1 − a) ΣΔC`` of the step up (the terms summed as NumPy sums a row), and the
    record's terms ``ΔC *= a``: what the channel saves needs the partner, ``a`` the chance it
    accepts (:func:`acceptance`).
    """
    for r in range(full.shape[0]):
        for c in range(channels.size):
            v = channels[c]
            at, a = slots[v], accept[r, v]
            full[r, v, 0] += (1.0 - a) * row_sum(cost[r, at, 0])
            for t in range(cost.shape[3]):
                cost[r, at, 0, t] *= a


def _spread(world: World, deciders: np.ndarray, choices: np.ndarray) -> np.ndarray:
    """Choices of some deciders as one column per state (-1 for the others), ``(R, N)``."""
    out = np.full((choices.shape[0], world.n), -1, dtype=np.int64)
    out[:, deciders] = choices
    return out


def count_coercion(world: World, state: State, levers: np.ndarray) -> None:
    """Add this month's gray-zone coercion of each state, summed over its targets, in place.

    Intensity-months, not months: a state that coerces one neighbour at 0.2 all decade
    counts 24, one that coerces three at full intensity 360, so a campaign's rise and fall
    shows even where a state never stops coercing someone. The sums change only with the
    levers, and after the decisions' moves only in the replicates that moved a coercion
    lever (:func:`~sim.core.dynamics.levers.lever_change`).
    """
    if state.coercing is None:
        return
    cached = state.coercing_cache
    if cached is None or cached[0] is not levers:  # it changes only with the levers
        coercion = LEVER_INDEX["coercion"]
        change = lever_change(state, levers)
        if cached is not None and change is not None and change[0] is cached[0]:
            sums = cached[1]  # the same where the coercion levers are
            if coercion in change[2]:
                rows = change[1]
                some = levers[rows]
                some.flags.writeable = False  # as the tensor is (the kernel's types)
                sums = sums.copy()
                sums[rows] = _coercion_sums(some, coercion)
        else:
            sums = _coercion_sums(levers, coercion)
        cached = state.coercing_cache = (levers, sums)
    state.coercing += cached[1]


@numba.njit(cache=True, nogil=True)
def _coercion_sums(levers, coercion):
    """Each state's coercion summed over its targets, ``(R, N)``, in NumPy's order (row_sum)."""
    out = np.empty((levers.shape[0], levers.shape[2]))
    for r in range(levers.shape[0]):
        for i in range(levers.shape[2]):
            out[r, i] = row_sum(levers[r, coercion, i])
    return out
