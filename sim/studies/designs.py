"""What the alliance designs change in the states' choices, across the cost split ``φ``.

An alliance design reaches China's choices two ways with opposite signs (``docs/model.md``
§9): it shifts the costs of an incident onto China where they follow the balance of strength
(the ``1 − φ`` part), and its deterrence makes each incident less likely to climb, so pressing
is safer (the stability–instability paradox). :func:`design_effects` measures the net effect of
each design against ``hub_and_spoke`` at several values of ``common_cost`` φ, paired by
replicate (common random numbers), so that a claim about a design says in what share of φ's
plausible range its sign holds.

:func:`strait_sensitivity` does the same for the Taiwan Strait designs (ambiguity, clarity,
a pact without Taiwan) across ``incidents.sovereignty_escalation``, the coefficient every
Taiwan result rests on.

Run ``python -m sim.studies.designs`` for the tables ``docs/model.md`` §9 and
``docs/validation.md`` §4 quote.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.core import metrics
from sim.core.compile import compile_world
from sim.core.dynamics.levers import active_levers
from sim.core.dynamics.step import advance, initial_state
from sim.core.engine import simulate
from sim.core.rng import replicate_keys
from sim.core.world import LEVER_INDEX
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.studies.compare import wilson

#: The designs compared with the status quo, and the status quo.
DESIGNS = ("formal_asian_nato", "latticework", "us_retrenchment")
CONTROL = "hub_and_spoke"
#: The Taiwan Strait designs: ambiguity (the crisis as shipped), clarity, a pact without Taiwan.
STRAIT = ("taiwan_strait_crisis", "taiwan_strait_clarity", "taiwan_strait_pact")
#: Rung from which an incident counts as a clash (docs/model.md §5).
CLASH = 3


def _coercion_and_alignment(name: str, common: float, replicates: int, seed: int):
    """China's mean coercion of the Philippines and the Philippines' final alignment."""
    world = compile_world(load_scenario(name))
    decisions = world.params.decisions.model_copy(update={"common_cost": common})
    world = dataclasses.replace(
        world, params=world.params.model_copy(update={"decisions": decisions})
    )
    state = initial_state(world, replicate_keys(seed, range(replicates)))
    reader = metrics.lookup(world, state)
    phl = world.index("PHL")
    coercion = np.zeros(replicates)
    for _ in range(world.horizon):
        advance(world, state, reader)
        coercion += active_levers(world, state)[:, LEVER_INDEX["coercion"], world.china, phl]
    return coercion / world.horizon, state.alignment[:, phl].copy()


def design_effects(
    commons: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
    replicates: int = 100,
    seed: int = 2025,
) -> pd.DataFrame:
    """Each design's paired effect on China's coercion of the Philippines, at each ``φ``.

    Returns:
        One row per design and ``φ``: the mean paired difference of China's gray-zone coercion
        of the Philippines (mean intensity over the run, 0–1) and its t statistic, and the same
        for the Philippines' final alignment.
    """
    rows = []
    for common in commons:
        base = _coercion_and_alignment(CONTROL, common, replicates, seed)
        for design in DESIGNS:
            treated = _coercion_and_alignment(design, common, replicates, seed)
            row = {"design": design, "common_cost": common}
            for name, t, c in zip(("coercion", "alignment"), treated, base, strict=True):
                diff = t - c
                se = diff.std(ddof=1) / np.sqrt(diff.size)
                row[f"{name}_effect"] = diff.mean()
                row[f"{name}_t"] = diff.mean() / se if se > 0 else np.inf
            row["control_coercion"] = base[0].mean()
            rows.append(row)
    return pd.DataFrame(rows)


def strait_sensitivity(
    offsets: Sequence[float] = (-1.0, -2.0, -3.0),
    replicates: int = 200,
    seed: int = 2025,
) -> pd.DataFrame:
    """P(clash or worse on China–Taiwan) in each Strait design, at each sovereignty offset.

    Returns:
        One row per offset and design: the share of replicates in which China–Taiwan reached
        the clash rung, its Wilson 95% interval, and the back-downs a run of China and Taiwan.
    """
    rows = []
    for offset in offsets:
        for name in STRAIT:
            data = load_scenario(name).model_dump(mode="json", exclude_none=True)
            incidents = data.setdefault("parameters", {}).setdefault("incidents", {})
            incidents["sovereignty_escalation"] = offset
            world = compile_world(Scenario.model_validate(data))
            run = simulate(world, replicates, seed=seed, log=False)
            china, taiwan = world.china, world.index("TWN")
            dyad = int(
                np.flatnonzero(
                    (world.dyad_i == min(china, taiwan)) & (world.dyad_j == max(china, taiwan))
                )[0]
            )
            hits = int((run.max_level[:, dyad] >= CLASH).sum())
            low, high = wilson(hits, replicates)
            retreats = run.countries["retreats"][-1]
            rows.append(
                {
                    "sovereignty_escalation": offset,
                    "design": name,
                    "p_clash": hits / replicates,
                    "low": low,
                    "high": high,
                    "china_backdowns": retreats[:, china].mean(),
                    "taiwan_backdowns": retreats[:, taiwan].mean(),
                }
            )
    return pd.DataFrame(rows)


if __name__ == "__main__":  # pragma: no cover - the documented command
    print(design_effects().round(4).to_string(index=False))
    print()
    print(strait_sensitivity().round(3).to_string(index=False))
