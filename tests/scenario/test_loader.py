"""The loader: finding files, extends, --set, and property-based tests of the whole pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_files import BASE, error_of, line_of, only, write

from sim.scenario import Scenario, loader
from sim.scenario.baseline import country_codes
from sim.scenario.loader import (
    load_raw,
    load_scenario,
    resolve,
    resolve_reference,
    shipped_scenarios,
)
from sim.scenario.parameters import Parameters
from sim.scenario.problems import ScenarioError
from sim.scenario.yaml_io import scenario_to_yaml

# --------------------------------------------------------------------------------------------
# A valid file


def test_valid_file_loads(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "base.yaml", BASE))
    assert isinstance(scenario, Scenario)
    assert scenario.name == "base"
    assert scenario.policies["us_phl"].usd_m_per_year == 500
    assert scenario.countries["PHL"].alignment == 0.4


def test_load_raw_reports_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "base.yaml", BASE)
    data, lines = load_raw(path)
    assert data["policies"]["us_phl"]["actor"] == "USA"
    assert lines[("policies", "us_phl", "usd_m_per_year")] == line_of(path, "usd_m_per_year")
    assert lines[("alliances", "quad", "members", 2)] == line_of(path, "members")


# --------------------------------------------------------------------------------------------
# Shipped names and references


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "shipped"
    folder.mkdir()
    write(folder, "hub_and_spoke.yaml", BASE.replace("name: base", "name: hub_and_spoke"))
    write(folder, "quad_plus.yaml", BASE.replace("name: base", "name: quad_plus"))
    monkeypatch.setattr(loader, "scenarios_dir", lambda: folder)
    return folder


def test_shipped_scenarios_and_names(shipped: Path) -> None:
    assert list(shipped_scenarios()) == ["hub_and_spoke", "quad_plus"]
    assert resolve_reference("hub_and_spoke", None) == shipped / "hub_and_spoke.yaml"
    assert load_scenario("quad_plus").name == "quad_plus"


def test_unknown_shipped_name_suggests(shipped: Path) -> None:
    problem = only(error_of("hub_and_spok"))
    assert "did you mean 'hub_and_spoke'" in (problem.hint or "")
    assert "quad_plus" in (problem.hint or "")


def test_real_shipped_scenarios_load() -> None:
    for name in shipped_scenarios():
        scenario = load_scenario(name)
        assert load_scenario(name).model_dump() == scenario.model_dump()


# --------------------------------------------------------------------------------------------
# extends


def test_extends_merges_child_over_parent(tmp_path: Path, shipped: Path) -> None:
    write(tmp_path, "mid.yaml", "name: mid\nextends: hub_and_spoke\nseed: 99\nhorizon: 48\n")
    child = write(
        tmp_path,
        "child.yaml",
        """\
        name: child
        extends: mid.yaml
        horizon: 36
        policies:
          us_vnm: null
          us_phl:
            usd_m_per_year: 900
        """,
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.extends == "mid.yaml"
    assert scenario.horizon == 36  # child overrides parent
    assert scenario.seed == 99  # parent survives
    assert scenario.description == "A small base scenario"  # inherited from grandparent
    assert set(scenario.policies) == {"us_phl"}  # null deletes
    assert scenario.policies["us_phl"].usd_m_per_year == 900  # deep merge ...
    assert scenario.policies["us_phl"].partners == ["PHL"]  # ... keeps siblings
    assert scenario.alliances["quad"].members == ["USA", "JPN", "IND", "AUS"]
    assert "shoal" in scenario.events

    _, sources = resolve(child)
    assert sources[("horizon",)] == (sources[("horizon",)][0], 3)
    assert sources[("horizon",)][0].endswith("child.yaml")
    assert sources[("seed",)][0].endswith("mid.yaml")
    assert sources[("policies", "us_phl", "actor")][0].endswith("hub_and_spoke.yaml")
    assert ("policies", "us_vnm") not in sources


def test_lists_replace(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "c.yaml",
        "name: c\nextends: base.yaml\nalliances:\n  quad:\n    members: [USA, JPN]\n",
    )
    assert load_scenario(child).alliances["quad"].members == ["USA", "JPN"]


def test_child_needs_its_own_name(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "c.yaml", "extends: base.yaml\nhorizon: 12\n")
    assert only(error_of(child)).path == "name"


def test_error_in_inherited_value_points_at_parent(tmp_path: Path) -> None:
    parent = write(tmp_path, "base.yaml", BASE.replace("step: 12", "step: 50"))
    child = write(tmp_path, "c.yaml", "name: c\nextends: base.yaml\nhorizon: 24\n")
    problem = only(error_of(child))
    assert problem.path == "events.shoal.step"
    assert problem.file.endswith("base.yaml")
    assert problem.line == line_of(parent, "step: 50")


def test_extends_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "name: a\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "name: b\nextends: a.yaml\n")
    problem = only(error_of(tmp_path / "a.yaml"))
    assert problem.path == "extends"
    assert problem.file.endswith("b.yaml") and problem.line == 2
    assert "a.yaml extends" in problem.message and "b.yaml extends" in problem.message


def test_extends_itself(tmp_path: Path) -> None:
    path = write(tmp_path, "self.yaml", "name: s\nextends: self.yaml\n")
    assert "circle" in only(error_of(path)).message


def test_missing_parent(tmp_path: Path, shipped: Path) -> None:
    path = write(tmp_path, "orphan.yaml", "name: o\nhorizon: 10\nextends: hub_and_spook\n")
    problem = only(error_of(path))
    assert (problem.path, problem.line) == ("extends", 3)
    assert "orphan.yaml" in problem.file
    assert "did you mean 'hub_and_spoke'" in (problem.hint or "")
    path = write(tmp_path, "orphan2.yaml", "name: o\nextends: ./bse.yaml\n")
    write(tmp_path, "base.yaml", BASE)
    assert "base.yaml" in (only(error_of(path)).hint or "")


def test_extends_must_be_text(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", "name: e\nextends: [a, b]\n")
    assert (only(error_of(path)).path, only(error_of(path)).line) == ("extends", 2)


def test_extends_too_deep(tmp_path: Path) -> None:
    write(tmp_path, "s0.yaml", "name: s0\n")
    for i in range(1, 23):
        write(tmp_path, f"s{i}.yaml", f"name: s{i}\nextends: s{i - 1}.yaml\n")
    assert load_scenario(tmp_path / "s20.yaml").name == "s20"
    assert "longer than 20" in only(error_of(tmp_path / "s22.yaml")).message


def test_relative_parent_resolves_against_the_child(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path / "sub", "c.yaml", "name: c\nextends: ../base.yaml\n")
    assert load_scenario(child).horizon == 60


# --------------------------------------------------------------------------------------------
# --set


def test_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "base.yaml", BASE)
    scenario = load_scenario(
        path,
        [
            "horizon=90",
            "parameters.arms.fatigue=0.3",
            "policies.us_phl.start=12",
            "alliances.quad.members=[USA, JPN]",
            "policies.us_vnm=null",
            "description=",
        ],
    )
    assert scenario.horizon == 90
    assert scenario.parameters.arms.fatigue == 0.3
    assert scenario.policies["us_phl"].start == 12
    assert scenario.alliances["quad"].members == ["USA", "JPN"]
    assert "us_vnm" not in scenario.policies
    assert scenario.description == ""
    _, sources = resolve(path, ["parameters.arms.fatigue=0.3"])
    assert sources[("parameters", "arms", "fatigue")] == ("--set", None)


@pytest.mark.parametrize(
    "override",
    ["horizon", "a..b=1", "=3", "policies.us_phl.actor.name=x", "horizon=[1", "horizon=!!int 3"],
)
def test_bad_overrides_are_attributed_to_set(tmp_path: Path, override: str) -> None:
    problem = only(error_of(write(tmp_path, "base.yaml", BASE), (override,)))
    assert problem.file == "--set"
    assert problem.format().startswith("--set: ")


def test_override_with_invalid_value(tmp_path: Path) -> None:
    path = write(tmp_path, "base.yaml", BASE)
    problem = only(error_of(path, ("parameters.arms.fatigue=-1",)))
    assert (problem.file, problem.line, problem.path) == ("--set", None, "parameters.arms.fatigue")
    problem = only(error_of(path, ("parameters.arms.fatgue=1",)))
    assert problem.file == "--set"
    assert "'fatigue'" in (problem.hint or "")
    problem = only(error_of(path, ("horizon=6",)))  # the event at month 12 is now too late
    assert problem.path == "events.shoal.step"
    assert problem.file.endswith("base.yaml")


# --------------------------------------------------------------------------------------------
# Property-based tests

FAST = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CODES = list(country_codes())
TOP_KEYS = list(Scenario.model_fields)
SOME_KEYS = [
    *TOP_KEYS,
    "kind",
    "actor",
    "partners",
    "usd_m_per_year",
    "step",
    "when",
    "type",
    "members",
    "arms",
    "fatigue",
    *CODES[:4],
    "security_assistance",
]


class NoAliasDumper(yaml.SafeDumper):
    """yaml.safe_dump writes anchors for shared objects; scenario files may not have them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML writes NEL (U+0085) raw and reads it back as a line break: double-quote it.
    style = '"' if "\x85" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


NoAliasDumper.add_representer(str, _represent_str)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=NoAliasDumper, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hypothesis")


def load_or_error(path: Path) -> Scenario | ScenarioError:
    """Load, returning the ScenarioError instead of raising it (anything else propagates)."""
    try:
        return load_scenario(path)
    except ScenarioError as err:
        return err


def check_outcome(result: Scenario | ScenarioError, path: Path) -> None:
    assert isinstance(result, Scenario | ScenarioError)
    if isinstance(result, ScenarioError):
        assert result.problems
        assert str(result)
        for problem in result.problems:
            assert path.name in problem.file


@FAST
@given(text=st.text(st.characters(codec="utf-8"), max_size=300))
def test_arbitrary_text_never_crashes(scratch: Path, text: str) -> None:
    path = scratch / "text.yaml"
    path.write_bytes(text.encode("utf-8"))
    check_outcome(load_or_error(path), path)


scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from([*CODES, "security_assistance", "incident", "minilateral", "x"])
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(SOME_KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)


@FAST
@given(
    doc=st.dictionaries(st.sampled_from(TOP_KEYS) | st.text(max_size=6), documents, max_size=6)
    | documents
)
def test_arbitrary_documents_never_crash(scratch: Path, doc: Any) -> None:
    path = scratch / "doc.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    check_outcome(load_or_error(path), path)


shares = st.floats(0, 1)
names = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_\-]{0,12}", fullmatch=True)
sources = st.sampled_from(["SIPRI Milex 2025", "fact:asean_member_count", ["a", "b"], ""])

MAGNITUDES: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "security_assistance": {"usd_m_per_year": st.floats(0, 1e5)},
    "economic_inducement": {"usd_m_per_year": st.floats(0, 1e6)},
    "exercises": {"per_year": st.floats(0, 365)},
    "task_force": {},
    "trade_agreement": {"trade_share_delta": st.floats(0, 0.5, exclude_min=True)},
    "civil_nuclear": {},
    "forward_presence": {"level": shares},
    "deconfliction_channel": {},
    "gray_zone_coercion": {"intensity": shares},
    "ceasefire": {},
    "dialogue": {},
    "arms_transfer": {},
}
OPTIONAL_SHARE = {
    "task_force": "commitment",
    "civil_nuclear": "strength",
    "deconfliction_channel": "strength",
    "ceasefire": "strength",
    "dialogue": "strength",
}


@st.composite
def policies(draw: st.DrawFn, horizon: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(MAGNITUDES)))
    actor = draw(st.sampled_from(CODES))
    partners = draw(
        st.lists(st.sampled_from([c for c in CODES if c != actor]), min_size=1, max_size=3)
    )
    policy: dict[str, Any] = {"kind": kind, "actor": actor, "partners": sorted(set(partners))}
    start = draw(st.integers(0, horizon))
    if draw(st.booleans()):
        policy["start"] = start
    else:
        start = 0
    if draw(st.booleans()):
        policy["end"] = draw(st.integers(start + 1, start + 240))
    for key, strategy in MAGNITUDES[kind].items():
        policy[key] = draw(strategy)
    if kind in OPTIONAL_SHARE and draw(st.booleans()):
        policy[OPTIONAL_SHARE[kind]] = draw(shares)
    if kind == "arms_transfer":
        policy["deliveries"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "after": st.integers(0, horizon - start),
                        "value_usd_m": st.floats(0, 1e5, exclude_min=True),
                    },
                    optional={"item": st.text(max_size=10)},
                ),
                min_size=1,
                max_size=3,
            )
        )
    if draw(st.booleans()):
        policy["source"] = draw(sources)
    return policy


@st.composite
def alliances(draw: st.DrawFn, horizon: int) -> dict[str, Any]:
    members = draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=5, unique=True))
    alliance: dict[str, Any] = {
        "type": draw(
            st.sampled_from(
                [
                    "bilateral_treaty",
                    "collective_defence",
                    "minilateral",
                    "partnership",
                    "task_force",
                ]
            )
        ),
        "members": members,
    }
    if draw(st.booleans()):
        alliance["hub"] = draw(st.sampled_from(members))
    for key in ("commitment", "interoperability", "credibility"):
        if draw(st.booleans()):
            alliance[key] = draw(shares)
    start = draw(st.integers(0, horizon))
    if start:
        alliance["start"] = start
    if draw(st.booleans()):
        alliance["end"] = draw(st.integers(start + 1, start + 500))
    return alliance


CONDITIONS = [
    "tension(CHN, PHL) > 0.6",
    "escalation(CHN, PHL) >= clash or us_credibility < 0.4",
    "not (step < 12) and alignment(VNM) > 0",
    "regional_tension >= 0.5",
]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    horizon = draw(st.integers(1, 240))
    data: dict[str, Any] = {"name": draw(names), "horizon": horizon}
    if draw(st.booleans()):
        data["seed"] = draw(st.integers(0, 2**63 - 1))
    if draw(st.booleans()):
        data["description"] = draw(st.text(max_size=40))
    data["countries"] = draw(
        st.dictionaries(
            st.sampled_from(CODES),
            st.fixed_dictionaries(
                {},
                optional={
                    "gdp_usd_bn": st.floats(0.1, 1e5),
                    "milex_usd_bn": st.floats(0.01, 2000),
                    "alignment": st.floats(-1, 1),
                    "trade_china_share": shares,
                    "trade_us_share": shares,
                    "source": sources,
                },
            ),
            max_size=4,
        )
    )
    data["alliances"] = draw(st.dictionaries(names, alliances(horizon), max_size=3))
    data["policies"] = draw(st.dictionaries(names, policies(horizon), max_size=4))
    events: dict[str, Any] = {}
    for name in draw(st.lists(names, max_size=4, unique=True)):
        trigger: dict[str, Any] = (
            {"step": draw(st.integers(0, horizon))}
            if draw(st.booleans())
            else {"when": draw(st.sampled_from(CONDITIONS)), "once": draw(st.booleans())}
        )
        choice = draw(st.integers(0, 3 if data["alliances"] else 1))
        pair = draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=2, unique=True))
        if choice == 0:
            event = {"kind": "incident", "actors": pair}
            event["level"] = draw(st.sampled_from(["gray_zone", "standoff", "war"]))
        elif choice == 1:
            event = {"kind": "tension_shock", "actors": pair, "delta": draw(st.floats(-1, 1))}
        elif choice == 2:
            alliance = draw(st.sampled_from(sorted(data["alliances"])))
            event = {"kind": "set_commitment", "alliance": alliance, "value": draw(shares)}
        else:
            alliance = draw(st.sampled_from(sorted(data["alliances"])))
            kind = draw(st.sampled_from(["join_alliance", "leave_alliance"]))
            event = {"kind": kind, "alliance": alliance, "country": draw(st.sampled_from(CODES))}
        events[name] = {**event, **trigger}
    data["events"] = events
    if draw(st.booleans()):
        data["parameters"] = {"arms": {"fatigue": draw(st.floats(0.01, 5))}}
    return data


@FAST
@given(data=scenarios())
def test_random_valid_scenarios_load_and_round_trip(scratch: Path, data: dict[str, Any]) -> None:
    path = scratch / "valid.yaml"
    path.write_text(dump(data), encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario == Scenario.model_validate(data)
    resolved = scratch / "resolved.yaml"
    resolved.write_text(scenario_to_yaml(scenario), encoding="utf-8")
    assert load_scenario(resolved) == scenario


def _bound_mutations() -> list[tuple[tuple[str, ...], float]]:
    """Out-of-range values for every bounded coefficient."""
    mutations = []
    for group, info in Parameters.model_fields.items():
        for name, field in info.annotation.model_fields.items():  # type: ignore[union-attr]
            for item in field.metadata:
                for attr, delta in (("ge", -1), ("gt", 0), ("le", 1), ("lt", 0)):
                    bound = getattr(item, attr, None)
                    if bound is not None:
                        mutations.append((("parameters", group, name), bound + delta))
    return mutations


PARAMETER_MUTATIONS = _bound_mutations()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[str, ...], Any]:
    data = draw(scenarios())
    candidates: list[tuple[tuple[str, ...], Any]] = [
        (("horizon",), 0),
        (("horizon",), 1201),
        (("seed",), -1),
        *PARAMETER_MUTATIONS,
    ]
    for code in data["countries"]:
        candidates += [
            (("countries", code, "alignment"), 1.5),
            (("countries", code, "gdp_usd_bn"), 0),
            (("countries", code, "trade_us_share"), -0.1),
        ]
    for name in data["alliances"]:
        candidates += [(("alliances", name, "commitment"), 1.01)]
    for name, policy in data["policies"].items():
        candidates += [(("policies", name, "start"), -1)]
        for key in MAGNITUDES[policy["kind"]]:
            candidates += [(("policies", name, key), -5)]
    path, value = draw(st.sampled_from(candidates))
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return data, path, value


@FAST
@given(case=mutated())
def test_out_of_range_value_is_located(
    scratch: Path, case: tuple[dict[str, Any], tuple[str, ...], Any]
) -> None:
    data, field_path, _ = case
    path = scratch / "mutated.yaml"
    path.write_text(dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problem = only(info.value)
    assert problem.path == ".".join(field_path)
    _, lines = load_raw(path)
    assert problem.line == lines[field_path]
    assert f"{problem.file}:{problem.line}: {problem.path}: " in str(info.value)


def test_a_shorter_horizon_leaves_out_the_moves_played_after_it() -> None:
    data = {
        "name": "cut",
        "horizon": 24,
        "moves": [
            {"month": 3, "kind": "dialogue", "actor": "CHN", "partners": ["PHL"], "value": 0.5},
            {"month": 20, "kind": "dialogue", "actor": "CHN", "partners": ["PHL"], "value": 0.5},
        ],
    }
    cut, dropped = loader.truncate(data, 12)
    assert [m["month"] for m in cut["moves"]] == [3] and dropped == ["moves[1] (month 20)"]
    assert Scenario.model_validate(cut).horizon == 12
