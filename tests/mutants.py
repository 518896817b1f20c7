"""A seeded generator of broken scenario files, made from the shipped ones (for the fuzz test).

Each file is a shipped scenario (or a short child of one) with one to three mutations: a key
deleted, a value of the wrong type, an extreme or non-finite number, an unknown key at any
level (with a value or empty), a bad country code, a bad ``when:`` expression, a month far
past anything, a block of another kind, an ``extends`` chain through a parent that is not a
scenario on its own, references the file system refuses (names over 255 bytes, ``~user``, paths
through files), control characters in keys and values, and damage to the text itself
(duplicate keys, anchors and aliases, bad bytes, a cut-off file).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from sim.scenario import load_raw, shipped_scenarios
from sim.scenario.baseline import country_codes
from sim.scenario.parameters import Parameters


def _bounds() -> list[tuple[str, str, float]]:
    """Every coefficient's lowest and highest allowed value."""
    found = []
    for group, info in Parameters.model_fields.items():
        for name, field in info.annotation.model_fields.items():
            for rule in field.metadata:
                for attr in ("ge", "le", "gt", "lt"):
                    value = getattr(rule, attr, None)
                    if value is not None:
                        nudge = {"gt": 1e-9, "lt": -1e-9}.get(attr, 0.0)
                        found.append((group, name, float(value) + nudge))
    return found


BOUNDS = _bounds()
#: Country data at the edges of what a scenario may say.
COUNTRY_EDGES = {"gdp_usd_bn": [0.1, 1e6], "milex_usd_bn": [0.0, 1e5], "alignment": [-1.0, 1.0]}

EXTREME = [1e20, -1e20, 1e308, -1e308, 5e-324, 0, -1, 2**63, 2**64, 10**30, 1201, 1_000_001]
NON_FINITE = [float("inf"), float("-inf"), float("nan")]
WRONG = ["text", 3, 2.5, True, None, [1, 2], {"a": 1}, "", "1e5", "300m", "1.0e300", "yes"]
UNKNOWN_KEYS = ["horizn", "polcies", "usd_m_per_yer", "kindd", "x", "Name", "1", "source_"]
CODES = ["XXX", "usa", "CHN ", "C" * 20_000, "", "PH", "PHLL", 7]
WHEN = [
    "tension(CHN, PHL) >",
    "step >= 1e999",
    "tension(CHN) > 1",
    "foo > 1",
    "(((step > 1",
    "not not not step > 1",
    "step > 1 and",
    "escalation(CHN, PHL) >= war or alignment(ZZZ) < 0",
    "a" * 3000,
    "step > 1" + " and step > 1" * 400,
    "tension(CHN, CHN) > 0.5",
    "import os",
    "__import__('os').system('true')",
]
#: References the file system refuses: a name over 255 bytes, an unknown user, a path
#: through a file, a folder, a device.
PATHS = ["n" * 300 + ".yaml", "~nosuchuser/x.yaml", "fuzz_0000.yaml/x.yaml", ".", "/dev/null",
         "é" * 200 + ".yaml"]  # fmt: skip
#: Text that would retitle, recolour or reorder a terminal if echoed raw.
CONTROL = ["\x1b]0;pwned\x07", "\x1b[31mred", "a\x00b", "bell\x07", "\u202eevil", "\x9b2J"]
MONTH_KEYS = ("start", "end", "step", "duration", "after", "horizon")
MONTHS = [10**20, -5, 1201, 1_000_001, 2**63, 0]


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: tuple, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _pick(rng: random.Random, data: dict, want) -> tuple | None:
    found = [p for p in _paths(data) if p and want(p, _get(data, p))]
    return rng.choice(found) if found else None


def _mutate(rng: random.Random, data: dict) -> None:
    """One mutation of the plain data, in place."""
    kind = rng.randrange(13)
    if kind == 0:  # delete a key
        path = _pick(rng, data, lambda p, v: isinstance(p[-1], str))
        if path:
            del _get(data, path[:-1])[path[-1]]
    elif kind == 1:  # a value of the wrong type
        path = _pick(rng, data, lambda p, v: not isinstance(v, dict | list))
        if path:
            _set(data, path, rng.choice(WRONG))
    elif kind == 2:  # an extreme or non-finite number
        path = _pick(rng, data, lambda p, v: isinstance(v, int | float) and not isinstance(v, bool))
        if path:
            _set(data, path, rng.choice(EXTREME + NON_FINITE))
    elif kind == 3:  # an unknown key, with a value or empty
        path = _pick(rng, data, lambda p, v: isinstance(v, dict)) or ()
        _get(data, path)[rng.choice(UNKNOWN_KEYS)] = rng.choice([None, 1, "x", {}])
    elif kind == 4:  # a bad country code
        path = _pick(rng, data, lambda p, v: isinstance(v, str) and len(v) == 3 and v.isupper())
        if path:
            _set(data, path, rng.choice(CODES))
    elif kind == 5:  # a bad condition
        events = data.setdefault("events", {}) if isinstance(data.get("events", {}), dict) else {}
        events[f"fuzz_{rng.randrange(100)}"] = {
            "kind": "tension_shock",
            "when": rng.choice(WHEN),
            "actors": ["CHN", "PHL"],
            "delta": 0.1,
        }
    elif kind == 6:  # a month far past anything
        path = _pick(rng, data, lambda p, v: p[-1] in MONTH_KEYS)
        if path:
            _set(data, path, rng.choice(MONTHS))
        else:
            data["horizon"] = rng.choice(MONTHS)
    elif kind == 7:  # a block of another kind
        path = _pick(rng, data, lambda p, v: p[-1] == "kind")
        if path:
            _set(data, path, rng.choice(["incident", "task_force", "ceasefire", "policy", "nope"]))
    elif kind == 8:  # a policy's numbers pushed to its bounds
        path = _pick(rng, data, lambda p, v: p[-1] in ("usd_m_per_year", "per_year", "level"))
        if path:
            _set(data, path, rng.choice([1e5, 1e6 + 1, 365, 366, 1.0, 1.0000001]))
    elif kind == 9:  # coefficients at the edges of their ranges (valid, extreme)
        groups = data.setdefault("parameters", {})
        if isinstance(groups, dict):
            for group, name, value in rng.sample(BOUNDS, 6):
                if isinstance(groups.setdefault(group, {}), dict):
                    groups[group][name] = value
    elif kind == 11:  # a path the file system refuses
        data["extends"] = rng.choice(PATHS)
    elif kind == 12:  # control characters in a key or a value the messages echo
        path = _pick(rng, data, lambda p, v: isinstance(v, dict)) or ()
        key = rng.choice(CONTROL)
        _get(data, path)[key] = rng.choice([1, key, None])
        if rng.random() < 0.5:
            data["name"] = f"x{rng.choice(CONTROL)}"
    else:  # a country's data at the edges (valid, extreme)
        countries = data.setdefault("countries", {})
        if isinstance(countries, dict):
            code = rng.choice(country_codes())
            key = rng.choice(sorted(COUNTRY_EDGES))
            entry = countries.setdefault(code, {})
            if isinstance(entry, dict):
                entry[key] = rng.choice(COUNTRY_EDGES[key])


def _damage_text(rng: random.Random, text: str) -> str | bytes:
    """Damage to the text of a file."""
    lines = text.splitlines(keepends=True)
    kind = rng.randrange(5)
    if kind == 0 and len(lines) > 1:  # a duplicate key
        i = rng.randrange(1, len(lines))
        return "".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
    if kind == 1:  # anchors and aliases
        return text.replace("horizon:", "horizon: &h", 1) + "seed: *h\n"
    if kind == 2:  # bad bytes
        raw = text.encode()
        at = rng.randrange(len(raw) + 1)
        return raw[:at] + rng.choice([b"\xff\xfe", b"\x00", b"\xc2\x85", b"\t", b"\x1b"]) + raw[at:]
    if kind == 3:  # a file cut off
        return text[: rng.randrange(len(text) + 1)]
    return text.replace("\n", "\n\t", 1)  # a tab in the indentation


def generate(folder: Path, count: int, seed: int = 14) -> list[Path]:
    """Write ``count`` mutated scenario files into ``folder``; return their paths."""
    rng = random.Random(seed)
    shipped = {name: load_raw(path)[0] for name, path in shipped_scenarios().items()}
    names = sorted(shipped)
    files = []
    for i in range(count):
        base = rng.choice(names)
        if rng.random() < 0.5:
            data: dict = {"name": f"fuzz_{i}", "extends": base, "horizon": rng.choice([6, 12])}
        else:
            data = yaml.safe_load(yaml.safe_dump(shipped[base]))  # a deep copy
            data["name"] = f"fuzz_{i}"
            data.pop("extends", None) if rng.random() < 0.2 else None
        if rng.random() < 0.12:  # a parent that is not a scenario on its own
            parent = folder / f"mixin_{i}.yaml"
            mixin: dict[str, Any] = {"description": "a shared mixin"}
            if rng.random() < 0.5:
                mixin["events"] = {
                    "cut": {"kind": "set_commitment", "step": 1, "alliance": "child_pact",
                            "value": 0.5}
                }  # fmt: skip
                data["alliances"] = {"child_pact": {"type": "minilateral",
                                                    "members": ["USA", "JPN"]}}  # fmt: skip
            else:
                aid = {"kind": "security_assistance", "actor": "USA", "partners": ["PHL"]}
                mixin["policies"] = {"aid": {**aid, "usd_m_per_year": 100}}
            if rng.random() < 0.3:
                mixin["extends"] = base
            parent.write_text(yaml.safe_dump(mixin), encoding="utf-8")
            data["extends"] = parent.name
        for _ in range(rng.randint(1, 3)):
            _mutate(rng, data)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        content: str | bytes = _damage_text(rng, text) if rng.random() < 0.15 else text
        path = folder / f"fuzz_{i:04d}.yaml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        files.append(path)
    return files
