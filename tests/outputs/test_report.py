"""The HTML after-action report: content, self-containment, the CLI, and a real browser."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ARTIFACTS

from sim.cli import main
from sim.outputs.differences import METRIC_LABELS
from sim.outputs.report import ReportError, render_report

EXTERNAL = ('src="http', "src='http", 'href="http', "href='http", "<script src", "@import", "url(")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "run"
    result = invoke("run", "scs_crisis", "-n", "4", "--horizon", "18", "-q", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def compare_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "cmp"
    result = invoke(
        "compare", "hub_and_spoke", "latticework", "-n", "6", "--horizon", "12", "-q",
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def run_html(run_dir: Path) -> str:
    return render_report(run_dir)


@pytest.fixture(scope="session")
def compare_html(compare_dir: Path) -> str:
    return (compare_dir / "report.html").read_text(encoding="utf-8")


def section(html: str, anchor: str) -> str:
    """The HTML of one <section id=...>."""
    match = re.search(rf'<section id="{anchor}">(.*?)</section>', html, re.S)
    assert match, f"no section {anchor}"
    return match.group(1)


def assert_self_contained(html: str) -> None:
    lowered = html.lower()
    for needle in EXTERNAL:
        assert needle not in lowered, f"external reference {needle!r} in the report"
    assert "<script" not in lowered
    assert "<link" not in lowered


# --------------------------------------------------------------------------------------------
# Content of a run report


def test_run_report_names_the_scenario_and_run(run_html: str, run_dir: Path) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    assert "<title>geosim after-action report — scs_crisis</title>" in run_html
    overview = section(run_html, "overview")
    for value in ("scs_crisis", "hub_and_spoke", summary["config_hash"], summary["version"]):
        assert value in overview
    assert "18 months" in overview
    assert "Wilson" in overview and "90%" in overview


def test_run_report_shows_what_differs_from_the_parent(run_html: str) -> None:
    scenarios = section(run_html, "scenarios")
    assert "What differs from the parent scenario" in scenarios
    assert "<code>hub_and_spoke</code>" in scenarios
    # scs_crisis adds its injects to hub_and_spoke and runs 18 months instead of 120
    assert "events.shoal_standoff" in scenarios
    assert re.search(r"<code>horizon</code>.*?changed.*?120.*?18", scenarios, re.S)
    assert "South China Sea crisis game" in scenarios  # the description


def test_run_outcome_table_matches_summary(run_html: str, run_dir: Path) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    table = re.search(r'<table id="outcome-table">(.*?)</table>', run_html, re.S).group(1)
    for level in ("standoff", "clash", "crisis", "war"):
        assert f"P({level})" in table
        share = summary["escalation_reached"][level]
        assert f"{100 * share:.0f}%" in table
    credibility = summary["final"]["model"]["us_credibility"]["mean"]
    assert f"{credibility:.3f}" in table
    # 4 replicates: a share of 0% has the Wilson interval 0–49
    if summary["escalation_reached"]["war"] == 0:
        assert "0–49" in table
    assert 'id="spending-table"' in run_html


def test_run_report_embeds_every_plot(run_html: str, run_dir: Path) -> None:
    pngs = list((run_dir / "plots").glob("*.png"))
    assert len(pngs) == 2
    assert run_html.count("data:image/png;base64,") == len(pngs)
    assert 'src="plots/' not in run_html


def test_run_report_has_a_narrative(run_html: str) -> None:
    story = section(run_html, "narrative")
    lines = re.findall(r'<span class="month">Month (\d+):</span>', story)
    assert lines, "no narrative lines"
    months = [int(m) for m in lines]
    assert months == sorted(months)
    assert max(months) <= 18
    # the shoal standoff is scheduled in every replicate
    assert "inject — CHN–PHL incident opens at the standoff rung" in story
    assert "Replicate " in story and "closest to the median" in story


def test_run_report_has_provenance(run_html: str) -> None:
    provenance = section(run_html, "provenance")
    assert "parameters.arms.reaction" in provenance
    assert "FREE" in provenance and "data" in provenance
    # fact references are expanded to the fact's summary
    assert "fact:us_phl_mdt_applies_scs" in provenance
    assert "Mutual Defense Treaty covers attacks" in provenance
    assert "ATOP v5.1 2018" in provenance


def test_run_report_is_self_contained(run_html: str) -> None:
    assert_self_contained(run_html)


# --------------------------------------------------------------------------------------------
# Content of a comparison report


def test_comparison_report_covers_both_scenarios(compare_html: str) -> None:
    assert "<title>geosim after-action report — hub_and_spoke vs latticework</title>" in (
        compare_html
    )
    table = re.search(r'<table id="outcome-table">(.*?)</table>', compare_html, re.S).group(1)
    assert table.count("<tr>") == 3  # header + two scenarios
    assert "hub_and_spoke" in table and "latticework" in table
    assert "common random numbers" in section(compare_html, "overview")
    scenarios = section(compare_html, "scenarios")
    assert "What differs from the parent and reference scenario" in scenarios
    assert "events.quad_deepens" in scenarios  # what the lattice adds to the 2025 world


def test_comparison_differences_follow_compare_csv(compare_html: str, compare_dir: Path) -> None:
    frame = pd.read_csv(compare_dir / "compare.csv")
    table = re.search(r'<table id="difference-table">(.*?)</table>', compare_html, re.S).group(1)
    assert "latticework" in table and "US credibility" in table
    changed = frame[
        (frame["scenario"] == "latticework")
        & (frame["verdict"] != "about unchanged")
        & frame["country"].notna()
    ]
    for metric, country in zip(changed["metric"], changed["country"], strict=True):
        assert f"{METRIC_LABELS.get(metric, metric)} {country}" in table
    shown = set(re.findall(r"alignment ([A-Z]{3})", table))
    assert shown == set(changed[changed["metric"] == "alignment"]["country"])
    findings = section(compare_html, "findings")
    mine = frame[(frame["scenario"] == "latticework") & (frame["metric"] != "p_gray_zone")]
    told = mine[mine["verdict"].isin(["higher", "lower"])]
    assert findings.count("<li>") == min(len(told), 6)
    unsure = int((mine["verdict"] == "inconclusive").sum())
    if unsure:
        assert f"{unsure} " in findings and "inconclusive" in findings
    assert "outcome is about unchanged" in findings


def test_comparison_report_embeds_every_plot(compare_html: str, compare_dir: Path) -> None:
    pngs = list(compare_dir.glob("**/*.png"))
    assert len(pngs) == 5 + 2 * 2  # comparison plots + two plots per scenario
    assert compare_html.count("data:image/png;base64,") == len(pngs)
    assert_self_contained(compare_html)


def test_comparison_narrative_per_scenario_reference_first(compare_html: str) -> None:
    story = section(compare_html, "narrative")
    names = re.findall(r"<summary><code>(\w+)</code>", story)
    assert names == ["hub_and_spoke", "latticework"]
    assert "Month " in story


def test_comparison_report_opens_with_what_differs_and_ends_with_what_was_run(
    compare_html: str, compare_dir: Path
) -> None:
    order = re.findall(r'<section id="(\w+)">', compare_html)
    assert order[0] == "findings" and order[-1] == "overview"
    findings = section(compare_html, "findings")
    assert '<table id="difference-table">' in findings  # the differences on the first screen
    assert "Seed" not in findings and "Config hash" not in findings
    assert "Seed" in section(compare_html, "overview")
    frame = pd.read_csv(compare_dir / "compare.csv", keep_default_na=False)
    same = frame[
        (frame["scenario"] == "latticework")
        & (frame["country"] == "")
        & frame["metric"].isin(["p_crisis", "regional_tension", "us_credibility"])
        & (frame["verdict"] == "about unchanged")
    ]
    for metric in same["metric"]:  # named, with their difference, where they are unchanged
        assert re.search(rf"among them .*?{re.escape(METRIC_LABELS[metric])} [+−]", findings)


def test_an_unattributed_edit_list_says_how_to_attribute_it(compare_html, compare_dir):
    edits = section(compare_html, "edits")
    assert "latticework</code> differs from <code>hub_and_spoke</code> in" in edits
    assert "events.quad_deepens" in edits
    assert "again with --attribute" in edits
    assert not (compare_dir / "attribution.csv").exists()
    about = json.loads((compare_dir / "attribution.json").read_text())
    assert about["scenarios"]["latticework"]["attributed"] is False


#: An edited copy of hub_and_spoke: an aid programme that starts when the run ends (inert) and
#: a war between China and Vietnam at month 6.
EDITED = """name: edited
extends: hub_and_spoke
policies:
  late_aid:
    kind: security_assistance
    actor: USA
    partners: [THA]
    usd_m_per_year: 500
    start: 12
events:
  war:
    kind: incident
    actors: [CHN, VNM]
    level: war
    step: 6
"""


@pytest.fixture(scope="session")
def attributed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("attributed")
    (folder / "edited.yaml").write_text(EDITED)
    out = folder / "cmp"
    result = invoke(
        "compare", "hub_and_spoke", str(folder / "edited.yaml"), "-n", "4", "--horizon", "12",
        "--fixed-parameters", "--attribute", "-q", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_compare_attribute_says_which_edit_carries_the_difference(attributed_dir: Path):
    table = pd.read_csv(attributed_dir / "attribution.csv", keep_default_na=False)
    war = table[(table["metric"] == "p_war") & (table["country"] == "")].set_index("entry")
    assert set(war.index) == {"policies.late_aid", "events.war", "(the rest)"}
    assert war.loc["events.war", "part"] == war.loc["events.war", "whole"] > 0.5
    assert war.loc["policies.late_aid", "part"] == 0 and war.loc["(the rest)", "part"] == 0
    html = (attributed_dir / "report.html").read_text(encoding="utf-8")
    edits = section(html, "edits")
    assert "edited</code> differs from <code>hub_and_spoke</code> in 2 entries" in edits
    told = re.search(r'<ul class="parts">(.*?)</ul>', edits, re.S).group(1)
    (war_words,) = re.findall(r"<li>(P\(war\), .*?)</li>", told)
    assert "in all: events.war +" in war_words and "(100%), policies.late_aid +0.0" in war_words
    assert 'id="edits-1"' in edits and "policies.late_aid" in edits
    assert html.index('id="findings"') < html.index('id="edits"') < html.index('id="scenarios"')


# --------------------------------------------------------------------------------------------
# Building blocks


# --------------------------------------------------------------------------------------------
# The command line


def test_report_command_rewrites_report(run_dir: Path) -> None:
    target = run_dir / "report.html"
    target.write_text("edited by hand")
    refused = invoke("report", str(run_dir))
    assert refused.exit_code == 2 and "was not written by geosim" in refused.output
    assert target.read_text() == "edited by hand"
    target.unlink()
    result = invoke("report", str(run_dir))
    assert result.exit_code == 0
    assert str(target) in result.output
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "scs_crisis" in html


def test_report_command_out_option(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "aar.html"
    assert invoke("report", str(run_dir), "--out", str(target)).exit_code == 0
    assert "parameters.arms.reaction" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["missing", "file", "no_summary"])
def test_report_command_refuses_non_results(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "folder"
    if kind == "file":
        path.write_text("x")
    elif kind == "no_summary":
        path.mkdir()
        (path / "model.csv").write_text("replicate,step\n")
    result = CliRunner().invoke(main, ["report", str(path)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = result.output.strip()
    assert message.count("\n") == 0, message
    assert message.startswith("error:") and str(path) in message
    assert "Traceback" not in result.output
    expected = {"missing": "does not exist", "file": "not a folder", "no_summary": "summary.json"}
    assert expected[kind] in message
    with pytest.raises(ReportError):
        render_report(path)
    assert not (path / "report.html").exists()


# --------------------------------------------------------------------------------------------
# A real browser


@pytest.mark.parametrize("which", ["run", "compare"])
def test_report_renders_in_chromium(
    browser, which: str, run_dir: Path, compare_dir: Path, tmp_path: Path
) -> None:
    folder = run_dir if which == "run" else compare_dir
    report = folder / "report.html"
    if which == "run":
        assert invoke("report", str(folder)).exit_code == 0
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        assert errors == []
        widths = page.evaluate("[...document.images].map(i => i.complete ? i.naturalWidth : 0)")
        expected = 2 if which == "run" else 9
        assert len(widths) == expected
        assert all(w > 0 for w in widths), widths
        assert page.locator("h1").is_visible()
        assert page.locator("#outcome-table").is_visible()
        # nothing but the file itself (and its data URIs) was requested
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        # no horizontal scrolling at 1366 px
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        name = f"report_{which}.png"
        page.screenshot(path=str(tmp_path / name), full_page=True)
        assert (tmp_path / name).stat().st_size > 10_000
        if os.environ.get("GEOSIM_ARTIFACTS"):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    finally:
        page.close()
