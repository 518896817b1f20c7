"""Scenario YAML in and out: a reader stricter than ``yaml.safe_load``, and the writer.

Reading refuses explicit tags, anchors and aliases, merge keys, duplicate and non-text keys,
nesting deeper than :data:`MAX_DEPTH` levels, files over :data:`MAX_BYTES` and files that are
not UTF-8, each as a located :class:`~sim.scenario.problems.Problem`; it returns plain data and
the line of every key, so that later errors can point at the line that caused them. Writing
emits plain YAML (no anchors) that reads back to the same scenario.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.problems import (
    MAX_PROBLEMS,
    LineMap,
    PathKey,
    Problem,
    ScenarioError,
    display_path,
    dotted,
    shorten,
    show,
)
from sim.scenario.schema import Scenario

#: The YAML parser: libyaml's, which PyYAML's wheels carry, else PyYAML's own (same nodes and
#: marks; libyaml reads a large scenario about ten times faster).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's safe loader (plain data only, no tags run)."""
    return yaml.load(text, Loader=LOADER)


#: Largest scenario file accepted, in bytes.
MAX_BYTES = 1024 * 1024
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 30

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
#: Numbers as people write them: decimal digits, a dot, an exponent with its sign; and the
#: infinities and NaN (which the schema then refuses with its own message).
_PLAIN_NUMBER = re.compile(
    r"^[-+]?(0|[1-9][0-9]*)$|^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+][0-9]+)?$"
    r"|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$"
)
_STR = "tag:yaml.org,2002:str"


class _Reader:
    """Builds plain data from a YAML document, collecting problems and lines."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.lines: LineMap = {}

    def problem(self, line: int | None, path: PathKey, message: str, hint: str | None = None):
        self.problems.append(Problem(self.file, line, dotted(path) or "(file)", message, hint))

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
        for token in yaml.scan(text, Loader=LOADER):
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
        if tag != "tag:yaml.org,2002:bool" and not _PLAIN_NUMBER.match(node.value):
            # YAML 1.1 reads 010 as 8, 0x10 as 16, 1_0 as 10 and 1:30 as 90: never silently.
            read = constructor(node)
            self.problem(
                node.start_mark.line + 1,
                path,
                f"YAML reads {shorten(node.value)!r} as the number {shorten(str(read))}; "
                "geosim takes plain decimal numbers",
                "write the number in decimal digits (e.g. 10 or 0.25), or quote it if it is text",
            )
            return None
        try:
            return constructor(node)
        except (ValueError, ArithmeticError, yaml.YAMLError):
            self.problem(
                node.start_mark.line + 1,
                path,
                f"cannot read the value {shorten(node.value)!r}",
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
    lines = text.splitlines()
    indent = (
        lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
        if (line is not None and 0 < line <= len(lines))
        else ""
    )
    if "nesting depth" in detail:
        return Problem(file, line, "(file)", f"nesting is deeper than {MAX_DEPTH} levels")
    if "\t" in detail or "'\\t'" in detail or "\t" in indent:
        hint = "indent with spaces, not tabs"
    elif "single document" in detail or "expected a single document" in detail:
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


def parse_document(text: str, file: str) -> tuple[Any, LineMap, bool]:
    """Parse YAML text safely into plain data; returns (data, lines, empty)."""
    reader = _Reader(file)
    try:
        reader.scan(text)
        if reader.problems:
            raise ScenarioError(reader.problems)
        root = yaml.compose(text, Loader=LOADER)
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


def read_file(path: Path) -> tuple[dict[str, Any], LineMap]:
    """Read one scenario file safely, without following ``extends``.

    Args:
        path: A YAML file.

    Returns:
        The document as plain dicts, lists and scalars, and the line of every key and list
        item (path tuple → 1-based line; ``()`` is the document start).

    Raises:
        ScenarioError: For a missing, oversized, non-UTF-8 or malformed file, explicit tags,
            anchors/aliases, duplicate or non-text keys, too deep nesting, or a top level that
            is not a mapping.
    """
    file = display_path(path)
    text = _read_text(path, file)
    data, lines, empty = parse_document(text, file)
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
        kind = "a list" if isinstance(data, list) else f"the value {show(data)}"
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
# Writing


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe dumper (libyaml's emitter where there is one) that never writes anchors or aliases.

    libyaml's emitter writes the shipped scenarios to the same text as PyYAML's, faster.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML writes NEL (U+0085) raw inside quotes and reads it back as a line break.
    awkward = "\x85" in text or "\u2028" in text or "\u2029" in text
    style = '"' if awkward else None
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
