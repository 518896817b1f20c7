"""Folders geosim writes: checked before any work, filled atomically, replaced only if its own.

Every command that writes results goes through here:

- :func:`check_output` looks at the output location before anything runs: a path under a
  regular file, on a read-only or otherwise unwritable file system, or an occupied folder that
  geosim did not write, is refused with a message that names the path.
- :func:`write_folder` builds the outputs in a hidden sibling folder and moves it into place, so
  a crash or a full disk leaves the old folder (or nothing) and no debris.
- A folder geosim wrote carries a marker file (:data:`MARKER`); ``--force`` replaces only such a
  folder, or a sweep folder with geosim's manifest, or a results folder of an older geosim
  (its ``summary.json`` says so). It never deletes anything else.

This module is the foundation of the output side: it imports nothing else of geosim.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

#: The file that marks a folder as geosim's.
MARKER = ".geosim"
#: Prefix of the hidden folders and files geosim writes before moving them into place.
STAGING = ".geosim-tmp-"


class OutputError(Exception):
    """An output location that cannot be used, or a write that failed; says which and why."""


def describe(exc: OSError) -> str:
    """An operating-system error in plain words: ``No space left on device (ENOSPC)``."""
    name = errno.errorcode.get(exc.errno or 0)
    reason = exc.strerror or str(exc)
    return f"{reason} ({name})" if name else reason


def disk_error(what: str, path: Path, exc: OSError) -> OutputError:
    """An :class:`OutputError` for a failed ``what`` on ``path``."""
    return OutputError(f"cannot {what} {path}: {describe(exc)}")


def owned(folder: Path) -> bool:
    """Whether geosim wrote ``folder``: its marker, a sweep manifest, or an older run's summary."""
    if _is_marker(folder / MARKER):
        return True
    for name, keys in (
        ("manifest.json", ("fingerprint", "format")),
        ("summary.json", ("version",)),
    ):
        path = folder / name
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        signed = "config_hash" in data or "config_hashes" in data or name == "manifest.json"
        if isinstance(data, dict) and all(k in data for k in keys) and signed:
            return True
    return False


def _is_marker(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("written_by") == "geosim"


def nested_results(folder: Path) -> list[Path]:
    """Folders inside ``folder`` that geosim wrote on their own (another run, another sweep)."""
    found = []
    for marker in (*folder.rglob(MARKER), *folder.rglob("manifest.json")):
        inner = marker.parent
        if inner != folder and inner not in found and owned(inner):
            found.append(inner)
    return sorted(found)


def mark(folder: Path, command: str) -> None:
    """Mark ``folder`` as written by geosim's ``command``."""
    (folder / MARKER).write_text(json.dumps({"written_by": "geosim", "command": command}) + "\n")


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return Path(path.anchor or ".")


def check_output(out: Path, *, force: bool, what: str = "--out") -> Path:
    """Check an output location before any work; return the folder to write.

    A symbolic link to a folder is followed (the results go into its target). The folder may
    not exist yet: then its nearest existing parent must be a folder geosim can write in.

    Args:
        out: The output folder asked for.
        force: Whether an occupied folder may be replaced (only one geosim wrote).
        what: The option that named it, for messages.

    Returns:
        The folder to write (``out``, or the target of a symbolic link).

    Raises:
        OutputError: Saying what is wrong and what to do.
    """
    if out.is_symlink():
        target = out.resolve()
        if not target.is_dir():
            raise OutputError(
                f"{out} is a link to {target}, which is not a folder; {_choose(what)}"
            )
        out = target
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; {_choose(what)}")
    if out.is_dir():
        if Path.cwd().resolve().is_relative_to(out.resolve()):
            raise OutputError(f"{out} holds the working folder; {_choose(what)}")
        if any(out.iterdir()):
            if not force:
                raise OutputError(
                    f"{out} is not empty; pass --force to replace it, or {_choose(what)}"
                )
            if not owned(out):
                raise OutputError(
                    f"{out} was not written by geosim (it has no {MARKER} marker), so --force "
                    f"will not delete it; remove it yourself or {_choose(what)}"
                )
            inner = nested_results(out)
            if inner:
                raise OutputError(
                    f"{out} holds another geosim result ({inner[0]}), so --force will not "
                    f"delete it; {_choose(what)}"
                )
        _probe(out.parent)
        return out
    base = _nearest_existing(out.parent)
    if not base.is_dir():
        raise OutputError(f"{out} cannot be created: {base} is not a folder; {_choose(what)}")
    _probe(base)
    return out


def check_file(path: Path, *, what: str = "--out") -> None:
    """Check that ``path`` can be written as a file (before the work that makes it).

    Raises:
        OutputError: When it is a folder, or its folder does not exist or cannot be written.
    """
    if path.is_dir():
        raise OutputError(f"{path} is a folder; {what} takes a file name")
    base = _nearest_existing(path.parent)
    if base != path.parent:
        raise OutputError(f"{path.parent} does not exist; create it or {_choose(what)}")
    if not base.is_dir():
        raise OutputError(f"{path.parent} is not a folder; {_choose(what)}")
    _probe(base)


def check_writable(folder: Path) -> None:
    """Check that files can be written in ``folder`` (or where it would be created).

    Raises:
        OutputError: When it, or its nearest existing parent, is not a writable folder.
    """
    base = _nearest_existing(folder)
    if not base.is_dir():
        raise OutputError(f"{folder} cannot be created: {base} is not a folder")
    _probe(base)


def _choose(what: str) -> str:
    return f"choose another {what}"


def _probe(folder: Path) -> None:
    """Create and remove a hidden folder in ``folder``: can geosim write there at all?"""
    try:
        probe = tempfile.mkdtemp(prefix=STAGING, dir=folder)
    except OSError as exc:
        raise disk_error("write in", folder, exc) from None
    os.rmdir(probe)


def write_folder(out: Path, fill: Callable[[Path], None], *, force: bool, command: str) -> None:
    """Build the outputs in a hidden sibling folder, then move it into place.

    A crash or an error while writing leaves ``out`` as it was and removes the sibling:
    nothing half-written, nothing left behind.

    Args:
        out: Final folder (checked with :func:`check_output` first).
        fill: Writes every file into the folder it is given.
        force: Replace an occupied folder that geosim wrote.
        command: The command writing it, recorded in the marker.

    Raises:
        OutputError: When the location cannot be used or a write fails (disk full, read-only).
    """
    out = check_output(out, force=force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING}{out.name}-", dir=out.parent))
    except OSError as exc:
        raise disk_error("create", out, exc) from None
    trash: Path | None = None
    try:
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp creates 0700; give the usual permissions
        fill(staging)
        mark(staging, command)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f"{STAGING}old-", dir=out.parent))
            os.replace(out, trash / out.name)
            try:
                os.replace(staging, out)
            except OSError:
                os.replace(trash / out.name, out)  # put the old folder back
                raise
        else:
            os.replace(staging, out)
    except OSError as exc:
        raise disk_error("write", out, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)


def write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a hidden temporary file and an atomic rename.

    Raises:
        OutputError: Naming the path and the reason; no temporary file is left behind.
    """
    temporary = path.with_name(f"{STAGING}{path.name}")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise disk_error("write", path, exc) from None
    finally:
        with contextlib.suppress(OSError):  # nothing to remove, or a read-only disk
            temporary.unlink(missing_ok=True)
