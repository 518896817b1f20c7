"""Why a what-if came out as it did: a headline, each outcome in words, and the reasons.

:func:`explain_branch` reads a :class:`~sim.game.branch.Branch` and says, first, its largest
change that clears the outcome's minimum meaningful difference (the declared
:data:`~sim.studies.compare.MINIMUM_DIFFERENCE` that ``geosim compare`` reads its differences
against, with the same equivalence reading, :func:`~sim.studies.compare.verdict`), or that every
outcome is about unchanged. Each outcome then reads ``higher``, ``lower``, ``about unchanged``
(its whole interval within the minimum) or ``inconclusive``.

When some outcome does not change, the reasons say why from the branch's own futures: which
mechanism the move acts on (its kind's lever, ``docs/model.md``), on which pairs of states, and
what on the board left it inert — the share of futures with an incident under way on those
pairs without and with the move and in how many the move changed their rungs (a pledge or a
channel with no incident to act on changes nothing), the held states' scripted entries left
out of the game on those pairs (no scripted crisis, nothing to deter), a decision rule that cut
the move back or a declaration that set a clarity again, a move that ends before the horizon,
and, for outcomes read at the final month, where tension went in between and how much the
pairs weigh in the regional index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.core.world import World
from sim.game.branch import Branch, Course, LeftOut, Row
from sim.game.findings import cap, number
from sim.scenario.moves import NAMES, Move, country_name, joined
from sim.studies.compare import MINIMUM_DIFFERENCE, verdict

#: The verdicts that read as a change.
CHANGES = ("higher", "lower")
#: What each kind of move acts on, in words (``docs/model.md``, the section in brackets).
MECHANISMS = {
    "incident": "an incident set at its rung now, which climbs or eases from there by the "
    "escalation hazards (§5) and raises its pair's tension while it lasts (§6)",
    "set_clarity": "deterrence: clarity scales the pledge's strength (§4), which holds back the "
    "incidents between its protected members and the states it is aimed at from climbing the "
    "ladder (§5), and pulls its members' alignment towards its lead (§3)",
    "join_alliance": "alliance membership: whom the pledge protects and against whom (deterrence, "
    "§5), and the pull of the alliance's lead on its members' alignment (§3)",
    "leave_alliance": "alliance membership: whom the pledge protects and against whom "
    "(deterrence, §5), and the pull of the alliance's lead on its members' alignment (§3)",
    "form_alliance": "a new alliance: its pledge deters incidents between its protected members "
    "and the states it is aimed at (§4, §5), and its lead pulls the members' alignment (§3)",
    "task_force": "a task force: an alliance tie with presence and interoperability, which pulls "
    "the partners' alignment towards the lead (§3, §4)",
    "forward_presence": "forward presence: the credibility of the actor's pledges to the hosts "
    "(§4), the reach of its forces into their theatre (deterrence, §5), and friction on the "
    "hosts' disputes with the actor's adversaries (incident hazard, §5)",
    "deconfliction_channel": "a channel: it brakes the escalation of incidents between its "
    "parties (and, at half strength, their allies) and lowers the tension they relax towards "
    "(§5, §6)",
    "dialogue": "dialogue: the parties' tension relaxes faster towards a lower target (§6)",
    "ceasefire": "a ceasefire: incidents between the parties step down more often (§5), and "
    "their tension relaxes towards a lower target (§6)",
    "gray_zone_coercion": "gray-zone pressure: the hazard of incidents between the parties, "
    "their odds of stepping up, and how long a standoff lasts (§5)",
    "economic_coercion": "economic pressure: the target's GDP, hostility and compliance "
    "(alignment, §3, §8), the pair's standing tension (§6) and the restraint of interdependence "
    "(§5)",
    "exercises": "joint exercises: the partners' alignment towards the actor and the "
    "interoperability of the alliances they share (§3, §4)",
    "security_assistance": "assistance: the recipients' alignment towards the donor (§3) and "
    "their capability (§1)",
    "arms_transfer": "arms deliveries: the recipients' alignment towards the donor (§3) and "
    "their capability (§1)",
    "trade_agreement": "a trade deal: the partners' alignment towards the actor (§3)",
    "economic_inducement": "inducements: the recipients' alignment towards the donor (§3)",
}
#: Kinds whose effect on the board is the partners' alignment alone.
ALIGNMENT_KINDS = (
    "exercises",
    "security_assistance",
    "arms_transfer",
    "trade_agreement",
    "economic_inducement",
    "task_force",
)
#: Kinds that act through a pledge's deterrence.
PLEDGE_KINDS = ("set_clarity", "join_alliance", "leave_alliance", "form_alliance")
#: Short names of the outcomes a branch shows, for sentences.
OUTCOME_WORDS = {
    "regional_tension": "regional tension",
    "p_crisis": "the share of futures reaching a crisis or worse",
    "max_escalation": "the highest rung reached from now on",
    "us_credibility": "US credibility",
}
#: Outcomes read at the final month (the others count from now on).
FINAL_MONTH = ("regional_tension", "us_credibility", "alignment")
#: The rung from which an incident counts as force (a clash).
CLASH = 3


@dataclass(frozen=True)
class RowNote:
    """One outcome of a what-if, in words.

    Attributes:
        label: The outcome, as :meth:`Branch.rows` labels it.
        verdict: ``higher``, ``lower``, ``about unchanged`` or ``inconclusive``.
        words: The reading in words (``about unchanged (+0.003; …)``, ``rises by 0.018 …``).
    """

    label: str
    verdict: str
    words: str


@dataclass(frozen=True)
class WhatIfExplanation:
    """A what-if in words: what to show above, beside and under its table.

    Attributes:
        headline: One sentence: the largest meaningful change, or that every outcome is about
            unchanged.
        rows: One note per row of :meth:`Branch.rows`, in its order.
        reasons: Why outcomes did not change, each a sentence from the branch's futures; empty
            when every outcome changed.
    """

    headline: str
    rows: list[RowNote] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def minimum_difference(key: str) -> float:
    """The minimum meaningful difference of a branch outcome (``alignment.PHL`` → alignment's)."""
    return MINIMUM_DIFFERENCE[key.split(".")[0]]


def explain_branch(branch: Branch) -> WhatIfExplanation:
    """A branch's headline, its outcomes in words and, where one did not change, why.

    Args:
        branch: A what-if (:func:`~sim.game.branch.branch_from_present`).

    Returns:
        The headline, one note per row of ``branch.rows()`` and the reasons (plain text).
    """
    rows = branch.rows()
    verdicts = [_verdict(row) for row in rows]
    notes = [
        RowNote(row.label, v, _row_words(branch, row, v))
        for row, v in zip(rows, verdicts, strict=True)
    ]
    headline = _headline(branch, rows, verdicts)
    if all(v in CHANGES for v in verdicts):
        return WhatIfExplanation(headline, notes, [])
    return WhatIfExplanation(headline, notes, _reasons(branch, rows, verdicts))


# --------------------------------------------------------------------------------------------
# Outcomes in words


def _verdict(row: Row) -> str:
    return verdict(row.low, row.high, minimum_difference(row.key))


def _name(branch: Branch, key: str) -> str:
    if key.startswith("alignment."):
        return f"{_possessive(country_name(key.split('.')[1]))} alignment"
    return OUTCOME_WORDS.get(key, key.replace("_", " "))


def _value(key: str, value: float) -> str:
    if key == "p_crisis":
        return f"{100 * value:.0f}%"
    return _signed(value, sign=False, digits=2 if key == "max_escalation" else 3)


def _size(key: str, change: float) -> str:
    if key == "p_crisis":
        return f"{100 * abs(change):.0f} points"
    if key == "max_escalation":
        return f"{abs(change):.2f} rungs"
    return f"{abs(change):.3f}"


def _verb(key: str, change: float) -> str:
    if key.startswith("alignment."):
        return "moves towards the US" if change > 0 else "moves towards China"
    return "rises" if change > 0 else "falls"


def _change(key: str, row: Row) -> str:
    return (
        f"{_verb(key, row.change)} by {_size(key, row.change)} "
        f"({_value(key, row.without)} → {_value(key, row.with_move)})"
    )


def _row_words(branch: Branch, row: Row, reading: str) -> str:
    key, floor = row.key, minimum_difference(row.key)
    unit = 100.0 if key == "p_crisis" else 1.0
    digits = 1 if unit > 1 else 3
    shown = f"{_signed(unit * row.change, digits=digits)}{' points' if unit > 1 else ''}"
    least = f"{unit * floor:g}{' points' if unit > 1 else ''}"
    if reading in CHANGES:
        return _change(key, row)
    if reading == "about unchanged":
        return f"about unchanged ({shown}; the minimum meaningful difference is {least})"
    return (
        f"inconclusive ({shown}, 95% interval {_signed(unit * row.low, digits=digits)} to "
        f"{_signed(unit * row.high, digits=digits)}: it straddles the minimum meaningful "
        f"difference of {least})"
    )


def _headline(branch: Branch, rows: Sequence[Row], verdicts: Sequence[str]) -> str:
    changed = [
        (abs(row.change) / minimum_difference(row.key), row)
        for row, v in zip(rows, verdicts, strict=True)
        if v in CHANGES
    ]
    if not changed:
        unsure = [
            _name(branch, row.key)
            for row, v in zip(rows, verdicts, strict=True)
            if v == "inconclusive"
        ]
        if not unsure:
            return (
                "About unchanged on every outcome: no change reaches its minimum meaningful "
                "difference."
            )
        verb = "is" if len(unsure) == 1 else "are"
        return (
            f"No outcome clearly changes: {joined(unsure)} {verb} inconclusive (the interval "
            "straddles the minimum meaningful difference); the rest is about unchanged."
        )
    changed.sort(key=lambda pair: -pair[0])
    top = changed[0][1]
    text = f"With the move, {_name(branch, top.key)} {_change(top.key, top)}"
    others = [_name(branch, row.key) for _, row in changed[1:]]
    if others:
        text += f"; {joined(others)} change{'s' if len(others) == 1 else ''} too"
    rest = [v for v in verdicts if v not in CHANGES]
    if rest:
        reading = "about unchanged" if set(rest) == {"about unchanged"} else "not clearly changed"
        text += "; the other outcome is" if len(rest) == 1 else f"; the other {len(rest)} are"
        text += f" {reading}"
    return cap(text) + "."


# --------------------------------------------------------------------------------------------
# Why


@dataclass(frozen=True)
class _Futures:
    """A branch with everything the reasons read, none of it missing."""

    branch: Branch
    move: Move
    world: World
    without: Course
    with_move: Course

    @property
    def courses(self) -> tuple[Course, Course]:
        return self.without, self.with_move


def _reasons(branch: Branch, rows: Sequence[Row], verdicts: Sequence[str]) -> list[str]:
    move = branch.move
    if move is None:
        return []
    reasons = []
    if move.kind in MECHANISMS:
        reasons.append(f"The move acts on {MECHANISMS[move.kind]}.")
    if branch.world is None or branch.courses is None:
        return reasons
    f = _Futures(branch, move, branch.world, *branch.courses)
    dyads, what, asked = _dyads(f)
    reading = dict(zip([row.key for row in rows], verdicts, strict=True))
    if what == "unpledged":
        reasons.append(
            "The alliance carries no defence pledge (a partnership or a minilateral is aimed at "
            "nobody): it deters no incident, and acts through its lead's pull on its members' "
            "alignment alone."
        )
    elif what == "none":
        reasons.append(
            "The pledge covers no pair of states where an incident can happen in this scenario "
            "(none of its protected members has a dispute with a state it is aimed at): it has "
            "nothing to deter."
        )
    elif asked and not dyads:
        names = joined([f"{_plain(a)}–{_plain(b)}" for a, b in asked])
        reasons.append(
            f"No incident can happen on {names} in this scenario (no dispute, coercion or "
            "scripted incident between them): the move has no incident to act on."
        )
    if dyads:
        reasons += _incidents(f, dyads, what)
        if move.kind != "incident":  # an injected incident is its own crisis
            reasons += _script(f, dyads)
    reasons += _reversed(f)
    reasons += _duration(branch, move)
    if reading.get("regional_tension") not in CHANGES:
        reasons += _tension(f, dyads)
    if move.kind in ALIGNMENT_KINDS and reading.get(f"alignment.{branch.target}") not in CHANGES:
        reasons += _alignment(f)
    return reasons


def _dyads(f: _Futures) -> tuple[list[int], str, list[tuple[str, str]]]:
    """The upper-triangle dyads (where incidents can happen) the move acts on, and how.

    Returns:
        The dyads; ``what`` they are: ``pledge`` (the dyads a pledge covers), ``pair`` (the
        move's own pairs), ``hosts`` (the hosts' disputes with the actor's adversaries),
        ``none`` (a pledge that covers no such dyad), ``unpledged`` (an alliance aimed at
        nobody) or ``''`` (a move that acts on no dyad);
        and the move's own pairs, incidents possible there or not (none for a pledge).
    """
    world, p, kind = f.world, f.move.params, f.move.kind
    possible = set(world.incident_dyads.tolist())
    if kind in PLEDGE_KINDS:
        covered = _covered(f)
        if covered is None:
            return [], "unpledged", []
        return (covered, "pledge", []) if covered else ([], "none", [])
    if kind in ALIGNMENT_KINDS:
        return [], "", []
    partners = [c for c in p.get("partners", ()) if c in world.codes]
    if kind == "incident":
        asked = [(p["actor"], p["other"])]
    elif kind == "forward_presence":
        actor = world.index(p["actor"])
        rivals = [world.codes[j] for j in np.flatnonzero(world.dispute[actor] > 0)]
        asked = [(host, rival) for host in partners for rival in rivals if rival != host]
        return _pairs(world, asked, possible), "hosts", []
    else:
        asked = [(p["actor"], c) for c in partners]
    return _pairs(world, asked, possible), "pair", asked


def _pairs(world: World, pairs: Sequence[tuple[str, str]], possible: set[int]) -> list[int]:
    found = []
    for a, b in pairs:
        if a in world.codes and b in world.codes and a != b:
            d = world.dyad_index(world.index(a), world.index(b))
            if d in possible and d not in found:
                found.append(d)
    return found


def _covered(f: _Futures) -> list[int] | None:
    """The incident dyads a pledge covers: a protected member against a state it is aimed at.

    The pledge's members as the scenario declares them (and the state joining, for a move that
    joins); a new alliance is the last the world compiled. None for an alliance aimed at nobody.
    """
    world, p = f.world, f.move.params
    if f.move.kind == "form_alliance":
        k, members = len(world.alliance_names) - 1, {p["actor"], *p["partners"]}
    else:
        name = p.get("alliance", "")
        if name not in world.alliance_names:
            return []
        k = world.alliance_names.index(name)
        members = {world.codes[i] for i in np.flatnonzero(world.members0[k])}
        if f.move.kind == "join_alliance":
            members.add(p["actor"])
    if not world.against[k].any():
        return None
    hub = world.codes[int(world.hub[k])]
    against = [
        world.codes[j] for j in np.flatnonzero(world.against[k]) if world.codes[j] not in members
    ]
    pairs = [(m, a) for m in sorted(members - {hub}) for a in against]
    return _pairs(world, pairs, set(world.incident_dyads.tolist()))


def _incidents(f: _Futures, dyads: list[int], what: str) -> list[str]:
    """Incidents on the move's pairs in the futures, without and with it."""
    without, with_move = (course.rungs[:, :, dyads] for course in f.courses)
    n = f.branch.replicates
    pairs = _pair_names(f.world, dyads)
    where = {
        "pledge": f"The pledge covers {pairs}",
        "hosts": f"The hosts' disputes with the actor's adversaries are {pairs}",
    }.get(what, f"The move's pair{'s are' if len(dyads) > 1 else ' is'} {pairs}")
    active = [(side >= 1).any(axis=(0, 2)) for side in (without, with_move)]
    if not (active[0].any() or active[1].any()):
        inert = {
            "pledge": "there was nothing to deter",
            "hosts": "the presence had no incident to weigh on",
        }.get(what, "the move had no incident to act on")
        if f.move.kind == "gray_zone_coercion":
            inert = "the added hazard started none"
        return [
            f"{where}. No incident was under way there in any of the {n} futures, with or "
            f"without the move: {inert}."
        ]
    force = [_share((side >= CLASH).any(axis=(0, 2))) for side in (without, with_move)]
    changed = int((without != with_move).any(axis=(0, 2)).sum())
    reasons = [
        f"{where}. An incident was under way there at some month in {_share(active[0])} of the "
        f"futures without the move and {_share(active[1])} with it, reaching a clash or worse "
        f"in {force[0]} and {force[1]}; the move changed the rungs there in {changed} of the "
        f"{n} futures."
    ]
    top = int(max(without.max(), with_move.max()))
    if top < CLASH and what == "pledge":
        reasons.append(
            "No incident there went past the standoff rung, and deterrence weighs on a step up "
            "in proportion to the rung (a quarter of its weight on the first step, in full on "
            "the step to war; docs/model.md §5): below a clash a pledge holds back little."
        )
    elif top < CLASH and f.move.kind in ("deconfliction_channel", "ceasefire", "dialogue"):
        reasons.append(
            "No incident there reached a clash in any future, with or without the move: there "
            "was no crisis for it to head off."
        )
    return reasons


def _script(f: _Futures, dyads: list[int]) -> list[str]:
    """The held states' scripted entries left out of the game that bore on the move's pairs."""
    world = f.world
    found = [entry for entry in f.branch.left_out if _bears(world, dyads, entry)]
    if not found:
        return []
    held = sorted({c for entry in found for c in entry.acting if c in f.branch.held})
    who = joined([country_name(c) for c in held]) or "a state a team holds"
    verb = "is" if len(held) <= 1 else "are"
    what = joined([entry.note or entry.name.replace("_", " ") for entry in found])
    touched = _pair_names(world, [d for d in dyads if any(_bears(world, [d], e) for e in found)])
    one = len(found) == 1
    return [
        f"{cap(who)} {verb} held by a team, so the scenario's scripted "
        f"{'entry' if one else 'entries'} on {touched} ({what}) {'was' if one else 'were'} left "
        "out of this game: none of it happens unless the team plays it."
    ]


def _bears(world: World, dyads: Sequence[int], entry: LeftOut) -> bool:
    """Whether a scripted entry names both states of one of the dyads."""
    return any(
        world.codes[world.dyad_i[d]] in entry.states
        and world.codes[world.dyad_j[d]] in entry.states
        for d in dyads
    )


def _reversed(f: _Futures) -> list[str]:
    """A decision that undid the move: a rule's cut, a new declaration, a back-down."""
    move, played, branch = f.move, f.branch.played, f.branch
    reasons = []
    before, after = f.without.decided, f.with_move.decided
    if played is not None and played.value and before is not None and after is not None:
        cut = ((after - before) <= -0.5 * abs(played.value)).any(axis=1)
        if cut.any():
            reasons.append(
                f"In {_share(cut)} of the futures with the move, "
                f"{_possessive(country_name(move.actor))} own decision rule cut the same lever "
                "back by at least half of what the move added (a computer player weighs its "
                "levers every few months; docs/model.md §9)."
            )
    if move.kind == "set_clarity" and move.params.get("alliance") in f.world.alliance_names:
        k = f.world.alliance_names.index(move.params["alliance"])
        declared = float(move.params["clarity"])
        old, new = f.without.clarity[:, k], f.with_move.clarity[:, k]
        same = np.isclose(old, new)
        if np.isclose(old, declared).all() and same.all():
            reasons.append(
                f"The pledge's clarity is {declared:.2f} at the end of every future without the "
                "move too: the declaration changes nothing."
            )
        elif same.any():
            reasons.append(
                f"In {_share(same)} of the futures the pledge's clarity at month {branch.horizon} "
                "is what it would have been without the move: a later declaration (the "
                "scenario's or its lead's decision rule) set it again."
            )
    if move.kind == "incident":
        for code in (move.actor, move.params.get("other", "")):
            key = f"retreats.{code}"
            if key in branch.with_move and key in branch.without:
                backed = branch.with_move[key] > branch.without[key]
                if backed.any():
                    reasons.append(
                        f"In {_share(backed)} of the futures with the move, {country_name(code)} "
                        "backed down in an incident where it would not have without it (its "
                        "stance, docs/model.md §9), which brings the rung down sooner."
                    )
    return reasons


def _duration(branch: Branch, move: Move) -> list[str]:
    months = int(move.params.get("months") or 0)
    end = branch.month + months
    if not months or end >= branch.horizon:
        return []
    return [
        f"The move lasts {months} months, to month {end}; the outcomes at the end are read "
        f"at month {branch.horizon}, {branch.horizon - end} months after it ends."
    ]


def _tension(f: _Futures, dyads: list[int]) -> list[str]:
    """Where regional tension went on the way, and how much the move's pairs weigh in it."""
    branch = f.branch
    without, with_move = f.without.tension, f.with_move.tension
    if without.size == 0:
        return []
    now = branch.present.get("regional_tension")
    end = [float(side[-1].mean()) for side in (without, with_move)]
    start = f"from {now:.3f} now " if now is not None else ""
    text = (
        f"Regional tension is read at month {branch.horizon}: it goes {start}to {end[0]:.3f} "
        f"without the move and {end[1]:.3f} with it."
    )
    gap = (with_move - without).mean(axis=1)  # mean over futures, month by month
    widest = int(np.argmax(np.abs(gap)))
    when = f"month {branch.month + widest + 1}"
    if abs(gap[widest]) >= MINIMUM_DIFFERENCE["regional_tension"]:
        text += (
            f" On the way the move moved it by up to {_signed(gap[widest])} ({when}), "
            f"{_signed(float(gap.mean()))} on average over the {gap.size} months: the effect "
            "passes before the end."
        )
    elif abs(gap[widest]) < 0.0005:
        text += " It is the same, to three decimals, in every month on the way."
    else:
        text += f" On the way it differs by at most {_signed(gap[widest])} ({when})."
    reasons = [text]
    if dyads:
        weight = float(f.world.salience[dyads].sum())
        verb = "weighs" if len(dyads) == 1 else "weigh"
        line = (
            f"{cap(_pair_names(f.world, dyads))} {verb} {100 * weight:.1f}% of the regional "
            "tension index"
        )
        if f.move.kind == "incident":
            still = [_share((c.rungs[-1][:, dyads] >= 1).any(axis=1)) for c in f.courses]
            line += (
                f"; an incident was still under way there at month {branch.horizon} in "
                f"{still[1]} of the futures with the move ({still[0]} without)"
            )
        reasons.append(line + ".")
    return reasons


def _alignment(f: _Futures) -> list[str]:
    """How far the move moved its partners' alignment, against the minimum that counts."""
    branch, world = f.branch, f.world
    partners = [c for c in f.move.params.get("partners", ()) if c in world.codes]
    moved, poles = [], []
    for code in partners:
        if world.pole[world.index(code)]:
            poles.append(country_name(code))
            continue
        key = f"alignment.{code}"
        if key in branch.with_move:
            shift = float((branch.with_move[key] - branch.without[key]).mean())
            moved.append(f"{country_name(code)} by {_signed(shift)}")
    reasons = []
    if moved:
        weight = world.params.alignment.inducement_weight
        reasons.append(
            f"At month {branch.horizon} the move has moved the alignment of {joined(moved)} "
            f"(a change counts from {MINIMUM_DIFFERENCE['alignment']:g}): the pull of aid, "
            f"arms, trade and drills is small (alignment.inducement_weight {weight:g}, "
            "calibrated on the record; docs/validation.md §3)."
        )
    if poles:
        reasons.append(
            f"{cap(joined(poles))} {'is a pole' if len(poles) == 1 else 'are poles'}: "
            "a pole's alignment never moves."
        )
    return reasons


# --------------------------------------------------------------------------------------------
# Words


def _plain(code: str) -> str:
    return NAMES.get(code, code)


def _possessive(name: str) -> str:
    """``the Philippines'``, ``Japan's``."""
    return name + ("'" if name.endswith("s") else "'s")


def _pair_names(world: World, dyads: Sequence[int]) -> str:
    return joined(
        [
            f"{_plain(world.codes[world.dyad_i[d]])}–{_plain(world.codes[world.dyad_j[d]])}"
            for d in dyads
        ]
    )


def _share(hits: np.ndarray) -> str:
    return f"{100 * float(np.mean(hits)):.0f}%"


def _signed(value: float, *, sign: bool = True, digits: int = 3) -> str:
    return number(value, digits, sign=sign)
