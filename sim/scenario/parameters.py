"""Model coefficients: every number the dynamics use that is not a country's data.

Each field says where its value comes from. ``free=True`` marks a modelling coefficient with no
data source; its ``why`` says how the value was chosen. ``geosim explain`` prints this table and
``docs/model.md`` uses the same names.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from sim.scenario.resources import calibration_file

#: The judgement values of calibrated coefficients (what they were before calibration).
JUDGEMENT_DEFAULTS: dict[str, float] = {}


def coef(default: float, description: str, *, why: str, source: str = "", **bounds: Any) -> Any:
    """Declare a coefficient with its provenance.

    Args:
        default: Default value.
        description: What the coefficient does, with its unit.
        why: Reason for the value (for free coefficients) or how the source maps to it.
        source: Dataset/fact citation; empty for a free coefficient.
        **bounds: Pydantic bounds (``ge``, ``le``, ``gt``, ``lt``).
    """
    extra = {"free": not source, "source": source or "free coefficient", "why": why}
    return Field(default, description=description, json_schema_extra=extra, **bounds)


@cache
def _calibration() -> dict[str, Any]:
    path = calibration_file()
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def calibrated_coef(
    name: str, judgement: float, description: str, *, why: str, **bounds: Any
) -> Any:
    """Declare a free coefficient whose default comes from ``seeds/calibration.yaml``.

    The fitted value becomes the default, with a source that says so and gives the fit
    (``calibrated (backtest 2015–2019): …``), only when the file marks it ``identified``: its
    profile of the objective rises above the objective's precision. Otherwise (no file, no
    entry, not identified or no identifiability recorded) the judgement value stays and the
    coefficient stays free; a ``why`` says when calibration could not identify it.

    Args:
        name: ``group.coefficient``, e.g. ``alignment.rate``.
        judgement: The value chosen by judgement, before calibration.
        description: What the coefficient does, with its unit.
        why: Reason for the judgement value.
        **bounds: Pydantic bounds.
    """
    JUDGEMENT_DEFAULTS[name] = judgement
    data = _calibration()
    entry = data.get("coefficients", {}).get(name)
    if entry is None:
        return coef(judgement, description, why=why, **bounds)
    if not entry.get("identified", False):
        return coef(judgement, description, why=f"{why}; {_not_identified(data, entry)}", **bounds)
    inside = data["rmse"]["in_sample_2015_2019"]
    outside = data["rmse"]["out_of_sample_2019_2023"]
    low, high = entry["indifferent"]
    where = "interior optimum" if entry["optimum"] == "interior" else f"at its {entry['optimum']}"
    source = (
        f"calibrated (backtest 2015–2019): alignment RMSE {inside['calibrated']:.3f} in sample "
        f"(judgement value {judgement:g}: {inside['judgement']:.3f}); out of sample 2019–2023 "
        f"{outside['calibrated']:.3f} (judgement {outside['judgement']:.3f}, persistence "
        f"{outside['persistence']:.3f}); bounds {entry['bounds']}; identified ({where}; values "
        f"{low:g}–{high:g} score within the objective's precision)"
    )
    return coef(entry["fitted"], description, why=why, source=source, **bounds)


def _not_identified(data: dict[str, Any], entry: dict[str, Any]) -> str:
    """Why a calibrated coefficient kept its judgement value."""
    if "relative_range" not in entry:
        return "no identifiability recorded by the calibration; judgement value kept"
    threshold = data["identifiability"]["relative_threshold"]
    if entry.get("optimum") != "flat":
        return (
            "not identified by the 2015–2019 UN-vote backtest (the optimiser stopped short of "
            "its profile's minimum); judgement value kept"
        )
    return (
        "not identified by the 2015–2019 UN-vote backtest (profile over bounds "
        f"{entry['bounds']} flat within {entry['relative_range']:.1g} of the optimum RMSE, "
        f"threshold {threshold:.1%}); judgement value kept"
    )


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)


class ArmsParameters(_Group):
    """Richardson arms dynamics with fatigue and a budget ceiling."""

    reaction: float = coef(
        0.05,
        "Richardson reaction k: yearly spending response per unit of rival spending, weighted "
        "by exposure and scaled by relative GDP (1/yr)",
        why="within the 0.05–0.3/yr fitted to Cold War dyads, and low enough that the 17-state "
        "system is stable (largest eigenvalue of K below the fatigue a; see docs/model.md)",
        ge=0,
        le=2,
    )
    fatigue: float = coef(
        0.25,
        "Richardson fatigue a: yearly relaxation of spending towards zero (1/yr)",
        why="budgets turn over on a 3–5 year horizon; a ≈ 1/4 per year",
        ge=0.01,
        le=5,
    )
    ceiling_share_gdp: float = coef(
        0.05,
        "Budget ceiling as a share of GDP (or twice current spending if that is higher)",
        why="no Indo-Pacific state outside PRK/MMR spends over 4% of GDP (SIPRI 2024)",
        source="SIPRI Milex 2024 (shares of GDP)",
        ge=0.005,
        le=0.5,
    )
    ally_pooling: float = coef(
        0.35,
        "Share of credible allied capability that substitutes for own spending (buck-passing)",
        why="Olson–Zeckhauser free-riding is partial; a third of allied capability counts",
        ge=0,
        le=1,
    )
    abandonment_arming: float = coef(
        0.3,
        "Extra yearly spending, as a share of the baseline budget, per unit of abandonment "
        "fear (internal balancing)",
        why="chosen so that halving US credibility raises allies' spending by ~10% over 5 years",
        ge=0,
        le=5,
    )


class ThreatParameters(_Group):
    """Walt's balance of threat: capability, proximity, claims and hostile acts."""

    distance_scale_km: float = coef(
        2500.0,
        "Loss-of-strength gradient: proximity = exp(−distance / scale) (km)",
        why="Boulding's gradient; 2,500 km ≈ combat radius of regional air and naval forces",
        ge=100,
        le=50_000,
    )
    reach_exponent: float = coef(
        0.5,
        "Power-projection reach = (spending / top spending) ** exponent",
        why="square root: reach grows less than proportionally with budgets",
        ge=0,
        le=3,
    )
    claims_weight: float = coef(
        1.0,
        "Weight of an overlapping territorial claim (per unit dispute intensity) in hostility",
        why="a full dispute counts as much as being at opposite poles of the alignment axis",
        ge=0,
        le=5,
    )
    hostile_acts_weight: float = coef(
        0.2,
        "Weight of remembered hostile acts (incidents weighted by level) in hostility",
        why="a clash (level 3) remembered in full raises hostility by 0.6, less than a claim",
        ge=0,
        le=5,
    )
    memory_months: float = coef(
        12.0,
        "Time constant of the memory of hostile acts (months)",
        why="incidents colour threat assessments for about a year",
        ge=0.5,
        le=1200,
    )
    coalition_weight: float = coef(
        0.5,
        "Share of a state's allies' capability (per unit tie) added to its power as others see it",
        why="Walt's aggregate power: an ally's forces count, but less than one's own",
        ge=0,
        le=1,
    )
    sensitivity: float = coef(
        1.5,
        "Saturation of perceived threat: threat = 1 − exp(−sensitivity × Σ_j T_ij)",
        why="keeps China's threat (the most exposed state) below saturation, at 0.86 in 2025",
        ge=0.01,
        le=100,
    )
    ally_discount: float = coef(
        0.9,
        "How much an alliance tie of full strength removes the threat from a partner",
        why="allies are rarely perceived as threats; a small residue stays (entrapment)",
        ge=0,
        le=1,
    )


class AlignmentParameters(_Group):
    """Alignment and hedging on the China (−1) – US (+1) axis."""

    rate: float = calibrated_coef(
        "alignment.rate",
        0.02,
        "Monthly adjustment speed of alignment per unit of net pull",
        why="alignments move over years: a net pull of 0.5 shifts a state 0.12 a year",
        ge=0.0001,
        le=1,
    )
    security_weight: float = calibrated_coef(
        "alignment.security_weight",
        1.0,
        "Pull away from the pole of the states one fears (balancing), per unit threat",
        why="scale reference for the other weights",
        ge=0,
        le=5,
    )
    alliance_weight: float = coef(
        0.6,
        "Pull towards alliance partners' alignment, per unit tie strength",
        why="ties pull less than threats push (Walt: balancing dominates bandwagoning)",
        ge=0,
        le=5,
    )
    economic_weight: float = calibrated_coef(
        "alignment.economic_weight",
        2.0,
        "Pull per unit of trade-share difference (US share − China share)",
        why="a 10-point trade tilt moves the target by 0.2",
        ge=0,
        le=10,
    )
    inducement_weight: float = calibrated_coef(
        "alignment.inducement_weight",
        1.0,
        "Pull per unit of inducement intensity (assistance relative to own budget, deals)",
        why="assistance worth 10% of a recipient's budget pulls as much as a 5-point trade tilt",
        ge=0,
        le=5,
    )
    neighbour_weight: float = coef(
        0.5,
        "Pull of ASEAN members towards the ASEAN mean alignment (consensus norm)",
        why="ASEAN centrality: members move together but not in lockstep",
        ge=0,
        le=5,
    )
    hedging_weight: float = coef(
        0.5,
        "Pull of ASEAN members towards neutrality (hedging norm)",
        why="non-alignment is ASEAN doctrine; as strong as the consensus pull",
        ge=0,
        le=5,
    )
    entrapment_weight: float = coef(
        0.5,
        "Distancing from a patron per unit of entrapment fear",
        why="Snyder: fear of entrapment loosens commitment; weaker than threat",
        ge=0,
        le=5,
    )
    noise_sd: float = coef(
        0.01,
        "Standard deviation of monthly idiosyncratic alignment shocks",
        why="domestic politics; small enough that structure dominates over 10 years",
        ge=0,
        le=0.5,
    )


class AllianceParameters(_Group):
    """Typed ties with commitment, interoperability and credibility."""

    bilateral_treaty_weight: float = coef(
        1.0, "Strength of a bilateral treaty tie", why="reference type", ge=0, le=1
    )
    collective_defence_weight: float = coef(
        1.0,
        "Strength of a tie inside a collective-defence pact",
        why="an Article-5 pledge binds every pair, as strong as a treaty",
        ge=0,
        le=1,
    )
    minilateral_weight: float = coef(
        0.5,
        "Strength of a tie inside a minilateral grouping (Quad, trilaterals, AUKUS)",
        why="consultation and capability projects, no defence pledge: half a treaty",
        ge=0,
        le=1,
    )
    partnership_weight: float = coef(
        0.3,
        "Strength of a strategic partnership tie",
        why="cooperation without commitment",
        ge=0,
        le=1,
    )
    task_force_weight: float = coef(
        0.4,
        "Strength of a standing task force tie (joint operations, no new pledge)",
        why="between a partnership and a minilateral",
        ge=0,
        le=1,
    )
    exercise_gain: float = coef(
        0.01,
        "Interoperability gained per joint exercise (share of the remaining gap)",
        why="a dozen exercises a year roughly double low interoperability in 5 years",
        ge=0,
        le=1,
    )
    task_force_gain: float = coef(
        0.03,
        "Monthly interoperability gain of an active task force (share of the gap)",
        why="standing joint operations integrate forces over 2–3 years",
        ge=0,
        le=1,
    )
    task_force_presence: float = coef(
        0.5,
        "Forward presence a standing task force gives its lead in each partner, 0–1",
        why="joint patrols are a rotational presence: half of major permanent basing",
        ge=0,
        le=1,
    )
    interoperability_decay: float = coef(
        0.005,
        "Monthly relaxation of interoperability to its declared level without extra practice",
        why="skills built by extra drills fade over a decade",
        ge=0,
        le=1,
    )
    presence_gain: float = coef(
        0.02,
        "Monthly credibility gain per unit of forward presence with a member (share of gap)",
        why="troops on the ground are the costly signal of commitment (Schelling)",
        ge=0,
        le=1,
    )
    response_gain: float = coef(
        0.05,
        "Credibility gained when the alliance responds to an incident against a member",
        why="visible support after an incident; 20 responses take credibility near 1",
        ge=0,
        le=1,
    )
    abandonment_loss: float = coef(
        0.1,
        "Credibility lost when the alliance fails to respond to an incident",
        why="failures weigh twice successes (reputation literature's negativity bias)",
        ge=0,
        le=1,
    )
    credibility_decay: float = coef(
        0.002,
        "Monthly relaxation of credibility to its declared level without signals",
        why="reputations fade slowly",
        ge=0,
        le=1,
    )


class IncidentParameters(_Group):
    """Stochastic incidents and the escalation ladder."""

    base_hazard: float = coef(
        0.15,
        "Monthly incident hazard of a dyad with a dispute of intensity 1",
        why="notable China–Philippines incidents occurred several times a year in 2023–2025",
        ge=0,
        le=5,
    )
    tension_hazard: float = coef(
        2.0,
        "Multiplier of the hazard per unit dyad tension: × (1 + w·tension)",
        why="tense dyads patrol more and meet more often",
        ge=0,
        le=20,
    )
    presence_hazard: float = coef(
        0.5,
        "Multiplier of the hazard per unit third-party presence in the dyad's area",
        why="forward presence multiplies encounters",
        ge=0,
        le=20,
    )
    coercion_hazard: float = coef(
        3.0,
        "Multiplier of the hazard per unit of gray-zone coercion intensity",
        why="a coercion campaign at full intensity quadruples incidents",
        ge=0,
        le=20,
    )
    escalation_base: float = coef(
        -2.4,
        "Logit of the monthly step-up probability at zero tension",
        why="≈8%/month: most incidents stay gray-zone",
        ge=-20,
        le=20,
    )
    escalation_tension: float = coef(
        2.5,
        "Logit increase of the step-up probability per unit dyad tension",
        why="tension doubles-to-triples the odds of escalation from calm to high",
        ge=0,
        le=20,
    )
    escalation_deterrence: float = coef(
        2.0,
        "Logit decrease per unit of credible allied backing of the defender (deterrence)",
        why="credible extended deterrence halves-to-thirds the odds of escalation",
        ge=0,
        le=20,
    )
    escalation_emboldening: float = coef(
        0.8,
        "Logit increase per unit of backing (moral hazard: the backed side takes risks)",
        why="Snyder's entrapment: weaker than deterrence so backing nets out stabilising",
        ge=0,
        le=20,
    )
    escalation_rung_cost: float = coef(
        1.3,
        "Logit decrease of the step-up probability per rung already climbed",
        why="each rung is costlier to climb (Kahn's ladder): clashes are rarer than standoffs",
        ge=0,
        le=20,
    )
    escalation_channel: float = coef(
        2.0,
        "Logit decrease per unit of deconfliction-channel strength",
        why="hotlines and CUES-type rules stop accidents from spiralling",
        ge=0,
        le=20,
    )
    channel_spillover: float = coef(
        0.5,
        "Share of a great-power channel's effect that reaches dyads of their allies",
        why="US–China channels restrain their partners' incidents too, but less",
        ge=0,
        le=1,
    )
    deescalation: float = coef(
        0.35,
        "Monthly probability that an active incident steps down one level",
        why="standoffs typically last weeks to months",
        ge=0,
        le=1,
    )
    ceasefire_deescalation: float = coef(
        0.5,
        "Extra step-down probability per unit of ceasefire or channel strength",
        why="ceasefire mechanisms end crises in a few months",
        ge=0,
        le=1,
    )


class TensionParameters(_Group):
    """Dyadic tension in [0, 1] and its relaxation."""

    incident_gain: float = coef(
        0.015,
        "Tension added per month per escalation level of an active incident",
        why="a month-long crisis (level 4) adds 0.06; a standing standoff lifts a dyad ≈ 0.4",
        ge=0,
        le=1,
    )
    arms_race_gain: float = coef(
        0.5,
        "Tension added per unit of joint spending growth of hostile states (security dilemma)",
        why="both sides growing 10%/yr add 0.005 a month: +0.06 over a year of racing",
        ge=0,
        le=50,
    )
    polarization_gain: float = coef(
        0.01,
        "Monthly tension added per unit of bloc distance between formal allies' blocs",
        why="bloc confrontation is slow-moving",
        ge=0,
        le=1,
    )
    relaxation: float = coef(
        0.08,
        "Monthly relaxation of tension towards the dyad's structural base level",
        why="tension half-life ≈ 8 months without new shocks",
        ge=0,
        le=1,
    )
    dispute_base: float = coef(
        0.4,
        "Structural base tension per unit dispute intensity",
        why="a full dispute holds tension near 0.4 in calm times",
        ge=0,
        le=1,
    )
    bloc_base: float = coef(
        0.15,
        "Structural base tension per unit alignment distance (0–2 scale halved)",
        why="opposite poles add 0.15 even without a dispute",
        ge=0,
        le=1,
    )
    dialogue_relief: float = coef(
        0.1,
        "Extra monthly relaxation per unit dialogue, channel or ceasefire strength",
        why="talks double the relaxation rate",
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


def provenance(params: Parameters) -> list[dict[str, Any]]:
    """List every coefficient with its value, default and provenance.

    Args:
        params: The coefficients in force.

    Returns:
        One dict per coefficient: ``path``, ``value``, ``default``, ``free``, ``source``,
        ``why`` and ``description``.
    """
    rows = []
    defaults = Parameters()
    for group_name in Parameters.model_fields:
        group = getattr(params, group_name)
        default_group = getattr(defaults, group_name)
        for name, field in type(group).model_fields.items():
            extra = field.json_schema_extra or {}
            rows.append(
                {
                    "path": f"parameters.{group_name}.{name}",
                    "value": getattr(group, name),
                    "default": getattr(default_group, name),
                    "free": extra["free"],
                    "source": extra["source"],
                    "why": extra["why"],
                    "description": field.description,
                }
            )
    return rows
