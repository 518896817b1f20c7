"""Safe YAML reading refuses what is unsafe or malformed, and the writer round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_files import BASE, error_of, line_of, only, write

from sim.scenario.loader import (
    load_scenario,
)
from sim.scenario.yaml_io import scenario_to_yaml

# --------------------------------------------------------------------------------------------
# Unsafe or malformed files


@pytest.mark.parametrize(
    "value",
    ["!!python/object:os.system x", "!foo 60", "!!str 60", "!<tag:yaml.org,2002:int> 60"],
)
def test_explicit_tags_are_rejected(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, "tag.yaml", BASE.replace("horizon: 60", f"horizon: {value}"))
    problem = only(error_of(path))
    assert problem.line == 3
    assert "tag" in problem.message
    assert "tag.yaml:3:" in problem.format()


def test_anchors_and_aliases_are_rejected(tmp_path: Path) -> None:
    text = BASE.replace("members: [USA, JPN, IND, AUS]", "members: &m [USA, JPN]")
    text = text.replace("partners: [PHL]", "partners: *m")
    path = write(tmp_path, "alias.yaml", text)
    err = error_of(path)
    assert [p.line for p in err.problems] == [line_of(path, "&m"), line_of(path, "*m")]
    assert all("anchors and aliases" in p.message for p in err.problems)


def test_billion_laughs_is_rejected_quickly(tmp_path: Path) -> None:
    lines = ["name: lol", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = write(tmp_path, "lol.yaml", "\n".join(lines) + "\n")
    err = error_of(path)
    assert err.problems[0].line == 2
    assert "anchors" in err.problems[0].message


def test_duplicate_keys_name_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", BASE + "horizon: 24\n")
    problem = only(error_of(path))
    assert problem.path == "horizon"
    assert problem.line == len(BASE.splitlines()) + 1
    assert "line 3" in problem.message


def test_nested_duplicate_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", BASE.replace("per_year: 4", "per_year: 4\n    per_year: 5"))
    problem = only(error_of(path))
    assert problem.path == "policies.us_vnm.per_year"
    assert str(line_of(path, "per_year: 4")) in problem.message


def test_deep_nesting_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.yaml", "name: deep\nnote: " + "[" * 40 + "]" * 40 + "\n")
    problem = only(error_of(path))
    assert problem.line == 2
    assert "deeper than 30" in problem.message
    block = "name: deep\n" + "".join("  " * i + f"k{i}:\n" for i in range(35)) + "  " * 35 + "x\n"
    assert "deeper than 30" in only(error_of(write(tmp_path, "deep2.yaml", block))).message


def test_very_deep_flow_nesting_does_not_crash(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.yaml", "x: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "deeper than 30" in only(error_of(path)).message


def test_syntax_error_reports_line(tmp_path: Path) -> None:
    path = write(tmp_path, "syn.yaml", BASE.replace("partners: [PHL]", "partners: [PHL"))
    problem = only(error_of(path))
    assert "syntax error" in problem.message
    assert problem.line is not None
    assert line_of(path, "partners: [PHL") <= problem.line <= line_of(path, "partners: [PHL") + 2


def test_tab_indentation_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "tab.yaml", "name: t\n\thorizon: 3\n")
    problem = only(error_of(path))
    assert problem.line == 2
    assert "tabs" in (problem.hint or "")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    problem = only(error_of(write(tmp_path, "list.yaml", "- a\n- b\n")))
    assert "mapping" in problem.message
    problem = only(error_of(write(tmp_path, "scalar.yaml", "just text\n")))
    assert "mapping" in problem.message


def test_non_text_keys_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "keys.yaml", BASE + "1: x\nyes: y\n? [a]\n: z\n")
    err = error_of(path)
    assert len(err.problems) == 3
    assert err.problems[0].line == len(BASE.splitlines()) + 1
    assert "quotes" in (err.problems[0].hint or "")


def test_empty_and_multi_document_files(tmp_path: Path) -> None:
    assert "empty" in only(error_of(write(tmp_path, "empty.yaml", "# nothing\n"))).message
    problem = only(error_of(write(tmp_path, "multi.yaml", "name: a\n---\nname: b\n")))
    assert "syntax error" in problem.message
    assert problem.line == 2


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"name: t\ndescription: caf\xe9\n")
    problem = only(error_of(path))
    assert problem.line == 2
    assert "UTF-8" in problem.message


def test_control_character(tmp_path: Path) -> None:
    path = tmp_path / "ctl.yaml"
    path.write_bytes(b"name: t\ndescription: a\x01b\n")
    problem = only(error_of(path))
    assert problem.line == 2


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("name: big\ndescription: " + "x" * (1024 * 1024) + "\n", encoding="utf-8")
    assert "larger than" in only(error_of(path)).message


def test_missing_file_folder_and_special_file(tmp_path: Path) -> None:
    problem = only(error_of(tmp_path / "nope.yaml"))
    assert "nope.yaml" in problem.file
    assert "folder" in only(error_of(tmp_path)).message
    if Path("/dev/null").exists():
        assert "regular" in only(error_of(Path("/dev/null"))).message


# --------------------------------------------------------------------------------------------
# Round trip


def test_scenario_to_yaml_round_trips(tmp_path: Path) -> None:
    child = write(
        tmp_path,
        "child.yaml",
        """\
        name: child
        extends: hub_and_spoke
        policies:
          arms:
            kind: arms_transfer
            actor: USA
            partners: [PHL]
            deliveries:
              - after: 3
                value_usd_m: 250.5
                item: "1e5"
        """,
    )
    scenario = load_scenario(child)
    text = scenario_to_yaml(scenario)
    assert "extends" not in text
    assert "  arms:\n    kind: arms_transfer\n    actor: USA\n" in text
    again = load_scenario(write(tmp_path, "resolved.yaml", text))
    assert again == scenario.model_copy(update={"extends": None})


def test_scenario_to_yaml_keeps_awkward_text(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "base.yaml", BASE))
    awkward = "yes\x85no \u2028 1e5: #x 'q' \"d\" \t\u00e9"
    scenario = scenario.model_copy(update={"description": awkward})
    again = load_scenario(write(tmp_path, "resolved.yaml", scenario_to_yaml(scenario)))
    assert again.description == awkward
