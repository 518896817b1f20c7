"""Compile a validated scenario into the :class:`~sim.core.world.World` the dynamics run on.

Declared alliances come first, then one task-force alliance per task-force policy; every policy
(declared, or inside an event) becomes a lever template; events get their references resolved
to indices. The anchors that hold the reference world at rest come from
:func:`sim.core.dynamics.anchoring.anchors` (``docs/model.md``, "Anchoring").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from sim.core.dynamics.anchoring import anchors
from sim.core.dynamics.menu import KINDS, LEVER_OF, Eligibility, build_menu
from sim.core.dynamics.preferences import preferences
from sim.core.world import (
    DEFENCE_TYPES,
    ISSUES,
    LEVER_INDEX,
    LEVERS,
    NEVER,
    CompiledEvent,
    CompiledMove,
    World,
)
from sim.scenario import baseline, observed
from sim.scenario.conditions import parse_condition
from sim.scenario.ladder import ESCALATION_LEVELS
from sim.scenario.loader import status_quo
from sim.scenario.parameters import Parameters
from sim.scenario.schema import (
    Alliance,
    ArmsTransfer,
    CivilNuclear,
    DeconflictionChannel,
    Dialogue,
    EconomicCoercion,
    EconomicInducement,
    Exercises,
    ForwardPresence,
    GrayZoneCoercion,
    PlayedMove,
    PolicyEvent,
    Scenario,
    SecurityAssistance,
    TaskForce,
    TradeAgreement,
)
from sim.scenario.schema import (
    Ceasefire as CeasefirePolicy,
)
from sim.scenario.script import unscripted

#: The lever of each move in array form that adds one, and the factor from its value's unit to
#: the lever's (money: US$ m to US$ bn), as for the policy of the same kind.
MOVE_LEVERS = {
    "security_assistance": ("assistance", 1000.0),
    "economic_inducement": ("inducement", 1000.0),
    "exercises": ("exercises", 1.0),
    "trade_agreement": ("trade", 1.0),
    "civil_nuclear": ("nuclear", 1.0),
    "forward_presence": ("presence", 1.0),
    "deconfliction_channel": ("channel", 1.0),
    "gray_zone_coercion": ("coercion", 1.0),
    "economic_coercion": ("economic", 1.0),
    "ceasefire": ("ceasefire", 1.0),
    "dialogue": ("dialogue", 1.0),
}

_LEVER_OF = {
    SecurityAssistance: ("assistance", lambda p: p.usd_m_per_year / 1000.0),
    EconomicInducement: ("inducement", lambda p: p.usd_m_per_year / 1000.0),
    Exercises: ("exercises", lambda p: p.per_year),
    TradeAgreement: ("trade", lambda p: p.trade_share_delta),
    CivilNuclear: ("nuclear", lambda p: p.strength),
    ForwardPresence: ("presence", lambda p: p.level),
    DeconflictionChannel: ("channel", lambda p: p.strength),
    GrayZoneCoercion: ("coercion", lambda p: p.intensity),
    EconomicCoercion: ("economic", lambda p: p.intensity),
    CeasefirePolicy: ("ceasefire", lambda p: p.strength),
    Dialogue: ("dialogue", lambda p: p.strength),
    ArmsTransfer: ("transfer", lambda p: 1.0),
}


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
    if year == 2023:  # the 2025 world: the last year of the security-alignment record
        alignment = observed.starting_alignment()
        gdp = [c.gdp_usd_bn for c in countries]
        milex = [c.milex_usd_bn for c in countries]
    else:  # a hindcast start: that year's security alignment, GDP and spending
        alignment = observed.starting_alignment(year)
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


def compile_world(
    scenario: Scenario,
    *,
    rest: Scenario | None = None,
    propensity: Mapping[tuple[str, str], float] | None = None,
) -> World:
    """Turn a validated scenario into a :class:`World` ready to simulate.

    Also computes, on the world held at rest (the status quo, or the scenario's own month 0;
    see :func:`reference_setup`), the stationary incident process the run starts in and the
    status-quo paths that anchor the dynamics (``docs/model.md``, "Anchoring").

    Args:
        scenario: A validated scenario.
        rest: The scenario whose rest state anchors this one, if not the one its ``anchor``
            names (to measure a policy against a scenario without it from the same rest).
        propensity: Each dispute dyad's incident propensity, keyed ``(a, b)`` (default: the
            shipped :func:`sim.scenario.baseline.propensities`; a dyad not given has one).
            Only the fit of the propensities (:mod:`sim.studies.propensity`) sets it.

    Returns:
        The compiled world.
    """
    fixed = [c for c in baseline.country_codes() if scenario.decisions.strategy_of(c) == "fixed"]
    if fixed:  # a fixed state holds its month-0 posture: its own timed entries are left out
        scenario = unscripted(scenario, fixed)[0]
    kappa = baseline.propensities() if propensity is None else propensity
    world = _compile(scenario, scenario.alliances, scenario.policies, scenario.events, kappa)
    alliances, policies = reference_setup(scenario if rest is None else rest)
    reference = _compile(scenario, alliances, policies, {}, kappa, departures=False)
    rested = anchors(reference, scenario.horizon)
    world = replace(world, **rested, **_decision_setup(scenario, world, policies))
    if world.menu.size:
        found = preferences(replace(reference, **rested), world)
        world = replace(world, decision_attended=found.pop("kept"), **found)
    if scenario.moves:
        moves = tuple(compile_move(world, m, f"moves[{i}]") for i, m in enumerate(scenario.moves))
        world = replace(world, moves=moves)
    return world


class NeedsCompilingError(ValueError):
    """A move that would change what is compiled (where incidents can happen): not array form."""


def compile_move(world: World, move: PlayedMove, label: str) -> CompiledMove:
    """A move in array form resolved against a compiled world (its states, levers, alliances).

    Args:
        world: The compiled world the move is played into.
        move: The move, validated.
        label: Its name in records (``moves[3]``).

    Raises:
        NeedsCompilingError: For an incident or gray-zone pressure between two states where no
            incident can happen in this world (``World.incident_dyads`` is compiled).
        ValueError: For an alliance this world does not have.
    """
    idx = {c: i for i, c in enumerate(world.codes)}
    actor = idx[move.actor] if move.actor is not None else -1
    partners = tuple(idx[c] for c in move.partners)
    alliance = -1
    if move.alliance is not None:
        if move.alliance not in world.alliance_names:
            raise ValueError(f"no alliance named {move.alliance!r} in this world")
        alliance = world.alliance_names.index(move.alliance)
    if move.kind in ("incident", "gray_zone_coercion"):
        possible = set(world.incident_dyads.tolist())
        for p in partners:
            if world.dyad_index(actor, p) not in possible:
                raise NeedsCompilingError(
                    f"no incident can happen between {move.actor} and {world.codes[p]} here"
                )
    lever, value = -1, move.value if move.value is not None else 0.0
    if move.kind in MOVE_LEVERS:
        name, unit = MOVE_LEVERS[move.kind]
        lever, value = LEVER_INDEX[name], value / unit
    elif move.kind == "arms_transfer":
        value = value / 1000.0
    elif move.kind == "overrule" and move.decision in LEVER_OF:
        lever = LEVER_INDEX[LEVER_OF[move.decision]]
    level = ESCALATION_LEVELS.index(move.level or "gray_zone") + 1
    source = move.source if isinstance(move.source, list) else [move.source]
    return CompiledMove(
        label=label,
        kind=move.kind,
        month=move.month,
        end=NEVER if move.months is None else move.month + move.months,
        actor=actor,
        partners=partners,
        lever=lever,
        value=float(value),
        level=level if move.kind == "incident" else 0,
        alliance=alliance,
        variable=move.decision or "",
        duration=move.months,
        source=tuple(filter(None, source)),
        note=move.note,
    )


def _decision_setup(scenario: Scenario, world: World, standing: dict) -> dict:
    """The decision rule's static fields (§9): the menu, rationality, interval, look-ahead.

    Cells the scenario scripts as departures from the world held at rest (``standing``: its
    policies in force at month 0) are locked out of the menu, as are burdens the scenario
    targets itself and pledges whose clarity it scripts.
    """
    decisions = scenario.decisions
    codes = world.codes
    p = scenario.parameters.decisions
    deciders = np.array([decisions.strategy_of(c) == "expected_utility" for c in codes])
    forbidden = np.zeros((world.n, len(KINDS)), dtype=bool)
    rationality = np.full(world.n, p.rationality)
    for code, own in decisions.countries.items():
        n = codes.index(code)
        forbidden[n, [KINDS.index(k) for k in own.forbid]] = True
        if own.rationality is not None:
            rationality[n] = own.rationality
    locked = np.zeros(world.levers.shape[1:], dtype=bool)
    policies = list(scenario.policies.items()) + [
        (f"{name}.policy", e.policy)
        for name, e in scenario.events.items()
        if isinstance(e, PolicyEvent)
    ]
    for name, policy in policies:  # by who, whom and which lever: never by its numbers
        if name in standing and standing[name] == policy:
            continue
        kind = "presence" if isinstance(policy, TaskForce) else _LEVER_OF[type(policy)][0]
        for partner in policy.partners:
            locked[LEVER_INDEX[kind], codes.index(policy.actor), codes.index(partner)] = True
    locked_arms = np.array(
        [
            (o := scenario.countries.get(c)) is not None and o.burden_target_pct is not None
            for c in codes
        ],
        dtype=bool,
    )
    scripted_clarity = {e.alliance for e in scenario.events.values() if e.kind == "set_clarity"}
    at_start = (world.alliance_start0 <= 0) & (world.alliance_end0 > 0)
    in_force = (world.policy_start0 <= 0) & (world.policy_end0 > 0)
    eligibility = Eligibility(
        deciders=deciders,
        forbidden=forbidden,
        locked=locked,
        locked_arms=locked_arms,
        locked_alliances=np.array(
            [a in scripted_clarity for a in world.alliance_labels], dtype=bool
        ),
        reference=(world.levers * in_force[:, None, None, None]).sum(axis=0),
        members=world.members0 & at_start[:, None],
        defence=world.defence | world.task_force,
        hub=world.hub,
        clarity=world.clarity0,
        aimed=world.against.any(axis=1),
        dispute=world.dispute,
        sovereignty=world.dispute_issue == ISSUES.index("sovereignty"),
        pole=world.pole,
        dyad_i=world.dyad_i,
        dyad_j=world.dyad_j,
    )
    menu = build_menu(eligibility, LEVER_INDEX)
    width = int(np.bincount(menu.actor, minlength=world.n).max()) if menu.size else 0
    return {
        "menu": menu,
        "menu_width": width,
        "rationality": rationality,
        "decision_interval": decisions.interval,
        "decision_lookahead": decisions.lookahead,
    }


def anchor_of(scenario: Scenario) -> str:
    """The scenario's anchor: as written, else ``status_quo`` for 2023 data and ``self``."""
    if scenario.anchor is not None:
        return scenario.anchor
    return "status_quo" if scenario.baseline_year == 2023 else "self"


def reference_setup(scenario: Scenario) -> tuple[dict[str, Alliance], dict]:
    """Alliances and policies of the world held at rest: those in force at month 0.

    With ``anchor: status_quo`` they are the shipped status quo's (``hub_and_spoke``); with
    ``anchor: self``, the scenario's own. Events never belong to it.
    """
    source = status_quo() if anchor_of(scenario) == "status_quo" else scenario
    alliances = {k: a for k, a in source.alliances.items() if a.start == 0}
    policies = {k: p for k, p in source.policies.items() if p.start == 0}
    return alliances, policies


def _trajectories(
    scenario: Scenario, arrays: dict[str, np.ndarray], *, departures: bool
) -> dict[str, np.ndarray]:
    """Growth, the announced burden path (months 0 … horizon) and each state's burden band.

    With ``departures`` the scenario's own growth and burden targets replace the shipped
    ones (``seeds/trajectories.csv``); the world held at rest keeps the shipped ones. A
    hindcast (baseline year before 2023) keeps each burden constant: the shipped targets are
    announced from 2025.
    """
    codes = baseline.country_codes()
    shipped = baseline.trajectories()
    horizon = scenario.horizon
    burden0 = arrays["milex0"] / arrays["gdp"]
    growth = np.array([shipped[c].real_growth for c in codes])
    path = np.broadcast_to(burden0, (horizon + 1, len(codes))).copy()
    low, high = np.empty(len(codes)), np.empty(len(codes))
    months = np.arange(horizon + 1)
    for n, code in enumerate(codes):
        row = shipped[code]
        target = row.burden_target if scenario.baseline_year == 2023 else None
        by = row.burden_target_month
        override = scenario.countries.get(code) if departures else None
        if override is not None:
            if override.real_growth_pct is not None:
                growth[n] = override.real_growth_pct / 100.0
            if override.burden_target_pct is not None:
                target = override.burden_target_pct / 100.0
                by = override.burden_target_month
        if target is not None:
            by = 60 if by is None else by
            share = np.clip(months / by, 0.0, 1.0) if by > 0 else np.ones(horizon + 1)
            path[:, n] = burden0[n] + share * (target - burden0[n])
        values = [row.burden_min, row.burden_max, burden0[n]]
        if target is not None:  # an announced target is intent, not a ceiling: some headroom
            values += [target, target * (1.0 + scenario.parameters.arms.target_headroom)]
        low[n], high[n] = min(values), max(values)
    return {"growth": growth, "burden_path": path, "burden_low": low, "burden_high": high}


def _against(alliance: Alliance, hub: str, dispute: np.ndarray, idx: dict[str, int]) -> list[int]:
    """Indices of the adversaries a pledge is aimed at.

    As written; else, for a pledge of defence or joint operations (treaties, collective
    defence, task forces), the states the hub has a dispute with outside the alliance; a
    partnership or a minilateral carries no pledge and is aimed at nobody.
    """
    if alliance.against is not None:
        return [idx[c] for c in alliance.against]
    if alliance.type not in (*DEFENCE_TYPES, "task_force"):
        return []
    inside = {idx[c] for c in alliance.members}
    return [int(j) for j in np.flatnonzero(dispute[idx[hub]] > 0) if int(j) not in inside]


def _compile(
    scenario: Scenario,
    alliances,
    policies,
    events,
    propensity: Mapping[tuple[str, str], float],
    *,
    departures: bool = True,
) -> World:
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

    decay = np.exp(-distance / params.threat.distance_scale_km)
    np.fill_diagonal(decay, 1.0)

    dispute = np.zeros((n, n))
    dispute_issue = np.full((n, n), -1, dtype=np.int8)
    dispute_kind = {}
    for d in baseline.disputes():
        i, j = idx[d.a], idx[d.b]
        dispute[i, j] = dispute[j, i] = d.intensity
        dispute_issue[i, j] = dispute_issue[j, i] = ISSUES.index(d.issue)
        dispute_kind[(min(i, j), max(i, j))] = d.kind
    kappa = np.ones((n, n))
    for (a, b), value in propensity.items():
        kappa[idx[a], idx[b]] = kappa[idx[b], idx[a]] = value

    nuclear = np.array([c.nuclear for c in countries], dtype=float)
    nuclear_dyad = np.outer(nuclear, nuclear)
    np.fill_diagonal(nuclear_dyad, 0.0)
    # Trade shares are known with the two poles only: [i, a] = i's share of trade with a.
    trade_share = np.zeros((n, n))
    trade_share[:, idx[baseline.US]] = arrays["trade_us"]
    trade_share[:, idx[baseline.CHINA]] = arrays["trade_china"]
    np.fill_diagonal(trade_share, 0.0)
    shipped = baseline.trajectories()
    regional = np.array([shipped[c].regional_share for c in codes])

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
    against = np.zeros((k, n), dtype=bool)
    for a, (_, alliance) in enumerate(all_alliances):
        for code in alliance.members:
            members0[a, idx[code]] = True
        hub_code = alliance.hub or _default_hub(alliance.members)
        hub[a] = idx[hub_code]
        against[a, _against(alliance, hub_code, dispute, idx)] = True
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
            "when": ev.when,
            "source": tuple(filter(None, [ev.source] if isinstance(ev.source, str) else ev.source)),
            "note": ev.note,
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
        elif ev.kind in ("set_commitment", "set_clarity"):
            extra = {"alliance": alliance_index[ev.alliance], "value": ev.value}
        elif ev.kind == "credibility_shock":
            extra = {"alliance": alliance_index[ev.alliance], "value": ev.delta}
        elif ev.kind == "policy":
            extra = {
                "policy": event_policy_index[f"{name}.policy"],
                "duration": ev.duration,
                "partners": tuple(ev.policy.partners),
            }
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
        dyad_i=dyad_i,
        dyad_j=dyad_j,
        salience=salience,
        alliance_names=tuple(name for name, _ in all_alliances),
        alliance_labels=tuple(name.removesuffix(".policy") for name, _ in all_alliances),
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
        # Every state may give aid, arms or trade by a move (a game's or its decision rule's).
        donors=np.arange(n, dtype=np.int64),
        traders=np.arange(n, dtype=np.int64),
        **_trajectories(scenario, arrays, departures=departures),
        regional=regional,
        decay=decay,
        nuclear_dyad=nuclear_dyad,
        trade_share=trade_share,
        dispute_issue=dispute_issue,
        propensity=kappa,
        against=against,
        clarity0=np.array([al.clarity for _, al in all_alliances], dtype=float),
    )
