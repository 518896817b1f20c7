"""Model coefficients: every number the dynamics use that is not a country's data.

Each field says where its value comes from. ``free=True`` marks a modelling coefficient with no
data source; its ``why`` says how the value was chosen, and its ``plausible`` range the values a
referee would accept: by default half to double the value, narrower or wider where the meaning
or the evidence in the ``why`` says so, and a single value for a reference that fixes a scale.
``geosim explain`` prints this table and ``docs/model.md`` uses the same names.

The module runs past 800 lines because it is one table: some 90 coefficients, each with its
description, reason, bounds and plausible range, kept together so that a reader checks every
number in one place and ``geosim explain`` reads them from one source.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from sim.scenario.resources import calibration_file

#: Where a calibration's optimum lies, in words (``sim.studies.identifiability``'s labels).
OPTIMUM_WORDS = {
    "interior": "inside",
    "lower bound": "at the lower bound",
    "upper bound": "at the upper bound",
    "open below": "open below (only an upper limit)",
    "open above": "open above (only a lower limit)",
    "flat": "flat over the whole",
}
#: The judgement values of calibrated coefficients (what they were before calibration).
JUDGEMENT_DEFAULTS: dict[str, float] = {}


def coef(
    default: float,
    description: str,
    *,
    why: str,
    source: str = "",
    plausible: tuple[float, float] | None = None,
    **bounds: Any,
) -> Any:
    """Declare a coefficient with its provenance.

    Args:
        default: Default value.
        description: What the coefficient does, with its unit.
        why: Reason for the value (for free coefficients) or how the source maps to it.
        source: Dataset/fact citation; empty for a free coefficient.
        plausible: ``(low, high)``, the values a referee would accept (every free coefficient
            has one, containing its default, inside its bounds; ``low == high`` marks a
            reference that fixes a scale and is not varied).
        **bounds: Pydantic bounds (``ge``, ``le``, ``gt``, ``lt``).
    """
    extra: dict[str, Any] = {
        "free": not source,
        "source": source or "free coefficient",
        "why": why,
    }
    if plausible is not None:
        low, high = plausible
        if not low <= high:
            raise ValueError(f"plausible range {plausible} is not increasing")
        extra["plausible"] = [float(low), float(high)]
    return Field(default, description=description, json_schema_extra=extra, **bounds)


@cache
def _calibration() -> dict[str, Any]:
    path = calibration_file()
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def calibrated_coef(
    name: str,
    judgement: float,
    description: str,
    *,
    why: str,
    plausible: tuple[float, float] | None = None,
    **bounds: Any,
) -> Any:
    """Declare a free coefficient whose default comes from ``seeds/calibration.yaml``.

    The fitted value becomes the default, with a source that says so and gives the fit
    (``calibrated (<target's label>): …``), and the entry's ``plausible`` (the values the
    calibration cannot tell from it) becomes its range, only when the file marks it
    ``identified`` (its profile of the objective rises above the objective's precision) with an
    interior optimum.
    Otherwise (no file, no entry, not identified, an optimum at a bound of the calibration's
    search range, or no identifiability recorded) the judgement value stays and the coefficient
    stays free; its ``why`` says why calibration did not set it.

    Args:
        name: ``group.coefficient``, e.g. ``alignment.rate``.
        judgement: The value chosen by judgement, before calibration.
        description: What the coefficient does, with its unit.
        why: Reason for the judgement value.
        plausible: ``(low, high)`` around the judgement value, as for :func:`coef` (replaced by
            the calibration's when the fitted value is used).
        **bounds: Pydantic bounds.
    """
    JUDGEMENT_DEFAULTS[name] = judgement
    data = _calibration()
    entry = data.get("coefficients", {}).get(name)
    if entry is None:
        return coef(judgement, description, why=why, plausible=plausible, **bounds)
    if not entry.get("identified", False):
        return coef(
            judgement,
            description,
            why=f"{why}; {_not_identified(data, entry)}",
            plausible=plausible,
            **bounds,
        )
    if entry.get("optimum") != "interior":
        # A bound, or a profile open towards one: the data give a limit, not an estimate.
        low, high = entry.get("indifferent", entry["bounds"])
        where = OPTIMUM_WORDS.get(entry.get("optimum", ""), str(entry.get("optimum")))
        grid = entry.get("refit", {}).get("grid")
        span = (
            f"its refit's grid [{grid[0]:g}, {grid[-1]:g}]"
            if grid
            else f"the calibration's search range {entry['bounds']}"
        )
        reason = (
            f"calibration ({_label(data, entry)}) puts its optimum {where} of {span} (values "
            f"{low:g}–{high:g} score alike: a limit, not an estimate); judgement value kept"
        )
        return coef(judgement, description, why=f"{why}; {reason}", plausible=plausible, **bounds)
    target = _target(data, entry)
    inside, outside = target["scores"]["in_sample"], target["scores"]["out_of_sample"]
    low, high = entry["indifferent"]
    where = "interior optimum" if entry["optimum"] == "interior" else f"at its {entry['optimum']}"
    metric = target["metric"]
    source = (
        f"calibrated ({target['label']}): {metric} {inside['calibrated']:.3f} in sample "
        f"(judgement value {judgement:g}: {inside['judgement']:.3f}); out of sample "
        f"{outside['window'].replace('-', '–')} {outside['calibrated']:.3f} (judgement "
        f"{outside['judgement']:.3f}, {target['baseline']} {outside['baseline']:.3f}); search "
        f"range {entry['bounds']}; identified ({where}; values {low:g}–{high:g} score within "
        "the objective's precision), fitted with the target's other coefficients where they ship"
    )
    return coef(
        entry["fitted"],
        description,
        why=why,
        source=source,
        plausible=tuple(entry.get("plausible", (low, high))),
        **bounds,
    )


def _target(data: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """The block of the calibration target a coefficient's entry belongs to."""
    return data.get("targets", {}).get(entry.get("target", ""), {})


def _label(data: dict[str, Any], entry: dict[str, Any]) -> str:
    return _target(data, entry).get("label", "an unnamed target")


def _not_identified(data: dict[str, Any], entry: dict[str, Any]) -> str:
    """Why a calibrated coefficient kept its judgement value."""
    target = _target(data, entry)
    if "relative_range" not in entry or not target:
        return "no identifiability recorded by the calibration; judgement value kept"
    threshold = target["identifiability"]["relative_threshold"]
    if entry.get("optimum") != "flat":
        return (
            f"not identified by calibration ({target['label']}: the optimiser stopped short of "
            "its profile's minimum); judgement value kept"
        )
    return (
        f"not identified by calibration ({target['label']}: profile over bounds "
        f"{entry['bounds']} flat within {entry['relative_range']:.1g} of the optimum "
        f"{target['metric']}, threshold {threshold:.1%}); judgement value kept"
    )


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)


class ArmsParameters(_Group):
    """Military burden (spending as a share of GDP) moving towards a threat-driven target."""

    reaction: float = coef(
        0.3,
        "Elasticity of the target burden to the threat ratio (capability faced over own and "
        "allied capability) for a fully threatened state: b* ∝ (F/O)^(reaction · threat)",
        why="a fully threatened state facing a rival half again as strong raises its burden by "
        "~13% (1.5^0.3); weighted by perceived threat (0.2–0.8 in the status quo) the "
        "effective elasticity is 0.06–0.24; "
        "post-2014 European and post-2010 Asian budget responses to a rising threat were rises "
        "of 10–40% in burden over a decade, not doublings",
        plausible=(0.1, 0.5),
        ge=0,
        le=2,
    )
    fatigue: float = coef(
        0.25,
        "Yearly adjustment rate a of the burden towards its target (1/yr)",
        why="budgets turn over on a 3–5 year planning horizon: a ≈ 1/4 per year; the plausible "
        "range spans 2- to 7-year horizons",
        plausible=(0.15, 0.5),
        ge=0.01,
        le=5,
    )
    ally_pooling: float = coef(
        0.35,
        "Share of protectors' theatre capability a protected state counts as its own "
        "(buck-passing)",
        why="Olson–Zeckhauser free-riding is partial; a third of the protector's reachable "
        "capability counts",
        plausible=(0.2, 0.6),
        ge=0,
        le=1,
    )
    target_headroom: float = coef(
        0.25,
        "How far above an announced burden target a state may go under pressure (a share of "
        "the target); the rest of the band is the state's record",
        why="an announced target is intent, not a ceiling: Japan's 2% by FY2027 was followed "
        "by talk of 3.5% under US pressure (recalled); a quarter is a middle reading between "
        "none (the target as a ceiling) and half",
        plausible=(0, 0.5),
        ge=0,
        le=2,
    )
    abandonment_arming: float = coef(
        0.3,
        "Relative rise of the target burden per unit of abandonment fear above its status-quo "
        "level (internal balancing)",
        why="halving US credibility raises an exposed ally's fear by ~0.15, and its burden "
        "by ~5%, the order of Japan's and Korea's debates",
        plausible=(0.1, 0.6),
        ge=0,
        le=5,
    )


class ThreatParameters(_Group):
    """Walt's balance of threat: capability, proximity, claims and hostile acts."""

    distance_scale_km: float = coef(
        2500.0,
        "Loss-of-strength gradient: proximity = exp(−distance / scale) (km)",
        why="Boulding's gradient; 2,500 km ≈ combat radius of regional air and naval forces, "
        "between unrefuelled fighters (half) and long-range bombers and missiles (double)",
        plausible=(1250, 5000),
        ge=100,
        le=50_000,
    )
    reach_exponent: float = coef(
        0.5,
        "Power-projection reach = (spending / top spending) ** exponent",
        why="square root: reach grows less than proportionally with budgets (proportional, 1, "
        "is the upper end)",
        plausible=(0.25, 1),
        ge=0,
        le=3,
    )
    claims_weight: float = coef(
        1.0,
        "Weight of an overlapping territorial claim (per unit dispute intensity) in hostility",
        why="a full dispute counts as much as being at opposite poles of the alignment axis",
        plausible=(0.5, 2),
        ge=0,
        le=5,
    )
    hostile_acts_weight: float = coef(
        0.2,
        "Weight of remembered hostile acts (incidents weighted by level) in hostility",
        why="a clash (level 3) remembered in full raises hostility by 0.6, less than a claim "
        "(at the upper end, 0.3, it nearly equals one)",
        plausible=(0.1, 0.3),
        ge=0,
        le=5,
    )
    memory_months: float = coef(
        12.0,
        "Time constant of the memory of hostile acts (months)",
        why="incidents colour threat assessments for about a year",
        plausible=(6, 24),
        ge=0.5,
        le=1200,
    )
    coalition_weight: float = coef(
        0.5,
        "Share of a state's allies' capability (per unit tie) added to its power as others see it",
        why="Walt's aggregate power: an ally's forces count, but less than one's own (so the "
        "range stops at three quarters)",
        plausible=(0.25, 0.75),
        ge=0,
        le=1,
    )
    sensitivity: float = coef(
        1.5,
        "Saturation of perceived threat: threat = 1 − exp(−sensitivity × Σ_j T_ij)",
        why="keeps the most exposed states below saturation: China's threat is 0.81 in "
        "hub_and_spoke's 2025 (North Korea's 0.75 next); the plausible range puts China's "
        "between 0.57 and 0.94",
        plausible=(0.75, 2.5),
        ge=0.01,
        le=100,
    )
    ally_discount: float = coef(
        0.9,
        "How much an alliance tie of full strength removes the threat from a partner",
        why="allies are rarely perceived as threats; a small residue stays (entrapment): the "
        "range halves or doubles the residue of 0.1",
        plausible=(0.8, 0.95),
        ge=0,
        le=1,
    )


class AlignmentParameters(_Group):
    """Alignment and hedging on the China (−1) – US (+1) axis."""

    rate: float = calibrated_coef(
        "alignment.rate",
        0.02,
        "Monthly adjustment speed of alignment per unit of net pull",
        why="alignments move over years: a net pull of 0.5 shifts a state 0.12 a year; the "
        "plausible range runs from the backtest's optimum (below: states barely move) to double "
        "the judgement value",
        plausible=(0.002, 0.04),
        ge=0.0001,
        le=1,
    )
    security_weight: float = calibrated_coef(
        "alignment.security_weight",
        1.0,
        "Pull away from the alignment of the states one fears (balancing), −Σ_j T_ij A_j, per "
        "unit threat",
        why="scale reference for the other weights",
        plausible=(0.5, 2),
        ge=0,
        le=5,
    )
    alliance_weight: float = coef(
        0.6,
        "Pull of each alliance's members towards its hub's (the patron's) alignment, per unit "
        "tie strength",
        why="ties pull less than threats push (Walt: balancing dominates bandwagoning): from "
        "half to parity with the security weight",
        plausible=(0.3, 1),
        ge=0,
        le=5,
    )
    economic_weight: float = calibrated_coef(
        "alignment.economic_weight",
        0.5,
        "Pull of a trade agreement towards its partner, per unit of deal intensity "
        "tanh(added share / trade_unit)",
        why="a deal adding 10 points of trade (one unit) pulls half as much as the alliance "
        "pull of a full treaty; standing trade shares are part of the status quo and cancel "
        "against the anchor, so only new deals pull",
        plausible=(0.1, 1),
        ge=0,
        le=10,
    )
    inducement_weight: float = calibrated_coef(
        "alignment.inducement_weight",
        0.5,
        "Pull of aid, inducements, arms in service and civil nuclear cooperation towards the "
        "donor, per unit of intensity tanh(Σ inducements in their units)",
        why="aid worth a quarter of the recipient's defence budget (one unit) pulls as much as "
        "a ten-point trade deal; Dreher et al. 2008 find US aid buys a few points of UN-vote "
        "coincidence (recalled), a small effect",
        plausible=(0.1, 1),
        ge=0,
        le=5,
    )
    aid_unit: float = coef(
        0.25,
        "Aid or inducements per year, as a share of the recipient's military spending, that "
        "count as one unit of inducement intensity",
        why="a programme worth a quarter of a defence budget is a major patron's programme "
        "(US aid to the Philippines, about US$0.5bn on US$5bn)",
        plausible=(0.125, 0.5),
        ge=0.001,
        le=100,
    )
    transfer_unit: float = coef(
        1.0,
        "Delivered arms in service, as a multiple of the recipient's yearly military "
        "spending, that count as one unit of inducement intensity",
        why="a year's budget of donated or sold equipment ties a force to its supplier "
        "(training, spares); Vietnam's cutters and trainers, about US$0.2bn on US$7bn, are a "
        "small fraction of a unit",
        plausible=(0.5, 2),
        ge=0.001,
        le=100,
    )
    nuclear_unit: float = coef(
        0.2,
        "Inducement intensity of civil nuclear cooperation at full strength",
        why="a 123-type agreement is a long-lived but diffuse tie: a fifth of a unit",
        plausible=(0.1, 0.4),
        ge=0,
        le=5,
    )
    exercise_unit: float = coef(
        24.0,
        "Joint exercises per year that count as one unit of inducement intensity",
        why="military-to-military contact socialises officers and signals alignment (Atkinson "
        "2006, recalled); two drills a month with a partner is a close relationship",
        plausible=(12, 48),
        ge=0.1,
        le=1000,
    )
    trade_unit: float = coef(
        0.1,
        "Added trade share that counts as one unit of deal intensity",
        why="ten points of a partner's trade is a large deal (RCEP-scale shifts are smaller)",
        plausible=(0.05, 0.2),
        ge=0.001,
        le=1,
    )
    compliance_weight: float = coef(
        0.5,
        "Pull of economic coercion towards the coercer, per unit of intensity × the target's "
        "trade share with it (compliance)",
        why="South Korea's 'three noes' of 2017 were partial accommodation of a coercer that "
        "took about a quarter of its trade; Australia in 2020 did not comply (so the range "
        "starts at none); the hostility coercion adds (threat) pushes the other way",
        plausible=(0, 1),
        ge=0,
        le=5,
    )
    inertia: float = calibrated_coef(
        "alignment.inertia",
        0.5,
        "Pull of each state back towards its status-quo alignment (domestic preferences), per "
        "unit of departure",
        why="UN ideal points are persistent (Bailey, Strezhnev and Voeten 2017: year-on-year "
        "correlation above 0.9, recalled); at the rate of 0.02 a month a departure from the "
        "status quo shrinks by rate × inertia = 1% a month without other pulls, halving in "
        "about 69 months (almost six years; 3 to 14 years over the plausible range)",
        plausible=(0.2, 1),
        ge=0,
        le=5,
    )
    neighbour_weight: float = coef(
        0.5,
        "Pull of ASEAN members towards the ASEAN mean alignment (consensus norm)",
        why="ASEAN centrality: members move together but not in lockstep",
        plausible=(0.25, 1),
        ge=0,
        le=5,
    )
    hedging_weight: float = calibrated_coef(
        "alignment.hedging_weight",
        0.5,
        "Pull of ASEAN members towards neutrality (hedging norm)",
        why="non-alignment is ASEAN doctrine; as strong as the consensus pull",
        plausible=(0.25, 1),
        ge=0,
        le=5,
    )
    entrapment_weight: float = coef(
        0.5,
        "Distancing from a patron per unit of entrapment fear",
        why="Snyder: fear of entrapment loosens commitment; weaker than threat (at most as "
        "strong as the security weight)",
        plausible=(0.25, 1),
        ge=0,
        le=5,
    )
    threat_relief: float = coef(
        0.0,
        "Share of a receding threat's push that a state unwinds: a security pull weaker than on "
        "the status quo's path moves a state back only by this share of the difference",
        why="balancing is sticky (Walt; Snyder): a state that aligned against a threat does not "
        "turn towards it when the threat recedes within a decade (North Korea did not warm to "
        "the US as US forces in Korea shrank after 2004, recalled); 0 unwinds nothing, 0.5 half "
        "(1 is the symmetric Model 2.0 rule, which turned a US retrenchment into a pull of "
        "North Korea and Russia towards the US)",
        plausible=(0, 0.5),
        ge=0,
        le=1,
    )
    noise_sd: float = coef(
        0.01,
        "Standard deviation of monthly idiosyncratic alignment shocks",
        why="domestic politics; small enough that structure dominates over 10 years",
        plausible=(0.005, 0.02),
        ge=0,
        le=0.5,
    )


class AllianceParameters(_Group):
    """Typed ties with commitment, interoperability and credibility."""

    bilateral_treaty_weight: float = coef(
        1.0,
        "Strength of a bilateral treaty tie",
        why="reference type: the other types' strengths are measured against it, so it is not "
        "varied",
        plausible=(1.0, 1.0),
        ge=0,
        le=1,
    )
    collective_defence_weight: float = coef(
        1.0,
        "Strength of a tie inside a collective-defence pact",
        why="an Article-5 pledge binds every pair, as strong as a treaty; a multilateral "
        "pledge may bind each pair somewhat less (free-riding), never more",
        plausible=(0.75, 1),
        ge=0,
        le=1,
    )
    minilateral_weight: float = coef(
        0.5,
        "Strength of a tie inside a minilateral grouping (Quad, trilaterals, AUKUS)",
        why="consultation and capability projects, no defence pledge: half a treaty (and, "
        "without a pledge, short of one: the range stops at three quarters)",
        plausible=(0.25, 0.75),
        ge=0,
        le=1,
    )
    partnership_weight: float = coef(
        0.3,
        "Strength of a strategic partnership tie",
        why="cooperation without commitment (at most a minilateral's strength)",
        plausible=(0.15, 0.5),
        ge=0,
        le=1,
    )
    task_force_weight: float = coef(
        0.4,
        "Strength of a standing task force tie (joint operations, no new pledge)",
        why="between a partnership and a minilateral",
        plausible=(0.3, 0.5),
        ge=0,
        le=1,
    )
    exercise_gain: float = coef(
        0.01,
        "Interoperability gained per joint exercise (share of the remaining gap)",
        why="a dozen exercises a year roughly double low interoperability in 5 years",
        plausible=(0.005, 0.02),
        ge=0,
        le=1,
    )
    task_force_gain: float = coef(
        0.03,
        "Monthly interoperability gain of an active task force (share of the gap)",
        why="standing joint operations integrate forces over 2–3 years",
        plausible=(0.015, 0.06),
        ge=0,
        le=1,
    )
    task_force_presence: float = coef(
        0.5,
        "Forward presence a standing task force gives its lead in each partner, 0–1",
        why="joint patrols are a rotational presence: half of major permanent basing (and "
        "short of it: the range stops at three quarters)",
        plausible=(0.25, 0.75),
        ge=0,
        le=1,
    )
    interoperability_decay: float = coef(
        0.005,
        "Monthly relaxation of interoperability to its declared level without extra practice",
        why="skills built by extra drills fade over a decade",
        plausible=(0.0025, 0.01),
        ge=0,
        le=1,
    )
    presence_gain: float = coef(
        0.02,
        "Monthly credibility change per unit of forward presence with the members above (or "
        "below) the status quo's, as a share of the room left",
        why="troops on the ground are the costly signal of commitment (Schelling): a major new "
        "garrison (+0.8) closes half the gap to full credibility in about four years",
        plausible=(0.01, 0.04),
        ge=0,
        le=1,
    )
    response_gain: float = coef(
        0.05,
        "Credibility gained when the alliance responds to an incident against a member",
        why="visible support after an incident; 20 responses take credibility near 1",
        plausible=(0.025, 0.1),
        ge=0,
        le=1,
    )
    abandonment_loss: float = coef(
        0.05,
        "Share of credibility lost when the alliance fails to respond to a challenge",
        why="as much as a response gains (rational learning: credibility tracks the response "
        "record and rests at the response probability); a negativity bias (up to 2×) is "
        "argued in the reputation literature but contested (Press 2005, who finds past "
        "conduct matters little: the lower end)",
        plausible=(0.025, 0.1),
        ge=0,
        le=1,
    )
    credibility_decay: float = coef(
        0.002,
        "Monthly relaxation of credibility to its declared level without signals",
        why="reputations fade slowly",
        plausible=(0.001, 0.004),
        ge=0,
        le=1,
    )


class IncidentParameters(_Group):
    """Stochastic incidents and the escalation ladder."""

    base_hazard: float = calibrated_coef(
        "incidents.base_hazard",
        0.15,
        "Monthly incident hazard of a dyad with a dispute of intensity 1",
        why="notable China–Philippines incidents occurred several times a year in 2023–2025",
        plausible=(0.075, 0.3),
        ge=0,
        le=5,
    )
    tension_hazard: float = calibrated_coef(
        "incidents.tension_hazard",
        2.0,
        "Multiplier of the hazard per unit dyad tension: × (1 + w·tension)",
        why="tense dyads patrol more and meet more often",
        plausible=(1, 4),
        ge=0,
        le=20,
    )
    presence_hazard: float = coef(
        0.5,
        "Multiplier of the hazard per unit third-party presence in the dyad's area",
        why="forward presence multiplies encounters",
        plausible=(0.25, 1),
        ge=0,
        le=20,
    )
    coercion_hazard: float = coef(
        1.5,
        "Multiplier of the hazard per unit of gray-zone coercion intensity",
        why="a coercion campaign at full intensity multiplies the incident rate of a full "
        "dispute by 2.5; with China's standing 0.4 against the Philippines, about one new "
        "incident every two months from calm, the order of the notable 2023–25 incidents",
        plausible=(0.75, 3),
        ge=0,
        le=20,
    )
    escalation_base: float = calibrated_coef(
        "incidents.escalation_base",
        -3.4,
        "Logit of the monthly step-up probability at zero tension",
        why="≈3%/month at zero tension; set with the issue offsets so that the status-quo decade "
        "reproduces the broad record of 2015–24 (docs/validation.md §4): clashes between China and"
        " India, the Koreas, China and the Philippines, Thailand and Cambodia; none between the US"
        " and China or Japan and China; the range halves or doubles the odds (1.6–6.3%/month)",
        plausible=(-4.1, -2.7),
        ge=-20,
        le=20,
    )
    escalation_tension: float = calibrated_coef(
        "incidents.escalation_tension",
        2.5,
        "Logit increase of the step-up probability per unit dyad tension",
        why="tension doubles-to-triples the odds of escalation from calm to high",
        plausible=(1.25, 5),
        ge=0,
        le=20,
    )
    escalation_deterrence: float = coef(
        4.0,
        "Logit decrease per unit of credible allied backing of the defender (deterrence)",
        why="a fully credible pledge whose theatre capability matches the adversary's "
        "(D ≈ 0.63) cuts the odds of the step to war by ~12 and of the first step by ~2 (the "
        "rung weight L/4); set with the base rate against the record",
        plausible=(2, 5),
        ge=0,
        le=20,
    )
    escalation_emboldening: float = coef(
        0.4,
        "Logit increase per unit of backing (moral hazard: the backed side takes risks)",
        why="Snyder's moral hazard, a tenth of deterrence: backed states take some risks, from "
        "none to a quarter of deterrence",
        plausible=(0, 1),
        ge=0,
        le=20,
    )
    escalation_rung_cost: float = coef(
        1.3,
        "Logit decrease of the step-up probability per rung already climbed",
        why="each rung is costlier to climb (Kahn's ladder): clashes are rarer than standoffs",
        plausible=(0.65, 2.6),
        ge=0,
        le=20,
    )
    coercion_escalation: float = coef(
        2.0,
        "Logit increase of step-ups per unit of gray-zone coercion in the dyad",
        why="a coercion campaign is pressure by design: water cannon, ramming and blockades "
        "of resupply are how South China Sea incidents turned to force in 2023–24",
        plausible=(1, 4),
        ge=0,
        le=20,
    )
    coercion_persistence: float = coef(
        0.5,
        "Share of the step-down probability a full gray-zone campaign removes",
        why="a standing campaign keeps standoffs going (a quarantine or a blockade of resupply "
        "does not lapse on its own): at China's standing 0.4 against the Philippines, "
        "standoffs last a fifth longer; no campaign removes every step-down",
        plausible=(0.25, 0.75),
        ge=0,
        le=1,
    )
    escalation_channel: float = coef(
        2.0,
        "Logit decrease per unit of deconfliction-channel strength",
        why="hotlines and CUES-type rules stop accidents from spiralling",
        plausible=(1, 4),
        ge=0,
        le=20,
    )
    channel_spillover: float = coef(
        0.5,
        "Share of a great-power channel's effect that reaches dyads of their allies",
        why="US–China channels restrain their partners' incidents too, but less (the range "
        "stops at three quarters)",
        plausible=(0.25, 0.75),
        ge=0,
        le=1,
    )
    land_escalation: float = calibrated_coef(
        "incidents.land_escalation",
        1.2,
        "Logit offset of step-ups in a land-border or territorial dispute",
        why="territorial land disputes are the likeliest to turn to force and fatalities "
        "(Vasquez 1993; Senese 2005, recalled): Galwan 2020, the Koreas, Thailand–Cambodia",
        plausible=(0.6, 2.4),
        ge=-20,
        le=20,
    )
    maritime_escalation: float = coef(
        0.0,
        "Logit offset of step-ups in a maritime dispute (reference)",
        why="maritime claims produce frequent low-level incidents that rarely become fatal "
        "(Hensel et al. 2008, recalled): the reference kind, whose rate escalation_base sets, "
        "so its offset is zero by convention and not varied",
        plausible=(0, 0),
        ge=-20,
        le=20,
    )
    sovereignty_escalation: float = coef(
        -2.0,
        "Logit offset of step-ups in a dispute over one party's sovereignty (Taiwan)",
        why="the stake is existential for both sides and force across the Strait means war: "
        "the record since 1958 is crises (1995–96, 2022) without use of force, so incidents "
        "rarely step up",
        plausible=(-4, -1),
        ge=-20,
        le=20,
    )
    rivalry_escalation: float = coef(
        -1.2,
        "Logit offset of step-ups in a rivalry without a territorial stake between the two",
        why="US–China, US–North Korea and US–Russia incidents are intercepts and displays; no "
        "use of force between US and Chinese forces since the 1950s",
        plausible=(-2.4, -0.6),
        ge=-20,
        le=20,
    )
    nuclear_war_penalty: float = coef(
        3.0,
        "Logit decrease of a step to war between two nuclear-armed states",
        why="the stability–instability paradox (Snyder 1965): war between nuclear powers is "
        "nearly ruled out (odds ÷20), though Kargil 1999 shows it is not impossible",
        plausible=(1.5, 6),
        ge=0,
        le=20,
    )
    nuclear_hazard: float = coef(
        0.5,
        "Multiplier of the incident hazard between two nuclear-armed states: × (1 + w)",
        why="the other half of the paradox: safe from war, nuclear rivals probe more at low "
        "levels (China–India 2017–22; Ussuri 1969)",
        plausible=(0.25, 1),
        ge=0,
        le=20,
    )
    interdependence_restraint: float = calibrated_coef(
        "incidents.interdependence_restraint",
        3.0,
        "Logit decrease of step-ups per unit of bilateral interdependence (the sum of the two "
        "states' trade shares with each other)",
        why="commercial peace (Russett and Oneal 2001, recalled): US–China trade (~0.22 in "
        "all) lowers the odds of escalation by half",
        plausible=(1, 5),
        ge=0,
        le=20,
    )
    deescalation: float = calibrated_coef(
        "incidents.deescalation",
        0.35,
        "Monthly probability that an active incident steps down one level",
        why="standoffs typically last weeks to months",
        plausible=(0.175, 0.7),
        ge=0,
        le=1,
    )
    ceasefire_deescalation: float = coef(
        0.5,
        "Extra step-down probability per unit of ceasefire or channel strength",
        why="ceasefire mechanisms end crises in a few months",
        plausible=(0.25, 1),
        ge=0,
        le=1,
    )


class EconomyParameters(_Group):
    """Growth and economic coercion."""

    coercion_gdp_cost: float = coef(
        0.02,
        "GDP lost by a target of economic coercion, per unit of intensity × its trade share "
        "with the coercer (a share of GDP)",
        why="China's 2016–17 measures against South Korea (a quarter of its trade) cost about "
        "0.5% of GDP at a high intensity; Australia's 2020 losses were smaller after trade "
        "diversion (both recalled)",
        plausible=(0.01, 0.04),
        ge=0,
        le=1,
    )
    coercion_hostility: float = coef(
        0.5,
        "Hostility towards the coercer added per unit of economic-coercion intensity",
        why="coercion is read as hostile intent (Walt): a full embargo counts as half a "
        "territorial dispute; Australian and Korean opinion of China fell sharply (recalled)",
        plausible=(0.25, 1),
        ge=0,
        le=5,
    )
    interdependence_cut: float = coef(
        0.5,
        "Share of the dyad's interdependence a full coercion campaign removes",
        why="sanctions cut the trade that restrains escalation, but only in part (diversion; "
        "the range stops at three quarters)",
        plausible=(0.25, 0.75),
        ge=0,
        le=1,
    )


class TensionParameters(_Group):
    """Dyadic tension in [0, 1] and its relaxation."""

    incident_gain: float = coef(
        0.015,
        "Tension added per month per escalation level of an active incident",
        why="a month-long crisis (level 4) adds 0.06; a standing standoff lifts a dyad ≈ 0.4",
        plausible=(0.0075, 0.03),
        ge=0,
        le=1,
    )
    arms_race_gain: float = coef(
        0.5,
        "Tension added per unit of joint spending growth of hostile states (security dilemma)",
        why="both sides growing 10%/yr add 0.005 a month: +0.06 over a year of racing",
        plausible=(0.25, 1),
        ge=0,
        le=50,
    )
    polarization_gain: float = coef(
        0.01,
        "Monthly tension added to a dyad per unit of polarisation (the mean half-gap over all "
        "pairs) times the dyad's half-gap |A_i − A_j| / 2",
        why="bloc confrontation is slow-moving",
        plausible=(0.005, 0.02),
        ge=0,
        le=1,
    )
    relaxation: float = coef(
        0.08,
        "Monthly relaxation of tension towards the dyad's structural base level",
        why="tension half-life ≈ 8 months without new shocks",
        plausible=(0.04, 0.16),
        ge=0,
        le=1,
    )
    dispute_base: float = coef(
        0.4,
        "Structural base tension per unit dispute intensity",
        why="a full dispute holds tension near 0.4 in calm times",
        plausible=(0.2, 0.8),
        ge=0,
        le=1,
    )
    bloc_base: float = coef(
        0.15,
        "Structural base tension per unit squared half-gap on the alignment axis, "
        "((A_i − A_j) / 2)²",
        why="opposite poles add 0.15 even without a dispute",
        plausible=(0.075, 0.3),
        ge=0,
        le=1,
    )
    coercion_base: float = coef(
        0.2,
        "Structural tension added per unit of economic-coercion intensity in the dyad",
        why="a sanctions campaign is a standing grievance, half as tense as a full dispute",
        plausible=(0.1, 0.4),
        ge=0,
        le=1,
    )
    dialogue_relief: float = coef(
        0.1,
        "Extra monthly relaxation per unit dialogue, channel or ceasefire strength",
        why="talks double the relaxation rate",
        plausible=(0.05, 0.2),
        ge=0,
        le=1,
    )


class DecisionParameters(_Group):
    """Countries that decide (§9): the quantal-response rule and the utility it scores.

    Utilities are counted in *crisis-months*: one month spent at the crisis rung of the
    escalation ladder is worth −1. Every coefficient is free: the rule's theory fixes the
    form, not the numbers.
    """

    rationality: float = coef(
        20.0,
        "Logit rationality λ of a deciding state: a move's utility over holding is read in units "
        "of its lever's stake (the first-order value of one step at the status quo); a scenario "
        "may set it per country",
        why="quantal response (McKelvey & Palfrey 1995) with shocks on the scale of each "
        "lever's stakes: at 20, a move that loses two fifths of a stake against holding (the "
        "status quo's, with the cost of moving and the pull of the posture) is chosen e^-8 as "
        "often as holding, while one that gains a tenth of a stake is chosen 7 times as often; "
        "with `move_cost` and `commitment` (0.45 of a stake for a first step) a move worth "
        "nothing is chosen e^-9 as often as holding; 5 is noisy play, 100 nearly best replies",
        plausible=(5, 100),
        ge=0,
        le=10_000,
    )
    commitment: float = coef(
        0.2,
        "Pull of a state's standing posture: a lever k steps from its status-quo value costs "
        "k² times this times the lever's own stake (its first-order value per step)",
        why="status-quo bias and bureaucratic inertia (Allison 1971; Samuelson & Zeckhauser "
        "1988) bound how far a state departs and bring it back when the cause passes; a fifth "
        "of the lever's stake per step²: 0.05 lets postures drift far, 0.5 holds them close",
        plausible=(0.05, 0.5),
        ge=0,
        le=100,
    )
    move_cost: float = coef(
        0.25,
        "Cost of making a move, in units of its lever's stake: the political capital a change "
        "of policy spends",
        why="a government changes course when the change is worth it (agenda costs, Jones & "
        "Baumgartner 2005); a quarter of the stake: with the pull of the posture (0.2) a first "
        "step worth nothing costs 0.45 of a stake and, at rationality 20, is chosen e^-9 as "
        "often as holding, so that the states' moves in a world with nothing new are few "
        "(at 0.1, 53 a decade in hub_and_spoke against 14.5, most of them noise); 0.05 is a nimble "
        "government, 0.3 a gridlocked one",
        plausible=(0.05, 0.3),
        ge=0,
        le=100,
    )
    attention: float = coef(
        0.2,
        "Share of a state's stake below which a lever is off its menu: the first-order value "
        "of one step at the status quo, against that of its weightiest lever",
        why="bounded attention (Simon; Jones & Baumgartner 2005): a state attends to the levers "
        "that matter to it, within a factor of five of the weightiest (0.05–0.4); below, the "
        "month's fluctuations outweigh what the lever is worth and it would only tremble",
        plausible=(0.05, 0.4),
        ge=0,
        le=1,
    )
    continuation: float = coef(
        24.0,
        "Months beyond the look-ahead over which a state weighs a lasting posture's effect, "
        "at the escalation process's stationary rate (a stance is weighed over the look-ahead "
        "only: it lasts as long as its incident)",
        why="a campaign, a channel or a budget is a commitment of a few years, while the "
        "present incident passes within months: two years of its lasting effect keep a "
        "posture from swinging with each incident (6–60 months)",
        plausible=(6, 60),
        ge=0,
        le=600,
    )
    reference_margin: float = coef(
        0.1,
        "Margin by which each step away from a lever's status-quo value falls short of paying, "
        "as a share of its marginal value there: the kink of reference-dependent preferences",
        why="prospect theory in international politics (Jervis 1992; Levy 1992): the status "
        "quo is a reference point, and a state weighs a change against it; a tenth keeps a "
        "lever within reach of a modest change of incentives, 0.3 makes states hold their "
        "postures against all but large ones (0.02–0.3)",
        plausible=(0.02, 0.3),
        ge=0,
        le=1,
    )
    dormancy: float = coef(
        0.5,
        "Margin by which a lever a state does not use falls short of paying for itself at the "
        "status quo (a share of its marginal value there)",
        why="revealed preference only bounds an unused lever's value from above; half its "
        "marginal value puts it as far from use as the record allows either way (0.2: nearly "
        "in use; 0.8: far from it)",
        plausible=(0.2, 0.8),
        ge=0,
        le=1,
    )
    cost_gray_zone: float = coef(
        0.02,
        "Cost to a party of a month at the gray-zone rung (crisis-months)",
        why="intercepts and shadowing cost little: a fiftieth of a crisis month (MID hostility "
        "level 2–3)",
        plausible=(0.005, 0.05),
        ge=0,
        le=10,
    )
    cost_standoff: float = coef(
        0.1,
        "Cost to a party of a month at the standoff rung (crisis-months)",
        why="a blockade or face-off ties up forces and attention: a tenth of a crisis month",
        plausible=(0.05, 0.3),
        ge=0,
        le=10,
    )
    cost_clash: float = coef(
        0.4,
        "Cost to a party of a month at the clash rung (crisis-months)",
        why="a use of force with possible fatalities (MID level 4): somewhat less than a "
        "sustained crisis with mobilisation",
        plausible=(0.2, 0.8),
        ge=0,
        le=10,
    )
    cost_crisis: float = coef(
        1.0,
        "Cost to a party of a month at the crisis rung: the unit of utility (crisis-months)",
        why="scale reference: every other utility is counted in these units",
        plausible=(1, 1),
        ge=0.01,
        le=10,
    )
    cost_war: float = coef(
        10.0,
        "Cost to a party of a month at war (crisis-months)",
        why="war (≥ 1,000 battle deaths a year, COW) costs an order of magnitude more than a "
        "crisis; 5–30 spans limited and major wars",
        plausible=(5, 30),
        ge=0,
        le=1000,
    )
    nuclear_war_factor: float = coef(
        3.0,
        "Multiple of the war cost between two nuclear-armed states",
        why="the risk of nuclear use triples what a war is expected to cost; 2–10",
        plausible=(2, 10),
        ge=1,
        le=100,
    )
    security_weight: float = coef(
        0.5,
        "Cost of a month under one unit of summed threat Σ_j T_ij (crisis-months), against "
        "which arms and leaning buy security",
        why="the status quo's most threatened states sum 1–2 units: living with them costs a "
        "crisis-month a month or so, the order of a standing crisis; 0.1–2",
        plausible=(0.1, 2),
        ge=0,
        le=100,
    )
    following_weight: float = coef(
        2.0,
        "Value to a state of its side's following: a unit move of the region's whole "
        "capability towards it (crisis-months per month)",
        why="a pole values followers by their weight (Walt; Snyder): moving a tenth of the "
        "region's capability by a tenth is worth a fiftieth of a crisis-month a month; 0.5–8",
        plausible=(0.5, 8),
        ge=0,
        le=100,
    )
    common_cost: float = coef(
        0.5,
        "Part φ of an incident's cost that both sides bear whatever their strength; the rest "
        "is shared as 2 (1 − p), the weaker side bearing more",
        why="casualties, trade and standing are lost by both parties to a clash, the stronger "
        "too (Fearon 1995: war is costly to both); how much the balance of strength shifts "
        "the rest is not measured, so half is a neutral split; 0 puts all of it on the "
        "balance, 1 none",
        plausible=(0.0, 1.0),
        ge=0,
        le=1,
    )
    stance_push: float = coef(
        0.8,
        "Logit added to the step-up of an incident by a party that presses (subtracted when it "
        "backs down)",
        why="one side pressing more than doubles the odds of a step up (e^0.8 ≈ 2.2), the "
        "order of a coercion campaign's effect (`coercion_escalation` = 2 at full intensity)",
        plausible=(0.4, 1.5),
        ge=0,
        le=10,
    )
    stance_retreat: float = coef(
        0.2,
        "Monthly step-down probability added by a party that backs down",
        why="backing down ends a standoff within a few months, as the 2012 Scarborough and the "
        "2017 Doklam withdrawals did (recalled)",
        plausible=(0.1, 0.4),
        ge=0,
        le=1,
    )
    lean_shift: float = coef(
        0.2,
        "How far one step of a state's deliberate lean moves the alignment its domestic "
        "preferences hold it to (the inertia's resting point), on the −1 … +1 axis",
        why="a tenth of the axis a step: two steps move the resting point 0.4 and, against "
        "inertia and the ASEAN pulls, the Philippines' alignment about 0.1 in three years, the "
        "low end of its observed turns in seeds/ideal_points.csv (idealpointall through the "
        "baseline's tanh mapping: −0.10 to −0.25 in Duterte's first year, 2016→2017, and "
        "+0.26 to +0.42 from 2019 to 2022, by yearly or fixed median): a lean is the "
        "government's deliberate repositioning, not all of a change in votes, which also move "
        "with the agenda; 0.1–0.3 (year-to-year noise in the series is about ±0.15)",
        plausible=(0.1, 0.3),
        ge=0,
        le=1,
    )


class Parameters(_Group):
    """All model coefficients, grouped by mechanism."""

    arms: ArmsParameters = Field(default_factory=ArmsParameters)
    threat: ThreatParameters = Field(default_factory=ThreatParameters)
    alignment: AlignmentParameters = Field(default_factory=AlignmentParameters)
    alliances: AllianceParameters = Field(default_factory=AllianceParameters)
    incidents: IncidentParameters = Field(default_factory=IncidentParameters)
    tension: TensionParameters = Field(default_factory=TensionParameters)
    economy: EconomyParameters = Field(default_factory=EconomyParameters)
    decisions: DecisionParameters = Field(default_factory=DecisionParameters)


def provenance(params: Parameters) -> list[dict[str, Any]]:
    """List every coefficient with its value, default and provenance.

    Args:
        params: The coefficients in force.

    Returns:
        One dict per coefficient: ``path``, ``value``, ``default``, ``free``, ``source``,
        ``why``, ``plausible`` (``(low, high)`` or ``None``) and ``description``.
    """
    rows = []
    defaults = Parameters()
    for group_name in Parameters.model_fields:
        group = getattr(params, group_name)
        default_group = getattr(defaults, group_name)
        for name, field in type(group).model_fields.items():
            extra = field.json_schema_extra or {}
            plausible = extra.get("plausible")
            rows.append(
                {
                    "path": f"parameters.{group_name}.{name}",
                    "value": getattr(group, name),
                    "default": getattr(default_group, name),
                    "free": extra["free"],
                    "source": extra["source"],
                    "why": extra["why"],
                    "plausible": None if plausible is None else tuple(plausible),
                    "description": field.description,
                }
            )
    return rows
