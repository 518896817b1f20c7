"""Incidents and escalation (``docs/model.md`` §5): hazards, the ladder, restraints, channels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from sim.core.dynamics.deterrence import deterrence
from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import (
    State,
    Ties,
    constant_rows,
    maximum,
    minimum,
    month_draws,
    per_owner,
    per_replicate,
)
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
    return _spill(channel, ties, rho, np.empty(channel.shape))


@numba.njit(cache=True, nogil=True)
def _spill(channel, ties, rho, out):
    """:func:`effective_channels` of every replicate into ``out`` (:func:`_spill_one`)."""
    n = channel.shape[1]
    spread = np.empty((n, n))
    reach = np.empty(n)
    for r in range(channel.shape[0]):
        _spill_one(channel[r], ties[r], rho[r], out[r], spread, reach)
    return out


@numba.njit(cache=True, nogil=True)
def _spill_one(channel, ties, rho, out, spread, reach):
    """``clip(C0 + ρ ((I + W) C0 (I + W)ᵀ − C0), 0, 1)`` of one replicate, into ``out``.

    Compiled over the channels open (a handful of pairs): ``((I + W) C0 (I + W)ᵀ)_ij =
    Σ_ab (I + W)_ia C0_ab (I + W)_jb`` over the open ``(a, b)`` in order, instead of two dense
    matrix products; ``W`` is symmetric, so ``(I + W)_ia`` is read along row a. Terms whose
    ``(I + W)_ia`` is zero add an exact zero and are skipped. ``C0`` and ``W`` are symmetric,
    and so is the result: it is summed on and above the diagonal and mirrored below it
    (readers take ``i < j``). The same arithmetic as the dense array form, so the same bits.

    Args:
        channel: Deconfliction channels ``C0``, ``(N, N)``.
        ties: Credible ties ``W``, ``(N, N)``.
        rho: Spillover ``ρ``.
        out: Written with the effective channels, ``(N, N)``.
        spread: Scratch, ``(N, N)``.
        reach: Scratch, ``(N,)``.
    """
    n = channel.shape[0]
    for i in range(n):
        for j in range(n):
            spread[i, j] = 0.0
    for a in range(n):
        for b in range(n):
            opened = channel[a, b]
            if opened == 0.0:
                continue
            for j in range(n):
                reach[j] = ties[b, j] + (1.0 if b == j else 0.0)
            for i in range(n):
                toward = ties[a, i] + (1.0 if a == i else 0.0)
                if toward == 0.0:
                    continue
                weight = toward * opened
                for j in range(n):
                    spread[i, j] += weight * reach[j]
    for i in range(n):
        for j in range(i, n):
            value = channel[i, j] + rho * (spread[i, j] - channel[i, j])
            out[i, j] = out[j, i] = minimum(maximum(value, 0.0), 1.0)


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


@numba.njit(cache=True, nogil=True)
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
    return _static(world).offset


@dataclass(frozen=True)
class _Static:
    """What the incident formulas read of the world alone, over its incident dyads.

    Attributes:
        offset: :func:`escalation_offset`.
        nuclear: ``β_N N`` of :func:`escalation_terms`.
        propensity: The base hazard times the dyad's propensity, of :func:`incident_hazard`.
        dispute: The dispute weight of each dyad.
        nuclear_hazard: ``1 + w_N nuclear``.
        restraint: ``β_I I`` of :func:`interdependence_restraint`, ``I`` the dyad's mutual
            trade share.
        packed: The six above in this order, one row or one per replicate (stacked),
            ``(1 or R, 6, S)`` (:func:`_month_terms`' argument).
        side_i: First side of each incident dyad, ``(S,)``.
        side_j: Second side, ``(S,)``.
        rows: :func:`_month_coefficients` by number of replicates (filled as they are met).
    """

    offset: np.ndarray
    nuclear: np.ndarray
    propensity: np.ndarray
    dispute: np.ndarray
    nuclear_hazard: np.ndarray
    restraint: np.ndarray
    packed: np.ndarray
    side_i: np.ndarray
    side_j: np.ndarray
    rows: dict[int, np.ndarray]


@per_owner
def _static(world: World) -> _Static:
    """The :class:`_Static` of a world, computed once: worlds and their parameters are frozen."""
    p = world.params.incidents
    s = world.incident_dyads
    i, j = world.dyad_i[s], world.dyad_j[s]
    issue = world.dispute_issue[i, j]
    offsets = (
        p.land_escalation,
        p.maritime_escalation,
        p.sovereignty_escalation,
        p.rivalry_escalation,
    )
    # Sums of products, not np.where: a stacked sweep's coefficients carry a replicate axis.
    offset = p.maritime_escalation * (issue < 0)
    for code, weight in enumerate(offsets):
        offset = offset + weight * (issue == code)
    terms = (
        offset,
        p.nuclear_war_penalty * world.nuclear_dyad[i, j],
        p.base_hazard * world.propensity[..., i, j],
        world.dispute[i, j],
        1.0 + p.nuclear_hazard * world.nuclear_dyad[i, j],
        p.interdependence_restraint * (world.trade_share[..., i, j] + world.trade_share[..., j, i]),
    )
    rows = max(np.shape(term)[0] if np.ndim(term) == 2 else 1 for term in terms)
    packed = np.empty((rows, len(terms), s.size))
    for k, term in enumerate(terms):
        packed[:, k, :] = term
    static = _Static(*terms, packed=packed, side_i=i, side_j=j, rows={})
    for value in (*terms, packed, i, j):
        value.flags.writeable = False  # shared between calls
    return static


def world_rows(world: World) -> np.ndarray:
    """What the incident formulas read of the world alone, ``(1 or R, 6, S)`` (read-only).

    Over the incident dyads: the escalation offset, ``β_N N``, the base hazard times the
    propensity, the dispute weight, ``1 + w_N nuclear`` and ``β_I I``, one row or one per
    replicate of a stacked sweep (:class:`_Static`'s ``packed``).
    """
    return _static(world).packed


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

    def _chances(self, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The formula of :func:`escalation_terms` at ``level``.

        The negated logit is summed in one compiled pass (:func:`_negative_logit`), term by
        term in the formula's order; ``exp`` is NumPy's, and ``σ`` and the step-down cap are
        taken in a second pass (:func:`_squash`), so the bits are those of the array form.
        """
        terms = [
            _behind(term)
            for term in (
                self.opening, self.rung_cost, self.tension, self.deterrence,
                self.emboldening, self.channel, self.restraint, self.nuclear,
            )
        ]  # fmt: skip
        calming = _behind(self.calming)
        shape = np.broadcast_shapes(level.shape, *(np.shape(t) for t in terms))
        if len(shape) > 3 or np.broadcast_shapes(shape, np.shape(calming)) != shape:
            return _merged(level, terms, calming, shape)
        # The kernels run over three axes, each operand padded in front (not broadcast).
        full = (1,) * (3 - len(shape)) + shape
        p_up, p_down = np.empty(full), np.empty(full)
        _negative_logit(p_up, *(_padded(a) for a in (level, *terms)))
        np.exp(p_up, out=p_up)
        _squash(p_up, _padded(calming), p_down)
        return p_up.reshape(shape), p_down.reshape(shape)


def _merged(
    level: np.ndarray, terms: list, calming: Any, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`EscalationTerms._chances` beyond the kernels' three axes (merged in front).

    Also where the step-down term is wider than the logit: then as the array form, broadcast.
    """
    full = (-1, *shape[-2:]) if len(shape) > 3 else (1,) * (3 - len(shape)) + shape
    arrays = [np.broadcast_to(a, shape).reshape(full) for a in (level, *terms)]
    negative = _negative_logit(np.empty(arrays[0].shape), *arrays)
    p_up = 1.0 / (1.0 + np.exp(negative.reshape(shape)))
    return p_up, np.minimum(calming, 1 - p_up)


def _behind(term: Any) -> Any:
    """A stacked sweep's coefficient ``(R,)`` as ``(R, 1)``, before the dyad axis; else as is."""
    if type(term) is not np.ndarray and isinstance(term, np.ndarray):
        return np.asarray(term)[:, None]
    return term


def _padded(term: Any) -> np.ndarray:
    """A term of at most three axes as an array of three, padded with length-1 axes in front."""
    term = np.asarray(term)
    return term.reshape((1,) * (3 - term.ndim) + term.shape)


@numba.njit(nogil=True, inline="always")
def _spread(array, shape):
    """``array`` broadcast to ``shape`` as NumPy would (a view: length-1 axes read at 0)."""
    return np.broadcast_to(array, shape)


@numba.njit(cache=True, nogil=True)
def _negative_logit(
    out, level, opening, rung_cost, tension, deterrence, emboldening, channel, restraint, nuclear
):  # fmt: skip
    """Minus the step-up logit of :func:`escalation_terms` at ``level``, into ``out`` ``(A, B, C)``.

    :func:`minus_logit` per element; the operands broadcast against ``out`` (:func:`_spread`).
    """
    shape = out.shape
    level, opening, rung_cost = (
        _spread(level, shape),
        _spread(opening, shape),
        _spread(rung_cost, shape),
    )
    tension, deterrence = _spread(tension, shape), _spread(deterrence, shape)
    emboldening, channel = _spread(emboldening, shape), _spread(channel, shape)
    restraint, nuclear = _spread(restraint, shape), _spread(nuclear, shape)
    for x in range(shape[0]):
        for y in range(shape[1]):
            for z in range(shape[2]):
                out[x, y, z] = minus_logit(
                    level[x, y, z], opening[x, y, z], rung_cost[x, y, z], tension[x, y, z],
                    deterrence[x, y, z], emboldening[x, y, z], channel[x, y, z],
                    restraint[x, y, z], nuclear[x, y, z],
                )  # fmt: skip
    return out


@numba.njit(nogil=True, inline="always")
def minus_logit(
    rung, opening, rung_cost, tension, deterrence, emboldening, channel, restraint, nuclear
):  # fmt: skip
    """Minus the step-up logit of :func:`escalation_terms` of one dyad at rung ``rung``.

    ``β0 + β_issue + push + β_G G − β_L (L − 1)⁺ + β_τ τ − β_D D min(L, 4)/4 + β_E E − β_C C
    − β_I I − β_N N [L = 4]``, added in this order (that of the array form it replaced), then
    negated (exact).
    """
    return -(
        opening
        - rung_cost * max(rung - 1, 0)
        + tension
        - deterrence * min(rung, WAR - 1) / (WAR - 1)
        + emboldening
        - channel
        - restraint
        - nuclear * (1.0 if rung == WAR - 1 else 0.0)
    )


@numba.njit(cache=True, nogil=True)
def _squash(p_up, calming, p_down):
    """``σ`` and the step-down cap, ``(A, B, C)``: ``p_up ← 1 / (1 + p_up)``, in place.

    ``p_up`` holds ``exp(−z)`` on entry; :func:`_squashed` per element. ``calming``
    broadcasts against ``p_up``.
    """
    calming = _spread(calming, p_up.shape)
    for x in range(p_up.shape[0]):
        for y in range(p_up.shape[1]):
            for z in range(p_up.shape[2]):
                p_up[x, y, z], p_down[x, y, z] = _squashed(p_up[x, y, z], calming[x, y, z])


@numba.njit(nogil=True, inline="always")
def _squashed(negative, calming):
    """``(σ(z), min(calming, 1 − σ(z)))`` from ``negative`` = ``exp(−z)``: step-up and down.

    ``1 / (1 + exp(−z))`` and :func:`minimum` (NumPy's): the array form's arithmetic.
    """
    up = 1.0 / (1.0 + negative)
    return up, minimum(calming, 1.0 - up)


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
    static = _static(world)
    offset, nuclear = static.offset, static.nuclear
    if dyads is not None:
        offset, nuclear = offset[..., dyads], nuclear[..., dyads]
    calming = p.deescalation * (1.0 - p.coercion_persistence * np.minimum(coercion, 1.0))
    return EscalationTerms(
        opening=p.escalation_base + offset + push + p.coercion_escalation * coercion,
        tension=p.escalation_tension * tau,
        deterrence=p.escalation_deterrence * deter,
        emboldening=p.escalation_emboldening * embolden,
        channel=p.escalation_channel * channel,
        restraint=restraint,
        nuclear=nuclear,
        calming=calming + p.ceasefire_deescalation * (ceasefire + channel) + retreat,
        rung_cost=p.escalation_rung_cost,
    )


# The formulas of one dyad, compiled: the month's kernel (:func:`_month_terms`) and the
# look-ahead's chains (:mod:`sim.core.dynamics.outlook`) both call them, so each formula is
# written once; the array forms above are what they are checked against, to the bit.


@numba.njit(nogil=True, inline="always")
def opening_term(b_0, offset, push, b_g, coerced):
    """``β0 + β_issue + push + β_G G`` of :func:`escalation_terms`, added in this order."""
    return b_0 + offset + push + b_g * coerced


@numba.njit(nogil=True, inline="always")
def calming_term(d_0, w_g, d_c, coerced, ceasefire, channel, retreat):
    """The step-down chance of :func:`escalation_terms` before its cap, in the formula's order.

    ``δ0 (1 − w_G min(G, 1)) + δ_C (ceasefire + C) + retreat`` (:func:`minimum`, NumPy's).
    """
    return d_0 * (1.0 - w_g * minimum(coerced, 1.0)) + d_c * (ceasefire + channel) + retreat


@numba.njit(nogil=True, inline="always")
def minus_hazard(propensity, dispute, w_g, coerced, w_t, tau, w_p, presence, nuclear):
    """``−λ`` of :func:`incident_hazard` for one dyad, multiplied in the formula's order.

    ``propensity`` is ``λ0 ψ`` and ``nuclear`` ``1 + w_N nuclear``.
    """
    return -(propensity * (dispute + w_g * coerced) * (1.0 + w_t * tau) * (1.0 + w_p * presence)
             * nuclear)  # fmt: skip


def incident_hazard(
    world: World,
    tau: np.ndarray,
    coercion: np.ndarray,
    presence: np.ndarray,
    dyads: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly hazard of a new incident in each calm incident dyad.

    ``λ = λ0 ψ (dispute + w_g coercion) (1 + w_τ τ) (1 + w_p presence) (1 + w_N nuclear)``,
    ``ψ`` the dyad's propensity (:attr:`~sim.core.world.World.propensity`: fitted on the
    record with partial pooling, :mod:`sim.studies.propensity`); ``dyads`` as for
    :func:`step_probabilities`.
    """
    p = world.params.incidents
    static = _static(world)
    propensity, dispute, nuclear = static.propensity, static.dispute, static.nuclear_hazard
    if dyads is not None:
        propensity, dispute, nuclear = (x[..., dyads] for x in (propensity, dispute, nuclear))
    return (
        propensity
        * (dispute + p.coercion_hazard * coercion)
        * (1.0 + p.tension_hazard * tau)
        * (1.0 + p.presence_hazard * presence)
        * nuclear
    )


def interdependence_restraint(
    world: World, economic: np.ndarray, dyads: np.ndarray | None = None
) -> np.ndarray:
    """``β_I · I_ij (1 − cut · economic_ij)`` over the incident dyads: the commercial peace.

    ``dyads`` as for :func:`step_probabilities`.
    """
    restraint = _static(world).restraint  # β_I I: (S,), or (R, S) stacked
    if dyads is not None:
        restraint = restraint[..., dyads]
    kept = 1.0 - world.params.economy.interdependence_cut * economic
    return restraint * kept


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
    :func:`step_probabilities` (the covariates: :func:`interdependence_restraint`,
    :func:`stance_terms`, :func:`~sim.core.dynamics.deterrence.deterrence`).

    Returns:
        ``(new, up, down)`` boolean masks over upper-triangle dyads ``(R, D)``.
    """
    terms = lever_terms(world, state, levers)
    # Only dyads where an incident is possible (world.incident_dyads): the others have zero
    # hazard and no level, and stay calm. Every quantity below is per dyad, so computing on
    # the subset gives the same numbers as on all dyads.
    s = world.incident_dyads
    static = _static(world)
    r = state.replicates
    deter, embolden = deterrence(world, state, levers, ties, capability_now)
    stance = state.stance
    if stance is None or not stance.any():  # no stance: none pushes, none to end
        stance = np.zeros((r, 0, 0), dtype=np.int8)
    coefficient = _coefficients(world, static, r)
    rung = np.empty((r, s.size), np.int8)
    start, negative, calming = np.empty((3, r, s.size))
    _month_terms(
        coefficient, static.packed, state.level, state.tension,
        np.empty((r, 0, 0)) if channels is None else channels, stance, terms.coercion_dyad,
        terms.presence_dyad, terms.economic_dyad, terms.ceasefire_dyad, deter, embolden,
        static.side_i, static.side_j, s, rung, start, negative, calming,
    )  # fmt: skip
    np.expm1(start, out=start)
    np.exp(negative, out=negative)
    held = np.zeros((r, 0), dtype=bool)
    if state.held is not None and state.held.any():  # a rung an event set this month holds
        held = state.held[:, s]
        state.held[:] = False
    full, max_level = state.level.copy(), state.max_level.copy()
    calmed = np.empty_like(stance)
    masks = tuple(np.zeros((r, len(world.dyad_i)), dtype=bool) for _ in range(3))
    _escalate(
        stance, static.side_i, static.side_j, s, rung, start,
        month_draws(world, state, Stream.INCIDENT), negative, calming,
        month_draws(world, state, Stream.ESCALATION), held, full, max_level, calmed, *masks,
    )  # fmt: skip
    state.level, state.max_level = full, max_level
    if calmed.size:
        state.stance = calmed
    state.new_incidents = masks[0]
    return masks


def _coefficients(world: World, static: _Static, replicates: int) -> np.ndarray:
    """:func:`_month_coefficients`, kept per world and number of replicates."""
    coefficient = static.rows.get(replicates)
    if coefficient is None:
        coefficient = static.rows[replicates] = _month_coefficients(world, replicates)
    return coefficient


def _month_coefficients(world: World, replicates: int) -> np.ndarray:
    """The coefficients :func:`_month_terms` reads, one row or one per replicate."""
    p, d = world.params.incidents, world.params.decisions
    return constant_rows(
        replicates, p.coercion_hazard, p.tension_hazard, p.presence_hazard, p.escalation_base,
        p.coercion_escalation, p.escalation_tension, p.escalation_deterrence,
        p.escalation_emboldening, p.escalation_channel, p.escalation_rung_cost, p.deescalation,
        p.coercion_persistence, p.ceasefire_deescalation,
        world.params.economy.interdependence_cut, d.stance_push, d.stance_retreat,
    )  # fmt: skip


@numba.njit(cache=True, nogil=True)
def _month_terms(
    coefficient, packed, level, tension, channels, stance, coercion, presence, economic,
    ceasefire, deter, embolden, i, j, s, rung, start, negative, calming,
):  # fmt: skip
    """The month's incident terms of every replicate's incident dyads, in one pass, ``(R, S)``.

    Per dyad, the arithmetic of the array forms: ``rung`` the level; ``start`` ``−λ``
    (:func:`incident_hazard`, ``np.expm1`` to be taken); ``negative`` minus the step-up logit
    (:func:`minus_logit` of :func:`escalation_terms`' terms, ``np.exp`` to be taken);
    ``calming`` the step-down chance before its cap, with the stances' push and retreat of
    :func:`stance_terms` and the restraint of :func:`interdependence_restraint`.

    Args:
        coefficient: ``w_g, w_τ, w_p, β0, β_G, β_τ, β_D, β_E, β_C, β_L, δ0, w_G, δ_C``, the
            interdependence cut, ``stance_push`` and ``stance_retreat``; one row, or one per
            replicate.
        packed: :attr:`_Static.packed`, one row or one per replicate.
        level: Levels, ``(R, N, N)``.
        tension: Tension, ``(R, N, N)``.
        channels: Effective channels, ``(R, N, N)``; empty when none is open.
        stance: Stances, ``(R, N, N)``; empty when nobody holds one.
        coercion: Gray-zone coercion over upper-triangle dyads, ``(R, D)``.
        presence: Presence friction, ``(R, D)``.
        economic: Economic coercion, ``(R, D)``.
        ceasefire: Ceasefire strength, ``(R, D)``.
        deter: Deterrence over incident dyads, ``(R, S)``.
        embolden: Emboldening, ``(R, S)``.
        i: First side of each incident dyad, ``(S,)``.
        j: Second side, ``(S,)``.
        s: Position of each among the upper-triangle dyads, ``(S,)``.
        rung: Written with the levels, ``(R, S)``.
        start: Written with ``−λ``, ``(R, S)``.
        negative: Written with ``−z`` at the rung, ``(R, S)``.
        calming: Written with the step-down chance before its cap, ``(R, S)``.
    """
    for r in range(level.shape[0]):
        row = coefficient[r if coefficient.shape[0] > 1 else 0]
        (w_g, w_t, w_p, b_0, b_g, b_t, b_d, b_e, b_c, b_l, d_0, w_c, d_c, cut, push_w,
         retreat_w) = row  # fmt: skip
        static = packed[r if packed.shape[0] > 1 else 0]
        for e in range(s.size):
            a, b, q = i[e], j[e], s[e]
            now = level[r, a, b]
            tau = tension[r, a, b]
            coerced = coercion[r, q]
            rung[r, e] = now
            start[r, e] = minus_hazard(
                static[2, e], static[3, e], w_g, coerced, w_t, tau, w_p, presence[r, q],
                static[4, e],
            )  # fmt: skip
            channel = channels[r, a, b] if channels.shape[1] else 0.0
            push = retreat = 0.0
            if stance.shape[1]:
                one, other = float(stance[r, a, b]), float(stance[r, b, a])
                push = push_w * (one + other)
                retreat = retreat_w * ((1.0 if one < 0 else 0.0) + (1.0 if other < 0 else 0.0))
            negative[r, e] = minus_logit(
                now,
                opening_term(b_0, static[0, e], push, b_g, coerced),
                b_l,
                b_t * tau,
                b_d * deter[r, e],
                b_e * embolden[r, e],
                b_c * channel,
                static[5, e] * (1.0 - cut * economic[r, q]),
                static[1, e],
            )
            calming[r, e] = calming_term(d_0, w_c, d_c, coerced, ceasefire[r, q], channel, retreat)


@numba.njit(cache=True, nogil=True)
def _escalate(
    stance, i, j, s, rung, start, u, negative, calming, v, held, full, max_level, calmed, new,
    up, down,
):  # fmt: skip
    """The draws of :func:`incidents_and_escalation` and the new state, every replicate.

    Per replicate, :func:`_escalate_one`; ``held`` (dyads whose rung holds this month) and
    ``stance`` (the stances to end with their incidents) are empty when there are none.
    """
    for r in range(full.shape[0]):
        _escalate_one(
            stance[r] if stance.shape[1] else stance[0],
            i, j, s, rung[r], start[r], u[r], negative[r], calming[r], v[r],
            held[r] if held.shape[1] else held[0], full[r], max_level[r],
            calmed[r] if calmed.shape[1] else calmed[0], new[r], up[r], down[r],
        )  # fmt: skip


@numba.njit(cache=True, nogil=True, inline="always")
def _escalate_one(
    stance, i, j, s, rung, start, u, negative, calming, v, held, full, max_level, calmed, new,
    up, down,
):  # fmt: skip
    """One replicate's month on the ladder, the array form's comparisons and sums.

    A calm incident dyad starts an incident where ``u < 1 − exp(−λ)`` (``start`` holds
    ``exp(−λ) − 1``, negated here: exact); an active one (its rung not held) steps up where
    ``v < p_up`` below war, else down where ``v < p_up + p_down`` (both of
    :func:`_squashed`). Updates the levels ``full`` ``(N, N)`` (mirrored) and the highest
    levels ``max_level`` in place, sets the masks ``new``, ``up``, ``down`` over
    upper-triangle dyads ``(D,)`` (zero beforehand), and, with a ``stance``, writes the
    stances left once calm dyads drop theirs into ``calmed``. Inlined into :func:`_escalate`
    (a call per replicate would cost more than its body).

    Args:
        stance: Stances, ``(N, N)``; empty when nobody holds one.
        i: First side of each incident dyad, ``(S,)``.
        j: Second side, ``(S,)``.
        s: Position of each incident dyad among the upper-triangle dyads, ``(S,)``.
        rung: ``level`` on the incident dyads, ``(S,)``.
        start: ``exp(−λ) − 1`` of each incident dyad, ``(S,)``.
        u: Incident draws, ``(S,)``.
        negative: ``exp(−z)`` of the step-up logit ``z``, ``(S,)``.
        calming: Step-down chances before their cap, ``(S,)``.
        v: Escalation draws, ``(S,)``.
        held: Whether each incident dyad's rung holds, ``(S,)``; empty when none does.
        full: The levels, ``(N, N)``: before the month, updated in place.
        max_level: The highest levels, ``(D,)``: before the month, updated in place.
        calmed: Written with the stances left, ``(N, N)`` (unused without ``stance``).
        new: Set where an incident starts, ``(D,)``.
        up: Set where one steps up, ``(D,)``.
        down: Set where one steps down, ``(D,)``.
    """
    for d in range(s.size):
        now = rung[d]
        p_up, p_down = _squashed(negative[d], calming[d])
        started = now == 0 and u[d] < -start[d]
        active = now > 0 and not (held.size and held[d])
        rises = active and v[d] < p_up and now < WAR
        falls = active and not rises and v[d] < p_up + p_down
        after = now + np.int8(rises) - np.int8(falls) + np.int8(started)
        full[i[d], j[d]] = full[j[d], i[d]] = after
        max_level[s[d]] = max(max_level[s[d]], after)
        new[s[d]], up[s[d]], down[s[d]] = started, rises, falls
    if stance.size:
        n = full.shape[0]
        for a in range(n):
            for b in range(n):
                calmed[a, b] = 0 if full[a, b] == 0 else stance[a, b]


def incident_records(
    world: World, state: State, new: np.ndarray, up: np.ndarray, down: np.ndarray, level
) -> None:
    """Log this month's new incidents, escalations and de-escalations (``level``: after them)."""
    pairs, disputes = _dyad_labels(world)
    step = state.step + 1
    append = state.log.append
    for mask, record in ((new, IncidentStarted), (up, Escalated), (down, Deescalated)):
        rows, dyads = np.nonzero(mask)
        rungs = level[rows, dyads].tolist()
        numbers = state.replicate_id(rows)
        for r, d, rung in zip(numbers, dyads.tolist(), rungs, strict=True):
            append(record(r, step, pair=pairs[d], rung=rung, dispute=disputes[d]))


@per_owner
def _dyad_labels(world: World) -> tuple[tuple[tuple[str, str], ...], tuple[str | None, ...]]:
    """Each upper-triangle dyad's pair of codes and its dispute's kind (None without one)."""
    dyads = list(zip(world.dyad_i.tolist(), world.dyad_j.tolist(), strict=True))
    pairs = tuple((world.codes[i], world.codes[j]) for i, j in dyads)
    return pairs, tuple(world.dispute_kind.get(dyad) for dyad in dyads)
