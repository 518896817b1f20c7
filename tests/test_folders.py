"""Folders geosim writes: checked first, filled atomically, replaced only when geosim's own.

The disk tests use a real tmpfs, read-only or full, where the tests run as root and may
mount one; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import fill_up
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.folders import (
    MARKER,
    STAGING,
    OutputError,
    check_file,
    check_output,
    clean_stale,
    fingerprint,
    read_ledger,
    signed,
    staging_folder,
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
    assert read_ledger(out).files == {"a.txt": fingerprint(out / "a.txt")}
    with pytest.raises(RuntimeError):
        write_folder(out, lambda d: (_ for _ in ()).throw(RuntimeError("boom")), force=True,
                     command="test")  # fmt: skip
    assert (out / "a.txt").read_text() == "old"
    write_folder(out, fill_with("b.txt", "new"), force=True, command="test")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_occupied_folders_need_force_and_a_ledger(tmp_path: Path) -> None:
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


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("manifest.json", {"fingerprint": "x", "format": 1}),  # a webpack build's
        ("summary.json", {"version": "0.1.0", "config_hash": "ab"}),
        (MARKER, {"written_by": "someone else"}),
    ],
)
def test_key_names_do_not_make_a_folder_geosims(tmp_path: Path, name: str, content) -> None:
    other = tmp_path / "build"
    other.mkdir()
    (other / name).write_text(json.dumps(content))
    (other / "bundle.js").write_text("a user's work")
    with pytest.raises(OutputError, match="not written by geosim"):
        write_folder(other, fill_with("model.csv"), force=True, command="test")
    assert sorted(p.name for p in other.iterdir()) == sorted([name, "bundle.js"])


def test_a_folder_of_an_older_geosim_is_refused_not_guessed(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / MARKER).write_text(json.dumps({"written_by": "geosim", "command": "run"}))
    (old / "model.csv").write_text("x")
    with pytest.raises(OutputError, match="older geosim that did not list its files"):
        check_output(old, force=True)


def test_force_replaces_only_geosims_unchanged_files(tmp_path: Path) -> None:
    out = tmp_path / "out"

    def outputs(text: str):
        def fill(folder: Path) -> None:
            (folder / "model.csv").write_text(text)
            (folder / "edited.md").write_text(text)
            (folder / "plots").mkdir()
            (folder / "plots" / "a.png").write_text(text)
            (folder / "plots" / f"only_{text}.png").write_text(text)

        return fill

    write_folder(out, outputs("old"), force=False, command="test")
    (out / "notes.txt").write_text("the user's notes")
    (out / "plots" / "mine.png").write_text("the user's picture")
    (out / "mine").mkdir()
    (out / "edited.md").write_text("changed by the user")
    with pytest.raises(OutputError, match=r"edited\.md was not written by geosim .*changed"):
        write_folder(out, outputs("new"), force=True, command="test")
    assert (out / "model.csv").read_text() == "old"  # refused before anything moved
    (out / "edited.md").rename(tmp_path / "edited.md")
    kept = write_folder(out, outputs("new"), force=True, command="test")
    assert kept == ["mine", "notes.txt", "plots/mine.png"]
    assert (out / "notes.txt").read_text() == "the user's notes"
    assert (out / "plots" / "mine.png").read_text() == "the user's picture"
    assert (out / "mine").is_dir()
    assert (out / "model.csv").read_text() == "new" and (out / "edited.md").read_text() == "new"
    assert not (out / "plots" / "only_old.png").exists()
    assert (out / "plots" / "only_new.png").exists()
    ledger = read_ledger(out)
    assert ledger is not None and sorted(ledger.files) == [
        "edited.md",
        "model.csv",
        "plots/a.png",
        "plots/only_new.png",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edited.md", "out"]  # no debris


def test_an_input_of_the_command_is_never_removed(tmp_path: Path) -> None:
    out = tmp_path / "run1"
    write_folder(out, fill_with("scenario.resolved.yaml", "old"), force=False, command="run")
    scenario = out / "scenario.resolved.yaml"  # geosim's, unchanged: yet it is read now
    with pytest.raises(OutputError, match="is an input of this command"):
        write_folder(
            out, fill_with("scenario.resolved.yaml", "new"), force=True, command="run",
            inputs=[scenario],
        )  # fmt: skip
    assert scenario.read_text() == "old"
    kept = write_folder(
        out, fill_with("model.csv", "new"), force=True, command="run", inputs=[scenario]
    )
    assert kept == ["scenario.resolved.yaml"] and scenario.read_text() == "old"


def test_a_ledger_cannot_reach_outside_its_folder(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    write_folder(out, fill_with("a.txt"), force=False, command="test")
    ledger = json.loads((out / MARKER).read_text())
    ledger["files"]["../victim.txt"] = fingerprint(victim)
    ledger["folders"] = ["..", "/tmp"]
    (out / MARKER).write_text(json.dumps(ledger))
    write_folder(out, fill_with("b.txt"), force=True, command="test")
    assert victim.read_text() == "precious"


#: Names in and under a folder for the property-based test.
NAMES = ["a.csv", "b.md", "plots/a.png", "plots/b.svg", "deep/er/c.txt"]
#: What a user may add: some land where geosim writes (refused), some beside it (kept).
USERS = [*NAMES, "plots/mine.png", "notes.txt", "deep/notes.txt"]


def _files(names: set[str], text: str):
    def fill(folder: Path) -> None:
        for name in names:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{text} {name}")

    return fill


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    old=st.sets(st.sampled_from(NAMES), max_size=5),
    new=st.sets(st.sampled_from(NAMES), min_size=1, max_size=5),
    users=st.sets(st.sampled_from(USERS), max_size=4),
    changed=st.sets(st.sampled_from(NAMES), max_size=3),
)
def test_force_never_loses_a_users_file(tmp_path_factory, old, new, users, changed) -> None:
    out = tmp_path_factory.mktemp("prop") / "out"
    write_folder(out, _files(old, "old"), force=False, command="test")
    for name in users - old:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(f"user {name}")
    for name in changed & old:
        (out / name).write_text(f"user edit {name}")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != MARKER}
    theirs = {p: b for p, b in before.items() if b.startswith(b"user")}
    try:
        kept = write_folder(out, _files(new, "new"), force=True, command="test")
    except OutputError:
        after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != MARKER}
        assert after == before  # refused: nothing moved at all
        return
    for path, content in theirs.items():
        assert path.read_bytes() == content
        assert path.relative_to(out).as_posix() in kept
    for name in new:
        assert (out / name).read_text() == f"new {name}"
    for name in old - new - {p.relative_to(out).as_posix() for p in theirs}:
        assert not (out / name).exists()


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
    assert (tmp_path / "report.html").read_text().startswith("<html>\n<!-- written by geosim")
    with pytest.raises(OutputError, match="is a folder"):
        check_file(tmp_path)
    with pytest.raises(OutputError, match="missing does not exist; create it"):
        check_file(tmp_path / "missing" / "report.html")
    (tmp_path / "plain").write_text("")
    with pytest.raises(OutputError, match="plain is not a folder"):
        check_file(tmp_path / "plain" / "report.html")
    assert not list(tmp_path.glob(f"{STAGING}*"))


def test_a_single_file_replaces_only_what_geosim_wrote(tmp_path: Path) -> None:
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("years of work")
    with pytest.raises(OutputError, match=r"thesis\.txt exists and was not written by geosim"):
        check_file(thesis)
    link = tmp_path / "link.html"
    link.symlink_to(tmp_path / "elsewhere.html")
    with pytest.raises(OutputError, match="is a symbolic link"):
        check_file(link)
    with pytest.raises(OutputError, match="not a regular file"):
        check_file(Path("/dev/null"))
    report = tmp_path / "report.html"
    write_file(report, "<html>")
    assert signed(report)
    check_file(report)  # geosim's own, unchanged: may be replaced
    report.write_text(report.read_text().replace("<html>", "<html><p>mine"))
    assert not signed(report)
    with pytest.raises(OutputError, match="was not written by geosim"):
        check_file(report)
    assert thesis.read_text() == "years of work" and link.is_symlink()


def test_force_replaces_a_users_file_but_never_a_link_or_a_folder(tmp_path: Path) -> None:
    scores = tmp_path / "scores.json"
    scores.write_text("{}")
    with pytest.raises(OutputError, match="give --force to replace it"):
        check_file(scores, what="--json", force=False)
    check_file(scores, what="--json", force=True)  # the user named it and asked
    write_file(scores, '{"a": 1}\n', signature=False)  # JSON takes no signature line
    assert scores.read_text() == '{"a": 1}\n' and not signed(scores)
    with pytest.raises(OutputError, match="cannot tell a file of this kind it wrote"):
        check_file(scores, what="--json", force=False)  # unsigned, no ledger: not provably ours
    link = tmp_path / "link.json"
    link.symlink_to(scores)
    with pytest.raises(OutputError, match="is a symbolic link"):
        check_file(link, force=True)
    with pytest.raises(OutputError, match="is a folder"):
        check_file(tmp_path, force=True)
    out = tmp_path / "run"
    write_folder(out, fill_with("model.csv"), force=False, command="run")
    write_file(out / "scores.json", "{}\n", signature=False)
    check_file(out / "scores.json", force=False)  # its folder's ledger lists it unchanged


def test_a_file_listed_unchanged_in_its_folders_ledger_is_geosims(tmp_path: Path) -> None:
    out = tmp_path / "run"
    write_folder(out, fill_with("report.html", "<html>"), force=False, command="run")
    check_file(out / "report.html")
    write_file(out / "report.html", "<html>again")  # the ledger follows the new file
    assert read_ledger(out).files["report.html"] == fingerprint(out / "report.html")
    write_folder(out, fill_with("model.csv"), force=True, command="run")
    assert not (out / "report.html").exists()


def test_what_a_killed_command_left_is_cleaned_and_one_in_use_is_not(tmp_path: Path) -> None:
    script = (
        "import sys, time, pathlib\n"
        "from sim.folders import staging_folder\n"
        "with staging_folder(pathlib.Path(sys.argv[1]), 'out') as s:\n"
        "    (s / 'model.csv').write_text('half')\n"
        "    print(s, flush=True)\n"
        "    time.sleep(60)\n"
    )
    killed = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    stale = Path(killed.stdout.readline().strip())
    killed.kill()
    killed.wait()
    running = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        busy = Path(running.stdout.readline().strip())
        (tmp_path / f"{STAGING}a-users-folder").mkdir()
        (tmp_path / f"{STAGING}a-users-folder" / "thing").write_text("x")
        write_folder(tmp_path / "out", fill_with("a.txt"), force=False, command="test")
        assert not stale.exists()
        assert busy.is_dir() and (tmp_path / f"{STAGING}a-users-folder" / "thing").exists()
    finally:
        running.kill()
        running.wait()
    assert clean_stale(tmp_path) == [busy]


def test_a_staging_folder_holds_a_ledger_from_the_start(tmp_path: Path) -> None:
    with staging_folder(tmp_path, "x" * 300) as folder:
        assert read_ledger(folder) is not None
        assert len(folder.name.encode()) < 255
    assert list(tmp_path.iterdir()) == []


def test_names_the_file_system_refuses_are_one_message(tmp_path: Path) -> None:
    long = tmp_path / ("n" * 300)
    with pytest.raises(OutputError, match=r"File name too long \(ENAMETOOLONG\)"):
        check_output(long, force=False)
    with pytest.raises(OutputError, match="ENAMETOOLONG"):
        check_file(tmp_path / ("n" * 300 + ".html"))


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
