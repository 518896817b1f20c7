"""Sweeps: designs over scenario fields, run on Dask into Parquet, and their analysis.

A sweep spec and its design (:mod:`~sim.sweep.spec`), the executor that runs chunks of runs
through the batched engine on local processes or any Dask cluster
(:mod:`~sim.sweep.executor`), the sweep directory with its manifest and parts
(:mod:`~sim.sweep.store`), and Sobol, Morris, main-effects and PRIM analysis of the
results (:mod:`~sim.sweep.analysis`).
"""
