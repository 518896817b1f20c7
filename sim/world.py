"""Compile a validated scenario into the arrays the dynamics run on.

A :class:`World` is everything about a run that does not change while it runs: country data,
geography, disputes, the declared alliances, every policy as a lever template, and the event
timeline. Time-varying quantities live in :class:`sim.dynamics.State`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from sim import baseline
from sim.conditions import Condition, parse_condition
from sim.parameters import Parameters
from sim.rng import DrawPlan, Stream
from sim.scenario import (
    ESCALATION_LEVELS,
    Alliance,
    ArmsTransfer,
    CivilNuclear,
    DeconflictionChannel,
    Dialogue,
    EconomicInducement,
    Exercises,
    ForwardPresence,
    GrayZoneCoercion,
    PolicyEvent,
    Scenario,
    SecurityAssistance,
    TaskForce,
    TradeAgreement,
)
from sim.scenario import (
    Ceasefire as CeasefirePolicy,
)

#: The random streams every month draws from, in the order of :attr:`World.month_draws`.
MONTH_STREAMS = (
    Stream.ALIGNMENT_A,
    Stream.ALIGNMENT_B,
    Stream.INCIDENT,
    Stream.ESCALATION,
    Stream.RESPONSE,
)

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
    "ceasefire",  # ceasefire strength
    "dialogue",  # dialogue strength
    "transfer",  # 1 where a delivers arms to b (deliveries carry the amounts)
)
LEVER_INDEX = {name: i for i, name in enumerate(LEVERS)}

_LEVER_OF = {
    SecurityAssistance: ("assistance", lambda p: p.usd_m_per_year / 1000.0),
    EconomicInducement: ("inducement", lambda p: p.usd_m_per_year / 1000.0),
    Exercises: ("exercises", lambda p: p.per_year),
    TradeAgreement: ("trade", lambda p: p.trade_share_delta),
    CivilNuclear: ("nuclear", lambda p: p.strength),
    ForwardPresence: ("presence", lambda p: p.level),
    DeconflictionChannel: ("channel", lambda p: p.strength),
    GrayZoneCoercion: ("coercion", lambda p: p.intensity),
    CeasefirePolicy: ("ceasefire", lambda p: p.strength),
    Dialogue: ("dialogue", lambda p: p.strength),
    ArmsTransfer: ("transfer", lambda p: 1.0),
}

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


@dataclass(frozen=True)
class World:
    """Static arrays of one scenario (N countries, K alliances, P policies, D deliveries).

    ``donors`` are the countries any policy lets give aid, inducements, nuclear cooperation or
    arms, and ``traders`` those with trade deals: the dynamics sum those levers over these rows
    only (the others are zero).

    ``lever_overrides`` is set only on the world of stacked sweep samples (:mod:`sim.batch`):
    the policies whose lever templates differ between the samples, ``(Q,)``, and their
    templates per replicate, ``(R, Q, L, N, N)``, which replace those rows of ``levers``.
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
    ceiling: np.ndarray
    dyad_i: np.ndarray
    dyad_j: np.ndarray
    salience: np.ndarray
    alliance_names: tuple[str, ...]
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
    donors: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    traders: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    grievance: np.ndarray = field(default_factory=lambda: np.zeros(0))
    alignment_anchor: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lever_overrides: tuple[np.ndarray, np.ndarray] | None = None

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


def _type_weight(params: Parameters, kind: str) -> float:
    return getattr(params.alliances, f"{kind}_weight")


def _default_hub(members: list[str]) -> str:
    for pole in (baseline.US, baseline.CHINA):
        if pole in members:
            return pole
    return members[0]


def _country_arrays(scenario: Scenario) -> dict[str, np.ndarray]:
    countries = baseline.countries()
    year = scenario.baseline_year
    if year == 2023:
        alignment = baseline.alignment_from_ideal_points(2023)
        gdp = [c.gdp_usd_bn for c in countries]
        milex = [c.milex_usd_bn for c in countries]
    else:  # a hindcast start: that year's ideal points, GDP and spending
        alignment = baseline.observed_alignment(year)
        past = baseline.history(year)
        gdp = [past[c.iso3][0] for c in countries]
        milex = [past[c.iso3][1] for c in countries]
    arrays = {
        "gdp": np.array(gdp),
        "milex0": np.array(milex),
        "alignment0": np.array([alignment[c.iso3] for c in countries]),
        "trade_china": np.array([c.trade_china_share for c in countries]),
        "trade_us": np.array([c.trade_us_share for c in countries]),
    }
    names = {
        "gdp_usd_bn": "gdp",
        "milex_usd_bn": "milex0",
        "alignment": "alignment0",
        "trade_china_share": "trade_china",
        "trade_us_share": "trade_us",
    }
    codes = baseline.country_codes()
    for code, override in scenario.countries.items():
        for key, target in names.items():
            value = getattr(override, key)
            if value is not None:
                arrays[target][codes.index(code)] = value
    return arrays


def compile_world(scenario: Scenario) -> World:
    """Turn a validated scenario into a :class:`World` ready to simulate.

    Also computes the anchors (Richardson grievances and alignment dispositions) that make the
    reference world — the scenario's countries with the ATOP 2018 treaty network and no
    policies — a steady state (see ``docs/model.md``, "Anchoring").

    Args:
        scenario: A validated scenario.

    Returns:
        The compiled world.
    """
    world = _compile(scenario, scenario.alliances, scenario.policies, scenario.events)
    reference = _compile(scenario, _reference_alliances(), {}, {})
    from sim.dynamics import anchors  # the dynamics depend on World, not the reverse

    grievance, alignment_anchor = anchors(reference)
    return replace(world, grievance=grievance, alignment_anchor=alignment_anchor)


def _reference_alliances() -> dict[str, Alliance]:
    return {
        f"atop_{t.a}_{t.b}".lower(): Alliance(
            type=t.type, members=[t.a, t.b], hub=_default_hub([t.a, t.b]), source=t.source
        )
        for t in baseline.treaties()
    }


def _compile(scenario: Scenario, alliances, policies, events) -> World:
    params = scenario.parameters
    codes = baseline.country_codes()
    n = len(codes)
    idx = {c: i for i, c in enumerate(codes)}
    arrays = _country_arrays(scenario)
    countries = baseline.countries()

    distance = np.array([[baseline.distance_km(a, b) for b in countries] for a in countries])
    reach = (arrays["milex0"] / arrays["milex0"].max()) ** params.threat.reach_exponent
    # Exposure of i to j's power: local if near, j's projection reach if far (Boulding).
    proximity = np.maximum(np.exp(-distance / params.threat.distance_scale_km), reach[None, :])
    np.fill_diagonal(proximity, 0.0)

    dispute = np.zeros((n, n))
    dispute_kind = {}
    for d in baseline.disputes():
        i, j = idx[d.a], idx[d.b]
        dispute[i, j] = dispute[j, i] = d.intensity
        dispute_kind[(min(i, j), max(i, j))] = d.kind

    share_gdp = arrays["milex0"] / arrays["gdp"]
    ceiling = np.maximum(params.arms.ceiling_share_gdp, 2.0 * share_gdp) * arrays["gdp"]

    dyad_i, dyad_j = np.triu_indices(n, k=1)
    share0 = arrays["milex0"] / arrays["milex0"].sum()
    # Regional tension weights a dyad by its great-power weight and by its dispute.
    salience = np.sqrt(share0[dyad_i] * share0[dyad_j]) * (0.25 + dispute[dyad_i, dyad_j])
    salience = salience / salience.sum()

    # Alliances: declared ones first, then one per task-force policy (declared or in events).
    all_alliances: list[tuple[str, Alliance]] = list(alliances.items())
    policy_items = list(policies.items())
    event_policies = [
        (f"{name}.policy", ev.policy) for name, ev in events.items() if isinstance(ev, PolicyEvent)
    ]
    policy_alliance = []
    for pname, policy in policy_items + event_policies:
        if isinstance(policy, TaskForce):
            members = [policy.actor, *policy.partners]
            all_alliances.append(
                (
                    pname,
                    Alliance(
                        type="task_force",
                        members=members,
                        hub=policy.actor,
                        commitment=policy.commitment,
                        start=policy.start,
                        end=policy.end,
                    ),
                )
            )
            policy_alliance.append(len(all_alliances) - 1)
        else:
            policy_alliance.append(-1)

    k = len(all_alliances)
    members0 = np.zeros((k, n), dtype=bool)
    hub = np.zeros(k, dtype=np.int64)
    for a, (_, alliance) in enumerate(all_alliances):
        for code in alliance.members:
            members0[a, idx[code]] = True
        hub[a] = idx[alliance.hub or _default_hub(alliance.members)]
    n_declared_policies = len(policy_items)
    alliance_start0 = np.array([al.start for _, al in all_alliances], dtype=np.int64)
    alliance_end0 = np.array(
        [NEVER if al.end is None else al.end for _, al in all_alliances], dtype=np.int64
    )
    for p, a in enumerate(policy_alliance):
        if a >= 0 and p >= n_declared_policies:  # task forces inside events wait for the event
            alliance_start0[a] = alliance_end0[a] = NEVER

    # Policies: one lever template each; policies inside events start NEVER until fired.
    all_policies = policy_items + event_policies
    levers = np.zeros((len(all_policies), len(LEVERS), n, n))
    deliveries: list[tuple[int, int, float]] = []
    for p, (_, policy) in enumerate(all_policies):
        if isinstance(policy, TaskForce):  # joint patrols: a rotational presence
            for partner in policy.partners:
                presence = params.alliances.task_force_presence
                levers[p, LEVER_INDEX["presence"], idx[policy.actor], idx[partner]] = presence
            continue
        lever, magnitude = _LEVER_OF[type(policy)]
        for partner in policy.partners:
            levers[p, LEVER_INDEX[lever], idx[policy.actor], idx[partner]] = magnitude(policy)
        if isinstance(policy, ArmsTransfer):
            deliveries += [(p, d.after, d.value_usd_m / 1000.0) for d in policy.deliveries]
    policy_start0 = np.array(
        [
            pol.start if p < n_declared_policies else NEVER
            for p, (_, pol) in enumerate(all_policies)
        ],
        dtype=np.int64,
    )
    policy_end0 = np.array(
        [
            (NEVER if pol.end is None else pol.end) if p < n_declared_policies else NEVER
            for p, (_, pol) in enumerate(all_policies)
        ],
        dtype=np.int64,
    )

    alliance_index = {name: a for a, (name, _) in enumerate(all_alliances)}
    compiled_events = []
    event_policy_index = {
        name: n_declared_policies + i for i, (name, _) in enumerate(event_policies)
    }
    for name, ev in events.items():
        common = {
            "name": name,
            "kind": ev.kind,
            "step": ev.step,
            "condition": parse_condition(ev.when) if ev.when else None,
            "once": ev.once,
        }
        extra: dict = {}
        if ev.kind == "incident":
            extra = {
                "dyad": (idx[ev.actors[0]], idx[ev.actors[1]]),
                "level": ESCALATION_LEVELS.index(ev.level) + 1,
            }
        elif ev.kind == "tension_shock":
            extra = {"dyad": (idx[ev.actors[0]], idx[ev.actors[1]]), "value": ev.delta}
        elif ev.kind in ("join_alliance", "leave_alliance"):
            extra = {"alliance": alliance_index[ev.alliance], "country": idx[ev.country]}
        elif ev.kind == "set_commitment":
            extra = {"alliance": alliance_index[ev.alliance], "value": ev.value}
        elif ev.kind == "credibility_shock":
            extra = {"alliance": alliance_index[ev.alliance], "value": ev.delta}
        elif ev.kind == "policy":
            extra = {"policy": event_policy_index[f"{name}.policy"], "duration": ev.duration}
        compiled_events.append(CompiledEvent(**common, **extra))

    return World(
        name=scenario.name,
        horizon=scenario.horizon,
        seed=scenario.seed,
        params=params,
        codes=codes,
        gdp=arrays["gdp"],
        milex0=arrays["milex0"],
        alignment0=arrays["alignment0"],
        trade_china=arrays["trade_china"],
        trade_us=arrays["trade_us"],
        asean=np.array([c.asean for c in countries]),
        pole=np.isin(np.array(codes), [baseline.US, baseline.CHINA]),
        us=idx[baseline.US],
        china=idx[baseline.CHINA],
        proximity=proximity,
        dispute=dispute,
        dispute_kind=dispute_kind,
        ceiling=ceiling,
        dyad_i=dyad_i,
        dyad_j=dyad_j,
        salience=salience,
        alliance_names=tuple(name for name, _ in all_alliances),
        alliance_types=tuple(al.type for _, al in all_alliances),
        type_weight=np.array([_type_weight(params, al.type) for _, al in all_alliances]),
        defence=np.array([al.type in DEFENCE_TYPES for _, al in all_alliances], dtype=bool),
        task_force=np.array([al.type == "task_force" for _, al in all_alliances], dtype=bool),
        hub=hub,
        members0=members0,
        commitment0=np.array([al.commitment for _, al in all_alliances], dtype=float),
        interoperability0=np.array([al.interoperability for _, al in all_alliances], dtype=float),
        credibility0=np.array([al.credibility for _, al in all_alliances], dtype=float),
        alliance_start0=alliance_start0,
        alliance_end0=alliance_end0,
        policy_names=tuple(name for name, _ in all_policies),
        policy_kinds=tuple(pol.kind for _, pol in all_policies),
        policy_actor=np.array([idx[pol.actor] for _, pol in all_policies], dtype=np.int64),
        policy_start0=policy_start0,
        policy_end0=policy_end0,
        policy_alliance=np.array(policy_alliance, dtype=np.int64),
        levers=levers,
        delivery_policy=np.array([d[0] for d in deliveries], dtype=np.int64),
        delivery_after=np.array([d[1] for d in deliveries], dtype=np.int64),
        delivery_value=np.array([d[2] for d in deliveries], dtype=float),
        events=tuple(compiled_events),
        donors=_acting_rows(levers, ("assistance", "inducement", "nuclear", "transfer")),
        traders=_acting_rows(levers, ("trade",)),
    )


def _acting_rows(levers: np.ndarray, kinds: tuple[str, ...]) -> np.ndarray:
    """Countries (rows) with a nonzero lever of one of ``kinds`` in any policy."""
    chosen = levers[:, [LEVER_INDEX[k] for k in kinds]]  # (P, k, N, N)
    return np.nonzero(chosen.any(axis=(0, 1, 3)))[0].astype(np.int64)
