"""docs/tutorial.md stays true: every command in it runs and prints exactly what it shows.

Each ``console`` block is one command and its whole output (none shown: none printed). The
output is compared line by line, normalising only what varies by machine: the folder the
commands run in and trailing spaces. A ``yaml`` block is a file, named by its first line. A
command that writes a results folder an earlier identical command wrote must write the same
bytes, as the tutorial says.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"
GEOSIM = Path(sys.executable).with_name("geosim")
BLOCK = re.compile(r"```(console|yaml)\n(.*?)```", re.DOTALL)


def steps() -> list[tuple[str, str]]:
    """Console and YAML blocks of the tutorial, in order."""
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(TUTORIAL.read_text())]


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _normalised(text: str, folder: Path) -> list[str]:
    return [line.rstrip() for line in text.replace(f"{folder}/", "").splitlines()]


def test_the_tutorial_has_commands_and_files() -> None:
    kinds = [kind for kind, _ in steps()]
    assert kinds.count("console") >= 6 and kinds.count("yaml") >= 2


def test_every_tutorial_command_prints_exactly_what_it_shows(tmp_path: Path) -> None:
    ran = repeated = 0
    written: dict[tuple[str, ...], dict[str, str]] = {}
    for kind, body in steps():
        if kind == "yaml":
            first = body.splitlines()[0]
            assert first.startswith("# "), "a YAML block starts with '# <file name>'"
            (tmp_path / first[2:].strip()).write_text(body)
            continue
        lines = body.rstrip("\n").splitlines()
        command, expected = lines[0], lines[1:]
        assert command.startswith("$ geosim "), command
        wanted_exit = 2 if "# exits 2" in command else 0
        args = command.removeprefix("$ geosim ").split("#")[0].split()
        done = subprocess.run(
            [str(GEOSIM), *args], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert done.returncode == wanted_exit, (command, done.stdout, done.stderr)
        assert _normalised(done.stdout + done.stderr, tmp_path) == expected, command
        if "--out" in args:
            out = tmp_path / args[args.index("--out") + 1]
            key = tuple(a for a in args if a != "--force")
            if key in written:
                assert _digest(out) == written[key], f"{command}: not the same bytes again"
                repeated += 1
            written[key] = _digest(out)
        ran += 1
    assert ran >= 6
    assert (tmp_path / "results" / "my_vietnam_vs_parent" / "report.html").is_file()
    assert repeated >= 1  # the tutorial's claim that a rerun writes the same bytes is checked
