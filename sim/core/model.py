"""The Mesa model of the Indo-Pacific security system.

``IndoPacificModel`` is the interactive face of geosim: a ``mesa.Model`` with one
:class:`~sim.core.agents.Country` agent per state and a ``DataCollector``, stepped one month at
a time by a facilitator, a notebook or SolaraViz. Its ``step`` runs the phases of
:func:`sim.core.dynamics.step.advance`, the batched engine's month, with a single replicate:
the month opens (events), each :class:`~sim.core.agents.Country` decides in its own ``step``
at a decision month (``docs/model.md`` §9), and the kernel resolves the month, so replicate
``r`` of seed ``s`` gives the same numbers here and in ``geosim run``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import mesa
import numpy as np
from pydantic import ValidationError

from sim.core import metrics
from sim.core.agents import Country
from sim.core.compile import compile_move, compile_world
from sim.core.dynamics.decisions import apply_choices, evaluate, is_decision_month
from sim.core.dynamics.step import close_month, initial_state, open_month
from sim.core.records import Record
from sim.core.rng import replicate_keys
from sim.core.world import CompiledMove, World
from sim.scenario.schema import PlayedMove, Scenario
from sim.scenario.translate import first_problem
from sim.scenario.yaml_io import scenario_to_yaml

#: What ``rng`` may be, as for ``mesa.Model``.
RNGLike = int | np.integer | np.random.Generator | np.random.BitGenerator | np.random.SeedSequence

#: Largest base seed (geosim's streams take a non-negative 63-bit seed).
MAX_SEED = 2**63 - 1


class IndoPacificModel(mesa.Model):
    """Country agents on the US–China alignment axis, stepped monthly.

    Args:
        definition: A validated scenario (see :func:`sim.scenario.load_scenario`).
        replicate: Which replicate of the seed's streams to follow.
        rng: What ``mesa.Model`` accepts: an int is the base seed of geosim's random streams;
            a NumPy ``Generator``, ``BitGenerator`` or ``SeedSequence`` seeds Mesa's
            generator, from which the base seed is drawn; None (default) uses the
            scenario's ``seed``.

    Attributes:
        definition: The scenario.
        world: The compiled scenario arrays.
        state: The current state (one replicate).
        seed: The base seed of geosim's streams.
        replicate: The replicate index.
        events: What happened so far, as typed records (:mod:`sim.core.records`).
        scores: At a decision month, what every move on the menu would change (§9).
        gains: At a decision month, ``ΔU`` of every move (§9).
        choices: At a decision month, each country's chosen move (-1: hold), filled by
            :meth:`~sim.core.agents.Country.step`.
        moves: The live moves played into the run (:meth:`play`: a game's accepted moves), in
            the order played; :attr:`played` is the scenario with them under ``moves:``.
        datacollector: Model and agent reporters, collected every month.
    """

    def __init__(
        self, definition: Scenario, *, replicate: int = 0, rng: RNGLike | None = None
    ) -> None:
        if rng is None:
            rng = definition.seed
        elif isinstance(rng, np.integer):  # Mesa seeds Python's random with it, which wants an int
            rng = int(rng)
        if isinstance(rng, int) and not 0 <= rng <= MAX_SEED:
            raise ValueError(f"rng must be a seed from 0 to {MAX_SEED}, got {rng}")
        super().__init__(rng=rng)
        # geosim's streams need an integer seed; from a generator it is drawn, reproducibly.
        drawn = None if isinstance(rng, int) else int(self.rng.integers(0, MAX_SEED, endpoint=True))
        seed = rng if drawn is None else drawn
        self.definition = definition
        self.seed = seed
        self.replicate = replicate
        self.world: World = compile_world(definition)
        keys = replicate_keys(seed, [replicate])
        self.state = initial_state(self.world, keys, log=True, ids=np.array([replicate]))
        self._lookup = metrics.lookup(self.world, self.state)
        self.events: list[Record] = []
        self.scores = self.gains = self.choices = None  # a decision month's menu and choices
        self.moves: list[PlayedMove] = []
        self._compiled: list[CompiledMove] = []
        for index, code in enumerate(self.world.codes):
            Country(self, iso3=code, index=index)
        self._collected: dict[str, np.ndarray] | None = None  # the metrics of a collect
        self.datacollector = mesa.DataCollector(
            model_reporters={
                name: (lambda m, name=name: m._reported(name)) for name in metrics.MODEL_METRICS
            },
            agent_reporters={
                "iso3": "iso3",
                "alignment": "alignment",
                "milex_usd_bn": "milex_usd_bn",
                "threat": "threat",
            },
        )
        self._collect()

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.state.step

    @property
    def finished(self) -> bool:
        """Whether the scenario's horizon has been reached."""
        return self.state.step >= self.world.horizon

    def country(self, iso3: str) -> Country:
        """Return the agent of a country by ISO3 code."""
        return self.agents.select(lambda a: a.iso3 == iso3).to_list()[0]

    def metric(self, name: str) -> float:
        """Current value of a model-level metric (see :data:`sim.core.metrics.MODEL_METRICS`)."""
        return float(metrics.model_metrics(self.world, self.state)[name][0])

    def _collect(self) -> None:
        """Collect this month's data, the model metrics computed once for all their reporters."""
        self._collected = metrics.model_metrics(self.world, self.state)
        try:
            self.datacollector.collect(self)
        finally:
            self._collected = None

    def _reported(self, name: str) -> float:
        """A model metric for the data collector: :meth:`metric`, read from the collect's."""
        if self._collected is None:
            return self.metric(name)
        return float(self._collected[name][0])

    def tension(self, a: str, b: str) -> float:
        """Current tension between two countries."""
        return float(self.state.tension[0, self.world.index(a), self.world.index(b)])

    def clarity_now(self) -> dict[str, float]:
        """The clarity of each alliance's pledge now (0 ambiguity … 1 plain), by its name.

        A scripted declaration, a move and the pledge's lead deciding by its rule all move
        it, so it is read here rather than from the scenario.
        """
        values = self.state.clarity[0]
        return {name: float(values[k]) for k, name in enumerate(self.world.alliance_names)}

    def step(self) -> None:
        """Advance one month and collect data; past the horizon, stop running."""
        if self.finished:
            self.running = False
            return
        before = len(self.state.log)
        open_month(self.world, self.state, self._lookup, self._compiled)
        if is_decision_month(self.world, self.state.step):
            # Mesa's idiom: every country decides in its own step, then the kernel resolves.
            self.scores, self.gains = evaluate(self.world, self.state)
            self.choices = np.full((1, self.world.n), -1, dtype=np.int64)
            self.agents.do("step")
            apply_choices(self.world, self.state, self.choices, self.scores, self.gains)
        close_month(self.world, self.state)
        self.events += self.state.log[before:]
        self._collect()
        if self.finished:
            self.running = False

    def play(self, move: PlayedMove) -> str:
        """Play a move into the run: it acts from the start of its month, in array form.

        Nothing is recompiled and no month replayed: the move joins the live moves that
        :meth:`step` applies with the scenario's own (:func:`sim.core.dynamics.played.play_moves`),
        and the exported scenario (:meth:`to_yaml`) lists it under ``moves:``, where
        ``geosim run`` applies it through the same function at the same point of the month.

        Args:
            move: The move, validated; its month is this month or later (a month played is
                not rewritten).

        Returns:
            Its label in the run's records (``moves[3]``).

        Raises:
            ~sim.core.compile.NeedsCompilingError: When the move needs the compiled structure (an
                incident or gray-zone pressure between states where no incident can happen
                in this scenario): make it an event (:meth:`inject`) instead.
            ValueError: When its month is already played or past the horizon, or it names an
                alliance the run does not have.
        """
        if not self.month <= move.month <= self.world.horizon:
            raise ValueError(
                f"a move acts from month {self.month} to {self.world.horizon}, not {move.month}"
            )
        label = f"moves[{len(self.definition.moves) + len(self.moves)}]"
        compiled = compile_move(self.world, move, label)
        self.moves.append(move)
        self._compiled.append(compiled)
        return label

    def unplay(self, label: str) -> PlayedMove:
        """Take back a live move that has not acted yet (its month is still to be played).

        Raises:
            ValueError: When there is no such move, or it has acted already.
        """
        found = next((i for i, m in enumerate(self._compiled) if m.label == label), None)
        if found is None or self._compiled[found].month < self.month:
            raise ValueError(f"no move {label} still to act")
        del self._compiled[found]
        move = self.moves.pop(found)
        start = len(self.definition.moves)
        self._compiled = [
            compile_move(self.world, m, f"moves[{start + i}]") for i, m in enumerate(self.moves)
        ]
        return move

    @property
    def labels(self) -> list[str]:
        """The labels of the live moves (``moves[3]``…), in the order played."""
        return [move.label for move in self._compiled]

    def world_played(self) -> World:
        """The compiled world with the live moves among its own (what the export compiles to).

        Nothing is compiled: the moves join ``World.moves``, so that a run of this world from
        the model's state (a "what if" of a game) goes on with them.
        """
        return replace(self.world, moves=(*self.world.moves, *self._compiled))

    @property
    def played(self) -> Scenario:
        """The scenario with the live moves under ``moves:``, after its own."""
        if not self.moves:
            return self.definition
        data = self.definition.model_dump(mode="json", exclude_none=True)
        data["moves"] = [
            *data.get("moves", []),
            *(m.model_dump(mode="json", exclude_none=True) for m in self.moves),
        ]
        return Scenario.model_validate(data)

    def with_inject(self, block: str, name: str, spec: dict[str, Any]) -> Scenario:
        """The scenario with an event or alliance added at the current month (not applied).

        Args:
            block: ``"events"`` or ``"alliances"``.
            name: Key of the new entry (must not exist yet).
            spec: The entry as in a scenario file, without ``step``/``start``.

        Returns:
            The validated scenario.

        Raises:
            ValueError: For an unknown block, a name in use, or an entry that does not
                validate (one located message: field path, what was expected, a hint).
        """
        if block not in ("events", "alliances"):
            raise ValueError(f"can only inject events or alliances, not {block!r}")
        data = self.definition.model_dump(mode="json", exclude_none=True)
        if name in data.get(block, {}):
            raise ValueError(f"{block}.{name} already exists; choose another name")
        when = {"events": "step", "alliances": "start"}[block]
        data.setdefault(block, {})[name] = {**spec, when: self.month}
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise ValueError(first_problem(exc)) from None

    def inject(self, block: str, name: str, spec: dict[str, Any]) -> None:
        """Add an event or an alliance that takes effect this month, and record it.

        The inject becomes part of :attr:`definition` (an event with ``step`` = the current
        month, or an alliance with ``start`` = the current month), the scenario is recompiled
        and the months so far are replayed with the same random streams. Replaying changes
        nothing before this month, and the exported scenario (:meth:`to_yaml`) reproduces the
        session exactly with ``geosim run``.

        Args:
            block: ``"events"`` or ``"alliances"``.
            name: Key of the new entry (must not exist yet).
            spec: The entry as in a scenario file, without ``step``/``start``.

        Raises:
            ValueError: As :meth:`with_inject`.
        """
        self._rebuild(self.with_inject(block, name, spec))

    def _rebuild(self, definition: Scenario) -> None:
        """Replay the months so far under ``definition``, on the same streams.

        The replay runs in a fresh model, whose data collector then replaces this one's: this
        month's row is collected again under the new definition (an alliance counts from now
        on; an event acts from the next month).
        """
        replay = IndoPacificModel(definition, replicate=self.replicate, rng=self.seed)
        for move in self.moves:
            replay.play(move)
        for _ in range(self.month):
            replay.step()
        self.definition, self.world = definition, replay.world
        self.state, self._lookup = replay.state, replay._lookup
        self._compiled = replay._compiled
        self.events = replay.events
        self.datacollector = replay.datacollector

    def to_yaml(self) -> str:
        """The session as a scenario file: injects as timed entries, moves under ``moves:``."""
        return scenario_to_yaml(self.played)
