"""The move menu in array form (``docs/model.md`` §9, the menu table).

A deciding state's menu is a set of *decision variables*: each is one posture it controls —
its burden relative to its announced path, its gray-zone coercion of one dispute partner, its
stance in one incident, a channel with one rival, its assistance, exercises, presence or
inducements with one partner, its economic coercion of one state, the clarity of one pledge it
leads, its lean between the poles. Each variable has two moves, one step up and one step
down, within bounds; holding is always on the menu. :func:`build_menu` lists the variables of
a compiled scenario once, so a month's decisions are array operations over them.

A variable whose cell the scenario scripts as a departure from the status quo (a policy the
world held at rest does not have, a burden target of the scenario's own, a scripted change of
clarity) is not on the menu: a scenario's scripted departures are commitments the decision rule
does not revise. States whose strategy is ``scripted`` or ``fixed`` have no variables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Kinds of decision variable, in code order.
KINDS = (
    "arms",
    "coercion",
    "stance",
    "channel",
    "assistance",
    "exercises",
    "presence",
    "inducement",
    "economic_coercion",
    "clarity",
    "lean",
)
KIND_INDEX = {name: k for k, name in enumerate(KINDS)}

#: The two moves of each kind: a step up, a step down.
MOVES = {
    "arms": ("raise_arms", "cut_arms"),
    "coercion": ("intensify_coercion", "ease_coercion"),
    "stance": ("press", "back_down"),
    "channel": ("open_channel", "close_channel"),
    "assistance": ("offer_assistance", "cut_assistance"),
    "exercises": ("add_exercises", "cut_exercises"),
    "presence": ("deploy", "withdraw"),
    "inducement": ("offer_inducement", "cut_inducement"),
    "economic_coercion": ("tighten_sanctions", "ease_sanctions"),
    "clarity": ("clarify", "obscure"),
    "lean": ("lean_us", "lean_china"),
}
#: Every move's name, with ``hold``.
MOVE_NAMES = ("hold", *(name for pair in MOVES.values() for name in pair))

#: The lever each lever kind moves (``World.levers``' second axis).
LEVER_OF = {
    "coercion": "coercion",
    "channel": "channel",
    "assistance": "assistance",
    "exercises": "exercises",
    "presence": "presence",
    "inducement": "inducement",
    "economic_coercion": "economic",
}

#: Step and bounds of each kind, in its unit: posture (× the announced burden), intensity
#: (0–1), stance (−1, 0, +1), channel strength (0–1), US$ bn a year, exercises a year,
#: presence (0–1), clarity (0–1), lean (steps of ``lean_shift`` towards China −, the US +).
STEPS = {
    "arms": (0.1, 0.7, 1.5),
    "coercion": (0.1, 0.0, 1.0),
    "stance": (1.0, -1.0, 1.0),
    "channel": (0.5, 0.0, 1.0),
    "assistance": (0.1, 0.0, 5.0),
    "exercises": (4.0, 0.0, 48.0),
    "presence": (0.1, 0.0, 1.0),
    "inducement": (0.5, 0.0, 10.0),
    "economic_coercion": (0.1, 0.0, 1.0),
    "clarity": (0.3, 0.1, 1.0),
    "lean": (1.0, -2.0, 2.0),
}


@dataclass(frozen=True, eq=False)
class Menu:
    """The decision variables of a compiled scenario, ``(V,)`` arrays.

    Attributes:
        actor: The state that controls each variable.
        kind: Its kind (index into :data:`KINDS`).
        target: The partner (a country) it acts on; the alliance for ``clarity``; -1 for
            ``arms`` and ``lean``.
        lever: The lever it moves (index into ``World.levers``' second axis), or -1.
        dyad: Position among all upper-triangle dyads (``World.dyad_i``, ``dyad_j``) of the
            dyad of actor and target, or -1 for ``arms``, ``lean`` and ``clarity``; where that
            dyad sits among the incident dyads is looked up when a month needs it
            (:func:`incident_positions`), so samples of a sweep with other incident dyads share
            the menu.
        step: Size of one move.
        low: Lowest value.
        high: Highest value.
    """

    actor: np.ndarray
    kind: np.ndarray
    target: np.ndarray
    lever: np.ndarray
    dyad: np.ndarray
    step: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @property
    def size(self) -> int:
        """Number of variables V."""
        return int(self.actor.size)

    def of_kind(self, name: str) -> np.ndarray:
        """Positions of the variables of one kind."""
        return np.flatnonzero(self.kind == KIND_INDEX[name])

    def key(self, v: int, codes: tuple[str, ...], alliances: tuple[str, ...]) -> str:
        """A readable key of variable ``v``, e.g. ``CHN coercion PHL``."""
        kind = KINDS[self.kind[v]]
        target = int(self.target[v])
        if kind == "clarity":
            return f"{codes[self.actor[v]]} clarity {alliances[target]}"
        if target < 0:
            return f"{codes[self.actor[v]]} {kind}"
        return f"{codes[self.actor[v]]} {kind} {codes[target]}"

    def identity(self) -> np.ndarray:
        """A key of each move, ``(2V,)`` (variable ``v``'s step up at ``2v``, down at ``2v+1``).

        The key says what the move is — its kind, actor, target and direction — not where it
        sits on the menu, so the same move has the same key in any scenario (the draws of
        :func:`~sim.core.dynamics.decisions.choose` are keyed by it).
        """
        base = move_key(self.kind, self.actor, self.target)
        return np.stack([base, base + 1], axis=1).ravel()

    def take(self, idx: np.ndarray) -> Menu:
        """The menu's variables at positions ``idx``."""
        return Menu(*(getattr(self, name)[idx] for name in self.__dataclass_fields__))

    @classmethod
    def empty(cls) -> Menu:
        """A menu without variables (nobody decides)."""
        ints, floats = np.zeros(0, dtype=np.int64), np.zeros(0)
        return cls(ints, ints, ints, ints, ints, floats, floats, floats)


@dataclass(frozen=True, eq=False)
class Eligibility:
    """What the compiled scenario says about who may move what (inputs of :func:`build_menu`).

    Attributes:
        deciders: Whether each state decides, ``(N,)``.
        forbidden: Kinds each state may not use, ``(N, len(KINDS))``.
        locked: Lever cells the scenario scripts as departures, ``(L, N, N)``.
        locked_arms: States whose burden the scenario sets itself, ``(N,)``.
        locked_alliances: Alliances whose clarity the scenario scripts, ``(K,)``.
        reference: The lever tensor of the world held at rest in force at month 0, ``(L, N, N)``.
        members: Alliance membership at month 0, ``(K, N)``.
        defence: Whether each alliance carries a pledge (treaty, collective defence, task
            force), ``(K,)``.
        hub: Each alliance's hub, ``(K,)``.
        clarity: Each alliance's clarity at month 0, ``(K,)``.
        aimed: Whether each alliance is aimed at someone, ``(K,)``.
        dispute: Dispute intensity, ``(N, N)``.
        sovereignty: Whether each pair disputes sovereignty (the Taiwan Strait), ``(N, N)``.
        pole: Whether each state is a pole, ``(N,)``.
        dyad_i: First country of each upper-triangle dyad.
        dyad_j: Second country of each upper-triangle dyad.
    """

    deciders: np.ndarray
    forbidden: np.ndarray
    locked: np.ndarray
    locked_arms: np.ndarray
    locked_alliances: np.ndarray
    reference: np.ndarray
    members: np.ndarray
    defence: np.ndarray
    hub: np.ndarray
    clarity: np.ndarray
    aimed: np.ndarray
    dispute: np.ndarray
    sovereignty: np.ndarray
    pole: np.ndarray
    dyad_i: np.ndarray
    dyad_j: np.ndarray


def build_menu(e: Eligibility, lever_index: dict[str, int]) -> Menu:
    """The decision variables of every deciding state (see the module docstring).

    Partners: dispute partners for coercion and stance, and for channels unless the dispute
    is over sovereignty; for assistance and
    exercises, the states a state shares an alliance with or already gives them to; for
    presence, its defence partners and present hosts (only states that project power: a pole,
    or a state with forces abroad); for inducements, the poles towards every other state; for
    economic coercion, the poles towards every state they have no defence pledge with. The
    rules read the scenario's structure only (who is allied, who disputes, who has which
    standing policy), never its numbers, so that a sweep's samples share one menu; the levers
    that matter little to a state are left out of its choices by attention instead
    (``World.decision_attended``).
    ``lever_index`` gives each lever's position in the lever tensor (``World``'s ``LEVERS``).
    """
    n = e.deciders.size
    pair_dyad = np.full((n, n), -1, dtype=np.int64)
    pair_dyad[e.dyad_i, e.dyad_j] = pair_dyad[e.dyad_j, e.dyad_i] = np.arange(e.dyad_i.size)
    shared = (e.members.T.astype(int) @ e.members.astype(int)) > 0
    np.fill_diagonal(shared, False)
    allied = (e.members[e.defence].T.astype(int) @ e.members[e.defence].astype(int)) > 0
    np.fill_diagonal(allied, False)
    lever = {kind: e.reference[lever_index[name]] for kind, name in LEVER_OF.items()}
    projects = e.pole | (lever["presence"] > 0).any(axis=1)
    rows: list[tuple[int, str, int]] = []
    for a in np.flatnonzero(e.deciders):
        allowed = [KINDS[k] for k in range(len(KINDS)) if not e.forbidden[a, k]]
        disputed = np.flatnonzero(e.dispute[a] > 0)
        partners = {
            "coercion": disputed,
            "stance": disputed,
            # No channel across a sovereignty dispute: a formal channel between the two would
            # concede the status one of them contests (Beijing's refusal of official
            # cross-Strait contacts since 2016, recalled).
            "channel": np.flatnonzero((e.dispute[a] > 0) & ~e.sovereignty[a]),
            "assistance": np.flatnonzero(shared[a] | (lever["assistance"][a] > 0)),
            "exercises": np.flatnonzero(shared[a] | (lever["exercises"][a] > 0)),
            "presence": np.flatnonzero(allied[a] | (lever["presence"][a] > 0))
            if projects[a]
            else np.zeros(0, dtype=np.int64),
            "inducement": np.flatnonzero(~e.pole) if e.pole[a] else np.zeros(0, dtype=np.int64),
            "economic_coercion": np.flatnonzero(~e.pole & ~allied[a])
            if e.pole[a]
            else np.zeros(0, dtype=np.int64),
        }
        for kind in allowed:
            if kind == "arms":
                if not e.locked_arms[a]:
                    rows.append((a, kind, -1))
            elif kind == "lean":
                if not e.pole[a]:
                    rows.append((a, kind, -1))
            elif kind == "clarity":
                for k in np.flatnonzero(
                    (e.hub == a) & e.aimed & (e.clarity < 1.0) & ~e.locked_alliances
                ):
                    rows.append((a, kind, int(k)))
            else:
                cells = e.locked[lever_index[LEVER_OF[kind]], a] if kind != "stance" else None
                for b in partners[kind]:
                    if b != a and (cells is None or not cells[b]):
                        rows.append((a, kind, int(b)))
    if not rows:
        return Menu.empty()
    actor = np.array([r[0] for r in rows], dtype=np.int64)
    kind = np.array([KIND_INDEX[r[1]] for r in rows], dtype=np.int64)
    target = np.array([r[2] for r in rows], dtype=np.int64)
    levers = np.array(
        [lever_index[LEVER_OF[r[1]]] if r[1] in LEVER_OF else -1 for r in rows], dtype=np.int64
    )
    pairs = np.array(
        [pair_dyad[r[0], r[2]] if r[2] >= 0 and r[1] != "clarity" else -1 for r in rows],
        dtype=np.int64,
    )
    steps = np.array([STEPS[r[1]] for r in rows], dtype=float)
    return Menu(actor, kind, target, levers, pairs, steps[:, 0], steps[:, 1], steps[:, 2])


def move_key(kind, actor, target):
    """The draw key of a variable's step up (its step down is the next): kind, actor, target.

    Below 2³¹ for up to 256 states and 65,535 alliances; :data:`KINDS`' length as ``kind``
    keys a state's option to hold.
    """
    if np.any(np.asarray(actor) >= 256) or np.any(np.asarray(target) >= 65535):
        raise ValueError("draw keys hold up to 256 states and 65,535 targets")
    return ((np.asarray(kind, dtype=np.int64) * 256 + actor) * 65536 + (np.asarray(target) + 1)) * 2


def incident_positions(
    incident_dyads: np.ndarray, pairs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where upper-triangle dyads ``pairs`` sit among ``incident_dyads``, and whether they do."""
    if incident_dyads.size == 0:
        return np.zeros(pairs.shape, dtype=np.int64), np.zeros(pairs.shape, dtype=bool)
    found = np.minimum(np.searchsorted(incident_dyads, pairs), incident_dyads.size - 1)
    return found, (incident_dyads[found] == pairs) & (pairs >= 0)
