"""Which edit carries which part: each differing entry reverted alone, on common random numbers.

The known answers come from an edit that cannot act (a policy that starts at the horizon) beside
one that does (a war between China and Vietnam at month 20): the first carries exactly nothing,
the second exactly the whole difference, and the rest is exactly zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import scenario

import sim.studies.attribution
from sim.studies.attribution import (
    REST,
    Entry,
    attribute,
    differing_entries,
    without_entry,
)
from sim.studies.compare import compare_table, outcomes, run_comparison, set_means, sign_share

HORIZON = 24
#: Starts at the horizon: in force in no month that is run.
LATE = {"kind": "security_assistance", "actor": "USA", "partners": ["THA"],
        "usd_m_per_year": 500, "start": HORIZON}  # fmt: skip
AID = {"kind": "security_assistance", "actor": "USA", "partners": ["VNM"], "usd_m_per_year": 3000}
WAR = {"kind": "incident", "actors": ["CHN", "VNM"], "level": "war", "step": 20}


def _base():
    return scenario(name="base", horizon=HORIZON)


def _edited(events=None, **policies):
    return scenario(name="edited", horizon=HORIZON, policies=policies, events=events or {})


def _both():
    """The inert policy and the war."""
    return _edited(late=LATE, events={"war": WAR})


def _rows(table, entry, metric="p_war", country=""):
    mine = table[(table["entry"] == entry) & (table["metric"] == metric)]
    return mine[mine["country"] == country].iloc[0]


def test_the_entries_that_differ_are_named_in_file_order():
    base, edited = _base(), _edited(late=LATE, aid=AID)
    assert differing_entries(base, edited) == [
        Entry("policies.late", "added"),
        Entry("policies.aid", "added"),
    ]
    assert differing_entries(edited, base) == [
        Entry("policies.late", "removed"),
        Entry("policies.aid", "removed"),
    ]
    tuned = scenario(name="tuned", horizon=HORIZON, parameters={"alignment": {"rate": 0.2}})
    assert differing_entries(base, tuned) == [Entry("parameters.alignment.rate", "added")]
    # a note or a source changes no number: no entry
    noted = _edited(aid={**AID, "note": "a new note", "source": "judgement: mine"})
    assert differing_entries(_edited(aid=AID), noted) == []


def test_reverting_the_only_entry_gives_the_reference_back():
    base, edited = _base(), _edited(aid=AID)
    back = without_entry(edited, base, "policies.aid", "back")
    assert back.model_dump(exclude={"name"}) == base.model_dump(exclude={"name"})


def test_an_inert_edit_carries_nothing_and_an_active_one_the_whole():
    comparison = run_comparison([_base(), _both()], 8)
    result = attribute(comparison)
    table = result.table
    assert set(table["entry"]) == {"policies.late", "events.war", REST}
    late, war, rest = (table[table["entry"] == e] for e in ("policies.late", "events.war", REST))
    assert (late["part"] == 0).all() and (late["verdict"] == "about unchanged").all()
    assert np.array_equal(war["part"].to_numpy(), war["whole"].to_numpy())
    assert np.allclose(rest["part"], 0.0, atol=1e-12)
    reached = _rows(table, "events.war")
    assert reached["part"] > 0.5 and reached["verdict"] == "higher"
    assert reached["share"] == pytest.approx(1.0)
    assert reached["replicates"] == 8 and pd.isna(reached["parameter_sets"])
    assert result.attributed == {"edited": True} and result.notes == []


def test_entries_past_the_cap_are_counted_in_the_rest_with_a_note():
    comparison = run_comparison([_base(), _both()], 6)
    result = attribute(comparison, most=1)
    assert set(result.table["entry"]) == {"policies.late", REST}
    (note,) = result.notes
    assert "in 2 entries: the first 1 are attributed, the other 1 (events.war)" in note
    rest = _rows(result.table, REST)
    assert rest["part"] == pytest.approx(rest["whole"]) and rest["part"] > 0.5


def test_one_entry_needs_no_run_and_carries_the_comparison_s_whole_difference(monkeypatch):
    comparison = run_comparison([_base(), _edited(events={"war": WAR})], 6)

    def no_run(*args, **kwargs):
        raise AssertionError("one entry needs no run")

    monkeypatch.setattr(sim.studies.attribution, "run_comparison", no_run)
    result = attribute(comparison, run=False)
    whole = compare_table(comparison)
    expected = whole[(whole["scenario"] == "edited") & (whole["metric"] == "p_war")]["diff"]
    assert _rows(result.table, "events.war")["part"] == pytest.approx(expected.iloc[0])
    assert _rows(result.table, REST)["part"] == 0
    assert _rows(result.table, "events.war")["replicates"] == 6


def test_without_the_runs_a_scenario_of_several_entries_is_listed_not_attributed():
    comparison = run_comparison([_base(), _both()], 4)
    result = attribute(comparison, run=False)
    assert result.table.empty and result.attributed == {"edited": False}
    summary = result.summary()["scenarios"]["edited"]
    assert [e["path"] for e in summary["entries"]] == ["policies.late", "events.war"]


def test_an_entry_that_cannot_be_reverted_alone_is_counted_in_the_rest():
    pact = {"type": "collective_defence", "members": ["USA", "VNM"]}
    declared = {"kind": "set_clarity", "alliance": "pact", "value": 0.5, "step": 2}
    edited = scenario(name="edited", horizon=HORIZON, alliances={"pact": pact},
                      events={"declared": declared})  # fmt: skip
    base = scenario(name="base", horizon=HORIZON, alliances={})
    result = attribute(run_comparison([base, edited], 4))
    assert any("alliances.pact cannot be reverted alone" in note for note in result.notes)
    assert set(result.table["entry"]) == {"events.declared", REST}


def test_with_coefficient_sets_a_part_has_its_sign_share_over_the_sets():
    comparison = run_comparison([_base(), _both()], 8, parameter_sets=4)
    table = attribute(comparison, parameter_sets=2).table
    reached = _rows(table, "events.war")
    # the same design run directly: the war's part is the whole, set by set
    direct = run_comparison([_base(), _both()], 8, parameter_sets=2)
    whole = outcomes(direct.trajectories["edited"])[("p_war", "")]
    whole = whole - outcomes(direct.trajectories["base"])[("p_war", "")]
    per_set = set_means(whole[:, None], direct.sets)
    assert reached["parameter_sets"] == 2
    assert reached["sign_share"] == sign_share(per_set)[0] and reached["part"] == per_set.mean()
    assert (table[table["entry"] == "policies.late"]["part"] == 0).all()
