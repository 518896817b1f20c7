"""Country agents: one Mesa agent per state, a named view into the model's arrays.

The dynamics are vectorised across countries (see :mod:`sim.core.dynamics`), so an agent holds
no state of its own: its attributes read the row of the model's state that belongs to it. This
keeps one source of truth while giving users the familiar Mesa interface
(``model.agents``, ``agent.alignment``, agent reporters in the DataCollector). At a decision
month each agent's :meth:`Country.step` chooses its state's move (§9); the model resolves.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.core.dynamics.decisions import choose
from sim.core.metrics import HEDGING_BAND


class Country(mesa.Agent):
    """A state in the Indo-Pacific system.

    Its model is an :class:`~sim.core.model.IndoPacificModel`: the agent reads the model's
    ``state`` (one replicate) and ``world`` (the compiled scenario).

    Attributes:
        iso3: ISO 3166-1 alpha-3 code.
        index: Position in the model's country arrays.
    """

    def __init__(self, model: mesa.Model, *, iso3: str, index: int) -> None:
        super().__init__(model)
        self.iso3 = iso3
        self.index = index

    def step(self) -> None:
        """Decide: at a decision month, choose this state's move by its decision rule (§9).

        The model has scored every move on the menu (``model.gains``); the choice is the
        logit draw of :func:`sim.core.dynamics.decisions.choose` for this state alone, the
        same as the batched engine makes for it among all the others. The model then resolves
        the month with everyone's moves.
        """
        model = self.model
        if model.gains is None or not (model.world.menu.actor == self.index).any():
            return
        picked = choose(
            model.world, model.state, model.gains, np.array([self.index]), model.scores.stake
        )
        model.choices[:, self.index] = picked[:, 0]

    @property
    def menu(self) -> list[str]:
        """The moves this state may make, by variable (``CHN coercion PHL``…)."""
        world = self.model.world
        return [
            world.menu.key(v, world.codes, world.alliance_labels)
            for v in np.flatnonzero(world.menu.actor == self.index)
        ]

    @property
    def alignment(self) -> float:
        """Position on the China (−1) – US (+1) axis."""
        return float(self.model.state.alignment[0, self.index])

    @property
    def milex_usd_bn(self) -> float:
        """Military spending, US$ bn per year."""
        return float(self.model.state.milex[0, self.index])

    @property
    def threat(self) -> float:
        """Perceived threat in [0, 1)."""
        return float(self.model.state.threat[0, self.index])

    @property
    def abandonment_fear(self) -> float:
        """Fear of being abandoned by allies, in [0, 1]."""
        return float(self.model.state.abandonment[0, self.index])

    @property
    def entrapment_fear(self) -> float:
        """Fear of being dragged into allies' conflicts, in [0, 1]."""
        return float(self.model.state.entrapment[0, self.index])

    @property
    def is_hedger(self) -> bool:
        """Whether the state hedges (|alignment| below the hedging band; the poles never do)."""
        return not self.model.world.pole[self.index] and abs(self.alignment) < HEDGING_BAND

    def tension_with(self, other: Country) -> float:
        """Tension of the dyad with another country, in [0, 1]."""
        return float(self.model.state.tension[0, self.index, other.index])

    def __repr__(self) -> str:
        return f"Country({self.iso3}, alignment={self.alignment:+.2f})"
