"""The guarantees of docs/reliability.md, one class of defect a test, through the command line.

Each test reproduces a way geosim used to fail (a traceback, a half-written or wrongly deleted
folder, a misleading message) and checks the guarantee that replaced it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import fill_up

from sim.cli import main
from sim.folders import STAGING
from sim.scenario.baseline import country_codes


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"geosim {' '.join(map(str, args))} raised {result.exception!r}"
    return result


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# 1. Whatever validate accepts, run and compare run


def test_a_parent_that_is_not_a_scenario_on_its_own_runs_as_it_validates(tmp_path: Path):
    write(tmp_path, "mixin.yaml", "description: shared aid\npolicies:\n  aid:\n"
          "    kind: security_assistance\n    actor: USA\n    partners: [PHL]\n"
          "    usd_m_per_year: 100\n")  # fmt: skip
    child = write(tmp_path, "child.yaml", "name: child\nextends: mixin.yaml\nhorizon: 6\n")
    write(tmp_path, "events_mixin.yaml", "events:\n  cut: {kind: set_commitment, step: 1,"
          " alliance: pact, value: 0.5}\n")  # fmt: skip
    other = write(tmp_path, "other.yaml", "name: other\nextends: events_mixin.yaml\nhorizon: 6\n"
                  "alliances:\n  pact: {type: minilateral, members: [USA, JPN]}\n")  # fmt: skip
    for path in (child, other):
        assert invoke("validate", path).exit_code == 0
        out = tmp_path / f"out_{path.stem}"
        result = invoke("run", path, "-n", "2", "--out", out, "-q")
        assert result.exit_code == 0, result.output
        assert not (out / "parent.resolved.yaml").exists()  # no parent to compare with
    result = invoke("compare", child, other, "-n", "2", "--out", tmp_path / "cmp", "-q")
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------------------------
# 2. Every number is bounded to what the model can hold


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ("policies:\n  us_assistance_vietnam:\n    end: 100000000000000000000\n", "end"),
        ("events:\n  p:\n    kind: policy\n    step: 1\n    duration: 100000000000000000000\n"
         "    policy: {kind: dialogue, actor: CHN, partners: [PHL]}\n", "duration"),
        ("alliances:\n  us_japan:\n    end: 100000000000000000000\n", "end"),
        ("countries:\n  VNM:\n    milex_usd_bn: 1.0e+308\n", "milex_usd_bn"),
        ("countries:\n  VNM:\n    gdp_usd_bn: 1.0e-300\n", "gdp_usd_bn"),
        ("events:\n  x:\n    kind: tension_shock\n    when: step >= 1e999\n"
         "    actors: [CHN, PHL]\n    delta: 0.1\n", "when"),
    ],
)  # fmt: skip
def test_numbers_beyond_what_the_model_holds_are_refused_by_validate_and_run(
    tmp_path: Path, entry: str, field: str
):
    path = write(tmp_path, "big.yaml", "name: big\nextends: hub_and_spoke\nhorizon: 12\n" + entry)
    checked = invoke("validate", path)
    ran = invoke("run", path, "-n", "1", "--out", tmp_path / "out", "-q")
    assert checked.exit_code == ran.exit_code == 2
    assert f"{field}:" in checked.stderr and checked.stderr == ran.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ("{range: [0, .inf]}", "finite"),
        ("{distribution: lognormal, mean: 1000, sd: 1}", "keep exp() finite"),
        ("{distribution: normal, mean: .nan, sd: 1}", "finite"),
    ],
)
def test_sweep_ranges_and_priors_stay_finite(tmp_path: Path, parameter: str, message: str):
    text = "name: s\nbase: hub_and_spoke\ndesign: {method: random, samples: 4}\n"
    spec = write(
        tmp_path, "spec.yaml", f"{text}parameters:\n  parameters.arms.reaction: {parameter}\n"
    )
    result = invoke("sweep", spec, "--workers", "0", "-q", "--out", tmp_path / "out")
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------------
# 3. The output location is checked before any work


def test_an_unusable_out_is_refused_before_the_simulation(tmp_path: Path):
    (tmp_path / "a_file").write_text("x")
    for out, message in (
        (tmp_path / "a_file" / "out", "is not a folder"),
        (Path("/proc/geosim"), "cannot write in /proc"),
    ):
        result = invoke("run", "hub_and_spoke", "-n", "200", "--out", out, "-q")
        assert result.exit_code == 2 and message in result.output, result.output
        result = invoke("compare", "hub_and_spoke", "latticework", "--out", out, "-q")
        assert result.exit_code == 2 and message in result.output


def test_a_link_to_an_empty_folder_stays_a_link(tmp_path: Path):
    target = tmp_path / "real"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    result = invoke("run", "hub_and_spoke", "-n", "1", "--horizon", "3", "--out",
                    tmp_path / "link", "-q")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "link").is_symlink() and (target / "summary.json").is_file()


# --------------------------------------------------------------------------------------------
# 4. Disk errors name the path and what failed, and leave nothing behind


def test_a_read_only_disk_is_a_clear_error_for_every_command(tmpfs: Path, tmp_path: Path):
    run = tmpfs / "run"
    assert invoke("run", "hub_and_spoke", "-n", "1", "--horizon", "3", "--out", run,
                  "-q").exit_code == 0  # fmt: skip
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    before = sorted(p.name for p in tmpfs.iterdir())
    for args in (
        ("run", "hub_and_spoke", "-n", "1", "--out", tmpfs / "new", "-q"),
        ("run", "hub_and_spoke", "-n", "1", "--out", run, "--force", "-q"),
        ("compare", "hub_and_spoke", "latticework", "-n", "2", "--out", tmpfs / "c", "-q"),
        ("report", run),
        ("facts", "-n", "2", "--out", tmpfs / "facts"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Read-only file system (EROFS)" in result.output and str(tmpfs) in result.output
    assert sorted(p.name for p in tmpfs.iterdir()) == before
    assert not list(tmpfs.rglob(f"{STAGING}*")) and not list(tmpfs.rglob(".*.tmp"))


def test_a_full_disk_is_a_clear_error_and_leaves_nothing(tmpfs: Path):
    fill_up(tmpfs, leave=64 * 1024)
    result = invoke("run", "hub_and_spoke", "-n", "30", "--out", tmpfs / "out", "-q")
    assert result.exit_code == 2 and "No space left on device (ENOSPC)" in result.output
    assert [p.name for p in tmpfs.iterdir()] == [".filler"]


def test_a_sweep_on_a_full_disk_is_a_clear_error_and_leaves_no_debris(tmpfs: Path, tmp_path: Path):
    fill_up(tmpfs, leave=40 * 1024)
    result = invoke("sweep", "sea_funding_grid", "--workers", "0", "-q", "--out",
                    tmpfs / "sweep")  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "No space left on device (ENOSPC)" in result.output
    assert not list(tmpfs.rglob("*.tmp")) and not list(tmpfs.glob(f"{STAGING}*"))


def test_analyze_on_a_read_only_sweep_says_so(tmpfs: Path):
    out = tmpfs / "sweep"
    spec = Path(__file__).resolve().parent.parent / "scenarios" / "sweeps" / "sea_funding_grid.yaml"
    text = spec.read_text().replace("replicates: 25", "replicates: 2")
    small = tmpfs.parent / "small_grid.yaml"
    small.write_text(text)
    assert invoke("sweep", small, "--workers", "0", "-q", "--out", out).exit_code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = invoke("analyze", out, "--outcome", "alignment.VNM", "--threshold", "0")
    assert result.exit_code == 2 and "EROFS" in result.output


# --------------------------------------------------------------------------------------------
# 7. Smaller things


def test_an_unknown_key_with_no_value_is_refused(tmp_path: Path):
    path = write(tmp_path, "x.yaml", "name: x\nextends: hub_and_spoke\nhorizn:\n")
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert "x.yaml:3: horizn: unknown key 'horizn'" in result.stderr
    assert "did you mean 'horizon'" in result.stderr


def test_deleting_a_field_with_set_is_blamed_on_set():
    result = invoke("validate", "hub_and_spoke", "--set", "name=")
    if "No such option" in result.output:  # validate takes no --set: go through run
        result = invoke("run", "hub_and_spoke", "--set", "name=", "-q")
    assert result.exit_code == 2 and result.stderr.startswith("--set: name: required key")


def test_long_bad_codes_are_shortened_and_hints_fit_the_value(tmp_path: Path):
    long_code = "C" * 20_000
    path = write(tmp_path, "x.yaml", f"name: x\nextends: hub_and_spoke\ncountries:\n"
                 f"  VNM: {{milex_usd_bn: 300m}}\npolicies:\n  a: {{kind: dialogue, actor: CHN,"
                 f" partners: [{long_code}]}}\n  b: {{kind: exercises, actor: USA, partners: [PHL],"
                 f" per_year: 1.0e300}}\n")  # fmt: skip
    result = invoke("validate", path)
    assert result.exit_code == 2 and len(result.stderr) < 2_000
    assert "write a plain number such as 300" in result.stderr
    assert "YAML reads 1.0e300 as text: write 1.0e+300" in result.stderr
    assert "without quotes" not in result.stderr


def test_a_sweep_spec_shows_what_is_wrong_with_its_base(tmp_path: Path):
    write(tmp_path, "base.yaml", "name: base\nextends: hub_and_spoke\nhorizon: 0\n")
    spec = write(tmp_path, "spec.yaml", "name: s\nbase: base.yaml\ndesign: {method: grid}\n"
                 "parameters:\n  parameters.arms.reaction: {range: [0, 1]}\n"
                 "timeseries: [regional_tensio]\n")  # fmt: skip
    result = invoke("sweep", spec, "--workers", "0", "-q")
    assert result.exit_code == 2
    assert "the base scenario 'base.yaml' is invalid" in result.output
    assert "base.yaml:3: horizon: expected a whole number >= 1, got 0" in result.output


def test_unknown_time_series_are_worded_as_such(tmp_path: Path):
    spec = write(tmp_path, "spec.yaml", "name: s\nbase: hub_and_spoke\ndesign: {method: grid}\n"
                 "parameters:\n  parameters.arms.reaction: {range: [0, 1]}\n"
                 "timeseries: [regional_tensio]\n")  # fmt: skip
    result = invoke("sweep", spec, "--workers", "0", "-q")
    assert result.exit_code == 2 and "unknown time series 'regional_tensio'" in result.output


def test_horizon_leaves_out_what_starts_later_and_says_so(tmp_path: Path):
    result = invoke("run", "scs_crisis", "-n", "2", "--horizon", "3", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "warning: scs_crisis: --horizon 3 leaves out what starts after month 3: events." in (
        result.stderr
    )
    full = invoke("run", "scs_crisis", "-n", "2", "--out", tmp_path / "full", "-q")
    assert full.exit_code == 0
    short = (tmp_path / "o" / "model.csv").read_text().splitlines()
    long = (tmp_path / "full" / "model.csv").read_text().splitlines()
    months = {line.split(",")[1] for line in short[1:]}
    assert months == {str(m) for m in range(4)}
    assert short[1:] == [line for line in long[1:] if line.split(",")[1] in months]


def test_a_quiet_sweep_prints_nothing_even_with_the_dask_port_taken(tmp_path: Path):
    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        except OSError:
            pass  # someone else holds it: the situation under test
        done = subprocess.run(
            [sys.executable, "-m", "sim", "sweep", "sea_funding_grid", "--workers", "2", "-q",
             "--out", str(tmp_path / "out")],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["complete"]


# --------------------------------------------------------------------------------------------
# Found by an adversarial read of the guarantees (each failed before its fix)


def test_no_state_can_spend_nothing(tmp_path: Path):
    codes = country_codes()
    lines = "".join(f"  {c}: {{milex_usd_bn: 0}}\n" for c in codes)
    path = write(tmp_path, "z.yaml", f"name: z\nhorizon: 6\ncountries:\n{lines}")
    checked = invoke("validate", path)
    assert checked.exit_code == 2 and "milex_usd_bn: expected a number >= 0.01" in checked.stderr
    assert invoke("run", path, "-n", "1", "-q", "--out", tmp_path / "o").exit_code == 2


def test_horizon_also_leaves_out_events_on_alliances_it_left_out(tmp_path: Path):
    path = write(tmp_path, "h.yaml", "name: h\nextends: formal_asian_nato\nevents:\n  setc:\n"
                 "    kind: set_commitment\n    when: step >= 1\n"
                 "    alliance: pacific_defence_pact\n    value: 0.1\n")  # fmt: skip
    result = invoke("run", path, "-n", "1", "--horizon", "3", "--out", tmp_path / "o", "-q")
    assert result.exit_code == 0, result.output
    assert "events.setc (on alliances.pacific_defence_pact)" in result.stderr


def test_every_cross_field_problem_is_reported_at_once(tmp_path: Path):
    path = write(tmp_path, "x.yaml", "name: x\nhorizon: 12\nevents:\n"
                 "  e1: {kind: set_commitment, step: 1, alliance: nope1, value: 0.1}\n"
                 "  e2: {kind: set_commitment, step: 1, alliance: nope2, value: 0.1}\n"
                 "  e3: {kind: incident, step: 30, actors: [CHN, PHL]}\n")  # fmt: skip
    result = invoke("validate", path)
    assert result.exit_code == 2
    for line in ("x.yaml:4: events.e1.alliance", "x.yaml:5: events.e2.alliance",
                 "x.yaml:6: events.e3.step: month 30 is past the horizon"):  # fmt: skip
        assert line in result.stderr


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("010", "8"),
        ("0x10", "16"),
        ("0b101", "5"),
        ("1_0", "10"),
        ("190:20:30", "685230"),
    ],
)
def test_yaml_1_1_numbers_are_never_converted_silently(tmp_path: Path, text: str, read: str):
    path = write(tmp_path, "x.yaml", f"name: x\nextends: hub_and_spoke\nhorizon: {text}\n")
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert f"horizon: YAML reads {text!r} as the number {read}" in result.stderr


def test_conditions_take_only_ascii_digits(tmp_path: Path):
    path = write(tmp_path, "x.yaml", "name: x\nextends: hub_and_spoke\nevents:\n  e:\n"
                 "    kind: tension_shock\n    when: \"step > \u0661\"\n"
                 "    actors: [CHN, PHL]\n    delta: 0.1\n")  # fmt: skip
    result = invoke("validate", path)
    assert result.exit_code == 2 and "events.e.when: bad condition" in result.stderr


def test_an_empty_reference_and_a_missing_report_folder_are_named(tmp_path: Path):
    assert "no scenario given (the name is empty)" in invoke("validate", "").stderr
    run = tmp_path / "run"
    assert invoke("run", "hub_and_spoke", "-n", "1", "--horizon", "2", "--out", run,
                  "-q").exit_code == 0  # fmt: skip
    result = invoke("report", run, "--out", tmp_path / "nodir" / "r.html")
    assert result.exit_code == 2 and "nodir does not exist" in result.output


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: {**s, "replicates": "x"},
        lambda s: {**s, "escalation_reached": {k: float("nan") for k in s["escalation_reached"]}},
        lambda s: {**s, "final": []},
    ],
)  # fmt: skip
def test_a_damaged_summary_gives_a_report_or_a_clear_error(tmp_path: Path, damage):
    run = tmp_path / "run"
    assert invoke("run", "hub_and_spoke", "-n", "2", "--horizon", "2", "--out", run,
                  "-q").exit_code == 0  # fmt: skip
    summary = json.loads((run / "summary.json").read_text())
    (run / "summary.json").write_text(json.dumps(damage(summary)))
    result = invoke("report", run)
    assert result.exit_code in (0, 2), result.output


def test_force_keeps_a_result_nested_inside_and_a_fake_marker(tmp_path: Path):
    outer = tmp_path / "outer"
    args = ("run", "hub_and_spoke", "-n", "1", "--horizon", "2", "-q")
    assert invoke(*args, "--out", outer).exit_code == 0
    assert invoke(*args, "--out", outer / "inner").exit_code == 0
    inner = (outer / "inner" / "summary.json").read_bytes()
    result = invoke(*args, "--out", outer, "--force")
    assert result.exit_code == 0 and "kept what geosim did not write: inner" in result.output
    assert (outer / "inner" / "summary.json").read_bytes() == inner
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / ".geosim").touch()  # an empty file is not geosim's ledger
    (mine / "notes.txt").write_text("mine")
    assert invoke(*args, "--out", mine, "--force").exit_code == 2
    assert (mine / "notes.txt").is_file()


RUN = ("run", "hub_and_spoke", "-n", "1", "--horizon", "2", "-q")


def test_force_keeps_the_users_notes_and_the_scenario_being_run(tmp_path: Path):
    out = tmp_path / "run1"
    assert invoke(*RUN, "--out", out).exit_code == 0
    (out / "notes.txt").write_text("what I saw")
    scenario = out / "my_scenario.yaml"
    scenario.write_text("name: my_scenario\nextends: hub_and_spoke\n")
    result = invoke("run", scenario, "-n", "1", "--horizon", "2", "-q", "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert "my_scenario.yaml, notes.txt" in result.output
    assert (out / "notes.txt").read_text() == "what I saw" and scenario.is_file()
    assert json.loads((out / "summary.json").read_text())["scenario"] == "my_scenario"
    resolved = out / "scenario.resolved.yaml"  # geosim wrote it; now it is the input
    result = invoke("run", resolved, "-n", "1", "--horizon", "2", "-q", "--out", out, "--force")
    assert result.exit_code == 2 and "is an input of this command" in result.output
    assert resolved.is_file()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("manifest.json", {"fingerprint": "abc", "format": 1, "bundle": "main.js"}),
        ("summary.json", {"version": "1.2.3", "config_hash": "ab"}),
    ],
)
def test_force_never_deletes_a_folder_for_its_key_names(tmp_path: Path, name: str, content):
    build = tmp_path / "build"
    build.mkdir()
    (build / name).write_text(json.dumps(content))
    (build / "main.js").write_text("a user's build")
    spec = write(tmp_path, "s.yaml", SWEEP)
    for command in (RUN, ("sweep", spec, "--workers", "0", "-q")):
        result = invoke(*command, "--out", build, "--force")
        assert result.exit_code == 2 and "not written by geosim" in result.output
    assert sorted(p.name for p in build.iterdir()) == sorted([name, "main.js"])


SWEEP = (
    "name: s\nbase: hub_and_spoke\ndesign: {method: grid}\nreplicates: 2\n"
    "parameters:\n  horizon: {values: [2, 3]}\n"
)


def test_report_out_never_replaces_what_geosim_did_not_write(tmp_path: Path):
    run = tmp_path / "run"
    assert invoke(*RUN, "--out", run).exit_code == 0
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("years of work")
    link = tmp_path / "link.html"
    link.symlink_to(thesis)
    for target, reason in (
        (thesis, "was not written by geosim"),
        (link, "is a symbolic link"),
        (Path("/dev/null"), "not a regular file"),
    ):
        result = invoke("report", run, "--out", target)
        assert result.exit_code == 2 and reason in result.output, result.output
    assert thesis.read_text() == "years of work" and link.is_symlink()
    assert invoke("report", run, "--out", tmp_path / "r.html").exit_code == 0
    assert invoke("report", run, "--out", tmp_path / "r.html").exit_code == 0  # its own
    assert invoke("report", run).exit_code == 0  # the run's own report.html, in its ledger


def test_a_killed_run_leaves_debris_that_the_next_run_cleans(tmp_path: Path):
    import signal
    import time

    out = tmp_path / "results" / "slow"
    command = [sys.executable, "-m", "sim", "run", "hub_and_spoke", "-n", "400", "-q",
               "--out", str(out)]  # fmt: skip
    for _ in range(2):
        process = subprocess.Popen(command)
        deadline = time.monotonic() + 120
        while not list(out.parent.glob(f"{STAGING}*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert list(out.parent.glob(f"{STAGING}*")), "the kill came too late to leave debris"
    assert invoke(*RUN, "--out", tmp_path / "results" / "next").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["next"]


def test_paths_the_file_system_refuses_are_one_message(tmp_path: Path):
    long = "n" * 300
    (tmp_path / "ext.yaml").write_text(f"name: x\nextends: {long}.yaml\n")
    (tmp_path / "home.yaml").write_text("name: x\nextends: ~nosuchuser/x.yaml\n")
    (tmp_path / "sweep.yaml").write_text(
        f"name: s\nbase: {long}.yaml\ndesign: {{method: grid}}\nreplicates: 1\n"
        "parameters:\n  horizon: {values: [2]}\n"
    )
    for args, expected in (
        (("validate", f"{long}.yaml"), "File name too long"),
        (("run", f"{long}.yaml"), "File name too long"),
        (("validate", tmp_path / "ext.yaml"), "ext.yaml:2: extends: cannot look for"),
        (("validate", tmp_path / "home.yaml"), "~nosuchuser: there is no such user"),
        (("sweep", tmp_path / "sweep.yaml", "--workers", "0"), "File name too long"),
        (("sweep", f"{long}.yaml"), "File name too long"),
        ((*RUN, "--out", tmp_path / long), "File name too long (ENAMETOOLONG)"),
        (("report", tmp_path / long), "File name too long"),
        (("analyze", tmp_path / long), "File name too long"),
        ((*RUN, "--out", tmp_path / "ext.yaml" / "x"), "not a folder"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.output and "Traceback" not in result.output, result.output


def test_control_characters_never_reach_the_terminal(tmp_path: Path):
    path = tmp_path / "ctl.yaml"
    path.write_text('name: x\n"\\e]0;pwned\\a": 3\npolicies: {"\\e[31mred": 1}\n')
    for command in ("validate", "run"):
        result = invoke(command, path)
        assert result.exit_code == 2
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "\\x1b]0;pwned\\x07" in result.output


def test_horizon_checks_the_whole_scenario_before_it_cuts(tmp_path: Path):
    text = (Path(__file__).parents[1] / "scenarios" / "history_2015_2023.yaml").read_text()
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "after: 72" in line)
    lines[at] = lines[at].replace("value_usd_m: 60", "value_usd_m: -60")
    bad = write(tmp_path, "bad.yaml", "\n".join(lines) + "\n")
    checked = invoke("validate", bad)
    cut = invoke("run", bad, "--horizon", "24", "-n", "1", "-q", "--out", tmp_path / "o")
    assert checked.exit_code == cut.exit_code == 2
    assert f"bad.yaml:{at + 1}: policies." in cut.output and "deliveries[2]" in cut.output
    assert cut.output.strip().endswith(checked.output.strip())
    quoted = write(tmp_path, "quoted.yaml", "name: q\nextends: hub_and_spoke\nhorizon: '12'\n")
    huge = write(tmp_path, "huge.yaml", "name: h\nextends: hub_and_spoke\n"
                 "policies:\n  us_presence_japan: {end: 1e40}\n")  # fmt: skip
    for path in (quoted, huge):
        assert invoke("validate", path).exit_code == 2
        assert invoke("run", path, "--horizon", "6", "-n", "1", "-q").exit_code == 2


def test_a_sweep_takes_an_empty_folder(tmp_path: Path):
    spec = write(tmp_path, "s.yaml", "name: s\nbase: hub_and_spoke\ndesign: {method: grid}\n"
                 "replicates: 2\nparameters:\n  horizon: {values: [2, 3]}\n")  # fmt: skip
    (tmp_path / "empty").mkdir()
    result = invoke("sweep", spec, "--workers", "0", "-q", "--out", tmp_path / "empty")
    assert result.exit_code == 0, result.output


def test_running_out_of_memory_is_one_message_with_a_hint(monkeypatch, tmp_path: Path):
    import sim.core.engine

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(sim.core.engine, "simulate", exhausted)
    result = invoke(*RUN, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.startswith("error: out of memory\nhint: ask for less at once")
    assert not (tmp_path / "out").exists()
