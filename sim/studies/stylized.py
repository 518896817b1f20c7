"""Stylized facts: directional claims from the seed articles and the literature, as experiments.

Each fact compares a treated scenario with a control scenario, run on the same replicates
(common random numbers), and states which way an outcome should move. The paired differences
give a mean effect and a 95% confidence interval, and the fact:

- **holds** when the interval excludes zero on the claimed side;
- **fails** when it excludes zero on the other side;
- **inconclusive** otherwise.

A fact may instead claim that a cause barely matters (``direction`` 0, with a ``bound``): it
holds when the interval lies inside ``(−bound, bound)``, fails when it lies wholly outside, and
is inconclusive otherwise.

Each fact also records the verdict that ``docs/validation.md`` reports (``expected``). The test
suite checks that the model still gives it, so the document cannot go stale silently. A fact
that fails stays recorded as failing, with the reason in its note: facts are never tuned until
they pass.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
from scipy import stats

from sim.core.compile import compile_world
from sim.core.engine import Trajectory, simulate
from sim.scenario.loader import resolve
from sim.scenario.schema import Scenario

Verdict = Literal["holds", "fails", "inconclusive"]

#: ASEAN members among the modelled countries.
ASEAN = ("PHL", "VNM", "MYS", "SGP", "IDN", "THA", "KHM", "LAO", "MMR", "BRN")
#: Southeast Asian recipients of the 2013 training-funds increase in ``sea_rebalance_2013``.
RECIPIENTS = ("PHL", "VNM", "IDN", "THA", "MYS")
#: Members of the formal pact of ``formal_asian_nato``, other than the United States.
PACT_MEMBERS = ("JPN", "KOR", "AUS", "PHL")


# --------------------------------------------------------------------------------------------
# Scenarios


def _policy(kind: str, actor: str, partners: list[str], source: str, **fields: Any) -> dict:
    return {"kind": kind, "actor": actor, "partners": partners, "source": source, **fields}


#: Variants of the status quo used by the facts: added policies (``None`` removes one) and,
#: under a ``countries.<ISO3>`` key, a country override.
VARIANTS: dict[str, tuple[str, dict[str, dict | None]]] = {
    "hub_and_spoke+channel": (
        "hub_and_spoke",
        {
            "us_china_channel": _policy(
                "deconfliction_channel",
                "USA",
                ["CHN"],
                "fact:us_china_mil_mil_deconfliction_channels",
                strength=0.8,
            )
        },
    ),
    "hub_and_spoke+accord": (
        "hub_and_spoke",
        {
            "tha_khm_accord": _policy(
                "ceasefire", "THA", ["KHM"], "fact:kl_peace_accord_tha_khm", strength=0.8
            )
        },
    ),
    "hub_and_spoke+task_force": (
        "hub_and_spoke",
        {
            "us_phl_task_force": _policy(
                "task_force", "USA", ["PHL"], "fact:us_philippines_task_force"
            )
        },
    ),
    "hub_and_spoke-coercion": (
        "hub_and_spoke",
        {"china_coercion_philippines": None, "china_coercion_vietnam": None},
    ),
    "hub_and_spoke+philippine_doubling": (
        "hub_and_spoke",
        {
            "countries.PHL": {
                "burden_target_pct": 3.0,
                "burden_target_month": 60,
                "source": "judgement: twice the Philippines' 1.5% record high (SIPRI Milex 2024, "
                "recalled), an experiment, not a plan",
            }
        },
    ),
    "hub_and_spoke+chinese_surge": (
        "hub_and_spoke",
        {
            "countries.CHN": {
                "burden_target_pct": 2.7,
                "burden_target_month": 60,
                "source": "judgement: China's 1.7% burden (seeds/countries.csv milex_usd_bn, "
                "gdp_usd_bn) raised by 1 point, an experiment, not a forecast",
            }
        },
    ),
    "hub_and_spoke+thai_presence": (
        "hub_and_spoke",
        {
            "us_presence_thailand": _policy(
                "forward_presence",
                "USA",
                ["THA"],
                "judgement: a US rotational presence in Thailand, an experiment, not a plan",
                level=0.5,
            )
        },
    ),
}


@cache
def scenario(name: str) -> Scenario:
    """A shipped scenario, or one of :data:`VARIANTS` of it."""
    base, changes = VARIANTS.get(name, (name, {}))
    data, _ = resolve(base)
    data = copy.deepcopy(data)
    for key, change in changes.items():
        if key.startswith("countries."):
            code = key.removeprefix("countries.")
            countries = data.setdefault("countries", {})
            countries[code] = {**countries.get(code, {}), **change}
        elif change is None:
            data["policies"].pop(key)
        else:
            data["policies"][key] = change
    data["name"] = name.replace("+", "_plus_").replace("-", "_minus_")
    return Scenario.model_validate(data, strict=True)


# --------------------------------------------------------------------------------------------
# Outcomes (one value per replicate)


def final(metric: str, *codes: str) -> Callable[[Trajectory], np.ndarray]:
    """Mean over ``codes`` of a country metric in the final month."""

    def outcome(run: Trajectory) -> np.ndarray:
        index = [run.world.index(c) for c in codes]
        return run.countries[metric][-1][:, index].mean(axis=1)

    return outcome


def arms_growth(code: str) -> Callable[[Trajectory], np.ndarray]:
    """Change of a country's military spending over the run, %."""

    def outcome(run: Trajectory) -> np.ndarray:
        i = run.world.index(code)
        milex = run.countries["milex_usd_bn"]
        return 100.0 * (milex[-1, :, i] / milex[0, :, i] - 1.0)

    return outcome


def _dyads(run: Trajectory, pairs: list[tuple[str, str]]) -> list[int]:
    return [run.world.dyad_index(run.world.index(a), run.world.index(b)) for a, b in pairs]


def peak_escalation(*pairs: tuple[str, str]) -> Callable[[Trajectory], np.ndarray]:
    """Mean over the dyads of the highest rung each reached (0 calm … 5 war)."""

    def outcome(run: Trajectory) -> np.ndarray:
        return run.max_level[:, _dyads(run, list(pairs))].astype(float).mean(axis=1)

    return outcome


def mean_tension(a: str, b: str) -> Callable[[Trajectory], np.ndarray]:
    """A dyad's tension averaged over the run."""

    def outcome(run: Trajectory) -> np.ndarray:
        return run.tension[1:, :, _dyads(run, [(a, b)])[0]].mean(axis=0)

    return outcome


def asean_spread(run: Trajectory) -> np.ndarray:
    """Standard deviation of ASEAN members' final alignments (how split ASEAN is)."""
    index = [run.world.index(c) for c in ASEAN]
    return run.countries["alignment"][-1][:, index].std(axis=1)


def model_final(metric: str) -> Callable[[Trajectory], np.ndarray]:
    """A model metric in the final month."""
    return lambda run: run.model[metric][-1]


def incidents_total(run: Trajectory) -> np.ndarray:
    """Incidents started over the run."""
    return run.model["incidents"][1:].sum(axis=0)


def active_share(*pairs: tuple[str, str]) -> Callable[[Trajectory], np.ndarray]:
    """Share of dyad-months with an incident under way on the dyads (0–1)."""

    def outcome(run: Trajectory) -> np.ndarray:
        return (run.level[1:, :, _dyads(run, list(pairs))] > 0).mean(axis=(0, 2))

    return outcome


def pledge_credibility(alliance: str) -> Callable[[Trajectory], np.ndarray]:
    """Credibility of one alliance's pledge in the final month (0–1)."""

    def outcome(run: Trajectory) -> np.ndarray:
        return run.credibility[-1, :, run.world.alliance_names.index(alliance)]

    return outcome


# --------------------------------------------------------------------------------------------
# The facts


@dataclass(frozen=True)
class Fact:
    """A directional claim and the experiment that tests it.

    Attributes:
        id: Short identifier.
        claim: The claim, in one sentence.
        sources: Seed facts (``fact:<id>``) and literature.
        treated: Scenario with the cause.
        control: Scenario without it.
        outcome: Per-replicate outcome of a recorded run.
        measure: What the outcome is, in words (with its unit).
        direction: +1 if the claim says the outcome rises with the cause, −1 if it falls, 0 if
            it says the cause barely moves it.
        expected: The verdict ``docs/validation.md`` reports.
        note: What the result means; for a failure, whether the model or the claim is wrong.
        bound: For ``direction`` 0, the largest effect that still counts as barely moving it.
        marginal: The verdict holds at this ensemble size but the effect is within twice the
            interval's half-width of zero (a z of 2–4): reported as such, in the note.
    """

    id: str
    claim: str
    sources: tuple[str, ...]
    treated: str
    control: str
    outcome: Callable[[Trajectory], np.ndarray]
    measure: str
    direction: int
    expected: Verdict
    note: str = ""
    bound: float = 0.0
    marginal: bool = False


CHINA_DISPUTES = (("CHN", "PHL"), ("CHN", "VNM"), ("CHN", "JPN"), ("CHN", "MYS"), ("CHN", "IDN"))

FACTS: tuple[Fact, ...] = (
    Fact(
        "pact_raises_china_threat",
        "A formal collective-defence pact raises China's perceived threat (security dilemma).",
        (
            "fact:ratner_pacific_defense_pact_proposal",
            "fact:china_accuses_us_asian_nato",
            "Jervis 1978",
            "Walt 1987",
        ),
        "formal_asian_nato",
        "hub_and_spoke",
        final("threat", "CHN"),
        "China's perceived threat in month 120 (0–1)",
        +1,
        "holds",
    ),
    Fact(
        "pact_raises_china_arms",
        "A formal collective-defence pact makes China arm more (security dilemma).",
        ("fact:ratner_pacific_defense_pact_proposal", "Jervis 1978", "Richardson 1960"),
        "formal_asian_nato",
        "hub_and_spoke",
        arms_growth("CHN"),
        "growth of China's military spending over ten years (%)",
        +1,
        "holds",
    ),
    Fact(
        "pact_deters_escalation",
        "A formal pact lowers how far incidents between China and its members escalate "
        "(deterrence).",
        (
            "fact:ratner_pacific_defense_pact_proposal",
            "fact:us_phl_mdt_applies_scs",
            "Schelling 1966",
            "Snyder 1984",
        ),
        "formal_asian_nato",
        "hub_and_spoke",
        peak_escalation(*[("CHN", m) for m in PACT_MEMBERS]),
        "highest rung reached on China–member dyads, mean over the four dyads (0–5)",
        -1,
        "holds",
        "Marginal: −0.020 rungs, 95% CI [−0.031, −0.009] (z ≈ 3.7), on a mean of 1.12 (with the "
        "dyad propensities; −0.023, z ≈ 4.5, before them). Model 2.0 found "
        "−0.006, inconclusive: a pact over the existing treaties adds only its new pairs, whose "
        "capability in China's theatre is small next to the US's. Under Model 3.0 the states "
        "choose, and the pact's deterrence reaches their stances and campaigns; the effect is "
        "still small (a fiftieth of a rung), and its sign on China's coercion depends on how "
        "incident costs are split (`common_cost`, docs/model.md §9).",
        marginal=True,
    ),
    Fact(
        "channels_lower_escalation",
        "US–China military deconfliction channels lower escalation of China's disputes.",
        (
            "fact:us_china_mil_mil_deconfliction_channels",
            "fact:hegseth_dong_jun_meeting",
            "Schelling 1966",
        ),
        "hub_and_spoke+channel",
        "hub_and_spoke",
        peak_escalation(*CHINA_DISPUTES),
        "highest rung reached on China's five maritime disputes, mean (0–5)",
        -1,
        "holds",
        "First run: inconclusive. The channel's spillover to allies used W·C·Wᵀ, which reaches "
        "only dyads between the two parties' allies, not a US ally's dyad with China, contrary "
        "to docs/model.md. The model was wrong; with (I+W)·C·(I+W)ᵀ − C the fact holds.",
    ),
    Fact(
        "training_funds_align_recipients",
        "More Southeast Asia training funds move the recipients towards the US.",
        (
            "fact:pentagon_sea_foreign_military_funding_increase",
            "fact:hagel_midas_speech",
            "Walt 1987",
        ),
        "sea_rebalance_2013",
        "hub_and_spoke",
        final("alignment", *RECIPIENTS),
        "recipients' mean alignment in month 120 (−1 China … +1 US)",
        +1,
        "holds",
    ),
    Fact(
        "retrenchment_moves_asean_to_china",
        "US retrenchment moves ASEAN towards China.",
        (
            "fact:us_prefers_alliance_continuity",
            "fact:rivals_see_informal_asian_nato",
            "Snyder 1984",
            "Walt 1987",
        ),
        "us_retrenchment",
        "hub_and_spoke",
        final("alignment", *ASEAN),
        "ASEAN members' mean alignment in month 120",
        -1,
        "holds",
    ),
    Fact(
        "retrenchment_arms_japan",
        "US retrenchment makes Japan arm more (abandonment → internal balancing).",
        (
            "fact:asian_allies_spend_more_europe_model",
            "fact:us_supports_stronger_japan_military",
            "Snyder 1984",
        ),
        "us_retrenchment",
        "hub_and_spoke",
        arms_growth("JPN"),
        "growth of Japan's military spending over ten years (%)",
        +1,
        "holds",
        "+12 points on a status-quo path of +38% over ten years. Most of it is lost pooled "
        "protection (arms.ally_pooling: Japan counts a third of the US capability it can draw "
        "on as its own, and retrenchment withdraws it); abandonment fear adds the rest (under "
        "Model 2.0: +3.9 with pooling off, +7.2 with abandonment_arming off, not measured "
        "since). Model 1 had +5 (and once failed).",
    ),
    Fact(
        "retrenchment_arms_australia",
        "US retrenchment makes Australia arm more (abandonment → internal balancing).",
        ("fact:asian_allies_spend_more_europe_model", "Snyder 1984"),
        "us_retrenchment",
        "hub_and_spoke",
        arms_growth("AUS"),
        "growth of Australia's military spending over ten years (%)",
        +1,
        "holds",
        "+4.6 points on +54% (under Model 2.0 +6.4: +2.8 with pooling off, +3.4 with "
        "abandonment arming off, not measured since). Australia is far from China and less "
        "threatened (the reaction is weighted by threat), so it reacts about two fifths as much "
        "as Japan.",
    ),
    Fact(
        "accord_lowers_tha_khm_tension",
        "The Thailand–Cambodia accord lowers that dyad's tension.",
        ("fact:kl_peace_accord_tha_khm", "fact:tha_khm_border_observer_teams"),
        "hub_and_spoke+accord",
        "hub_and_spoke",
        mean_tension("THA", "KHM"),
        "Thailand–Cambodia tension averaged over the run (0–1)",
        -1,
        "holds",
    ),
    Fact(
        "bloc_polarises_asean",
        "Bloc formation (a formal pact) polarises ASEAN.",
        ("fact:kohona_development_alliances", "fact:us_official_no_bloc_alliance", "Jervis 1978"),
        "formal_asian_nato",
        "hub_and_spoke",
        asean_spread,
        "spread (standard deviation) of ASEAN members' alignment in month 120",
        +1,
        "holds",
    ),
    Fact(
        "task_force_raises_credibility",
        "A standing US–Philippines task force makes US pledges more credible.",
        ("fact:us_philippines_task_force", "fact:teodoro_alliance_fundamentals", "Schelling 1966"),
        "hub_and_spoke+task_force",
        "hub_and_spoke",
        model_final("us_credibility"),
        "commitment-weighted credibility of US defence pledges in month 120 (0–1)",
        +1,
        "holds",
    ),
    Fact(
        "coercion_raises_incidents",
        "China's gray-zone coercion of the Philippines and Vietnam raises the number of incidents.",
        ("fact:scs_arbitration_2016", "fact:hegseth_scs_claims_inconsistent"),
        "hub_and_spoke",
        "hub_and_spoke-coercion",
        active_share(("CHN", "PHL"), ("CHN", "VNM")),
        "share of months with an incident under way on China–Philippines and China–Vietnam (0–1)",
        +1,
        "holds",
        "Model 1 counted incidents started; under Model 2.0 coercion also makes incidents last "
        "longer (coercion_persistence), so fewer new ones can start while one is under way and "
        "the count fell (−2.3 over ten years). The claim is about the presence of incidents, "
        "which is what this measure reads.",
    ),
    Fact(
        "retrenching_us_does_not_arm_more",
        "A retrenching US does not arm more (it sheds commitments, not adds them).",
        ("fact:us_prefers_alliance_continuity", "Richardson 1960"),
        "us_retrenchment",
        "hub_and_spoke",
        arms_growth("USA"),
        "growth of US military spending over ten years (%)",
        -1,
        "holds",
        "Model 1 had the US arm more under retrenchment (+13% against +1%): the hub feared its own "
        "abandonment and its reaction coefficients scaled with its GDP. Issue 12, items 1–2.",
    ),
    Fact(
        "small_state_barely_moves_china",
        "Doubling a small state's budget barely moves China's (a Richardson reaction in burden "
        "to the threat-weighted capability a state faces relative to its own).",
        ("Richardson 1960", "Walt 1987"),
        "hub_and_spoke+philippine_doubling",
        "hub_and_spoke",
        arms_growth("CHN"),
        "growth of China's military spending over ten years (percentage points)",
        0,
        "holds",
        "Model 1 had China answer a dollar of Lao spending with about $11 (issue 12, item 1). The "
        "bound, 2 points of ten-year growth, is a tenth of China's own projected growth.",
        bound=2.0,
    ),
    Fact(
        "chinese_surge_arms_philippines",
        "A weak state facing a stronger rival's surge does react: the Philippines arms more when "
        "China raises its burden.",
        ("fact:china_scs_claim_share", "Richardson 1960", "Walt 1987"),
        "hub_and_spoke+chinese_surge",
        "hub_and_spoke",
        arms_growth("PHL"),
        "growth of the Philippines' military spending over ten years (%)",
        +1,
        "holds",
    ),
    Fact(
        "hub_fears_no_abandonment",
        "The hub does not fear its own abandonment: US retrenchment leaves the US's "
        "abandonment fear where it was.",
        ("Snyder 1984",),
        "us_retrenchment",
        "hub_and_spoke",
        final("abandonment_fear", "USA"),
        "US abandonment fear in month 120 (0–1)",
        0,
        "holds",
        "Model 1: 0.145 → 0.247 (issue 12, item 2). Only the protected fear abandonment.",
        bound=0.01,
    ),
    Fact(
        "thai_pledge_does_not_deter_cambodia",
        "A US presence in Thailand does not deter Cambodia: the US pledge to Thailand is aimed at "
        "China, not at Thailand's neighbours.",
        ("fact:kl_peace_accord_tha_khm", "Snyder 1984", "Schelling 1966"),
        "hub_and_spoke+thai_presence",
        "hub_and_spoke",
        peak_escalation(("THA", "KHM")),
        "highest rung reached on Thailand–Cambodia (0–5)",
        0,
        "holds",
        "Model 1 put the whole US budget behind Thailand against Cambodia (deterrence 1.00, "
        "issue 12, item 3). Bound: a tenth of a rung.",
        bound=0.1,
    ),
    Fact(
        "china_coercion_does_not_test_thai_pledge",
        "China's coercion of the Philippines and Vietnam does not test the US pledge to Thailand.",
        ("Snyder 1984", "Schelling 1966"),
        "hub_and_spoke",
        "hub_and_spoke-coercion",
        pledge_credibility("us_thailand"),
        "credibility of the US–Thailand pledge in month 120 (0–1)",
        0,
        "holds",
        "Model 1 tested every US pledge with any escalation that had the US on one side "
        "(issue 12, item 4). Bound 0.01.",
        bound=0.01,
    ),
    Fact(
        "clarity_lowers_strait_escalation",
        "Strategic clarity (a clear US pledge to Taiwan) lowers how far a Taiwan Strait crisis "
        "escalates.",
        ("Schelling 1966", "Fearon 1995", "Snyder 1984"),
        "taiwan_strait_clarity",
        "taiwan_strait_crisis",
        peak_escalation(("CHN", "TWN")),
        "highest rung reached on China–Taiwan over 36 months (0–5)",
        -1,
        "inconclusive",
        "+0.015 rungs, 95% CI [−0.015, +0.045] (+0.03 before the dyad propensities). Under "
        "Model 2.0 it held (−0.06, marginal); "
        "with the security-alignment index and §3's calibration it has been inconclusive or "
        "marginally failing (+0.04). Taiwan chooses its stance, and a clear pledge makes it back "
        "down less while China backs down more (`python -m sim.studies.designs`, 200 runs; "
        "docs/validation.md §4): Snyder's moral hazard offsets the deterrence of China, as the "
        "case for ambiguity argues. The sign rests on Taiwan's starting alignment (the index's "
        "0.72; at 0.43, before its structural zeros were left out, China did not back down more "
        "at all) and on the escalation coefficients of docs/validation.md §4.",
    ),
    Fact(
        "strait_pact_aligns_allies",
        "A formal pact in a Taiwan Strait crisis moves Japan, the Philippines and Australia "
        "towards the US.",
        ("fact:ratner_pacific_defense_pact_proposal", "Walt 1987", "Snyder 1984"),
        "taiwan_strait_pact",
        "taiwan_strait_crisis",
        final("alignment", "JPN", "PHL", "AUS"),
        "mean alignment of Japan, the Philippines and Australia in month 36",
        +1,
        "inconclusive",
        "+0.0003, 95% CI [−0.0007, +0.0012] in month 36, a hundredth of the 0.02 of alignment "
        "that `compare` counts as a difference: the three start aligned with the US (0.71 on "
        "the security-alignment index), and a pact adds pull through ties while entrapment "
        "fear (the pact binds them to the US's exposure over Taiwan) pushes back. The "
        "Philippines move towards the US (+0.026), Japan away (−0.028): Snyder's alliance "
        "dilemma, not Walt's balancing, and on average the two cancel. Before the dyad "
        "propensities entrapment won by a little (−0.004, fails); with UN-vote alignment the "
        "two cancelled (−0.0004, inconclusive). The CSIS-style question gets a clear answer "
        "on escalation, not on alignment.",
    ),
)


# --------------------------------------------------------------------------------------------
# Running


@dataclass(frozen=True)
class Result:
    """A fact's measured effect.

    Attributes:
        fact: The fact.
        effect: Mean paired difference, treated − control.
        low: Lower end of the 95% confidence interval.
        high: Upper end.
        replicates: Paired replicates.
        control_mean: Mean outcome of the control.
        control_sd: Standard deviation of the control's outcome across replicates.
        verdict: What the interval says.
    """

    fact: Fact
    effect: float
    low: float
    high: float
    replicates: int
    control_mean: float
    control_sd: float
    verdict: Verdict

    @property
    def standardized(self) -> tuple[float, float, float]:
        """Effect and interval in units of the control's spread, signed by the claim.

        Positive means "in the claimed direction"; used to draw facts with different units on
        one axis.
        """
        scale = (self.fact.direction or 1) / (self.control_sd or 1.0)
        ends = sorted((self.low * scale, self.high * scale))
        return self.effect * scale, ends[0], ends[1]


def verdict(low: float, high: float, direction: int, bound: float = 0.0) -> Verdict:
    """Judge a confidence interval against the claimed direction of an effect.

    For ``direction`` 0 the claim is that the effect is smaller than ``bound`` either way.
    """
    if direction == 0:
        if -bound < low and high < bound:
            return "holds"
        return "fails" if low >= bound or high <= -bound else "inconclusive"
    if low > 0 or high < 0:
        return "holds" if (low > 0) == (direction > 0) else "fails"
    return "inconclusive"


def paired_interval(diff: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-interval of paired differences (zero width when they are all equal)."""
    mean = float(diff.mean())
    se = float(diff.std(ddof=1) / np.sqrt(len(diff)))
    if se == 0.0:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + level / 2, len(diff) - 1)) * se
    return mean, mean - half, mean + half


def run_facts(
    replicates: int = 200,
    *,
    seed: int = 2025,
    facts: tuple[Fact, ...] = FACTS,
    progress: Callable[[int], None] | None = None,
) -> list[Result]:
    """Run every fact's experiment on common random numbers.

    Args:
        replicates: Paired replicates per fact.
        seed: Base seed shared by treated and control runs.
        facts: The facts to run.
        progress: Called with the number of runs each scenario adds.

    Returns:
        One result per fact, in order.
    """
    runs: dict[str, Trajectory] = {}

    def recorded(name: str) -> Trajectory:
        if name not in runs:
            runs[name] = simulate(compile_world(scenario(name)), replicates, seed=seed, log=False)
            if progress is not None:
                progress(replicates)
        return runs[name]

    results = []
    for fact in facts:
        treated = fact.outcome(recorded(fact.treated))
        control = fact.outcome(recorded(fact.control))
        effect, low, high = paired_interval(treated - control)
        results.append(
            Result(
                fact,
                effect,
                low,
                high,
                replicates,
                float(control.mean()),
                float(control.std(ddof=1)),
                verdict(low, high, fact.direction, fact.bound),
            )
        )
    return results


def scenarios_needed(facts: tuple[Fact, ...] = FACTS) -> list[str]:
    """Distinct scenarios the facts run (for progress bars)."""
    return sorted({name for f in facts for name in (f.treated, f.control)})


def results_table(results: list[Result]) -> Any:
    """The results as a DataFrame, one row per fact (the CSV written by ``geosim facts``)."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "fact": r.fact.id,
                "claim": r.fact.claim,
                "measure": r.fact.measure,
                "treated": r.fact.treated,
                "control": r.fact.control,
                "claimed_sign": _claimed(r.fact),
                "effect": r.effect,
                "ci_low": r.low,
                "ci_high": r.high,
                "control_mean": r.control_mean,
                "replicates": r.replicates,
                "verdict": r.verdict,
                "documented_verdict": r.fact.expected,
                "sources": "; ".join(r.fact.sources),
            }
            for r in results
        ]
    )


def _claimed(fact: Fact) -> str:
    if fact.direction == 0:
        return f"≈0 (±{fact.bound:g})"
    return "↑" if fact.direction > 0 else "↓"


def markdown(results: list[Result]) -> str:
    """A Markdown table of the results (as pasted into ``docs/validation.md``)."""
    lines = [
        "| fact | claimed | effect (treated − control) | 95% CI | control mean | verdict |",
        "|---|:-:|---:|---|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| `{r.fact.id}` | {_claimed(r.fact)} | {r.effect:+.4g} "
            f"| [{r.low:+.4g}, {r.high:+.4g}] | {r.control_mean:.4g} | **{r.verdict}** |"
        )
    return "\n".join(lines) + "\n"
