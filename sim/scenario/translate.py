"""Pydantic validation errors → located problems a user can act on.

One translator for every input geosim validates: scenario files (through
:func:`sim.scenario.loader.load_scenario`), sweep specs, sweep samples, the injects of the Mesa
model and the dashboard's forms. Each pydantic error becomes a :class:`Problem` with the dotted
field path the user wrote (union tags dropped), the file and line it came from, what was
expected (bounds, allowed keys and values, types) and a hint (a close match, the syntax).
"""

from __future__ import annotations

import re
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.scenario.problems import (
    MAX_PROBLEMS,
    HintedError,
    LocatedError,
    PathKey,
    Problem,
    SourceMap,
    choices_hint,
    closest,
    dotted,
    show,
)
from sim.scenario.schema import Scenario

#: Numbers in exponent notation without a dot (``1e5``), which YAML 1.1 reads as text.
#: Numbers in exponent notation that YAML 1.1 reads as text: without a dot (``1e5``) or
#: without a sign in the exponent (``1.0e300``).
YAML_TEXT_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")


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


def _walk(loc: Sequence[str | int], root: type[BaseModel]) -> _Where:
    """Follow a pydantic error location through the schema, dropping union tags."""
    where = _Where(path=())
    tp: Any = root
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
    dot = "" if "." in mantissa else ".0"
    written = f"{mantissa}{dot}e{sign}{exponent}"
    value = float(text)
    plain = f"{_number(value)} or " if abs(value) < 1e15 and value == value else ""
    return f"YAML reads {text} as text: write {plain}{written} (with a dot and a sign)"


def _number_hint(text: str) -> str:
    """What to write instead of text where a number was expected."""
    stripped = text.strip()
    if YAML_TEXT_NUMBER.match(stripped):
        return _exponent_hint(stripped)
    try:
        float(stripped)
    except ValueError:
        return "write a plain number such as 300 or 0.25, without units, letters or commas"
    return "write the number without quotes"


def _translate_one(error: dict[str, Any], root: type[BaseModel]) -> tuple[_Where, str, str | None]:
    """Message and hint for one pydantic error, with its cleaned-up location."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    cause = ctx.get("error")
    if isinstance(cause, LocatedError):
        where = _walk(cause.loc, root)
        return where, str(cause), None
    where = _walk(error["loc"], root)
    if isinstance(cause, HintedError):
        return where, str(cause), cause.hint
    description = _describe(where)
    key = where.path[-1] if where.path else ""

    if kind == "extra_forbidden":
        allowed = list(where.model.model_fields) if where.model else []
        return where, f"unknown key {key!r}", choices_hint(key, allowed, "allowed keys")
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
            return where, "missing 'kind'", choices_hint("", allowed, "kinds")
        tag = value.get("kind") if isinstance(value, dict) else ctx.get("tag")
        if not isinstance(tag, str):
            return (
                where,
                f"'kind' must be text, got {show(tag)}",
                choices_hint("", allowed, "kinds"),
            )
        return where, f"unknown kind {show(tag)}", choices_hint(tag, allowed, "kinds")
    if kind in ("literal_error", "enum"):
        allowed = (
            [str(a) for a in get_args(where.type)]
            if get_origin(where.type) is Literal
            else re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        )
        hint = choices_hint(value, allowed, "allowed values")
        return where, f"{show(value)} is not an allowed value", hint
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
        message = f"expected {_kind_of_number(where)} {single}, got {show(value)}"
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
        dots = "." in str(ctx.get("pattern", "")).replace("\\.", "")
        allowed = "letters, digits, '_', '.' and '-'" if dots else "letters, digits, '_' and '-'"
        first = "'.' or '-'" if dots else "'-'"
        return (
            where,
            f"{show(value)} is not a valid {what}",
            f"names use {allowed} (no spaces, not starting with {first})",
        )
    if kind in _TYPE_MESSAGES:
        message = f"{_TYPE_MESSAGES[kind]}, got {show(value)}"
        hint = description
        if kind == "string_type" and isinstance(value, bool | int | float):
            hint = _STRING_QUOTE_HINT
        elif kind in ("int_type", "float_type") and isinstance(value, str):
            hint = _number_hint(value)
        elif kind == "list_type":
            hint = "write [A, B] or one '- item' per line"
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            hint = "write 'key: value' lines indented under this key"
        if kind == "int_type" and isinstance(value, float) and not value.is_integer():
            message = f"expected a whole number, got {show(value)}"
        return where, message, hint
    if kind in ("value_error", "assertion_error"):
        message = str(cause) if cause is not None else re.sub(r"^Value error, ", "", error["msg"])
        for prefix, field in _VALIDATOR_FIELDS:
            if message.startswith(prefix) and field and not where.key_error:
                where.path = (*where.path, field)
                break
        found = re.match(r"^(.*?)(?:; did you mean ('?\w+'?)\?)? \(known: (.*)\)$", message, re.S)
        if found:
            head, close, known = found.groups()
            hint = (f"did you mean {close}? " if close else "") + f"known: {known}"
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


def problems_from(
    exc: ValidationError, sources: SourceMap | None = None, root: type[BaseModel] | None = None
) -> list[Problem]:
    """Every error of a validation as a located problem, in file and line order.

    Args:
        exc: What pydantic raised.
        sources: Where each field path was written (file, line); none: the paths only.
        root: The model that was validated (default: :class:`~sim.scenario.schema.Scenario`),
            whose schema gives the expected types, bounds and allowed keys.

    Returns:
        The problems, at most :data:`~sim.scenario.problems.MAX_PROBLEMS` and a count of the
        rest.
    """
    root = Scenario if root is None else root
    sources = sources if sources is not None else SourceMap({(): ("<scenario>", None)})
    errors = []
    for error in exc.errors():
        errors.append(error)
        cause = (error.get("ctx") or {}).get("error")
        for extra in getattr(cause, "more", ()) if isinstance(cause, LocatedError) else ():
            errors.append({**error, "ctx": {**error["ctx"], "error": extra}})
    translated = [(*_translate_one(e, root), e.get("input")) for e in errors]  # type: ignore[arg-type]
    # A misspelt key gives 'unknown key' and 'missing': report the typo only.
    typos = {
        (*where.path[:-1], closest(str(where.path[-1]), list(where.model.model_fields)))
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
            message = f"expected {' or '.join(labels)}, got {show(value)}"
            hint = 'e.g. source: "SIPRI Milex 2025" or source: [fact:some_id, SIPRI Milex 2025]'
        path_text = dotted(where.path)
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


def first_problem(exc: ValidationError, root: type[BaseModel] | None = None) -> str:
    """The first problem of a validation on one line (``path: message (hint)``), for forms."""
    return problems_from(exc, root=root)[0].brief()


def unknown_null_keys(
    sources: SourceMap, data: Any = None, root: type[BaseModel] | None = None
) -> list[Problem]:
    """Keys set to null that the schema does not know (``horizn:`` with nothing after it).

    A null deletes its key (so that the default applies), which would hide a misspelt key with
    an empty value from validation; this finds them.

    Args:
        sources: Where each path was set, with the paths set to null.
        data: The merged data, whose ``kind`` keys say which member of a union a block is.
        root: The model validated (default: the scenario).
    """
    root = Scenario if root is None else root
    problems = []
    for path, (file, line) in sources.deleted.items():
        if not path or not isinstance(path[-1], str):
            continue
        container = _walk(path[:-1], root).type if len(path) > 1 else root
        allowed = _keys_of(container, _value_at(data, path[:-1]))
        if allowed is not None and path[-1] not in allowed:
            key = path[-1]
            hint = choices_hint(key, sorted(allowed, key=list(allowed).index), "allowed keys")
            problems.append(Problem(file, line, dotted(path), f"unknown key {key!r}", hint))
    return problems


def _value_at(data: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        if (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        ):
            data = data[part]
        else:
            return None
    return data


def _keys_of(tp: Any, value: Any) -> list[str] | None:
    """The keys a mapping of type ``tp`` may hold (None: any key will do)."""
    if _is_model(tp):
        return list(tp.model_fields)
    if get_origin(tp) in (Union, types.UnionType):
        members = [m for m in get_args(tp) if _is_model(m)]
        kind = value.get("kind") if isinstance(value, dict) else None
        chosen = [
            m
            for m in members
            if "kind" in m.model_fields and kind in get_args(m.model_fields["kind"].annotation)
        ]
        members = chosen or members
        if members:
            return list(dict.fromkeys(k for m in members for k in m.model_fields))
    return None
