"""What geosim writes: checked before any work, filled atomically, and owned by content.

Every command that writes results goes through here:

- :func:`check_output` looks at an output folder before anything runs: a path under a regular
  file, on a read-only or otherwise unwritable file system, a folder holding the working
  folder, or an occupied folder that geosim did not write, is refused with a message that
  names the path.
- :func:`write_folder` builds the outputs in a hidden sibling folder (*staging*) and moves them
  into place, so a crash or a full disk leaves the old outputs (or nothing) and no debris.
- **Ownership is by content.** A folder geosim wrote carries a ledger, the marker file
  :data:`MARKER`, listing every file it wrote with its size and SHA-256 (and the folders it
  made). ``--force`` removes only the files the ledger lists *and whose content is still what
  geosim wrote*; anything else in the folder — a user's notes, a file edited since, an input
  of the running command, another result nested inside — stays where it is, and a new output
  that would land on such a file is refused before anything moves. A folder without a ledger
  is not geosim's, whatever files it holds, and ``--force`` refuses it.
- A single-file output (``report --out``) is signed: its last line is a comment holding the
  SHA-256 of everything before it (:func:`signed`). An existing file is replaced only if its
  signature still matches (geosim wrote it and nobody changed it) or a geosim ledger lists it
  unchanged, and never when it is not a regular file (a link, a device, a pipe). A file in a
  format without comments (``backtest --json``) is not signed: unless a geosim ledger beside it
  lists it, replacing it takes ``--force``, as replacing any file of the user's does.
- Staging folders and temporary files are locked (``flock``) while their command runs, so the
  next command that writes beside them removes those left by a killed one (:func:`clean_stale`)
  and never touches one in use.

This module is the foundation of the output side: it imports nothing else of geosim.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # POSIX; elsewhere staging is never taken for stale
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: The ledger that marks a folder as geosim's and lists what geosim wrote in it.
MARKER = ".geosim"
#: Version of the ledger's format (1: a marker without a list of files, never owned now).
LEDGER_FORMAT = 2
#: Prefix of the hidden folders and files geosim writes before moving them into place.
STAGING = ".geosim-tmp-"
#: Suffix of a single file's temporary copy (``.geosim-tmp-<name>.<random>.part``).
PART_SUFFIX = ".part"
#: The signature line's start; the hexadecimal SHA-256 of the text before it follows.
SIGNATURE = "<!-- written by geosim; sha256 "

_READ_BLOCK = 1 << 20


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


# --------------------------------------------------------------------------------------------
# The ledger


def fingerprint(path: Path) -> dict[str, Any]:
    """A file's size and SHA-256, as the ledger records them."""
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return {"size": path.stat().st_size, "sha256": digest}


def _regular(path: Path) -> bool:
    """Whether ``path`` is a regular file itself (not a link to one, a device or a pipe)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _real_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def inventory(folder: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every regular file (with its fingerprint) and folder under ``folder``, ledger excluded.

    Paths are relative, with ``/`` separators. Links are not followed.
    """
    files: dict[str, dict[str, Any]] = {}
    folders: list[str] = []
    for root, dirs, names in os.walk(folder):
        base = Path(root)
        for name in dirs:
            if _real_folder(base / name):
                folders.append((base / name).relative_to(folder).as_posix())
        for name in names:
            path = base / name
            relative = path.relative_to(folder).as_posix()
            if relative != MARKER and _regular(path):
                files[relative] = fingerprint(path)
    return dict(sorted(files.items())), sorted(folders)


@dataclass
class Ledger:
    """What geosim wrote in a folder (the contents of its :data:`MARKER`).

    Attributes:
        command: The command that wrote the folder.
        files: Relative path → ``{"size", "sha256"}`` of every file written.
        folders: Relative paths of the folders geosim made.
        legacy: A marker of an older geosim, which did not list its files.
    """

    command: str = ""
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    folders: list[str] = field(default_factory=list)
    legacy: bool = False

    def to_json(self) -> str:
        """The marker file's text."""
        payload = {
            "written_by": "geosim",
            "format": LEDGER_FORMAT,
            "command": self.command,
            "files": dict(sorted(self.files.items())),
            "folders": sorted(set(self.folders)),
        }
        return json.dumps(payload, indent=1) + "\n"


def read_ledger(folder: Path) -> Ledger | None:
    """The ledger of ``folder``, or None when it has none (it is not geosim's)."""
    path = folder / MARKER
    if not _regular(path):
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != "geosim":
        return None
    files, folders = data.get("files"), data.get("folders", [])
    if data.get("format") != LEDGER_FORMAT or not isinstance(files, dict):
        return Ledger(command=str(data.get("command", "")), legacy=True)
    entries = {
        name: entry
        for name, entry in files.items()
        if isinstance(entry, dict)
        and isinstance(entry.get("size"), int)
        and isinstance(entry.get("sha256"), str)
        and _inside(name)
    }
    made = (
        [f for f in folders if isinstance(f, str) and _inside(f)]
        if isinstance(folders, list)
        else []
    )
    return Ledger(command=str(data.get("command", "")), files=entries, folders=made)


def _inside(relative: str) -> bool:
    """Whether a ledger path stays inside its folder (no ``..``, not absolute)."""
    parts = Path(relative).parts
    return bool(parts) and not Path(relative).is_absolute() and ".." not in parts


def write_ledger(folder: Path, ledger: Ledger) -> None:
    """Write ``folder``'s ledger atomically (a temporary file renamed over the old one)."""
    with _temporary_file(folder, MARKER) as (handle, temporary):
        handle.write(ledger.to_json().encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
        os.replace(temporary, folder / MARKER)


def mark(folder: Path, command: str) -> None:
    """Write ``folder``'s ledger: every file and folder in it now is geosim's."""
    files, folders = inventory(folder)
    write_ledger(folder, Ledger(command=command, files=files, folders=folders))


def record(folder: Path, paths: Collection[Path], made: Collection[Path] = ()) -> None:
    """Add files geosim just wrote in ``folder`` (or changed) to its ledger.

    Nothing happens in a folder without a ledger: geosim claims no folder it did not make.

    Args:
        folder: The folder whose ledger to update.
        paths: Files geosim wrote (absolute, or relative to the working folder).
        made: Folders inside ``folder`` that geosim created for them.
    """
    ledger = read_ledger(folder)
    if ledger is None or ledger.legacy:
        return
    for path in paths:
        relative = Path(path).relative_to(folder)
        ledger.files[relative.as_posix()] = fingerprint(folder / relative)
    for path in made:
        relative = Path(path).relative_to(folder).as_posix()
        if relative not in ledger.folders:
            ledger.folders.append(relative)
    write_ledger(folder, ledger)


def is_geosims(folder: Path) -> bool:
    """Whether ``folder`` carries a geosim ledger (of any format)."""
    return read_ledger(folder) is not None


def owned(folder: Path) -> bool:
    """Whether ``folder`` carries a ledger geosim can replace files by (not a legacy one).

    Kept for the sweep layer until it moves to :func:`replace_folder`.
    """
    ledger = read_ledger(folder)
    return ledger is not None and not ledger.legacy


@dataclass(frozen=True)
class Ownership:
    """Who owns what in a folder.

    Attributes:
        ours: Files geosim's ledger lists whose content is unchanged (``--force`` may remove
            them), relative paths.
        folders: Folders the ledger lists (removed only once empty).
        kept: Everything else: files geosim did not write or that changed since, inputs of the
            running command, links, devices, folders geosim did not make; relative paths.
        inputs: Those of ``kept`` that are inputs of the running command.
    """

    ours: tuple[str, ...]
    folders: tuple[str, ...]
    kept: tuple[str, ...]
    inputs: tuple[str, ...] = ()


def ownership(folder: Path, inputs: Collection[Path] = ()) -> Ownership:
    """Sort what ``folder`` holds into geosim's own files and everything else."""
    ledger = read_ledger(folder) or Ledger()
    protected = _inputs_inside(folder, inputs)
    ours: list[str] = []
    kept: list[str] = []
    made = set(ledger.folders)
    for root, dirs, names in os.walk(folder):
        base = Path(root)
        for name in dirs:
            relative = (base / name).relative_to(folder).as_posix()
            if not _real_folder(base / name):
                kept.append(relative)  # a link to a folder: os.walk does not enter it
            elif relative not in made:
                kept.append(relative)
        for name in names:
            path = base / name
            relative = path.relative_to(folder).as_posix()
            if relative == MARKER:
                continue
            entry = ledger.files.get(relative)
            if (
                entry is not None
                and relative not in protected
                and _regular(path)
                and _unchanged(path, entry)
            ):
                ours.append(relative)
            else:
                kept.append(relative)
    kept_set = set(kept)
    folders = [f for f in ledger.folders if f not in kept_set and _real_folder(folder / f)]
    return Ownership(
        tuple(sorted(ours)),
        tuple(sorted(folders)),
        tuple(sorted(kept)),
        tuple(sorted(p for p in protected if p in kept_set)),
    )


def _inputs_inside(folder: Path, inputs: Collection[Path]) -> set[str]:
    inside = set()
    try:
        root = folder.resolve()
    except OSError:
        return inside
    for path in inputs:
        try:
            resolved = Path(path).resolve()
        except (OSError, RuntimeError):
            continue
        if resolved.is_relative_to(root):
            inside.add(resolved.relative_to(root).as_posix())
    return inside


def _unchanged(path: Path, entry: dict[str, Any]) -> bool:
    try:
        if path.stat().st_size != entry["size"]:
            return False
        return fingerprint(path)["sha256"] == entry["sha256"]
    except OSError:
        return False


# --------------------------------------------------------------------------------------------
# Checking an output location


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        try:
            if candidate.exists() or candidate.is_symlink():
                return candidate
        except OSError:
            continue
    return Path(path.anchor or ".")


def check_output(
    out: Path, *, force: bool, what: str = "--out", inputs: Collection[Path] = ()
) -> Path:
    """Check an output folder before any work; return the folder to write.

    A symbolic link to a folder is followed (the results go into its target). The folder may
    not exist yet: then its nearest existing parent must be a folder geosim can write in.

    Args:
        out: The output folder asked for.
        force: Whether geosim's own files in an occupied folder may be replaced.
        what: The option that named it, for messages.
        inputs: The files the command reads (never removed, even when geosim wrote them).

    Returns:
        The folder to write (``out``, or the target of a symbolic link).

    Raises:
        OutputError: Saying what is wrong and what to do.
    """
    try:
        return _check_output(out, force=force, what=what)
    except OSError as exc:  # a name too long, a folder that cannot be listed…
        raise disk_error("use", out, exc) from None


def _check_output(out: Path, *, force: bool, what: str) -> Path:
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
        if any(entry.name != MARKER for entry in out.iterdir()):
            if not force:
                raise OutputError(
                    f"{out} is not empty; pass --force to replace geosim's files in it, or "
                    f"{_choose(what)}"
                )
            ledger = read_ledger(out)
            if ledger is None:
                raise OutputError(
                    f"{out} was not written by geosim (it has no {MARKER} ledger), so --force "
                    f"will not touch it; remove it yourself or {_choose(what)}"
                )
            if ledger.legacy:
                raise OutputError(
                    f"{out} was written by an older geosim that did not list its files, so "
                    f"--force cannot tell them from yours; remove it yourself or {_choose(what)}"
                )
        _probe(out.parent)
        _probe(out)
        return out
    base = _nearest_existing(out.parent)
    if not base.is_dir():
        raise OutputError(f"{out} cannot be created: {base} is not a folder; {_choose(what)}")
    _probe(base)
    return out


def check_file(path: Path, *, what: str = "--out", force: bool | None = None) -> None:
    """Check that ``path`` can be written as a file (before the work that makes it).

    An existing file is replaced only when geosim wrote it and nobody changed it since (its
    signature matches, or a geosim ledger beside it lists it unchanged), or when the user
    asked for it (``--force``): a file the user names is theirs to overwrite, but never a
    link, a folder, a device or a pipe.

    Args:
        path: The file to write.
        what: The option that named it, for the message.
        force: Whether the user gave ``--force``; None for a command without one (its refusal
            then does not suggest it).

    Raises:
        OutputError: When it is a folder, a link, a device or a pipe, a file geosim did not
            write (without ``--force``), or its folder does not exist or cannot be written.
    """
    try:
        _check_file(path, what=what, force=force)
    except OSError as exc:
        raise disk_error("use", path, exc) from None


def _check_file(path: Path, *, what: str, force: bool | None = None) -> None:
    if path.is_symlink():
        raise OutputError(
            f"{path} is a symbolic link; geosim does not replace links: {_choose(what)}"
        )
    if path.is_dir():
        raise OutputError(f"{path} is a folder; {what} takes a file name")
    if path.exists() and not _regular(path):
        raise OutputError(f"{path} is not a regular file (a device or a pipe); {_choose(what)}")
    if path.exists() and not force and not _ours(path):
        if force is False:  # a file format that carries no signature (backtest --json)
            raise OutputError(
                f"{path} exists, and geosim cannot tell a file of this kind it wrote from one of "
                f"yours, so it will not replace it; {_choose(what)}, give --force to replace "
                "it, or move the file away first"
            )
        raise OutputError(
            f"{path} exists and was not written by geosim (or was changed since), so geosim "
            f"will not replace it; {_choose(what)}, or move the file away first"
        )
    base = _nearest_existing(path.parent)
    if base != path.parent:
        raise OutputError(f"{path.parent} does not exist; create it or {_choose(what)}")
    if not base.is_dir():
        raise OutputError(f"{path.parent} is not a folder; {_choose(what)}")
    _probe(base)


def _ours(path: Path) -> bool:
    """Whether geosim wrote the file at ``path`` and nobody changed it since."""
    if signed(path):
        return True
    folder = path.parent
    ledger = read_ledger(folder)
    entry = ledger.files.get(path.name) if ledger is not None else None
    return entry is not None and _unchanged(path, entry)


def check_writable(folder: Path) -> None:
    """Check that files can be written in ``folder`` (or where it would be created).

    Raises:
        OutputError: When it, or its nearest existing parent, is not a writable folder.
    """
    try:
        base = _nearest_existing(folder)
        if not base.is_dir():
            raise OutputError(f"{folder} cannot be created: {base} is not a folder")
        _probe(base)
    except OSError as exc:
        raise disk_error("use", folder, exc) from None


def _choose(what: str) -> str:
    return f"choose another {what}"


def _probe(folder: Path) -> None:
    """Create and remove a hidden folder in ``folder``: can geosim write there at all?"""
    try:
        probe = tempfile.mkdtemp(prefix=STAGING, dir=folder)
    except OSError as exc:
        raise disk_error("write in", folder, exc) from None
    os.rmdir(probe)


# --------------------------------------------------------------------------------------------
# Staging, and what a killed command left of it


@contextlib.contextmanager
def staging_folder(parent: Path, name: str) -> Iterator[Path]:
    """A locked hidden folder in ``parent`` for building outputs; removed on leaving.

    It carries a ledger at once (everything in it is geosim's), and a lock for as long as it is
    in use, so :func:`clean_stale` can tell one left by a killed command from one in use.
    """
    folder = Path(tempfile.mkdtemp(prefix=f"{STAGING}{_short(name)}-", dir=parent))
    handle = os.open(folder, os.O_RDONLY)
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        umask = os.umask(0)
        os.umask(umask)
        folder.chmod(0o777 & ~umask)  # mkdtemp creates 0700; give the usual permissions
        write_ledger(folder, Ledger(command="staging"))
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(handle)


@contextlib.contextmanager
def _temporary_file(folder: Path, name: str) -> Iterator[tuple[Any, Path]]:
    """A locked hidden temporary file beside ``folder / name``; removed unless renamed."""
    descriptor, temporary = tempfile.mkstemp(
        prefix=f"{STAGING}{_short(name)}.", suffix=PART_SUFFIX, dir=folder
    )
    path = Path(temporary)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            yield handle, path
    finally:
        with contextlib.suppress(OSError):  # gone once renamed; or the disk refuses even that
            path.unlink(missing_ok=True)


def _short(name: str, limit: int = 64) -> str:
    """``name`` cut to at most ``limit`` bytes of UTF-8, so a hidden sibling's name fits."""
    return name.encode("utf-8")[:limit].decode("utf-8", "ignore")


def _in_use(path: Path) -> bool:
    """Whether another process holds the lock of a staging folder or temporary file."""
    if fcntl is None:  # pragma: no cover - no locks to ask: assume it is in use
        return True
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(handle)
    return False


def clean_stale(parent: Path) -> list[Path]:
    """Remove what killed geosim commands left in ``parent``; return what was removed.

    Only geosim's own debris goes: hidden ``.geosim-tmp-…`` folders that carry geosim's ledger
    (or are empty), and ``.geosim-tmp-….part`` files, that no running command holds.
    """
    removed: list[Path] = []
    try:
        entries = list(parent.glob(f"{STAGING}*"))
    except OSError:
        return removed
    for entry in entries:
        if _real_folder(entry):
            # Empty, or holding only a temporary file: killed before its ledger was written.
            empty = all(
                inner.name.startswith(STAGING) and inner.name.endswith(PART_SUFFIX)
                for inner in entry.iterdir()
            )
            if (empty or is_geosims(entry)) and not _in_use(entry):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
        elif _regular(entry) and entry.name.endswith(PART_SUFFIX) and not _in_use(entry):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


# --------------------------------------------------------------------------------------------
# Putting outputs in place


def replace_folder(out: Path, staging: Path, *, inputs: Collection[Path] = ()) -> list[str]:
    """Move a filled staging folder's outputs into ``out``, keeping whatever is not geosim's.

    ``staging`` must carry its ledger (:func:`mark`). When ``out`` does not exist, or holds
    nothing but geosim's unchanged files, the folders are swapped with two renames. Otherwise
    geosim's own old files move out, the new ledger goes in, then the new files, one rename each
    (undone in reverse on an error); the kept files never move. A kill at any moment leaves
    every file of the folder either kept, or listed unchanged in the ledger in force.

    Returns:
        What was kept in ``out`` (relative paths): the user's files, inputs, changed files.

    Raises:
        OutputError: When a new output would land on a kept file (nothing has moved then).
        OSError: When a rename fails (everything moved is moved back).
    """
    new = read_ledger(staging)
    if new is None:
        raise ValueError(f"{staging} has no ledger")
    if not (out.exists() or out.is_symlink()):
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, out)
        return []
    old = ownership(out, inputs)
    if not old.kept and not os.path.ismount(out):
        with staging_folder(out.parent, "old") as trash:
            os.replace(out, trash / out.name)
            try:
                os.replace(staging, out)
            except OSError:
                os.replace(trash / out.name, out)  # put the old folder back
                raise
        return []
    _refuse_collisions(out, old, new)
    pre_existing = {f for f in new.folders if _real_folder(out / f) and f not in old.folders}
    new.folders = [f for f in new.folders if f not in pre_existing]
    undo: list[Callable[[], None]] = []
    with staging_folder(out.parent, "old") as trash:
        try:
            for relative in old.ours:
                (trash / relative).parent.mkdir(parents=True, exist_ok=True)
                os.replace(out / relative, trash / relative)
                undo.append(lambda r=relative: os.replace(trash / r, out / r))
            for relative in sorted(old.folders, key=lambda f: -f.count("/")):
                with contextlib.suppress(OSError):  # not empty: something kept is inside
                    (out / relative).rmdir()
                    undo.append(lambda r=relative: (out / r).mkdir(parents=True, exist_ok=True))
            if (out / MARKER).exists():
                os.replace(out / MARKER, trash / MARKER)
                undo.append(lambda: os.replace(trash / MARKER, out / MARKER))
            write_ledger(out, new)
            undo.append(lambda: (out / MARKER).unlink())
            for relative in new.files:
                target = out / relative
                for parent in reversed(Path(relative).parents[:-1]):
                    if not (out / parent).exists():
                        (out / parent).mkdir()
                        undo.append(lambda p=parent: (out / p).rmdir())
                os.replace(staging / relative, target)
                undo.append(lambda r=relative: os.replace(out / r, staging / r))
        except OSError:
            for step in reversed(undo):
                with contextlib.suppress(OSError):
                    step()
            raise
    return list(old.kept)


def _refuse_collisions(out: Path, old: Ownership, new: Ledger) -> None:
    """Refuse to put a new output where a kept file, link or folder of someone else's is."""
    kept = set(old.kept)
    wanted = set(new.files) | set(new.folders)
    clashes = []
    for relative in sorted(wanted):
        if relative in kept and not (relative in new.folders and _real_folder(out / relative)):
            clashes.append(relative)
            continue
        for parent in Path(relative).parents[:-1]:
            p = parent.as_posix()
            if p in kept and not _real_folder(out / p):
                clashes.append(p)
    if not clashes:
        return
    first = clashes[0]
    reason = (
        "is an input of this command"
        if first in old.inputs
        else "was not written by geosim (or was changed since)"
    )
    more = f" (and {len(set(clashes)) - 1} more)" if len(set(clashes)) > 1 else ""
    raise OutputError(
        f"{out / first} {reason}{more}, and this command would write a file there; --force "
        "replaces only geosim's own unchanged files: move it away, or choose another --out"
    )


def write_folder(
    out: Path,
    fill: Callable[[Path], None],
    *,
    force: bool,
    command: str,
    inputs: Collection[Path] = (),
) -> list[str]:
    """Build the outputs in a hidden sibling folder, then move them into place.

    A crash or an error while writing leaves ``out`` as it was and removes the sibling:
    nothing half-written, nothing left behind. What killed commands left beside ``out`` is
    cleaned first (:func:`clean_stale`).

    Args:
        out: Final folder (checked with :func:`check_output` first).
        fill: Writes every file into the folder it is given.
        force: Replace geosim's own files in an occupied folder it wrote.
        command: The command writing it, recorded in the ledger.
        inputs: Files the command read; never removed, even from a folder geosim wrote.

    Returns:
        What was kept in ``out`` because geosim did not write it (relative paths).

    Raises:
        OutputError: When the location cannot be used, a new output would replace a file that
            is not geosim's, or a write fails (disk full, read-only).
    """
    out = check_output(out, force=force, inputs=inputs)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(out.parent)
        if read_ledger(out) is not None:
            clean_stale(out)  # a ledger rewrite killed half-way
        with staging_folder(out.parent, out.name) as staging:
            fill(staging)
            mark(staging, command)
            return replace_folder(out, staging, inputs=inputs)
    except OSError as exc:
        raise disk_error("write", out, exc) from None


# --------------------------------------------------------------------------------------------
# Single files


def sign(text: str) -> str:
    """``text`` with a last line holding the SHA-256 of what comes before it (an HTML comment)."""
    if not text.endswith("\n"):
        text += "\n"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{text}{SIGNATURE}{digest} -->\n"


def signed(path: Path) -> bool:
    """Whether the file at ``path`` carries geosim's signature, matching its content."""
    if not _regular(path):
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return False
    body, _, last = data.rstrip(b"\n").rpartition(b"\n")
    marker = SIGNATURE.encode()
    if not last.startswith(marker) or not last.endswith(b" -->"):
        return False
    digest = last[len(marker) : -len(b" -->")].decode("ascii", "replace")
    return hashlib.sha256(body + b"\n").hexdigest() == digest


def write_file(path: Path, text: str, *, signature: bool = True) -> None:
    """Write ``text``, signed, to ``path`` through a hidden temporary file and a rename.

    Check the path with :func:`check_file` first. The folder's ledger, if geosim wrote the
    folder, is told of the new file.

    Args:
        path: The file.
        text: Its content.
        signature: Whether to sign it (:func:`sign`); a format that takes no comment (JSON)
            is written unsigned, and is geosim's only where a ledger lists it.

    Raises:
        OutputError: Naming the path and the reason; no temporary file is left behind.
    """
    try:
        clean_stale(path.parent)
        with _temporary_file(path.parent, path.name) as (handle, temporary):
            handle.write((sign(text) if signature else text).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
            os.replace(temporary, path)
        record(path.parent, [path])
    except OSError as exc:
        raise disk_error("write", path, exc) from None
