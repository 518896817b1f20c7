"""Outputs: what a run becomes for its readers.

Tables and files (:mod:`~sim.outputs.writers`), plots (:mod:`~sim.outputs.plots`, in the style of
:mod:`~sim.outputs.style`), the narrator (:mod:`~sim.outputs.narrative`), the after-action
report (:mod:`~sim.outputs.report`) and the provenance listing (:mod:`~sim.outputs.explain`).
"""
