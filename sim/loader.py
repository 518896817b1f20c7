"""Scenario files: safe YAML reading, ``extends`` chains, ``--set`` overrides and readable errors.

The pipeline is :func:`load_raw` (one file → plain data and the line of every key), then
:func:`resolve` (follow ``extends``, deep-merge child over parent, apply ``--set`` overrides,
remembering which file and line each value came from), then :func:`load_scenario` (validate
with the pydantic schema of :mod:`sim.scenario` and turn every error into a :class:`Problem`
that names the file, the line, the dotted field path and a hint).

Reading is deliberately stricter than ``yaml.safe_load``: explicit tags, anchors and aliases,
duplicate keys, non-text keys, nesting deeper than 30 levels, files over 1 MiB and files that
are not UTF-8 are all errors. Everything that goes wrong is a :class:`ScenarioError`, never a
traceback.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.scenario import LocatedError, Scenario

#: Folder of the shipped scenarios (referred to by file stem, e.g. ``hub_and_spoke``).
SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"

#: Largest scenario file accepted, in bytes.
MAX_BYTES = 1024 * 1024
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 30
#: Longest ``extends`` chain accepted.
MAX_EXTENDS = 20
#: At most this many problems are reported at once.
MAX_PROBLEMS = 50

#: The file name used for problems caused by ``--set`` overrides.
SET_FILE = "--set"

PathKey = tuple[str | int, ...]
#: Field path (keys and list indices) → 1-based line number in one file.
LineMap = dict[PathKey, int]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located as precisely as possible.

    Attributes:
        file: The file as shown to the user (relative to the working folder when inside it),
            or ``--set`` for a command-line override.
        line: 1-based line number, or ``None`` when there is no line to point at.
        path: Dotted field path such as ``policies.us_phl.usd_m_per_year`` (list items as
            ``deliveries[0]``), or ``extends`` / ``(file)``.
        message: What is wrong and what was expected.
        hint: A suggestion (a close match for a typo, the allowed values), or ``None``.
    """

    file: str
    line: int | None
    path: str
    message: str
    hint: str | None = None

    def format(self) -> str:
        """Render the problem as ``file:line: path: message`` plus an indented hint line."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{where}: {self.message}"
        if self.path and self.path != "(file)":
            text = f"{where}: {self.path}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ScenarioError(Exception):
    """A scenario that cannot be read or is invalid; ``str()`` lists every problem.

    Attributes:
        problems: The problems found, in file and line order.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The full human-readable report, one block per problem."""
        return "\n".join(problem.format() for problem in self.problems)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        return (ScenarioError, (self.problems,))


class SourceMap(dict[PathKey, tuple[str, int | None]]):
    """Field path → ``(file, line)`` of the file that last set it (``--set`` for overrides)."""

    def locate(self, path: PathKey) -> tuple[str, int | None]:
        """Find where a field was set, falling back to its nearest located ancestor.

        Args:
            path: Field path as a tuple of keys and list indices.

        Returns:
            ``(file, line)``; the line is ``None`` for overrides and for the document root.
        """
        for end in range(len(path), -1, -1):
            origin = self.get(path[:end])
            if origin is not None and (origin[1] is not None or origin[0] == SET_FILE):
                return origin
        return self.get((), ("<scenario>", None))


# --------------------------------------------------------------------------------------------
# Finding files


def shipped_scenarios() -> dict[str, Path]:
    """Return the shipped scenarios, name (file stem) → path, sorted by name."""
    if not SCENARIOS_DIR.is_dir():
        return {}
    return {path.stem: path for path in sorted(SCENARIOS_DIR.glob("*.yaml")) if path.is_file()}


def _display(path: Path) -> str:
    """Show a path relative to the working folder when it lies inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _looks_like_path(ref: str) -> bool:
    return "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml")) or ref.startswith(".")


def _closest(word: str, choices: Sequence[str], cutoff: float = 0.5) -> str | None:
    """The choice closest to ``word`` (case-insensitive; prefixes count), or ``None``."""
    if not choices or not isinstance(word, str):
        return None
    lowered = {choice.lower(): choice for choice in choices}
    if len(word) >= 3:
        starts = [c for low, c in lowered.items() if low.startswith(word.lower())]
        if len(starts) == 1:
            return starts[0]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None


def _choices_hint(word: Any, choices: Sequence[str], what: str) -> str:
    close = _closest(word, choices) if isinstance(word, str) else None
    listing = f"{what}: {', '.join(choices)}" if choices else f"there are no {what} yet"
    return f"did you mean {close!r}? {listing}" if close else listing


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
    if relative_to is None:
        base, referrer = Path.cwd(), None
    else:
        base = relative_to if relative_to.is_dir() else relative_to.parent
        referrer = relative_to
    text = str(ref)
    shipped = shipped_scenarios()
    candidates: list[Path] = []
    if isinstance(ref, Path) or _looks_like_path(text):
        path = Path(text).expanduser()
        candidates.append(path if path.is_absolute() else base / path)
    else:
        if text in shipped:
            return shipped[text]
        candidates += [base / f"{text}.yaml", base / text]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    siblings: list[str] = []
    if isinstance(ref, Path) or _looks_like_path(text):
        folder = candidates[0].parent
        if folder.is_dir():
            siblings = sorted(p.name for p in folder.glob("*.y*ml"))
        stems = {Path(name).stem: name for name in siblings}
        close = _closest(candidates[0].stem, list(stems), 0.6)
        close = stems[close] if close else None
        hint = _choices_hint(text, list(shipped), "shipped scenarios")
        if close:
            hint = f"did you mean {str(Path(text).with_name(close))!r}? " + hint
    else:
        hint = _choices_hint(text, list(shipped), "shipped scenarios")
    message = f"no shipped scenario or file named {text!r}"
    if referrer is None:
        raise ScenarioError([Problem(text, None, "(file)", message, hint)])
    raise ScenarioError([Problem(_display(referrer), None, "extends", message, hint)])


# --------------------------------------------------------------------------------------------
# Reading one file safely

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
#: Numbers in exponent notation without a dot (``1e5``), which YAML 1.1 reads as text.
_YAML_TEXT_NUMBER = re.compile(r"^[-+]?\d+[eE][-+]?\d+$")


class _Reader:
    """Builds plain data from a YAML document, collecting problems and lines."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.lines: LineMap = {}

    def problem(self, line: int | None, path: PathKey, message: str, hint: str | None = None):
        self.problems.append(Problem(self.file, line, _dotted(path) or "(file)", message, hint))

    def scan(self, text: str) -> None:
        """Reject tags, anchors, aliases and deep nesting before building any node."""
        depth = 0
        opening = (
            yaml.BlockMappingStartToken,
            yaml.BlockSequenceStartToken,
            yaml.FlowMappingStartToken,
            yaml.FlowSequenceStartToken,
        )
        closing = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            line = token.start_mark.line + 1
            if isinstance(token, yaml.TagToken):
                handle, suffix = token.value
                self.problem(
                    line,
                    (),
                    f"explicit YAML tags are not allowed (found {(handle or '') + suffix!r})",
                    "remove the tag; write plain values (quote text that looks like a number)",
                )
            elif isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                sign = "&" if isinstance(token, yaml.AnchorToken) else "*"
                self.problem(
                    line,
                    (),
                    f"YAML anchors and aliases are not allowed (found {sign}{token.value})",
                    "write the values out in full, or share them with 'extends:'",
                )
            elif isinstance(token, opening):
                depth += 1
                if depth > MAX_DEPTH:
                    self.problem(line, (), f"nesting is deeper than {MAX_DEPTH} levels")
                    return
            elif isinstance(token, closing):
                depth -= 1
            if len(self.problems) >= MAX_PROBLEMS:
                return

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        """Turn a composed node into plain data, recording the line of every key and item."""
        if depth > MAX_DEPTH:
            self.problem(node.start_mark.line + 1, path, f"nesting is deeper than {MAX_DEPTH}")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, child in enumerate(node.value):
                self.lines[(*path, index)] = child.start_mark.line + 1
                items.append(self.build(child, (*path, index), depth + 1))
            return items
        if not isinstance(node, yaml.MappingNode):  # pragma: no cover - yaml has no others
            self.problem(node.start_mark.line + 1, path, "unsupported YAML node")
            return None
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                self.bad_key(key_node, path, line)
                continue
            key = key_node.value
            if key in first_line:
                self.problem(
                    line,
                    (*path, key),
                    f"duplicate key {key!r} (also at line {first_line[key]})",
                    "a key may appear once per block; delete or merge one of them",
                )
                continue
            first_line[key] = line
            self.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def bad_key(self, key_node: yaml.Node, path: PathKey, line: int) -> None:
        if not isinstance(key_node, yaml.ScalarNode):
            what = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
            self.problem(line, path, f"keys must be text, not {what}")
        elif key_node.tag == "tag:yaml.org,2002:merge":
            self.problem(line, path, "merge keys ('<<') are not supported", "use 'extends:'")
        else:
            kind = key_node.tag.rsplit(":", 1)[-1]
            kind = {"int": "a number", "float": "a number", "bool": "true/false"}.get(kind, kind)
            self.problem(
                line,
                path,
                f"key {key_node.value!r} is read as {kind}, but keys must be text",
                f"put the key in quotes: '{key_node.value}':",
            )

    def scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == "tag:yaml.org,2002:null":
            return None
        constructor = {
            "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
            "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
            "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
        }.get(tag)
        if constructor is None:  # timestamps and other YAML 1.1 oddities stay text
            return node.value
        try:
            return constructor(node)
        except (ValueError, ArithmeticError, yaml.YAMLError):
            self.problem(
                node.start_mark.line + 1,
                path,
                f"cannot read the value {_shorten(node.value)!r}",
                "write numbers plainly (e.g. 1200 or 0.25); put text in quotes",
            )
            return None


def _syntax_problem(file: str, exc: yaml.YAMLError, text: str) -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            detail = f"{exc.problem} ({exc.context})"
        line = mark.line + 1 if mark else None
        column = f" at column {mark.column + 1}" if mark else ""
    elif isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        column = ""
        detail = f"character {exc.character!r} is not allowed in YAML"
    else:  # pragma: no cover - defensive
        line, column, detail = None, "", str(exc)
    hint = "check the indentation and the ':' after each key; quote text containing ': ' or '#'"
    if "\t" in detail or "'\\t'" in detail:
        hint = "indent with spaces, not tabs"
    elif "single document" in detail:
        hint = "a scenario file holds one document: remove the '---' separators"
    return Problem(file, line, "(file)", f"YAML syntax error{column}: {detail}", hint)


def _read_text(path: Path, file: str) -> str:
    def fail(message: str, line: int | None = None, hint: str | None = None) -> ScenarioError:
        return ScenarioError([Problem(file, line, "(file)", message, hint)])

    try:
        if not path.exists():
            raise fail("file not found")
        if path.is_dir():
            raise fail("is a folder, not a scenario file")
        if not path.is_file():
            raise fail("is not a regular file")
        if path.stat().st_size > MAX_BYTES:
            raise fail(f"file is larger than {MAX_BYTES // 1024} KiB")
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise fail(f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise fail(f"file is larger than {MAX_BYTES // 1024} KiB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise fail("file is not valid UTF-8 text", line, "save the file as UTF-8") from None


def _parse_document(text: str, file: str) -> tuple[Any, LineMap, bool]:
    """Parse YAML text safely into plain data; returns (data, lines, empty)."""
    reader = _Reader(file)
    try:
        reader.scan(text)
        if reader.problems:
            raise ScenarioError(reader.problems)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ScenarioError([_syntax_problem(file, exc, text)]) from None
    except RecursionError:
        raise ScenarioError(
            [Problem(file, None, "(file)", f"nesting is deeper than {MAX_DEPTH} levels")]
        ) from None
    if root is None:
        return None, {}, True
    reader.lines[()] = root.start_mark.line + 1
    data = reader.build(root, (), 1)
    if reader.problems:
        raise ScenarioError(reader.problems)
    return data, reader.lines, False


def load_raw(ref_or_path: str | Path) -> tuple[dict[str, Any], LineMap]:
    """Read one scenario file safely, without following ``extends``.

    Args:
        ref_or_path: Shipped scenario name or path of a YAML file.

    Returns:
        The document as plain dicts, lists and scalars, and the line of every key and list
        item (path tuple → 1-based line; ``()`` is the document start).

    Raises:
        ScenarioError: For a missing, oversized, non-UTF-8 or malformed file, explicit tags,
            anchors/aliases, duplicate or non-text keys, too deep nesting, or a top level that
            is not a mapping.
    """
    path = ref_or_path if isinstance(ref_or_path, Path) else resolve_reference(ref_or_path)
    file = _display(path)
    text = _read_text(path, file)
    data, lines, empty = _parse_document(text, file)
    if empty:
        raise ScenarioError(
            [
                Problem(
                    file,
                    None,
                    "(file)",
                    "the file is empty",
                    "a scenario is a mapping with at least 'name:'",
                )
            ]
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"the value {_show(data)}"
        raise ScenarioError(
            [
                Problem(
                    file,
                    lines.get(()),
                    "(file)",
                    f"the top level must be a mapping of keys (name:, horizon:, ...), not {kind}",
                    "start with 'name: my_scenario' on the first line",
                )
            ]
        )
    return data, lines


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
    if value is None:
        base.pop(key, None)
        return
    base[key] = _without_nulls(value)
    for sub in _paths(base[key], path):
        sources[sub] = (file, lines.get(sub) if lines is not None else None)


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
        value, _, empty = _parse_document(value_text, SET_FILE)
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
                        f"cannot set {'.'.join(parts)}: {where} is {_show(child)}, "
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
        file, line = _display(path), lines.get(("extends",))
        if not isinstance(parent_ref, str) or not parent_ref.strip():
            raise ScenarioError(
                [
                    Problem(
                        file,
                        line,
                        "extends",
                        f"expected a scenario name or path, got {_show(parent_ref)}",
                        _choices_hint("", list(shipped_scenarios()), "shipped scenarios"),
                    )
                ]
            )
        try:
            parent = resolve_reference(parent_ref.strip(), path)
        except ScenarioError as exc:
            raise ScenarioError([_at(p, file, line) for p in exc.problems]) from None
        if parent.resolve() in seen:
            names = [_display(p) for p, _, _ in chain[seen[parent.resolve()] :]]
            loop = " extends ".join([*names, _display(parent)])
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
        _merge(merged, sources, data, (), _display(file_path), lines)
    top_path, top_data, _ = chain[0]
    if "name" not in top_data and "name" in merged:
        _drop(sources, merged.pop("name"), ("name",))
    sources[()] = (_display(top_path), None)
    for text in overrides:
        _apply_override(merged, sources, text)
    return merged, sources


def _at(problem: Problem, file: str, line: int | None) -> Problem:
    return Problem(file, line, "extends", problem.message, problem.hint)


# --------------------------------------------------------------------------------------------
# Validation errors → problems


@dataclass
class _Where:
    path: PathKey
    model: type[BaseModel] | None = None  # the model in which the last key was looked up
    field: FieldInfo | None = None
    type: Any = None
    metadata: list[Any] | None = None
    key_error: bool = False
    union_at: PathKey | None = None  # path of a plain (non-tagged) union that was entered
    union_labels: tuple[str, ...] = ()


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _unwrap(tp: Any, metadata: list[Any]) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            args = get_args(tp)
            metadata.extend(args[1:])
            tp = args[0]
            continue
        if origin in (Union, types.UnionType):
            members = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp


def _label(tp: Any) -> str:
    return tp.__name__ if isinstance(tp, type) else str(tp).replace("typing.", "")


def _walk(loc: Sequence[str | int]) -> _Where:
    """Follow a pydantic error location through the schema, dropping union tags."""
    where = _Where(path=())
    tp: Any = Scenario
    metadata: list[Any] = []
    steps = list(loc)
    while steps:
        elem = steps.pop(0)
        tp = _unwrap(tp, metadata) if tp is not None else None
        origin = get_origin(tp)
        if _is_model(tp):
            field = tp.model_fields.get(str(elem))
            where.model, where.field = tp, field
            where.path = (*where.path, elem)
            metadata = list(field.metadata) if field else []
            tp = field.annotation if field else None
        elif origin is dict:
            key_type, value_type = get_args(tp)
            where.field, metadata = None, []
            where.path = (*where.path, elem)
            if (
                steps and steps[0] == "[key]"
            ):  # the key itself is wrong: ('countries', 'X', '[key]')
                steps.pop(0)
                where.key_error = True
                tp = key_type
            else:
                tp = value_type
        elif origin is list:
            where.field, metadata = None, []
            where.path = (*where.path, elem)
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(tp) if arg is not type(None)]
            if all(_is_model(m) and "kind" in m.model_fields for m in members):
                tagged = [m for m in members if elem in get_args(m.model_fields["kind"].annotation)]
                if tagged:  # pydantic's tag: not part of the user's path
                    tp = tagged[0]
                    continue
                # A field shared by the members (from a LocatedError's loc): look it up.
                having = [m for m in members if str(elem) in m.model_fields]
                tp = having[0] if having else None
                steps.insert(0, elem)
                if tp is None:
                    where.path = (*where.path, *steps)
                    break
            else:
                where.union_at = where.path
                where.union_labels = tuple(_label(_unwrap(m, [])) for m in members)
                matched = [m for m in members if _label(_unwrap(m, [])) == elem]
                tp = matched[0] if matched else None
        else:
            where.field, metadata = None, []
            where.path = (*where.path, elem)
            tp = None
    where.type = _unwrap(tp, metadata) if tp is not None else None
    where.metadata = metadata
    return where


def _dotted(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: Any) -> str:
    """A value as the user wrote it, briefly."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _shorten(repr(value))
    if isinstance(value, str):
        return repr(_shorten(value))
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return _shorten(repr(value))


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _bounds(metadata: Sequence[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(_bounds(item.metadata))
            continue
        for name in ("gt", "ge", "lt", "le", "min_length", "max_length"):
            value = getattr(item, name, None)
            if value is not None and not callable(value):
                found[name] = value
    return found


def _range_text(bounds: dict[str, Any]) -> str:
    low = f">= {_number(bounds['ge'])}" if "ge" in bounds else None
    low = f"> {_number(bounds['gt'])}" if "gt" in bounds else low
    high = f"<= {_number(bounds['le'])}" if "le" in bounds else None
    high = f"< {_number(bounds['lt'])}" if "lt" in bounds else high
    return " and ".join(part for part in (low, high) if part)


def _describe(where: _Where) -> str | None:
    if where.field is not None and where.field.description:
        return where.field.description
    return None


def _kind_of_number(where: _Where) -> str:
    return "a whole number" if where.type is int else "a number"


_STRING_QUOTE_HINT = (
    "YAML reads yes/no/on/off/true/false as booleans and bare numbers as numbers; "
    "put text in quotes"
)

_TYPE_MESSAGES = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of keys",
    "model_type": "expected a mapping of keys",
    "model_attributes_type": "expected a mapping of keys",
}

_VALIDATOR_FIELDS = (
    ("bad condition", "when"),
    ("an event needs exactly one of", None),
    ("hub ", "hub"),
    ("end (", "end"),
    ("actor ", "partners"),
)


def _exponent_hint(text: str) -> str:
    mantissa, exponent = text.lower().split("e")
    sign = "" if exponent.startswith(("+", "-")) else "+"
    written = f"{mantissa}.0e{sign}{exponent}"
    value = float(text)
    plain = f"{_number(value)} or " if abs(value) < 1e15 and value == value else ""
    return f"YAML reads {text} as text: write {plain}{written} (with a dot and a sign)"


def _translate_one(error: dict[str, Any]) -> tuple[_Where, str, str | None]:
    """Message and hint for one pydantic error, with its cleaned-up location."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    cause = ctx.get("error")
    if isinstance(cause, LocatedError):
        where = _walk(cause.loc)
        return where, str(cause), None
    where = _walk(error["loc"])
    description = _describe(where)
    key = where.path[-1] if where.path else ""

    if kind == "extra_forbidden":
        allowed = list(where.model.model_fields) if where.model else []
        return where, f"unknown key {key!r}", _choices_hint(key, allowed, "allowed keys")
    if kind == "missing":
        hint = f"add '{key}:'" + (f" ({description})" if description else "")
        if where.path == ("name",):
            hint = "add 'name: my_scenario' (letters, digits, _ and -)"
        return where, f"required key {key!r} is missing", hint
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        if not allowed:
            allowed = _union_kinds(where)
        where.path = (*where.path, "kind")
        if kind == "union_tag_not_found":
            return where, "missing 'kind'", _choices_hint("", allowed, "kinds")
        tag = value.get("kind") if isinstance(value, dict) else ctx.get("tag")
        if not isinstance(tag, str):
            return (
                where,
                f"'kind' must be text, got {_show(tag)}",
                _choices_hint("", allowed, "kinds"),
            )
        return where, f"unknown kind {_show(tag)}", _choices_hint(tag, allowed, "kinds")
    if kind in ("literal_error", "enum"):
        allowed = (
            [str(a) for a in get_args(where.type)]
            if get_origin(where.type) is Literal
            else re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        )
        hint = _choices_hint(value, allowed, "allowed values")
        return where, f"{_show(value)} is not an allowed value", hint
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bounds = _bounds(where.metadata or [])
        op = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt"}.get(kind, "le")
        if op in ctx:
            bounds[op] = ctx[op]
        single = {
            "gt": f"> {_number(ctx.get('gt'))}",
            "ge": f">= {_number(ctx.get('ge'))}",
            "lt": f"< {_number(ctx.get('lt'))}",
            "le": f"<= {_number(ctx.get('le'))}",
        }[op]
        message = f"expected {_kind_of_number(where)} {single}, got {_show(value)}"
        full = _range_text(bounds)
        parts = [description] if description else []
        if full and full != single:
            parts.append(f"allowed: {full}")
        return where, message, "; ".join(parts) or None
    if kind in ("too_short", "too_long"):
        items = "item" if ctx.get("min_length", ctx.get("max_length")) == 1 else "items"
        if kind == "too_short":
            message = f"expected at least {ctx.get('min_length')} {items}"
        else:
            message = f"expected at most {ctx.get('max_length')} {items}"
        length = ctx.get("actual_length")
        if length is not None:
            message += f", got {length}"
        if where.type is str:
            message = message.replace("items", "characters").replace("item", "character")
        return where, message, description
    if kind == "string_pattern_mismatch":
        what = "key" if where.key_error else "name"
        return (
            where,
            f"{_show(value)} is not a valid {what}",
            "names use 1-64 letters, digits, '_' and '-' (no spaces, not starting with '-')",
        )
    if kind in _TYPE_MESSAGES:
        message = f"{_TYPE_MESSAGES[kind]}, got {_show(value)}"
        hint = description
        if kind == "string_type" and isinstance(value, bool | int | float):
            hint = _STRING_QUOTE_HINT
        elif kind in ("int_type", "float_type") and isinstance(value, str):
            hint = "write the number without quotes"
            if kind == "float_type" and _YAML_TEXT_NUMBER.match(value.strip()):
                hint = _exponent_hint(value.strip())
        elif kind == "list_type":
            hint = "write [A, B] or one '- item' per line"
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            hint = "write 'key: value' lines indented under this key"
        if kind == "int_type" and isinstance(value, float) and not value.is_integer():
            message = f"expected a whole number, got {_show(value)}"
        return where, message, hint
    if kind in ("value_error", "assertion_error"):
        message = str(cause) if cause is not None else re.sub(r"^Value error, ", "", error["msg"])
        for prefix, field in _VALIDATOR_FIELDS:
            if message.startswith(prefix) and field and not where.key_error:
                where.path = (*where.path, field)
                break
        found = re.match(r"^(.*?)(?:; did you mean (\w+)\?)? \(known: (.*)\)$", message, re.S)
        if found:
            head, close, known = found.groups()
            hint = (f"did you mean {close}? " if close else "") + f"known codes: {known}"
            return where, head, hint
        return where, message, None
    return where, re.sub(r"^Value error, ", "", error["msg"]), description


def _union_kinds(where: _Where) -> list[str]:
    tp = where.type
    if get_origin(tp) in (Union, types.UnionType):
        kinds: list[str] = []
        for member in get_args(tp):
            if _is_model(member) and "kind" in member.model_fields:
                kinds += [str(a) for a in get_args(member.model_fields["kind"].annotation)]
        return kinds
    return []


def _problems_from(exc: ValidationError, sources: SourceMap) -> list[Problem]:
    errors = exc.errors()
    translated = [(*_translate_one(e), e.get("input")) for e in errors]  # type: ignore[arg-type]
    # A misspelt key gives 'unknown key' and 'missing': report the typo only.
    typos = {
        (*where.path[:-1], _closest(str(where.path[-1]), list(where.model.model_fields)))
        for error, (where, _, _, _) in zip(errors, translated, strict=True)
        if error["type"] == "extra_forbidden" and where.model is not None and where.path
    }
    translated = [
        item
        for error, item in zip(errors, translated, strict=True)
        if not (error["type"] == "missing" and item[0].path in typos)
    ]
    # Errors inside a plain union (``source: text | list``) come once per member: keep the
    # ones that went deeper than the union (the value matched that member's shape), else merge.
    deeper = {
        w.union_at for w, _, _, _ in translated if w.union_at is not None and w.path != w.union_at
    }
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for where, message, hint, value in translated:
        if where.union_at is not None and where.path == where.union_at:
            if where.union_at in deeper:
                continue
            labels = [
                {"str": "text", "list[str]": "a list of texts"}.get(label, label)
                for label in where.union_labels
            ]
            message = f"expected {' or '.join(labels)}, got {_show(value)}"
            hint = 'e.g. source: "SIPRI Milex 2025" or source: [fact:some_id, SIPRI Milex 2025]'
        path_text = _dotted(where.path)
        if (path_text, message) in seen:
            continue
        seen.add((path_text, message))
        file, line = sources.locate(where.path)
        problems.append(Problem(file, line, path_text or "(file)", message, hint))
    problems.sort(key=lambda p: (p.file, p.line or 0))
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS]
        problems.append(
            Problem(problems[-1].file, None, "(file)", f"... and {extra} more problems")
        )
    return problems


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
    try:
        return Scenario.model_validate(data, strict=True)
    except ValidationError as exc:
        raise ScenarioError(_problems_from(exc, sources)) from None


class _Dumper(yaml.SafeDumper):
    """Safe dumper that never writes anchors or aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML writes NEL (U+0085) raw inside quotes and reads it back as a line break.
    style = '"' if any(ch in text for ch in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def _kind_first(entry: dict[str, Any]) -> dict[str, Any]:
    result = {"kind": entry["kind"]} if "kind" in entry else {}
    for key, value in entry.items():
        result[key] = _kind_first(value) if key == "policy" and isinstance(value, dict) else value
    return result


def scenario_to_yaml(scenario: Scenario) -> str:
    """Write the fully merged scenario as YAML (``extends`` removed, keys in schema order).

    The text loads back, through :func:`load_scenario`, to an equal scenario (apart from
    ``extends``).

    Args:
        scenario: A validated scenario.

    Returns:
        YAML text.
    """
    data = scenario.model_dump(mode="json", exclude_none=True)
    data.pop("extends", None)
    for block in ("policies", "events"):  # put each entry's 'kind' first, for readability
        for name, entry in data.get(block, {}).items():
            data[block][name] = _kind_first(entry)
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_EXTENDS",
    "SCENARIOS_DIR",
    "LineMap",
    "Problem",
    "ScenarioError",
    "SourceMap",
    "load_raw",
    "load_scenario",
    "resolve",
    "resolve_reference",
    "scenario_to_yaml",
    "shipped_scenarios",
]
