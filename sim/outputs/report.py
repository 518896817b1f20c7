"""Self-contained HTML after-action report of a run or comparison folder.

``geosim report RESULTS_DIR`` and ``geosim compare … --out DIR`` call :func:`render_report`,
which reads only the files a run or comparison writes (see ``results/README.md``) and returns
one HTML page: every plot embedded as a base64 data URI, all CSS inline, no script and no
external resource, so the file can be mailed, archived or printed as it is.

A run's page covers, in order: what was run and how to read it; the scenario and what it
changes from its parent; the CSIS-style outcome table; the plots; a plain-English log of one
representative replicate; and the provenance of every coefficient and cited source.

A comparison's page opens with its findings, as the game's after-action report does: what
differs from the reference and by how much, in words (about unchanged below each outcome's
minimum meaningful difference, with the share of coefficient sets that agree on the sign) and in
the table of paired differences; then which edited entry carries which part
(:mod:`sim.outputs.edits`); then the scenarios and what they change, the outcome table, the
plots, the narratives and the provenance. What was run (replicates, seed, versions, hashes) and
how to read it close the page.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
import yaml
from pydantic import ValidationError

from sim.core import records
from sim.outputs.diff import count_differences, scenario_diff, show_value
from sim.outputs.differences import (
    difference_groups,
    drivers_of,
    findings_of,
    is_missing,
    number,
)
from sim.outputs.edits import edits_of
from sim.outputs.narrative import representative_replicate, story
from sim.scenario.ladder import OUTCOME_LEVELS
from sim.scenario.parameters import Parameters, provenance
from sim.scenario.resources import seeds_dir
from sim.scenario.translate import problems_from
from sim.scenario.yaml_io import safe_load
from sim.studies.compare import wilson

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "report.html.j2"

#: Countries whose spending change the outcome table shows (as in ``sim.studies.compare``).
SPENDING_COUNTRIES = ("USA", "CHN", "JPN", "AUS", "PHL", "VNM")

#: Rows shown in a scenario-difference table before "… N more".
DIFF_ROWS = 40

#: Plot titles and captions, by file stem, for runs and for comparisons.
RUN_PLOTS = {
    "tension": (
        "Tension over time",
        "Regional tension and the five most tense dyads, month by month: mean across "
        "replicates with the 90% band (5th–95th percentile).",
    ),
    "alignment": (
        "Alignment at the start and at the horizon",
        "Each country's alignment on the US–China axis (+1 with the US, −1 with China) at "
        "month 0 and at the horizon: mean and 90% band across replicates.",
    ),
}
COMPARISON_PLOTS = {
    "tension": (
        "Regional tension",
        "Regional tension over time in each scenario: mean and 90% band across replicates.",
    ),
    "escalation": (
        "Escalation",
        "Share of replicates reaching each rung of the escalation ladder within the horizon "
        "(Wilson 95% intervals), and incidents over time.",
    ),
    "alignment": (
        "Alignment",
        "Each country's alignment at month 0 and at the horizon, one marker per scenario "
        "(+1 with the US, −1 with China).",
    ),
    "network": (
        "Alliance networks",
        "Alliance ties at the horizon in each scenario: line style by alliance type, width by "
        "mean commitment.",
    ),
    "arms": (
        "Military spending",
        "Military spending of the main actors over time: mean and 90% band per scenario.",
    ),
}


class ReportError(Exception):
    """A folder that cannot be reported on (missing, not a folder, not a results folder)."""


# --------------------------------------------------------------------------------------------
# Reading the folder


@dataclass
class RunFolder:
    """What the report needs from one run folder (a run, or one scenario of a comparison)."""

    name: str
    path: Path
    summary: dict[str, Any]
    resolved: dict[str, Any]
    parent: dict[str, Any] | None
    model: pd.DataFrame | None
    events: list[records.Record]
    notes: list[str] = field(default_factory=list)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path} is not a JSON object; was it written by geosim?")
    return data


def _read_yaml(path: Path, notes: list[str]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        notes.append(f"{path.name} could not be read ({exc.__class__.__name__}).")
        return None
    return data if isinstance(data, dict) else None


def _read_run(path: Path, name: str | None = None) -> RunFolder:
    notes: list[str] = []
    summary = _read_json(path / "summary.json") if (path / "summary.json").is_file() else {}
    resolved = _read_yaml(path / "scenario.resolved.yaml", notes)
    if resolved is None:
        notes.append("scenario.resolved.yaml is missing: the scenario sections are incomplete.")
    model = None
    if (path / "model.csv").is_file():
        try:
            model = pd.read_csv(path / "model.csv")
        except (OSError, ValueError):
            notes.append("model.csv could not be read.")
    events: list[records.Record] = []
    if (path / "events.jsonl").is_file():
        with (path / "events.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = records.from_json(json.loads(line)) if line.strip() else None
                except (ValueError, AttributeError):
                    record = None
                if record is not None:
                    events.append(record)
    return RunFolder(
        name=name or summary.get("scenario") or (resolved or {}).get("name") or path.name,
        path=path,
        summary=summary,
        resolved=resolved or {},
        parent=_read_yaml(path / "parent.resolved.yaml", notes),
        model=model,
        events=events,
        notes=notes,
    )


# --------------------------------------------------------------------------------------------
# Formatting


def _pct(share: Any) -> str:
    return "–" if is_missing(share) else f"{100 * float(share):.0f}%"


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


# --------------------------------------------------------------------------------------------
# Scenario differences


def _diff_table(
    old: dict[str, Any] | None, new: dict[str, Any], against: str, label: str
) -> dict | None:
    if old is None or not new:
        return None
    total = count_differences(old, new)
    return {
        "against": against,
        "label": label,
        "rows": scenario_diff(old, new, limit=DIFF_ROWS),
        "more": max(0, total - DIFF_ROWS),
        "total": total,
    }


# --------------------------------------------------------------------------------------------
# Outcomes


def _spending_change(path: Path) -> dict[str, float]:
    """Mean percent change in military spending from month 0 to the horizon, per country."""
    file = path / "countries.csv"
    if not file.is_file():
        return {}
    try:
        frame = pd.read_csv(file, usecols=["replicate", "step", "country", "milex_usd_bn"])
    except (OSError, ValueError):
        return {}
    first = frame[frame["step"] == frame["step"].min()].set_index(["replicate", "country"])
    last = frame[frame["step"] == frame["step"].max()].set_index(["replicate", "country"])
    change = 100.0 * (last["milex_usd_bn"] / first["milex_usd_bn"] - 1.0)
    return change.groupby(level="country").mean().to_dict()


def _finite(value: Any) -> float | None:
    """A number read from a results file, or None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _count(value: Any) -> int:
    """A count read from a results file (0 when it is not a whole number)."""
    number = _finite(value)
    return int(number) if number is not None and number.is_integer() and number >= 0 else 0


def _run_outcomes(run: RunFolder) -> dict[str, Any]:
    """The outcome-table row of a single run, from its summary.json (and countries.csv)."""
    summary = run.summary
    n = _count(summary.get("replicates"))
    reached = summary.get("escalation_reached") or {}
    final = summary.get("final") or {}
    model = final.get("model") or {}
    countries = final.get("countries") or {}
    row: dict[str, Any] = {"scenario": run.name, "replicates": n}
    for level in OUTCOME_LEVELS:
        share = _finite(reached.get(level))
        if share is None or not 0 <= share <= 1 or n == 0:
            row |= {f"p_{level}": None, f"p_{level}_low": None, f"p_{level}_high": None}
            continue
        low, high = wilson(round(share * n), n)
        row |= {f"p_{level}": share, f"p_{level}_low": low, f"p_{level}_high": high}

    def mean(block: dict[str, Any], key: str) -> float | None:
        entry = block.get(key) if isinstance(block, dict) else None
        return _finite(entry.get("mean")) if isinstance(entry, dict) else None

    row |= {
        "polarization": mean(model, "polarization"),
        "hedging": mean(model, "hedging"),
        "hedgers": mean(model, "hedgers"),
        "us_credibility": mean(model, "us_credibility"),
        "china_threat": mean(countries.get("CHN") or {}, "threat"),
    }
    spending = _spending_change(run.path)
    for code in SPENDING_COUNTRIES:
        row[f"milex_change_pct_{code}"] = spending.get(code)
    return row


def _outcome_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outcome rows formatted for the template."""
    table = []
    for row in rows:
        levels = []
        for level in OUTCOME_LEVELS:
            share = row.get(f"p_{level}")
            low, high = row.get(f"p_{level}_low"), row.get(f"p_{level}_high")
            interval = (
                "" if is_missing(low) or is_missing(high) else f"{100 * low:.0f}–{100 * high:.0f}"
            )
            levels.append({"value": _pct(share), "interval": interval})
        table.append(
            {
                "scenario": row["scenario"],
                "replicates": row.get("replicates", ""),
                "levels": levels,
                "polarization": number(row.get("polarization"), 3),
                "hedging": number(row.get("hedging"), 3),
                "hedgers": number(row.get("hedgers"), 1),
                "us_credibility": number(row.get("us_credibility"), 3),
                "china_threat": number(row.get("china_threat"), 3),
                "spending": [
                    number(row.get(f"milex_change_pct_{c}"), 1, sign=True)
                    for c in SPENDING_COUNTRIES
                ],
            }
        )
    return table


# --------------------------------------------------------------------------------------------
# Plots


def _plots(directory: Path, known: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    """Every PNG in ``directory``: the known ones first, in order, with their captions."""
    if not directory.is_dir():
        return []
    files = {p.stem: p for p in sorted(directory.glob("*.png"))}
    order = [s for s in known if s in files] + [s for s in files if s not in known]
    plots = []
    for stem in order:
        title, caption = known.get(stem, (stem.replace("_", " ").capitalize(), ""))
        plots.append({"title": title, "caption": caption, "uri": _data_uri(files[stem])})
    return plots


# --------------------------------------------------------------------------------------------
# Narrative


def _narrative_section(run: RunFolder) -> dict[str, Any] | None:
    if not run.events:
        return None
    if run.model is not None and {"replicate", "step", "regional_tension"} <= set(run.model):
        replicate, tension, median = representative_replicate(run.model)
        why = (
            f"Replicate {replicate}: its final regional tension ({tension:.3f}) is the closest to "
            f"the median across the {run.model['replicate'].nunique()} replicates "
            f"({median:.3f})."
        )
    else:
        replicate = run.events[0].replicate
        why = f"Replicate {replicate} (model.csv is missing, so the first replicate is shown)."
    credibility: dict[int, float] = {}
    if run.model is not None and "us_credibility" in run.model:
        rows = run.model[run.model["replicate"] == replicate]
        credibility = dict(zip(rows["step"].astype(int), rows["us_credibility"], strict=True))
    return {
        "replicate": replicate,
        "why": why,
        **story(run.events, replicate, credibility=credibility),
    }


# --------------------------------------------------------------------------------------------
# Provenance


@cache
def _facts() -> dict[str, dict[str, Any]]:
    try:
        data = safe_load((seeds_dir() / "facts.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    facts = (data or {}).get("facts") if isinstance(data, dict) else None
    return facts if isinstance(facts, dict) else {}


def _source_items(source: Any) -> list[dict[str, str]]:
    items = [source] if isinstance(source, str) else list(source or [])
    result = []
    for item in items:
        text = " ".join(str(item).split())
        if not text:
            continue
        entry = {"text": text, "fact": "", "summary": "", "date": ""}
        if text.startswith("fact:"):
            fact_id = text.removeprefix("fact:").strip()
            fact = _facts().get(fact_id)
            entry["fact"] = fact_id
            if isinstance(fact, dict):
                entry["summary"] = " ".join(str(fact.get("summary", "")).split())
                entry["date"] = str(fact.get("date", ""))
            else:
                entry["summary"] = "(not found in seeds/facts.yaml)"
        result.append(entry)
    return result


def _cited(resolved: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(where, note, sources)`` for every block of a scenario that cites something."""
    cited = []

    def add(where: str, block: Any) -> None:
        if not isinstance(block, dict):
            return
        source = block.get("source")
        items = (source,) if isinstance(source, str) else tuple(source or ())
        items = tuple(i for i in items if str(i).strip())
        if items:
            cited.append((where, str(block.get("note") or ""), items))

    for section in ("countries", "alliances", "policies", "events"):
        for name, block in (resolved.get(section) or {}).items():
            add(f"{section}.{name}", block)
            if section == "events" and isinstance(block, dict):
                add(f"{section}.{name}.policy", block.get("policy"))
    return cited


def _sources_section(runs: list[RunFolder]) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
    for run in runs:
        for key in _cited(run.resolved):
            merged.setdefault(key, []).append(run.name)
    return [
        {
            "where": where,
            "note": note,
            "items": _source_items(list(items)),
            "scenarios": names,
            "everywhere": len(names) == len(runs),
        }
        for (where, note, items), names in merged.items()
    ]


def _coefficients(runs: list[RunFolder]) -> tuple[list[dict[str, Any]], list[str]]:
    """Provenance rows with one value per scenario, and notes on scenarios that failed."""
    tables: dict[str, list[dict[str, Any]]] = {}
    notes = []
    for run in runs:
        if not run.resolved:
            notes.append(f"{run.name}: scenario.resolved.yaml is missing.")
            continue
        try:  # only the coefficients: the rest of the scenario is read elsewhere
            parameters = Parameters.model_validate(run.resolved.get("parameters") or {})
        except ValidationError as exc:
            first = problems_from(exc, root=Parameters)[0].brief()
            notes.append(f"{run.name}: the resolved coefficients do not load ({first}).")
            continue
        tables[run.name] = provenance(parameters)
    if not tables:
        return [], notes
    names = list(tables)
    rows = []
    for i, row in enumerate(tables[names[0]]):
        values = []
        for name in names:
            value = tables[name][i]["value"]
            values.append({"text": show_value(value), "changed": value != row["default"]})
        rows.append(
            {
                "path": row["path"],
                "description": row["description"] or "",
                "default": show_value(row["default"]),
                "values": values,
                "free": bool(row["free"]),
                "source": row["source"],
                "why": row["why"],
            }
        )
    return rows, notes


# --------------------------------------------------------------------------------------------
# Sections


def _scenario_section(
    run: RunFolder, reference: RunFolder | None, is_reference: bool
) -> dict[str, Any]:
    parent_name = str((run.parent or {}).get("name") or "parent")
    reference_diff = None
    if reference is not None and reference.resolved and not is_reference:
        # The reference ran with the same overrides (--horizon, --set), so when it is also the
        # parent, comparing with it shows only what the scenario itself changes.
        label = (
            "the parent and reference scenario"
            if parent_name == reference.name
            else ("the reference scenario")
        )
        reference_diff = _diff_table(reference.resolved, run.resolved, reference.name, label)
    parent_diff = None
    if reference_diff is None or parent_name != reference_diff["against"]:
        parent_diff = _diff_table(run.parent, run.resolved, parent_name, "the parent scenario")
    return {
        "name": run.name,
        "description": " ".join(str(run.resolved.get("description") or "").split()),
        "is_reference": is_reference,
        "resolved": bool(run.resolved),
        "parent_name": parent_name if run.parent else None,
        "parent_diff": parent_diff,
        "reference_diff": reference_diff,
        "notes": run.notes,
    }


def _how_to_read(comparison: bool, replicates: Any) -> str:
    text = (
        f"Every number comes from {replicates} replicates: independent runs of the same "
        "scenario that differ only in their random draws (incidents, escalation, alliance "
        "responses). Bands in the plots and tables are 90% bands, from the 5th to the 95th "
        "percentile across replicates. Escalation probabilities are the share of replicates in "
        "which any pair of states reached that rung within the horizon; the range under each "
        "is its Wilson 95% interval, which stays honest near 0% and 100%."
    )
    if comparison:
        text += (
            " The scenarios were run with common random numbers: replicate r of every scenario "
            "sees the same random draws wherever the scenarios agree, so differences are paired "
            "replicate by replicate and most of the noise cancels. Unless the comparison was run "
            "with --fixed-parameters, each replicate also drew one of the coefficient sets of the "
            "free coefficients' priors (the same sets in every scenario): a difference is then "
            "the design's effect averaged over those judgements, its 95% interval is for that "
            "average, and its 'same way' share says in how many of the sets it has the sign of "
            "its mean. A difference counts as a change only when its whole interval lies beyond "
            "the outcome's minimum meaningful difference (compare.csv, minimum_difference), as "
            "about unchanged when it lies within it, and as inconclusive otherwise."
        )
    return text


def _tension_sources(runs: Iterable[RunFolder], top: int = 6) -> list[dict[str, Any]]:
    """The dyads that carry most of each scenario's final regional tension (summary.json)."""
    found = []
    for run in runs:
        rows = run.summary.get("tension_by_dyad")
        if not isinstance(rows, list):
            continue
        shown = []
        for row in rows[:top]:
            if not isinstance(row, dict) or not isinstance(row.get("pair"), list):
                continue
            shown.append(
                {
                    "pair": "–".join(str(c) for c in row["pair"]),
                    "weight": number(row.get("weight"), 3),
                    "tension": number(row.get("tension"), 3),
                    "share": _pct(row.get("share")),
                }
            )
        if shown:
            found.append({"scenario": run.name, "rows": shown})
    return found


def _run_context(directory: Path) -> dict[str, Any]:
    run = _read_run(directory)
    summary = run.summary
    meta = [
        ("Scenario", run.name),
        ("Extends", (run.parent or {}).get("name") or "—"),
        ("Replicates", summary.get("replicates", "?")),
        ("Horizon", f"{summary.get('horizon', '?')} months"),
        ("Seed", summary.get("seed", "?")),
        ("geosim version", summary.get("version", "?")),
        ("Config hash", summary.get("config_hash", "?")),
    ]
    coefficients, coefficient_notes = _coefficients([run])
    narrative_section = _narrative_section(run)
    return {
        "comparison": False,
        "missing": [],
        "names": [run.name],
        "title": run.name,
        "meta": meta,
        "how_to_read": _how_to_read(False, summary.get("replicates", "?")),
        "scenarios": [_scenario_section(run, None, False)],
        "outcomes": _outcome_rows([_run_outcomes(run)]),
        "tension_sources": _tension_sources([run]),
        "differences": None,
        "plots": _plots(directory / "plots", RUN_PLOTS),
        "scenario_plots": [],
        "narratives": [{"name": run.name, **narrative_section}] if narrative_section else [],
        "coefficients": coefficients,
        "coefficient_names": [run.name],
        "coefficient_notes": coefficient_notes,
        "sources": _sources_section([run]),
        "levels": OUTCOME_LEVELS,
        "spending_countries": SPENDING_COUNTRIES,
        "horizon": summary.get("horizon", "?"),
    }


def _comparison_context(directory: Path, summary: dict[str, Any]) -> dict[str, Any]:
    names = [str(n) for n in summary.get("scenarios") or []]
    if not names:
        names = sorted(p.name for p in directory.iterdir() if (p / "summary.json").is_file())
    reference_name = str(summary.get("reference") or (names[0] if names else ""))
    if reference_name in names:
        names.remove(reference_name)
        names.insert(0, reference_name)
    runs = [_read_run(directory / n, n) for n in names if (directory / n).is_dir()]
    missing = [n for n in names if not (directory / n).is_dir()]
    reference = runs[0] if runs and runs[0].name == reference_name else None

    outcome_records: list[dict[str, Any]] = []
    if (directory / "outcomes.csv").is_file():
        try:
            outcome_records = pd.read_csv(directory / "outcomes.csv").to_dict("records")
        except (OSError, ValueError):
            outcome_records = []
    if not outcome_records:
        outcome_records = list(summary.get("outcomes") or [])
        if not outcome_records:
            outcome_records = [_run_outcomes(run) for run in runs]
    hashes = summary.get("config_hashes") or {}
    meta = [
        ("Scenarios", ", ".join(names)),
        ("Reference", reference_name),
        ("Replicates", f"{summary.get('replicates', '?')} per scenario"),
        ("Horizon", f"{summary.get('horizon', '?')} months"),
        ("Seed", summary.get("seed", "?")),
        (
            "Common random numbers",
            "yes" if summary.get("common_random_numbers", True) else "no",
        ),
        (
            "Coefficients",
            f"{summary['parameter_sets']} sets drawn from the priors of the free coefficients "
            "(coefficient_sets.csv)"
            if summary.get("parameter_sets")
            else "each scenario's own (fixed parameters)",
        ),
        ("geosim version", summary.get("version", "?")),
        ("Config hashes", "; ".join(f"{n} {h}" for n, h in hashes.items()) or "?"),
    ]
    table: pd.DataFrame | None = None
    try:
        table = pd.read_csv(directory / "compare.csv")
        differences = difference_groups(table, reference_name)
        findings = findings_of(table, reference_name)
        drivers = drivers_of(directory, table)
    except (OSError, ValueError, KeyError):
        differences, findings, drivers = [], [], []
    try:
        edits = edits_of(directory, table, reference_name)
    except (OSError, ValueError, KeyError):
        edits = []
    coefficients, coefficient_notes = _coefficients(runs)
    narratives = []
    for run in runs:
        section = _narrative_section(run)
        if section:
            narratives.append({"name": run.name, **section})
    scenario_plots = []
    for run in runs:
        plots = _plots(run.path / "plots", RUN_PLOTS)
        if plots:
            scenario_plots.append({"name": run.name, "plots": plots})
    scenarios = [_scenario_section(run, reference, run is reference) for run in runs]
    return {
        "comparison": True,
        "names": names,
        "title": " vs ".join(names),
        "meta": meta,
        "missing": missing,
        "how_to_read": _how_to_read(True, summary.get("replicates", "?")),
        "scenarios": scenarios,
        "reference": reference_name,
        "outcomes": _outcome_rows(outcome_records),
        "tension_sources": _tension_sources(runs),
        "differences": differences,
        "findings": findings,
        "edits": edits,
        "drivers": drivers,
        "plots": _plots(directory / "plots", COMPARISON_PLOTS),
        "scenario_plots": scenario_plots,
        "narratives": narratives,
        "coefficients": coefficients,
        "coefficient_names": [run.name for run in runs],
        "coefficient_notes": coefficient_notes,
        "sources": _sources_section(runs),
        "levels": OUTCOME_LEVELS,
        "spending_countries": SPENDING_COUNTRIES,
        "horizon": summary.get("horizon", "?"),
    }


def template_environment(folder: Path = TEMPLATE_DIR) -> jinja2.Environment:
    """The Jinja environment of geosim's HTML pages: escaped, strict, tidy whitespace."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _environment() -> jinja2.Environment:
    return template_environment()


def render_report(results_dir: Path) -> str:
    """Render the after-action report of a run or comparison folder as one HTML page.

    A comparison folder is told from a run folder by its ``compare.csv``. The page needs
    nothing else: plots are embedded as data URIs and the CSS is inline.

    Args:
        results_dir: A folder written by ``geosim run`` or ``geosim compare``.

    Returns:
        The HTML text.

    Raises:
        ReportError: The folder does not exist, is not a folder, or has no ``summary.json``.
    """
    directory = Path(results_dir)
    hint = "expected a results folder written by `geosim run` or `geosim compare`"
    if not directory.exists():
        raise ReportError(f"{directory} does not exist; {hint}")
    if not directory.is_dir():
        raise ReportError(f"{directory} is not a folder; {hint}")
    if not (directory / "summary.json").is_file():
        raise ReportError(
            f"{directory} has no summary.json, so it is not a run or comparison folder; {hint}"
        )
    try:
        if (directory / "compare.csv").is_file():
            context = _comparison_context(directory, _read_json(directory / "summary.json"))
        else:
            context = _run_context(directory)
        return _environment().get_template(TEMPLATE_NAME).render(**context)
    except (ValueError, TypeError, KeyError, AttributeError, jinja2.TemplateError) as exc:
        # A results file edited or damaged by hand: say so, rather than fail inside.
        raise ReportError(
            f"the results in {directory} cannot be read ({type(exc).__name__}: {exc}); "
            "were they edited by hand? Run the command that wrote them again"
        ) from None
