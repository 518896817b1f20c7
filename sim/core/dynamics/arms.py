"""Capabilities and arms dynamics (``docs/model.md`` §1): burden towards a threat-driven target.

Each state's military burden (spending as a share of GDP) moves towards a target: its announced
trajectory, raised or lowered by how the capability it faces compares with its own and its
protectors' (a log ratio, so the reaction does not depend on the size of the economies), and by
its fear of abandonment. GDP grows along sourced projections and economic coercion costs some
of it; spending is burden times GDP.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.core.dynamics.levers import lever_terms
from sim.core.dynamics.state import (
    DT,
    EPS,
    State,
    constant_rows,
    leading,
    maximum,
    minimum,
    row_sum,
)
from sim.core.world import World


def at_month(path: np.ndarray, step: int) -> np.ndarray:
    """Row ``step`` of a month-indexed world array (``(T+1, N)``, or ``(R, T+1, N)`` stacked).

    Months past the horizon read the horizon's row.
    """
    return path[..., min(step, path.shape[-2] - 1), :]


def income(world: World, state: State, levers: np.ndarray, step: int) -> np.ndarray:
    """GDP at ``step`` (US$ bn): projected growth, less what economic coercion costs, ``(R, N)``.

    ``Y_i(t) = GDP_i (1 + g_i)^(t/12) · (1 − c_Y Σ_a e_ai s_ia)``, with ``e_ai`` a's economic
    coercion of i and ``s_ia`` i's trade share with a.
    """
    grown = world.gdp * (1.0 + world.growth) ** (step / 12.0)
    coerced = lever_terms(world, state, levers).economic_on  # [r, i, a] = a's coercion of i
    if coerced is None:
        return np.broadcast_to(grown, state.milex.shape)
    out = np.empty(coerced.shape[:2])
    cost = constant_rows(out.shape[0], world.params.economy.coercion_gdp_cost)
    return _income(cost, _row(grown), coerced, leading(world.trade_share, 2), out)


@numba.njit(cache=True, nogil=True)
def _income(cost, grown, coerced, trade_share, out):
    """:func:`income` under coercion, ``Y (1 − c_Y Σ_a e_ai s_ia)``, into ``out`` ``(R, N)``.

    The products of each row summed in NumPy's order (:func:`row_sum`), then the array
    form's arithmetic: the same bits. ``cost`` and ``trade_share`` are one row, or one per
    replicate; ``grown`` in row form (:func:`_row`).
    """
    n = coerced.shape[2]
    products = np.empty(n)
    for r in range(out.shape[0]):
        c_y = cost[r if cost.shape[0] > 1 else 0, 0]
        shares = trade_share[r if trade_share.shape[0] > 1 else 0]
        for i in range(out.shape[1]):
            for a in range(n):
                products[a] = coerced[r, i, a] * shares[i, a]
            out[r, i] = _at(grown, r, i) * (1.0 - c_y * row_sum(products))
    return out


def threat_ratio(
    world: World,
    faced_share: np.ndarray,
    protection: np.ndarray,
    capability_now: np.ndarray,
    on_path: np.ndarray,
) -> np.ndarray:
    """Log ratio of the capability a state faces to its own and its protectors', ``(R, N)``.

    ``r_i = ln(F_i / O_i)`` with ``F_i = Σ_j T_ij · Σ_m ĉ_m`` (the threat-weighted aggregate
    power of the others, §2) and ``O_i = ĉ°_i + π Σ_m P_im ĉ_m`` (own theatre capability plus a
    share of what its protectors can bring to its theatre, :func:`~sim.core.dynamics.deterrence`).
    A state's own term ``ĉ°_i`` is its capability with its spending on the status quo's path
    (``on_path``, :func:`path_capability`): its own announced rise is not a change in what it
    faces, so it is reached rather than read as a reason to spend less.

    ``faced_share`` is ``Σ_j T_ij``, ``(R, N)``, as :func:`~sim.core.dynamics.threat.
    threat_perception` returns it.
    """
    regional = capability_now * world.regional
    pooled = np.einsum("rim,rm->ri", protection, regional)
    both = np.empty((2, *regional.shape))
    _faced_and_own(
        constant_rows(regional.shape[0], world.params.arms.ally_pooling),
        faced_share,
        regional,
        on_path,
        leading(world.regional, 1),
        pooled,
        both,
    )
    np.log(both, out=both)
    return both[0] - both[1]


@numba.njit(cache=True, nogil=True)
def _faced_and_own(pooling, faced_share, regional, on_path, reach, pooled, out):
    """``max(F, ε)`` and ``max(O, ε)`` of :func:`threat_ratio` into ``out`` ``(2, R, N)``.

    ``F = Σ_j T_ij · Σ_m ĉ_m`` (the region's total summed in NumPy's order,
    :func:`row_sum`) and ``O = ĉ°_i + π (P ĉ)_i`` (``pooled`` the product, NumPy's
    einsum): the array form's arithmetic, so the same bits. ``pooling`` and ``reach`` (the
    regional shares ``ρ``) are one row, or one per replicate.
    """
    for r in range(regional.shape[0]):
        total = row_sum(regional[r])
        share = pooling[r if pooling.shape[0] > 1 else 0, 0]
        weight = reach[r if reach.shape[0] > 1 else 0]
        for i in range(regional.shape[1]):
            out[0, r, i] = maximum(faced_share[r, i] * total, EPS)
            own = on_path[r, i] * weight[i] + share * pooled[r, i]
            out[1, r, i] = maximum(own, EPS)


def path_capability(
    world: World, state: State, capability_now: np.ndarray, step: int
) -> np.ndarray:
    """Each state's capability with its spending on the status quo's path, ``(R, N)``.

    ``ĉ° = ĉ + m (b̄°(t) / b − 1)``, with ``b̄°`` the status quo's announced burden
    (``World.reference_path``): assistance and arms in service as they are, own spending as the
    status quo's path would make it. A state's own departure from that path (a new target of
    its own, or its reaction so far) is not a change in what it faces.
    """
    path = world.burden_path if world.reference_path is None else world.reference_path
    return _on_path(
        capability_now,
        state.milex,
        _row(at_month(path, step)),
        state.burden,
        np.empty(state.milex.shape),
    )


@numba.njit(cache=True, nogil=True)
def _on_path(capability_now, milex, path, burden, out):
    """:func:`path_capability`' ``ĉ + m (b̄°(t) / b − 1)`` into ``out`` ``(R, N)``, in one pass.

    ``path`` in row form (:func:`_row`); the array form's arithmetic in its order.
    """
    for r in range(out.shape[0]):
        for i in range(out.shape[1]):
            out[r, i] = capability_now[r, i] + milex[r, i] * (_at(path, r, i) / burden[r, i] - 1.0)
    return out


def target_burden(
    world: World,
    step: int,
    ratio: np.ndarray,
    abandonment: np.ndarray,
    threat: np.ndarray,
    posture: np.ndarray | float = 1.0,
) -> np.ndarray:
    """The burden each state moves towards, within its record band, ``(R, N)``.

    ``b*_i = p_i · b̄_i(t) · exp(κ θ_i (r_i − r̄_i(t))) · (1 + α (Ab_i − Āb_i(t)))``: the
    announced path ``b̄``, scaled by the state's chosen posture ``p_i`` (1 unless it decided to
    raise or cut its budget, §9) and by the departure of the threat ratio and of abandonment
    fear from their values on the status-quo path (barred quantities,
    :mod:`sim.core.dynamics.anchoring`). The ratio's departure weighs in proportion to the
    state's perceived threat ``θ_i`` (Walt: states balance against threat, not power): losing
    an ally's umbrella matters to a state in proportion to how threatened it is.
    """
    p = world.params.arms
    given = (
        threat,
        ratio,
        at_month(world.reference_ratio, step),
        posture,
        at_month(world.burden_path, step),
        abandonment,
        at_month(world.reference_abandonment, step),
        world.burden_low,
        world.burden_high,
    )
    rows = [_row(value) for value in given]
    target = np.empty(_row_shape(rows))
    coefficient = constant_rows(target.shape[0], p.reaction, p.abandonment_arming)
    _reaction(coefficient, *rows[:3], target)
    np.exp(target, out=target)
    _target(coefficient, target, *rows[3:])
    # Of numbers and countries alone, the array form gives countries alone.
    return target if any(np.ndim(value) == 2 for value in given) else target[0]


def _row(value) -> np.ndarray:
    """A number or an array of countries as rows ``(1, N)`` or ``(R, N)`` (a kernel's argument).

    A number is one row of one column, read at every country.
    """
    if type(value) is np.ndarray and value.dtype == np.float64:  # the common cases, directly
        if value.ndim == 2:
            return value
        if value.ndim == 1:
            return value[None]
    value = np.asarray(value, dtype=float)
    return value.reshape((1,) * (2 - value.ndim) + value.shape)


def _row_shape(rows: list[np.ndarray]) -> tuple[int, int]:
    """The shape row-form arrays (:func:`_row`) broadcast to, ``(R, N)``, checked as NumPy's."""
    shape = (max(a.shape[0] for a in rows), max(a.shape[1] for a in rows))
    for a in rows:
        if a.shape[0] not in (1, shape[0]) or a.shape[1] not in (1, shape[1]):
            raise ValueError(f"shapes {[a.shape for a in rows]} do not broadcast together")
    return shape


@numba.njit(cache=True, nogil=True, inline="always")
def _at(array, r, i):
    """``array[r, i]`` of a row-form array (:func:`_row`): a length-1 axis is read at 0."""
    return array[r if array.shape[0] > 1 else 0, i if array.shape[1] > 1 else 0]


@numba.njit(cache=True, nogil=True)
def _reaction(coefficient, threat, ratio, reference, out):
    """``κ θ (r − r̄)`` of :func:`target_burden` into ``out`` ``(R, N)``: its ``exp``'s argument.

    ``coefficient`` holds ``κ`` and ``α`` (one row, or one per replicate); the other operands
    are in row form (:func:`_row`). The array form's arithmetic in its order.
    """
    for r in range(out.shape[0]):
        reaction = coefficient[r if coefficient.shape[0] > 1 else 0, 0]
        for i in range(out.shape[1]):
            departure = _at(ratio, r, i) - _at(reference, r, i)
            out[r, i] = reaction * _at(threat, r, i) * departure


@numba.njit(cache=True, nogil=True)
def _target(coefficient, target, posture, path, abandonment, reference, low, high):
    """The rest of :func:`target_burden`, in place: ``target`` holds ``exp(κ θ (r − r̄))``.

    ``p b̄ exp(·) · max(1 + α (Ab − Āb), 0)`` within ``[b_lo, b_hi]`` (``np.clip``'s bounds,
    :func:`minimum` of :func:`maximum`), the array form's arithmetic in its order.
    """
    for r in range(target.shape[0]):
        arming = coefficient[r if coefficient.shape[0] > 1 else 0, 1]
        for i in range(target.shape[1]):
            value = _at(posture, r, i) * _at(path, r, i) * target[r, i]
            fear = _at(abandonment, r, i) - _at(reference, r, i)
            value = value * maximum(1.0 + arming * fear, 0.0)
            target[r, i] = minimum(maximum(value, _at(low, r, i)), _at(high, r, i))


def arms_dynamics(
    world: World,
    state: State,
    levers: np.ndarray,
    ratio: np.ndarray,
    abandonment: np.ndarray,
) -> np.ndarray:
    """Move each burden a month towards its target, relative to the announced path (in place).

    With ``x = b / b̄(t)`` the burden relative to its path, ``x ← x + Δt · a · (b*/b̄ − x)`` and
    ``b = clip(x · b̄(t + 1), b_lo, b_hi)``: at rest (``b* = b̄``) the burden follows its path
    exactly, and a departure of the target decays towards it at the rate ``a``. Spending is
    ``m = b · Y(t + 1)``.

    Returns:
        Annualised growth rates of the burdens, ``(R, N)``: the effort beyond economic growth
        that tension's security-dilemma term reads (§6).
    """
    step = state.step
    posture = 1.0 if state.posture is None else state.posture
    target = target_burden(world, step, ratio, abandonment, state.threat, posture)
    burden = np.empty(target.shape)
    growth = np.empty(target.shape)
    _follow(
        constant_rows(target.shape[0], DT * world.params.arms.fatigue),
        target,
        state.burden,
        _row(at_month(world.burden_path, step)),
        _row(at_month(world.burden_path, step + 1)),
        _row(world.burden_low),
        _row(world.burden_high),
        burden,
        growth,
    )
    state.burden = burden
    state.milex = burden * income(world, state, levers, step + 1)
    return growth


@numba.njit(cache=True, nogil=True)
def _follow(rate, target, before, path, following, low, high, burden, growth):
    """The burdens of :func:`arms_dynamics` and their growth, into ``burden`` and ``growth``.

    ``x = b / b̄(t)``, ``x + Δt a (b*/b̄(t) − x)``, ``b = clip(x b̄(t + 1), b_lo, b_hi)`` and
    ``12 (b / b_before − 1)``: the array form's arithmetic in its order; ``rate`` holds
    ``Δt · a`` (one row, or one per replicate).
    """
    for r in range(target.shape[0]):
        pace = rate[r if rate.shape[0] > 1 else 0, 0]
        for i in range(target.shape[1]):
            now = _at(path, r, i)
            relative = before[r, i] / now
            relative = relative + pace * (target[r, i] / now - relative)
            value = relative * _at(following, r, i)
            value = minimum(maximum(value, _at(low, r, i)), _at(high, r, i))
            burden[r, i] = value
            growth[r, i] = (value / before[r, i] - 1.0) * 12.0
