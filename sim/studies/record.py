"""The record of conflict: where the status quo puts force, against where it was used.

For each salient dyad of the region, :data:`RECORD` says whether force was used between the two
states (MID hostility level 4, "use of force"; Palmer et al. 2022 for 2011–2014, and the public
record after, recalled) in the decade 2015–2024, and for Thailand–Cambodia, whose
decade was quiet between the 2008–2011 and the 2025 fighting, over 2008–2025. The model's
counterpart is the probability that the dyad reaches the clash rung (3) or higher in ten years
of ``hub_and_spoke``. :func:`score` compares the two with the Brier score, against a naive
baseline that gives every dyad the same probability (the share of dyads with force used).

The escalation offsets by stake (``incidents.*_escalation``) were set with this record in view,
so the score is a consistency check of the shipped model, not an out-of-sample test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.core.compile import compile_world
from sim.core.engine import simulate
from sim.scenario.loader import load_scenario
from sim.studies.compare import wilson

#: Rung from which a dyad counts as having seen force (the ladder of ``docs/model.md`` §5).
CLASH = 3


@dataclass(frozen=True)
class Observed:
    """What the record shows for one dyad.

    Attributes:
        force: Whether force (MID hostility 4) was used between the two in the window.
        note: The episodes, or their absence (recalled: not checked at source here).
    """

    force: bool
    note: str


#: The salient dyads and their record (recalled; see the module docstring for the windows).
RECORD: dict[tuple[str, str], Observed] = {
    ("USA", "CHN"): Observed(False, "intercepts and close approaches; no use of force since 2001"),
    ("CHN", "JPN"): Observed(False, "coast-guard patrols around the Senkakus; no use of force"),
    ("CHN", "TWN"): Observed(
        False, "ADIZ incursions and the 2022 and 2024 exercises; no use of force"
    ),
    ("PRK", "USA"): Observed(
        False, "missile tests and the 2017 crisis of threats; no use of force"
    ),
    ("RUS", "USA"): Observed(False, "intercepts over the Pacific; no use of force"),
    ("JPN", "RUS"): Observed(False, "patrols and joint China–Russia flights; no use of force"),
    ("JPN", "PRK"): Observed(False, "missiles over Japan in 2017 and 2022; no use of force"),
    ("CHN", "IND"): Observed(True, "Galwan, 15 Jun 2020 (fatal); Tawang, Dec 2022"),
    ("KOR", "PRK"): Observed(True, "the Aug 2015 exchange of artillery fire across the DMZ"),
    ("CHN", "PHL"): Observed(True, "water cannon and ramming 2023; Second Thomas Shoal, Jun 2024"),
    ("CHN", "VNM"): Observed(
        True, "a Vietnamese fishing boat sunk by a coast-guard ship, Apr 2020"
    ),
    ("THA", "KHM"): Observed(True, "Preah Vihear 2008–2011 and the fighting of May–Jul 2025"),
    ("CHN", "MYS"): Observed(False, "coast-guard presence at Luconia Shoals; no use of force"),
}


@dataclass(frozen=True)
class DyadScore:
    """One dyad: the record against the model.

    Attributes:
        pair: The two states.
        observed: The record.
        probability: Model probability of a clash or worse in ten years.
        low: Lower end of its 95% Wilson interval.
        high: Upper end.
        war: Model probability of war (rung 5) in ten years.
    """

    pair: tuple[str, str]
    observed: Observed
    probability: float
    low: float
    high: float
    war: float


def record_scores(
    replicates: int = 200,
    *,
    seed: int = 2025,
    scenario: str = "hub_and_spoke",
    progress: Callable[[int], None] | None = None,
) -> list[DyadScore]:
    """Each dyad of :data:`RECORD` in ``replicates`` ten-year runs of the status quo."""
    world = compile_world(load_scenario(scenario))
    run = simulate(world, replicates, seed=seed, log=False, progress=progress)
    scores = []
    for (a, b), observed in RECORD.items():
        d = world.dyad_index(world.index(a), world.index(b))
        peak = run.max_level[:, d]
        hits = int((peak >= CLASH).sum())
        low, high = wilson(hits, replicates)  # the comparison tables' Wilson interval
        scores.append(
            DyadScore((a, b), observed, hits / replicates, low, high, float((peak >= 5).mean()))
        )
    return scores


def score(scores: list[DyadScore]) -> dict[str, float]:
    """Brier scores of the model and of the naive base-rate baseline (lower is better)."""
    truth = np.array([s.observed.force for s in scores], dtype=float)
    model = np.array([s.probability for s in scores])
    base = np.full_like(truth, truth.mean())
    return {
        "model": float(((model - truth) ** 2).mean()),
        "base_rate": float(((base - truth) ** 2).mean()),
        "base_rate_value": float(truth.mean()),
    }


def markdown(scores: list[DyadScore]) -> str:
    """The record and the model side by side, then the two Brier scores."""
    lines = [
        "| dyad | force used (record) | P(clash or worse in 10 years), model [95% CI] "
        "| P(war), model | the record |",
        "|---|:-:|---:|---:|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.pair[0]}–{s.pair[1]} | {'yes' if s.observed.force else 'no'} "
            f"| {s.probability:.2f} [{s.low:.2f}, {s.high:.2f}] | {s.war:.3f} "
            f"| {s.observed.note} |"
        )
    brier = score(scores)
    lines.append("")
    lines.append(
        f"Brier score: model {brier['model']:.3f}; naive baseline (every dyad at the base rate "
        f"{brier['base_rate_value']:.2f}) {brier['base_rate']:.3f}."
    )
    return "\n".join(lines) + "\n"
