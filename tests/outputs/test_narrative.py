"""The narrator: records into plain words, one story per replicate."""

from __future__ import annotations

import pandas as pd

from sim.core import records
from sim.core.dynamics.menu import MOVES as MENU_MOVES
from sim.outputs.narrative import (
    MOVE_WORDS,
    country_name,
    decision_text,
    inject_text,
    joined,
    representative_replicate,
    sentence,
    story,
)


def test_representative_replicate_is_closest_to_median() -> None:
    model = pd.DataFrame(
        {
            "replicate": [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
            "step": [0, 1] * 5,
            "regional_tension": [0.2, 0.9, 0.2, 0.1, 0.2, 0.52, 0.2, 0.3, 0.2, 0.45],
        }
    )
    replicate, tension, median = representative_replicate(model)
    assert (replicate, tension, median) == (4, 0.45, 0.45)


def test_narrative_merges_alliance_events_and_trims_noise() -> None:
    pair = ("CHN", "PHL")
    events = [
        records.IncidentStarted(0, 1, pair=pair, rung=1, dispute="shoal"),
        records.Escalated(0, 2, pair=pair, rung=3, dispute="shoal"),
        records.AllianceResponded(0, 2, alliance="us_phl", members=("USA", "PHL"),
                                  credibility_before=0.6, credibility_after=0.66),
        records.AllianceFailed(0, 2, alliance="us_jpn", members=("USA", "JPN"),
                               credibility_before=0.55, credibility_after=0.5),
        records.IncidentStarted(1, 2, pair=("CHN", "VNM"), rung=1, dispute="other replicate"),
    ]  # fmt: skip
    for month in range(3, 40):  # routine gray-zone noise that never escalates
        events.append(records.IncidentStarted(0, month, pair=("KOR", "PRK"), rung=1))
        events.append(records.Deescalated(0, month, pair=("KOR", "PRK"), rung=0))
    credibility = {0: 0.6, 1: 0.6, 2: 0.6}

    full = story(events, 0, credibility=credibility, limit=1000)
    assert len(full["lines"]) == 3 + 2 * 37
    assert full["omitted"] == ""
    texts = [line.text for line in full["lines"]]
    assert texts[0] == "CHN–PHL gray-zone incident (shoal)"
    assert texts[1] == "the CHN–PHL incident escalates to a clash"
    assert "alliance us_phl responds; credibility now 0.66" in texts[2]
    assert "alliance us_jpn fails to respond; credibility now 0.50" in texts[2]
    assert texts[2].endswith("US credibility 0.60")
    assert not any("other replicate" in t for t in texts)

    short = story(events, 0, credibility=credibility, limit=60)
    assert [line.step for line in short["lines"]] == [1, 2, 2]
    assert "37 gray-zone incidents that never escalated" in short["omitted"]


def test_every_kind_of_record_has_a_sentence() -> None:
    pair = ("CHN", "PHL")
    lines = {
        "incident": sentence(records.IncidentStarted(0, 1, pair=pair, rung=1, dispute=None)),
        "up": sentence(records.Escalated(0, 2, pair=pair, rung=4)),
        "ease": sentence(records.Deescalated(0, 3, pair=pair, rung=2)),
        "calm": sentence(records.Deescalated(0, 4, pair=pair, rung=0)),
    }
    assert lines["incident"].text == "CHN–PHL gray-zone incident (gray-zone coercion)"
    assert lines["up"].text == "the CHN–PHL incident escalates to a crisis"
    assert lines["up"].css == "escalation severe"
    assert lines["ease"].text == "the CHN–PHL incident eases to a standoff"
    assert lines["calm"].text == "the CHN–PHL incident calms down"
    for record in records.RECORD_TYPES.values():
        line = sentence(record(0, 1))
        assert line.step == 1 and line.text


def test_injects_are_told_from_their_fields() -> None:
    policy = records.PolicyStarted(
        0, 7, event="aid", policy_kind="security_assistance", actor="USA",
        partners=("PHL", "VNM"), duration=12, condition="step >= 6", note="Hagel 2013",
    )  # fmt: skip
    assert inject_text(policy) == (
        "inject — policy aid starts (security assistance; USA → PHL, VNM; for 12 months; "
        "Hagel 2013; condition met: step >= 6)"
    )
    shock = records.TensionShocked(0, 3, event="s", pair=("CHN", "JPN"), delta=-0.2)
    assert inject_text(shock) == "inject — CHN–JPN tension shock of −0.20 (event s)"
    joined_pact = records.JoinedAlliance(0, 2, event="j", alliance="quad", country="VNM")
    assert inject_text(joined_pact) == "inject — VNM joins quad (event j)"


def test_names_read_as_english() -> None:
    assert country_name("PHL") == "the Philippines"
    assert country_name("USA") == "the United States"
    assert country_name("VNM") == "Vietnam"  # the seeds' name: no article
    assert country_name("KOR") == "South Korea" and country_name("PRK") == "North Korea"
    assert joined([]) == "" and joined(["a"]) == "a" and joined(["a", "b"]) == "a and b"
    assert joined(["a", "b", "c"]) == "a, b and c"


def test_a_decision_is_told_with_its_move_its_target_and_what_made_it_win() -> None:
    record = records.Decision(
        0, 4, decider="CHN", target="PHL", move="ease_coercion", kind="coercion", change=-0.1,
        gain=0.3, terms=(("escalation", 0.4), ("value", -0.05), ("posture", -0.05)),
    )  # fmt: skip
    text = decision_text(record)
    assert text.startswith("China eases its gray-zone pressure on the Philippines (-0.1): ")
    assert "the expected cost of escalation weighed most" in text and "escalation +0.4" in text
    assert decision_text(record, reason=False) == (
        "China eases its gray-zone pressure on the Philippines (-0.1)"
    )
    assert sentence(record).text == text
    refused = records.Decision(0, 4, decider="PHL", target="CHN", move="open_channel",
                               kind="channel", change=0.5, refused=True)  # fmt: skip
    assert decision_text(refused).endswith("which China turns down")
    assert set(MOVE_WORDS) == {move for pair in MENU_MOVES.values() for move in pair}
