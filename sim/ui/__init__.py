"""The wargame console: a Solara app for a facilitator and teams playing one game.

The page and its panels (:mod:`~sim.ui.app`), the move form (:mod:`~sim.ui.forms`), the live
charts (:mod:`~sim.ui.charts`), and the status line and turn log (:mod:`~sim.ui.views`). The
game itself (records, seats, decks, branches) is :mod:`sim.game`.
"""
