"""Several samples of a sweep advanced as one array computation.

The samples of a sweep usually differ in a few numbers: free coefficients of the model, or
numeric scenario data such as an alliance's commitment or a policy's budget. Compiled, each
sample is a :class:`~sim.core.world.World`. When the worlds of several samples differ only in such
numbers, :func:`stack` makes one world for all their replicates, in which each differing
number carries a leading replicate axis; :func:`final_outcomes` advances them together.

Replicate r of a sample gives the same numbers alone or stacked with others: a coefficient
that differs between replicates enters the same elementwise operations as a scalar would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.core import engine
from sim.core.world import World
from sim.scenario.parameters import Parameters

#: World arrays that may differ between the samples of one computation. The dynamics accept
#: each with a leading replicate axis. Lever templates may differ too (they become
#: ``World.lever_overrides``); any other difference means one computation per sample.
STACKABLE = frozenset(
    {
        "gdp",
        "milex0",
        "alignment0",
        "trade_china",
        "trade_us",
        "proximity",
        "propensity",
        "salience",
        "type_weight",
        "commitment0",
        "interoperability0",
        "credibility0",
        "clarity0",
        "delivery_value",
        "growth",
        "burden_path",
        "burden_low",
        "burden_high",
        "regional",
        "decay",
        "trade_share",
        "reference_ratio",
        "reference_path",
        "reference_abandonment",
        "alignment_anchor",
        "reference_share",
        "reference_exercises",
        "reference_presence",
        "tension0",
        "memory0",
        "level_cdf",
        "rationality",
        "decision_price",
        "stance_price",
        "decision_scale",
        "decision_attended",
    }
)

#: World arrays whose first axis is a month (or a decision month), read one row at a time.
MONTH_INDEXED = frozenset(
    {
        "burden_path",
        "reference_ratio",
        "reference_path",
        "reference_abandonment",
        "alignment_anchor",
        "reference_share",
        "decision_price",
        "stance_price",
        "decision_scale",
    }
)

#: Most replicates advanced together. Larger calls were measured and gained nothing this
#: machine can resolve: the engine alone made 108–122 runs/s at 250 replicates and 121 at
#: 1,000 (docs/performance.md), and samples stacked into 400–800 replicates ran no faster than
#: one by one (105–113 runs/s either way, twelve samples of 200, 2026-12-07); memory grows
#: with the call.
MAX_REPLICATES = 256


class PerReplicate(np.ndarray):
    """A coefficient that differs between replicates, shape ``(R,)``.

    In arithmetic it acts as shape ``(R, 1, …, 1)``: along the leading axis of an operand
    that has the replicate axis (its first axis is R long), or in front of one that has not
    (a world array such as the ``(N, N)`` dispute matrix). So the dynamics use it wherever
    they use a scalar. :func:`stack` never makes R equal to another axis length, so the two
    cases cannot be confused.
    """

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """Apply ``ufunc`` with each per-replicate operand padded as described above."""
        if method != "__call__":
            return NotImplemented
        arrays = [np.asarray(x) for x in inputs]
        replicates = len(self)
        ndim = max(
            a.ndim
            if isinstance(x, PerReplicate) or (a.ndim and a.shape[0] == replicates)
            else a.ndim + 1
            for x, a in zip(inputs, arrays, strict=True)
        )
        padded = [
            a.reshape(a.shape + (1,) * (ndim - a.ndim)) if isinstance(x, PerReplicate) else a
            for x, a in zip(inputs, arrays, strict=True)
        ]
        if "out" in kwargs:
            kwargs["out"] = tuple(np.asarray(o) for o in kwargs["out"])
        result = ufunc(*padded, **kwargs)
        if all(isinstance(x, PerReplicate) or np.ndim(x) == 0 for x in inputs):
            return result.view(PerReplicate)  # still one value per replicate
        return result


def stack(worlds: Sequence[World], counts: Sequence[int]) -> World | None:
    """One world for ``counts[s]`` replicates of each of ``worlds``, or None if impossible.

    Fields that are the same in every world are kept as they are. Coefficients and the
    :data:`STACKABLE` arrays that differ get a leading replicate axis (each sample's value
    repeated for its replicates). Worlds that differ in anything else (structure, events,
    timings) cannot share a computation.
    """
    first = worlds[0]
    replicates = int(sum(counts))
    changes: dict[str, Any] = {}
    for spec in dataclasses.fields(World):
        name = spec.name
        values = [getattr(w, name) for w in worlds]
        if name == "params":
            params = _stack_parameters(values, counts)
            if params is not None:
                changes[name] = params
            continue
        if name == "levers" and len({v.shape for v in values}) == 1:
            overrides = _lever_overrides(values, counts)
            if overrides is not None:
                changes["lever_overrides"] = overrides
            continue
        if all(_same(values[0], v) for v in values[1:]):
            continue
        if name not in STACKABLE:
            return None
        changes[name] = np.concatenate(
            [np.broadcast_to(v, (c, *np.shape(v))) for v, c in zip(values, counts, strict=True)]
        )
    # Incidents are computed wherever one can happen in any of the samples.
    union = np.unique(np.concatenate([w.incident_dyads for w in worlds]))
    if replicates in set().union(*map(_sizes, worlds)) | {len(union)}:
        return None  # a replicate axis the length of another axis could broadcast silently
    stacked = dataclasses.replace(first, **changes, stacked=replicates)
    stacked.__dict__["incident_dyads"] = union
    return stacked


def final_outcomes(
    worlds: Sequence[World], replicates: Sequence[np.ndarray], seed: int
) -> tuple[list[dict[str, np.ndarray]], int]:
    """Per-replicate outcomes of each world's replicates, computed together where possible.

    Args:
        worlds: Compiled samples.
        replicates: Replicate indices of each sample.
        seed: Base seed of the sweep.

    Returns:
        One outcome dictionary per world, as :func:`sim.core.engine.final_outcomes` gives it, and
        the number of array computations that produced them.
    """
    results: list[dict[str, np.ndarray]] = []
    computations = 0
    for group in _groups([len(r) for r in replicates]):
        stacked = (
            stack([worlds[s] for s in group], [len(replicates[s]) for s in group])
            if len(group) > 1
            else None
        )
        outcomes = None
        if stacked is not None:
            try:
                outcomes = engine.final_outcomes(
                    stacked, np.concatenate([replicates[s] for s in group]), seed=seed
                )
            except ValueError:
                # A per-replicate number reached an operation that cannot broadcast it (a
                # case the tests do not cover): the samples run one by one instead.
                outcomes = None
        if outcomes is None:
            results += [engine.final_outcomes(worlds[s], replicates[s], seed=seed) for s in group]
            computations += len(group)
            continue
        computations += 1
        bounds = np.cumsum([len(replicates[s]) for s in group])[:-1]
        parts = {name: np.split(values, bounds) for name, values in outcomes.items()}
        results += [{name: parts[name][k] for name in parts} for k in range(len(group))]
    return results, computations


def _groups(counts: Sequence[int]) -> list[list[int]]:
    """Consecutive samples in groups of at most :data:`MAX_REPLICATES` replicates."""
    groups: list[list[int]] = []
    total = MAX_REPLICATES
    for s, count in enumerate(counts):
        if total + count > MAX_REPLICATES:
            groups.append([])
            total = 0
        groups[-1].append(s)
        total += count
    return groups


def _stack_parameters(values: Sequence[Parameters], counts: Sequence[int]) -> Parameters | None:
    """Parameters whose differing coefficients are :class:`PerReplicate`; None if all equal."""
    first = values[0]
    if all(v == first for v in values[1:]):
        return None
    groups = {}
    for group_name in type(first).model_fields:
        groups_of = [getattr(v, group_name) for v in values]
        group = groups_of[0]
        coefficients = {}
        for name in type(group).model_fields:
            numbers = [getattr(g, name) for g in groups_of]
            if any(x != numbers[0] for x in numbers[1:]):
                coefficients[name] = np.repeat(np.asarray(numbers, dtype=float), counts).view(
                    PerReplicate
                )
            else:
                coefficients[name] = numbers[0]
        groups[group_name] = type(group).model_construct(**coefficients)
    return type(first).model_construct(**groups)


def _lever_overrides(
    values: Sequence[np.ndarray], counts: Sequence[int]
) -> tuple[np.ndarray, np.ndarray] | None:
    """The policies whose lever templates differ, and those templates per replicate.

    Only the differing policies get a replicate axis (see ``World.lever_overrides``): a full
    ``(R, P, L, N, N)`` tensor would take a hundred megabytes at 256 replicates.
    """
    first = values[0]
    differ = [
        p for p in range(len(first)) if any(not np.array_equal(v[p], first[p]) for v in values)
    ]
    if not differ:
        return None
    templates = np.concatenate(
        [
            np.broadcast_to(v[differ], (c, len(differ), *first.shape[1:]))
            for v, c in zip(values, counts, strict=True)
        ]
    )
    return np.array(differ), templates


def _same(a: Any, b: Any) -> bool:
    if dataclasses.is_dataclass(a) and not isinstance(a, type) and type(a) is type(b):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))
    return bool(a == b)


def _sizes(world: World) -> set[int]:
    """Every axis length of the world's arrays (and its cached index sets)."""
    sizes = {world.n, len(world.alliance_names), len(world.dyad_i), len(world.incident_dyads)}
    sizes |= {len(world.events), len(world.policy_names), 2}  # 2: ties stack two strengths
    for spec in dataclasses.fields(World):
        value = getattr(world, spec.name)
        if isinstance(value, np.ndarray):
            # A month axis is indexed (one row a month) before any arithmetic: it never
            # broadcasts against the replicate axis, so its length may equal R.
            sizes.update(value.shape[1:] if spec.name in MONTH_INDEXED else value.shape)
    sizes.update(world.dispute_partners.shape)
    return sizes
