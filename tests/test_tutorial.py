"""docs/tutorial.md stays true: every command in it runs, with the output it shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"
GEOSIM = Path(sys.executable).with_name("geosim")
BLOCK = re.compile(r"```(console|yaml)\n(.*?)```", re.DOTALL)


def steps() -> list[tuple[str, str]]:
    """Console and YAML blocks of the tutorial, in order."""
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(TUTORIAL.read_text())]


def test_the_tutorial_has_commands_and_files():
    kinds = [kind for kind, _ in steps()]
    assert kinds.count("console") >= 5 and kinds.count("yaml") >= 2


def test_every_tutorial_command_runs_as_shown(tmp_path: Path):
    ran = 0
    for kind, body in steps():
        if kind == "yaml":
            first = body.splitlines()[0]
            assert first.startswith("# "), "a YAML block starts with '# <file name>'"
            (tmp_path / first[2:].strip()).write_text(body)
            continue
        lines = body.rstrip("\n").splitlines()
        command, expected = lines[0], lines[1:]
        assert command.startswith("$ geosim ")
        wanted_exit = 2 if "# exits 2" in command else 0
        args = command.removeprefix("$ geosim ").split("#")[0].split()
        done = subprocess.run(
            [str(GEOSIM), *args], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert done.returncode == wanted_exit, (command, done.stdout, done.stderr)
        shown = done.stdout + done.stderr
        assert "Traceback" not in shown
        for line in expected:
            assert line in shown.splitlines(), (command, line, shown)
        ran += 1
    assert ran >= 5
    report = tmp_path / "results" / "my_vietnam_vs_parent" / "report.html"
    assert report.exists()
