"""What a game found: the board's history read once, and the findings of its after-action report.

A game is one run of the model, not an ensemble, so a finding is not a statistical test: a
change counts when it passes a threshold of practical importance, defined once here
(:data:`PRACTICAL`) and quoted in the report's footnote (:func:`threshold_note`); anything
smaller reads "about unchanged" (:func:`change_words`).

:func:`read_played` takes from a :class:`~sim.game.play.Game` what every section of the report
needs (:class:`Played`: tension, levels, alignment and spending month by month, the records
and the actions); :func:`question`, :func:`answer` and :func:`turning_points` make the findings
page of :mod:`sim.game.report`. Everything a reader sees names states and alliances in words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.core import records
from sim.core.dynamics.step import initial_levels
from sim.game.play import Game
from sim.game.record import Action
from sim.scenario.ladder import level_name, rung_words
from sim.scenario.loader import load_scenario
from sim.scenario.moves import NAMES, alliance_label, country_name, joined
from sim.scenario.problems import ScenarioError
from sim.scenario.schema import Scenario

#: Thresholds of practical importance: a change smaller than these reads "about unchanged".
#: Tension and credibility are on 0…1, alignment on −1 (China) … +1 (the US), spending in
#: percent of month 0, hedgers in states. A rung counts whenever it changes.
PRACTICAL: dict[str, float] = {
    "tension": 0.02,
    "credibility": 0.02,
    "alignment": 0.05,
    "spending": 5.0,
    "hedgers": 1.0,
}
#: Words of a rise and of a fall, by kind of outcome.
DIRECTIONS: dict[str, tuple[str, str]] = {
    "tension": ("rose", "fell"),
    "credibility": ("rose", "fell"),
    "alignment": ("towards the US", "towards China"),
    "spending": ("up", "down"),
    "hedgers": ("more", "fewer"),
}
#: A change this many thresholds large is "sharp".
SHARP = 4.0
#: Months after an action over which its effect on tension is read (turning points).
LOOKAHEAD = 3
#: Turning points shown: at most, and at least when the game offers that many.
MOST_TURNING_POINTS, FEWEST_TURNING_POINTS = 5, 3
#: Longest head of a description that a built question quotes (characters).
HEAD = 140
#: The two poles, whose alignment never moves.
POLES = ("USA", "CHN")


@dataclass(frozen=True)
class Question:
    """The question a scenario puts to a game.

    Attributes:
        text: The question.
        dyad: The pair of states it turns on, if one.
        states: The states whose alignment answers it.
    """

    text: str
    dyad: tuple[str, str] | None = None
    states: tuple[str, ...] = ()


_TAIWAN_TAIL = (
    "does the quarantine stay a standoff, turn to force or become a blockade crisis, and how do "
    "Japan, the Philippines and Australia align?"
)
_TAIWAN = (("CHN", "TWN"), ("JPN", "PHL", "AUS"))

#: The questions of the shipped scenarios (others get one built from their description).
QUESTIONS: dict[str, Question] = {
    "taiwan_strait_crisis": Question(_TAIWAN_TAIL[:1].upper() + _TAIWAN_TAIL[1:], *_TAIWAN),
    "taiwan_strait_clarity": Question(
        f"With Washington pledged plainly to defend Taiwan, {_TAIWAN_TAIL}", *_TAIWAN
    ),
    "taiwan_strait_pact": Question(
        f"With the US and its Pacific allies bound by a pact, {_TAIWAN_TAIL}", *_TAIWAN
    ),
    "scs_crisis": Question(
        "Does the China–Philippines standoff at the shoal escalate, does the US–Philippines "
        "alliance answer, and where do the Philippines and Vietnam align?",
        ("CHN", "PHL"),
        ("PHL", "VNM"),
    ),
    "hub_and_spoke": Question(
        "Does the status quo hold: does tension stay where it is, and do the hedgers of "
        "Southeast Asia stay between the poles?",
        None,
        ("PHL", "VNM", "IDN"),
    ),
    "formal_asian_nato": Question(
        "Does a collective-defence pact of the US and its Pacific allies deter more than the "
        "hub-and-spoke network, and how do China and the hedging ASEAN states respond?",
        ("USA", "CHN"),
        ("VNM", "IDN", "MYS"),
    ),
    "latticework": Question(
        "Do overlapping minilateral groupings buy deterrence and alignment at less cost in "
        "tension than a pact?",
        ("USA", "CHN"),
        ("IND", "VNM", "PHL"),
    ),
    "peace_through_strength_2025": Question(
        "Does pairing firmer deterrence in the South China Sea with economic deals and a channel "
        "to Beijing lower regional tension or raise it?",
        ("CHN", "PHL"),
        ("VNM", "MYS", "THA", "KHM"),
    ),
    "sea_rebalance_2013": Question(
        "Does a cheap, non-treaty US push in Southeast Asia move the hedgers, and what does it do "
        "to tension?",
        None,
        ("MYS", "IDN", "VNM", "PHL"),
    ),
    "history_2015_2023": Question(
        "Played from 2015, where do the region's alignments and tensions stand by 2023?",
        None,
        ("PHL", "VNM", "KOR"),
    ),
    "us_retrenchment": Question(
        "When the United States pulls back, do its allies spend more, drift towards China, or "
        "hedge?",
        None,
        ("JPN", "KOR", "AUS", "PHL"),
    ),
}


# --------------------------------------------------------------------------------------------
# Practical importance


def practically_changed(kind: str, delta: float) -> bool:
    """Whether a change is large enough to matter (see :data:`PRACTICAL`)."""
    return abs(float(delta)) >= PRACTICAL[kind] - 1e-12


def change_words(kind: str, delta: float) -> str:
    """A change in plain words: "about unchanged" below its threshold of practical importance.

    Args:
        kind: A key of :data:`PRACTICAL` (``tension``, ``alignment``…).
        delta: The change (now minus month 0).

    Returns:
        ``"about unchanged"``, or the direction and size: ``"rose by 0.04"``, ``"towards the
        US by 0.07"``, ``"up 6%"``, ``"2 more"``; "sharply" from :data:`SHARP` thresholds on.
    """
    if not practically_changed(kind, delta):
        return "about unchanged"
    up, down = DIRECTIONS[kind]
    way, size = (up if delta > 0 else down), abs(float(delta))
    sharp = size >= SHARP * PRACTICAL[kind]
    if kind == "spending":
        return f"{way} {size:.0f}%" + (", sharply" if sharp else "")
    if kind == "hedgers":
        return f"{size:.0f} {way}"
    if kind == "alignment":
        return ("sharply " if sharp else "") + f"{way} by {size:.2f}"
    return f"{way}{' sharply' if sharp else ''} by {size:.2f}"


def threshold_note() -> str:
    """The footnote that states the thresholds of practical importance."""
    return (
        "One game is one run of the model: every number is what happened in this game. A change "
        f"counts when it is at least {PRACTICAL['tension']:.2f} in tension, "
        f"{PRACTICAL['credibility']:.2f} in US credibility (both 0 to 1), "
        f"{PRACTICAL['alignment']:.2f} in alignment (−1 with China to +1 with the US), "
        f"{PRACTICAL['spending']:.0f}% in military spending, {PRACTICAL['hedgers']:.0f} hedging "
        "state, or any change of rung; anything smaller reads \u201cabout unchanged\u201d. "
        f"\u201cSharply\u201d means {SHARP:.0f} times the threshold or more."
    )


def number(value: float, digits: int = 2, *, sign: bool = False) -> str:
    """A number as a reader sees it: fixed digits and a true minus sign."""
    value = float(value)
    if abs(value) < 0.5 * 10**-digits:
        value = 0.0
    return (f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}").replace("-", "−")


def cap(text: str) -> str:
    """Text with its first letter in capitals."""
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------------------------
# The game as played


@dataclass(frozen=True)
class Played:
    """What the report reads from a game, once, under its lock.

    Attributes:
        month: The month play stopped at.
        horizon: The game's last month.
        codes: The states, in the board's order.
        pairs: The two states of each dyad, in the board's dyad order.
        regional: Regional tension, month 0 … ``month``.
        credibility: US credibility, month by month.
        hedgers: Number of hedging states, month by month.
        tension: Dyad tension, months × dyads.
        levels: Dyad escalation level at each month's end (0 calm … 5 war), months × dyads.
        reached: The highest level each dyad touched in each month (an injected rung that
            eased within its month included).
        alignment0: Alignment at month 0, by state.
        alignment: Alignment now.
        milex0: Military spending at month 0 (US$ bn a year).
        milex: Military spending now.
        events: What happened, as typed records.
        actions: Every inject, card and move, in order of submission.
        entries: Accepted actions by the name of their scenario entry.
        definition: The scenario played (the base and the accepted actions).
        original: The scenario as shipped (with the scripts of held states), when it loads.
    """

    month: int
    horizon: int
    codes: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    regional: np.ndarray
    credibility: np.ndarray
    hedgers: np.ndarray
    tension: np.ndarray
    levels: np.ndarray
    reached: np.ndarray
    alignment0: np.ndarray
    alignment: np.ndarray
    milex0: np.ndarray
    milex: np.ndarray
    events: tuple[records.Record, ...]
    actions: tuple[Action, ...]
    entries: dict[str, Action]
    definition: Scenario
    original: Scenario | None

    @property
    def accepted(self) -> list[Action]:
        """The actions on the board, by month."""
        done = [a for a in self.actions if a.status == "accepted"]
        return sorted(done, key=lambda a: (a.month, a.applied, a.id))

    @property
    def finished(self) -> bool:
        """Whether the game was played to its horizon."""
        return self.month >= self.horizon

    def dyad(self, a: str, b: str) -> int | None:
        """The dyad of two states, if both are on the board."""
        key = tuple(sorted((a, b)))
        return next((d for d, p in enumerate(self.pairs) if tuple(sorted(p)) == key), None)


def level_path(model, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Each dyad's escalation level month by month, and the highest it touched in each month.

    Month 0 is the model's own draw (:func:`~sim.core.dynamics.step.initial_levels`, on the
    board's random streams); every later month applies that month's records, each of which
    states the rung a dyad moved to. An injected incident that eases within its month counts
    as reached, though the month ends lower.

    Returns:
        ``(levels, reached)``, each months × dyads.
    """
    world = model.world
    start = initial_levels(world, model.state.keys)[0]
    column = {tuple(sorted(p)): d for d, p in enumerate(pairs)}
    current = np.array([start[world.index(a), world.index(b)] for a, b in pairs], dtype=int)
    moved: dict[int, list[records.Record]] = {}
    ladder = records.IncidentStarted | records.Escalated | records.Deescalated
    for record in model.events:
        if isinstance(record, ladder | records.IncidentInjected):
            moved.setdefault(record.step, []).append(record)
    levels = np.zeros((model.month + 1, len(pairs)), dtype=int)
    levels[0] = current
    reached = levels.copy()
    for step in range(1, model.month + 1):
        touched = current.copy()
        for record in moved.get(step, []):
            d = column.get(tuple(sorted(record.pair)))
            if d is not None:
                current[d] = record.rung
                touched[d] = max(touched[d], record.rung)
        levels[step], reached[step] = current, np.maximum(touched, current)
    return levels, reached


def _original(game: Game) -> Scenario | None:
    try:
        return load_scenario(game.record.scenario)
    except (ScenarioError, OSError, ValueError):
        return None


def read_played(game: Game) -> Played:
    """The game as played so far, read from its board and record."""
    with game.lock:
        model, month = game.model, game.model.month
        world = model.world
        pairs = tuple(
            (world.codes[i], world.codes[j])
            for i, j in zip(world.dyad_i, world.dyad_j, strict=True)
        )
        series = model.datacollector.model_vars
        levels, reached = level_path(model, pairs)
        actions = tuple(a.model_copy(deep=True) for a in game.record.actions)
        return Played(
            month=month,
            horizon=world.horizon,
            codes=tuple(world.codes),
            pairs=pairs,
            regional=np.asarray(series["regional_tension"][: month + 1], dtype=float),
            credibility=np.asarray(series["us_credibility"][: month + 1], dtype=float),
            hedgers=np.asarray(series["hedgers"][: month + 1], dtype=float),
            tension=np.asarray(model.tension_history[: month + 1], dtype=float),
            levels=levels,
            reached=reached,
            alignment0=np.asarray(world.alignment0, dtype=float).copy(),
            alignment=model.state.alignment[0].copy(),
            milex0=np.asarray(model.milex_history[0], dtype=float).copy(),
            milex=np.asarray(model.milex_history[month], dtype=float).copy(),
            events=tuple(model.events),
            actions=actions,
            entries={a.entry: a for a in actions if a.status == "accepted" and a.entry},
            definition=model.definition,
            original=_original(game),
        )


# --------------------------------------------------------------------------------------------
# Words


def dyad_words(pair: Iterable[str]) -> str:
    """Two states by name: ``China–Taiwan``."""
    return "–".join(NAMES.get(code, code) for code in pair)


def between(pairs: Sequence[tuple[str, str]]) -> str:
    """Where something happened: "between China and Taiwan", or "in China–Taiwan and …"."""
    if len(pairs) == 1:
        a, b = pairs[0]
        return f"between {country_name(a)} and {country_name(b)}"
    return "in " + joined([dyad_words(p) for p in pairs])


def rung_phrase(level: int) -> str:
    """A level as the object of a sentence: "a clash", "gray-zone pressure", "calm"."""
    name = level_name(level)
    if name in ("calm", "war"):
        return name
    return "gray-zone pressure" if name == "gray_zone" else f"a {rung_words(name)}"


def action_text(action: Action) -> str:
    """An action as a line: who made it and what it does."""
    who = {"facilitator": "Facilitator inject", "deck": "Inject card"}.get(
        action.origin, f"{action.seat} team move"
    )
    return f"{who}: {action.summary}"


def stop_words(played: Played) -> str:
    """Where play stopped: "Play stopped at month 14 of 36" (or played to the end)."""
    if played.finished:
        return f"Played to the end: month {played.month} of {played.horizon}."
    return f"Play stopped at month {played.month} of {played.horizon}."


def _first_sentence(text: str) -> str:
    text = " ".join(text.replace("_", " ").split())
    match = re.match(r"(.+?[.!?])(\s+[A-Z(]|$)", text)
    return (match.group(1) if match else text).strip()


def question(game: Game) -> Question:
    """The question the game asks: its shipped scenario's, or one built from its description."""
    known = QUESTIONS.get(game.base.name)
    if known is not None:
        return known
    first = re.split(r"[:;—]", _first_sentence(game.base.description))[0].rstrip(". ")
    if len(first) > HEAD:
        first = first[:HEAD].rsplit(" ", 1)[0].rstrip(",") + " …"
    if not first:
        return Question(
            "Where do tension, escalation and alignment go in this game, and who moves?"
        )
    return Question(
        f"In {first[:1].lower() + first[1:]}, where do tension, escalation and alignment go, and "
        "who moves?"
    )


def scenario_words(game: Game) -> str:
    """The scenario in plain words: its description's first sentence and its length."""
    first = _first_sentence(game.base.description) or cap(game.base.name.replace("_", " ")) + "."
    return f"{first} The game runs {game.horizon} months."


def unscripted_words(played: Played, names: Iterable[str]) -> list[str]:
    """The scripted events left out because a team holds their actor, in words."""
    events = played.original.events if played.original is not None else {}
    found = []
    for name in names:
        event = events.get(name)
        found.append(getattr(event, "note", "") or name.replace("_", " "))
    return found


# --------------------------------------------------------------------------------------------
# The answer


def peak(played: Played, pair: tuple[str, str] | None = None) -> tuple[int, int, list[int]]:
    """The highest level reached (in one dyad, or any), the first month, and the dyads there."""
    columns = list(range(len(played.pairs)))
    if pair is not None:
        d = played.dyad(*pair)
        columns = [] if d is None else [d]
    if not columns:
        return 0, 0, []
    levels = played.reached[:, columns]
    top = int(levels.max())
    month = int(np.argmax(levels.max(axis=1) >= top))
    return top, month, [columns[k] for k in np.nonzero(levels[month] >= top)[0]]


def cause(played: Played, pair: tuple[str, str], month: int) -> tuple[Action, int] | None:
    """The action whose injected incident set off a dyad's level at ``month``, and its rung."""
    key = tuple(sorted(pair))
    for record in played.events:
        if (
            isinstance(record, records.IncidentInjected)
            and record.step == month
            and tuple(sorted(record.pair)) == key
            and record.event in played.entries
        ):
            return played.entries[record.event], record.rung
    return None


def _who(action: Action) -> str:
    if action.origin == "team":
        return f"a move of the {action.seat} team"
    return "a facilitator inject" if action.origin == "facilitator" else "an inject card"


def _trend(kind: str, start: float, end: float) -> str:
    delta = end - start
    if not practically_changed(kind, delta):
        return f"stayed about unchanged ({number(start)} at month 0, {number(end)} now)"
    verb = DIRECTIONS[kind][0 if delta > 0 else 1]
    sharp = " sharply" if abs(delta) >= SHARP * PRACTICAL[kind] else ""
    return f"{verb}{sharp} from {number(start)} at month 0 to {number(end)}"


def movers(played: Played) -> list[int]:
    """The states (not the poles) by the size of their alignment change, largest first."""
    change = played.alignment - played.alignment0
    order = np.argsort(-np.abs(change), kind="stable")
    return [int(i) for i in order if played.codes[i] not in POLES]


def _alignment_sentence(played: Played, focus: Sequence[str]) -> str:
    change = played.alignment - played.alignment0
    moved = [i for i in movers(played) if practically_changed("alignment", change[i])]
    if moved:
        words = [
            f"{country_name(played.codes[i])} moved {change_words('alignment', change[i])}"
            for i in moved[:4]
        ]
        more = f" (and {len(moved) - 4} more)" if len(moved) > 4 else ""
        text = f"{cap(joined(words))}{more} on the China–US axis."
    else:
        largest = movers(played)[0]
        text = (
            f"No state moved on the China–US axis by {PRACTICAL['alignment']:.2f} or more (the "
            f"largest move: {country_name(played.codes[largest])}, "
            f"{number(change[largest], sign=True)})."
        )
    shown = {played.codes[i] for i in moved[:4]}
    quiet = [c for c in focus if c in played.codes and c not in shown]
    if quiet:
        verb = "stays" if len(quiet) == 1 else "stay"
        text += f" {cap(joined([country_name(c) for c in quiet]))} {verb} about where they were."
    return text


def answer(game: Game, played: Played) -> list[str]:
    """The answer in words: regional tension, the highest rung, who moved, US credibility."""
    regional = _trend("tension", played.regional[0], played.regional[-1])
    sentences = [f"In this game regional tension {regional}."]
    top, month, at = peak(played)
    where = between([played.pairs[d] for d in at])
    if top > played.reached[0].max():
        by = cause(played, played.pairs[at[0]], month)
        when = (
            f"at month {month}"
            if by is None
            else f"set off by {_who(by[0])} at month {by[0].month}"
        )
        sentences.append(f"The highest rung reached was {rung_phrase(top)}, {where}, {when}.")
    else:
        sentences.append(
            f"No incident rose above the {rung_words(level_name(top))} that stood at the start "
            f"({where})."
        )
    asked = question(game)
    if asked.dyad is not None and played.dyad(*asked.dyad) is not None:
        focus, _, _ = peak(played, asked.dyad)
        now = int(played.levels[-1, played.dyad(*asked.dyad)])
        still = "still " if now == focus and now > 0 else ""
        sentences.append(
            f"Between {country_name(asked.dyad[0])} and {country_name(asked.dyad[1])} the highest "
            f"rung was {rung_phrase(focus)}; at month {played.month} it is {still}"
            f"{rung_phrase(now)}."
        )
    sentences.append(_alignment_sentence(played, asked.states))
    credibility = _trend("credibility", played.credibility[0], played.credibility[-1])
    sentences.append(f"US credibility {credibility}.")
    return sentences


# --------------------------------------------------------------------------------------------
# Turning points


@dataclass(frozen=True)
class TurningPoint:
    """A month where something decisive happened.

    Attributes:
        month: The month.
        text: Who did what, in one line.
        rank: Its class, strongest 3 (see :func:`turning_points`).
        size: Its size within the class (the rung, or the change of tension).
    """

    month: int
    text: str
    rank: int
    size: float


def involved(played: Played, action: Action) -> list[int]:
    """The dyads an action is about: its actor with each state it names."""
    move = action.move
    others = list(move.get("partners") or []) + ([move["other"]] if move.get("other") else [])
    found = [played.dyad(str(move.get("actor", "")), str(other)) for other in others]
    return [d for d in found if d is not None]


def effect(played: Played, action: Action) -> tuple[float, str]:
    """The largest change of tension in the :data:`LOOKAHEAD` months after an action, and where."""
    start, end = action.month, min(action.month + LOOKAHEAD, played.month)
    if end <= start:
        return 0.0, ""
    best, where = float(played.regional[end] - played.regional[start]), "regional tension"
    for d in involved(played, action):
        delta = float(played.tension[end, d] - played.tension[start, d])
        if abs(delta) > abs(best):
            best, where = delta, f"{dyad_words(played.pairs[d])} tension"
    return best, where


def _new_rungs(played: Played) -> tuple[list[TurningPoint], set[int]]:
    """Months in which a dyad first reached a rung above any before, and the actions behind."""
    found, behind = [], set()
    highest = int(played.reached[0].max()) if played.reached.size else 0
    for month in range(1, played.month + 1):
        row = played.reached[month]
        if row.max() <= highest:
            continue
        highest = int(row.max())
        pair = played.pairs[int(np.argmax(row))]
        by = cause(played, pair, month)
        if by is not None:
            action, rung = by
            climb = "" if rung >= highest else f"; it climbs to {rung_phrase(highest)}"
            text = f"{action_text(action)}{climb} — the highest rung of the game so far"
            when = action.month
            behind.add(action.id)
        else:
            text = (
                f"The {dyad_words(pair)} incident escalates to {rung_phrase(highest)}, the "
                "highest rung of the game so far"
            )
            when = month
        found.append(TurningPoint(when, text, 3, float(highest)))
    return found, behind


def turning_points(played: Played) -> list[TurningPoint]:
    """Three to five decisive months, chosen by a fixed rule, in order of month.

    The candidates, by class:

    3. a month in which a dyad first reaches a rung above any reached before in the game; an
       accepted alliance move (form, join, leave); a scripted change of membership;
    2. an accepted inject, card or move followed within :data:`LOOKAHEAD` months by a change of
       tension (regional, or of a dyad it is about) that passes the practical threshold; the
       month of the largest one-month change of regional tension, if that change passes it;
    1. the other accepted actions;
    0. the largest one-month change of regional tension, however small.

    Classes 3 and 2 are kept, strongest first (by class, then size), up to
    :data:`MOST_TURNING_POINTS`; classes 1 and 0 only fill up to :data:`FEWEST_TURNING_POINTS`.
    """
    found, told = _new_rungs(played)
    for action in played.accepted:
        if action.id in told:
            continue
        text = action_text(action)
        delta, where = effect(played, action)
        if action.move.get("kind") in ("form_alliance", "join_alliance", "leave_alliance"):
            found.append(TurningPoint(action.month, text, 3, abs(delta)))
        elif practically_changed("tension", delta):
            after = f" — {where} {change_words('tension', delta)} within {LOOKAHEAD} months"
            found.append(TurningPoint(action.month, text + after, 2, abs(delta)))
        else:
            found.append(TurningPoint(action.month, text, 1, abs(delta)))
    for record in played.events:
        if isinstance(record, records.JoinedAlliance | records.LeftAlliance):
            if record.event in played.entries:
                continue
            verb = "joins" if isinstance(record, records.JoinedAlliance) else "leaves"
            label = alliance_label(record.alliance, played.definition)
            text = f"Scripted: {cap(country_name(record.country))} {verb} {label}"
            found.append(TurningPoint(max(record.step - 1, 0), text, 3, 1.0))
    if played.month >= 1:
        jumps = np.diff(played.regional)
        m = int(np.argmax(np.abs(jumps)))
        text = (
            "The largest one-month change of regional tension in this game "
            f"({number(jumps[m], 3, sign=True)})"
        )
        rank = 2 if practically_changed("tension", jumps[m]) else 0
        found.append(TurningPoint(m + 1, text, rank, abs(float(jumps[m]))))
    found.sort(key=lambda tp: (-tp.rank, -tp.size, tp.month))
    strong = [tp for tp in found if tp.rank >= 2][:MOST_TURNING_POINTS]
    weak = [tp for tp in found if tp.rank < 2][: max(0, FEWEST_TURNING_POINTS - len(strong))]
    return sorted(strong + weak, key=lambda tp: (tp.month, -tp.rank))
