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

from sim.core.dynamics.chains import (
    CHAIN,
    CHAIN_ROW,
    RUNGS,
    chain_costs,
    chain_inputs,
    world_terms,
)
from sim.core.dynamics.deterrence import dyad_backing
from sim.core.dynamics.incidents import (
    effective_channels,
    interdependence_restraint,
    stance_terms,
)
from sim.core.dynamics.levers import LeverTerms, lever_terms
from sim.core.dynamics.state import (
    EPS,
    State,
    Ties,
    maximum,
    per_replicate,
)
from sim.core.dynamics.threat import power_share
from sim.core.world import World


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
        costs=world_terms(world)[1],
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
    return chain_costs(world, view, dyads, names, given, np.arange(dyads.size), lasting)


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
        month = chain_inputs(self.world, view)[0]
        rows = np.array([CHAIN_ROW[name] for name in names], dtype=np.int64)
        covariates = _gather(month, rows, dyads)  # the month's, then each ask's replacements
        start = 0
        for at, replaced, _ in self.asks:
            for c, name in enumerate(names):
                if name in replaced:
                    covariates[c, :, start : start + at.size] = replaced[name]
            start += at.size
        keep, inverse = _distinct(dyads, covariates.view(np.uint64))
        total, severe = chain_costs(
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

    ``month`` is :func:`chain_inputs`' ``(10, R, S)``.
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
    target = np.asarray(target, dtype=np.int64).reshape(-1)
    # The kernel reads one actor a move: one actor for all of them is spread over the targets.
    actor = np.ascontiguousarray(np.broadcast_to(np.asarray(actor, dtype=np.int64), target.shape))
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
