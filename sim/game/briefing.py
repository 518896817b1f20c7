"""A team's briefing: the question, the situation, its objectives and what the numbers mean.

The facilitator may word the briefing to every team (:attr:`GameRecord.briefing`) and each
team's objectives (:attr:`Seat.objectives`); what they leave empty is filled from the scenario
(its question and first sentence, :mod:`sim.game.findings`) and from :data:`STATE_AIMS`, a
starting brief per state. The aims are the team's judgement of each government's declared
priorities in 2025, written to start a discussion, not data: the facilitator's own text
replaces them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.metrics import HEDGING_BAND
from sim.game.findings import question, scenario_words
from sim.game.play import Game
from sim.scenario.ladder import LEVEL_NAMES
from sim.scenario.moves import NAMES

#: A starting brief per state: what its government says it wants (judgement, see above).
STATE_AIMS: dict[str, str] = {
    "USA": "keep allies sure of US commitments and deter coercion of Taiwan and the "
    "Philippines, without a war with China",
    "CHN": "advance its claims over Taiwan and in the South China Sea and keep the hedgers out "
    "of a US bloc, without a war the United States joins",
    "JPN": "deter coercion around its islands and in the Taiwan Strait, and keep the US "
    "alliance strong",
    "KOR": "deter North Korea and keep the US alliance, without being drawn into a war over Taiwan",
    "AUS": "keep a balance of power in the region, stand with the United States and keep its "
    "trade with China",
    "IND": "keep its strategic autonomy and hold the line on the Himalayan border",
    "TWN": "keep its autonomy and its partners' support, without giving Beijing a reason to attack",
    "RUS": "keep its partnership with China and its weight in the region",
    "PRK": "keep its regime and its deterrent, and its patrons' support",
    "PHL": "hold its features in the South China Sea with US backing, without a clash that "
    "turns into a war",
    "VNM": "defend its claims in the South China Sea while keeping good terms with both powers",
}
#: The aim of an ASEAN state not in :data:`STATE_AIMS`, and of any other state.
HEDGER_AIM = "keep trade and good terms with both powers, and let neither dominate its region"

#: The numbers on the board, in words.
METRICS: tuple[tuple[str, str], ...] = (
    (
        "Regional tension",
        "0 (calm) to 1: the tension of every pair of states, weighted by how severe a crisis "
        "between them would be (model.md §6); the 2025 world starts at 0.25.",
    ),
    (
        "Tensest pair",
        "the pair with the highest tension now, and the rung of its incident, from "
        + ", ".join(LEVEL_NAMES)
        + ".",
    ),
    (
        "Alignment",
        "each state's place between China (−1) and the United States (+1), moved by threat, "
        "alliances, aid, trade and its own choices.",
    ),
    (
        "Hedgers",
        f"the states within {HEDGING_BAND:g} of the middle of the alignment axis: those "
        "neither power has won.",
    ),
    (
        "US credibility",
        "0 to 1: how far others believe US pledges; forward presence raises it, retreat lowers it.",
    ),
)


@dataclass(frozen=True)
class Briefing:
    """What a team reads before it moves.

    Attributes:
        question: The question the game asks.
        situation: The scenario in a sentence, and the game's length.
        general: The facilitator's briefing to every team (empty if none).
        states: The states the team holds, in names.
        objectives: The team's objectives: the facilitator's, or its states' starting brief.
        worded: Whether the facilitator wrote the objectives.
        metrics: ``(name, meaning)`` of the numbers on the board.
    """

    question: str
    situation: str
    general: str
    states: str
    objectives: tuple[str, ...]
    worded: bool
    metrics: tuple[tuple[str, str], ...] = METRICS


def state_aim(code: str) -> str:
    """A state's starting brief, as a sentence naming it."""
    return f"{NAMES.get(code, code)}: {STATE_AIMS.get(code, HEDGER_AIM)}."


def team_briefing(game: Game, seat: str) -> Briefing:
    """The briefing of the team at ``seat``.

    Raises:
        ValueError: When no team sits there.
    """
    chosen = game.record.seat(seat)
    worded = bool(chosen.objectives.strip())
    objectives = (
        tuple(line.strip() for line in chosen.objectives.splitlines() if line.strip())
        if worded
        else tuple(state_aim(c) for c in chosen.countries)
    )
    return Briefing(
        question=question(game).text,
        situation=scenario_words(game),
        general=game.record.briefing.strip(),
        states=", ".join(NAMES.get(c, c) for c in chosen.countries),
        objectives=objectives,
        worded=worded,
    )
