"""Which edit carries which part of a difference: ``attribution.csv`` in the report's words.

``geosim compare`` lists the entries in which each scenario differs from the reference
(``attribution.json``) and, for a scenario that differs in one entry or when run with
``--attribute``, the part of each outcome's difference each entry carries
(``attribution.csv``, :mod:`sim.studies.attribution`). This module reads both for
:mod:`sim.outputs.report`: for each scenario, its entries; the outcomes that changed (or that
one edit changes by itself), each with the part of every entry, largest first, in a sentence
and a table; or, when the scenario was not attributed, how to ask for it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.outputs.differences import (
    CHANGES,
    difference_words,
    is_missing,
    number,
    outcome_words,
)

#: Most outcomes told per scenario.
MOST_OUTCOMES = 6
#: Name of the row of what the parts leave of the whole (as :mod:`sim.studies.attribution`).
REST = "(the rest)"


def edits_of(directory: Path, frame: pd.DataFrame | None, reference: str) -> list[dict[str, Any]]:
    """Each scenario's differing entries and the parts they carry, as the report shows them.

    Args:
        directory: The comparison folder.
        frame: Its ``compare.csv`` (None when it could not be read).
        reference: The reference scenario.

    Returns:
        One block per scenario that differs from the reference in some entry: ``scenario``,
        ``entries`` (path and change), ``attributed``, ``runs`` (the attribution runs in
        words), ``sentences``, ``rows`` (the table), ``hint`` (how to attribute it) and
        ``notes`` (entries capped or that could not be reverted alone).
    """
    path = directory / "attribution.json"
    if not path.is_file():
        return []
    about = json.loads(path.read_text(encoding="utf-8"))
    table = _table(directory / "attribution.csv")
    blocks = []
    for name, found in (about.get("scenarios") or {}).items():
        entries = found.get("entries") or []
        if not entries:
            continue
        block: dict[str, Any] = {
            "scenario": name,
            "entries": entries,
            "attributed": bool(found.get("attributed")),
            "runs": "",
            "sentences": [],
            "rows": [],
            "hint": "",
        }
        mine = table[table["scenario"] == name] if table is not None else None
        if not block["attributed"] or mine is None or mine.empty:
            block["hint"] = (
                f"Run the comparison again with --attribute to see which of these "
                f"{len(entries)} entries carries which part of each difference (each reverted "
                "alone and rerun with the same random numbers)."
            )
        elif len(entries) == 1:
            block["runs"] = "the comparison itself"
            block["sentences"] = [
                f"The one entry in which {name} differs from {reference}, "
                f"{entries[0]['path']} ({entries[0]['change']}), carries the whole difference: "
                "every change above is its own."
            ]
        else:
            block["runs"] = _runs(mine)
            changed = _changed(frame, name)
            block["sentences"], block["rows"] = _told(mine, changed)
            if not block["sentences"]:
                block["sentences"] = [
                    "No outcome changes by its minimum meaningful difference, in all or with a "
                    "single entry reverted."
                ]
        block["notes"] = [str(n) for n in about.get("notes") or [] if str(n).startswith(name)]
        blocks.append(block)
    return blocks


def _table(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    table = pd.read_csv(path)
    for column in ("country", "change"):  # empty cells are text, not missing numbers
        table[column] = ["" if is_missing(value) else str(value) for value in table[column]]
    return table


def _changed(frame: pd.DataFrame | None, name: str) -> set[tuple[str, str]]:
    """The outcomes whose whole difference the comparison reads as a change, or inconclusive."""
    if frame is None or "verdict" not in frame:
        return set()
    mine = frame[(frame["scenario"] == name) & frame["verdict"].isin([*CHANGES, "inconclusive"])]
    return set(zip(mine["metric"], mine["country"].fillna("").astype(str), strict=True))


def _runs(mine: pd.DataFrame) -> str:
    replicates = int(mine["replicates"].iloc[0])
    sets = mine["parameter_sets"].iloc[0]
    text = f"{replicates} replicates"
    if not is_missing(sets):
        text += f" over {int(sets)} coefficient sets"
    return text


def _told(
    mine: pd.DataFrame, changed: set[tuple[str, str]]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Sentences and rows of the outcomes that changed (or may have) or that one edit changes."""
    mine = mine[mine["metric"] != "p_gray_zone"]
    parts = mine[mine["entry"] != REST]
    if parts.empty:
        return [], []
    moved = set(
        zip(
            parts.loc[parts["verdict"].isin(CHANGES), "metric"],
            parts.loc[parts["verdict"].isin(CHANGES), "country"],
            strict=True,
        )
    )
    keys = changed | moved
    size = (
        (parts["part"].abs() / parts["minimum_difference"])
        .groupby([parts["metric"], parts["country"]])
        .max()
    )
    order = sorted(keys, key=lambda key: -float(size.get(key, 0.0)))[:MOST_OUTCOMES]
    sentences, rows = [], []
    for metric, country in order:
        these = mine[(mine["metric"] == metric) & (mine["country"] == country)]
        entries = these[these["entry"] != REST].sort_values(
            "part", key=lambda column: -column.abs()
        )
        rest = these[these["entry"] == REST].iloc[0]
        what = outcome_words(metric, country)
        listed = [
            f"{record['entry']} {difference_words(metric, record['part'])}{_share(record)}"
            for record in entries.to_dict("records")
        ]
        sentences.append(
            f"{what[0].upper()}{what[1:]}, {difference_words(metric, rest['whole'])} in all: "
            + ", ".join(listed)
            + f"; the rest {difference_words(metric, rest['part'])}."
        )
        for i, record in enumerate([*entries.to_dict("records"), rest.to_dict()]):
            rows.append(
                {
                    "outcome": what if i == 0 else "",
                    "entry": record["entry"],
                    "change": record["change"],
                    "part": difference_words(metric, record["part"]),
                    "interval": (
                        f"[{difference_words(metric, record['part_low'])}, "
                        f"{difference_words(metric, record['part_high'])}]"
                    ),
                    "share": _percent(record.get("share")),
                    "sign_share": _percent(record.get("sign_share")),
                    "verdict": record["verdict"],
                    "significant": record["verdict"] in CHANGES,
                }
            )
    return sentences, rows


def _share(record: dict[str, Any]) -> str:
    share = record.get("share")
    return "" if is_missing(share) else f" ({_percent(share)})"


def _percent(value: Any) -> str:
    return "–" if is_missing(value) else f"{number(100 * float(value), 0)}%"
