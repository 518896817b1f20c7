"""Scenario files: finding them, ``extends`` chains, ``--set`` overrides, validation.

The pipeline is :func:`load_raw` (one file → plain data and the line of every key, read by
:mod:`sim.scenario.yaml_io`), then :func:`resolve` (follow ``extends``, deep-merge child over
parent, apply ``--set`` overrides, remembering which file and line each value came from), then
:func:`load_scenario` (validate with the schema of :mod:`sim.scenario.schema`; every error
becomes a :class:`~sim.scenario.problems.Problem` that names the file, the line, the dotted
field path and a hint, through :mod:`sim.scenario.translate`). Everything that goes wrong is a
:class:`~sim.scenario.problems.ScenarioError`, never a traceback.
"""

from __future__ import annotations

import copy
import errno
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario.citations import fact_problems
from sim.scenario.problems import (
    SET_FILE,
    LineMap,
    PathKey,
    Problem,
    ScenarioError,
    SourceMap,
    choices_hint,
    closest,
    display_path,
    shorten,
    show,
)
from sim.scenario.resources import scenarios_dir
from sim.scenario.schema import Scenario
from sim.scenario.translate import problems_from, unknown_null_keys
from sim.scenario.yaml_io import parse_document, read_file

#: Longest ``extends`` chain accepted.
MAX_EXTENDS = 20


# --------------------------------------------------------------------------------------------
# Finding files


def shipped_scenarios() -> dict[str, Path]:
    """Return the shipped scenarios, name (file stem) → path, sorted by name."""
    folder = scenarios_dir()
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.yaml")) if path.is_file()}


def _looks_like_path(ref: str) -> bool:
    return "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml")) or ref.startswith(".")


def resolve_reference(ref: str | Path, relative_to: Path | None = None) -> Path:
    """Find the file a scenario reference points to.

    A bare name (``hub_and_spoke``) is a shipped scenario, else ``<name>.yaml`` next to the
    referring file. Anything that looks like a path (contains a slash or ends in ``.yaml``) is a
    path; relative paths resolve against the referring file's folder, or the working folder.

    Args:
        ref: Shipped scenario name or path.
        relative_to: The referring file (or its folder); ``None`` for the command line.

    Returns:
        The path of the scenario file (it exists).

    Raises:
        ScenarioError: When nothing matches, with a close match among the shipped names.
    """
    if not str(ref).strip():
        raise ScenarioError(
            [
                Problem(
                    "''",
                    None,
                    "(file)",
                    "no scenario given (the name is empty)",
                    "give a shipped name (see geosim list) or the path of a .yaml file",
                )
            ]
        )
    if relative_to is None:
        base, referrer = Path.cwd(), None
    else:
        base = relative_to if relative_to.is_dir() else relative_to.parent
        referrer = relative_to
    text = str(ref)
    shipped = shipped_scenarios()
    candidates: list[Path] = []
    if isinstance(ref, Path) or _looks_like_path(text):
        path = _expanded(text, referrer)
        candidates.append(path if path.is_absolute() else base / path)
    else:
        if text in shipped:
            return shipped[text]
        candidates += [base / f"{text}.yaml", base / text]
    for candidate in candidates:
        if _exists(candidate, text, referrer):
            return candidate
    siblings: list[str] = []
    if isinstance(ref, Path) or _looks_like_path(text):
        folder = candidates[0].parent
        if folder.is_dir():
            siblings = sorted(p.name for p in folder.glob("*.y*ml"))
        stems = {Path(name).stem: name for name in siblings}
        close = closest(candidates[0].stem, list(stems), 0.6)
        close = stems[close] if close else None
        hint = choices_hint(text, list(shipped), "shipped scenarios")
        if close:
            hint = f"did you mean {str(Path(text).with_name(close))!r}? " + hint
    else:
        hint = choices_hint(text, list(shipped), "shipped scenarios")
    message = f"no shipped scenario or file named {text!r}"
    if referrer is None:
        raise ScenarioError([Problem(text, None, "(file)", message, hint)])
    raise ScenarioError([Problem(display_path(referrer), None, "extends", message, hint)])


def _where(referrer: Path | None, text: str) -> tuple[str, str]:
    """The file and field a reference's problem is reported at."""
    if referrer is not None:
        return display_path(referrer), "extends"
    return shorten(text, 80), "(file)"


def _expanded(text: str, referrer: Path | None) -> Path:
    """``text`` with a leading ``~`` or ``~user`` expanded; an unknown user is a problem."""
    try:
        return Path(text).expanduser()
    except RuntimeError:  # "Could not determine home directory."
        user = text.split("/", 1)[0]
        file, field = _where(referrer, text)
        message = f"{user}: there is no such user, so {text!r} cannot be found"
        hint = "write the path in full, or relative to the scenario file"
        raise ScenarioError([Problem(file, None, field, message, hint)]) from None


def _exists(candidate: Path, text: str, referrer: Path | None) -> bool:
    """Whether a candidate file exists; a name the file system refuses is a problem."""
    try:
        return candidate.exists()
    except OSError as exc:
        file, field = _where(referrer, text)
        reason = exc.strerror or str(exc)
        hint = (
            "a file or folder name has at most 255 bytes; shorten it"
            if exc.errno == errno.ENAMETOOLONG
            else None
        )
        message = f"cannot look for {shorten(text)!r}: {reason}"
        raise ScenarioError([Problem(file, None, field, message, hint)]) from None


def load_raw(ref_or_path: str | Path) -> tuple[dict[str, Any], LineMap]:
    """Read one scenario file safely, without following ``extends``.

    Args:
        ref_or_path: Shipped scenario name or path of a YAML file.

    Returns:
        The document as plain data, and the line of every key and list item (see
        :func:`sim.scenario.yaml_io.read_file`).

    Raises:
        ScenarioError: For a reference that finds no file, or a file that does not read.
    """
    path = ref_or_path if isinstance(ref_or_path, Path) else resolve_reference(ref_or_path)
    return read_file(path)


# --------------------------------------------------------------------------------------------
# extends and --set


def _paths(value: Any, prefix: PathKey) -> Iterator[PathKey]:
    """Every path inside a value (its own path first)."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _drop(sources: SourceMap, value: Any, prefix: PathKey) -> None:
    for path in _paths(value, prefix):
        sources.pop(path, None)


def _without_nulls(value: Any) -> Any:
    """Deep copy with null-valued mapping keys removed (null means 'not set')."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return copy.deepcopy(value)


def _set(
    base: dict[str, Any],
    sources: SourceMap,
    key: str,
    value: Any,
    path: PathKey,
    origin: tuple[str, LineMap | None],
) -> None:
    """Put a replacement value at ``base[key]`` and record where its parts came from."""
    if key in base:
        _drop(sources, base[key], path)
    file, lines = origin
    for sub in _null_paths(value, path):
        sources.deleted[sub] = (file, lines.get(sub) if lines is not None else None)
    if value is None:
        base.pop(key, None)
        return
    base[key] = _without_nulls(value)
    for sub in _paths(base[key], path):
        sources[sub] = (file, lines.get(sub) if lines is not None else None)
        sources.deleted.pop(sub, None)


def _null_paths(value: Any, prefix: PathKey) -> Iterator[PathKey]:
    """Paths of the null values in ``value`` (which delete their keys)."""
    if value is None:
        yield prefix
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _null_paths(child, (*prefix, key))


def _merge(
    base: dict[str, Any],
    sources: SourceMap,
    over: dict[str, Any],
    prefix: PathKey,
    file: str,
    lines: LineMap,
) -> None:
    for key, value in over.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            sources[path] = (file, lines.get(path))
            _merge(base[key], sources, value, path, file, lines)
        else:
            _set(base, sources, key, value, path, (file, lines))


def _parse_override(text: str) -> tuple[list[str], Any]:
    def fail(message: str, hint: str | None = None, path: str = "(file)") -> ScenarioError:
        return ScenarioError([Problem(SET_FILE, None, path, message, hint)])

    example = "e.g. --set parameters.arms.fatigue=0.3 or --set horizon=60"
    if "=" not in text:
        raise fail(f"override {text!r} is not of the form PATH=VALUE", example)
    path_text, value_text = text.split("=", 1)
    parts = path_text.strip().split(".")
    if not all(part.strip() for part in parts):
        raise fail(f"override {text!r} has an empty part in its path {path_text!r}", example)
    parts = [part.strip() for part in parts]
    if parts[0] == "extends":
        raise fail("'extends' cannot be overridden", "edit the scenario file", "extends")
    try:
        value, _, empty = parse_document(value_text, SET_FILE)
    except ScenarioError as exc:
        problems = [
            Problem(SET_FILE, None, ".".join(parts), f"bad value {value_text!r}: {p.message}")
            for p in exc.problems
        ]
        raise ScenarioError(problems) from None
    return parts, None if empty else value


def _apply_override(data: dict[str, Any], sources: SourceMap, text: str) -> None:
    parts, value = _parse_override(text)
    node = data
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
            sources[tuple(parts[: depth + 1])] = (SET_FILE, None)
        elif not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            raise ScenarioError(
                [
                    Problem(
                        SET_FILE,
                        None,
                        ".".join(parts),
                        f"cannot set {'.'.join(parts)}: {where} is {show(child)}, "
                        "not a mapping of keys",
                        f"paths go through mappings only; set {where}=... as a whole instead",
                    )
                ]
            )
        node = child
    _set(node, sources, parts[-1], value, tuple(parts), (SET_FILE, None))


def resolve(
    ref_or_path: str | Path, overrides: Sequence[str] = ()
) -> tuple[dict[str, Any], SourceMap]:
    """Follow a scenario's ``extends`` chain and apply ``--set`` overrides.

    The child is deep-merged over its parent: mappings merge key by key, a ``null`` value
    deletes the key (inherited or not, so the default applies), lists and scalars replace. The
    result's ``name`` and ``extends`` are the child's own; ``description`` is inherited if the
    child has none.

    Args:
        ref_or_path: Shipped scenario name or path.
        overrides: ``PATH=VALUE`` strings, e.g. ``parameters.arms.fatigue=0.3``; VALUE is YAML
            (a number, text, list or mapping; empty or ``null`` deletes the key).

    Returns:
        The merged plain data, and where each field path was last set.

    Raises:
        ScenarioError: For unreadable files, unknown parents, cycles, chains deeper than
            :data:`MAX_EXTENDS`, and malformed overrides.
    """
    path = ref_or_path if isinstance(ref_or_path, Path) else resolve_reference(ref_or_path)
    chain: list[tuple[Path, dict[str, Any], LineMap]] = []
    seen: dict[Path, int] = {}
    while True:
        data, lines = load_raw(path)
        seen[path.resolve()] = len(chain)
        chain.append((path, data, lines))
        parent_ref = data.get("extends")
        if parent_ref is None:
            break
        file, line = display_path(path), lines.get(("extends",))
        if not isinstance(parent_ref, str) or not parent_ref.strip():
            raise ScenarioError(
                [
                    Problem(
                        file,
                        line,
                        "extends",
                        f"expected a scenario name or path, got {show(parent_ref)}",
                        choices_hint("", list(shipped_scenarios()), "shipped scenarios"),
                    )
                ]
            )
        try:
            parent = resolve_reference(parent_ref.strip(), path)
        except ScenarioError as exc:
            raise ScenarioError([_at(p, file, line) for p in exc.problems]) from None
        if parent.resolve() in seen:
            names = [display_path(p) for p, _, _ in chain[seen[parent.resolve()] :]]
            loop = " extends ".join([*names, display_path(parent)])
            raise ScenarioError(
                [
                    Problem(
                        file,
                        line,
                        "extends",
                        f"'extends' goes round in a circle: {loop}",
                        "one scenario in the chain must not extend anything",
                    )
                ]
            )
        if len(chain) > MAX_EXTENDS:
            raise ScenarioError(
                [
                    Problem(
                        file,
                        line,
                        "extends",
                        f"the 'extends' chain is longer than {MAX_EXTENDS} files",
                        "flatten the chain (write the shared values into one parent)",
                    )
                ]
            )
        path = parent

    merged: dict[str, Any] = {}
    sources = SourceMap()
    for file_path, data, lines in reversed(chain):
        _merge(merged, sources, data, (), display_path(file_path), lines)
    top_path, top_data, _ = chain[0]
    if "name" not in top_data and "name" in merged:
        _drop(sources, merged.pop("name"), ("name",))
    sources[()] = (display_path(top_path), None)
    sources.files = [file_path for file_path, _, _ in chain]
    for text in overrides:
        _apply_override(merged, sources, text)
    return merged, sources


def _at(problem: Problem, file: str, line: int | None) -> Problem:
    return Problem(file, line, "extends", problem.message, problem.hint)


# --------------------------------------------------------------------------------------------
# Validation


def load_scenario(ref_or_path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, merge and validate a scenario.

    Validation is strict: ``horizon: "12"`` or ``horizon: true`` are errors rather than being
    converted silently.

    Args:
        ref_or_path: Shipped scenario name or path.
        overrides: ``--set PATH=VALUE`` strings applied after merging.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: Listing every problem with file, line, dotted path and hint.
    """
    data, sources = resolve(ref_or_path, overrides)
    return _validated(data, sources)


def _validated(data: dict[str, Any], sources: SourceMap) -> Scenario:
    """Validate merged data; keys set to null must still be keys the schema knows.

    Every ``fact:<id>`` a source cites must be a seed fact (:func:`fact_problems`).
    """
    problems = [*unknown_null_keys(sources, data), *fact_problems(data, sources)]
    try:
        scenario = Scenario.model_validate(data, strict=True)
    except ValidationError as exc:
        problems = [*problems_from(exc, sources), *problems]
        raise ScenarioError(sorted(problems, key=lambda p: (p.file, p.line or 0))) from None
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return scenario


# --------------------------------------------------------------------------------------------
# What a command runs: the scenario, cut to a horizon, and its parent


def truncate(data: dict[str, Any], horizon: int) -> tuple[dict[str, Any], list[str]]:
    """Cut scenario data to its first ``horizon`` months.

    What starts after the horizon (alliances, policies, deliveries, scheduled events, moves)
    is left out, and ends after it become "to the end of the run"; nothing left out could have
    acted within the horizon, so the months kept are exactly those of the full scenario.

    Args:
        data: Scenario data (as :func:`resolve` gives it).
        horizon: Months to keep.

    Returns:
        The cut data (a copy), and what was left out (``events.x (month 24)``), in order.
    """
    data = copy.deepcopy(data)
    data["horizon"] = horizon
    dropped: list[str] = []
    gone: set[str] = set()  # alliances left out

    def month(value: Any) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    for block in ("alliances", "policies"):
        entries = data.get(block)
        if not isinstance(entries, dict):
            continue
        for name, entry in list(entries.items()):
            if not isinstance(entry, dict):
                continue
            start = month(entry.get("start", 0)) or 0
            if start > horizon:
                del entries[name]
                dropped.append(f"{block}.{name} (month {start})")
                if block == "alliances":
                    gone.add(name)
                continue
            end = month(entry.get("end"))
            if end is not None and end > horizon:
                entry["end"] = None
            deliveries = entry.get("deliveries")
            if isinstance(deliveries, list):
                kept = [d for d in deliveries if start + (month(_get(d, "after")) or 0) <= horizon]
                for i, d in enumerate(deliveries):
                    if d not in kept:
                        at = start + (month(_get(d, "after")) or 0)
                        dropped.append(f"{block}.{name}.deliveries[{i}] (month {at})")
                if not kept:
                    del entries[name]
                    continue
                entry["deliveries"] = kept
    events = data.get("events")
    if isinstance(events, dict):
        for name, event in list(events.items()):
            step = month(event.get("step")) if isinstance(event, dict) else None
            named = event.get("alliance") if isinstance(event, dict) else None
            if step is not None and step > horizon:
                del events[name]
                dropped.append(f"events.{name} (month {step})")
            elif isinstance(named, str) and named in gone:
                del events[name]  # it acts on an alliance that starts after the horizon
                dropped.append(f"events.{name} (on alliances.{named})")
    moves = data.get("moves")
    if isinstance(moves, list):
        kept = []
        for i, move in enumerate(moves):
            at = month(move.get("month")) if isinstance(move, dict) else None
            named = move.get("alliance") if isinstance(move, dict) else None
            if at is not None and at > horizon:
                dropped.append(f"moves[{i}] (month {at})")
            elif isinstance(named, str) and named in gone:
                dropped.append(f"moves[{i}] (on alliances.{named})")
            else:
                kept.append(move)
        data["moves"] = kept
    return data, dropped


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


@dataclass(frozen=True)
class Loaded:
    """A scenario as a command runs it.

    Attributes:
        scenario: The validated scenario.
        parent: Its parent, validated on its own; None when it extends nothing, or when the
            parent is not a scenario by itself (a shared mixin without a name, say).
        dropped: What ``--horizon`` left out (see :func:`truncate`).
        files: The files read: the scenario's and its ``extends`` chain's (a command's inputs,
            which ``--force`` never removes).
    """

    scenario: Scenario
    parent: Scenario | None
    dropped: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()


def load(
    ref_or_path: str | Path, overrides: Sequence[str] = (), *, horizon: int | None = None
) -> Loaded:
    """Read, merge, cut to ``horizon`` and validate a scenario, and find its parent.

    ``geosim validate``, ``run`` and ``compare`` all load through here, so whatever one
    accepts the others accept, and what one refuses the others refuse with the same message.

    Raises:
        ScenarioError: Listing every problem with file, line, dotted path and hint.
    """
    path = ref_or_path if isinstance(ref_or_path, Path) else resolve_reference(ref_or_path)
    data, sources = resolve(path, overrides)
    scenario = _validated(data, sources)  # whole, as validate sees it: its lines and indices
    dropped: list[str] = []
    if horizon is not None:
        data, dropped = truncate(data, horizon)
        sources[("horizon",)] = (SET_FILE, None)
        scenario = _validated(data, sources)
    parent = None
    if scenario.extends:
        try:
            parent = load_scenario(resolve_reference(scenario.extends.strip(), path))
        except ScenarioError:
            parent = None  # not a scenario on its own: there is no parent to compare with
    return Loaded(scenario, parent, tuple(dropped), tuple(sources.files))


#: The shipped scenario that is the status quo other scenarios depart from.
STATUS_QUO = "hub_and_spoke"


@functools.cache
def status_quo() -> Scenario:
    """The shipped status-quo scenario (:data:`STATUS_QUO`), loaded once.

    Its alliances and standing policies are the world held at rest by default
    (``docs/model.md``, "Anchoring").
    """
    return load_scenario(shipped_scenarios()[STATUS_QUO])
