"""One writer per game: a server holds each game it serves, and no other server may take it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.game.holding import GameHeldError, GameLock
from sim.game.record import Seat, load, session_path
from sim.game.rooms import Lobby
from sim.scenario.moves import Move

#: A second process: it takes a game, makes a move, says so and waits to be killed.
HOLDER = """
import sys, time
from sim.game.rooms import Lobby
from sim.scenario.moves import Move
lobby = Lobby(sys.argv[1], server="http://127.0.0.1:9999/")
game = lobby.open(sys.argv[2])
game.inject(Move.new("incident", actor="CHN", other="PHL", level="clash"), rationale="held")
print("holding", flush=True)
time.sleep(600)
"""


def test_a_game_held_by_one_server_is_refused_by_another_naming_both(tmp_path: Path) -> None:
    first = Lobby(tmp_path, server="http://127.0.0.1:8001/")
    game = first.create("scs_crisis", [Seat(name="Blue", countries=["USA"])])
    second = Lobby(tmp_path, server="http://127.0.0.1:8002/")
    attempts = {
        "open": lambda: second.open(game.id),
        "join": lambda: second.join(game.record.facilitator_code),
        "adopt": lambda: second.adopt(session_path(tmp_path, game.id)),
    }
    for name, attempt in attempts.items():
        with pytest.raises(GameHeldError) as caught:
            attempt()
        message = caught.value.problems[0].message
        assert game.id in message and "another geosim server" in message, name
        assert "http://127.0.0.1:8001/" in message and "\n" not in message
    first.close()  # the first server stops: the game is free
    assert second.open(game.id).record == game.record


def test_a_second_process_cannot_take_a_game_until_the_first_is_killed(tmp_path: Path) -> None:
    lobby = Lobby(tmp_path)
    game_id = lobby.create("scs_crisis").id
    lobby.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path), game_id],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        here = Lobby(tmp_path)
        with pytest.raises(GameHeldError, match=r"another geosim server.*9999"):
            here.open(game_id)
    finally:
        holder.kill()  # SIGKILL: no clean-up runs, the kernel drops the lock with the process
        holder.wait()
    taken = here.open(game_id)
    assert [a.rationale for a in taken.accepted()] == ["held"]  # what the holder did is kept
    taken.advance(1)
    assert load(session_path(tmp_path, game_id)).month == 1


def test_a_lock_released_is_free_for_the_next_holder(tmp_path: Path) -> None:
    held = GameLock.take(tmp_path, "20261201-abcd", server="one")
    with pytest.raises(GameHeldError):
        GameLock.take(tmp_path, "20261201-abcd", server="two")
    held.release()
    held.release()  # twice is harmless
    GameLock.take(tmp_path, "20261201-abcd", server="two").release()


def test_a_held_game_is_still_listed_and_its_moves_are_read(tmp_path: Path) -> None:
    first = Lobby(tmp_path)
    game = first.create("scs_crisis")
    game.inject(Move.new("incident", actor="CHN", other="PHL", level="clash"))
    [listed] = Lobby(tmp_path).saved()
    assert listed.id == game.id and len(listed.actions) == 1
