"""Wargames: saved games, team seats and their moves, inject decks and branches from the present.

The layer between the numbers and the dashboard: :mod:`sim.game.record` (a game as a file),
:mod:`sim.game.play` (a live game and its board), :mod:`sim.game.rooms` (the games a server
holds, and who may join them), :mod:`sim.game.decks` (inject cards) and
:mod:`sim.game.branch` ("what if", continued from the board's present).
"""
