"""The scenario schema: a validated description of one experiment.

A scenario is YAML with the top-level keys ``name``, ``description``, ``extends``, ``horizon``,
``seed``, ``countries``, ``alliances``, ``policies``, ``events``, ``decisions``, ``moves`` and
``parameters``. This module
holds its schema (pydantic v2, which also yields the JSON Schema printed by ``geosim schema``);
:mod:`sim.scenario.loader` turns files into validated :class:`Scenario` objects with readable
errors.
Every key is documented in ``docs/scenarios.md``.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from sim.scenario.aliases import alias_hint
from sim.scenario.baseline import country_codes, disputes
from sim.scenario.conditions import ConditionError, parse_condition
from sim.scenario.ladder import ESCALATION_LEVELS
from sim.scenario.parameters import Parameters
from sim.scenario.problems import HintedError, LocatedError, shorten

AllianceType = Literal[
    "bilateral_treaty", "collective_defence", "minilateral", "partnership", "task_force"
]
Level = Literal[ESCALATION_LEVELS]  # type: ignore[valid-type]


def _check_country(code: str) -> str:
    known = country_codes()
    if code not in known:
        listing = f"known codes: {', '.join(known)}"
        hint = alias_hint(code)  # ROK is South Korea's, not the closest spelling's (PRK)
        if hint is None:
            close = difflib.get_close_matches(code.upper(), known, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]}?" if close and len(code) < 20 else None
        raise HintedError(
            f"unknown country code {shorten(code, 20)!r}",
            f"{hint} ({listing})" if hint else listing,
        )
    return code


CountryCode = Annotated[str, AfterValidator(_check_country)]
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_\-]{0,63}$")]
#: Latest month a scenario may name (a start, an end, a duration): far past any horizon, and
#: small enough for every array the model keeps months in.
MAX_MONTH = 1_000_000

Share = Annotated[float, Field(ge=0, le=1)]
Step = Annotated[int, Field(ge=0, le=MAX_MONTH)]
Source = str | list[str]


def _unique(codes: list[str]) -> list[str]:
    seen = [c for i, c in enumerate(codes) if c in codes[:i]]
    if seen:
        raise ValueError(f"{seen[0]} is listed twice")
    return codes


CountryList = Annotated[list[CountryCode], Field(min_length=1), AfterValidator(_unique)]


class Strict(BaseModel):
    """Base of every scenario block: unknown keys, NaN and infinities are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class CountryOverride(Strict):
    """Changes to one country's baseline (all optional)."""

    gdp_usd_bn: float | None = Field(
        None, ge=0.1, le=1e6, description="GDP, current US$ bn (the world's is about 1e5)"
    )
    milex_usd_bn: float | None = Field(
        None,
        ge=0.01,
        le=1e5,
        description="Military spending, US$ bn/yr (the world's is about 3e3; Laos's about 0.03)",
    )
    alignment: float | None = Field(None, ge=-1, le=1, description="Initial alignment")
    trade_china_share: Share | None = Field(None, description="Share of trade with China")
    trade_us_share: Share | None = Field(None, description="Share of trade with the US")
    real_growth_pct: float | None = Field(
        None,
        ge=-20,
        le=30,
        description="Real GDP growth, % a year (default: seeds/trajectories.csv); a departure "
        "from the status quo, not part of it",
    )
    burden_target_pct: float | None = Field(
        None,
        gt=0,
        le=50,
        description="Military spending to reach, % of GDP (default: the announced target in "
        "seeds/trajectories.csv, else the current share); a departure from the status quo",
    )
    burden_target_month: Step | None = Field(
        None, description="Month by which burden_target_pct is reached (default: 60)"
    )
    source: Source = Field("", description="Citation for the changed figures")

    @model_validator(mode="after")
    def _target_has_a_level(self) -> CountryOverride:
        if self.burden_target_month is not None and self.burden_target_pct is None:
            raise ValueError("burden_target_month needs burden_target_pct")
        return self


class Alliance(Strict):
    """A typed tie among two or more states."""

    type: AllianceType = Field(description="Kind of tie")
    members: Annotated[list[CountryCode], Field(min_length=2), AfterValidator(_unique)]
    hub: CountryCode | None = Field(None, description="Patron of the tie (defaults: USA if member)")
    commitment: Share = Field(0.8, description="Strength of the pledge, 0–1")
    interoperability: Share = Field(0.3, description="Initial interoperability, 0–1")
    credibility: Share = Field(0.6, description="Initial credibility of the pledge, 0–1")
    clarity: Share = Field(
        1.0,
        description="How unambiguous the pledge is, 0–1 (1: a stated defence obligation; "
        "the Taiwan Relations Act's strategic ambiguity is about 0.4)",
    )
    against: Annotated[list[CountryCode], AfterValidator(_unique)] | None = Field(
        None,
        description="The adversaries the pledge is aimed at (default: the states the hub has a "
        "dispute with, outside the alliance)",
    )
    start: Step = Field(0, description="Month the tie comes into force")
    end: Step | None = Field(None, description="Month the tie ends (exclusive)")
    source: Source = ""
    note: str = ""

    @model_validator(mode="after")
    def _hub_is_member(self) -> Alliance:
        if self.hub is not None and self.hub not in self.members:
            raise ValueError(f"hub {self.hub} is not among the members {self.members}")
        inside = [c for c in self.against or () if c in self.members]
        if inside:
            raise ValueError(f"{inside[0]} is a member; a pledge cannot be aimed at a member")
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end}) must come after start ({self.start})")
        return self


class _Policy(Strict):
    actor: CountryCode = Field(description="Who pulls the lever")
    partners: CountryList = Field(description="Who it is aimed at")
    start: Step = Field(0, description="First month in force")
    end: Step | None = Field(None, description="Month it stops (exclusive); default: never")
    source: Source = ""
    note: str = ""

    @model_validator(mode="after")
    def _actor_not_partner(self) -> _Policy:
        if self.actor in self.partners:
            raise ValueError(f"actor {self.actor} cannot also be one of its partners")
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end}) must come after start ({self.start})")
        return self


class SecurityAssistance(_Policy):
    """Training and equipment funds (FMF, IMET-style) to each partner."""

    kind: Literal["security_assistance"]
    usd_m_per_year: float = Field(ge=0, le=1e5, description="US$ m per year to each partner")


class EconomicInducement(_Policy):
    """Aid, loans or investment offered for alignment."""

    kind: Literal["economic_inducement"]
    usd_m_per_year: float = Field(ge=0, le=1e6, description="US$ m per year to each partner")


class Exercises(_Policy):
    """Joint military exercises."""

    kind: Literal["exercises"]
    per_year: float = Field(ge=0, le=365, description="Exercises per year with each partner")


class TaskForce(_Policy):
    """A standing joint task force: creates a task-force tie while in force."""

    kind: Literal["task_force"]
    commitment: Share = Field(0.7, description="Commitment of the task-force tie")


class Delivery(Strict):
    """One delivery of an arms transfer, ``after`` months after the policy starts."""

    after: Step = Field(description="Months after the policy's start")
    value_usd_m: float = Field(gt=0, le=1e5)
    item: str = ""


class ArmsTransfer(_Policy):
    """Weapons delivered on a schedule (each delivery adds to the recipients' capability)."""

    kind: Literal["arms_transfer"]
    deliveries: Annotated[list[Delivery], Field(min_length=1)]


class TradeAgreement(_Policy):
    """A trade deal that shifts trade shares towards the actor."""

    kind: Literal["trade_agreement"]
    trade_share_delta: float = Field(gt=0, le=0.5, description="Added trade share with actor")


class CivilNuclear(_Policy):
    """Civil nuclear cooperation (123 agreement, MoU)."""

    kind: Literal["civil_nuclear"]
    strength: Share = Field(0.5, description="Depth of cooperation, 0–1")


class ForwardPresence(_Policy):
    """Troops, rotations or basing access in the partners' territory."""

    kind: Literal["forward_presence"]
    level: Share = Field(description="Presence, 0 (none) to 1 (major permanent bases)")


class DeconflictionChannel(_Policy):
    """Military-to-military hotlines and rules of encounter."""

    kind: Literal["deconfliction_channel"]
    strength: Share = Field(0.5, description="Channel strength, 0–1")


class GrayZoneCoercion(_Policy):
    """Coast-guard and militia pressure below the threshold of armed attack."""

    kind: Literal["gray_zone_coercion"]
    intensity: Share = Field(description="Campaign intensity, 0–1")


class EconomicCoercion(_Policy):
    """Sanctions, boycotts and trade restrictions (China on South Korea 2016–17, Australia 2020)."""

    kind: Literal["economic_coercion"]
    intensity: Share = Field(description="Campaign intensity, 0–1 (1: a broad embargo)")


class Ceasefire(_Policy):
    """A ceasefire or peace accord: de-escalates and relaxes tension."""

    kind: Literal["ceasefire"]
    strength: Share = Field(0.8, description="Strength of the mechanism, 0–1")


class Dialogue(_Policy):
    """A diplomatic dialogue that lowers tension."""

    kind: Literal["dialogue"]
    strength: Share = Field(0.5, description="Intensity, 0–1")


Policy = Annotated[
    SecurityAssistance
    | EconomicInducement
    | Exercises
    | TaskForce
    | ArmsTransfer
    | TradeAgreement
    | CivilNuclear
    | ForwardPresence
    | DeconflictionChannel
    | GrayZoneCoercion
    | EconomicCoercion
    | Ceasefire
    | Dialogue,
    Field(discriminator="kind"),
]


class _Event(Strict):
    step: Step | None = Field(None, description="Month the event fires")
    when: str | None = Field(None, description="Condition over model state (see docs)")
    once: bool = Field(True, description="A conditional event fires at most once")
    source: Source = ""
    note: str = ""

    @model_validator(mode="after")
    def _one_trigger(self) -> _Event:
        if (self.step is None) == (self.when is None):
            raise ValueError("an event needs exactly one of 'step' or 'when'")
        if self.when is not None:
            try:
                parse_condition(self.when)
            except ConditionError as exc:
                raise ValueError(f"bad condition: {exc}") from None
        return self


class IncidentEvent(_Event):
    """An incident between two states at a given rung of the escalation ladder."""

    kind: Literal["incident"]
    actors: Annotated[list[CountryCode], Field(min_length=2, max_length=2), AfterValidator(_unique)]
    level: Level = "gray_zone"


class PolicyEvent(_Event):
    """Puts a policy in force from the firing month for ``duration`` months."""

    kind: Literal["policy"]
    policy: Policy
    duration: Step | None = Field(None, description="Months in force; default: to the end")


class MembershipEvent(_Event):
    """A state joins or leaves an alliance declared under ``alliances``."""

    kind: Literal["join_alliance", "leave_alliance"]
    alliance: Name
    country: CountryCode


class CommitmentEvent(_Event):
    """Sets an alliance's commitment."""

    kind: Literal["set_commitment"]
    alliance: Name
    value: Share


class ClarityEvent(_Event):
    """A new clarity of an alliance's pledge (a declaration ending or restoring ambiguity)."""

    kind: Literal["set_clarity"]
    alliance: Name
    value: Share


class TensionShock(_Event):
    """Adds to (or subtracts from) a dyad's tension."""

    kind: Literal["tension_shock"]
    actors: Annotated[list[CountryCode], Field(min_length=2, max_length=2), AfterValidator(_unique)]
    delta: float = Field(ge=-1, le=1)


class CredibilityShock(_Event):
    """Adds to (or subtracts from) an alliance's credibility."""

    kind: Literal["credibility_shock"]
    alliance: Name
    delta: float = Field(ge=-1, le=1)


#: How a state makes its moves (``docs/model.md`` §9): ``expected_utility`` scores its menu
#: every decision interval and chooses by a logit rule; ``scripted`` does what the scenario's
#: timeline says and nothing else (Model 2.0's states); ``fixed`` holds its month-0 posture:
#: no decisions, and none of its own timed entries after month 0.
Strategy = Literal["expected_utility", "scripted", "fixed"]
#: The kinds of move on the menu (``docs/model.md`` §9, the menu table).
MoveKindName = Literal[
    "arms",
    "coercion",
    "stance",
    "channel",
    "assistance",
    "exercises",
    "presence",
    "inducement",
    "economic_coercion",
    "clarity",
    "lean",
]


class CountryDecisions(Strict):
    """How one state decides, when it differs from the scenario's default."""

    strategy: Strategy | None = Field(None, description="expected_utility, scripted or fixed")
    rationality: float | None = Field(
        None, ge=0, le=1000, description="Logit rationality λ (default: the coefficient)"
    )
    forbid: Annotated[list[MoveKindName], AfterValidator(_unique)] = Field(
        default_factory=list, description="Kinds of move this state may not make"
    )
    source: Source = Field("", description="Source or reason for the choices")
    note: str = ""


class Decisions(Strict):
    """Countries that decide (``docs/model.md`` §9): who, how often, how far ahead."""

    strategy: Strategy = Field(
        "expected_utility", description="How every state decides unless listed in countries"
    )
    interval: int = Field(3, ge=1, le=24, description="Months between decisions")
    lookahead: int = Field(
        6, ge=1, le=36, description="Months of escalation a state weighs when it scores a move"
    )
    countries: dict[CountryCode, CountryDecisions] = Field(default_factory=dict)
    source: Source = Field("", description="Source or reason for the choices")
    note: str = ""

    def strategy_of(self, code: str) -> str:
        """The strategy of the state ``code``."""
        own = self.countries.get(code)
        return own.strategy if own is not None and own.strategy is not None else self.strategy


#: Moves in array form whose value is a lever: the policy kind, its value's unit and bounds.
LEVER_MOVES = {
    "security_assistance": ("US$ m a year to each partner", 0.0, 1e5),
    "economic_inducement": ("US$ m a year to each partner", 0.0, 1e6),
    "exercises": ("exercises a year with each partner", 0.0, 365.0),
    "trade_agreement": ("added trade share with the actor", 0.0, 0.5),
    "civil_nuclear": ("depth of cooperation, 0–1", 0.0, 1.0),
    "forward_presence": ("presence, 0–1", 0.0, 1.0),
    "deconfliction_channel": ("channel strength, 0–1", 0.0, 1.0),
    "gray_zone_coercion": ("campaign intensity, 0–1", 0.0, 1.0),
    "economic_coercion": ("campaign intensity, 0–1", 0.0, 1.0),
    "ceasefire": ("strength of the mechanism, 0–1", 0.0, 1.0),
    "dialogue": ("intensity, 0–1", 0.0, 1.0),
}
#: The other moves in array form: the value each takes, and its bounds (None: no value).
STATE_MOVES = {
    "arms_transfer": ("US$ m delivered to each partner", 0.0, 1e5),
    "incident": None,
    "tension_shock": ("change of the dyad's tension", -1.0, 1.0),
    "credibility_shock": ("change of the alliance's credibility", -1.0, 1.0),
    "set_commitment": ("the alliance's commitment, 0–1", 0.0, 1.0),
    "set_clarity": ("the clarity of the alliance's pledge, 0–1", 0.0, 1.0),
    "join_alliance": None,
    "leave_alliance": None,
    "overrule": ("the posture the decision variable returns to, in its unit", -100.0, 100.0),
}
#: Kinds of a move in array form (``moves:``).
PlayedKind = Literal[(*LEVER_MOVES, *STATE_MOVES)]  # type: ignore[valid-type]
#: Decision kinds an overrule names with a partner state: all but the budget, the lean (a state's
#: own) and clarity (named by its alliance).
_OVERRULE_PARTNER = tuple(k for k in get_args(MoveKindName) if k not in ("arms", "clarity", "lean"))


class PlayedMove(Strict):
    """A move played into the run at a month, in array form (``docs/scenarios.md``, ``moves``).

    The moves a game's players made (a team's, the facilitator's, a deck card's) and the
    facilitator's overrule of a computer player's move. Each acts from the start of ``month``
    on the running state, without a scenario entry: a lever is added for ``months`` (then taken
    back off), an incident, a shock, a commitment, a clarity or a membership is set, arms are
    delivered, or a decision variable of the rule is set back (``overrule``).
    """

    month: Step = Field(description="Month the move acts from (at that month's start)")
    kind: PlayedKind = Field(description="What the move does (see docs/scenarios.md)")
    actor: CountryCode | None = Field(None, description="The state that makes it")
    partners: Annotated[list[CountryCode], AfterValidator(_unique)] = Field(
        default_factory=list, description="The states it acts on (the other side of a dyad)"
    )
    value: float | None = Field(None, description="Its size, in the unit of its kind")
    level: Level | None = Field(None, description="An incident's rung (default gray_zone)")
    months: Annotated[int, Field(ge=1, le=MAX_MONTH)] | None = Field(
        None, description="Months a lever stays in force (default: to the end)"
    )
    alliance: Name | None = Field(None, description="The alliance it acts on")
    decision: MoveKindName | None = Field(
        None, description="The decision variable an overrule sets back (the menu's kind)"
    )
    source: Source = ""
    note: str = ""

    @model_validator(mode="after")
    def _fields_of_its_kind(self) -> PlayedMove:
        kind = self.kind
        bounds = LEVER_MOVES.get(kind) or STATE_MOVES.get(kind)
        dyadic = kind in LEVER_MOVES or kind in ("arms_transfer",)
        pair = kind in ("incident", "tension_shock")
        on_alliance = kind in ("credibility_shock", "set_commitment", "set_clarity")
        needs = {
            "actor": not on_alliance,
            "alliance": on_alliance or kind in ("join_alliance", "leave_alliance"),
            "decision": kind == "overrule",
            "value": bounds is not None,
        }
        if kind == "overrule":
            needs["alliance"] = self.decision == "clarity"
        for name, needed in needs.items():
            if needed and getattr(self, name) is None:
                raise ValueError(f"a move of kind {kind!r} needs '{name}'")
        if self.actor is not None and self.actor in self.partners:
            raise ValueError(f"actor {self.actor} cannot also be one of its partners")
        wanted = 1 if pair or (kind == "overrule" and self.decision in _OVERRULE_PARTNER) else 0
        if dyadic and not self.partners:
            raise ValueError(f"a move of kind {kind!r} needs 'partners' (at least one)")
        if not dyadic and len(self.partners) != wanted:
            what = "exactly one partner (the other side)" if wanted else "no partners"
            raise ValueError(f"a move of kind {kind!r} takes {what}")
        if bounds is not None and self.value is not None:
            unit, low, high = bounds
            if not low <= self.value <= high:
                raise ValueError(f"value: {unit}, from {low:g} to {high:g}, not {self.value:g}")
        if bounds is None and self.value is not None:
            raise ValueError(f"a move of kind {kind!r} takes no 'value'")
        if self.months is not None and kind not in LEVER_MOVES:
            raise ValueError(f"a move of kind {kind!r} takes no 'months' (only a lever lasts)")
        if self.level is not None and kind != "incident":
            raise ValueError(f"a move of kind {kind!r} takes no 'level'")
        if self.decision is not None and kind != "overrule":
            raise ValueError(f"a move of kind {kind!r} takes no 'decision'")
        return self


Event = Annotated[
    IncidentEvent
    | PolicyEvent
    | MembershipEvent
    | CommitmentEvent
    | ClarityEvent
    | TensionShock
    | CredibilityShock,
    Field(discriminator="kind"),
]


class Scenario(Strict):
    """A complete, validated scenario."""

    name: Name = Field(description="Identifier (letters, digits, _ and -)")
    description: str = Field("", max_length=10_000)
    extends: str | None = Field(None, description="Parent scenario: shipped name or path")
    horizon: int = Field(120, ge=1, le=1200, description="Months to simulate")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Base random seed")
    baseline_year: Literal[2013, 2015, 2019, 2023] = Field(
        2023,
        description="Year of the country data the run starts from: GDP and military "
        "spending from that year (2023: seeds/countries.csv; 2013, 2015, 2019: seeds/history.csv) "
        "and alignment from that year's security-alignment index (2023: the index of 2024, "
        "the last year of seeds/security_alignment_2013_2024.csv)",
    )
    anchor: Literal["status_quo", "self"] | None = Field(
        None,
        description="The world held at rest: 'status_quo' (the shipped hub_and_spoke scenario's "
        "alliances and standing policies; the default for baseline_year 2023) or 'self' (this "
        "scenario's own month 0; the default for hindcasts)",
    )
    countries: dict[CountryCode, CountryOverride] = Field(default_factory=dict)
    alliances: dict[Name, Alliance] = Field(default_factory=dict)
    policies: dict[Name, Policy] = Field(default_factory=dict)
    events: dict[Name, Event] = Field(default_factory=dict)
    decisions: Decisions = Field(default_factory=Decisions)
    moves: list[PlayedMove] = Field(
        default_factory=list, description="Moves played into the run (a game's), in order"
    )
    parameters: Parameters = Field(default_factory=Parameters)

    @model_validator(mode="after")
    def _within_horizon(self) -> Scenario:
        found: list[LocatedError] = []
        for name, alliance in self.alliances.items():
            if alliance.start > self.horizon:
                found.append(_located(("alliances", name, "start"), alliance.start, self.horizon))
        for name, policy in self.policies.items():
            if policy.start > self.horizon:
                found.append(_located(("policies", name, "start"), policy.start, self.horizon))
            if isinstance(policy, ArmsTransfer):
                for i, delivery in enumerate(policy.deliveries):
                    if policy.start + delivery.after > self.horizon:
                        loc = ("policies", name, "deliveries", i, "after")
                        found.append(_located(loc, policy.start + delivery.after, self.horizon))
        for name, event in self.events.items():
            if event.step is not None and event.step > self.horizon:
                found.append(_located(("events", name, "step"), event.step, self.horizon))
            alliance = getattr(event, "alliance", None)
            if alliance is not None and alliance not in self.alliances:
                close = difflib.get_close_matches(alliance, list(self.alliances), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                found.append(
                    LocatedError(
                        ("events", name, "alliance"),
                        f"no alliance named {alliance!r} in this scenario{hint}",
                    )
                )
        possible = self.incident_pairs() if self.moves else frozenset()
        for i, move in enumerate(self.moves):
            if move.kind in ("incident", "gray_zone_coercion"):
                for partner in move.partners:
                    if frozenset((move.actor, partner)) not in possible:
                        found.append(
                            LocatedError(
                                ("moves", i, "partners"),
                                f"no incident can happen between {move.actor} and {partner} in "
                                "this scenario (no dispute, gray-zone policy or incident event "
                                "between them): write this move as an event",
                            )
                        )
            if move.month > self.horizon:
                found.append(_located(("moves", i, "month"), move.month, self.horizon))
            if move.alliance is not None and move.alliance not in self.alliances:
                close = difflib.get_close_matches(move.alliance, list(self.alliances), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                found.append(
                    LocatedError(
                        ("moves", i, "alliance"),
                        f"no alliance named {move.alliance!r} in this scenario{hint}",
                    )
                )
        if found:  # every cross-field problem at once, each at its own field
            raise LocatedError(found[0].loc, str(found[0]), more=found[1:])
        return self

    def incident_pairs(self) -> frozenset[frozenset[str]]:
        """The pairs of states between whom an incident can happen in this scenario.

        A dispute, a gray-zone coercion policy (declared or in an event) or an incident event
        between the two: the rule of :attr:`sim.core.world.World.incident_dyads`, which the
        compiled world follows (a move in array form cannot add a pair: that is compiled).
        """
        pairs = {frozenset((d.a, d.b)) for d in disputes()}
        policies = [*self.policies.values()]
        policies += [e.policy for e in self.events.values() if isinstance(e, PolicyEvent)]
        for policy in policies:
            if isinstance(policy, GrayZoneCoercion):
                pairs |= {frozenset((policy.actor, p)) for p in policy.partners}
        for event in self.events.values():
            if isinstance(event, IncidentEvent):
                pairs.add(frozenset(event.actors))
        return frozenset(pairs)


def _located(loc: tuple[str | int, ...], step: int, horizon: int) -> LocatedError:
    return LocatedError(
        loc, f"month {step} is past the horizon ({horizon}); use a month from 0 to {horizon}"
    )
