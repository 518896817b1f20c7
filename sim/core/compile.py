"""Compile a validated scenario into the :class:`~sim.core.world.World` the dynamics run on.

Declared alliances come first, then one task-force alliance per task-force policy; every policy
(declared, or inside an event) becomes a lever template; events get their references resolved
to indices. The anchors that hold the reference world at rest come from
:func:`sim.core.dynamics.anchoring.anchors` (``docs/model.md``, "Anchoring").
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.core.dynamics.anchoring import anchors
from sim.core.world import DEFENCE_TYPES, LEVER_INDEX, LEVERS, NEVER, CompiledEvent, World
from sim.scenario import baseline
from sim.scenario.conditions import parse_condition
from sim.scenario.ladder import ESCALATION_LEVELS
from sim.scenario.parameters import Parameters
from sim.scenario.schema import (
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
from sim.scenario.schema import (
    Ceasefire as CeasefirePolicy,
)

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
    reference = _compile(scenario, reference_alliances(), {}, {})
    grievance, alignment_anchor = anchors(reference)
    return replace(world, grievance=grievance, alignment_anchor=alignment_anchor)


def reference_alliances() -> dict[str, Alliance]:
    """The ATOP 2018 treaty network as alliances: the reference world's ties."""
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
        elif ev.kind == "set_commitment":
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
        ceiling=ceiling,
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
        donors=_acting_rows(levers, ("assistance", "inducement", "nuclear", "transfer")),
        traders=_acting_rows(levers, ("trade",)),
    )


def _acting_rows(levers: np.ndarray, kinds: tuple[str, ...]) -> np.ndarray:
    """Countries (rows) with a nonzero lever of one of ``kinds`` in any policy."""
    chosen = levers[:, [LEVER_INDEX[k] for k in kinds]]  # (P, k, N, N)
    return np.nonzero(chosen.any(axis=(0, 1, 3)))[0].astype(np.int64)
