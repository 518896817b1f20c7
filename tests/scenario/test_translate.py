"""Validation errors become located problems: file, line, field path, expectation, hint."""

from __future__ import annotations

import textwrap
from pathlib import Path

from scenario_files import BASE, error_of, line_of, only, write

from sim.scenario.loader import (
    load_scenario,
)

# --------------------------------------------------------------------------------------------
# Schema errors, located


def test_misspelt_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, "typo.yaml", BASE.replace("usd_m_per_year: 500", "usd_m_per_yer: 500"))
    err = error_of(path)
    text = str(err)
    assert f"typo.yaml:{line_of(path, 'usd_m_per_yer')}: " in text
    assert "policies.us_phl.usd_m_per_yer" in text
    # One problem: the typo (the now-missing 'usd_m_per_year' is not reported separately).
    assert "did you mean 'usd_m_per_year'" in (only(err).hint or "")


def test_misspelt_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, "top.yaml", BASE.replace("horizon: 60", "horizion: 60"))
    problem = only(error_of(path))
    assert (problem.path, problem.line) == ("horizion", 3)
    assert "'horizon'" in (problem.hint or "")


def test_unknown_country_code(tmp_path: Path) -> None:
    path = write(
        tmp_path, "cc.yaml", BASE.replace("  PHL:\n    alignment", "  PHX:\n    alignment")
    )
    problem = only(error_of(path))
    assert problem.path == "countries.PHX"
    assert problem.line == line_of(path, "PHX")
    assert "PHL" in problem.format()


def test_unknown_country_in_a_list(tmp_path: Path) -> None:
    path = write(tmp_path, "cc.yaml", BASE.replace("partners: [VNM]", "partners: [VMN]"))
    problem = only(error_of(path))
    assert problem.path == "policies.us_vnm.partners[0]"
    assert problem.line == line_of(path, "VMN")
    assert "VNM" in problem.format()


def test_misspelt_policy_kind(tmp_path: Path) -> None:
    path = write(tmp_path, "kind.yaml", BASE.replace("kind: security_", "kind: securty_"))
    problem = only(error_of(path))
    assert problem.path == "policies.us_phl.kind"
    assert problem.line == line_of(path, "securty_assistance")
    assert "did you mean 'security_assistance'" in (problem.hint or "")


def test_missing_kind_lists_kinds(tmp_path: Path) -> None:
    path = write(tmp_path, "kind.yaml", BASE.replace("    kind: exercises\n", ""))
    problem = only(error_of(path))
    assert problem.path == "policies.us_vnm.kind"
    assert problem.line == line_of(path, "us_vnm:")
    assert "exercises" in (problem.hint or "") and "dialogue" in (problem.hint or "")


def test_negative_number_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path, "neg.yaml", BASE.replace("usd_m_per_year: 500", "usd_m_per_year: -5"))
    problem = only(error_of(path))
    assert problem.format().startswith(
        f"{problem.file}:{line_of(path, 'usd_m_per_year')}: policies.us_phl.usd_m_per_year: "
        "expected a number >= 0, got -5"
    )
    assert "US$ m per year" in (problem.hint or "")
    assert "neg.yaml" in problem.file


def test_share_out_of_range_mentions_both_bounds(tmp_path: Path) -> None:
    path = write(tmp_path, "share.yaml", BASE.replace("alignment: 0.4", "alignment: 1.5"))
    problem = only(error_of(path))
    assert problem.path == "countries.PHL.alignment"
    assert "<= 1" in problem.message
    assert ">= -1" in (problem.hint or "")


def test_bad_literal_value(tmp_path: Path) -> None:
    path = write(tmp_path, "lit.yaml", BASE.replace("type: minilateral", "type: bilateral"))
    problem = only(error_of(path))
    assert problem.path == "alliances.quad.type"
    assert "did you mean 'bilateral_treaty'" in (problem.hint or "")
    path = write(tmp_path, "lvl.yaml", BASE.replace("level: standoff", "level: stand_off"))
    problem = only(error_of(path))
    assert problem.path == "events.shoal.level"
    assert "'standoff'" in (problem.hint or "")


def test_missing_required_field(tmp_path: Path) -> None:
    path = write(tmp_path, "miss.yaml", BASE.replace("    per_year: 4\n", ""))
    problem = only(error_of(path))
    assert problem.path == "policies.us_vnm.per_year"
    assert problem.line == line_of(path, "us_vnm:")
    assert "per_year" in (problem.hint or "")


def test_missing_name(tmp_path: Path) -> None:
    path = write(tmp_path, "noname.yaml", BASE.replace("name: base\n", ""))
    problem = only(error_of(path))
    assert problem.path == "name"
    assert "name:" in (problem.hint or "")


def test_strict_types(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "s.yaml", BASE.replace("horizon: 60", 'horizon: "60"')))
    assert only(err).path == "horizon"
    assert "whole number" in only(err).message
    err = error_of(write(tmp_path, "b.yaml", BASE.replace("horizon: 60", "horizon: true")))
    assert only(err).path == "horizon"


def test_text_expected_hint_mentions_quotes(tmp_path: Path) -> None:
    path = write(
        tmp_path, "q.yaml", BASE.replace("description: A small", "note: x\ndescription: A")
    )
    assert only(error_of(path)).path == "note"
    path = write(
        tmp_path, "d.yaml", BASE.replace("description: A small base scenario", "description: yes")
    )
    problem = only(error_of(path))
    assert problem.path == "description"
    assert "quotes" in (problem.hint or "")


def test_source_union_gives_one_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "src.yaml", BASE.replace("source: SIPRI Milex 2025", "source: 5"))
    problem = only(error_of(path))
    assert problem.path == "countries.PHL.source"
    assert "text or a list of texts" in problem.message
    path = write(tmp_path, "src2.yaml", BASE.replace("source: SIPRI Milex 2025", "source: [ok, 5]"))
    problem = only(error_of(path))
    assert problem.path == "countries.PHL.source[1]"


def test_event_past_horizon(tmp_path: Path) -> None:
    path = write(tmp_path, "late.yaml", BASE.replace("step: 12", "step: 61"))
    problem = only(error_of(path))
    assert problem.path == "events.shoal.step"
    assert problem.line == line_of(path, "step: 61")
    assert "past the horizon (60)" in problem.message


def test_bad_condition_points_at_when(tmp_path: Path) -> None:
    path = write(tmp_path, "when.yaml", BASE.replace("step: 12", "when: tension(CHN, PHX) > 0.5"))
    problem = only(error_of(path))
    assert problem.path == "events.shoal.when"
    assert problem.line == line_of(path, "when:")
    assert "PHL" in problem.message


def test_unknown_alliance_in_event(tmp_path: Path) -> None:
    text = BASE + "  cred:\n    kind: credibility_shock\n    step: 3\n    alliance: qaud\n"
    text += "    delta: -0.2\n"
    path = write(tmp_path, "al.yaml", text)
    problem = only(error_of(path))
    assert problem.path == "events.cred.alliance"
    assert problem.line == line_of(path, "alliance: qaud")
    assert "'quad'" in problem.message


def test_actor_among_partners_in_a_policy_event(tmp_path: Path) -> None:
    text = BASE + textwrap.indent(
        textwrap.dedent("""\
        talks:
          kind: policy
          step: 5
          policy:
            kind: dialogue
            actor: USA
            partners: [USA]
        """),
        "  ",
    )
    path = write(tmp_path, "pe.yaml", text)
    problem = only(error_of(path))
    assert problem.path == "events.talks.policy.partners"
    assert problem.line == line_of(path, "partners: [USA]")


def test_invalid_name_key(tmp_path: Path) -> None:
    path = write(tmp_path, "nm.yaml", BASE.replace("  us_vnm:", "  us vnm:"))
    problem = only(error_of(path))
    assert problem.path == "policies.us vnm"
    assert problem.line == line_of(path, "us vnm:")


def test_nan_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "nan.yaml", BASE.replace("alignment: 0.4", "alignment: .nan"))
    assert only(error_of(path)).path == "countries.PHL.alignment"
    path = write(tmp_path, "inf.yaml", BASE.replace("per_year: 4", "per_year: 1e999"))
    assert only(error_of(path)).path == "policies.us_vnm.per_year"


def test_exponent_without_dot_gets_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", BASE.replace("usd_m_per_year: 500", "usd_m_per_year: 1e3"))
    problem = only(error_of(path))
    assert problem.path == "policies.us_phl.usd_m_per_year"
    assert "1000" in (problem.hint or "") and "1.0e+3" in (problem.hint or "")
    scenario = load_scenario(write(tmp_path, "f.yaml", BASE.replace("500", "1.0e+3")))
    assert scenario.policies["us_phl"].usd_m_per_year == 1000.0
