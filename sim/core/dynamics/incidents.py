"""Incidents and escalation (``docs/model.md`` §5): hazards, the ladder, restraints, channels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from sim.core.dynamics.deterrence import deterrence
from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import State, Ties, maximum, minimum, month_draws, per_replicate
from sim.core.records import Deescalated, Escalated, IncidentStarted
from sim.core.rng import Stream
from sim.core.world import World
from sim.scenario.ladder import WAR


def effective_channels(
    world: World, state: State, levers: np.ndarray, ties: np.ndarray
) -> np.ndarray | None:
    """Deconfliction per dyad, with spillover from patrons' channels (``(R, N, N)``).

    ``C = clip(C0 + ρ ((I + W) C0 (I + W)ᵀ − C0), 0, 1)``: a channel between a and b also
    restrains, in proportion to the ties, incidents between a's allies and b, between a and
    b's allies, and between their allies (a US–China channel restrains China–Philippines
    incidents).

    Returns None when no channel is open (no deconfliction anywhere).
    """
    channel = lever_terms(world, state, levers).channel
    if channel is None:
        return None
    rho = per_replicate(world.params.incidents.channel_spillover, channel.shape[0])
    return _spill(channel, ties, rho)


@numba.njit(cache=True)
def _spill(channel, ties, rho):
    """:func:`effective_channels`' ``clip(C0 + ρ ((I + W) C0 (I + W)ᵀ − C0), 0, 1)``.

    Compiled over the channels open in each replicate (a handful of pairs): ``((I + W) C0
    (I + W)ᵀ)_ij = Σ_ab (I + W)_ia C0_ab (I + W)_jb`` over the open ``(a, b)``, instead of two
    dense matrix products. ``C0`` and ``W`` are symmetric, and so is the result: it is summed
    on and above the diagonal and mirrored below it (readers take ``i < j``).
    """
    reps, n = channel.shape[0], channel.shape[1]
    out = np.empty((reps, n, n))
    open_a = np.empty(n * n, dtype=np.int64)
    open_b = np.empty(n * n, dtype=np.int64)
    reach = np.empty((n, n))
    for r in range(reps):
        count = 0
        for a in range(n):
            for b in range(n):
                reach[a, b] = ties[r, a, b] + (1.0 if a == b else 0.0)
                if channel[r, a, b] != 0.0:
                    open_a[count], open_b[count] = a, b
                    count += 1
        for i in range(n):
            for j in range(i, n):
                spread = 0.0
                for c in range(count):
                    a, b = open_a[c], open_b[c]
                    spread += reach[i, a] * channel[r, a, b] * reach[j, b]
                value = channel[r, i, j] + rho[r] * (spread - channel[r, i, j])
                out[r, i, j] = out[r, j, i] = minimum(maximum(value, 0.0), 1.0)
    return out


def stance_terms(world: World, state: State) -> tuple[np.ndarray | float, np.ndarray | float]:
    """The parties' stances in each incident dyad (§9): step-up logit and step-down added.

    Each side that presses adds ``stance_push`` to the logit of a step up; each that backs down
    subtracts it and adds ``stance_retreat`` to the chance of a step down. ``(R, S)`` each, or
    zeros when no state has taken a stance.
    """
    if state.stance is None or not state.stance.any():
        return 0.0, 0.0
    s = world.incident_dyads
    i, j = world.dyad_i[s], world.dyad_j[s]
    p = world.params.decisions
    sides = state.stance[:, i, j].astype(float), state.stance[:, j, i].astype(float)
    push = p.stance_push * (sides[0] + sides[1])
    retreat = p.stance_retreat * ((sides[0] < 0).astype(float) + (sides[1] < 0))
    return push, retreat


def level_distribution(start: np.ndarray, up: np.ndarray, down: np.ndarray) -> np.ndarray:
    """Stationary distribution over levels 0 … 5 of the monthly birth–death chain.

    Args:
        start: Probability that a calm dyad starts an incident, ``(…,)``.
        up: Step-up probability at levels 1 … 4, ``(…, 4)``.
        down: Step-down probability at levels 1 … 5, ``(…, 5)``.

    Returns:
        ``π`` with ``π_{L+1} / π_L = up_L / down_{L+1}`` (``up_0`` = start), ``(…, 6)``.
    """
    start = np.asarray(start, dtype=float)
    flat = start.reshape(-1)
    ups = np.ascontiguousarray(np.broadcast_to(up, (*start.shape, 4))).reshape(-1, 4)
    downs = np.ascontiguousarray(np.broadcast_to(down, (*start.shape, 5))).reshape(-1, 5)
    out = np.empty((flat.size, 6))
    for e in range(flat.size):
        stationary(flat[e], ups[e], downs[e], out[e])
    return out.reshape(*start.shape, 6)


@numba.njit(cache=True)
def stationary(start, up, down, out):
    """:func:`level_distribution` of one dyad, written into ``out`` ``(6,)``.

    The weights are the running products of ``up_L / max(down_{L+1}, 10⁻¹²)`` from 1 at calm,
    divided by their sum (summed from calm up); compiled, so that a look-ahead can call it
    per dyad.
    """
    out[0] = 1.0
    weight = 1.0
    for k in range(5):
        weight = weight * ((start if k == 0 else up[k - 1]) / maximum(down[k], 1e-12))
        out[k + 1] = weight
    total = 0.0
    for k in range(6):
        total += out[k]
    for k in range(6):
        out[k] = out[k] / total


def escalation_offset(world: World) -> np.ndarray:
    """Logit offset of step-ups by the kind of stake of each incident dyad, ``(len(dyads),)``.

    Dyads without a dispute (coercion only) take the maritime reference offset.
    """
    p = world.params.incidents
    s = world.incident_dyads
    issue = world.dispute_issue[world.dyad_i[s], world.dyad_j[s]]
    offsets = (
        p.land_escalation,
        p.maritime_escalation,
        p.sovereignty_escalation,
        p.rivalry_escalation,
    )
    # Sums of products, not np.where: a stacked sweep's coefficients carry a replicate axis.
    out = p.maritime_escalation * (issue < 0)
    for code, offset in enumerate(offsets):
        out = out + offset * (issue == code)
    return out


def step_probabilities(
    world: World, level: np.ndarray | int, *covariates: Any, **stances: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Monthly step-up and step-down probabilities of incidents at rung ``level``.

    The covariates and stances are those of :func:`escalation_terms`, which has the formula.
    """
    return escalation_terms(world, *covariates, **stances).at(level)


@dataclass(frozen=True)
class EscalationTerms:
    """The terms of :func:`step_probabilities` that do not depend on the rung.

    A look-ahead needs the step probabilities of every rung of the same dyads; these terms are
    computed once for all of them (:meth:`at` adds the rung's), in the formula's order.

    Attributes:
        opening: ``β0 + β_issue + push + β_G G``.
        tension: ``β_τ τ``.
        deterrence: ``β_D D`` (weighed by ``L/4`` at rung ``L``).
        emboldening: ``β_E E``.
        channel: ``β_C C``.
        restraint: ``β_I I``.
        nuclear: ``β_N N`` (at the step to war).
        calming: The step-down chance before the cap ``1 − p_up``.
        rung_cost: ``β_L``.
    """

    opening: np.ndarray
    tension: np.ndarray
    deterrence: np.ndarray
    emboldening: np.ndarray
    channel: np.ndarray
    restraint: np.ndarray
    nuclear: np.ndarray
    calming: np.ndarray
    rung_cost: np.ndarray | float

    def at(self, level: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        """Step-up and step-down probabilities of incidents at rung ``level``."""
        return self._chances(np.asarray(level))

    def ladder(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`at` every rung 1 … 5 at once: step-up and step-down chances, ``(5, …)`` each.

        The same arithmetic per element as :meth:`at`, over a leading rung axis.
        """
        return self._chances(np.arange(1, WAR + 1)[:, None, None])

    def _chances(self, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The formula of :func:`escalation_terms` at ``level``.

        The logit is summed in one compiled pass (:func:`_logit`), term by term in the
        formula's order; ``σ`` and the step-down cap are NumPy's, so the bits are those of the
        array form.
        """
        terms = [
            _behind(term)
            for term in (
                self.opening, self.rung_cost, self.tension, self.deterrence,
                self.emboldening, self.channel, self.restraint, self.nuclear,
            )
        ]  # fmt: skip
        shape = np.broadcast_shapes(level.shape, *(np.shape(t) for t in terms))
        # The kernel runs over three axes: fewer are padded in front, more are merged.
        full = (1,) * (3 - len(shape)) + shape if len(shape) <= 3 else (-1, *shape[-2:])
        arrays = (np.broadcast_to(a, shape).reshape(full) for a in (level, *terms))
        logit = _logit(*arrays).reshape(shape)
        p_up = 1.0 / (1.0 + np.exp(-logit))
        return p_up, np.minimum(_behind(self.calming), 1 - p_up)


def _behind(term: Any) -> Any:
    """A stacked sweep's coefficient ``(R,)`` as ``(R, 1)``, before the dyad axis; else as is."""
    if type(term) is not np.ndarray and isinstance(term, np.ndarray):
        return np.asarray(term)[:, None]
    return term


@numba.njit(cache=True)
def _logit(
    level, opening, rung_cost, tension, deterrence, emboldening, channel, restraint, nuclear
):  # fmt: skip
    """The step-up logit of :func:`escalation_terms` at ``level``, over ``(A, B, C)`` arrays.

    ``β0 + β_issue + push + β_G G − β_L (L − 1)⁺ + β_τ τ − β_D D min(L, 4)/4 + β_E E − β_C C
    − β_I I − β_N N [L = 4]``, added in this order (that of the array form it replaced).
    """
    a, b, c = level.shape
    out = np.empty((a, b, c))
    for x in range(a):
        for y in range(b):
            for z in range(c):
                rung = level[x, y, z]
                out[x, y, z] = (
                    opening[x, y, z]
                    - rung_cost[x, y, z] * max(rung - 1, 0)
                    + tension[x, y, z]
                    - deterrence[x, y, z] * min(rung, WAR - 1) / (WAR - 1)
                    + emboldening[x, y, z]
                    - channel[x, y, z]
                    - restraint[x, y, z]
                    - nuclear[x, y, z] * (1.0 if rung == WAR - 1 else 0.0)
                )
    return out


def escalation_terms(
    world: World,
    tau: np.ndarray,
    deter: np.ndarray,
    embolden: np.ndarray,
    channel: np.ndarray | float,
    ceasefire: np.ndarray,
    restraint: np.ndarray,
    coercion: np.ndarray,
    *,
    push: np.ndarray | float = 0.0,
    retreat: np.ndarray | float = 0.0,
    dyads: np.ndarray | None = None,
) -> EscalationTerms:
    """The terms of the monthly step-up and step-down probabilities of incidents (incident dyads).

    ``z = β0 + β_issue − β_L (L − 1)⁺ + β_τ τ + β_G G − β_D D min(L, 4)/4 + β_E E − β_C C
    − β_I I − β_N N [L = 4] + push``, ``p_up = σ(z)``,
    ``p_down = min(δ0 (1 − w_G min(G, 1)) + δ_C (ceasefire + C) + retreat, 1 − p_up)``;
    ``restraint`` is ``β_I I`` (interdependence), ``G`` gray-zone coercion in the dyad,
    ``push`` and ``retreat`` the parties' stances (:func:`stance_terms`). Deterrence weighs
    most on the highest rungs (``L/4``: a quarter on the first step, in full on the step to
    war): extended deterrence is built to prevent major attack, and probes below it go on (the
    stability–instability logic, Snyder 1965). :meth:`EscalationTerms.at` gives them at a rung.

    Args:
        world: The compiled scenario.
        tau: Dyad tension.
        deter: Deterrence ``D``.
        embolden: Emboldening ``E``.
        channel: Deconfliction ``C``.
        ceasefire: Ceasefire strength.
        restraint: ``β_I I``, the commercial peace.
        coercion: Gray-zone coercion ``G`` in the dyad, either way.
        push: Logit added by the parties' stances.
        retreat: Step-down chance added by the parties' stances.
        dyads: Positions among ``World.incident_dyads`` of the dyads the other arrays are
            over (default: all of them, in order).
    """
    p = world.params.incidents
    s = world.incident_dyads if dyads is None else world.incident_dyads[dyads]
    offset = escalation_offset(world)
    if dyads is not None:
        offset = offset[..., dyads]
    nuclear = world.nuclear_dyad[world.dyad_i[s], world.dyad_j[s]]
    calming = p.deescalation * (1.0 - p.coercion_persistence * np.minimum(coercion, 1.0))
    return EscalationTerms(
        opening=p.escalation_base + offset + push + p.coercion_escalation * coercion,
        tension=p.escalation_tension * tau,
        deterrence=p.escalation_deterrence * deter,
        emboldening=p.escalation_emboldening * embolden,
        channel=p.escalation_channel * channel,
        restraint=restraint,
        nuclear=p.nuclear_war_penalty * nuclear,
        calming=calming + p.ceasefire_deescalation * (ceasefire + channel) + retreat,
        rung_cost=p.escalation_rung_cost,
    )


def incident_hazard(
    world: World,
    tau: np.ndarray,
    coercion: np.ndarray,
    presence: np.ndarray,
    dyads: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly hazard of a new incident in each calm incident dyad.

    ``λ = λ0 κ (dispute + w_g coercion) (1 + w_τ τ) (1 + w_p presence) (1 + w_N nuclear)``,
    ``κ`` the dyad's propensity (:attr:`~sim.core.world.World.propensity`: fitted on the
    record with partial pooling, :mod:`sim.studies.propensity`); ``dyads`` as for
    :func:`step_probabilities`.
    """
    p = world.params.incidents
    s = world.incident_dyads if dyads is None else world.incident_dyads[dyads]
    i, j = world.dyad_i[s], world.dyad_j[s]
    return (
        p.base_hazard
        * world.propensity[..., i, j]
        * (world.dispute[i, j] + p.coercion_hazard * coercion)
        * (1.0 + p.tension_hazard * tau)
        * (1.0 + p.presence_hazard * presence)
        * (1.0 + p.nuclear_hazard * world.nuclear_dyad[i, j])
    )


def interdependence_restraint(
    world: World, economic: np.ndarray, dyads: np.ndarray | None = None
) -> np.ndarray:
    """``β_I · I_ij (1 − cut · economic_ij)`` over the incident dyads: the commercial peace.

    ``dyads`` as for :func:`step_probabilities`.
    """
    s = world.incident_dyads if dyads is None else world.incident_dyads[dyads]
    i, j = world.dyad_i[s], world.dyad_j[s]
    mutual = world.trade_share[..., i, j] + world.trade_share[..., j, i]  # (S,), or (R, S) stacked
    kept = 1.0 - world.params.economy.interdependence_cut * economic
    return world.params.incidents.interdependence_restraint * mutual * kept


def incidents_and_escalation(
    world: World,
    state: State,
    levers: np.ndarray,
    ties: Ties,
    capability_now: np.ndarray,
    channels: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw new incidents and move active ones along the escalation ladder (in place).

    A calm dyad starts a gray-zone incident with probability ``1 − exp(−λ)``
    (:func:`incident_hazard`); an active incident steps up or down with the probabilities of
    :func:`step_probabilities`.

    Returns:
        ``(new, up, down)`` boolean masks over upper-triangle dyads ``(R, D)``.
    """
    terms = lever_terms(world, state, levers)
    # Only dyads where an incident is possible (world.incident_dyads): the others have zero
    # hazard and no level, and stay calm. Every quantity below is per dyad, so computing on
    # the subset gives the same numbers as on all dyads.
    s = world.incident_dyads
    i, j = world.dyad_i[s], world.dyad_j[s]
    level = np.ascontiguousarray(state.level[:, i, j])
    tau = np.ascontiguousarray(state.tension[:, i, j])
    hazard = incident_hazard(world, tau, terms.coercion_dyad[:, s], terms.presence_dyad[:, s])
    u = month_draws(world, state, Stream.INCIDENT)
    new = (level == 0) & (u < -np.expm1(-hazard))

    deter, embolden = deterrence(world, state, levers, ties, capability_now)
    channel = 0.0 if channels is None else np.ascontiguousarray(channels[:, i, j])
    restraint = interdependence_restraint(world, terms.economic_dyad[:, s])
    coercion = terms.coercion_dyad[:, s]
    push, retreat = stance_terms(world, state)
    p_up, p_down = step_probabilities(
        world,
        level,
        tau,
        deter,
        embolden,
        channel,
        terms.ceasefire_dyad[:, s],
        restraint,
        coercion,
        push=push,
        retreat=retreat,
    )
    v = month_draws(world, state, Stream.ESCALATION)
    active = level > 0
    if state.held is not None and state.held.any():  # a rung an event set this month holds
        active = active & ~state.held[:, s]
        state.held[:] = False
    up = active & (v < p_up) & (level < WAR)
    down = active & ~up & (v < p_up + p_down)
    level = level + up.astype(level.dtype) - down.astype(level.dtype) + new.astype(level.dtype)
    full = state.level.copy()
    full[:, i, j] = full[:, j, i] = level
    state.level = full
    if state.stance is not None and state.stance.any():  # a stance ends with its incident
        calm = full == 0
        if calm.any():
            state.stance = np.where(calm, 0, state.stance).astype(np.int8)
    max_level = state.max_level.copy()
    max_level[:, s] = np.maximum(max_level[:, s], level)
    state.max_level = max_level
    masks = []
    for mask in (new, up, down):
        spread = np.zeros((state.replicates, len(world.dyad_i)), dtype=bool)
        spread[:, s] = mask
        masks.append(spread)
    state.new_incidents = masks[0]
    return masks[0], masks[1], masks[2]


def incident_records(
    world: World, state: State, new: np.ndarray, up: np.ndarray, down: np.ndarray, level
) -> None:
    """Log this month's new incidents, escalations and de-escalations (``level``: after them)."""
    for mask, record in ((new, IncidentStarted), (up, Escalated), (down, Deescalated)):
        for r, d in zip(*np.nonzero(mask), strict=True):
            i, j = int(world.dyad_i[d]), int(world.dyad_j[d])
            state.log.append(
                record(
                    replicate=int(r),
                    step=state.step + 1,
                    pair=(world.codes[i], world.codes[j]),
                    rung=int(level[r, d]),
                    dispute=world.dispute_kind.get((i, j)),
                )
            )
