"""Studies: experiments over the model that answer a question.

Comparisons of scenarios on common random numbers (:mod:`~sim.studies.compare`), the
stylized-facts suite (:mod:`~sim.studies.stylized`), the 2015→2023 hindcast
(:mod:`~sim.studies.backtest`) and the calibration against the security-alignment index
(:mod:`~sim.studies.calibrate`), with the identifiability of what it fits
(:mod:`~sim.studies.identifiability`). They run the core and never write files.
"""
