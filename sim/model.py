"""The Mesa model of the Indo-Pacific security system.

``IndoPacificModel`` is the interactive face of geosim: a ``mesa.Model`` with one
:class:`~sim.agents.Country` agent per state and a ``DataCollector``, stepped one month at a
time by a facilitator, a notebook or SolaraViz. Its ``step`` calls the same
:func:`sim.dynamics.advance` as the batched engine, with a single replicate, so replicate ``r``
of seed ``s`` gives the same numbers here and in ``geosim run``.
"""

from __future__ import annotations

from typing import Any

import mesa
from pydantic import ValidationError

from sim import metrics
from sim.agents import Country
from sim.dynamics import advance, initial_state
from sim.rng import replicate_keys
from sim.scenario import Scenario
from sim.world import World, compile_world


class IndoPacificModel(mesa.Model):
    """Country agents on the US–China alignment axis, stepped monthly.

    Args:
        definition: A validated scenario (see :func:`sim.loader.load_scenario`).
        replicate: Which replicate of the seed's streams to follow.
        rng: Base seed (an int); defaults to the scenario's ``seed``.

    Attributes:
        definition: The scenario.
        world: The compiled scenario arrays.
        state: The current state (one replicate).
        seed: The base seed in use.
        replicate: The replicate index.
        datacollector: Model and agent reporters, collected every month.
    """

    def __init__(self, definition: Scenario, *, replicate: int = 0, rng: int | None = None) -> None:
        seed = definition.seed if rng is None else int(rng)
        super().__init__(rng=seed)
        self.definition = definition
        self.seed = seed
        self.replicate = replicate
        self.world: World = compile_world(definition)
        self.state = initial_state(self.world, replicate_keys(seed, [replicate]), log=True)
        self._lookup = metrics.lookup(self.world, self.state)
        self.events: list[dict[str, Any]] = []
        for index, code in enumerate(self.world.codes):
            Country(self, iso3=code, index=index)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                name: (lambda m, name=name: float(m.metric(name))) for name in metrics.MODEL_METRICS
            },
            agent_reporters={
                "iso3": "iso3",
                "alignment": "alignment",
                "milex_usd_bn": "milex_usd_bn",
                "threat": "threat",
            },
        )
        self.datacollector.collect(self)

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
        """Current value of a model-level metric (see :data:`sim.metrics.MODEL_METRICS`)."""
        return float(metrics.model_metrics(self.world, self.state)[name][0])

    def tension(self, a: str, b: str) -> float:
        """Current tension between two countries."""
        return float(self.state.tension[0, self.world.index(a), self.world.index(b)])

    def step(self) -> None:
        """Advance one month and collect data; past the horizon, stop running."""
        if self.finished:
            self.running = False
            return
        before = len(self.state.log)
        advance(self.world, self.state, self._lookup)
        new = self.state.log[before:]
        for record in new:
            record["replicate"] = self.replicate
        self.events.extend(new)
        self.datacollector.collect(self)
        if self.finished:
            self.running = False

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
            ValueError: For an unknown block, a name in use, or an entry that does not
                validate (the message says what is wrong).
        """
        if block not in ("events", "alliances"):
            raise ValueError(f"can only inject events or alliances, not {block!r}")
        data = self.definition.model_dump(mode="json", exclude_none=True)
        if name in data.get(block, {}):
            raise ValueError(f"{block}.{name} already exists; choose another name")
        when = {"events": "step", "alliances": "start"}[block]
        data.setdefault(block, {})[name] = {**spec, when: self.month}
        try:
            definition = Scenario.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(f"{where}: {first['msg']}") from None
        self._rebuild(definition)

    def _rebuild(self, definition: Scenario) -> None:
        """Recompile ``definition`` and replay the months so far on the same streams."""
        month = self.month
        world = compile_world(definition)
        state = initial_state(world, replicate_keys(self.seed, [self.replicate]), log=True)
        lookup = metrics.lookup(world, state)
        for _ in range(month):
            advance(world, state, lookup)
        for record in state.log:
            record["replicate"] = self.replicate
        self.definition, self.world, self.state, self._lookup = definition, world, state, lookup
        self.events = list(state.log)
        # This month's row was collected before the inject (an alliance counts from now on).
        collector = self.datacollector
        for values in collector.model_vars.values():
            values.pop()
        if getattr(collector, "_collection_steps", None):
            collector._collection_steps.pop()
        collector.collect(self)

    def to_yaml(self) -> str:
        """The session as a scenario file: the original plus every inject as a timed entry."""
        from sim.loader import scenario_to_yaml

        return scenario_to_yaml(self.definition)
