"""Country agents: one Mesa agent per state, a named view into the model's arrays.

The dynamics are vectorised across countries (see :mod:`sim.core.dynamics`), so an agent holds
no state of its own: its attributes read the row of the model's state that belongs to it. This
keeps one source of truth while giving users the familiar Mesa interface
(``model.agents``, ``agent.alignment``, agent reporters in the DataCollector).
"""

from __future__ import annotations

import mesa

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
