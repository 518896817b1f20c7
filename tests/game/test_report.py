"""The after-action report of a game: findings first, single-run words, every action, A4 print.

The report is read as a reader reads it: the findings page (question, where play stopped,
turning points), the outcomes with changes too small to matter as "about unchanged", every
action with who made it and its ruling, the plots with the stop and the actions marked, the
narrative; then printed to PDF by Debian's Chromium, which must take at most six A4 pages,
for a game stopped early and for one played to its end with many actions.
"""

from __future__ import annotations

import html as htmllib
import os
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import ARTIFACTS

from sim.game.findings import PRACTICAL, read_played
from sim.game.play import Game
from sim.game.record import Seat
from sim.game.report import MARKS, STOP_COLOR, draw_tension, narrative, session_report_html
from sim.scenario.moves import NAMES, Move

SECTIONS = ("findings", "outcomes", "moves", "plots", "narrative")
EXTERNAL = ('src="http', "src='http", 'href="http', "href='http", "<script", "<link", "url(")
#: Words of an ensemble report, which a single game must never use.
ENSEMBLE_WORDS = ("replicate", "wilson", "mean of", "significant", "90% band", "confidence")
PAGES = 6
#: An A4 page inside 14 mm margins, in CSS pixels (96 per inch).
A4_WIDTH, A4_HEIGHT = round((210 - 28) / 25.4 * 96), round((297 - 28) / 25.4 * 96)
WHY = (
    "The team judged that this would signal resolve without closing the door to talks, and that "
    "the allies watching the Strait needed to see it this turn."
)


def seats() -> list[Seat]:
    return [Seat(name="Blue", countries=["USA", "JPN"]), Seat(name="Red", countries=["CHN"])]


@pytest.fixture(scope="module")
def stopped(tmp_path_factory: pytest.TempPathFactory) -> Game:
    """The Taiwan crisis stopped at month 12 of 36: injects, a card, moves of every fate, a note."""
    game = Game.create(
        "taiwan_strait_crisis", tmp_path_factory.mktemp("stopped"), seats=seats(), game_id="aar"
    )
    game.advance(2)
    game.inject(
        Move.new("incident", actor="CHN", other="PHL", level="clash"),
        rationale="A coast-guard ship rams a Philippine resupply boat",
    )
    drill = game.submit(
        "Blue",
        Move.new("exercises", actor="USA", partners=["PHL"], per_year=6, months=12),
        "reassure Manila",
    )
    game.accept(drill.id)
    game.advance(3)
    game.inject(
        Move.new("incident", actor="CHN", other="TWN", level="standoff"),
        card="x",
        rationale="From the deck",
    )
    squeeze = {"actor": "CHN", "partners": ["TWN"], "months": 12}
    pressure = game.submit(
        "Red", Move.new("gray_zone_coercion", **squeeze, intensity=0.6), "make Taipei feel it"
    )
    halved = Move.new("gray_zone_coercion", **squeeze, intensity=0.4)
    game.accept(pressure.id, halved, ruling="too much for one turn")
    pact = game.submit(
        "Blue", Move.new("form_alliance", actor="USA", partners=["JPN", "PHL", "AUS"]), "a pact"
    )
    game.reject(pact.id, "Manila will not sign in a crisis")
    game.add_note("The teams argued over whether the quarantine was a blockade")
    game.advance(7)
    game.submit("Blue", Move.new("security_assistance", actor="USA", partners=["PHL"]), "more")
    return game


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Game:
    """The Taiwan crisis played to month 36 with fifteen actions, long rationales and notes."""
    game = Game.create(
        "taiwan_strait_crisis", tmp_path_factory.mktemp("full"), seats=seats(), game_id="full"
    )
    plan = {
        1: ("f", Move.new("incident", actor="CHN", other="TWN", level="standoff")),
        3: ("Red", Move.new("gray_zone_coercion", actor="CHN", partners=["TWN"], months=12)),
        4: ("Blue", Move.new("forward_presence", actor="USA", partners=["TWN"], months=6)),
        5: ("d", Move.new("incident", actor="CHN", other="JPN", level="clash")),
        7: ("Blue", Move.new("security_assistance", actor="USA", partners=["PHL"], months=24)),
        8: ("Red", Move.new("economic_coercion", actor="CHN", partners=["JPN"], months=12)),
        10: ("Blue", Move.new("form_alliance", actor="USA", partners=["JPN", "PHL", "AUS"])),
        12: ("f", Move.new("incident", actor="CHN", other="PHL", level="crisis")),
        15: ("Red", Move.new("trade_agreement", actor="CHN", partners=["VNM"])),
        16: ("Blue", Move.new("exercises", actor="USA", partners=["PHL", "JPN"], months=12)),
        18: ("d", Move.new("incident", actor="CHN", other="VNM", level="standoff")),
        21: ("Red", Move.new("dialogue", actor="CHN", partners=["PHL"], months=12)),
        22: ("Blue", Move.new("arms_transfer", actor="USA", partners=["TWN"], item="missiles")),
        28: ("f", Move.new("incident", actor="CHN", other="TWN", level="clash")),
        31: ("Red", Move.new("gray_zone_coercion", actor="CHN", partners=["PHL"], months=5)),
    }
    for month in range(36):
        if month in plan:
            who, move = plan[month]
            if who in ("f", "d"):
                game.inject(move, card="card" if who == "d" else "", rationale=WHY)
            else:
                action = game.submit(who, move, WHY)
                if month % 5 == 0:
                    game.reject(action.id, "Out of proportion to the board this turn, " + WHY)
                else:
                    game.accept(action.id, ruling="Accepted as it stands.")
        if month % 6 == 0:
            game.add_note(f"Month {month}: the teams argued about the next step. " + WHY)
        game.advance(1)
    return game


@pytest.fixture(scope="module")
def page(stopped: Game) -> str:
    return session_report_html(stopped)


def section(page: str, name: str) -> str:
    match = re.search(rf'<section id="{name}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no section {name}"
    return match.group(1)


def text(page: str) -> str:
    """What a reader reads: the page without tags (and so without the embedded images)."""
    words = re.sub(r"<style.*?</style>|<[^>]+>", " ", page, flags=re.S)
    return " ".join(htmllib.unescape(words).split())


def rows(page: str, table: str) -> list[str]:
    body = re.search(rf'<table id="{table}".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [text(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


# --------------------------------------------------------------------------------------------
# Findings first


def test_sections_come_in_order_findings_first(page: str) -> None:
    places = [page.index(f'<section id="{name}"') for name in SECTIONS]
    assert places == sorted(places)
    assert page.index("<h1>") < places[1]


def test_findings_ask_the_question_and_say_where_play_stopped(page: str) -> None:
    findings = text(section(page, "findings"))
    assert "Play stopped at month 12 of 36." in findings
    assert (
        "Does the quarantine stay a standoff, turn to force or become a blockade crisis, and how "
        "do Japan, the Philippines and Australia align?"
    ) in findings
    assert "Blue team: United States and Japan" in findings
    assert "Red team: China" in findings
    # the quarantine is China's, and a team holds China: left out, and said so in words
    assert "China declares a customs quarantine of Taiwan" in findings
    assert "In this game regional tension" in findings


def test_findings_have_three_to_five_turning_points_by_month(page: str) -> None:
    points = re.findall(
        r'<li><span class="when">Month (\d+)</span><span>(.*?)</span></li>',
        section(page, "findings"),
    )
    assert 3 <= len(points) <= 5
    months = [int(m) for m, _ in points]
    assert months == sorted(months) and max(months) <= 12
    assert any(
        t.startswith("Facilitator inject: Incident between China and the Ph") for _, t in points
    )


def test_a_single_game_is_worded_as_one_run(page: str) -> None:
    read = text(page).lower()
    for word in ENSEMBLE_WORDS:
        assert word not in read, word
    assert "in this game" in read
    assert "one run of the model" in read


# --------------------------------------------------------------------------------------------
# Outcomes


def test_outcomes_say_about_unchanged_below_the_thresholds(stopped: Game, page: str) -> None:
    table = rows(page, "outcome-table")
    assert 8 <= len(table) <= 12
    played = read_played(stopped)
    shown = 0
    for i, code in enumerate(played.codes):
        label = f"Alignment of {NAMES[code]}"
        row = next((r for r in table if r.startswith(label + " ")), None)
        if row is None:
            continue
        shown += 1
        change = played.alignment[i] - played.alignment0[i]
        assert row.endswith("about unchanged") == (abs(change) < PRACTICAL["alignment"]), row
    assert shown == 3
    regional = next(r for r in table if r.startswith("Regional tension"))
    delta = played.regional[-1] - played.regional[0]
    assert regional.endswith("about unchanged") == (abs(delta) < PRACTICAL["tension"])
    assert "0.05 in alignment" in text(section(page, "outcomes"))


def test_outcomes_name_the_highest_rung_and_where(page: str) -> None:
    row = next(r for r in rows(page, "outcome-table") if r.startswith("Highest rung"))
    assert "highest in play: clash (China–Philippines, month 3)" in row


# --------------------------------------------------------------------------------------------
# Moves and injects


def test_every_action_appears_with_who_and_ruling(stopped: Game, page: str) -> None:
    table = rows(page, "action-table")
    assert len(table) == len(stopped.record.actions) == 6
    expected = [
        ("2 Facilitator", "clash rung", "A coast-guard ship rams", "Injected"),
        ("2 Blue team", "6 exercises a year", "reassure Manila", "Accepted"),
        ("5 Inject card", "standoff rung", "From the deck", "Injected"),
        ("5 Red team", "(intensity 0.40)", "make Taipei feel it", "Amended too much for one turn"),
        ("5 Blue team", "collective-defence pact", "a pact", "Rejected Manila will not sign"),
        ("12 Blue team", "security assistance", "more", "Awaiting a ruling"),
    ]
    for row, (who, what, why, ruling) in zip(table, expected, strict=True):
        assert row.startswith(who + " "), row
        assert what in row and why in row and ruling in row, row
    amended = table[3]
    assert "Submitted as: China steps up gray-zone pressure on Taiwan (intensity 0.60)" in amended


def test_a_teams_copy_keeps_the_others_reasons_and_the_notes_out(stopped: Game) -> None:
    red = session_report_html(stopped, "Red")
    table = rows(red, "action-table")
    # Red's own move in full; Blue's played move without its reason or the ruling's words;
    # Blue's rejected pact and its pending move (never played) not at all; no notes.
    assert [row.split(" ")[0:2] for row in table] == [
        ["2", "Facilitator"],
        ["2", "Blue"],
        ["5", "Inject"],
        ["5", "Red"],
    ], table
    assert "make Taipei feel it" in table[3] and "too much for one turn" in table[3]
    assert "reassure Manila" not in red and "A coast-guard ship rams" not in red
    assert "From the deck" not in red and "Manila will not sign" not in red
    assert "a pact" not in text(section(red, "moves"))
    assert "The teams argued" not in red
    assert "the Red team's copy" in htmllib.unescape(red)
    blue = session_report_html(stopped, "Blue")
    assert "reassure Manila" in blue and "Manila will not sign" in blue
    assert "make Taipei feel it" not in blue


def test_the_facilitators_notes_are_shown(page: str) -> None:
    moves = text(section(page, "moves"))
    assert "Month 5: The teams argued over whether the quarantine was a blockade" in moves


def test_no_internal_ids_reach_the_reader(stopped: Game, page: str) -> None:
    read = text(page)
    keys = [*stopped.definition.alliances, *stopped.definition.events, *stopped.record.unscripted]
    keys += [action.entry for action in stopped.accepted()]  # a move's label: moves[0]…
    assert "us_taiwan_tra" in keys and "moves[0]" in keys
    for key in keys:
        assert key not in page, key
    codes = [c for c in NAMES if re.search(rf"\b{c}\b", read)]
    assert codes == [], codes
    assert "_" not in read


# --------------------------------------------------------------------------------------------
# Plots and narrative


def test_time_plots_mark_the_stop_and_every_accepted_action(stopped: Game) -> None:
    figure = draw_tension(read_played(stopped))
    months = {o: sorted({a.month for a in stopped.accepted() if a.origin == o}) for o in MARKS}
    assert months == {"facilitator": [2], "deck": [5], "team": [2, 5]}
    for ax in figure.axes:
        verticals = [
            (line.get_xdata()[0], line.get_color())
            for line in ax.get_lines()
            if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]
        ]
        assert (12, STOP_COLOR) in verticals
        for origin, marked in months.items():
            for month in marked:
                assert (month, MARKS[origin].color) in verticals, (origin, month)
        assert ax.get_xlim() == (0, 36)
        assert ax.patches, "the months not played are not shaded"


def test_the_report_embeds_its_plots(page: str) -> None:
    plots = section(page, "plots")
    assert plots.count('src="data:image/png;base64,') == 2
    assert "month 12 of 36" in text(plots)


def test_the_narrative_marks_who_made_each_action(stopped: Game, page: str) -> None:
    story = section(page, "narrative")
    for css, line in (
        ("inject", "Facilitator inject: Incident between China and the Philippines at the clash"),
        ("card", "Inject card: Incident between China and Taiwan at the standoff rung"),
        ("move", "Blue team move: The United States holds 6 exercises a year"),
        ("move", "Red team move: China steps up gray-zone pressure on Taiwan (intensity 0.40)"),
    ):
        assert re.search(rf'<li class="{css}[^"]*">.*?{re.escape(line)}', story), line
    assert "collective-defence" not in story  # rejected: it never happened
    last = re.findall(r"<li[^>]*>(.*?)</li>", story, re.S)[-1]
    assert text(last) == "Month 12 Play stopped at month 12 of 36."


def test_the_narrative_names_alliances_without_articles_or_notes(tmp_path: Path) -> None:
    game = Game.create(
        "taiwan_strait_crisis", tmp_path, seats=[Seat(name="Blue", countries=["USA"])]
    )
    move = game.submit("Blue", Move.new("task_force", actor="USA", partners=["TWN"]), WHY)
    game.accept(move.id)
    game.advance(24)
    lines = [line["text"] for line in narrative(read_played(game))["lines"]]
    answers = [line for line in lines if line.startswith("Alliance")]
    assert any("US–Taiwan task force" in line for line in answers), lines
    assert not any(re.search(r"\bthe (the|task force of)\b", line) for line in answers)
    assert not any("Taiwan Relations Act" in line for line in answers)  # named, not cited


def test_the_narrative_keeps_to_its_line_cap(full: Game) -> None:
    story = narrative(read_played(full))
    assert len(story["lines"]) <= 60
    assert "Left out for brevity" in story["omitted"]
    months = [line["month"] for line in story["lines"]]
    assert months == sorted(months)


def test_the_report_is_self_contained(page: str) -> None:
    lowered = page.lower()
    for needle in EXTERNAL:
        assert needle not in lowered, needle
    assert page.startswith("<!DOCTYPE html>")
    assert "@page { size: A4; margin: 14mm; }" in page


def test_a_game_not_yet_begun_has_a_report(tmp_path: Path) -> None:
    fresh = Game.create("taiwan_strait_crisis", tmp_path, seats=seats(), game_id="fresh")
    page = session_report_html(fresh)
    assert "Play stopped at month 0 of 36." in text(page)
    assert "None yet: no month has been played." in text(page)
    assert page.count("data:image/png;base64,") == 1


def test_a_finished_game_says_so(full: Game) -> None:
    page = session_report_html(full)
    assert "Played to the end: month 36 of 36." in text(section(page, "findings"))
    assert len(full.record.actions) == 15
    assert np.isfinite(read_played(full).regional).all()


# --------------------------------------------------------------------------------------------
# Printed on A4


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF: its page objects, which must agree with the page tree's count."""
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    assert counts and max(counts) == pages, (pages, counts)
    return pages


def printed(browser, page_html: str, shot: str) -> int:
    """Print a report to A4 in Chromium; keep a picture of its first page; return the pages."""
    tab = browser.new_page(viewport={"width": 900, "height": 1200})
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    try:
        tab.set_content(page_html, wait_until="load")
        assert [u for u in requests if not u.startswith(("data:", "about:"))] == []
        sheet = tab.locator("main.sheet").bounding_box()
        first = {**sheet, "height": sheet["width"] * 297 / 210}  # one A4 page of the sheet
        if os.environ.get("GEOSIM_ARTIFACTS"):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / shot), clip=first)
        return pdf_pages(tab.pdf(format="A4", print_background=True))
    finally:
        tab.close()


@pytest.mark.parametrize("which", ["stopped", "full"])
def test_the_findings_fit_on_the_first_printed_page(browser, which: str, request) -> None:
    game = request.getfixturevalue(which)
    tab = browser.new_page(viewport={"width": A4_WIDTH, "height": A4_HEIGHT})
    try:
        tab.emulate_media(media="print")
        tab.set_content(session_report_html(game), wait_until="load")
        findings = tab.locator("#findings").bounding_box()
        assert findings["width"] <= A4_WIDTH
        assert findings["height"] <= A4_HEIGHT, findings
    finally:
        tab.close()


def test_a_game_stopped_early_prints_on_at_most_six_pages(browser, page: str) -> None:
    assert 1 <= printed(browser, page, "session_report_stopped.png") <= PAGES


def test_a_full_game_with_many_actions_prints_on_at_most_six_pages(browser, full: Game) -> None:
    assert 1 <= printed(browser, session_report_html(full), "session_report_full.png") <= PAGES
