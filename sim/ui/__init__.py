"""The facilitator console: the Solara dashboard and what it is made of.

The inject menu (:mod:`~sim.ui.injects`), the session model and its branches
(:mod:`~sim.ui.session`), the live charts (:mod:`~sim.ui.charts`), the status line and turn
log (:mod:`~sim.ui.views`) and the page itself (:mod:`~sim.ui.app`).
"""
