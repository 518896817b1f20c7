"""What a scenario changes: the fields that differ between two resolved scenarios.

The after-action report shows, for each scenario, what it changes from its parent and from the
reference scenario of a comparison, one dotted field path a row.
"""

from __future__ import annotations

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


def scenario_diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, str]]:
    """Fields that differ between two resolved scenarios, as dotted paths.

    Blocks present on one side only (an added alliance, a removed policy) are one row each;
    ``name`` and ``description`` are left out (the report shows them anyway).

    Args:
        old: The parent or reference scenario (``yaml.safe_load`` of its resolved YAML).
        new: The scenario being described.

    Returns:
        One dict per difference with ``path``, ``change`` (changed, added or removed),
        ``old`` and ``new`` (both as one-line text, '' where absent).
    """
    rows = _diff(old, new, "")
    return [r for r in rows if r["path"] not in ("name", "description")]


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


def _diff(old: Any, new: Any, prefix: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    keys = list(old) + [k for k in new if k not in old]
    for key in keys:
        path = f"{prefix}.{key}" if prefix else str(key)
        if key not in new:
            rows.append({"path": path, "change": "removed", "old": _block(old[key]), "new": ""})
        elif key not in old:
            rows.append({"path": path, "change": "added", "old": "", "new": _block(new[key])})
        elif isinstance(old[key], dict) and isinstance(new[key], dict):
            rows.extend(_diff(old[key], new[key], path))
        elif old[key] != new[key]:
            rows.append(
                {
                    "path": path,
                    "change": "changed",
                    "old": show_value(old[key]),
                    "new": show_value(new[key]),
                }
            )
    return rows
