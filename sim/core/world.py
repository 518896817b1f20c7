"""The compiled scenario: everything about a run that does not change while it runs.

A :class:`World` holds country data, geography, disputes, the declared alliances, every policy
as a lever template, and the event timeline, as arrays indexed by country, alliance, policy
and dyad. :func:`sim.core.compile.compile_world` builds it from a validated scenario; the
time-varying quantities live in :class:`sim.core.dynamics.state.State`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from sim.core.dynamics.menu import Menu
from sim.core.rng import DrawPlan, Stream
from sim.scenario.conditions import Condition
from sim.scenario.parameters import Parameters

#: The random streams every month draws from, in the order of :attr:`World.month_draws`.
MONTH_STREAMS = (
    Stream.ALIGNMENT_A,
    Stream.ALIGNMENT_B,
    Stream.INCIDENT,
    Stream.ESCALATION,
    Stream.RESPONSE,
)

#: Kinds of dispute stake (``seeds/disputes.csv`` column ``issue``), in the order of
#: :attr:`World.dispute_issue` codes; a dyad without a dispute has code -1.
ISSUES = ("land", "maritime", "sovereignty", "rivalry")

#: A month that never comes: start/end of things not (yet) in force.
NEVER = 10**9

#: Lever kinds, in the order of the lever tensor's second axis. Entry ``[a, b]`` is actor ``a``
#: acting on partner ``b``.
LEVERS = (
    "assistance",  # US$ bn/yr of security assistance
    "inducement",  # US$ bn/yr of economic inducements
    "exercises",  # joint exercises per year
    "trade",  # added trade share of b with a
    "nuclear",  # civil nuclear cooperation strength
    "presence",  # a's forward presence in b, 0–1
    "channel",  # deconfliction channel strength
    "coercion",  # a's gray-zone coercion of b, 0–1
    "economic",  # a's economic coercion of b (sanctions, boycotts), 0–1
    "ceasefire",  # ceasefire strength
    "dialogue",  # dialogue strength
    "transfer",  # 1 where a delivers arms to b (deliveries carry the amounts)
)
LEVER_INDEX = {name: i for i, name in enumerate(LEVERS)}

#: Alliance types whose ties carry a defence pledge.
DEFENCE_TYPES = ("bilateral_treaty", "collective_defence")


@dataclass(frozen=True)
class CompiledEvent:
    """An event with its references resolved to indices.

    Attributes:
        name: The event's key in the scenario.
        kind: Event kind.
        step: Firing month, or None for a conditional event.
        condition: Parsed ``when`` condition, or None.
        once: Whether a conditional event fires at most once per replicate.
        dyad: Country indices for incidents and tension shocks.
        level: Escalation level (1–5) for incidents.
        alliance: Alliance index for membership, commitment and credibility events.
        country: Country index for membership events.
        value: Commitment value or shock size.
        policy: Policy index for policy events.
        duration: Months a policy event stays in force (None: to the end).
        when: The ``when`` condition as written, or None.
        partners: The partners of a policy event's policy (ISO3 codes).
        source: The event's cited sources.
        note: The event's note.
    """

    name: str
    kind: str
    step: int | None
    condition: Condition | None
    once: bool
    dyad: tuple[int, int] = (-1, -1)
    level: int = 0
    alliance: int = -1
    country: int = -1
    value: float = 0.0
    policy: int = -1
    duration: int | None = None
    when: str | None = None
    partners: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class CompiledMove:
    """A move played into the run (``moves:``, or a game's accepted move), resolved to indices.

    Attributes:
        label: Its name in records and a game's log (``moves[3]``: its place in the run's moves).
        kind: The move's kind (``docs/scenarios.md``, ``moves``).
        month: The month it acts from (at the start of that month).
        end: The month a lever is taken back off (exclusive); ``NEVER`` for the rest of the run.
        actor: The state that makes it (-1 for none).
        partners: The states it acts on.
        lever: The lever it adds to (index into ``LEVERS``), or -1 for a move that is not a lever.
        value: Its size in the model's unit (US$ bn for money; see the kind).
        level: An incident's rung (1–5).
        alliance: The alliance it acts on, or -1.
        variable: The decision kind an overrule sets back (``coercion``, ``arms``…).
        duration: Months a lever stays in force as written (None: to the end), for records.
        source: Its cited sources.
        note: Its note.
    """

    label: str
    kind: str
    month: int
    end: int = NEVER
    actor: int = -1
    partners: tuple[int, ...] = ()
    lever: int = -1
    value: float = 0.0
    level: int = 0
    alliance: int = -1
    variable: str = ""
    duration: int | None = None
    source: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class World:
    """Static arrays of one scenario (N countries, K alliances, P policies, D deliveries).

    ``donors`` are the countries that may give aid, inducements, nuclear cooperation or arms,
    and ``traders`` those that may make trade deals: the dynamics sum those levers over these
    rows only. Every state may, by a move (a game's, or its decision rule's), so both are every
    state (:func:`sim.core.compile.compile_world`).

    ``moves`` are the moves played into the run (``moves:``), applied at the start of their
    month by :func:`sim.core.dynamics.played.play_moves`.

    ``alliance_labels`` name each alliance as a reader knows it: a declared alliance by its key,
    a task force by the policy (or the event) that creates it; ``alliance_names`` are the unique
    keys (a task force inside an event is ``<event>.policy``).

    The ``reference_*``, ``*0`` initial and ``alignment_anchor`` arrays come from the world held
    at rest (``docs/model.md``, "Anchoring"): the status quo, or the scenario's own month 0.
    Arrays indexed by month (``burden_path``, ``reference_*``, ``alignment_anchor``) run from
    month 0 to the horizon; later months read the horizon's row.

    The decision rule (``docs/model.md`` §9) reads ``menu`` (the decision variables,
    :mod:`sim.core.dynamics.menu`), ``menu_width`` (the most variables one state has), each
    state's ``rationality``, the ``decision_interval`` and ``decision_lookahead`` in months, and
    the revealed-preference ``decision_price`` ``(decisions, V, 2)`` (a step up, a step down),
    a stance's price at each rung ``stance_price`` ``(decisions, V, 6, 2)`` and
    ``decision_scale`` ``(decisions, N)``, one row per decision month, and
    ``decision_attended`` ``(V,)``, the levers a state attends to (the others stay on the menu,
    so that samples of a sweep share its structure, but are never moved).

    ``propensity`` ``(N, N)`` is each dispute dyad's incident propensity ``ψ``
    (:func:`sim.scenario.baseline.propensities`; one for every other pair), a factor of its
    incident hazard (``docs/model.md`` §5).

    ``lever_overrides`` is set only on the world of stacked sweep samples (:mod:`sim.core.batch`):
    the policies whose lever templates differ between the samples, ``(Q,)``, and their
    templates per replicate, ``(R, Q, L, N, N)``, which replace those rows of ``levers``.
    ``stacked`` is the replicate count of such a world (its per-replicate arrays are that long,
    so it is advanced whole); 0 for a scenario's own world.
    """

    name: str
    horizon: int
    seed: int
    params: Parameters
    codes: tuple[str, ...]
    gdp: np.ndarray
    milex0: np.ndarray
    alignment0: np.ndarray
    trade_china: np.ndarray
    trade_us: np.ndarray
    asean: np.ndarray
    pole: np.ndarray
    us: int
    china: int
    proximity: np.ndarray
    dispute: np.ndarray
    dispute_kind: dict[tuple[int, int], str]
    dyad_i: np.ndarray
    dyad_j: np.ndarray
    salience: np.ndarray
    alliance_names: tuple[str, ...]
    alliance_labels: tuple[str, ...]
    alliance_types: tuple[str, ...]
    type_weight: np.ndarray
    defence: np.ndarray
    task_force: np.ndarray
    hub: np.ndarray
    members0: np.ndarray
    commitment0: np.ndarray
    interoperability0: np.ndarray
    credibility0: np.ndarray
    alliance_start0: np.ndarray
    alliance_end0: np.ndarray
    policy_names: tuple[str, ...]
    policy_kinds: tuple[str, ...]
    policy_actor: np.ndarray
    policy_start0: np.ndarray
    policy_end0: np.ndarray
    policy_alliance: np.ndarray
    levers: np.ndarray
    delivery_policy: np.ndarray
    delivery_after: np.ndarray
    delivery_value: np.ndarray
    events: tuple[CompiledEvent, ...]
    moves: tuple[CompiledMove, ...] = ()
    donors: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    traders: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    growth: np.ndarray = field(default_factory=lambda: np.zeros(0))
    burden_path: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    burden_low: np.ndarray = field(default_factory=lambda: np.zeros(0))
    burden_high: np.ndarray = field(default_factory=lambda: np.zeros(0))
    regional: np.ndarray = field(default_factory=lambda: np.zeros(0))
    decay: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    nuclear_dyad: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    trade_share: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    dispute_issue: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int8))
    propensity: np.ndarray = field(default_factory=lambda: np.ones((0, 0)))
    against: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    clarity0: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reference_ratio: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    reference_path: np.ndarray | None = None
    reference_abandonment: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    alignment_anchor: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    reference_share: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    reference_exercises: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    reference_presence: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    tension0: np.ndarray | None = None
    memory0: np.ndarray | None = None
    level_cdf: np.ndarray | None = None
    lever_overrides: tuple[np.ndarray, np.ndarray] | None = None
    menu: Menu = field(default_factory=Menu.empty)
    menu_width: int = 0
    rationality: np.ndarray = field(default_factory=lambda: np.zeros(0))
    decision_interval: int = 3
    decision_lookahead: int = 6
    decision_price: np.ndarray = field(default_factory=lambda: np.zeros((1, 0, 2)))
    stance_price: np.ndarray = field(default_factory=lambda: np.zeros((1, 0, 6, 2)))
    decision_scale: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    decision_attended: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    stacked: int = 0

    @cached_property
    def dispute_partners(self) -> np.ndarray:
        """Each country's disputed partners, ``(N, M)``, padded with the country itself.

        The padding reads the zero diagonal of a dyad matrix, so the largest of a country's
        entries gathered along these indices is its worst dispute tension (zero with no
        dispute).
        """
        disputed = self.dispute > 0
        width = max(1, int(disputed.sum(axis=1).max()))
        partners = np.repeat(np.arange(self.n)[:, None], width, axis=1)
        for i in range(self.n):
            found = np.flatnonzero(disputed[i])
            partners[i, : len(found)] = found
        return partners

    @cached_property
    def incident_dyads(self) -> np.ndarray:
        """Upper-triangle dyads where an incident can ever start or be injected.

        A dispute, a coercion policy (in force or not) or an incident event between the two.
        Elsewhere the incident hazard is exactly zero and no event sets a level, so the dyad
        stays calm and the dynamics skip it.
        """
        possible = self.dispute > 0
        if self.levers.size:
            coercion = self.levers[:, LEVER_INDEX["coercion"]].any(axis=0)
            possible = possible | coercion | coercion.T
        for event in self.events:
            if event.kind == "incident":
                i, j = event.dyad
                possible[i, j] = possible[j, i] = True
        return np.flatnonzero(possible[self.dyad_i, self.dyad_j])

    @cached_property
    def event_calendar(self) -> tuple[dict[int, tuple[int, ...]], tuple[int, ...]]:
        """Which events can fire when: the scheduled ones by month, and the conditional ones.

        A month reads only its own events, so a scenario with thousands of them costs no more
        per month than one with a few.
        """
        scheduled: dict[int, list[int]] = {}
        conditional = []
        for e, event in enumerate(self.events):
            if event.condition is None:
                scheduled.setdefault(int(event.step), []).append(e)  # type: ignore[arg-type]
            else:
                conditional.append(e)
        return {t: tuple(v) for t, v in scheduled.items()}, tuple(conditional)

    @cached_property
    def month_draws(self) -> DrawPlan:
        """The random draws every month takes, in the order of :data:`MONTH_STREAMS`.

        Alignment noise takes draws ``0 … N−1`` of its two streams, incidents and escalation
        the draws of :attr:`incident_dyads`, alliance responses draws ``0 … K−1``.
        """
        sizes = (self.n, self.n, self.incident_dyads, self.incident_dyads, len(self.alliance_names))
        return DrawPlan.of(list(zip(MONTH_STREAMS, sizes, strict=True)))

    @property
    def n(self) -> int:
        """Number of countries."""
        return len(self.codes)

    def index(self, code: str) -> int:
        """Return the array index of an ISO3 code."""
        return self.codes.index(code)

    def dyad_index(self, i: int, j: int) -> int:
        """Return the position of dyad {i, j} among the upper-triangle dyads."""
        a, b = min(i, j), max(i, j)
        return int(np.nonzero((self.dyad_i == a) & (self.dyad_j == b))[0][0])
