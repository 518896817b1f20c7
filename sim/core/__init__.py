"""The core layer: the model itself, from a validated scenario to numbers.

World compilation (:mod:`~sim.core.compile`, :mod:`~sim.core.world`), the dynamics in the order
of ``docs/model.md`` (:mod:`~sim.core.dynamics`), counter-based random streams
(:mod:`~sim.core.rng`), metrics (:mod:`~sim.core.metrics`), typed event records
(:mod:`~sim.core.records`), the batched engine (:mod:`~sim.core.engine`,
:mod:`~sim.core.batch`) and the Mesa model (:mod:`~sim.core.model`,
:mod:`~sim.core.agents`). It imports only :mod:`sim.scenario`.
"""

from sim.core.kernel_cache import drop_stale_kernels

drop_stale_kernels()
