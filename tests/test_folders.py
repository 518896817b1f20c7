"""Folders geosim writes: checked first, filled atomically, replaced only when geosim's own.

The disk tests use a real tmpfs, read-only or full, where the tests run as root and may
mount one; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import fill_up

from sim.folders import (
    MARKER,
    STAGING,
    OutputError,
    check_file,
    check_output,
    owned,
    write_file,
    write_folder,
)


def fill_with(name: str, text: str = "x"):
    return lambda folder: (folder / name).write_text(text)


def test_a_failure_while_writing_leaves_nothing_behind(tmp_path: Path) -> None:
    def explode(folder: Path) -> None:
        (folder / "model.csv").write_text("partial")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_folder(tmp_path / "out", explode, force=False, command="test")
    assert list(tmp_path.iterdir()) == []


def test_forced_replacement_is_atomic_and_keeps_the_old_folder_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_folder(out, fill_with("a.txt", "old"), force=False, command="test")
    assert (out / MARKER).is_file() and owned(out)
    with pytest.raises(RuntimeError):
        write_folder(out, lambda d: (_ for _ in ()).throw(RuntimeError("boom")), force=True,
                     command="test")  # fmt: skip
    assert (out / "a.txt").read_text() == "old"
    write_folder(out, fill_with("b.txt", "new"), force=True, command="test")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_occupied_folders_need_force_and_must_be_geosims(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    with pytest.raises(OutputError, match="pass --force"):
        check_output(mine, force=False)
    with pytest.raises(OutputError, match="not written by geosim"):
        check_output(mine, force=True)
    with pytest.raises(OutputError, match="not written by geosim"):
        write_folder(mine, fill_with("model.csv"), force=True, command="test")
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]
    assert check_output(tmp_path / "empty", force=False) == tmp_path / "empty"


def test_an_older_geosims_results_and_sweeps_count_as_geosims(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.json").write_text(json.dumps({"version": "0.1.0", "config_hash": "ab"}))
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "manifest.json").write_text(json.dumps({"format": 1, "fingerprint": "x"}))
    other = tmp_path / "other"
    other.mkdir()
    (other / "summary.json").write_text(json.dumps({"version": "2"}))
    assert owned(run) and owned(sweep) and not owned(other)


def test_unusable_locations_are_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is not a folder"):
        check_output(tmp_path / "file", force=True)
    with pytest.raises(OutputError, match=r"cannot be created: .*file is not a folder"):
        check_output(tmp_path / "file" / "out", force=False)
    with pytest.raises(OutputError, match="cannot write in /proc"):
        check_output(Path("/proc/geosim-out"), force=False)
    here = Path.cwd()
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "a").write_text("x")
    os.chdir(tmp_path / "work")
    try:
        with pytest.raises(OutputError, match="holds the working folder"):
            check_output(Path("."), force=True)
    finally:
        os.chdir(here)


def test_a_link_to_a_folder_is_followed_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    write_folder(link, fill_with("model.csv"), force=False, command="test")
    assert link.is_symlink() and (target / "model.csv").is_file()
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(OutputError, match="not a folder"):
        check_output(tmp_path / "dangling", force=False)


def test_a_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    write_file(tmp_path / "report.html", "<html>")
    assert (tmp_path / "report.html").read_text() == "<html>"
    with pytest.raises(OutputError, match="is a folder"):
        check_file(tmp_path)
    with pytest.raises(OutputError, match="missing does not exist; create it"):
        check_file(tmp_path / "missing" / "report.html")
    (tmp_path / "plain").write_text("")
    with pytest.raises(OutputError, match="plain is not a folder"):
        check_file(tmp_path / "plain" / "report.html")
    assert not list(tmp_path.glob(f"{STAGING}*"))


def test_a_read_only_disk_is_refused_before_work_and_leaves_nothing(tmpfs: Path) -> None:
    write_folder(tmpfs / "old", fill_with("a.txt"), force=False, command="test")
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    with pytest.raises(OutputError, match=r"cannot write in .*Read-only file system \(EROFS\)"):
        check_output(tmpfs / "out", force=False)
    with pytest.raises(OutputError, match="EROFS"):
        write_folder(tmpfs / "old", fill_with("b.txt"), force=True, command="test")
    with pytest.raises(OutputError, match="EROFS"):
        write_file(tmpfs / "report.html", "x")
    assert sorted(p.name for p in tmpfs.iterdir()) == ["old"]


def test_a_read_only_mount_point_as_output_leaves_no_debris_in_its_parent(tmpfs: Path) -> None:
    (tmpfs / "a.txt").write_text("x")
    (tmpfs / MARKER).write_text(json.dumps({"written_by": "geosim"}))
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    before = sorted(p.name for p in tmpfs.parent.iterdir())
    with pytest.raises(OutputError):
        write_folder(tmpfs, fill_with("b.txt"), force=True, command="test")
    assert sorted(p.name for p in tmpfs.parent.iterdir()) == before
    assert (tmpfs / "a.txt").is_file()


def test_a_full_disk_is_a_clear_error_and_leaves_nothing(tmpfs: Path) -> None:
    fill_up(tmpfs)

    def too_big(folder: Path) -> None:
        (folder / "big.bin").write_bytes(b"0" * 1024 * 1024)

    with pytest.raises(OutputError, match=r"No space left on device \(ENOSPC\)"):
        write_folder(tmpfs / "out", too_big, force=False, command="test")
    with pytest.raises(OutputError, match="ENOSPC"):
        write_file(tmpfs / "big.html", "x" * 1024 * 1024)
    assert [p.name for p in tmpfs.iterdir()] == [".filler"]
