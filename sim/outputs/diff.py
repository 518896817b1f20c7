"""What a scenario changes: the fields that differ between two resolved scenarios.

The after-action report shows, for each scenario, what it changes from its parent and from the
reference scenario of a comparison, one dotted field path a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml


def show_value(value: Any, limit: int = 160) -> str:
    """A scenario value on one line: scalars as in YAML, lists and blocks in flow style."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = f"{value:g}" if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        text = " ".join(value.split()) or "''"
    else:
        text = yaml.safe_dump(
            value, default_flow_style=True, sort_keys=False, width=10**6, allow_unicode=True
        ).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def scenario_diff(
    old: dict[str, Any], new: dict[str, Any], *, limit: int | None = None
) -> list[dict[str, str]]:
    """Fields that differ between two resolved scenarios, as dotted paths.

    Blocks present on one side only (an added alliance, a removed policy) are one row each;
    ``name`` and ``description`` are left out (the report shows them anyway).

    Args:
        old: The parent or reference scenario (``yaml.safe_load`` of its resolved YAML).
        new: The scenario being described.
        limit: Most rows to return (only those are worded; :func:`count_differences` counts
            them all).

    Returns:
        One dict per difference with ``path``, ``change`` (changed, added or removed),
        ``old`` and ``new`` (both as one-line text, '' where absent).
    """
    rows = []
    for path, change, before, after in _differences(old, new, ""):
        if limit is not None and len(rows) >= limit:
            break
        if change == "changed":
            rows.append({"path": path, "change": change, "old": show_value(before),
                         "new": show_value(after)})  # fmt: skip
        else:
            rows.append({"path": path, "change": change,
                         "old": "" if change == "added" else _block(before),
                         "new": "" if change == "removed" else _block(after)})  # fmt: skip
    return rows


def count_differences(old: dict[str, Any], new: dict[str, Any]) -> int:
    """How many rows :func:`scenario_diff` would give without a limit."""
    return sum(1 for _ in _differences(old, new, ""))


def _block(value: Any) -> str:
    """A whole added or removed block on one line, without sources or empty fields.

    The sources are listed under Provenance.
    """
    return show_value(_without_sources(value))


def _without_sources(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_sources(v)
            for k, v in value.items()
            if k != "source" and v not in (None, "", [], {})
        }
    return value


def _differences(old: Any, new: Any, prefix: str) -> Iterator[tuple[str, str, Any, Any]]:
    """``(path, change, old value, new value)`` of every difference, in file order."""
    keys = list(old) + [k for k in new if k not in old]
    for key in keys:
        path = f"{prefix}.{key}" if prefix else str(key)
        if path in ("name", "description"):
            continue
        if key not in new:
            yield path, "removed", old[key], None
        elif key not in old:
            yield path, "added", None, new[key]
        elif isinstance(old[key], dict) and isinstance(new[key], dict):
            yield from _differences(old[key], new[key], path)
        elif old[key] != new[key]:
            yield path, "changed", old[key], new[key]
