"""What a deciding state foresees (``docs/model.md`` §9, "The look-ahead").

A state scores a move by what it changes over the next ``H`` months (the scenario's
``decisions.lookahead``), computed from the model's own mechanisms with the month's other
quantities held where they are — the documented approximation of a forked simulation:

- **Escalation** (:func:`expected_costs`): each incident dyad follows the birth–death chain of
  §5 (:func:`~sim.core.dynamics.incidents.incident_hazard`,
  :func:`~sim.core.dynamics.incidents.step_probabilities`) at the month's tension, deterrence,
  emboldening, channels, ceasefires, interdependence, coercion and stances; its distribution
  over the rungs is carried forward ``H`` months from the current rung for a stance, and taken
  at the chain's stationary distribution over ``H + K`` months for a lasting posture, and the
  expected rung-costs summed (Fearon 1995: escalation is a choice whose costs both sides weigh).
- **Who bears it** (:class:`Cover`): a party bears ``φ + (1 − φ) 2 (1 − p)`` of a dyad's cost,
  ``φ`` the ``common_cost`` both bear whatever their strength, with ``p =
  F_own / (F_own + F_other)`` its side's chance of prevailing from the theatre capability each
  side can bring (its own, plus what the protectors pledged against the other can bring:
  Bueno de Mesquita's probability of victory from capability); a patron bears its pledge's
  strength times its protégé's share of the crisis and war rungs (Snyder's entrapment).
- **Security** (:func:`threat_sum`): the summed threat ``Σ_j T_ij`` of §2.
- **Following** (:func:`following_value`): the pull a move puts on another state's alignment
  (§3), carried over the look-ahead, valued by the mover's own alignment and the other's
  share of the region's capability.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numba
import numpy as np

from sim.core.dynamics.deterrence import dyad_backing
from sim.core.dynamics.incidents import (
    effective_channels,
    escalation_offset,
    interdependence_restraint,
    stance_terms,
    stationary,
)
from sim.core.dynamics.levers import LeverTerms, lever_terms
from sim.core.dynamics.state import (
    EPS,
    State,
    Ties,
    coefficients,
    leading,
    maximum,
    minimum,
    per_replicate,
)
from sim.core.dynamics.threat import power_share
from sim.core.world import World
from sim.scenario.ladder import WAR

#: Rungs of the ladder, calm included.
RUNGS = WAR + 1


def rung_costs(world: World) -> np.ndarray:
    """Cost to a party of a month at each rung, calm first, ``(S, 6)`` over incident dyads.

    ``(R, S, 6)`` when a stacked sweep's coefficients differ between replicates.

    War costs ``nuclear_war_factor`` times more between two nuclear-armed states.
    """
    p = world.params.decisions
    s = world.incident_dyads
    nuclear = world.nuclear_dyad[world.dyad_i[s], world.dyad_j[s]]
    war = p.cost_war * (1.0 + (p.nuclear_war_factor - 1.0) * nuclear)  # (S,), or (R, S)
    rungs = (p.cost_gray_zone, p.cost_standoff, p.cost_clash, p.cost_crisis)
    columns = [np.zeros(np.shape(war)), *(c + 0.0 * war for c in rungs), war]
    # A stacked sweep's coefficients carry a replicate axis: (R, S, 6) then, else (S, 6).
    return np.stack([np.asarray(c, dtype=float) for c in columns], axis=-1)


@dataclass(frozen=True)
class Cover:
    """Who backs whom in each incident dyad, and so who bears its costs.

    Attributes:
        deter: Deterrence of each incident dyad, ``(R, S)``.
        embolden: Emboldening, ``(R, S)``.
        strength: Each side's theatre capability against the other: ``[..., 0]`` the dyad's
            first country (``World.dyad_i``), ``[..., 1]`` its second, ``(R, S, 2)``.
        pledged: Pledged strength of each helper to each protected side (the targets of
            :class:`~sim.core.dynamics.state.Coverage`), ``(R, G)``.
    """

    deter: np.ndarray
    embolden: np.ndarray
    strength: np.ndarray
    pledged: np.ndarray

    def shares(self, common) -> np.ndarray:
        """Each side's share of a dyad's costs, ``φ + (1 − φ) 2 (1 − p)``, ``(R, S, 2)``.

        ``p`` is the side's share of the pair's strength and ``φ`` (``common``, the
        ``common_cost`` coefficient) the part of an incident's cost both bear whatever their
        strength (casualties, trade, reputation): the weaker side bears more of the rest.
        """
        common = per_replicate(common, self.strength.shape[0])
        return _shares(self.strength, common)


@numba.njit(cache=True, nogil=True)
def _shares(strength, common):
    """:meth:`Cover.shares` over the replicates, ``(R, S, 2)``: :func:`_shares_one` on each."""
    out = np.empty(strength.shape)
    for r in range(strength.shape[0]):
        _shares_one(strength[r], common[r], out[r])
    return out


@numba.njit(cache=True, nogil=True, inline="always")
def _shares_one(strength, common, out):
    """:meth:`Cover.shares` of one replicate, ``(S, 2)``, into ``out``.

    ``φ + (1 − φ) 2 F_other / max(F_own + F_other, ε)``, multiplied and divided left to right
    as the array form did: the same bits.
    """
    for q in range(strength.shape[0]):
        total = maximum(strength[q, 0] + strength[q, 1], EPS)
        for side in range(2):
            out[q, side] = common + (1.0 - common) * 2.0 * strength[q, 1 - side] / total


def cover(
    world: World,
    ties: Ties,
    credible: np.ndarray,
    promised: np.ndarray,
    capability_now: np.ndarray,
    theatre: np.ndarray,
) -> Cover:
    """Deterrence, emboldening and each side's strength, for given pledge strengths and reach.

    Deterrence and emboldening are those of §5 (:func:`sim.core.dynamics.deterrence.deterrence`);
    a side's strength against the other is its own theatre capability plus what its
    protectors pledged against the other can bring: ``F_i = ĉ_i + B_{i|j} ĉ_j``
    (:func:`sim.core.dynamics.deterrence.dyad_backing`).
    """
    deter, embolden, strength, pledged = dyad_backing(
        world, ties, credible, promised, capability_now, theatre
    )
    if ties.joined.coverage.protected.size:
        deter, embolden = np.negative(deter), np.negative(embolden)  # 1 − e^{−x}, in place
        for x in (deter, embolden):
            np.negative(np.expm1(x, out=x), out=x)
    return Cover(deter, embolden, strength, pledged)


@dataclass(frozen=True)
class Outlook:
    """The month's quantities a deciding state reads, shared by every move it scores.

    Attributes:
        ties: This month's ties.
        capability: Capability, ``(R, N)``.
        levers: The lever tensor in force, kind × actor × partner, ``(R, L, N, N)``.
        terms: The lever terms in force.
        threat_matrix: ``T``, ``(R, N, N)``.
        share: Power shares ``s_j``, ``(R, N)``.
        cover: Deterrence, emboldening, strengths and pledges of the month.
        tau: Tension of each incident dyad, ``(R, S)``.
        channel: Deconfliction of each incident dyad (spillover included), ``(R, S)``.
        ceasefire: Ceasefire strength, ``(R, S)``.
        restraint: The commercial peace ``β_I I``, ``(R, S)``.
        coercion: Gray-zone coercion either way, ``(R, S)``.
        presence: Presence friction, ``(R, S)``.
        push: The stances' step-up logit, ``(R, S)``.
        retreat: The stances' step-down chance, ``(R, S)``.
        start: Each dyad's distribution over the rungs now, ``(R, S, 6)``.
        horizon: Months looked ahead.
        costs: :func:`rung_costs` with a replicate axis, ``(1, S, 6)`` or ``(R, S, 6)``.
        memo: What the month's scoring derives from the outlook alone, kept for its other
            moves (:func:`alignment_months`' factors, :func:`following_value`'s terms, the chains'
            covariates).
    """

    ties: Ties
    capability: np.ndarray
    levers: np.ndarray
    terms: LeverTerms
    threat_matrix: np.ndarray
    share: np.ndarray
    cover: Cover
    tau: np.ndarray
    channel: np.ndarray
    ceasefire: np.ndarray
    restraint: np.ndarray
    coercion: np.ndarray
    presence: np.ndarray
    push: np.ndarray
    retreat: np.ndarray
    start: np.ndarray
    horizon: int
    costs: np.ndarray
    memo: dict = field(default_factory=dict, compare=False, repr=False)


def outlook(
    world: World,
    state: State,
    levers: np.ndarray,
    ties: Ties,
    capability_now: np.ndarray,
    threat_matrix: np.ndarray,
    *,
    start: np.ndarray | None = None,
) -> Outlook:
    """The month's :class:`Outlook` (``start``: the rung distribution, default the rung now)."""
    terms = lever_terms(world, state, levers)
    s = world.incident_dyads
    i, j = world.dyad_i[s], world.dyad_j[s]
    r = state.replicates
    channels = effective_channels(world, state, levers, ties.credible)
    push, retreat = stance_terms(world, state)
    if start is None:
        start = (state.level[:, i, j, None] == np.arange(RUNGS)).astype(float)  # one-hot
    return Outlook(
        ties=ties,
        capability=capability_now,
        levers=levers,
        terms=terms,
        threat_matrix=threat_matrix,
        share=power_share(world, ties.credible, capability_now, state),
        cover=cover(world, ties, ties.strength, ties.promise, capability_now, terms.theatre),
        tau=np.ascontiguousarray(state.tension[:, i, j]),
        channel=np.zeros((r, s.size)) if channels is None else channels[:, i, j],
        ceasefire=terms.ceasefire_dyad[:, s],
        restraint=interdependence_restraint(world, terms.economic_dyad[:, s]),
        coercion=terms.coercion_dyad[:, s],
        presence=terms.presence_dyad[:, s],
        push=np.broadcast_to(push, (r, s.size)).copy(),
        retreat=np.broadcast_to(retreat, (r, s.size)).copy(),
        start=np.ascontiguousarray(start),
        horizon=world.decision_lookahead,
        costs=_world_terms(world)[1],
    )


def expected_costs(
    world: World,
    view: Outlook,
    dyads: np.ndarray,
    *,
    deter: np.ndarray | None = None,
    embolden: np.ndarray | None = None,
    coercion: np.ndarray | None = None,
    channel: np.ndarray | None = None,
    presence: np.ndarray | None = None,
    restraint: np.ndarray | None = None,
    push: np.ndarray | None = None,
    retreat: np.ndarray | None = None,
    lasting: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected rung-costs over the look-ahead of the incident dyads ``dyads``, ``(R, E)``.

    For a stance (``lasting`` None), ``π_0`` is each dyad's rung distribution now, ``π_h =
    π_{h−1} M`` with ``M`` the month's transition matrix (a calm dyad starts an incident with
    probability ``1 − e^{−λ}``; an active one steps up with ``p_up``, down with ``p_down``; at
    war, down with ``min(p_up + p_down, 1)``, as the model steps it), and the cost is
    ``Σ_{h=1..H} π_h · c``: a stance answers the incident at hand. A lasting posture (a
    campaign, a channel, a budget, a deployment) is weighed at the typical situation it makes:
    the chain's stationary distribution ``π_∞`` under its covariates, over ``H + lasting``
    months, ``(H + lasting) π_∞ · c``; it answers the lasting situation (tension, pledges,
    capabilities), not the month's incident, so that incidents do not make it swing.
    Covariates not given are the month's; those given replace them (``(R, E)`` each).

    ``λ`` is :func:`~sim.core.dynamics.incidents.incident_hazard` and ``p_up``, ``p_down``
    :func:`~sim.core.dynamics.incidents.step_probabilities` at every rung, computed with
    their arithmetic by :func:`_chain_terms` (``exp`` and ``expm1`` NumPy's): the same bits.

    Args:
        world: The compiled scenario.
        view: The month's outlook.
        dyads: Positions among ``World.incident_dyads``, ``(E,)`` (repeats allowed).
        deter: Deterrence, replacing the month's.
        embolden: Emboldening, replacing the month's.
        coercion: Gray-zone coercion either way, replacing the month's.
        channel: Deconfliction, replacing the month's.
        presence: Presence friction, replacing the month's.
        restraint: The commercial peace, replacing the month's.
        push: The stances' step-up logit, replacing the month's.
        retreat: The stances' step-down chance, replacing the month's.
        lasting: For a lasting posture, the months it is weighed over beyond the look-ahead;
            it is then weighed at the chain's stationary distribution over ``H + lasting``
            months. None (a stance) weighs the chain from the rung now over ``H`` months.

    Returns:
        The expected cost, and its part on the crisis and war rungs (what patrons share).
    """
    replaced = {
        "deter": deter, "embolden": embolden, "coercion": coercion, "channel": channel,
        "presence": presence, "restraint": restraint, "push": push, "retreat": retreat,
    }  # fmt: skip
    names = [name for name in CHAIN if replaced.get(name) is not None]
    dyads = np.asarray(dyads, dtype=np.int64).reshape(-1)
    given = np.empty((len(names), view.tau.shape[0], dyads.size))
    for c, name in enumerate(names):
        given[c] = replaced[name]
    return _chain_costs(world, view, dyads, names, given, np.arange(dyads.size), lasting)


#: The covariates of an escalation chain, in the order of :func:`_chain_terms`' rows.
CHAIN = (
    "tau", "ceasefire", "deter", "embolden", "coercion", "channel", "presence", "restraint",
    "push", "retreat",
)  # fmt: skip

#: Each covariate's row in :data:`CHAIN`.
_CHAIN_ROW = {name: c for c, name in enumerate(CHAIN)}

#: The incidents' coefficients :func:`_chain_terms` reads, in the order of its columns.
_CHAIN_COEFFICIENTS = (
    "escalation_base", "coercion_escalation", "escalation_rung_cost", "escalation_tension",
    "escalation_deterrence", "escalation_emboldening", "escalation_channel", "deescalation",
    "coercion_persistence", "ceasefire_deescalation", "coercion_hazard", "tension_hazard",
    "presence_hazard",
)  # fmt: skip

#: :func:`_world_terms` of the last few worlds, by identity (the world is kept with them, so
#: an identity is never reused while its entry stands).
_WORLD_TERMS: dict[int, tuple[World, tuple[np.ndarray, np.ndarray]]] = {}


def _world_terms(world: World) -> tuple[np.ndarray, np.ndarray]:
    """What the chains read of the world alone, computed once (shared: read-only).

    The rows of :func:`_chain_terms`, ``(5, 1, S)`` (``(5, R, S)`` stacked): the escalation
    offset, ``β_N N``, the base hazard times the propensity, the dispute weight and ``1 + w_N
    nuclear``, as the incident formulas compute them; and :func:`rung_costs` with a replicate
    axis, ``(1, S, 6)`` (``(R, S, 6)`` stacked).
    """
    entry = _WORLD_TERMS.get(id(world))
    if entry is not None and entry[0] is world:
        return entry[1]
    p = world.params.incidents
    s = world.incident_dyads
    i, j = world.dyad_i[s], world.dyad_j[s]
    rows = (
        escalation_offset(world),
        p.nuclear_war_penalty * world.nuclear_dyad[i, j],
        p.base_hazard * world.propensity[..., i, j],
        world.dispute[i, j],
        1.0 + p.nuclear_hazard * world.nuclear_dyad[i, j],
    )
    rows = [leading(np.asarray(row, dtype=float), 1) for row in rows]
    shape = np.broadcast_shapes(*(row.shape for row in rows))
    statics = np.ascontiguousarray(np.stack([np.broadcast_to(row, shape) for row in rows]))
    costs = np.ascontiguousarray(leading(rung_costs(world), 2))
    statics.flags.writeable = costs.flags.writeable = False
    if len(_WORLD_TERMS) >= 8:
        _WORLD_TERMS.clear()
    _WORLD_TERMS[id(world)] = (world, (statics, costs))
    return statics, costs


def _chain_inputs(world: World, view: Outlook) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The month's covariates ``(10, R, S)`` (:data:`CHAIN`), coefficients and world rows.

    Kept in the outlook's memo while its covariates are the same arrays.
    """
    cov = view.cover
    sources = (
        view.tau, view.ceasefire, cov.deter, cov.embolden, view.coercion, view.channel,
        view.presence, view.restraint, view.push, view.retreat,
    )  # fmt: skip
    entry = view.memo.get("chain")
    if entry is not None and all(a is b for a, b in zip(entry[0], sources, strict=True)):
        return entry[1]
    reps = view.tau.shape[0]
    month = np.empty((len(CHAIN), reps, view.tau.shape[1]))
    for c, source in enumerate(sources):
        month[c] = source
    p = world.params.incidents
    coefficients_ = coefficients(reps, *(getattr(p, name) for name in _CHAIN_COEFFICIENTS))
    inputs = (month, coefficients_, _world_terms(world)[0])
    view.memo["chain"] = (sources, inputs)
    return inputs


def _chain_costs(
    world: World,
    view: Outlook,
    dyads: np.ndarray,
    names: list[str],
    given: np.ndarray,
    columns: np.ndarray,
    lasting: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`expected_costs` of ``dyads`` (int64) with the covariates ``names`` ``given``.

    ``given`` is ``(len(names), R, ·)``, column ``columns[e]`` that of ``dyads[e]``; the other
    covariates are the month's.
    """
    month, coefficients_, statics = _chain_inputs(world, view)
    which = np.full(len(CHAIN), -1, dtype=np.int64)
    for c, name in enumerate(names):
        which[_CHAIN_ROW[name]] = c
    calm, odds, calming = _chain_terms(month, dyads, given, columns, which, coefficients_, statics)
    np.expm1(calm, out=calm)  # −(1 − e^{−λ})
    np.exp(odds, out=odds)  # e^{−z}
    if lasting is not None:  # a lasting posture: the typical situation it makes, not today's
        months = per_replicate(view.horizon + lasting, month.shape[1])
        return stationary_costs(calm, odds, calming, view.costs, dyads, months)
    return carried_costs(view.start, calm, odds, calming, view.costs, dyads, view.horizon)


@numba.njit(cache=True, nogil=True)
def _chain_terms(month, dyads, given, columns, which, coefficients, statics):
    """Minus the hazard, minus the step-up logits and the step-down terms of chains.

    For each replicate and column ``e`` (incident dyad ``dyads[e]``), with the covariates of
    :data:`CHAIN` read from ``given[which[c], r, columns[e]]`` where ``which[c] ≥ 0``, else from the
    month's ``month[c, r, dyads[e]]``: ``−λ`` of
    :func:`~sim.core.dynamics.incidents.incident_hazard`, ``λ0 ψ (dispute + w_g G) (1 + w_τ τ)
    (1 + w_p presence) (1 + w_N nuclear)``; ``−z`` of
    :func:`~sim.core.dynamics.incidents.escalation_terms` at rungs 1 … 5, ``β0 + β_issue +
    push + β_G G − β_L (L − 1)⁺ + β_τ τ − β_D D min(L, 4)/4 + β_E E − β_C C − β_I I − β_N N
    [L = 4]``; and the step-down chance before its cap, ``δ0 (1 − w_G min(G, 1)) + δ_C
    (ceasefire + C) + retreat``. Each in the order of the array forms: the same bits.

    Args:
        month: The month's covariates, ``(10, R, S)``.
        dyads: Positions among the incident dyads, ``(E,)``.
        given: Replaced covariates, ``(G, R, ·)``.
        columns: The column of ``given`` of each chain, ``(E,)``.
        which: Each covariate's row of ``given``, -1 for the month's, ``(10,)``.
        coefficients: :data:`_CHAIN_COEFFICIENTS` per replicate, ``(R, 13)``.
        statics: :func:`_world_terms`' rows, ``(5, 1, S)`` or ``(5, R, S)``.

    Returns:
        ``−λ`` ``(R, E)``, ``−z`` ``(5, R, E)`` and the step-down term ``(R, E)``.
    """
    reps, count = month.shape[1], dyads.size
    calm = np.empty((reps, count))
    odds = np.empty((RUNGS - 1, reps, count))
    calming = np.empty((reps, count))
    rows = np.empty((len(which) + 5, count))  # the covariates, then the world's rows
    scratch = np.empty((4, count))
    for r in range(reps):
        (base, gray_up, rung_cost, tension_up, deter_up, embolden_up, channel_up, down,
         persistence, ceasefire_down, gray_hazard, tension_hazard, presence_hazard) = (
            coefficients[r, 0], coefficients[r, 1], coefficients[r, 2], coefficients[r, 3],
            coefficients[r, 4], coefficients[r, 5], coefficients[r, 6], coefficients[r, 7],
            coefficients[r, 8], coefficients[r, 9], coefficients[r, 10], coefficients[r, 11],
            coefficients[r, 12],
        )  # fmt: skip
        for c in range(len(which)):
            row = rows[c]
            if which[c] >= 0:
                source = given[which[c], r]
                for e in range(count):
                    row[e] = source[columns[e]]
            else:
                source = month[c, r]
                for e in range(count):
                    row[e] = source[dyads[e]]
        if r == 0 or statics.shape[1] > 1:
            for c in range(5):
                source = statics[c, r if statics.shape[1] > 1 else 0]
                for e in range(count):
                    rows[len(which) + c, e] = source[dyads[e]]
        tau, ceasefire, deter, embolden, gray, channel, presence, restraint, push, retreat = (
            rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7], rows[8],
            rows[9],
        )  # fmt: skip
        offset, nuclear, propensity, dispute = rows[10], rows[11], rows[12], rows[13]
        nuclear_hazard = rows[14]
        out = calm[r]
        for e in range(count):
            out[e] = -(
                propensity[e]
                * (dispute[e] + gray_hazard * gray[e])
                * (1.0 + tension_hazard * tau[e])
                * (1.0 + presence_hazard * presence[e])
                * nuclear_hazard[e]
            )
        opening, tension_term, embolden_term, channel_term = (
            scratch[0], scratch[1], scratch[2], scratch[3],
        )  # fmt: skip
        for e in range(count):  # the terms that do not depend on the rung, once
            opening[e] = base + offset[e] + push[e] + gray_up * gray[e]
            tension_term[e] = tension_up * tau[e]
            embolden_term[e] = embolden_up * embolden[e]
            channel_term[e] = channel_up * channel[e]
        for k in range(RUNGS - 1):
            rung = k + 1
            climb = rung_cost * max(rung - 1, 0)
            weight = min(rung, WAR - 1)
            brink = 1.0 if rung == WAR - 1 else 0.0
            out = odds[k, r]
            for e in range(count):
                out[e] = -(
                    opening[e]
                    - climb
                    + tension_term[e]
                    - deter_up * deter[e] * weight / (WAR - 1)
                    + embolden_term[e]
                    - channel_term[e]
                    - restraint[e]
                    - nuclear[e] * brink
                )
        out = calming[r]
        for e in range(count):
            out[e] = (
                down * (1.0 - persistence * minimum(gray[e], 1.0))
                + ceasefire_down * (ceasefire[e] + channel[e])
                + retreat[e]
            )
    return calm, odds, calming


@numba.njit(cache=True, nogil=True, inline="always")
def _steps(odds, calming, first, size, lift, fall):
    """Step-up and step-down chances at rungs 1 … 5 of ``size`` chains, into ``lift``, ``fall``.

    ``p_up = 1 / (1 + e^{−z})`` and ``p_down = min(calming, 1 − p_up)`` as the incidents' form
    takes them; at war only down, with ``min(p_up + p_down, 1)`` (``lift`` 0 there).
    ``odds`` is ``e^{−z}``, ``(5, C)``, and ``calming`` ``(C,)`` over the chains, read from
    chain ``first`` on; ``lift`` and ``fall`` are ``(6, ≥ size)``.
    """
    for k in range(RUNGS - 1):
        for b in range(size):
            up = 1.0 / (1.0 + odds[k, first + b])
            lift[k, b] = up
            fall[k, b] = minimum(calming[first + b], 1.0 - up)
    for b in range(size):
        fall[WAR - 1, b] = minimum(lift[WAR - 1, b] + fall[WAR - 1, b], 1.0)  # at war: only down
        lift[WAR - 1, b] = 0.0


#: Chains :func:`carried_costs` carries together (a block of its scratch stays in cache).
CHAIN_BLOCK = 256


@numba.njit(cache=True, nogil=True)
def carried_costs(start, calm, odds, calming, costs, dyads, horizon):
    """``Σ_{h=1..H} π_h · c`` and ``Σ π_h · c_severe`` of the monthly chain, ``(R, E)`` each.

    The chains of every replicate and column, taken in blocks of :data:`CHAIN_BLOCK` in
    row-major order (:func:`_steps`, then :func:`_carried_block` on each).

    Args:
        start: ``π_0`` of every incident dyad, ``(R, S, 6)``.
        calm: ``e^{−λ} − 1``: minus the chance that a calm dyad starts an incident, ``(R, E)``.
        odds: ``e^{−z}`` of the step-up logit at rungs 1 … 5, ``(5, R, E)``.
        calming: The step-down chance before its cap, ``(R, E)``.
        costs: Cost of a month at each rung, ``(1, S, 6)``, or ``(R, S, 6)`` stacked.
        dyads: Positions among the incident dyads, ``(E,)``.
        horizon: Months ``H``.
    """
    reps, count = calm.shape
    total = np.zeros((reps, count))
    severe = np.zeros((reps, count))
    flat_total, flat_severe = total.reshape(-1), severe.reshape(-1)
    cells = reps * count
    odds, calm, calming = odds.reshape((RUNGS - 1, cells)), calm.reshape(-1), calming.reshape(-1)
    scratch = np.empty((8, RUNGS, CHAIN_BLOCK))
    pi, cost, lift, fall = scratch[0], scratch[3], scratch[4], scratch[5]
    begin = scratch[7, 1]
    r, e = 0, 0  # the chain of the block's next column
    for first in range(0, cells, CHAIN_BLOCK):
        size = min(CHAIN_BLOCK, cells - first)
        _steps(odds, calming, first, size, lift, fall)
        for b in range(size):
            begin[b] = -calm[first + b]
            rung = costs[r if costs.shape[0] > 1 else 0, dyads[e]]
            now = start[r, dyads[e]]
            for k in range(RUNGS):
                pi[k, b] = now[k]
                cost[k, b] = rung[k]
            e += 1
            if e == count:
                r, e = r + 1, 0
        _carried_block(size, horizon, scratch, flat_total[first:], flat_severe[first:])
    return total, severe


@numba.njit(cache=True, nogil=True, inline="always")
def _carried_block(count, horizon, scratch, total, severe):
    """:func:`carried_costs` of ``count`` chains, added into ``total`` and ``severe``.

    ``π_h = π_{h−1} M``: a calm dyad starts an incident with ``begin``; at rung ``L`` a dyad
    steps up with ``lift[L−1]`` and down with ``fall[L−1]`` (:func:`_steps`, at war only down);
    ``c_severe`` is ``c`` on the crisis and war rungs. Compiled: the chain is six numbers per
    dyad carried ``H`` months, which array passes would spend in overhead. The chains are the
    innermost loop, so that each step runs over contiguous rows; every chain's arithmetic is
    in the order of the array form it replaced, so the bits are the same.

    Args:
        count: Chains in the block.
        horizon: Months ``H``.
        scratch: The block, ``(8, 6, B)``: rows 0 ``π_0`` (carried to ``π_H``), 3 the costs,
            4 the step-up chances of rungs 1 … 5, 5 the step-down chances, ``[7, 1]`` the
            chance of an incident; rows 1, 2, ``[6, 0]`` and ``[7, 0]`` are room.
        total: ``Σ π_h · c``, added to, ``(count,)`` at least.
        severe: ``Σ π_h · c_severe``, added to, ``(count,)`` at least.
    """
    pi, moved, stay, cost = scratch[0], scratch[1], scratch[2], scratch[3]
    lift, fall = scratch[4], scratch[5]
    month, worst, begin = scratch[6, 0], scratch[7, 0], scratch[7, 1]
    for e in range(count):
        stay[0, e] = 1.0 - begin[e]
    for k in range(1, RUNGS):
        for e in range(count):
            stay[k, e] = 1.0 - lift[k - 1, e] - fall[k - 1, e]
    for _ in range(horizon):
        for k in range(RUNGS):
            for e in range(count):
                moved[k, e] = pi[k, e] * stay[k, e]
        for e in range(count):
            moved[1, e] += pi[0, e] * begin[e]
        for k in range(2, RUNGS):
            for e in range(count):
                moved[k, e] += pi[k - 1, e] * lift[k - 2, e]
        for k in range(RUNGS - 1):
            for e in range(count):
                moved[k, e] += pi[k + 1, e] * fall[k, e]
        for e in range(count):
            month[e] = 0.0
            worst[e] = 0.0
        for k in range(RUNGS):
            for e in range(count):
                pi[k, e] = moved[k, e]
                month[e] += pi[k, e] * cost[k, e]
                worst[e] += pi[k, e] * (cost[k, e] if k >= WAR - 1 else 0.0)
        for e in range(count):
            total[e] += month[e]
            severe[e] += worst[e]


@numba.njit(cache=True, nogil=True)
def stationary_costs(calm, odds, calming, costs, dyads, months):
    """``M π_∞ · c`` and ``M π_∞ · c_severe`` of each dyad's chain, ``(R, E)`` each.

    ``π_∞`` is the chain's stationary distribution (:func:`level_distribution`, at war only
    down, with ``min(up + down, 1)``), ``M`` the months a lasting posture is weighed over.
    Compiled per dyad, in the order of the array form it replaced (the same bits).

    Args:
        calm: ``e^{−λ} − 1``: minus the chance that a calm dyad starts an incident, ``(R, E)``.
        odds: ``e^{−z}`` of the step-up logit at rungs 1 … 5, ``(5, R, E)``.
        calming: The step-down chance before its cap, ``(R, E)``.
        costs: Cost of a month at each rung, ``(1, S, 6)``, or ``(R, S, 6)`` stacked.
        dyads: Positions among the incident dyads, ``(E,)``.
        months: ``M`` of each replicate (a stacked sweep's may differ), ``(R,)``.
    """
    reps, count = calm.shape
    total = np.empty((reps, count))
    severe = np.empty((reps, count))
    steps = np.empty((2, RUNGS, count))
    lift, fall = steps[0], steps[1]
    up, down, rest = np.empty(RUNGS - 2), np.empty(RUNGS - 1), np.empty(RUNGS)
    for r in range(reps):
        c = costs[r if costs.shape[0] > 1 else 0]
        _steps(odds[:, r], calming[r], 0, count, lift, fall)
        for e in range(count):
            for k in range(RUNGS - 2):
                up[k] = lift[k, e]
            for k in range(RUNGS - 1):
                down[k] = fall[k, e]
            stationary(-calm[r, e], up, down, rest)
            rung = c[dyads[e]]
            cost = 0.0
            worst = 0.0
            for k in range(RUNGS):
                cost += rest[k] * rung[k]
                worst += rest[k] * (rung[k] if k >= WAR - 1 else 0.0)
            total[r, e] = months[r] * cost
            severe[r, e] = months[r] * worst
    return total, severe


#: The covariates of :func:`expected_costs` a move may replace, and where the month's are.
COVARIATES = {
    "deter": lambda view: view.cover.deter,
    "embolden": lambda view: view.cover.embolden,
    "coercion": lambda view: view.coercion,
    "channel": lambda view: view.channel,
    "presence": lambda view: view.presence,
    "restraint": lambda view: view.restraint,
    "push": lambda view: view.push,
    "retreat": lambda view: view.retreat,
}


class Chains:
    """The escalation chains a month's moves ask for, run as one :func:`expected_costs` call.

    Scoring a menu asks for the chain of many small sets of dyads under changed covariates
    (one per kind of move and direction, one per deployment or pledge). Each is cheap but a
    dozen passes over small arrays cost more in overhead than in arithmetic, so the asks are
    gathered and run together; every element is computed as it would be alone, so the numbers
    are the same to the bit. Each ask's ``then`` receives its part of the result.
    """

    def __init__(self, world: World, view: Outlook, lasting: float | None) -> None:
        self.world, self.view, self.lasting = world, view, lasting
        self.asks: list[tuple[np.ndarray, dict[str, np.ndarray], Callable[..., None]]] = []

    def ask(
        self,
        dyads: np.ndarray,
        then: Callable[[np.ndarray, np.ndarray], None],
        **replaced: np.ndarray,
    ) -> None:
        """Ask for the chain of incident dyads ``dyads`` with covariates ``replaced``.

        ``then(total, severe)`` is called by :meth:`run` with the ask's ``(R, len(dyads))``
        part of :func:`expected_costs`.
        """
        self.asks.append((np.asarray(dyads), replaced, then))

    def run(self) -> None:
        """Run every ask in one call and hand each its part.

        Asks often repeat a chain (a move that leaves a dyad's covariates as they are, or two
        moves that set them alike, such as either party pressing in an incident): a column
        whose dyad and covariates are those of an earlier one, bit for bit in every
        replicate, is not run again but given that column's result (:func:`_distinct`).
        """
        if not self.asks:
            return
        view = self.view
        dyads = np.concatenate([at for at, _, _ in self.asks]).astype(np.int64, copy=False)
        present = set().union(*(replaced for _, replaced, _ in self.asks))
        names = [name for name in CHAIN if name in present]
        month = _chain_inputs(self.world, view)[0]
        rows = np.array([_CHAIN_ROW[name] for name in names], dtype=np.int64)
        covariates = _gather(month, rows, dyads)  # the month's, then each ask's replacements
        start = 0
        for at, replaced, _ in self.asks:
            for c, name in enumerate(names):
                if name in replaced:
                    covariates[c, :, start : start + at.size] = replaced[name]
            start += at.size
        keep, inverse = _distinct(dyads, covariates.view(np.uint64))
        total, severe = _chain_costs(
            self.world, view, dyads[keep], names, covariates, keep, self.lasting
        )
        if keep.size < inverse.size:
            total, severe = total[:, inverse], severe[:, inverse]
        start = 0
        for at, _, then in self.asks:
            then(total[:, start : start + at.size], severe[:, start : start + at.size])
            start += at.size
        self.asks.clear()


@numba.njit(cache=True, nogil=True)
def _gather(month, rows, dyads):
    """The month's covariates ``rows`` of the chains of ``dyads``, ``(len(rows), R, E)``.

    ``month`` is :func:`_chain_inputs`' ``(10, R, S)``.
    """
    reps = month.shape[1]
    out = np.empty((rows.size, reps, dyads.size))
    for c in range(rows.size):
        for r in range(reps):
            source, row = month[rows[c], r], out[c, r]
            for e in range(dyads.size):
                row[e] = source[dyads[e]]
    return out


@numba.njit(cache=True, nogil=True)
def _distinct(dyads, covariates):
    """The first of each set of identical columns, and where each column's result is.

    Two columns are identical when their dyad is the same and so is every covariate in every
    replicate, bit for bit (the covariates are read as ``uint64``). Each column's bits are
    hashed first, so that only columns with the same hash are compared in full.

    Args:
        dyads: Positions among the incident dyads, ``(E,)``.
        covariates: The covariates of each column, as ``uint64``, ``(C, R, E)``.

    Returns:
        The columns to run, ``(U,)`` in order, and each column's place among them, ``(E,)``.
    """
    names, reps, count = covariates.shape
    digest = np.empty(count, dtype=np.uint64)
    for e in range(count):
        digest[e] = np.uint64(dyads[e])
    for c in range(names):
        for r in range(reps):
            for e in range(count):
                digest[e] = digest[e] * np.uint64(1099511628211) ^ covariates[c, r, e]
    keep = np.empty(count, dtype=np.int64)
    inverse = np.empty(count, dtype=np.int64)
    kept = 0
    for e in range(count):
        found = -1
        for u in range(kept):
            f = keep[u]
            if digest[f] != digest[e] or dyads[f] != dyads[e]:
                continue
            equal = True
            for c in range(names):
                for r in range(reps):
                    if covariates[c, r, e] != covariates[c, r, f]:
                        equal = False
                        break
                if not equal:
                    break
            if equal:
                found = u
                break
        if found < 0:
            keep[kept] = e
            found = kept
            kept += 1
        inverse[e] = found
    return keep[:kept].copy(), inverse


def party_costs(world: World, view: Outlook, cov: Cover, total: np.ndarray, severe: np.ndarray):
    """What each state bears of every incident dyad's costs, ``(R, N)``.

    ``total`` and ``severe`` are :func:`expected_costs` over all incident dyads in order. A
    party bears its share (:attr:`Cover.shares`); a patron its pledge times its protégé's share
    of the crisis and war rungs.
    """
    s = world.incident_dyads
    coverage = view.ties.joined.coverage
    common = per_replicate(world.params.decisions.common_cost, total.shape[0])
    return _party_costs(
        cov.strength, common, total, severe, cov.pledged, world.n, world.dyad_i[s],
        world.dyad_j[s], coverage.protected, coverage.dyad, coverage.target_direction,
        coverage.target_helper,
    )  # fmt: skip


@numba.njit(cache=True, nogil=True)
def _party_costs(
    strength, common, total, severe, pledged, n, dyad_i, dyad_j, protected, dyad,
    target_direction, target_helper,
):  # fmt: skip
    """:func:`party_costs` over the replicates, ``(R, N)``: :func:`_party_costs_one` on each."""
    reps, s = total.shape
    bears = np.empty((reps, n))
    shares = np.empty((s, 2))
    for r in range(reps):
        _shares_one(strength[r], common[r], shares)
        _party_costs_one(
            shares, total[r], severe[r], pledged[r], dyad_i, dyad_j, protected, dyad,
            target_direction, target_helper, bears[r],
        )  # fmt: skip
    return bears


@numba.njit(cache=True, nogil=True, inline="always")
def _party_costs_one(
    shares, total, severe, pledged, dyad_i, dyad_j, protected, dyad, target_direction,
    target_helper, bears,
):  # fmt: skip
    """:func:`party_costs` of one replicate, into ``bears`` ``(N,)``.

    Added in the order of the array form it replaced (``np.add.at``: the first countries'
    shares dyad by dyad, the second countries', then each patron's pledge times its protégé's
    share of the severe costs): the same bits.
    """
    bears[:] = 0.0
    for q in range(dyad_i.size):
        bears[dyad_i[q]] += shares[q, 0] * total[q]
    for q in range(dyad_j.size):
        bears[dyad_j[q]] += shares[q, 1] * total[q]
    for g in range(target_helper.size):
        d = target_direction[g]
        q = dyad[d]
        side = 1 if protected[d] == dyad_j[q] else 0
        bears[target_helper[g]] += pledged[g] * shares[q, side] * severe[q]


def threat_sum(view: Outlook) -> np.ndarray:
    """Each state's summed threat ``Σ_j T_ij`` (§2), ``(R, N)``."""
    return view.threat_matrix.sum(axis=2)


def alignment_months(
    world: World, view: Outlook, pull: np.ndarray, lasting: bool, *, squared: bool = False
) -> np.ndarray:
    """Alignment-months a constant change ``pull`` in a state's alignment force adds up to.

    Under the pull alone against the state's inertia ``k`` (§3), its alignment approaches
    ``pull / k`` at the monthly rate ``r k``: ``ΔA(h) = (pull / k)(1 − (1 − r k)^h)``, summed
    over the look-ahead and, for a lasting posture, the continuation months beyond it. With
    ``squared``, the sum of ``ΔA(h)²`` instead (for a cost that is quadratic in alignment).
    """
    k, factor = _months_factor(world, view, lasting=lasting, squared=squared)
    return pull / k * factor if not squared else (pull / k) ** 2 * factor


def _months_factor(world: World, view: Outlook, *, lasting: bool, squared: bool):
    """:func:`_alignment_factor` of the view's horizon, kept in its memo (if it has one)."""
    memo = getattr(view, "memo", None)
    key = ("alignment_months", view.horizon, lasting, squared)
    if memo is not None and key in memo:
        return memo[key]
    k, factor = _alignment_factor(world, view.horizon, lasting, squared)
    if memo is not None:
        memo[key] = (k, factor)
    return k, factor


def _alignment_factor(world: World, horizon: int, lasting: bool, squared: bool):
    """The inertia ``k`` and the factor of ``pull / k`` (or its square) in :func:`alignment_months`.

    Both depend on the coefficients and the months alone, so a month's moves share them.
    """
    p = world.params
    months = horizon + (p.decisions.continuation if lasting else 0.0)
    k = np.maximum(p.alignment.inertia, EPS)
    q = 1.0 - p.alignment.rate * k
    once = q * (1.0 - q**months) / np.maximum(1.0 - q, EPS)  # Σ q^h, h = 1 … months
    twice = q**2 * (1.0 - q ** (2 * months)) / np.maximum(1.0 - q**2, EPS)  # Σ q^2h
    # Where r k is small the closed forms cancel; there 1 − q^h = 1 − e^(−a h), a = −ln q,
    # is summed by its Taylor series, exact to (a h)³ / 4 (below 10⁻⁷ for a h < 0.005).
    a = -np.log1p(-p.alignment.rate * k)
    m = months
    h1, h2 = m * (m + 1) / 2, m * (m + 1) * (2 * m + 1) / 6
    h3, h4 = h1**2, h2 * (3 * m**2 + 3 * m - 1) / 5
    # Arithmetic, not np.where: a sweep's coefficients are per replicate.
    small = (a * m < 0.005) * 1.0
    if not squared:
        series = a * h1 - a**2 / 2 * h2 + a**3 / 6 * h3
        closed = months - once
        return k, closed * (1.0 - small) + series * small
    series = a**2 * h2 - a**3 * h3 + 7 / 12 * a**4 * h4
    closed = months - 2.0 * once + twice
    return k, closed * (1.0 - small) + series * small


def following_value(world: World, view: Outlook, state: State, actor, target, pull):
    """Value to ``actor`` of a change ``pull`` in the alignment force on ``target``, ``(R, M)``.

    The pull moves the target along the axis (:func:`alignment_months`, a lasting posture),
    valued at ``w_A · A_actor · v_target`` per alignment-month, with ``v`` the target's share
    of the region's capability: a state values followers by their weight, and by how firmly it
    stands on a side itself. A pole is no one's follower (its alignment is fixed, §3).
    """
    memo, key = view.memo, ("following", view.horizon)
    terms = memo.get(key)
    if terms is None:
        reps = view.capability.shape[0]
        regional = view.capability * world.regional
        k, factor = _months_factor(world, view, lasting=True, squared=False)
        fw = world.params.decisions.following_weight
        per = [per_replicate(x, reps) for x in (k, factor, fw)]
        # v_b with a pole's zeroed, as the array form divided and masked it (the same bits).
        share = regional / regional.sum(axis=1, keepdims=True) * ~world.pole
        terms = memo[key] = (share, *per)
    actor = np.asarray(actor, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    shape = (view.capability.shape[0], target.size)
    pull = np.asarray(pull, dtype=float)
    if pull.shape != shape or not pull.flags.c_contiguous:
        pull = np.ascontiguousarray(np.broadcast_to(pull, shape))
    return _following(terms[0], state.alignment, actor, target, pull, *terms[1:])


@numba.njit(cache=True, nogil=True)
def _following(share, alignment, actor, target, pull, k, factor, weight):
    """:func:`following_value` of each replicate and move, ``(R, M)``.

    ``((w_A A_actor) v_target) (pull / k · factor)``, each product taken as the array form
    took it (the same bits); ``share`` is ``v`` (a pole's 0), ``(R, N)``, ``k``, ``factor``
    (of :func:`alignment_months`) and ``weight`` (``w_A``) per replicate.
    """
    reps, moves = pull.shape
    out = np.empty((reps, moves))
    for r in range(reps):
        for m in range(moves):
            moved = pull[r, m] / k[r] * factor[r]
            out[r, m] = weight[r] * alignment[r, actor[m]] * share[r, target[m]] * moved
    return out
