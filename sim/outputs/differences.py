"""What a comparison's differences say: the table of the report, findings in words, drivers.

Reads ``compare.csv`` (and ``sensitivity.csv`` when the comparison ranked the coefficients) as
:mod:`sim.outputs.report` shows them: the paired differences of each scenario from the
reference, the changes told in sentences (only those whose interval excludes zero and that reach
the outcome's minimum meaningful difference), and the coefficients that move each main
difference most. The number formats of the report's cells live here too.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario import baseline

#: Outcomes that count things (shown with two decimals).
COUNT_METRICS = ("incidents_total", "hedgers", "max_escalation")

#: Readable names of the outcomes in ``compare.csv``.
METRIC_LABELS = {
    "p_gray_zone": "P(gray-zone incident)",
    "p_standoff": "P(standoff)",
    "p_clash": "P(clash)",
    "p_crisis": "P(crisis)",
    "p_war": "P(war)",
    "regional_tension": "regional tension",
    "incidents_total": "incidents (total)",
    "max_escalation": "highest rung reached",
    "polarization": "polarization",
    "hedging": "hedging (1 − |alignment|)",
    "hedgers": "hedgers",
    "us_credibility": "US credibility",
    "alignment": "alignment",
    "threat": "perceived threat",
    "milex_change_pct": "spending change %",
    "moves": "moves made",
    "retreats": "back-downs",
    "coercion_intensity": "gray-zone coercion",
}


def is_missing(value: Any) -> bool:
    """Whether a cell holds no number (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def minus(text: str) -> str:
    """A leading hyphen as a true minus sign."""
    return text.replace("-", "−") if text.startswith("-") else text


def number(value: Any, digits: int = 2, sign: bool = False) -> str:
    """A number for a table cell: fixed digits, a true minus sign, '–' when missing."""
    if is_missing(value):
        return "–"
    value = float(value)
    if abs(value) < 0.5 * 10**-digits:
        value = 0.0
    text = f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
    return minus(text)


def auto(value: Any, sign: bool = False) -> str:
    """A number with as many decimals as its size needs (3 below 10, 1 above)."""
    if is_missing(value):
        return "–"
    return number(value, 3 if abs(float(value)) < 10 else 1, sign)


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """``compare.csv`` with text columns as text, and verdicts (older files: from significance)."""
    frame = frame.copy()
    frame["country"] = frame["country"].fillna("").astype(str)
    frame["significant"] = frame["significant"].astype(str).str.lower() == "true"
    if "verdict" not in frame:
        frame["verdict"] = np.where(
            frame["significant"], np.where(frame["diff"] > 0, "higher", "lower"), "about unchanged"
        )
    for column in ("sign_share", "zero_share"):
        if column not in frame:
            frame[column] = np.nan
    return frame


#: The verdicts that read as a change (see :func:`sim.studies.compare.verdict`).
CHANGES = ("higher", "lower")
#: The outcomes the findings name when they are about unchanged.
MAIN_OUTCOMES = ("p_crisis", "p_war", "regional_tension", "us_credibility", "hedging")


def findings_of(frame: pd.DataFrame, reference: str, limit: int = 6) -> list[dict[str, Any]]:
    """What each scenario changes against the reference, in words, largest changes first.

    Only differences read as a change are told (``verdict`` higher or lower: the whole interval
    lies beyond the outcome's minimum meaningful difference); those whose interval straddles
    it are counted as inconclusive (``unsure`` names the first ``limit`` of them), and the rest
    is about unchanged. ``unchanged`` names the
    main outcomes (:data:`MAIN_OUTCOMES`) read as about unchanged, each with its difference (and
    the share of coefficient sets in which it has that sign, where the comparison drew them).
    """
    frame = _readable(frame)
    out = []
    for name in dict.fromkeys(frame["scenario"]):
        if name == reference:
            continue
        mine = frame[frame["scenario"] == name]
        part = mine[mine["verdict"].isin(CHANGES)]
        part = part[part["metric"] != "p_gray_zone"]
        floor = part.get("minimum_difference", 1.0)
        part = part.assign(size=(part["diff"].abs() / floor)).sort_values("size", ascending=False)
        sentences = [_sentence(record) for record in part.head(limit).to_dict("records")]
        rest = len(part) - len(sentences)
        unsure = int((mine["verdict"] == "inconclusive").sum())
        same = mine[(mine["verdict"] == "about unchanged") & mine["metric"].isin(MAIN_OUTCOMES)]
        same = same[same["country"] == ""]
        out.append(
            {
                "scenario": name,
                "sentences": sentences,
                "more": max(rest, 0),
                "inconclusive": unsure,
                "unsure": [
                    outcome_words(r["metric"], r["country"])
                    for r in mine[mine["verdict"] == "inconclusive"].head(limit).to_dict("records")
                ],
                "unchanged": [_unchanged(record) for record in same.to_dict("records")],
            }
        )
    return out


def difference_words(metric: str, value: Any) -> str:
    """A difference of an outcome as the findings give it: points for probabilities, signed."""
    if metric.startswith("p_"):
        return f"{number(None if is_missing(value) else 100 * value, 1, sign=True)} points"
    if metric in COUNT_METRICS:
        return number(value, 2, sign=True)
    return auto(value, sign=True)


def outcome_words(metric: str, country: str) -> str:
    """An outcome in words: its label, and the country's name where it is a country's."""
    label = METRIC_LABELS.get(metric, metric.replace("_", " "))
    return f"{label} ({_country_names().get(country, country)})" if country else label


def _unchanged(record: dict[str, Any]) -> str:
    """An outcome read as about unchanged: its name and difference (and its sign share)."""
    metric = record["metric"]
    text = f"{outcome_words(metric, record['country'])} {difference_words(metric, record['diff'])}"
    share = record.get("sign_share")
    if not is_missing(share) and record["diff"] != 0:
        text += f" (the same way in {100 * float(share):.0f}% of the sets)"
    return text


def _sentence(record: dict[str, Any]) -> str:
    """One change in words: what, which way, by how much, with its interval and robustness."""
    metric, country = record["metric"], record["country"]
    what = outcome_words(metric, country)
    probability = metric.startswith("p_")
    scale = 100.0 if probability else 1.0
    unit = " points" if probability or metric.endswith("_pct") else ""
    diff, low, high = (scale * record[k] for k in ("diff", "diff_low", "diff_high"))
    text = (
        f"{what[0].upper()}{what[1:]} is {record['verdict']} by {minus(f'{abs(diff):.3g}')}{unit} "
        f"(95% interval {minus(f'{low:+.3g}')} to {minus(f'{high:+.3g}')})"
    )
    share, zero = record.get("sign_share"), record.get("zero_share")
    if not is_missing(share):
        text += f", the same way in {100 * float(share):.0f}% of the coefficient sets"
        if not is_missing(zero) and zero > 0:
            text += f" (no difference in {100 * float(zero):.0f}%)"
    return text + "."


def drivers_of(directory: Path, frame: pd.DataFrame, top: int = 3) -> list[dict[str, Any]]:
    """From ``sensitivity.csv``: the coefficients that move each main difference most.

    The main differences: regional tension, P(crisis) and every outcome that changed (a verdict
    other than about unchanged); for each, the ``top`` coefficients above the noise floor.
    """
    path = directory / "sensitivity.csv"
    if not path.is_file():
        return []
    table = pd.read_csv(path, keep_default_na=False)
    changed = _readable(frame)
    out = []
    for name in dict.fromkeys(table["scenario"]):
        part = changed[changed["scenario"] == name]
        main = part[
            part["metric"].isin(["regional_tension", "p_crisis"])
            | (part["verdict"] != "about unchanged")
        ]
        rows = []
        for metric, country in zip(main["metric"], main["country"], strict=True):
            ranked = table[
                (table["scenario"] == name)
                & (table["metric"] == metric)
                & (table["country"] == country)
            ]
            above = ranked[ranked["share"] >= ranked["noise_floor"]].head(top)
            what = outcome_words(metric, country)
            rows.append(
                {
                    "outcome": what,
                    "ranked": len(ranked) > 0,
                    "drivers": [
                        f"{c} ({100 * share:.0f}%)"
                        for c, share in zip(above["coefficient"], above["share"], strict=True)
                    ],
                }
            )
        out.append({"scenario": name, "rows": rows})
    return out


@cache
def _country_names() -> dict[str, str]:
    """Country names by ISO3 code (``seeds/countries.csv``)."""
    return {c.iso3: c.name for c in baseline.countries()}


def difference_groups(frame: pd.DataFrame, reference: str) -> list[dict[str, Any]]:
    """Paired differences from the reference, one group of rows per scenario.

    Every model-level outcome (but the gray-zone rung, reached everywhere), plus the country
    outcomes that changed (a verdict other than about unchanged).
    """
    frame = _readable(frame)
    ref = frame[frame["scenario"] == reference].set_index(["metric", "country"])["mean"]
    groups = []
    for name in dict.fromkeys(frame["scenario"]):
        if name == reference:
            continue
        rows: list[dict[str, Any]] = []
        groups.append({"scenario": name, "rows": rows})
        part = frame[frame["scenario"] == name]
        keep = (part["country"] == "") | (part["verdict"] != "about unchanged")
        keep &= part["metric"] != "p_gray_zone"
        for record in part[keep].to_dict("records"):
            metric, country = record["metric"], record["country"]
            label = METRIC_LABELS.get(metric, metric.replace("_", " "))
            label = f"{label} {country}".strip()
            probability = metric.startswith("p_")

            counted = metric in COUNT_METRICS

            def show(value: Any, sign: bool = False, *, probability=probability, counted=counted):
                if probability:
                    return number(None if is_missing(value) else 100 * value, 1, sign)
                return number(value, 2, sign) if counted else auto(value, sign)

            rows.append(
                {
                    "outcome": label,
                    "unit": "pp" if probability else "",
                    "reference": show(ref.get((metric, country))),
                    "mean": show(record["mean"]),
                    "diff": show(record["diff"], sign=True),
                    "low": show(record["diff_low"], sign=True),
                    "high": show(record["diff_high"], sign=True),
                    "significant": record["verdict"] in CHANGES,
                    "verdict": record["verdict"],
                    "sign_share": ""
                    if is_missing(record["sign_share"])
                    else f"{100 * float(record['sign_share']):.0f}%",
                    "direction": "up" if record["diff"] > 0 else "down",
                }
            )
    return groups
