"""The inject menu: what a facilitator can put on the board, as a scenario entry.

Each kind of inject (:data:`INJECT_KINDS`) names the form fields it needs; :func:`build_inject`
turns the filled form (:class:`InjectForm`) into an :class:`Inject`, an entry of the scenario
language (an event or an alliance) with a plain-words summary, which the session model applies
through :meth:`sim.core.model.IndoPacificModel.inject`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sim.outputs.narrative import country_name, joined
from sim.scenario.schema import Scenario


def _cap(text: str) -> str:
    """Capitalise the first letter of a sentence."""
    return text[:1].upper() + text[1:]


def _target(*codes: str) -> str:
    """The first country that is not one of the two poles (whose alignment never moves)."""
    return next((c for c in codes if c not in ("USA", "CHN")), "PHL")


@dataclass(frozen=True)
class InjectKind:
    """One entry of the inject menu.

    Attributes:
        label: Menu text.
        fields: Form fields the kind uses (names of :class:`InjectForm` attributes).
        actor: Default actor (or first country).
        partners: Default partners (or second country).
        amount_label: Label of the amount field, when used.
        amount: Default amount.
        strength: Default strength (or commitment).
    """

    label: str
    fields: tuple[str, ...]
    actor: str = "USA"
    partners: tuple[str, ...] = ("PHL",)
    amount_label: str = ""
    amount: float = 0.0
    strength: float = 0.5


#: The inject menu, in display order.
INJECT_KINDS: dict[str, InjectKind] = {
    "incident": InjectKind("Incident", ("actor", "other", "level"), "CHN", ("PHL",)),
    "task_force": InjectKind("Task force", ("actor", "partners", "duration")),
    "exercises": InjectKind(
        "Exercises",
        ("actor", "partners", "amount", "duration"),
        amount_label="Exercises per year with each partner",
        amount=4,
    ),
    "security_assistance": InjectKind(
        "Assistance funding",
        ("actor", "partners", "amount", "duration"),
        amount_label="Added US$ m per year, to each partner",
        amount=500,
    ),
    "arms_transfer": InjectKind(
        "Arms delivery",
        ("actor", "partners", "amount", "item"),
        amount_label="Value delivered to each partner, US$ m",
        amount=1000,
    ),
    "trade_agreement": InjectKind(
        "Trade deal",
        ("actor", "partners", "amount", "duration"),
        "CHN",
        ("VNM",),
        amount_label="Added trade share with the actor (0–0.5)",
        amount=0.05,
    ),
    "ceasefire": InjectKind(
        "Ceasefire", ("actor", "partners", "strength", "duration"), "CHN", ("PHL",), strength=0.8
    ),
    "deconfliction_channel": InjectKind(
        "Deconfliction channel", ("actor", "partners", "strength", "duration"), "USA", ("CHN",)
    ),
    "form_alliance": InjectKind(
        "Form an alliance",
        ("alliance_type", "actor", "partners", "strength"),
        "USA",
        ("JPN", "PHL", "AUS"),
        strength=0.8,
    ),
    "join_alliance": InjectKind("Join an alliance", ("alliance", "actor"), "VNM", ()),
    "leave_alliance": InjectKind("Leave an alliance", ("alliance", "actor"), "THA", ()),
}
#: Policy kinds offered as injects, with the policy field their amount or strength sets.
POLICY_AMOUNTS = {
    "exercises": "per_year",
    "security_assistance": "usd_m_per_year",
    "trade_agreement": "trade_share_delta",
    "ceasefire": "strength",
    "deconfliction_channel": "strength",
    "task_force": None,
    "arms_transfer": None,
}
ALLIANCE_TYPES = ("collective_defence", "minilateral", "bilateral_treaty", "partnership")


@dataclass(frozen=True)
class InjectForm:
    """The inject panel's fields (only those of the chosen kind are used)."""

    kind: str = "incident"
    actor: str = "CHN"
    other: str = "PHL"
    partners: tuple[str, ...] = ("PHL",)
    level: str = "clash"
    amount: float = 0.0
    strength: float = 0.5
    duration: int = 0
    item: str = ""
    alliance: str = ""
    alliance_type: str = "collective_defence"

    def with_kind(self, kind: str, definition: Scenario) -> InjectForm:
        """The form switched to another kind, with that kind's defaults."""
        spec = INJECT_KINDS[kind]
        alliances = list(definition.alliances)
        alliance = self.alliance if self.alliance in alliances else ""
        if not alliance and alliances:
            alliance = alliances[0]
        actor = spec.actor
        if kind == "leave_alliance" and alliance:  # an alliance the actor can leave
            ours = [name for name, pact in definition.alliances.items() if actor in pact.members]
            if actor not in definition.alliances[alliance].members:
                alliance = ours[0] if ours else alliance
            members = definition.alliances[alliance].members
            actor = actor if actor in members else members[-1]
        return replace(
            self,
            kind=kind,
            actor=actor,
            other=spec.partners[0] if spec.partners else self.other,
            partners=spec.partners or self.partners,
            amount=spec.amount,
            strength=spec.strength,
            duration=0,
            item="",
            alliance=alliance,
        )


@dataclass(frozen=True)
class Inject:
    """A ready-to-apply inject: a scenario entry without its month.

    Attributes:
        block: ``"events"`` or ``"alliances"``.
        stem: Start of the entry's name (the month and a counter are added).
        spec: The entry as in a scenario file, without ``step``/``start``.
        summary: What it does, in plain words.
        target: The country whose alignment the "what if" follows.
    """

    block: str
    stem: str
    spec: dict[str, Any]
    summary: str
    target: str


def build_inject(form: InjectForm) -> Inject:
    """Turn the panel's fields into a scenario entry and a plain-words summary.

    Args:
        form: The inject panel's fields.

    Returns:
        The inject (not yet validated against a scenario: :func:`definition_with` does that).

    Raises:
        ValueError: When a required choice is missing.
    """
    kind, actor = form.kind, _cap(country_name(form.actor))
    partners = [p for p in form.partners if p != form.actor]
    names = joined([country_name(p) for p in partners]) if partners else ""
    lasting = f" for {form.duration} months" if form.duration > 0 else ""
    if kind == "incident":
        if form.actor == form.other:
            raise ValueError("an incident needs two different countries")
        spec = {"kind": "incident", "actors": [form.actor, form.other], "level": form.level}
        level = form.level.replace("_", "-")
        pair = f"{country_name(form.actor)} and {country_name(form.other)}"
        text = f"Incident between {pair} at the {level} rung"
        return Inject("events", "incident", spec, text, _target(form.other, form.actor))
    if kind in ("join_alliance", "leave_alliance"):
        if not form.alliance:
            raise ValueError("choose an alliance")
        spec = {"kind": kind, "alliance": form.alliance, "country": form.actor}
        verb = "joins" if kind == "join_alliance" else "leaves"
        return Inject("events", kind, spec, f"{actor} {verb} {form.alliance}", _target(form.actor))
    if not partners:
        raise ValueError("choose at least one partner other than the actor")
    if kind == "form_alliance":
        members = [form.actor, *partners]
        spec = {
            "type": form.alliance_type,
            "members": members,
            "hub": form.actor,
            "commitment": round(form.strength, 3),
        }
        kind_words = form.alliance_type.replace("_", "-")
        text = f"New {kind_words} pact of {joined([country_name(m) for m in members])}"
        return Inject("alliances", "pact", spec, text, _target(*partners, form.actor))
    policy: dict[str, Any] = {"kind": kind, "actor": form.actor, "partners": partners}
    amount_field = POLICY_AMOUNTS[kind]
    if amount_field == "strength":
        policy["strength"] = round(form.strength, 3)
    elif amount_field is not None:
        policy[amount_field] = form.amount
    if kind == "arms_transfer":
        delivery: dict[str, Any] = {"after": 0, "value_usd_m": form.amount}
        if form.item.strip():
            delivery["item"] = form.item.strip()
        policy["deliveries"] = [delivery]
    spec = {"kind": "policy", "policy": policy}
    if form.duration > 0 and kind != "arms_transfer":
        spec["duration"] = form.duration
    texts = {
        "task_force": f"{actor} stands up a task force with {names}{lasting}",
        "exercises": f"{actor} holds {form.amount:g} exercises a year with {names}{lasting}",
        "security_assistance": (
            f"{actor} adds US$ {form.amount:,.0f} m a year of security assistance to {names}"
            f"{lasting}"
        ),
        "arms_transfer": (
            f"{actor} delivers US$ {form.amount:,.0f} m of arms"
            + (f" ({form.item.strip()})" if form.item.strip() else "")
            + f" to {names}"
        ),
        "trade_agreement": (
            f"{actor} signs a trade deal with {names} (+{form.amount:.2f} trade share){lasting}"
        ),
        "ceasefire": (
            f"Ceasefire between {country_name(form.actor)} and {names}"
            f" (strength {form.strength:.2f}){lasting}"
        ),
        "deconfliction_channel": (
            f"{actor} and {names} open a deconfliction channel (strength {form.strength:.2f})"
            f"{lasting}"
        ),
    }
    return Inject("events", kind, spec, texts[kind], _target(*partners, form.actor))


def unique_name(definition: Scenario, inject: Inject, month: int) -> str:
    """A fresh entry name for an inject, such as ``incident_m5`` or ``incident_m5_2``."""
    taken = set(definition.events) | set(definition.alliances)
    base = f"{inject.stem}_m{month}"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name
