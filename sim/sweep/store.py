"""The sweep directory: its manifest, its design table and its verified Parquet parts.

A sweep directory holds ``manifest.json`` (:mod:`sim.sweep.manifest`: what the sweep is, what
ran it, and the size and SHA-256 of every file below), ``design.parquet`` (every sample's unit
point and parameter values, in design order) and one ``runs/part-<chunk>.parquet`` per finished
chunk (and, when asked, ``timeseries/part-<chunk>.parquet``; :mod:`sim.sweep.parts`).

The directory appears only once its manifest and design are complete (they are written in a
hidden sibling first), so a sweep killed while it starts leaves nothing to resume. A part is
written whole (temporary file, fsync, rename) and then recorded in the manifest, itself
rewritten atomically (:class:`PartWriter`): a part without a record (the sweep was killed in
between) is redone. Resuming verifies every part (:class:`~sim.sweep.parts.Verifier`) and
redoes those that fail, saying which and why; reading the runs for analysis verifies them the
same way and names the one command that repairs them (:func:`repair_command`).

Ownership is by content (:mod:`sim.folders`): every file the sweep writes is listed in the
folder's ledger, with its size and SHA-256, before it appears (:func:`claim`), so ``--force``
removes only those, unchanged, and resume replaces only parts its manifest or ledger lists.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shlex
import shutil
import stat
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError

from sim.folders import (
    MARKER,
    OutputError,
    check_output,
    clean_stale,
    describe,
    mark,
    ownership,
    read_ledger,
    replace_folder,
    staging_folder,
    write_ledger,
)
from sim.scenario.problems import SourceMap, display_path
from sim.scenario.translate import problems_from
from sim.sweep.manifest import (
    AFRESH,
    FileRecord,
    Manifest,
    SweepError,
    check_chunks,
    encode,
    new_manifest,
    put_in_place,
    read_manifest,
    record_of,
    write_manifest,
    write_temporary,
)
from sim.sweep.parts import (
    RUNS,
    TIMESERIES,
    PartError,
    UnrecordedPartError,
    Verifier,
    chunk_of,
    encode_part,
    part_key,
    part_name,
    parts_on_disk,
    read_recorded,
)
from sim.sweep.spec import Sweep, parameter_kinds, recorded_sweep

__all__ = [
    "PartWriter",
    "SweepError",
    "finished_chunks",
    "part_name",
    "prepare_directory",
    "read_design",
    "read_manifest",
    "read_runs",
    "repair_command",
    "save_manifest",
    "sweep_in",
    "verify_parts",
    "write_chunk",
]

#: Temporary files geosim leaves when killed mid-write (and only those are cleaned).
STALE = {
    ".": re.compile(r"^\.(manifest\.json|design\.parquet)(\.[0-9]+)?\.tmp$"),
    RUNS: re.compile(r"^\.part-[0-9]{6,}\.parquet\.[0-9]+\.tmp$"),
    TIMESERIES: re.compile(r"^\.part-[0-9]{6,}\.parquet\.[0-9]+\.tmp$"),
}
#: Damaged parts named in full in a message; the rest are counted.
LISTED = 10


def repair_command(out: Path) -> str:
    """The command that redoes a sweep's missing and damaged parts."""
    return f"geosim sweep {shlex.quote(str(out))} --resume"


def finished_chunks(out: Path) -> set[int]:
    """Chunks whose runs part is on disk (verified or not)."""
    return set(parts_on_disk(out, RUNS))


# --------------------------------------------------------------------------------------------
# Starting and resuming


def prepare_directory(
    sweep: Sweep, out: Path, chunk_size: int, *, resume: bool, force: bool
) -> Manifest:
    """Create a sweep directory (manifest and design), or check the one being resumed.

    A resumed directory that does not exist yet (the sweep was killed while it started) is
    created afresh. ``force`` removes only the files geosim wrote there and that are unchanged
    (:func:`sim.folders.replace_folder`); it refuses while a part it would keep is in the way.

    Returns:
        The manifest in force (a resumed sweep keeps its original chunking).

    Raises:
        SweepError: For a non-empty directory without ``resume``/``force``, one geosim did not
            write, a resumed directory that holds a different sweep or a damaged manifest, or
            a location that cannot be written.
    """
    kinds = parameter_kinds(sweep)
    if resume and out.is_dir() and any(out.iterdir()):
        manifest = read_manifest(out)
        _check_same(out, manifest, sweep, kinds)
        try:
            clean_stale(out.parent)
            clean_stale(out)  # a ledger rewrite killed half-way
        except OSError as exc:
            raise SweepError(f"cannot clean {out}: {describe(exc)}") from None
        _clean_temporaries(out)
        _check_design(out, manifest, sweep, kinds)
        return manifest
    if out.is_dir() and any(out.iterdir()) and not force:
        raise SweepError(
            f"{out} is not empty; pass --resume to continue the sweep in it, --force to "
            "start it afresh, or choose another --out"
        )
    check_chunks(sweep.runs, chunk_size)
    try:
        out = check_output(out, force=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(out.parent)  # left by a sweep killed while it started
        if out.is_dir():
            _refuse_foreign_parts(out)
        with staging_folder(out.parent, out.name) as staging:
            design = _write_design(sweep, staging, kinds)
            manifest = new_manifest(sweep, chunk_size, kinds, design)
            write_manifest(staging, manifest)
            mark(staging, "sweep")
            replace_folder(out, staging)
    except OutputError as exc:
        raise SweepError(str(exc)) from None
    except OSError as exc:
        raise SweepError(f"cannot write {out}: {describe(exc)}") from None
    return manifest


def _refuse_foreign_parts(out: Path) -> None:
    """Refuse to start afresh where a part is that ``--force`` may not remove.

    ``--force`` keeps what geosim did not write, or what changed since (a damaged part); a part
    kept in ``runs/`` would be taken for one of the new sweep's, so nothing starts.
    """
    for relative in ownership(out).kept:
        folder, _, name = relative.partition("/")
        if folder in (RUNS, TIMESERIES) and chunk_of(Path(name)) is not None:
            raise SweepError(
                f"{out / relative} was not written by geosim or was changed since (a damaged "
                "part), so --force keeps it, and the new sweep would write a part there; "
                f"move it away, repair the sweep instead ({repair_command(out)}), or choose "
                "another --out"
            )


def _check_same(out: Path, manifest: Manifest, sweep: Sweep, kinds: tuple[str, ...]) -> None:
    """A resumed directory must hold this sweep, and its manifest must describe it."""
    if manifest.fingerprint != sweep.fingerprint():
        raise SweepError(
            f"{out} holds a different sweep (its spec, base scenario or seed changed); "
            f"resume it with the spec it started with ({repair_command(out)} reads it from "
            "the manifest), or choose another --out"
        )
    design = manifest.design
    parameters = [(p.path, p.kind) for p in manifest.parameters]
    recorded = {
        "design.samples": (design.samples, sweep.samples),
        "design.runs": (design.runs, sweep.runs),
        "parameters": (parameters, list(zip(sweep.parameter_names, kinds, strict=True))),
        "outcomes": (manifest.outcomes, list(sweep.outcomes)),
        "timeseries": (manifest.timeseries, list(sweep.spec.timeseries)),
    }
    for field, (found, expected) in recorded.items():
        if found != expected:
            raise SweepError(
                f"{display_path(out / 'manifest.json')} is damaged:\n  {field}: {found!r}, "
                f"but the sweep it records has {expected!r}\n  hint: {AFRESH}"
            )


def _clean_temporaries(out: Path) -> None:
    """Remove the temporary files of a killed sweep, whatever they have become."""
    for folder, pattern in STALE.items():
        where = out / folder
        if not where.is_dir() or where.is_symlink():
            continue
        for path in where.iterdir():
            if pattern.match(path.name):
                _remove(path)


def _remove(path: Path) -> None:
    """Remove a file of the sweep, whatever took its place (a file, a link, a folder).

    Raises:
        SweepError: When it cannot be removed.
    """
    try:
        if stat.S_ISDIR(path.lstat().st_mode):
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise SweepError(f"cannot remove {path}: {describe(exc)}") from None


def sweep_in(out: Path) -> Sweep:
    """The sweep a directory holds, from its manifest alone (``geosim sweep DIR --resume``).

    Raises:
        SweepError: When ``out`` holds no sweep, or its manifest is damaged (including a
            recorded spec, base scenario and seed that no longer give its fingerprint).
    """
    manifest = read_manifest(out)
    shown = display_path(out / "manifest.json")
    try:
        sweep = recorded_sweep(
            manifest.spec, Path(manifest.spec_file), manifest.base_data, manifest.seed
        )
    except ValidationError as exc:
        problem = problems_from(exc, SourceMap({(): (shown, None)}))[0]
        raise SweepError(
            f"{shown} is damaged:\n  base_data.{problem.brief()}\n  hint: {AFRESH}"
        ) from None
    if sweep.fingerprint() != manifest.fingerprint:
        raise SweepError(
            f"{shown} is damaged (its spec, base scenario and seed do not give its "
            f"fingerprint)\n  hint: resume it with its spec (geosim sweep SPEC --out {out} "
            f"--resume), or {AFRESH}"
        )
    return sweep


def verify_parts(out: Path, manifest: Manifest) -> tuple[set[int], list[str]]:
    """Verify every part before a resume; forget and remove those that fail.

    A part on disk that the manifest does not record (the sweep was killed between writing and
    recording it) is removed quietly, as are the parts of chunks not run; every other failure
    (:class:`~sim.sweep.parts.Verifier`) is damage, reported. Records go first, then files, so
    a resume killed here leaves at worst parts without records.

    Returns:
        The chunks whose parts are whole, and one line per damaged part
        (``part-000003: checksum mismatch``).

    Raises:
        SweepError: When the manifest or a damaged part cannot be rewritten or removed.
    """
    verifier = Verifier(manifest)
    chunks = manifest.design.chunks
    runs_on_disk = parts_on_disk(out, RUNS)
    series_on_disk = parts_on_disk(out, TIMESERIES)
    done: set[int] = set()
    damaged: list[str] = []
    for chunk in range(chunks):
        if chunk not in runs_on_disk and part_key(RUNS, chunk) not in manifest.files:
            continue  # not run yet
        where = part_key(RUNS, chunk)
        try:
            runs = verifier.runs(out, chunk)
            where = part_key(TIMESERIES, chunk)
            verifier.timeseries(out, chunk, runs)
        except UnrecordedPartError:
            continue
        except PartError as exc:
            damaged.append(f"{where}: {exc}")
            continue
        done.add(chunk)
    for kind, on_disk in ((RUNS, runs_on_disk), (TIMESERIES, series_on_disk)):
        for chunk in sorted(c for c in on_disk if c >= chunks):
            where = part_key(kind, chunk)
            damaged.append(f"{where}: not a chunk of this sweep, which has {chunks:,}")
    redo = {
        part_key(kind, chunk): path
        for kind, on_disk in ((RUNS, runs_on_disk), (TIMESERIES, series_on_disk))
        for chunk, path in on_disk.items()
        if chunk not in done
    }
    _refuse_unclaimed(out, manifest, redo)
    keep = {"design.parquet"} | {part_key(k, c) for c in done for k in (RUNS, TIMESERIES)}
    if set(manifest.files) - keep:
        manifest.files = {k: v for k, v in manifest.files.items() if k in keep}
        save_manifest(out, manifest)
    for path in redo.values():
        _remove(path)
    return done, damaged


def _refuse_unclaimed(out: Path, manifest: Manifest, parts: dict[str, Path]) -> None:
    """Parts to redo must be geosim's: listed by the manifest or claimed in the ledger."""
    ledger = read_ledger(out)
    claimed = set(manifest.files) | (set(ledger.files) if ledger is not None else set())
    for key, path in sorted(parts.items()):
        if key not in claimed:
            raise SweepError(
                f"{path} is not a part of this sweep (neither its manifest nor its ledger "
                f"{out / MARKER} lists it), and resuming touches only what geosim wrote; "
                "move it away, then resume"
            )


class PartWriter:
    """Puts finished chunks' parts in place and records them in the manifest.

    A chunk's parts are written at once as synced temporary files. Putting them in place means
    claiming them in the folder's ledger (:func:`claim`), renaming them, and rewriting the
    manifest with their checksums. That is done after every chunk while it is cheap; once the
    manifest is large (tens of thousands of parts, megabytes rewritten each time) it is done for
    a batch of chunks, so that rewriting it takes at most :attr:`SHARE` of the driver's time. A
    sweep killed meanwhile loses the batch: its temporary files are cleaned on resume.

    Use it as a context manager: leaving puts in place what is waiting, even on an error (and
    if that fails too, removes the temporary files).
    """

    #: Most of the driver's time spent rewriting the manifest and the ledger.
    SHARE = 0.2

    def __init__(self, out: Path, manifest: Manifest) -> None:
        self.out = out
        self.manifest = manifest
        self.waiting: dict[str, tuple[Path, FileRecord]] = {}
        self.made: set[str] = set()
        self.cost = 0.0
        self.last = time.monotonic()

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.flush()
            return
        try:
            self.flush()
        except (OSError, SweepError):
            self.discard()

    def add(self, chunk: int, runs: pa.Table, timeseries: pa.Table | None) -> None:
        """Write a finished chunk's parts; put them in place now or with the next batch.

        Raises:
            SweepError: When the disk refuses (the parts already recorded stay).
        """
        tables = {} if timeseries is None else {part_key(TIMESERIES, chunk): timeseries}
        tables[part_key(RUNS, chunk)] = runs  # last: the runs part marks the chunk finished
        try:
            for key, table in tables.items():
                folder = key.partition("/")[0]
                if not (self.out / folder).exists():
                    self.made.add(folder)
                data, record = encode_part(table)
                self.waiting[key] = (write_temporary(self.out / key, data), record)
        except OSError as exc:
            raise _unwritable(self.out, exc) from None
        if time.monotonic() - self.last >= self.cost / self.SHARE:
            self.flush()

    def flush(self) -> None:
        """Claim the waiting parts, rename them into place, and rewrite the manifest.

        Raises:
            SweepError: When the disk refuses.
        """
        if not self.waiting:
            return
        began = time.monotonic()
        written = {key: record for key, (_, record) in self.waiting.items()}
        self.manifest.files.update(written)
        data = encode(self.manifest)
        try:
            claim(self.out, {**written, "manifest.json": record_of(data)}, self.made)
            for key, (temporary, _) in list(self.waiting.items()):
                put_in_place(temporary, self.out / key)
                del self.waiting[key]
        except OSError as exc:
            raise _unwritable(self.out, exc) from None
        write_manifest(self.out, self.manifest, data)
        self.last = time.monotonic()
        self.cost = self.last - began

    def discard(self) -> None:
        """Remove the temporary files of the parts still waiting."""
        for temporary, _ in self.waiting.values():
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        self.waiting.clear()


def _unwritable(out: Path, exc: OSError) -> SweepError:
    return SweepError(
        f"cannot write a part in {out}: {describe(exc)}; the parts already written are kept, "
        "and --resume continues from them"
    )


def write_chunk(
    out: Path, manifest: Manifest, chunk: int, runs: pa.Table, timeseries: pa.Table | None
) -> None:
    """Write a finished chunk's parts and record them at once (see :class:`PartWriter`).

    Raises:
        SweepError: When the disk refuses.
    """
    with PartWriter(out, manifest) as writer:
        writer.add(chunk, runs, timeseries)


def save_manifest(out: Path, manifest: Manifest) -> None:
    """Write the manifest, listed first in the folder's ledger (:func:`claim`).

    Raises:
        SweepError: When it, or the ledger, cannot be written.
    """
    data = encode(manifest)
    try:
        claim(out, {"manifest.json": record_of(data)})
    except OSError as exc:
        raise SweepError(f"cannot write {out}: {describe(exc)}") from None
    write_manifest(out, manifest, data)


def claim(out: Path, files: dict[str, FileRecord], folders: Collection[str] = ()) -> None:
    """List files in the folder's ledger (:mod:`sim.folders`) before they are put in place.

    ``--force`` then removes them (and only them, unchanged), and resume knows a part at a path
    the ledger lists as geosim's even if the sweep was killed before its manifest said so. A
    folder without a ledger (a user removed it) is not claimed.

    Args:
        out: The sweep directory.
        files: Relative path → size and checksum of each file about to be put in place.
        folders: Folders geosim made for them (relative paths).

    Raises:
        OSError: When the ledger cannot be written.
    """
    ledger = read_ledger(out)
    if ledger is None or ledger.legacy:
        return
    for key, record in files.items():
        ledger.files[key] = record.model_dump()
    ledger.folders += [folder for folder in folders if folder not in ledger.folders]
    write_ledger(out, ledger)


# --------------------------------------------------------------------------------------------
# The design


def _write_design(
    sweep: Sweep,
    out: Path,
    kinds: tuple[str, ...],
    before: Callable[[FileRecord], None] | None = None,
) -> FileRecord:
    """``design.parquet``: every sample's unit point and parameter values, in design order.

    ``before`` is told its size and checksum before it is put in place (to claim it).
    """
    writer: pq.ParquetWriter | None = None
    temporary = out / ".design.parquet.tmp"
    block = 100_000
    for start in range(0, sweep.samples, block):
        stop = min(start + block, sweep.samples)
        values = sweep.values_of(start, stop)
        columns: dict[str, Any] = {"sample": np.arange(start, stop)}
        for j, (name, kind) in enumerate(zip(sweep.parameter_names, kinds, strict=True)):
            column = [row[j] for row in values]
            columns[name] = (
                [json.dumps(v, sort_keys=True) for v in column] if kind == "json" else column
            )
            columns[f"unit.{name}"] = sweep.unit[start:stop, j]
        table = pa.table(columns)
        if writer is None:
            writer = pq.ParquetWriter(temporary, table.schema, compression="zstd")
        writer.write_table(table)
    if writer is None:
        raise SweepError("the design has no samples")
    writer.close()
    digest = hashlib.sha256()
    with open(temporary, "rb") as handle:
        for block_bytes in iter(lambda: handle.read(2**20), b""):
            digest.update(block_bytes)
        os.fsync(handle.fileno())
    record = FileRecord(size=temporary.stat().st_size, sha256=digest.hexdigest())
    if before is not None:
        before(record)
    os.replace(temporary, out / "design.parquet")
    return record


def _check_design(out: Path, manifest: Manifest, sweep: Sweep, kinds: tuple[str, ...]) -> None:
    """Write ``design.parquet`` again if it is missing or damaged: it follows from the spec."""
    try:
        _design_table(out, manifest)
    except PartError:
        try:
            manifest.files["design.parquet"] = _write_design(
                sweep, out, kinds, lambda record: claim(out, {"design.parquet": record})
            )
        except OSError as exc:
            raise SweepError(f"cannot write {out / 'design.parquet'}: {describe(exc)}") from None
        save_manifest(out, manifest)


def _design_table(out: Path, manifest: Manifest) -> pa.Table:
    table = read_recorded(out / "design.parquet", manifest.files.get("design.parquet"))
    if "sample" not in table.column_names or not np.array_equal(
        table.column("sample").to_numpy(), np.arange(manifest.design.samples)
    ):
        raise PartError("does not list every sample once, in order")
    return table


def read_design(out: Path, manifest: Manifest | None = None) -> Any:
    """``design.parquet`` as a pandas DataFrame, in design order, verified.

    Raises:
        SweepError: When it is missing or damaged, with the command that writes it again.
    """
    manifest = manifest or read_manifest(out)
    try:
        return _design_table(out, manifest).to_pandas()
    except PartError as exc:
        raise SweepError(
            f"{out / 'design.parquet'} is damaged ({exc})\n"
            f"  this writes it again: {repair_command(out)}"
        ) from None


# --------------------------------------------------------------------------------------------
# Reading the runs


def read_runs(out: Path, manifest: Manifest | None = None) -> Any:
    """Every run of a finished sweep as a pandas DataFrame, ordered by run id.

    Each part is verified as it is read (:class:`~sim.sweep.parts.Verifier`), so the table
    holds nothing resume would redo.

    Raises:
        SweepError: When parts are damaged or chunks not run yet: it names them and gives the
            one command that redoes them.
    """
    manifest = manifest or read_manifest(out)
    verifier = Verifier(manifest)
    tables: list[pa.Table] = []
    damaged: list[str] = []
    missing = 0
    for chunk in range(manifest.design.chunks):
        key = part_key(RUNS, chunk)
        if key not in manifest.files and not os.path.lexists(out / key):
            missing += 1
            continue
        try:
            tables.append(verifier.runs(out, chunk))
        except UnrecordedPartError:
            missing += 1
        except PartError as exc:
            damaged.append(f"{key}: {exc}")
    if damaged or missing:
        raise SweepError(_unfinished(out, manifest.design.chunks, damaged, missing))
    table = pa.concat_tables(tables)
    return table.to_pandas().sort_values("run_id", kind="stable").reset_index(drop=True)


def _unfinished(out: Path, chunks: int, damaged: list[str], missing: int) -> str:
    lines = []
    if damaged:
        lines.append(f"{out} has {len(damaged):,} damaged part{'s' * (len(damaged) > 1)}:")
        lines += [f"  {line}" for line in damaged[:LISTED]]
        if len(damaged) > LISTED:
            lines.append(f"  and {len(damaged) - LISTED:,} more")
    if missing:
        lines.append(f"{out}: {missing:,} of {chunks:,} chunks have not run yet")
    lines.append(f"  this redoes them: {repair_command(out)}")
    return "\n".join(lines)
