"""Provenance of every number a scenario uses: ``geosim explain``.

Lists the country baseline (value and dataset), the scenario's alliances, policies and events
with their cited sources, and every model coefficient with its source or its label as a free
coefficient, the reason for its value and its plausible range.
"""

from __future__ import annotations

from sim.core.compile import compile_world
from sim.scenario import baseline
from sim.scenario.parameters import provenance
from sim.scenario.schema import Scenario


def _sources(value: str | list[str]) -> str:
    items = [value] if isinstance(value, str) else value
    return "; ".join(i for i in items if i) or "(no source given)"


#: The sections of the listing, in order.
SECTIONS = ("countries", "disputes", "alliances", "policies", "events", "coefficients")


def explain(scenario: Scenario, only: str | None = None) -> str:
    """Render the provenance report of a scenario as plain text.

    Args:
        scenario: A validated scenario.
        only: One of :data:`SECTIONS` to list alone (default: all, after the description).
    """
    world = compile_world(scenario)
    parts = {
        "countries": _countries,
        "disputes": _disputes,
        "alliances": _alliances,
        "policies": _policies,
        "events": _events,
        "coefficients": _coefficients,
    }
    if only is not None:
        return "\n".join(parts[only](scenario, world)).rstrip("\n")
    lines = [f"# {scenario.name}", ""]
    if scenario.description:
        lines += [" ".join(scenario.description.split()), ""]
    for name in SECTIONS:
        lines += parts[name](scenario, world)
    return "\n".join(lines).rstrip("\n")


def _countries(scenario: Scenario, world) -> list[str]:
    lines = ["## Countries (baseline, with this scenario's overrides)", ""]
    header = f"{'iso3':<5}{'GDP $bn':>9}{'milex $bn':>11}{'alignment':>11}{'tr.CN':>7}{'tr.US':>7}"
    lines.append(header)
    for i, code in enumerate(world.codes):
        lines.append(
            f"{code:<5}{world.gdp[i]:>9.1f}{world.milex0[i]:>11.2f}{world.alignment0[i]:>+11.2f}"
            f"{world.trade_china[i]:>7.2f}{world.trade_us[i]:>7.2f}"
        )
    lines.append("")
    for column, source in baseline.COLUMN_SOURCES.items():
        lines.append(f"  {column}: {source}")
    lines.append(
        "  alignment: the security-alignment index of 2024 (sim/scenario/observed.py, from "
        "seeds/security_alignment_2013_2024.csv: treaty, partnership, exercises, arms imports "
        "and access, US minus China; recalled); poles fixed at USA +1, CHN −1; UN voting "
        "(unga_2015, unga_2023) is kept as a secondary series"
    )
    approx = [f"{c.iso3}: {', '.join(c.approx)}" for c in baseline.countries() if c.approx]
    lines.append("  figures recalled rather than verified at source: " + "; ".join(approx))
    for code, override in scenario.countries.items():
        changed = override.model_dump(exclude_none=True, exclude={"source", "note"})
        lines.append(f"  override {code}: {changed} — source: {_sources(override.source)}")
    return [*lines, ""]


def _disputes(scenario: Scenario, world) -> list[str]:
    lines = [
        "## Disputes (incident drivers; intensity is a free coefficient, ψ the dyad's incident "
        "propensity fitted on the record of 2014–2019, seeds/propensities.csv)",
        "",
    ]
    for d in baseline.disputes():
        kappa = world.propensity[world.index(d.a), world.index(d.b)]
        lines.append(f"  {d.a}–{d.b} {d.intensity:.1f} ψ {kappa:.3g}  {d.kind} — {d.source}")
    return [*lines, ""]


def _alliances(scenario: Scenario, world) -> list[str]:
    lines = ["## Alliances", ""]
    for name, alliance in scenario.alliances.items():
        lines.append(
            f"  {name}: {alliance.type} {'-'.join(alliance.members)} commitment "
            f"{alliance.commitment}, credibility {alliance.credibility}, interoperability "
            f"{alliance.interoperability}, months {alliance.start}–"
            f"{alliance.end if alliance.end is not None else 'end'} — {_sources(alliance.source)}"
        )
    return [*lines, ""]


def _policies(scenario: Scenario, world) -> list[str]:
    lines = ["## Policies", ""]
    for name, policy in scenario.policies.items():
        fields = policy.model_dump(
            exclude={"kind", "actor", "partners", "start", "end", "source", "note"}
        )
        lines.append(
            f"  {name}: {policy.kind} {policy.actor}→{','.join(policy.partners)} {fields} "
            f"from month {policy.start} — {_sources(policy.source)}"
        )
    return [*lines, ""]


def _events(scenario: Scenario, world) -> list[str]:
    lines = ["## Events", ""]
    for name, event in scenario.events.items():
        trigger = f"month {event.step}" if event.step is not None else f"when {event.when}"
        lines.append(f"  {name}: {event.kind} at {trigger} — {_sources(event.source)}")
    return [*lines, ""]


def plausible_text(plausible: tuple[float, float] | None) -> str:
    """``plausible 0.1–0.5`` (``-4.1 to -2.7`` with a negative end); a reference is not varied."""
    if plausible is None:
        return ""
    low, high = plausible
    if low == high:
        return "reference, not varied"
    joint = " to " if low < 0 or high < 0 else "–"
    return f"plausible {low:g}{joint}{high:g}"


def _coefficients(scenario: Scenario, world) -> list[str]:
    lines = ["## Model coefficients", ""]
    for row in provenance(scenario.parameters):
        calibrated = str(row["source"]).startswith("calibrated")
        flag = "calibrated" if calibrated else "FREE" if row["free"] else "data"
        label = f"[{flag}]"
        if row["plausible"] is not None:
            label += f" ({plausible_text(row['plausible'])})"
        changed = "" if row["value"] == row["default"] else f" (default {row['default']})"
        lines.append(f"  {row['path']} = {row['value']}{changed}  {label} {row['description']}")
        lines.append(f"      source: {row['source']}; why: {row['why']}")
    return lines
