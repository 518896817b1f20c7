"""The geosim command line, end to end (click's runner, plus real subprocesses)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sim.cli import EXTRAS, main
from sim.game.play import Game
from sim.game.record import Seat
from sim.scenario.loader import shipped_scenarios

ROOT = Path(__file__).resolve().parent.parent

SMALL = """\
name: small
description: A short test scenario.
horizon: 12
seed: 4
alliances:
  us_phl: {type: bilateral_treaty, members: [USA, PHL], source: "ATOP v5.1 2018"}
policies:
  tf: {kind: task_force, actor: USA, partners: [PHL], start: 2}
events:
  clash: {kind: incident, actors: [CHN, PHL], level: clash, step: 3}
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_run_writes_the_output_contract(small: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = invoke("run", str(small), "-n", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    model = pd.read_csv(out / "model.csv")
    assert list(model.columns[:2]) == ["replicate", "step"]
    expected_model = {"regional_tension", "incidents", "max_escalation", "polarization"}
    assert expected_model | {"hedgers", "us_credibility"} <= set(model.columns)
    assert len(model) == 3 * 13
    countries = pd.read_csv(out / "countries.csv")
    assert list(countries.columns[:3]) == ["replicate", "step", "country"]
    assert {"alignment", "milex_usd_bn", "threat"} <= set(countries.columns)
    dyads = pd.read_csv(out / "dyads.csv")
    assert list(dyads.columns[:5]) == ["replicate", "step", "a", "b", "tension"]
    assert (dyads["a"] < dyads["b"]).all()
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    shared = ["replicate", "step", "type", "actors", "level", "cause"]
    assert all(list(e)[:6] == shared for e in events)  # then each record type's own fields
    assert {k for e in events if e["type"] == "inject:incident" for k in e} >= {"pair", "rung"}
    assert sum(e["type"] == "inject:incident" for e in events) == 3
    summary = json.loads((out / "summary.json").read_text())
    assert {"scenario", "seed", "replicates", "horizon", "config_hash", "version"} <= set(summary)
    assert summary["replicates"] == 3 and summary["horizon"] == 12
    band = summary["final"]["model"]["regional_tension"]
    assert band["p05"] <= band["mean"] <= band["p95"]
    assert set(summary["final"]["countries"]["PHL"]) >= {"alignment", "milex_usd_bn", "threat"}
    assert (out / "scenario.resolved.yaml").exists()
    assert (out / "plots" / "tension.png").stat().st_size > 10_000
    assert (out / "plots" / "alignment.png").stat().st_size > 10_000


def test_same_seed_gives_identical_files_and_resolved_scenario_reproduces(small, tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert invoke("run", str(small), "-n", "2", "--out", str(a), "-q").exit_code == 0
    assert invoke("run", str(small), "-n", "2", "--out", str(b), "-q").exit_code == 0
    resolved = str(a / "scenario.resolved.yaml")
    assert invoke("run", resolved, "-n", "2", "--out", str(c), "-q").exit_code == 0
    for name in ("model.csv", "countries.csv", "dyads.csv", "events.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes() == (c / name).read_bytes()
    summary_a = json.loads((a / "summary.json").read_text())
    assert summary_a["config_hash"] == json.loads((c / "summary.json").read_text())["config_hash"]


def test_seed_horizon_and_set_override_the_scenario(small, tmp_path):
    out = tmp_path / "o"
    result = invoke(
        "run", str(small), "-n", "2", "--seed", "9", "--horizon", "6", "-q",
        "--set", "parameters.arms.fatigue=0.3", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 9 and summary["horizon"] == 6
    assert "fatigue: 0.3" in (out / "scenario.resolved.yaml").read_text()


def test_out_refuses_a_non_empty_folder_and_force_replaces_only_geosims_own(small, tmp_path):
    out = tmp_path / "busy"
    assert invoke("run", str(small), "-n", "1", "--out", str(out), "-q").exit_code == 0
    (out / "notes.txt").write_text("from before")
    old = (out / "model.csv").stat().st_mtime_ns
    result = invoke("run", str(small), "-n", "1", "--out", str(out), "-q")
    assert result.exit_code == 2 and "--force" in result.output
    assert invoke("run", str(small), "-n", "1", "--out", str(out), "-q", "--force").exit_code == 0
    assert (out / "notes.txt").read_text() == "from before"  # the user's: kept
    assert (out / "model.csv").stat().st_mtime_ns != old  # geosim's: replaced
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    result = invoke("run", str(small), "-n", "1", "--out", str(mine), "-q", "--force")
    assert result.exit_code == 2 and "was not written by geosim" in result.output
    assert (mine / "keep.txt").read_text() == "mine" and len(list(mine.iterdir())) == 1


def test_a_bad_thread_count_exits_2_with_a_hint_and_writes_nothing(small, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOSIM_THREADS", "lots")
    out = tmp_path / "never"
    result = invoke("run", str(small), "-n", "2", "--out", str(out))
    assert result.exit_code == 2
    assert "GEOSIM_THREADS='lots'" in result.output and "hint:" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_bad_scenario_exits_2_with_a_located_message_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("start: 2}", "start: 2, usd_m: 5}"))
    out = tmp_path / "never"
    result = invoke("run", str(bad), "--out", str(out))
    assert result.exit_code == 2
    assert "bad.yaml:8" in result.output and "policies.tf" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not list(tmp_path.glob(".never*"))


def test_validate_list_schema_and_explain():
    names = list(shipped_scenarios())
    assert len(names) >= 7
    result = invoke("validate", *(str(p) for p in shipped_scenarios().values()))
    assert result.exit_code == 0, result.output
    assert result.output.count("ok: ") == len(names)
    listing = invoke("list").output
    assert all(name in listing for name in names)
    schema = json.loads(invoke("schema").output)
    assert set(schema["properties"]) == {
        "name", "description", "extends", "horizon", "seed", "baseline_year",
        "countries", "alliances", "policies", "events", "decisions", "moves", "parameters",
        "anchor",
    }  # fmt: skip
    assert "overrule" in json.dumps(schema["$defs"]["PlayedMove"])  # the moves: block
    explained = invoke("explain", "hub_and_spoke").output
    assert "parameters.arms.reaction" in explained and "FREE" in explained
    # A coefficient the calibration sets says so; one it does not says why not.
    assert "parameters.alignment.inducement_weight = 0.06  [calibrated]" in explained
    assert "parameters.alignment.rate" in explained and "a limit, not an estimate" in explained
    assert "SIPRI" in explained and "fact:" in explained


def test_validate_reports_every_bad_file_and_exits_2(small, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nhorizon: -3\n")
    result = invoke("validate", str(small), str(bad))
    assert result.exit_code == 2
    assert "ok: " in result.output and "bad.yaml:2" in result.output


def test_console_script_and_module_entry_points(small, tmp_path):
    geosim = Path(sys.executable).with_name("geosim")
    for command in ([str(geosim)], [sys.executable, "-m", "sim"]):
        done = subprocess.run(
            [*command, "validate", str(small)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        missing = subprocess.run(
            [*command, "run", "no_such_scenario"], capture_output=True, text=True, check=False
        )
        assert missing.returncode == 2
        assert "Traceback" not in missing.stderr and "no_such_scenario" in missing.stderr


# --------------------------------------------------------------------------------------------
# The wargame console's commands (the served console itself: tests/ui/test_console.py)


def test_a_room_on_the_lan_needs_a_token_and_bad_seats_or_games_exit_2(tmp_path):
    runner = CliRunner()
    sessions = ["--sessions", str(tmp_path / "sessions")]
    lan = runner.invoke(main, ["dashboard", "--host", "0.0.0.0", *sessions])
    assert lan.exit_code == 2 and "give it a join token" in lan.output
    seats = runner.invoke(main, ["dashboard", "--seats", "Blue=USA;Red=USA", *sessions])
    assert seats.exit_code == 2
    assert "error: Seats: United States is held by both Blue and Red" in seats.output
    missing = runner.invoke(main, ["dashboard", "--resume", "20260101-zzzz", *sessions])
    assert missing.exit_code == 2 and "no such saved game" in missing.output
    assert "Traceback" not in lan.output + seats.output + missing.output


def test_sessions_lists_the_saved_games_newest_first(tmp_path):
    folder = tmp_path / "sessions"
    runner = CliRunner()
    empty = runner.invoke(main, ["sessions", "--sessions", str(folder)])
    assert empty.exit_code == 0 and "No saved game" in empty.output
    old = Game.create("scs_crisis", folder, title="first")
    new = Game.create("scs_crisis", folder, seats=[Seat(name="Blue", countries=["USA"])])
    new.advance(3)
    listed = runner.invoke(main, ["sessions", "--sessions", str(folder)])
    lines = listed.output.splitlines()
    assert listed.exit_code == 0 and len(lines) == 2
    assert lines[0].startswith(new.id) and "month 3" in lines[0] and "Blue: USA" in lines[0]
    assert lines[1].startswith(old.id) and "first" in lines[1]


def test_a_bad_deck_is_refused_before_any_game_is_made(tmp_path):
    folder = tmp_path / "sessions"
    result = CliRunner().invoke(
        main,
        ["dashboard", "--seats", "Blue=USA", "--deck", "no_such_deck", "--sessions", str(folder)],
    )
    assert result.exit_code == 2 and "no_such_deck" in result.output
    assert "Traceback" not in result.output
    assert not folder.exists() or not list(folder.glob("*.yaml"))


# --------------------------------------------------------------------------------------------
# Optional extras (a real install without them: tests/test_packaging.py)


@pytest.mark.parametrize(
    ("command", "args"), [("sweep", ["sea_funding_grid", "--workers", "0"]), ("analyze", ["."])]
)
def test_a_command_whose_extra_is_missing_names_it_in_one_line_and_exits_2(
    command, args, tmp_path, monkeypatch
):
    findable = importlib.util.find_spec
    monkeypatch.setattr(  # half an extra is as good as none
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "SALib" else findable(name, *a),
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [command, *args])
    assert result.exit_code == 2
    assert result.output == (
        f"error: geosim {command} needs the 'sweep' extra (dask, distributed, pyarrow, SALib, "
        "ema_workbench): pip install 'geosim[sweep]'\n"
    )
    assert not list(tmp_path.iterdir())  # said before any work


def test_the_extras_checked_for_are_those_pyproject_declares():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    provided = metadata.packages_distributions()
    for extra, modules in EXTRAS.items():
        declared = project["optional-dependencies"][extra]
        wanted = {canonicalize_name(Requirement(line).name) for line in declared}
        checked = {canonicalize_name(d) for module in modules for d in provided.get(module, [])}
        assert wanted <= checked, f"'{extra}': no module checked for {wanted - checked}"


def test_validate_and_explain_refuse_a_misspelt_seed_fact_with_the_id_meant(tmp_path):
    cites = tmp_path / "cites.yaml"
    cites.write_text(
        "name: cites\nextends: hub_and_spoke\npolicies:\n  drills:\n    kind: exercises\n"
        "    actor: USA\n    partners: [PHL]\n    per_year: 4\n"
        "    source: fact:us_philipines_task_force\n"
    )
    for command in ("validate", "explain"):
        result = CliRunner().invoke(main, [command, str(cites)])
        assert result.exit_code == 2, result.output
        assert (
            "cites.yaml:9: policies.drills.source: unknown seed fact "
            "'fact:us_philipines_task_force'\n  hint: did you mean "
            "'fact:us_philippines_task_force'?"
        ) in result.output
