"""The model's dynamics, written once as array operations over replicates.

One module per mechanism, in the order of ``docs/model.md``: arms (§1), threat (§2), alignment
(§3), alliances (§4), incidents (§5), tension (§6), and policies and events (§7: levers,
events); :mod:`~sim.core.dynamics.step` runs them in a month's order, and
:mod:`~sim.core.dynamics.anchoring` solves the constants that hold the reference world at rest.
Every array carries a leading replicate axis; ``docs/model.md`` gives each equation under the
name of the function that computes it.
"""
