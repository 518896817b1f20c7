"""What a scenario changes from another: one dotted path a row."""

from __future__ import annotations

from sim.outputs.diff import scenario_diff, show_value


def test_scenario_diff_reports_changed_added_and_removed() -> None:
    old = {"name": "a", "horizon": 12, "alliances": {"x": {"commitment": 0.5}, "y": {"a": 1}}}
    new = {"name": "b", "horizon": 24, "alliances": {"x": {"commitment": 0.8}, "z": {"a": 2}}}
    rows = {r["path"]: r for r in scenario_diff(old, new)}
    assert set(rows) == {"horizon", "alliances.x.commitment", "alliances.y", "alliances.z"}
    assert (rows["horizon"]["old"], rows["horizon"]["new"]) == ("12", "24")
    assert rows["alliances.x.commitment"]["change"] == "changed"
    assert rows["alliances.y"]["change"] == "removed"
    assert rows["alliances.z"]["change"] == "added"
    assert scenario_diff(old, old) == []


def test_values_are_shown_on_one_line_as_in_yaml() -> None:
    assert show_value(None) == "null" and show_value(True) == "true"
    assert show_value(0.5) == "0.5" and show_value("a  b\n c") == "a b c"
    assert show_value({"members": ["USA", "PHL"]}) == "{members: [USA, PHL]}"
    assert show_value("x" * 300).endswith("…") and len(show_value("x" * 300)) == 160
