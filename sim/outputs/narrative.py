"""The narrator: what happened in a run, in plain words, from its typed records.

One narrator for every reader of the log: the after-action report tells a replicate's story
month by month (:func:`story`), and the dashboard's turn log words each record the same way
(:func:`sentence`). Both read the fields of :mod:`sim.core.records`, never text the model
wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from sim.core import records
from sim.core.records import COERCION_CAUSE
from sim.scenario import baseline
from sim.scenario.ladder import rung_words

#: Country names by ISO3 code.
NAMES = {c.iso3: c.name for c in baseline.countries()}
#: Names that take "the" in a sentence.
ARTICLED = {"United States", "Philippines"}
#: Lines of a story above which routine gray-zone noise is left out.
STORY_LINES = 60


def country_name(code: str) -> str:
    """The plain name of a country, as used mid-sentence ("the Philippines")."""
    name = NAMES.get(code, code)
    return f"the {name}" if name in ARTICLED else name


def pair_label(pair: Iterable[str]) -> str:
    """Two or more states joined by dashes, by code: ``CHN–PHL``."""
    return "–".join(pair) or "unknown"


def joined(words: list[str]) -> str:
    """Words as plain English: ``a``, ``a and b``, ``a, b and c``."""
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def rung_phrase(level: str | None) -> str:
    """A level as the object of a sentence: ``a clash``, ``gray-zone pressure``, ``calm``."""
    if level in (None, "calm"):
        return "calm"
    if level == "gray_zone":
        return "gray-zone pressure"
    if level == "war":
        return "war"
    return f"a {rung_words(level)}"


def _signed(value: float | None) -> str:
    return "" if value is None else f" of {value:+.2f}".replace("-", "−")


@dataclass(frozen=True)
class Line:
    """One line of a story.

    Attributes:
        step: The month it belongs to.
        text: What happened, in plain words.
        css: Its kind, for styling (``incident``, ``escalation``, ``escalation severe``,
            ``deescalation``, ``alliance``, ``alliance abandonment``, ``inject``, ``other``).
        order: Place within the month (injects first, alliance answers last).
    """

    step: int
    text: str
    css: str
    order: int = 1


def inject_text(record: records.Record) -> str:
    """A scenario event that fired, in plain words (``inject — …``)."""
    details: list[str] = []
    if isinstance(record, records.IncidentInjected):
        what = f"{pair_label(record.pair)} incident opens at the {rung_words(record.rung)} rung"
    elif isinstance(record, records.PolicyStarted):
        what = f"policy {record.event} starts"
        details.append(record.policy_kind.replace("_", " "))
        partners = ", ".join(record.partners)
        details.append(f"{record.actor} → {partners}" if partners else record.actor)
        if record.duration is not None:
            details.append(f"for {record.duration} months")
    elif isinstance(record, records.TensionShocked):
        what = f"{pair_label(record.pair)} tension shock{_signed(record.delta)}"
    elif isinstance(record, records.CredibilityShocked):
        what = f"credibility shock to {record.alliance}{_signed(record.delta)}"
    elif isinstance(record, records.JoinedAlliance):
        what = f"{record.country} joins {record.alliance}"
    elif isinstance(record, records.LeftAlliance):
        what = f"{record.country} leaves {record.alliance}"
    elif isinstance(record, records.CommitmentSet):
        value = "a new value" if record.value is None else f"{record.value:g}"
        what = f"commitment of {record.alliance} set to {value}"
    elif isinstance(record, records.ClaritySet):
        value = "a new value" if record.value is None else f"{record.value:g}"
        what = f"clarity of {record.alliance}'s pledge set to {value}"
    else:
        what = (
            f"{record.type.removeprefix('inject:').replace('_', ' ')} ({pair_label(record.actors)})"
        )
    if not isinstance(record, records.PolicyStarted):
        details.insert(0, f"event {getattr(record, 'event', '')}")
    if getattr(record, "note", ""):
        details.append(record.note)
    condition = getattr(record, "condition", None)
    if condition is not None:
        details.append(f"condition met: {condition}")
    return f"inject — {what}" + (f" ({'; '.join(details)})" if details else "")


#: What each move of the decision rule does, in words (``docs/model.md`` §9; ``{t}``: target).
MOVE_WORDS = {
    "raise_arms": "raises its defence budget",
    "cut_arms": "cuts its defence budget",
    "intensify_coercion": "steps up its gray-zone pressure on {t}",
    "ease_coercion": "eases its gray-zone pressure on {t}",
    "press": "presses its incident with {t}",
    "back_down": "backs down in its incident with {t}",
    "open_channel": "proposes a deconfliction channel to {t}",
    "close_channel": "scales back its deconfliction channel with {t}",
    "offer_assistance": "offers more security assistance to {t}",
    "cut_assistance": "cuts its security assistance to {t}",
    "add_exercises": "adds exercises with {t}",
    "cut_exercises": "cuts its exercises with {t}",
    "deploy": "deploys more forces to {t}",
    "withdraw": "withdraws forces from {t}",
    "offer_inducement": "offers economic inducements to {t}",
    "cut_inducement": "cuts its economic inducements to {t}",
    "tighten_sanctions": "tightens its economic pressure on {t}",
    "ease_sanctions": "eases its economic pressure on {t}",
    "clarify": "makes its pledge ({t}) clearer",
    "obscure": "makes its pledge ({t}) more ambiguous",
    "lean_us": "leans towards the United States",
    "lean_china": "leans towards China",
}


def decision_text(record: records.Decision, *, reason: bool = True) -> str:
    """A state's own move in words, with (unless ``reason`` is False) what made it win.

    E.g. ``China eases its gray-zone pressure on the Philippines (-0.1): the expected cost of
    escalation weighed most (escalation +0.21, …; crisis-months)``.
    """
    target = (
        country_name(record.target) if record.target in NAMES else record.target.replace("_", " ")
    )
    what = MOVE_WORDS.get(record.move, record.move.replace("_", " ")).format(t=target)
    name = country_name(record.decider)
    text = f"{name[:1].upper()}{name[1:]} {what} ({record.change:+.3g})"
    if record.refused:
        text += f", which {target} turns down"
    return f"{text}: {record.reason}" if reason and record.reason else text


def sentence(record: records.Record) -> Line:
    """One record in plain words."""
    step = record.step
    if isinstance(record, records.Decision):
        return Line(step, decision_text(record), "other")
    if isinstance(record, records.IncidentStarted):
        return Line(
            step,
            f"{pair_label(record.pair)} gray-zone incident ({record.dispute or COERCION_CAUSE})",
            "incident",
        )
    if isinstance(record, records.Escalated):
        css = "escalation severe" if record.level in ("crisis", "war") else "escalation"
        text = f"the {pair_label(record.pair)} incident escalates to {rung_phrase(record.level)}"
        return Line(step, text, css)
    if isinstance(record, records.Deescalated):
        if record.rung == 0:
            return Line(
                step, f"the {pair_label(record.pair)} incident calms down", "deescalation", 2
            )
        text = f"the {pair_label(record.pair)} incident eases to {rung_phrase(record.level)}"
        return Line(step, text, "deescalation", 2)
    if isinstance(record, records.AllianceResponded | records.AllianceFailed):
        text, failed = alliance_text([record])
        return Line(step, text, "alliance abandonment" if failed else "alliance", 3)
    if record.type.startswith("inject:"):
        return Line(step, inject_text(record), "inject", 0)
    return Line(step, f"{record.type.replace('_', ' ')}: {pair_label(record.actors)}", "other")


def alliance_text(answers: list[records.Record]) -> tuple[str, bool]:
    """A month's alliance answers as one sentence, and whether any alliance failed to answer."""
    responded, failed = [], []
    for record in answers:
        after = getattr(record, "credibility_after", None)
        shown = "?" if after is None else f"{after:.2f}"
        group = failed if isinstance(record, records.AllianceFailed) else responded
        name = getattr(record, "label", "") or getattr(record, "alliance", "")
        group.append((name, shown))
    parts = []
    for group, verb_one, verb_many in (
        (responded, "responds", "respond"),
        (failed, "fails to respond", "fail to respond"),
    ):
        if len(group) == 1:
            alliance, credibility = group[0]
            parts.append(f"alliance {alliance} {verb_one}; credibility now {credibility}")
        elif group:
            listed = ", ".join(f"{a} {c}" for a, c in group)
            parts.append(f"alliances {verb_many} (credibility now): {listed}")
    return "; ".join(parts), bool(failed)


def representative_replicate(model: pd.DataFrame) -> tuple[int, float, float]:
    """The replicate whose final regional tension is closest to the median across replicates.

    Args:
        model: The rows of ``model.csv``.

    Returns:
        ``(replicate, its final tension, the median)``; ties go to the lowest replicate.
    """
    last = model[model["step"] == model["step"].max()]
    tension = last.set_index("replicate")["regional_tension"].sort_index()
    median = float(tension.median())
    distance = (tension - median).abs().fillna(float("inf"))  # no finite value: the first
    replicate = int(distance[distance == distance.min()].index.min())
    return replicate, float(tension[replicate]), median


@dataclass
class _Told:
    line: Line
    episode: int | None = None
    calm: bool = False


def story(
    log: Iterable[records.Record],
    replicate: int,
    *,
    credibility: Mapping[int, float] | None = None,
    limit: int = STORY_LINES,
) -> dict[str, object]:
    """Month-by-month story of one replicate.

    Incidents, escalations and de-escalations read as one story per dyad; the alliance
    answers of a month are merged into one line, followed by US credibility that month. When
    the story is longer than ``limit`` lines, gray-zone incidents that never escalated and
    plain de-escalations to calm are left out, and the omission is counted.

    Args:
        log: Records of a run (any replicates).
        replicate: The replicate to tell.
        credibility: US credibility by month, for months with alliance answers.
        limit: Lines above which routine noise is left out.

    Returns:
        ``lines`` (:class:`Line` objects, by month) and ``omitted`` (a sentence, or '').
    """
    credibility = credibility or {}
    told: list[_Told] = []
    open_episode: dict[tuple[str, ...], int] = {}
    escalated: dict[int, bool] = {}
    answers: dict[int, list[records.Record]] = {}

    def episode_for(pair: tuple[str, ...], level: str | None) -> int:
        key = tuple(sorted(pair))
        if key not in open_episode:
            open_episode[key] = len(escalated)
            escalated[open_episode[key]] = False
        episode = open_episode[key]
        if level not in (None, "calm", "gray_zone"):
            escalated[episode] = True
        return episode

    for record in log:
        if record.replicate != replicate:
            continue
        if isinstance(record, records.AllianceResponded | records.AllianceFailed):
            answers.setdefault(record.step, []).append(record)
            continue
        line = sentence(record)
        if isinstance(record, records.IncidentInjected):
            episode_for(record.pair, record.level)
            told.append(_Told(line))
        elif isinstance(record, records.IncidentStarted | records.Escalated):
            told.append(_Told(line, episode_for(record.pair, record.level)))
        elif isinstance(record, records.Deescalated):
            key = tuple(sorted(record.pair))
            episode = open_episode.get(key)
            if record.rung == 0:
                open_episode.pop(key, None)
            told.append(_Told(line, episode, calm=record.rung == 0))
        else:
            told.append(_Told(line))

    for step, month_answers in answers.items():
        text, failed = alliance_text(month_answers)
        if step in credibility:
            text += f" — US credibility {credibility[step]:.2f}"
        told.append(_Told(Line(step, text, "alliance abandonment" if failed else "alliance", 3)))

    omitted = ""
    if len(told) > limit:
        quiet = {e for e, up in escalated.items() if not up}
        dropped_calm = sum(1 for t in told if t.calm and t.episode not in quiet)
        told = [t for t in told if not t.calm and (t.episode is None or t.episode not in quiet)]
        parts = []
        if quiet:
            plural = "s" if len(quiet) != 1 else ""
            parts.append(f"{len(quiet)} gray-zone incident{plural} that never escalated")
        if dropped_calm:
            plural = "s" if dropped_calm != 1 else ""
            parts.append(f"{dropped_calm} de-escalation{plural} back to calm")
        if parts:
            omitted = "Left out for brevity: " + " and ".join(parts) + "."
    told.sort(key=lambda t: (t.line.step, t.line.order))
    return {"lines": [t.line for t in told], "omitted": omitted}
