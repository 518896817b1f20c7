"""The escalation chains of the look-ahead (``docs/model.md`` §9): what a move costs in rungs.

:func:`~sim.core.dynamics.outlook.expected_costs` asks, for some incident dyads with some
covariates replaced, the expected rung-costs over the look-ahead; :func:`chain_costs` answers
with the birth–death chain of §5 (the hazard of
:func:`~sim.core.dynamics.incidents.incident_hazard`, the step chances of
:func:`~sim.core.dynamics.incidents.step_probabilities`, through the same compiled per-dyad
formulas as the month's incidents: :func:`~sim.core.dynamics.incidents.minus_hazard`,
:func:`~sim.core.dynamics.incidents.minus_logit`,
:func:`~sim.core.dynamics.incidents.calming_term`), carried forward from the current rung
(:func:`carried_costs`) or taken at its stationary distribution (:func:`stationary_costs`).

A ``view`` here is the month's :class:`~sim.core.dynamics.outlook.Outlook` (typed ``Any``:
this module sits below :mod:`~sim.core.dynamics.outlook` in the import graph).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from sim.core.dynamics.incidents import (
    calming_term,
    minus_hazard,
    minus_logit,
    opening_term,
    stationary,
    world_rows,
)
from sim.core.dynamics.state import coefficients, leading, minimum, per_owner, per_replicate
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


#: The covariates of an escalation chain, in the order of :func:`_chain_terms`' rows.
CHAIN = (
    "tau", "ceasefire", "deter", "embolden", "coercion", "channel", "presence", "restraint",
    "push", "retreat",
)  # fmt: skip

#: Each covariate's row in :data:`CHAIN`.
CHAIN_ROW = {name: c for c, name in enumerate(CHAIN)}

#: The incidents' coefficients :func:`_chain_terms` reads, in the order of its columns.
_CHAIN_COEFFICIENTS = (
    "escalation_base", "coercion_escalation", "escalation_rung_cost", "escalation_tension",
    "escalation_deterrence", "escalation_emboldening", "escalation_channel", "deescalation",
    "coercion_persistence", "ceasefire_deescalation", "coercion_hazard", "tension_hazard",
    "presence_hazard",
)  # fmt: skip


@per_owner
def world_terms(world: World) -> tuple[np.ndarray, np.ndarray]:
    """What the chains read of the world alone, computed once (shared: read-only).

    The rows of :func:`_chain_terms`, ``(5, 1, S)`` (``(5, R, S)`` stacked): the escalation
    offset, ``β_N N``, the base hazard times the propensity, the dispute weight and ``1 + w_N
    nuclear``, as the incident formulas compute them; and :func:`rung_costs` with a replicate
    axis, ``(1, S, 6)`` (``(R, S, 6)`` stacked).
    """
    # The first five rows of the incident formulas' own, with the rows in front.
    statics = np.ascontiguousarray(world_rows(world)[:, :5].transpose(1, 0, 2))
    costs = np.ascontiguousarray(leading(rung_costs(world), 2))
    statics.flags.writeable = costs.flags.writeable = False
    return statics, costs


def chain_inputs(world: World, view: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    inputs = (month, coefficients_, world_terms(world)[0])
    view.memo["chain"] = (sources, inputs)
    return inputs


def chain_costs(
    world: World,
    view: Any,
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
    month, coefficients_, statics = chain_inputs(world, view)
    which = np.full(len(CHAIN), -1, dtype=np.int64)
    for c, name in enumerate(names):
        which[CHAIN_ROW[name]] = c
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
        statics: :func:`world_terms`' rows, ``(5, 1, S)`` or ``(5, R, S)``.

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
            out[e] = minus_hazard(
                propensity[e], dispute[e], gray_hazard, gray[e], tension_hazard, tau[e],
                presence_hazard, presence[e], nuclear_hazard[e],
            )  # fmt: skip
        opening, tension_term, embolden_term, channel_term = (
            scratch[0], scratch[1], scratch[2], scratch[3],
        )  # fmt: skip
        for e in range(count):  # the terms that do not depend on the rung, once
            opening[e] = opening_term(base, offset[e], push[e], gray_up, gray[e])
            tension_term[e] = tension_up * tau[e]
            embolden_term[e] = embolden_up * embolden[e]
            channel_term[e] = channel_up * channel[e]
        for k in range(RUNGS - 1):
            out = odds[k, r]
            for e in range(count):
                out[e] = minus_logit(
                    k + 1, opening[e], rung_cost, tension_term[e], deter_up * deter[e],
                    embolden_term[e], channel_term[e], restraint[e], nuclear[e],
                )  # fmt: skip
        out = calming[r]
        for e in range(count):
            out[e] = calming_term(
                down, persistence, ceasefire_down, gray[e], ceasefire[e], channel[e], retreat[e]
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
