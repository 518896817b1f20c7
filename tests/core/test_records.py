"""Typed event records: one type per kind of event, structured fields, a stable JSON line."""

from __future__ import annotations

import json

import pytest
from conftest import run

from sim.core import records


def test_every_kind_of_event_has_its_own_record_type() -> None:
    kinds = {
        "decision",
        "incident",
        "escalation",
        "deescalation",
        "alliance_response",
        "abandonment",
        *(f"inject:{k}" for k in ("incident", "policy", "join_alliance", "leave_alliance")),
        *(
            f"inject:{k}"
            for k in ("set_commitment", "set_clarity", "tension_shock", "credibility_shock")
        ),
        "inject:overrule",  # a facilitator set a computer player's move back
    }
    assert set(records.RECORD_TYPES) == kinds
    assert len(set(records.RECORD_TYPES.values())) == len(kinds)


def test_a_json_line_keeps_the_shared_keys_first_and_then_the_records_fields() -> None:
    record = records.AllianceFailed(
        3, 17, alliance="us_phl", members=("USA", "PHL"), credibility_before=0.6,
        credibility_after=0.54,
    )  # fmt: skip
    line = record.to_json()
    assert list(line)[:6] == list(records.JSON_KEYS)
    assert line["type"] == "abandonment"
    assert line["actors"] == ["USA", "PHL"]
    assert line["cause"] == "us_phl: credibility now 0.54"
    assert line["credibility_before"] == 0.6 and line["credibility_after"] == 0.54


@pytest.mark.parametrize("record", [
    records.IncidentStarted(0, 2, pair=("CHN", "PHL"), rung=1, dispute="South China Sea"),
    records.Escalated(1, 3, pair=("CHN", "PHL"), rung=3),
    records.Deescalated(1, 4, pair=("KOR", "PRK"), rung=0),
    records.AllianceResponded(0, 5, alliance="quad", members=("USA", "JPN"),
                              credibility_before=0.5, credibility_after=0.525),
    records.IncidentInjected(0, 6, event="shoal", pair=("CHN", "PHL"), rung=2,
                             condition="step >= 5", source=("fact:x",)),
    records.PolicyStarted(0, 7, event="aid", policy_kind="security_assistance", actor="USA",
                          partners=("PHL", "VNM"), duration=12),
    records.JoinedAlliance(0, 8, event="j", alliance="pact", country="VNM"),
    records.LeftAlliance(0, 8, event="l", alliance="pact", country="THA"),
    records.CommitmentSet(0, 9, event="c", alliance="us_jpn", value=0.4),
    records.TensionShocked(0, 9, event="t", pair=("CHN", "JPN"), delta=-0.2),
    records.CredibilityShocked(0, 9, event="s", alliance="us_kor", delta=0.1),
    records.Overruled(0, 10, event="moves[2]", decider="CHN", target="PHL", kind="coercion",
                      value=0.0),
])  # fmt: skip
def test_a_record_reads_back_from_its_json_line(record: records.Record) -> None:
    assert records.from_json(json.loads(json.dumps(record.to_json()))) == record


def test_an_old_line_without_fields_still_reads_with_states_and_rung_from_the_shared_keys():
    old = {"replicate": 2, "step": 5, "type": "escalation", "actors": ["CHN", "IND"],
           "level": "clash", "cause": "border"}  # fmt: skip
    record = records.from_json(old)
    assert isinstance(record, records.Escalated)
    assert record.pair == ("CHN", "IND") and record.rung == 3
    assert records.from_json({"type": "no such kind", "replicate": 0, "step": 0}) is None
    assert records.from_json({"type": "incident"}) is None  # no replicate or step


def test_the_dynamics_write_records_with_the_fields_readers_need() -> None:
    traj = run(
        8,
        log=True,
        horizon=24,
        events={"shoal": {"kind": "incident", "step": 3, "actors": ["CHN", "PHL"],
                          "level": "standoff", "source": "fact:some_id", "note": "a test"}},
    )  # fmt: skip
    injected = [e for e in traj.events if isinstance(e, records.IncidentInjected)]
    assert len(injected) == 8 and {e.step for e in injected} == {4}
    assert {(e.event, e.pair, e.rung, e.source, e.note) for e in injected} == {
        ("shoal", ("CHN", "PHL"), 2, ("fact:some_id",), "a test")
    }
    dyads = [e for e in traj.events if isinstance(e, records.Escalated | records.IncidentStarted)]
    assert dyads and all(0 < e.rung <= 5 and len(e.pair) == 2 for e in dyads)
    answers = [e for e in traj.events if isinstance(e, records.AllianceResponded)]
    for answer in answers:
        assert answer.credibility_after > answer.credibility_before
    failures = [e for e in traj.events if isinstance(e, records.AllianceFailed)]
    for failure in failures:
        assert failure.credibility_after < failure.credibility_before
    assert answers or failures
