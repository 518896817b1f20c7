"""A sweep directory's ``manifest.json``: what the sweep is, what ran it, every file it wrote.

The manifest holds the spec in full, with the base scenario's data and the seed (so
``geosim sweep DIR --resume`` needs nothing else), the design's size and chunking, the sessions
that ran the sweep, and the size and SHA-256 of the design and of every part. Resume and
analysis rely on it, so it is read with guards on its size and nesting and validated against a
schema (:class:`Manifest`): one that fails is refused with the file, the field and what was
expected, and never "repaired" by deleting the parts it no longer describes. It is written
atomically (a temporary file, fsync, rename) after every part, so a sweep killed at any moment
leaves the old manifest or the new one, and a checksum is recorded only for a part on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sim import __version__
from sim.folders import describe
from sim.scenario.baseline import country_codes
from sim.scenario.problems import SourceMap, display_path, shorten
from sim.scenario.resources import checkout
from sim.scenario.translate import problems_from
from sim.sweep.spec import MAX_RUNS, Sweep, SweepSpec, outcome_names, timeseries_names

#: Format version of a sweep directory (2: checksums of the design and of every part).
FORMAT = 2
#: Most chunks a sweep may have: the manifest lists every part and is rewritten after each.
MAX_CHUNKS = 100_000
#: Largest manifest read (100,000 chunks with time series take about 30 MB).
MAX_BYTES = 64 * 2**20
#: Deepest nesting of lists and mappings read (a spec's values may be whole mappings).
MAX_DEPTH = 64
#: What to do with a manifest that cannot be used.
AFRESH = (
    "start the sweep afresh with --force (its runs are lost; --force keeps a manifest changed "
    "since geosim wrote it, so move an edited one away first), or choose another --out"
)


def _sha256(text: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise ValueError(f"expected a SHA-256 (64 hexadecimal digits), got {shorten(text)!r}")
    return text


def _file_name(text: str) -> str:
    if not re.fullmatch(r"design\.parquet|(runs|timeseries)/part-[0-9]{6,}\.parquet", text):
        raise ValueError(
            f"{shorten(text)!r} is not a file of a sweep (design.parquet, "
            "runs/part-NNNNNN.parquet or timeseries/part-NNNNNN.parquet)"
        )
    return text


SHA256 = Annotated[str, AfterValidator(_sha256)]
#: Names of the files a manifest records, relative to the sweep directory.
FILE_NAME = Annotated[str, AfterValidator(_file_name)]


class SweepError(Exception):
    """A sweep directory that cannot be used as asked (exists, spec changed, damaged)."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class FileRecord(_Record):
    """A file the sweep wrote, as it wrote it.

    Attributes:
        size: Bytes.
        sha256: SHA-256 of its bytes, in hexadecimal.
    """

    size: Annotated[int, Field(ge=1)]
    sha256: SHA256


class DesignRecord(_Record):
    """The design's size and its chunking (a resumed sweep keeps its own).

    Attributes:
        method: The design method.
        samples: Samples drawn.
        replicates: Runs per sample.
        runs: Samples × replicates.
        chunk_size: Runs per chunk.
        chunks: Chunks: the runs divided by the chunk size, rounded up.
        unit_space: How design points become values (for readers).
    """

    method: Literal["grid", "random", "lhs", "sobol", "morris"]
    samples: Annotated[int, Field(ge=1, le=MAX_RUNS)]
    replicates: Annotated[int, Field(ge=1, le=100_000)]
    runs: Annotated[int, Field(ge=1, le=MAX_RUNS)]
    chunk_size: Annotated[int, Field(ge=1, le=1_000_000)]
    chunks: Annotated[int, Field(ge=1, le=MAX_CHUNKS)]
    unit_space: str = ""

    @model_validator(mode="after")
    def _sizes_agree(self) -> DesignRecord:
        if self.runs != self.samples * self.replicates:
            raise ValueError(
                f"runs ({self.runs}) must be samples × replicates "
                f"({self.samples} × {self.replicates})"
            )
        if self.chunks != math.ceil(self.runs / self.chunk_size):
            raise ValueError(
                f"chunks ({self.chunks}) must be the runs ({self.runs}) in chunks of "
                f"{self.chunk_size}, rounded up ({math.ceil(self.runs / self.chunk_size)})"
            )
        return self


class ParameterRecord(BaseModel):
    """A varied parameter: its path, its column kind, and how it varies (as in the spec).

    Attributes:
        path: Scenario field path.
        kind: Column kind in the parts: ``int``, ``float`` or ``json``.
    """

    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)

    path: Annotated[str, Field(min_length=1)]
    kind: Literal["int", "float", "json"]


class Session(_Record):
    """One invocation that ran chunks of the sweep.

    Attributes:
        started: When it started (ISO 8601, UTC).
        executor: ``in-process``, ``local:N`` or a scheduler's address.
        chunks_to_run: Chunks it set out to run.
        damaged_parts: Parts it found damaged and redid, each with the reason.
        finished: When it finished, if it did.
        runs_computed: Runs it computed, if it finished.
        seconds: Its wall time, if it finished.
    """

    started: str
    executor: str
    chunks_to_run: Annotated[int, Field(ge=0)]
    damaged_parts: list[str] = Field(default_factory=list)
    finished: str | None = None
    runs_computed: Annotated[int, Field(ge=0)] | None = None
    seconds: Annotated[float, Field(ge=0)] | None = None


class Manifest(_Record):
    """The schema of ``manifest.json``.

    Attributes:
        format: :data:`FORMAT`.
        name: The sweep's name.
        fingerprint: SHA-256 of the spec, the base scenario and the seed (resume checks it).
        spec_file: Where the spec was read from.
        spec: The spec as run (outcome patterns kept, time series expanded).
        base_scenario: The base scenario's name.
        base_data: The base scenario's data, ``extends`` resolved.
        seed: Base seed of runs and design.
        design: Size and chunking.
        parameters: The varied parameters, in spec order.
        outcomes: Outcome columns (patterns expanded).
        timeseries: Monthly metrics recorded.
        created: When the sweep started (ISO 8601, UTC).
        geosim: geosim's version.
        git_commit: The checkout's commit, if geosim runs from one.
        python: Python's version.
        platform: The operating system.
        packages: Versions of the packages the results depend on.
        sessions: The invocations that ran it.
        files: ``design.parquet`` and every part on disk → its size and checksum.
        complete: Whether every chunk's part is recorded.
    """

    format: Literal[2]
    name: str
    fingerprint: SHA256
    spec_file: str
    spec: SweepSpec
    base_scenario: str
    base_data: dict[str, Any]
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)]
    design: DesignRecord
    parameters: Annotated[list[ParameterRecord], Field(min_length=1)]
    outcomes: Annotated[list[str], Field(min_length=1)]
    timeseries: list[str]
    created: str
    geosim: str
    git_commit: str | None
    python: str
    platform: str
    packages: dict[str, str | None]
    sessions: list[Session]
    files: dict[FILE_NAME, FileRecord] = Field(default_factory=dict)
    complete: bool = False

    @field_validator("outcomes")
    @classmethod
    def _known_outcomes(cls, names: list[str]) -> list[str]:
        return _known(names, outcome_names(country_codes()), "outcome")

    @field_validator("timeseries")
    @classmethod
    def _known_series(cls, names: list[str]) -> list[str]:
        return _known(names, timeseries_names(country_codes()), "time series")

    @model_validator(mode="after")
    def _consistent(self) -> Manifest:
        paths = [p.path for p in self.parameters]
        if paths != list(self.spec.parameters):
            raise ValueError(f"parameters {paths} are not the spec's {list(self.spec.parameters)}")
        if self.design.method != self.spec.design.method:
            raise ValueError(f"design.method is not the spec's ({self.spec.design.method})")
        if self.design.replicates != self.spec.replicates:
            raise ValueError(f"design.replicates is not the spec's ({self.spec.replicates})")
        for name in self.files:
            if name == "design.parquet":
                continue
            folder, _, part = name.partition("/")
            chunk = int(part.removeprefix("part-").removesuffix(".parquet"))
            if chunk >= self.design.chunks:
                raise ValueError(
                    f"files lists {name}, but the sweep has {self.design.chunks} chunks"
                )
            if folder == "timeseries" and not self.timeseries:
                raise ValueError(f"files lists {name}, but the sweep records no time series")
        return self


def _known(names: list[str], known: tuple[str, ...], what: str) -> list[str]:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"a {what} is listed twice")
    return names


def check_chunks(runs: int, chunk_size: int) -> int:
    """The number of chunks of ``runs`` in chunks of ``chunk_size``.

    Raises:
        SweepError: When they are more than :data:`MAX_CHUNKS`.
    """
    chunks = math.ceil(runs / chunk_size)
    if chunks > MAX_CHUNKS:
        raise SweepError(
            f"{runs:,} runs in chunks of {chunk_size:,} make {chunks:,} chunks, more than "
            f"{MAX_CHUNKS:,}; give --chunk-size {math.ceil(runs / MAX_CHUNKS):,} or more"
        )
    return chunks


def new_manifest(
    sweep: Sweep, chunk_size: int, kinds: tuple[str, ...], design: FileRecord
) -> Manifest:
    """The manifest of a sweep about to start (``design.parquet`` written, no part yet).

    Raises:
        SweepError: When the chunk size makes more than :data:`MAX_CHUNKS` chunks.
    """
    spec = sweep.spec
    chunks = check_chunks(sweep.runs, chunk_size)
    return Manifest(
        format=FORMAT,
        name=spec.name,
        fingerprint=sweep.fingerprint(),
        spec_file=str(sweep.source),
        spec=spec,
        base_scenario=sweep.base.name,
        base_data=sweep.base_data,
        seed=sweep.seed,
        design=DesignRecord(
            method=spec.design.method,
            samples=sweep.samples,
            replicates=spec.replicates,
            runs=sweep.runs,
            chunk_size=chunk_size,
            chunks=chunks,
            unit_space="design points are drawn in [0, 1]^D and mapped by inverse CDFs",
        ),
        parameters=[
            ParameterRecord(
                path=name, kind=kind, **param.model_dump(mode="json", exclude_none=True)
            )
            for (name, param), kind in zip(spec.parameters.items(), kinds, strict=True)
        ],
        outcomes=list(sweep.outcomes),
        timeseries=list(spec.timeseries),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        geosim=__version__,
        git_commit=_git_commit(),
        python=sys.version.split()[0],
        platform=platform.platform(),
        packages=_versions(
            "numpy", "scipy", "pandas", "pyarrow", "mesa", "dask", "distributed", "SALib"
        ),
        sessions=[],
        files={"design.parquet": design},
    )


def _git_commit() -> str | None:
    root = checkout()
    if root is None:  # installed from a wheel: no repository to ask
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def _versions(*names: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def read_manifest(out: Path) -> Manifest:
    """Read and validate a sweep directory's ``manifest.json``.

    Raises:
        SweepError: When there is none, or it cannot be used: too large or too deeply nested to
            be one, not JSON, of another format, or a value the schema refuses (each named with
            its field and what was expected).
    """
    path = out / "manifest.json"
    shown = display_path(path)
    if not path.is_file():
        raise SweepError(f"{out} is not a sweep directory (no manifest.json)")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _damaged(shown, f"{size:,} bytes, more than a manifest's {MAX_BYTES:,}")
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise SweepError(f"cannot read {shown}: {describe(exc)}") from None
    except UnicodeDecodeError as exc:
        raise _damaged(shown, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise _damaged(shown, f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise _damaged(shown, f"not JSON: {exc}") from None
    if _depth(data) > MAX_DEPTH:
        raise _damaged(shown, f"nested more than {MAX_DEPTH} levels deep")
    if not isinstance(data, dict) or "format" not in data or "fingerprint" not in data:
        raise _damaged(shown, "not a geosim manifest")
    if data["format"] == 1:
        raise SweepError(
            f"{shown} was written by an older geosim (sweep format 1, without checksums of its "
            f"parts); this geosim reads format {FORMAT}\n  hint: remove the folder yourself "
            "(that geosim did not list the files it wrote, so --force cannot tell them from "
            "yours), or choose another --out"
        )
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        problems = problems_from(exc, SourceMap({(): (shown, None)}), root=Manifest)
        # Without the translator's hints: they speak of YAML, and nobody writes a manifest.
        lines = [f"  {p.path}: {p.message}" if p.path != "(file)" else f"  {p.message}"
                 for p in problems]  # fmt: skip
        message = f"{shown} is damaged:\n" + "\n".join(lines) + f"\n  hint: {AFRESH}"
        raise SweepError(message) from None


def _damaged(shown: str, why: str) -> SweepError:
    return SweepError(f"{shown} is damaged ({why})\n  hint: {AFRESH}")


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _depth(value: Any) -> int:
    """How deeply lists and mappings nest in ``value`` (without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def encode(manifest: Manifest) -> bytes:
    """The bytes of ``manifest.json``."""
    return (json.dumps(manifest.model_dump(mode="json"), indent=2) + "\n").encode("utf-8")


def write_manifest(out: Path, manifest: Manifest, data: bytes | None = None) -> None:
    """Write ``manifest.json`` atomically (:func:`write_atomically`).

    Args:
        out: The sweep directory.
        manifest: The manifest.
        data: Its bytes, if already encoded (:func:`encode`).

    Raises:
        SweepError: Naming the file and what failed (a full or read-only disk).
    """
    path = out / "manifest.json"
    try:
        write_atomically(path, encode(manifest) if data is None else data)
    except OSError as exc:
        raise SweepError(f"cannot write {path}: {describe(exc)}") from None


def record_of(data: bytes | Any) -> FileRecord:
    """The size and checksum of a file's bytes (anything with the buffer protocol)."""
    view = memoryview(data)
    return FileRecord(size=view.nbytes, sha256=hashlib.sha256(view).hexdigest())


def write_atomically(path: Path, data: bytes | Any) -> None:
    """Write a file through a synced temporary file beside it and a rename.

    Raises:
        OSError: When the disk refuses; the temporary file is removed.
    """
    temporary = write_temporary(path, data)
    try:
        put_in_place(temporary, path)
    finally:
        with contextlib.suppress(OSError):  # gone once renamed; or the disk refuses even that
            temporary.unlink(missing_ok=True)


def write_temporary(path: Path, data: bytes | Any) -> Path:
    """Write and sync the temporary file that will become ``path`` (:func:`put_in_place`).

    It is ``.<name>.<pid>.tmp`` beside ``path``; one left by a killed sweep is cleaned on
    resume, whatever it has become.

    Raises:
        OSError: When the disk refuses; the temporary file is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with contextlib.suppress(FileNotFoundError):  # a stale one, never followed if a link
            temporary.unlink()
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise
    return temporary


def put_in_place(temporary: Path, path: Path) -> None:
    """Rename a written temporary file to its path, atomically."""
    os.replace(temporary, path)
