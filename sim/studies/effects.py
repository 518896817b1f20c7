"""What each policy of a scenario does: the scenario with it against the scenario without it.

Every lever kind has one documented outcome, a direction and a range (:data:`KIND_EFFECTS`,
``docs/model.md`` §7): a policy is run on and off with common random numbers, and its effect is
the mean paired difference of that outcome. A policy whose effect falls outside its kind's
range either does nothing or does everything, which is what ``geosim effects`` and the tests
look for. The lever is measured on its own: every state follows the script in both runs
(``decisions: {strategy: scripted}``), so what is measured is the lever's mechanism, not the
moves it prompts the deciding states to make (docs/model.md §9), which the comparisons report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from sim.core.compile import compile_world
from sim.core.engine import Trajectory, simulate
from sim.scenario.schema import Decisions, PolicyEvent, Scenario


@dataclass(frozen=True)
class KindEffect:
    """The documented effect of one lever kind.

    Attributes:
        outcome: What is measured, in words.
        low: Smallest effect in the documented direction (an effect below it does nothing).
        high: Largest (an effect above it does everything).
    """

    outcome: str
    low: float
    high: float


#: Smallest shift of alignment a lever must make: a ten-thousandth of the axis. The calibrated
#: inducement pull (``alignment.inducement_weight`` 0.06, an eighth of its judgement value 0.5;
#: docs/validation.md §3) leaves a small programme a few ten-thousandths; the floor still catches
#: a lever that does nothing.
ALIGNMENT_FLOOR = 0.0001
#: Documented outcome and range of each lever kind (effects are signed so that the documented
#: direction is positive).
KIND_EFFECTS: dict[str, KindEffect] = {
    kind: KindEffect(
        "peak shift of the partners' alignment towards the actor", ALIGNMENT_FLOOR, 0.25
    )
    for kind in (
        "security_assistance",
        "economic_inducement",
        "arms_transfer",
        "trade_agreement",
        "civil_nuclear",
        "exercises",
        "task_force",
    )
} | {
    "forward_presence": KindEffect(
        "peak shift of the credibility of the actor's pledges to the hosts (or, without one, "
        "of incident months in the hosts' disputes)",
        0.002,
        0.6,
    ),
    "deconfliction_channel": KindEffect(
        "fall of the mean tension between actor and partners over the run", 0.002, 0.4
    ),
    "ceasefire": KindEffect(
        "fall of the mean tension between actor and partners over the run", 0.002, 0.5
    ),
    "dialogue": KindEffect(
        "fall of the mean tension between actor and partners over the run", 0.002, 0.5
    ),
    "gray_zone_coercion": KindEffect(
        "rise of the share of months with an active incident between actor and partners",
        0.005,
        0.8,
    ),
    "economic_coercion": KindEffect(
        "rise of the mean tension between actor and partners over the run", 0.002, 0.4
    ),
}


@dataclass(frozen=True)
class PolicyEffect:
    """One policy's measured effect.

    Attributes:
        scenario: Scenario name.
        policy: Policy name (``<event>.policy`` for a policy inside an event).
        kind: Lever kind.
        actor: Who pulls the lever.
        partners: At whom.
        effect: Mean paired effect, signed so that the documented direction is positive.
        spread: Standard error of the mean paired difference.
    """

    scenario: str
    policy: str
    kind: str
    actor: str
    partners: tuple[str, ...]
    effect: float
    spread: float

    @property
    def documented(self) -> KindEffect:
        """The documented outcome and range of this policy's kind."""
        return KIND_EFFECTS[self.kind]

    @property
    def within(self) -> bool:
        """Whether the effect lies in its kind's documented range."""
        return self.documented.low <= self.effect <= self.documented.high


def policies_of(scenario: Scenario) -> Iterator[tuple[str, object]]:
    """Every policy of a scenario: declared ones, then those inside policy events."""
    yield from scenario.policies.items()
    for name, event in scenario.events.items():
        if isinstance(event, PolicyEvent):
            yield f"{name}.policy", event.policy


def scripted(scenario: Scenario) -> Scenario:
    """The scenario with every state following its script (nobody decides)."""
    return scenario.model_copy(update={"decisions": Decisions(strategy="scripted")})


def without(scenario: Scenario, name: str) -> Scenario:
    """The scenario without one policy (a policy event is left out whole).

    Compile it with ``rest=`` the original scenario, so that both are anchored on the same
    rest state (under ``anchor: self`` a month-0 policy is part of it).
    """
    if name in scenario.policies:
        policies = {k: v for k, v in scenario.policies.items() if k != name}
        return scenario.model_copy(update={"policies": policies})
    event = name.removesuffix(".policy")
    events = {k: v for k, v in scenario.events.items() if k != event}
    return scenario.model_copy(update={"events": events})


def _pairs(run: Trajectory, actor: str, partners: tuple[str, ...]) -> list[int]:
    world = run.world
    a = world.index(actor)
    return [world.dyad_index(a, world.index(p)) for p in partners if p != actor]


def _outcome(
    kind: str, actor: str, partners: tuple[str, ...]
) -> Callable[[Trajectory], np.ndarray]:
    """Per-replicate outcome of a lever kind (larger = the documented direction)."""

    def alignment(run: Trajectory) -> np.ndarray:
        world = run.world
        series = run.countries["alignment"]  # (T+1, R, N)
        a = world.index(actor)
        towards = [
            series[:, :, world.index(p)] * np.sign(series[0, :, a] - series[0, :, world.index(p)])
            for p in partners
        ]
        return np.mean(towards, axis=0)  # (T+1, R): read at its peak (see policy_effects)

    def credibility(run: Trajectory) -> np.ndarray:
        world = run.world
        a = world.index(actor)
        pledges = [
            k
            for k, name in enumerate(world.alliance_names)
            if world.hub[k] == a
            and world.against[k].any()
            and any(world.members0[k, world.index(p)] for p in partners)
        ]
        if not pledges:
            hosts = [world.index(p) for p in partners]
            dyads = [
                d
                for d in range(len(world.dyad_i))
                if world.dispute[world.dyad_i[d], world.dyad_j[d]] > 0
                and (world.dyad_i[d] in hosts or world.dyad_j[d] in hosts)
            ]
            return (run.level[1:, :, dyads] > 0).mean(axis=(0, 2))
        return run.credibility[:, :, pledges].mean(axis=2)  # (T+1, R)

    def calm(run: Trajectory) -> np.ndarray:
        return -run.tension[1:, :, _pairs(run, actor, partners)].mean(axis=(0, 2))

    def tense(run: Trajectory) -> np.ndarray:
        return run.tension[1:, :, _pairs(run, actor, partners)].mean(axis=(0, 2))

    def active(run: Trajectory) -> np.ndarray:
        return (run.level[1:, :, _pairs(run, actor, partners)] > 0).mean(axis=(0, 2))

    chosen = {
        "forward_presence": credibility,
        "deconfliction_channel": calm,
        "ceasefire": calm,
        "dialogue": calm,
        "gray_zone_coercion": active,
        "economic_coercion": tense,
    }
    return chosen.get(kind, alignment)


def policy_effects(
    scenario: Scenario,
    *,
    replicates: int = 16,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[PolicyEffect]:
    """Each policy's effect on its kind's outcome: the scenario with it against without it.

    Args:
        scenario: A validated scenario.
        replicates: Replicates of each run (common random numbers: the same indices and seed).
        seed: Base seed; defaults to the scenario's.
        progress: Called with replicate-months completed.

    Returns:
        One :class:`PolicyEffect` per policy, in the scenario's order.
    """
    seed = scenario.seed if seed is None else seed
    scenario = scripted(scenario)
    with_all = simulate(
        compile_world(scenario), replicates, seed=seed, log=False, progress=progress
    )
    effects = []
    for name, policy in policies_of(scenario):
        kind, actor, partners = policy.kind, policy.actor, tuple(policy.partners)
        off = simulate(
            compile_world(without(scenario, name), rest=scenario),
            replicates,
            seed=seed,
            log=False,
            progress=progress,
        )
        outcome = _outcome(kind, actor, partners)
        diff = outcome(with_all) - outcome(off)
        if diff.ndim == 2:  # a path of months: the effect at its peak (a policy may end early)
            diff = diff[int(np.argmax(np.abs(diff.mean(axis=1))))]
        spread = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else 0.0
        effects.append(
            PolicyEffect(
                scenario=scenario.name,
                policy=name,
                kind=kind,
                actor=actor,
                partners=partners,
                effect=float(diff.mean()),
                spread=float(spread),
            )
        )
    return effects


def markdown(effects: list[PolicyEffect]) -> str:
    """The effects as a Markdown table, one row per policy, flagging those out of range."""
    lines = [
        "| policy | kind | actor → partners | effect ± s.e. | documented range | verdict |",
        "|---|---|---|---:|---:|---|",
    ]
    for e in effects:
        r = e.documented
        verdict = "within" if e.within else ("does nothing" if e.effect < r.low else "too large")
        lines.append(
            f"| `{e.policy}` | {e.kind} | {e.actor} → {', '.join(e.partners)} "
            f"| {e.effect:+.4f} ± {e.spread:.4f} | [{r.low:g}, {r.high:g}] | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def effects_table(effects: list[PolicyEffect]):
    """The effects as a data frame (one row per policy), for ``effects.csv``."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "scenario": e.scenario,
                "policy": e.policy,
                "kind": e.kind,
                "actor": e.actor,
                "partners": " ".join(e.partners),
                "outcome": e.documented.outcome,
                "effect": e.effect,
                "standard_error": e.spread,
                "low": e.documented.low,
                "high": e.documented.high,
                "within": e.within,
            }
            for e in effects
        ]
    )
