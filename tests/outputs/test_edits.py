"""Which edit carries which part, in the report's words: attribution.csv and attribution.json."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.outputs.edits import REST, edits_of


def _part(entry: str, metric: str, part: float, whole: float, verdict: str, **more) -> dict:
    floor = {"p_war": 0.02, "regional_tension": 0.01}[metric]
    return {
        "scenario": "copy", "entry": entry, "change": "" if entry == REST else "added",
        "metric": metric, "country": "", "part": part, "part_low": part - 0.001,
        "part_high": part + 0.001, "sign_share": 1.0, "verdict": verdict,
        "minimum_difference": floor, "whole": whole,
        "share": part / whole if abs(whole) >= floor else None, "replicates": 30,
        "parameter_sets": 5, **more,
    }  # fmt: skip


def _folder(tmp_path: Path, rows: list[dict], scenarios: dict, notes=()) -> Path:
    pd.DataFrame(rows).to_csv(tmp_path / "attribution.csv", index=False)
    about = {"most_entries": 8, "scenarios": scenarios, "notes": list(notes)}
    (tmp_path / "attribution.json").write_text(json.dumps(about))
    return tmp_path


def _entries(*paths: str) -> list[dict]:
    return [{"path": p, "change": "added"} for p in paths]


def _compare(verdicts: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"scenario": "copy", "metric": m, "country": "", "verdict": v}
            for m, v in verdicts.items()
        ]
    )


def test_the_largest_part_is_told_first_with_its_share_and_the_rest_last(tmp_path):
    rows = [
        _part("policies.aid", "p_war", 0.0, 0.5, "about unchanged"),
        _part("events.war", "p_war", 0.5, 0.5, "higher"),
        _part(REST, "p_war", 0.0, 0.5, "about unchanged"),
        _part("policies.aid", "regional_tension", 0.001, 0.002, "about unchanged"),
        _part("events.war", "regional_tension", 0.001, 0.002, "about unchanged"),
        _part(REST, "regional_tension", 0.0, 0.002, "about unchanged"),
    ]
    scenarios = {"copy": {"entries": _entries("policies.aid", "events.war"), "attributed": True}}
    folder = _folder(tmp_path, rows, scenarios, ["copy: events.x cannot be reverted alone"])
    (block,) = edits_of(
        folder, _compare({"p_war": "higher", "regional_tension": "about unchanged"}), "base"
    )
    # the tension outcome changed neither in all nor by one edit: not told
    assert block["sentences"] == [
        "P(war), +50.0 points in all: events.war +50.0 points (100%), policies.aid +0.0 points "
        "(0%); the rest +0.0 points."
    ]
    assert [row["entry"] for row in block["rows"]] == ["events.war", "policies.aid", REST]
    assert block["rows"][0]["significant"] and not block["rows"][1]["significant"]
    assert block["runs"] == "30 replicates over 5 coefficient sets"
    assert block["notes"] == ["copy: events.x cannot be reverted alone"] and block["hint"] == ""


def test_two_edits_that_cancel_are_told_though_the_whole_is_unchanged(tmp_path):
    rows = [
        _part("events.up", "regional_tension", 0.03, 0.0, "higher"),
        _part("events.down", "regional_tension", -0.03, 0.0, "lower"),
        _part(REST, "regional_tension", 0.0, 0.0, "about unchanged"),
    ]
    scenarios = {"copy": {"entries": _entries("events.up", "events.down"), "attributed": True}}
    (block,) = edits_of(_folder(tmp_path, rows, scenarios), _compare({}), "base")
    (sentence,) = block["sentences"]
    assert sentence.startswith(
        "Regional tension, +0.000 in all: events.up +0.030, events.down −0.030"
    )


def test_a_scenario_not_attributed_says_how_and_one_entry_carries_the_whole(tmp_path):
    scenarios = {
        "copy": {"entries": _entries("policies.aid", "events.war"), "attributed": False},
        "one": {"entries": _entries("events.war"), "attributed": True},
        "same": {"entries": [], "attributed": False},
    }
    rows = [{**_part("events.war", "p_war", 0.5, 0.5, "higher"), "scenario": "one"}]
    blocks = edits_of(_folder(tmp_path, rows, scenarios), None, "base")
    assert [b["scenario"] for b in blocks] == ["copy", "one"]  # no entry, no block
    assert "again with --attribute" in blocks[0]["hint"] and blocks[0]["sentences"] == []
    assert blocks[1]["sentences"][0].startswith(
        "The one entry in which one differs from base, events.war (added), carries the whole"
    )
    assert edits_of(tmp_path / "nowhere", None, "base") == []
