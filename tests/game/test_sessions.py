"""The sessions folder: its games listed, every other entry skipped with why, checked for use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from sim.game import record as record_module
from sim.game.record import GameRecord, save
from sim.game.sessions import SessionsFolderError, saved_games, scan, usable_folder

BASE = "name: small\nhorizon: 12\nseed: 4\n"


def game_record(game_id: str = "20261201-abcd", **fields) -> GameRecord:
    return GameRecord(**{"id": game_id, "scenario": "small", "base": BASE, "seed": 4, **fields})


def test_saved_games_lists_newest_first_and_skips_unreadable_files(tmp_path: Path) -> None:
    ids = ["20261201-aaaa", "20261201-bbbb", "20261201-cccc"]
    for age, game_id in zip((300, 100, 200), ids, strict=True):
        path = save(game_record(game_id), tmp_path)
        os.utime(path, (1_800_000_000 - age, 1_800_000_000 - age))
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    (tmp_path / "scenario.yaml").write_text("name: small\nhorizon: 12\n")
    (tmp_path / "wrong.yaml").write_text(yaml.safe_dump({"geosim_session": 1, "id": "x"}))
    (tmp_path / "notes.txt").write_text("not a game")
    assert [r.id for r in saved_games(tmp_path)] == [
        "20261201-bbbb",
        "20261201-cccc",
        "20261201-aaaa",
    ]
    assert saved_games(tmp_path / "none yet") == []


def _unreadable_entries(folder: Path) -> dict[str, str]:
    """Entries of a sessions folder that are not sessions, name → a word of why (as skipped)."""
    (folder / "dangling.yaml").symlink_to(folder / "gone" / "nowhere.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    (folder / "folder.yaml").mkdir()
    (folder / "scenario.yaml").write_text("name: small\nhorizon: 12\n")
    (folder / "empty.yaml").write_text("")
    return {
        "dangling.yaml": "broken symbolic link",
        "loop.yaml": "symbolic link",
        "folder.yaml": "a folder",
        "scenario.yaml": "not a geosim game session",
        "empty.yaml": "not a geosim game session",
    }


def test_entries_that_are_not_sessions_are_skipped_each_with_why(tmp_path: Path) -> None:
    kept = save(game_record("20261201-good"), tmp_path)
    why = _unreadable_entries(tmp_path)
    records, skipped = scan(tmp_path)
    assert [r.id for r in records] == ["20261201-good"]
    assert {s.path.name: s.reason for s in skipped}.keys() == why.keys()
    for entry in skipped:
        assert why[entry.path.name] in entry.reason, entry
        assert "\n" not in str(entry) and str(entry.path) in str(entry)
    assert [r.id for r in saved_games(tmp_path)] == ["20261201-good"]
    assert kept.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_a_file_that_cannot_be_read_is_skipped_with_why(tmp_path: Path) -> None:
    locked = save(game_record(), tmp_path)
    locked.chmod(0)
    records, [skipped] = scan(tmp_path)
    assert records == [] and "cannot read it" in skipped.reason


def test_a_fifo_or_a_huge_file_is_skipped_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")  # reading it would wait for a writer for ever
    big = save(game_record(), tmp_path)
    monkeypatch.setattr(record_module, "MAX_SESSION_BYTES", big.stat().st_size - 1)
    records, skipped = scan(tmp_path)
    assert records == []
    reasons = {s.path.name: s.reason for s in skipped}
    assert "not a regular file" in reasons["pipe.yaml"]
    assert "larger than" in reasons[big.name]


def test_a_folder_that_cannot_be_listed_is_named(tmp_path: Path) -> None:
    records, [skipped] = scan(Path("/dev/null"))
    assert records == [] and "cannot list the folder" in skipped.reason
    assert scan(tmp_path / "none yet") == ([], [])  # no folder yet: no games, nothing wrong


# -------------------------------------------------------------------------------------------
# Whether a folder can be used


def test_a_usable_folder_is_made_and_nothing_is_left_in_it(tmp_path: Path) -> None:
    folder = usable_folder(tmp_path / "a" / "b")
    assert folder.is_dir() and list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("/dev/null", "--sessions /dev/null is not a folder (it is a device, a pipe or a socket)"),
        ("/sys/kernel", "--sessions /sys/kernel: cannot write there (Permission denied)"),
        ("/proc/nowhere/x", "--sessions /proc/nowhere/x: cannot make the folder"),
    ],
)
def test_a_folder_that_cannot_be_used_is_one_line_naming_it(where: str, said: str) -> None:
    with pytest.raises(SessionsFolderError) as caught:
        usable_folder(Path(where))
    assert str(caught.value).startswith(said) and "\n" not in str(caught.value)


def test_a_file_is_not_a_sessions_folder_and_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / "notes.txt"
    mine.write_text("mine\n")
    with pytest.raises(SessionsFolderError, match="is not a folder \\(it is a file\\)"):
        usable_folder(mine)
    assert mine.read_text() == "mine\n"
