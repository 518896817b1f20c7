"""Citations: what a ``source`` string may say, and a check that every shipped one resolves.

A source is one text or a list of texts; each text is one citation or several joined by
``"; "`` (at the top level, outside brackets). Each citation takes one of these forms, after an
optional scope that says which countries or figures it covers (``PRK: ``, ``THA, KHM: ``,
``GDP: ``, ``milex: ``, ``trade: ``; the country codes must be in ``seeds/countries.csv``):

- ``fact:<id>``: a seed fact; ``<id>`` is a key under ``facts:`` in ``seeds/facts.yaml``.
- ``<file>:<column>`` or ``<file> column <column>``: a shipped seed file (in ``seeds/``) and a
  column of its header (CSV) or a dotted key path (YAML), e.g. ``countries.csv:scs_claimant``.
- a seed article by its file name, as listed under ``sources:`` in ``seeds/facts.yaml``.
- a named dataset (one of :data:`DATASETS`) with a four-digit year, its release or the year of
  its values, e.g. ``SIPRI Milex 2025``, ``ATOP v5.1 2018 (defence pledge since 1951)``.
- a work of the literature listed in ``docs/model.md`` (:data:`LITERATURE`), e.g. ``Walt 1987``.
- ``judgement: <reason>``: a modelling choice that no source fixes, with its reason.
- ``background: <event or document, with its year>``: public knowledge that the project could
  not check at source; it must carry the word ``recalled``.
- ``calibrated (<what was fitted, with its years>): ...``: a coefficient fitted by
  ``geosim calibrate`` and stored in ``seeds/calibration.yaml``.

A trailing remark in brackets may follow a fact, a file column or a literature work. Whatever
the form, every ``fact:<id>`` written anywhere in the text must exist, every file named in it
must be shipped (a seed file or a seed article), and a citation that calls itself general
knowledge must say ``recalled``. Free text (a judgement, a background, a calibration) runs to
the end of the citation, semicolons included, unless a new citation starts after ``"; "``.

:func:`check_citation` checks one text; :func:`shipped_sources` collects every source string
the project ships, each with where it is written, and :func:`unresolved` lists those that do
not resolve.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.aliases import alias_hint
from sim.scenario.baseline import COLUMN_SOURCES
from sim.scenario.parameters import Parameters, provenance
from sim.scenario.problems import PathKey, Problem, SourceMap, closest, dotted, shorten
from sim.scenario.resources import decks_dir, scenarios_dir, seeds_dir, sweeps_dir
from sim.scenario.yaml_io import read_file

#: Datasets a citation may name, as ``(name, pattern)``; the pattern matches at its start.
DATASETS: tuple[tuple[str, str], ...] = (
    ("SIPRI Military Expenditure Database", r"SIPRI (?:Milex|Military Expenditure Database)"),
    ("SIPRI Yearbook", r"SIPRI Yearbook"),
    ("World Bank WDI", r"World Bank WDI"),
    ("IMF WEO", r"IMF WEO"),
    ("ATOP", r"ATOP(?: v\d+(?:\.\d+)*)?"),
    ("COW", r"COW(?: [A-Z][A-Za-z ]*?)? v\d+(?:\.\d+)*"),
    ("Voeten UNGA ideal points", r"Voeten UNGA ideal points"),
    ("IISS Military Balance", r"IISS Military Balance"),
    ("WMEAT", r"(?:US State Dept )?WMEAT"),
    ("Bank of Korea", r"Bank of Korea"),
    ("KOTRA", r"KOTRA"),
    ("National customs data", r"[Nn]ational customs data"),
    ("DGBAS", r"DGBAS"),
    ("UCDP", r"UCDP"),
    ("MID", r"MID"),
    ("ICB", r"ICB"),
)
#: Works of the literature a citation may name (author and year, as in docs/model.md).
LITERATURE: tuple[str, ...] = (
    "Richardson 1960",
    "Walt 1987",
    "Snyder 1984",
    "Jervis 1978",
    "Olson & Zeckhauser 1966",
    "Boulding 1962",
    "Kahn 1965",
    "Schelling 1966",
    "Fearon 1995",
    "Bailey, Strezhnev & Voeten 2017",
)
#: Scope labels other than country codes (``GDP: World Bank WDI 2015``); the last four label
#: the columns of ``seeds/trajectories.csv``.
SCOPE_LABELS = ("GDP", "milex", "trade", "growth", "target", "record", "regional share")

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_RECALLED = re.compile(r"\brecalled\b", re.IGNORECASE)
_UNCHECKED = re.compile(r"general knowledge|not in the seeds", re.IGNORECASE)
_FACT_TOKEN = re.compile(r"\bfact:([A-Za-z0-9_]*)")
_FILE_TOKEN = re.compile(r"[\w.-]+\.(?:csv|md|ya?ml|txt|dta|json|xlsx?|rda)\b")
_SCOPE = re.compile(
    r"^(?P<scope>(?:[A-Z]{3}|" + "|".join(SCOPE_LABELS) + r")(?:(?:, | and )[A-Z]{3})*):\s+"
)
_FACT = re.compile(r"^fact:(?P<id>[A-Za-z0-9_]*)(?P<tail>.*)$", re.DOTALL)
_FILE = re.compile(
    r"^(?P<file>[\w.-]+\.(?:csv|ya?ml))(?::| column )(?P<key>[\w.]+)(?P<tail>.*)$", re.DOTALL
)
_DATASET = re.compile(r"^(?:" + "|".join(p for _, p in DATASETS) + r")\b")
_CALIBRATED = re.compile(r"^calibrated \([^)]*(?:19|20)\d\d[–-](?:19|20)\d\d[^)]*\): \S")
_FREE_TEXT = ("judgement", "background", "calibrated")


@dataclass(frozen=True)
class Registry:
    """What citations resolve against: the shipped seed facts, articles, files and countries.

    Attributes:
        facts: Ids of the seed facts.
        articles: File names of the seed articles.
        files: Shipped seed file name → its columns (CSV header) or its data (YAML).
        countries: ISO3 codes of the baseline countries.
    """

    facts: frozenset[str]
    articles: frozenset[str]
    files: dict[str, Any]
    countries: frozenset[str]


def registry_of(folder: Path) -> Registry:
    """Read what citations resolve against from a seeds folder.

    Args:
        folder: A folder laid out as ``seeds/`` (``facts.yaml``, the CSV tables).

    Returns:
        The registry of that folder.
    """
    files: dict[str, Any] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as fh:
                files[path.name] = tuple(next(csv.reader(fh), []))
        elif path.suffix in (".yaml", ".yml"):
            files[path.name] = yaml.safe_load(path.read_text(encoding="utf-8"))
    facts = files.get("facts.yaml") or {}
    codes: frozenset[str] = frozenset()
    if "countries.csv" in files:
        with (folder / "countries.csv").open(newline="", encoding="utf-8") as fh:
            codes = frozenset(row["iso3"] for row in csv.DictReader(fh))
    return Registry(
        facts=frozenset(facts.get("facts") or {}),
        articles=frozenset(facts.get("sources") or {}),
        files=files,
        countries=codes,
    )


@cache
def shipped_registry() -> Registry:
    """The registry of the shipped ``seeds/`` folder."""
    return registry_of(seeds_dir())


# --------------------------------------------------------------------------------------------
# One citation


def _split(text: str) -> list[str]:
    """Split at ``"; "`` outside brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0 and text[i + 1 : i + 2] == " ":
            parts.append(text[start:i])
            start = i + 2
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _literature(text: str) -> str | None:
    return next((w for w in LITERATURE if text == w or text.startswith(w + " (")), None)


def _kind(text: str, reg: Registry) -> str | None:
    """The form a citation (scope removed) takes, or None when it takes none."""
    checks = (
        ("fact", text.startswith("fact:")),
        ("judgement", text.startswith("judgement:")),
        ("background", text.startswith("background:")),
        ("calibrated", text.startswith("calibrated (")),
        ("file", _FILE.match(text) is not None),
        ("article", text in reg.articles),
        ("literature", _literature(text) is not None),
        ("dataset", _DATASET.match(text) is not None),
    )
    return next((kind for kind, hit in checks if hit), None)


def _scoped(text: str, reg: Registry) -> tuple[str, list[str]]:
    """Remove a leading scope; return the rest and the scope's problems."""
    match = _SCOPE.match(text)
    if match is None:
        return text, []
    words = re.split(r", | and ", match["scope"])
    unknown = [w for w in words if w not in SCOPE_LABELS and w not in reg.countries]
    problems = []
    for word in unknown:
        alias = alias_hint(word)  # ROK: South Korea's code, not the closest spelling's
        hint = f" ({alias})" if alias else ""
        problems.append(f"unknown country code {word!r} in the scope {match['scope']!r}{hint}")
    return text[match.end() :], problems


def _tail_problem(tail: str, what: str) -> list[str]:
    tail = tail.strip()
    if not tail or (tail.startswith("(") and tail.endswith(")")):
        return []
    return [f"unexpected text after {what}: {tail!r} (a remark goes in brackets)"]


def _key_problem(file: str, key: str, reg: Registry) -> list[str]:
    content = reg.files[file]
    if isinstance(content, tuple):  # a CSV header
        if key in content:
            return []
        return [f"{file} has no column {key!r} (columns: {', '.join(content)})"]
    return [] if _has_path(content, key.split(".")) else [f"{file} has no key {key!r}"]


def _has_path(node: Any, parts: list[str]) -> bool:
    """Whether a dotted path leads somewhere; keys may hold dots (``alignment.rate``)."""
    if not parts:
        return True
    if not isinstance(node, dict):
        return False
    for i in range(len(parts), 0, -1):
        key = ".".join(parts[:i])
        if key in node and _has_path(node[key], parts[i:]):
            return True
    return False


def _one(kind: str, text: str, reg: Registry) -> list[str]:
    """Problems of one citation of a known form (scope removed)."""
    if kind == "fact":
        match = _FACT.match(text)
        assert match is not None
        return _tail_problem(match["tail"], f"fact:{match['id']}")  # the id: see _anywhere
    if kind == "judgement":
        reason = text.removeprefix("judgement:").strip()
        return [] if reason else ["a judgement without its reason"]
    if kind == "background":
        found = []
        if not _YEAR.search(text):
            found.append(f"a background without a year: {text!r}")
        if not _RECALLED.search(text):
            found.append(f"a background is not checked at source and must say 'recalled': {text!r}")
        return found
    if kind == "calibrated":
        found = [] if _CALIBRATED.match(text) else [f"malformed calibration: {text!r}"]
        if "calibration.yaml" not in reg.files:
            found.append("a calibrated coefficient, but seeds/calibration.yaml is not shipped")
        return found
    if kind == "file":
        match = _FILE.match(text)
        assert match is not None
        if match["file"] not in reg.files:
            return []  # reported by _anywhere, as every file a text names
        return [
            *_key_problem(match["file"], match["key"], reg),
            *_tail_problem(match["tail"], f"{match['file']}:{match['key']}"),
        ]
    if kind == "dataset":
        return [] if _YEAR.search(text) else [f"a dataset without a year: {text!r}"]
    return []  # an article or a work of the literature: matched exactly


def unknown_facts(text: str, registry: Registry | None = None) -> list[str]:
    """The ids of the seed facts a text cites (``fact:<id>`` anywhere in it) that do not exist.

    Args:
        text: A source text.
        registry: What to resolve against; default: the shipped seeds.
    """
    reg = registry if registry is not None else shipped_registry()
    return [fid for fid in _FACT_TOKEN.findall(text) if fid not in reg.facts]


def fact_problems(data: Any, sources: SourceMap, registry: Registry | None = None) -> list[Problem]:
    """A located problem for every seed fact cited in a ``source`` of ``data`` that does not exist.

    A misspelt ``fact:`` id would otherwise pass as a citation that resolves to nothing; the
    rest of a source is free text, which only the shipped files must write in the citation
    grammar (:func:`unresolved`).

    Args:
        data: Plain data of a scenario or a deck (a ``source`` at any depth).
        sources: Where each field path was written.
        registry: What to resolve against; default: the shipped seeds.

    Returns:
        The problems: file, line, the source's field path, the unknown id and the closest.
    """
    reg = registry if registry is not None else shipped_registry()
    problems = []
    for where, text in find_sources(data):
        for fid in unknown_facts(text, reg) if isinstance(text, str) else []:
            close = closest(fid, sorted(reg.facts)) if fid else None
            listing = "a fact's id is its key under facts: in seeds/facts.yaml"
            hint = f"did you mean 'fact:{close}'? {listing}" if close else listing
            file, line = sources.locate(where)
            message = f"unknown seed fact {'fact:' + shorten(fid, 60)!r}"
            problems.append(Problem(file, line, dotted(where), message, hint))
    return problems


def _anywhere(text: str, reg: Registry) -> list[str]:
    """Problems of fact ids and file names written anywhere in a text."""
    found = [
        f"no seed fact {'fact:' + fid!r} in seeds/facts.yaml" for fid in unknown_facts(text, reg)
    ]
    found += [
        f"{name} is not a shipped seed file or seed article"
        for name in _FILE_TOKEN.findall(text)
        if name not in reg.files and name not in reg.articles
    ]
    return found


def check_citation(text: str, registry: Registry | None = None) -> list[str]:
    """Check one source text against the citation grammar (see the module's docstring).

    Args:
        text: One source text (one element of a ``source:`` list).
        registry: What to resolve against; default: the shipped seeds.

    Returns:
        The problems found, in words; empty when the text resolves.
    """
    reg = registry if registry is not None else shipped_registry()
    if not isinstance(text, str) or not text.strip():
        return [f"an empty or non-text source: {text!r}"]
    citations: list[tuple[str | None, str, list[str]]] = []  # (kind, text, scope problems)
    for part in _split(text.strip()):
        rest, scope_problems = _scoped(part, reg)
        kind = _kind(rest, reg)
        if kind is None and not scope_problems and citations and citations[-1][0] in _FREE_TEXT:
            last_kind, last_text, last_problems = citations[-1]
            citations[-1] = (last_kind, f"{last_text}; {part}", last_problems)
            continue
        citations.append((kind, rest, scope_problems))
    problems = []
    for kind, rest, scope_problems in citations:
        problems += scope_problems
        if kind is None:
            problems.append(f"not a recognised citation: {rest!r}")
            continue
        problems += _one(kind, rest, reg)
        if _UNCHECKED.search(rest) and not _RECALLED.search(rest):
            problems.append(f"general knowledge must say 'recalled': {rest!r}")
    return problems + _anywhere(text, reg)


# --------------------------------------------------------------------------------------------
# Every shipped source


@dataclass(frozen=True)
class Cited:
    """A source text and where it is written.

    Attributes:
        origin: File (and line) and field, e.g. ``scenarios/hub_and_spoke.yaml:58 alliances.x``.
        text: The source text.
    """

    origin: str
    text: str


def find_sources(data: Any, prefix: PathKey = ()) -> Iterator[tuple[PathKey, Any]]:
    """Every ``source`` value under ``data``, one per text, with its path.

    Args:
        data: Plain YAML data (mappings, lists, scalars).
        prefix: Path of ``data`` itself.

    Yields:
        ``(path, text)``: path of the text (``(..., "source")`` or ``(..., "source", i)``).
    """
    if isinstance(data, dict):
        for key, value in data.items():
            path = (*prefix, key)
            if key == "source":
                if isinstance(value, list):
                    yield from (((*path, i), item) for i, item in enumerate(value))
                else:
                    yield path, value
            else:
                yield from find_sources(value, path)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from find_sources(item, (*prefix, i))


def _scenario_sources() -> Iterator[Cited]:
    folders = [("scenarios", scenarios_dir()), ("scenarios/sweeps", sweeps_dir())]
    for shown, folder in folders:
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            data, lines = read_file(path)
            for where, text in find_sources(data):
                line = lines.get(where)
                at = f"{shown}/{path.name}:{line}" if line else f"{shown}/{path.name}"
                yield Cited(f"{at} {dotted(where)}", text)


def _deck_sources() -> Iterator[Cited]:
    """The ``source`` of every card of the shipped inject decks (YAML at any depth, CSV column)."""
    folder = decks_dir()
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        shown = f"scenarios/decks/{path.name}"
        if path.suffix in (".yaml", ".yml"):
            data, lines = read_file(path)
            for where, text in find_sources(data):
                at = f"{shown}:{lines[where]}" if where in lines else shown
                yield Cited(f"{at} {dotted(where)}", text)
        elif path.suffix == ".csv":
            rows = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
            notes = next((i for i, text in enumerate(rows) if not text.startswith("#")), len(rows))
            reader = csv.DictReader(rows[notes:])
            for row in reader:
                if row.get("source") is not None:
                    yield Cited(f"{shown}:{notes + reader.line_num} source", row["source"])


def _seed_sources() -> Iterator[Cited]:
    folder = seeds_dir()
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for number, row in enumerate(csv.DictReader(fh), start=2):
                if "source" in row:
                    yield Cited(f"seeds/{path.name}:{number} source", row["source"])
    facts = yaml.safe_load((folder / "facts.yaml").read_text(encoding="utf-8")) or {}
    for fid, fact in (facts.get("facts") or {}).items():
        yield Cited(f"seeds/facts.yaml facts.{fid}.source", fact.get("source"))
        for i, other in enumerate(fact.get("also_in") or []):
            yield Cited(f"seeds/facts.yaml facts.{fid}.also_in[{i}]", other)


def _code_sources() -> Iterator[Cited]:
    for column, text in COLUMN_SOURCES.items():
        yield Cited(f"sim/scenario/baseline.py COLUMN_SOURCES[{column!r}]", text)
    for row in provenance(Parameters()):
        if not row["free"]:
            yield Cited(f"sim/scenario/parameters.py {row['path']}", row["source"])


def shipped_sources() -> list[Cited]:
    """Every source string the project ships, with where it is written.

    Covers the ``source`` fields of the shipped scenarios and sweeps (at any depth: alliances,
    policies, events, their nested policies, country overrides), the cards of the shipped inject
    decks, the ``source`` column of the seed tables, the article of every seed fact, the column
    citations of the country baseline and the sources of the model coefficients (calibrated ones
    included, free ones have none).
    """
    return [*_scenario_sources(), *_deck_sources(), *_seed_sources(), *_code_sources()]


def unresolved(cited: list[Cited] | None = None) -> list[tuple[Cited, list[str]]]:
    """The source strings that do not resolve, each with its problems.

    Args:
        cited: The strings to check; default: :func:`shipped_sources`.
    """
    found = []
    for item in shipped_sources() if cited is None else cited:
        problems = check_citation(item.text)
        if problems:
            found.append((item, problems))
    return found
