"""Which edited entry carries which part of a difference: leave-one-out attribution.

A student's copy of a scenario differs from the scenario it was copied from in a few entries: a
policy added, an alliance's commitment raised, a coefficient set. :func:`attribute` says what
each entry does to the comparison's outcomes by reverting it alone — the scenario with that one
entry as the reference has it — and running the scenario, the reference and every such variant
with the same seed, replicates and coefficient sets (common random numbers), so that the
differences are paired replicate by replicate as in :mod:`sim.studies.compare`:

- the **part** an entry carries is the scenario minus the scenario without that entry (what
  removing the edit alone would take away);
- the **rest** is the whole difference (scenario − reference) less the parts: what the edits do
  only together (their interactions), and the entries left out when more than
  :data:`MOST_ENTRIES` differ or an entry cannot be reverted alone (an event that needs an
  alliance the same edit added).

Each part is read as a difference is in :mod:`sim.studies.compare`: its mean over the
coefficient sets' means (or over replicates with fixed parameters), a 95% bootstrap interval,
the share of the sets in which it has the sign of its mean, and the verdict against the
outcome's minimum meaningful difference. A scenario that differs from the reference in one
entry needs no run: that entry carries the whole difference of the comparison itself.

The runs are kept small (:data:`REPLICATES` replicates, :data:`PARAMETER_SETS` coefficient
sets): an attribution says which edit matters, and the comparison says how much the whole does.
An entry is a named item of ``countries``, ``alliances``, ``policies`` or ``events``, one
coefficient of ``parameters``, one field of ``decisions`` (one country of its ``countries``),
the ``moves`` list, or ``baseline_year``/``anchor``; ``name``, ``description``, ``extends``,
``seed`` and ``horizon`` are left out (a comparison runs one seed over one horizon), and so are
edits of ``source`` and ``note`` alone, which change no number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.scenario.schema import Scenario
from sim.studies.compare import (
    MINIMUM_DIFFERENCE,
    Comparison,
    difference_ci,
    outcomes,
    run_comparison,
    set_means,
    sign_share,
    verdict,
)

#: Most entries attributed per scenario; the others are counted in the rest, with a note.
MOST_ENTRIES = 8
#: Replicates of an attribution's runs (at most the comparison's).
REPLICATES = 30
#: Coefficient sets of an attribution's runs, when the comparison drew them (at most its own):
#: each set compiles each scenario once, which costs more than the replicates.
PARAMETER_SETS = 5
#: Fields that are no entry of their own (one seed and one horizon run every scenario).
IGNORED = ("name", "description", "extends", "seed", "horizon")
#: Blocks whose items are entries, by name.
NAMED = ("countries", "alliances", "policies", "events")
#: Fields that change no number (sources and notes).
WORDS = ("source", "note")
#: Name of the row that carries what the parts leave of the whole difference.
REST = "(the rest)"


@dataclass(frozen=True)
class Entry:
    """One entry in which a scenario differs from the reference.

    Attributes:
        path: Dotted path (``policies.vn_aid``, ``parameters.alignment.rate``).
        change: ``changed``, ``added`` (only in the scenario) or ``removed`` (only in the
            reference).
    """

    path: str
    change: str


@dataclass
class Attribution:
    """The parts of each scenario's difference from the reference carried by its entries.

    Attributes:
        table: One row per scenario × entry (and the rest) × outcome: ``scenario, entry,
            change, metric, country, part, part_low, part_high, sign_share, verdict,
            minimum_difference, whole, share, replicates, parameter_sets``; ``whole`` is the
            scenario's difference from the reference in the same runs, ``share`` the part's
            share of it (empty when the whole is below the outcome's minimum meaningful
            difference), ``replicates`` and ``parameter_sets`` the runs' size (the
            comparison's own for a single entry; no sets with fixed parameters).
        entries: The entries in which each scenario differs from the reference.
        attributed: Whether each scenario's difference was attributed (one entry always is;
            more only when the runs were asked for).
        notes: What was capped, left out or could not be reverted, in words.
    """

    table: pd.DataFrame
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    attributed: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The entries, what was attributed and the notes, as plain data (``attribution.json``)."""
        return {
            "most_entries": MOST_ENTRIES,
            "scenarios": {
                name: {
                    "entries": [{"path": e.path, "change": e.change} for e in entries],
                    "attributed": self.attributed.get(name, False),
                }
                for name, entries in self.entries.items()
            },
            "notes": self.notes,
        }


def differing_entries(reference: Scenario, scenario: Scenario) -> list[Entry]:
    """The entries in which ``scenario`` differs from ``reference``, in file order."""
    old, new = _data(reference), _data(scenario)
    return [Entry(path, change) for path, change in _entries(_plain(old), _plain(new))]


def without_entry(scenario: Scenario, reference: Scenario, path: str, name: str) -> Scenario:
    """``scenario`` with one entry as the reference has it (absent where the reference has none).

    Raises:
        ValidationError, ValueError: When the scenario is not valid without the entry.
    """
    data, source = _data(scenario), _data(reference)
    keys = path.split(".")
    target, origin = data, source
    for key in keys[:-1]:
        target = target.setdefault(key, {})
        origin = origin.get(key, {}) if isinstance(origin, dict) else {}
    if keys[-1] in origin:
        target[keys[-1]] = origin[keys[-1]]
    else:
        target.pop(keys[-1], None)
    data["name"] = name
    return Scenario.model_validate(data)


def attribute(
    comparison: Comparison,
    *,
    run: bool = True,
    most: int = MOST_ENTRIES,
    replicates: int = REPLICATES,
    parameter_sets: int = PARAMETER_SETS,
    progress: Callable[[int], None] | None = None,
) -> Attribution:
    """Attribute each scenario's difference from the reference to the entries that differ.

    Args:
        comparison: The comparison (its first scenario is the reference).
        run: Run the variants of the scenarios that differ in more than one entry; without,
            only those that differ in one are attributed (which needs no run).
        most: Most entries attributed per scenario (the first in file order).
        replicates: Replicates of the attribution's runs (at most the comparison's).
        parameter_sets: Coefficient sets of the runs, when the comparison drew them.
        progress: Called with replicate-months completed.

    Returns:
        The parts, the entries, and notes.
    """
    reference = comparison.scenarios[0]
    notes: list[str] = []
    found: dict[str, list[Entry]] = {}
    single: list[tuple[Scenario, Entry]] = []
    planned: list[tuple[Scenario, list[tuple[Entry, Scenario]]]] = []
    for scenario in comparison.scenarios[1:]:
        entries = found[scenario.name] = differing_entries(reference, scenario)
        if not entries:
            notes.append(f"{scenario.name} differs from {reference.name} in no entry.")
        elif len(entries) == 1:
            single.append((scenario, entries[0]))
        elif run:
            planned.append((scenario, _variants(scenario, reference, entries, most, notes)))
    done = {s.name for s, _ in single} | {s.name for s, _ in planned}
    frames = [_single(comparison, scenario, entry) for scenario, entry in single]
    if planned:
        size = min(replicates, len(comparison.trajectories[reference.name].replicates))
        sets = None if comparison.sets is None else min(parameter_sets, size)
        runs = [reference]
        for scenario, variants in planned:
            runs += [scenario, *(variant for _, variant in variants)]
        ran = run_comparison(
            runs, size, seed=comparison.seed, progress=progress, parameter_sets=sets
        )
        frames += [_parts(ran, scenario, variants) for scenario, variants in planned]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return Attribution(table, found, {name: name in done for name in found}, notes)


#: Columns of :attr:`Attribution.table`.
COLUMNS = [
    "scenario",
    "entry",
    "change",
    "metric",
    "country",
    "part",
    "part_low",
    "part_high",
    "sign_share",
    "verdict",
    "minimum_difference",
    "whole",
    "share",
    "replicates",
    "parameter_sets",
]


def _variants(
    scenario: Scenario, reference: Scenario, entries: list[Entry], most: int, notes: list[str]
) -> list[tuple[Entry, Scenario]]:
    """The scenario without each of its first ``most`` entries (each alone), with notes."""
    variants, left = [], entries[most:]
    if left:
        notes.append(
            f"{scenario.name} differs from {reference.name} in {len(entries)} entries: the "
            f"first {most} are attributed, the other {len(left)} "
            f"({', '.join(e.path for e in left)}) are counted in {REST}."
        )
    for i, entry in enumerate(entries[:most]):
        try:
            variant = without_entry(scenario, reference, entry.path, f"{scenario.name}__{i}")
        except (ValidationError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0]
            notes.append(
                f"{scenario.name}: {entry.path} cannot be reverted alone ({first}); it is "
                f"counted in {REST}."
            )
            continue
        variants.append((entry, variant))
    return variants


def _single(comparison: Comparison, scenario: Scenario, entry: Entry) -> pd.DataFrame:
    """One entry carries the whole difference of the comparison: no run needed."""
    whole = _values(comparison, scenario.name)
    base = _values(comparison, comparison.reference)
    keys = list(whole)
    diff = np.column_stack([whole[k] - base[k] for k in keys])
    rows = _rows(scenario.name, entry.path, entry.change, keys, diff, diff, comparison)
    rows += _rows(scenario.name, REST, "", keys, np.zeros_like(diff), diff, comparison)
    return pd.DataFrame(rows, columns=COLUMNS)


def _parts(
    ran: Comparison, scenario: Scenario, variants: list[tuple[Entry, Scenario]]
) -> pd.DataFrame:
    """Each entry's part, and the rest, of one scenario's difference in the attribution runs."""
    mine, base = _values(ran, scenario.name), _values(ran, ran.reference)
    keys = list(mine)
    whole = np.column_stack([mine[k] - base[k] for k in keys])
    rest = whole.copy()
    rows = []
    for entry, variant in variants:
        other = _values(ran, variant.name)
        part = np.column_stack([mine[k] - other[k] for k in keys])
        rest -= part
        rows += _rows(scenario.name, entry.path, entry.change, keys, part, whole, ran)
    rows += _rows(scenario.name, REST, "", keys, rest, whole, ran)
    return pd.DataFrame(rows, columns=COLUMNS)


def _values(comparison: Comparison, name: str) -> dict[tuple[str, str], np.ndarray]:
    return outcomes(comparison.trajectories[name])


def _rows(
    scenario: str,
    entry: str,
    change: str,
    keys: list[tuple[str, str]],
    part: np.ndarray,
    whole: np.ndarray,
    runs: Comparison,
) -> list[dict[str, Any]]:
    """The rows of one part: its mean, interval, sign share and verdict per outcome."""
    sets = runs.sets
    size = {
        "replicates": part.shape[0],
        "parameter_sets": None if runs.coefficients is None else len(runs.coefficients),
    }
    if sets is None:
        mean, low, high = part.mean(axis=0), *difference_ci(part)
        share_same = np.full(len(keys), np.nan)
        total = whole.mean(axis=0)
    else:
        per_set = set_means(part, sets)
        mean, (low, high) = per_set.mean(axis=0), difference_ci(per_set)
        share_same = sign_share(per_set)
        total = set_means(whole, sets).mean(axis=0)
    rows = []
    for j, (metric, country) in enumerate(keys):
        floor = MINIMUM_DIFFERENCE[metric]
        lo, hi = float(np.atleast_1d(low)[j]), float(np.atleast_1d(high)[j])
        rows.append(
            {
                "scenario": scenario,
                "entry": entry,
                "change": change,
                "metric": metric,
                "country": country,
                "part": float(mean[j]),
                "part_low": lo,
                "part_high": hi,
                "sign_share": float(share_same[j]),
                "verdict": verdict(lo, hi, floor),
                "minimum_difference": floor,
                "whole": float(total[j]),
                "share": float(mean[j] / total[j]) if abs(total[j]) >= floor else np.nan,
                **size,
            }
        )
    return rows


def _data(scenario: Scenario) -> dict[str, Any]:
    """A scenario as data, with only the fields it sets.

    A coefficient the scenario sets keeps its value when a comparison draws the others from
    their priors (:mod:`sim.studies.compare`), so a coefficient set to its default is an entry,
    and a variant must set exactly what the scenario sets.
    """
    return scenario.model_dump(mode="json", exclude_unset=True)


def _plain(value: Any) -> Any:
    """A scenario's data without its sources and notes (which change no number)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in WORDS}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _entries(old: dict[str, Any], new: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(path, change)`` of every entry that differs, in the scenario's order."""
    for key in [*new, *(k for k in old if k not in new)]:
        if key in IGNORED:
            continue
        before, after = old.get(key), new.get(key)
        if key in NAMED or key == "parameters":
            deeper = 2 if key == "parameters" else 1
            yield from _named(key, before or {}, after or {}, deeper)
        elif key == "decisions":
            before, after = before or {}, after or {}
            for name in [*after, *(k for k in before if k not in after)]:
                if name == "countries":
                    yield from _named("decisions.countries", before.get(name) or {},
                                      after.get(name) or {}, 1)  # fmt: skip
                elif before.get(name) != after.get(name):
                    yield f"decisions.{name}", _change(name in before, name in after)
        elif before != after:
            yield key, _change(key in old, key in new)


def _named(
    prefix: str, old: dict[str, Any], new: dict[str, Any], depth: int
) -> Iterator[tuple[str, str]]:
    """The items of a block that differ, ``depth`` levels down (coefficients: group.name)."""
    for key in [*new, *(k for k in old if k not in new)]:
        path = f"{prefix}.{key}"
        before, after = old.get(key), new.get(key)
        if depth > 1 and isinstance(before or {}, dict) and isinstance(after or {}, dict):
            yield from _named(path, before or {}, after or {}, depth - 1)
        elif old.get(key) != new.get(key):
            yield path, _change(key in old, key in new)


def _change(before: bool, after: bool) -> str:
    return "changed" if before and after else ("added" if after else "removed")
