"""``geosim dashboard`` and ``geosim sessions`` on a sessions folder that is not as it should be.

Every case is one plain message (exit 2 where nothing can be done), before any server starts;
never a traceback. The served console itself is tests/ui/test_console.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.game.play import Game
from sim.game.record import Seat
from sim.game.rooms import Lobby
from sim.ui import app, shared


@pytest.fixture(autouse=True)
def no_server(monkeypatch):
    """A fresh lobby per test, and no server: ``serve`` records that it would have started."""
    started: list[dict] = []
    monkeypatch.setattr(shared, "_LOBBY", None)
    monkeypatch.setattr(app, "serve", lambda *args, **kwargs: started.append(kwargs))
    return started


def test_sessions_lists_the_games_and_names_each_entry_it_skips(tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    game = Game.create("scs_crisis", folder, seats=[Seat(name="Blue", countries=["USA"])])
    (folder / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    (folder / "folder.yaml").mkdir()
    (folder / "notes.yaml").write_text("just: notes\n")
    result = CliRunner().invoke(main, ["sessions", "--sessions", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(game.id) and len(result.stdout.splitlines()) == 1
    warnings = result.stderr.splitlines()
    assert len(warnings) == 3, result.stderr
    for name, why in (
        ("dangling.yaml", "broken symbolic link"),
        ("folder.yaml", "a folder"),
        ("notes.yaml", "not a geosim game session"),
    ):
        [line] = [w for w in warnings if name in w]
        assert line.startswith(f"warning: {folder / name}: skipped: ") and why in line
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("/dev/null", "is not a folder"),
        ("/sys/kernel", "cannot write there"),
        ("/proc/geosim-sessions", "cannot make the folder"),
        ("a-file", "is a file"),  # click's own check of --sessions says it
    ],
    ids=["dev-null", "unwritable", "cannot-be-made", "a-file"],
)
def test_a_sessions_folder_that_cannot_be_used_is_one_message_before_any_server(
    where: str, said: str, tmp_path: Path, no_server: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a-file").write_text("mine\n")
    for command in (
        ["dashboard", "--sessions", where],
        ["dashboard", "--sessions", where, "--seats", "Blue=USA"],
        ["dashboard", "--sessions", where, "--resume", "20261201-abcd"],
    ):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, (command, result.output)
        assert no_server == [] and "Traceback" not in result.output
        if where == "a-file":
            assert "'a-file' is a file" in result.stderr
            continue
        [line] = result.stderr.splitlines()
        assert line.startswith(f"error: --sessions {where}") and said in line, line
    assert Path("a-file").read_text() == "mine\n"
    if where in ("/dev/null", "a-file"):
        listed = CliRunner().invoke(main, ["sessions", "--sessions", where])
        assert listed.exit_code == 2 and said in listed.stderr


def test_a_game_another_server_holds_is_refused_on_the_command_line(
    tmp_path: Path, no_server: list
) -> None:
    folder = tmp_path / "sessions"
    holder = Lobby(folder, server="http://127.0.0.1:8001/")
    game = holder.create("scs_crisis")
    result = CliRunner().invoke(main, ["dashboard", "--sessions", str(folder), "--resume", game.id])
    assert result.exit_code == 2 and no_server == []
    assert f"game {game.id}" in result.stderr and "another geosim server" in result.stderr
    assert "http://127.0.0.1:8001/" in result.stderr and "Traceback" not in result.output
    holder.close()
    resumed = CliRunner().invoke(
        main, ["dashboard", "--sessions", str(folder), "--resume", game.id]
    )
    assert resumed.exit_code == 0 and len(no_server) == 1, resumed.output
