"""Model coefficients: every one has a description, a reason and a source or a FREE label.

A calibrated coefficient takes its fitted value only where the calibration identified it.
"""

from __future__ import annotations

import math

import annotated_types
import numpy as np
import pytest
import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.core.compile import compile_world
from sim.core.dynamics.step import initial_state
from sim.core.rng import replicate_keys
from sim.scenario import load_scenario, parameters
from sim.scenario.parameters import JUDGEMENT_DEFAULTS, Parameters, coef, provenance
from sim.studies.calibrate import COEFFICIENTS


def test_every_coefficient_says_what_it_is_why_and_where_it_comes_from() -> None:
    rows = provenance(Parameters())
    assert len(rows) == sum(
        len(type(getattr(Parameters(), g)).model_fields) for g in Parameters.model_fields
    )
    for row in rows:
        assert row["description"] and row["why"], row["path"]
        assert row["free"] == (row["source"] == "free coefficient") or row["source"].startswith(
            "calibrated"
        )
        assert row["value"] == row["default"]


def _fields() -> dict[str, FieldInfo]:
    """``group.name`` → field, for every coefficient."""
    return {
        f"{group}.{name}": field
        for group in Parameters.model_fields
        for name, field in type(getattr(Parameters(), group)).model_fields.items()
    }


def _range_problems(field: FieldInfo) -> list[str]:
    """What is wrong with a free coefficient's plausible range (nothing: an empty list)."""
    extra = field.json_schema_extra or {}
    if not extra.get("free"):
        return []
    if "plausible" not in extra:
        return ["no plausible range"]
    low, high = extra["plausible"]
    problems = []
    if not low <= field.default <= high:
        problems.append(f"default {field.default} outside {low}–{high}")
    for bound in field.metadata:
        if isinstance(bound, annotated_types.Ge) and low < bound.ge:
            problems.append(f"{low} below ge={bound.ge}")
        if isinstance(bound, annotated_types.Gt) and low <= bound.gt:
            problems.append(f"{low} not above gt={bound.gt}")
        if isinstance(bound, annotated_types.Le) and high > bound.le:
            problems.append(f"{high} above le={bound.le}")
        if isinstance(bound, annotated_types.Lt) and high >= bound.lt:
            problems.append(f"{high} not below lt={bound.lt}")
    if low == high and "reference" not in extra["why"]:
        problems.append("a single plausible value, but the why does not call it a reference")
    return problems


def test_every_free_coefficient_has_a_plausible_range_holding_its_default_in_its_bounds() -> None:
    fields = _fields()
    free = [path for path, field in fields.items() if field.json_schema_extra["free"]]
    assert len(free) >= 60  # the shipped free coefficients (75 today), not a vacuous loop
    problems = {path: p for path, field in fields.items() if (p := _range_problems(field))}
    assert problems == {}
    rows = {row["path"]: row for row in provenance(Parameters())}
    for path in free:
        low, high = fields[path].json_schema_extra["plausible"]
        assert rows[f"parameters.{path}"]["plausible"] == (low, high)


def test_the_range_check_catches_each_kind_of_bad_range() -> None:
    class Bad(BaseModel):
        missing: float = coef(0.5, "d", why="w", ge=0, le=1)
        outside: float = coef(0.5, "d", why="w", plausible=(0.6, 0.9), ge=0, le=1)
        low: float = coef(0.5, "d", why="w", plausible=(-0.1, 0.9), ge=0, le=1)
        high: float = coef(0.5, "d", why="w", plausible=(0.1, 1.5), ge=0, le=1)
        strict: float = coef(0.5, "d", why="w", plausible=(0.0, 1.0), gt=0, lt=1)
        single: float = coef(0.5, "d", why="w", plausible=(0.5, 0.5), ge=0, le=1)
        sourced: float = coef(0.5, "d", why="w", source="a dataset", ge=0, le=1)
        good: float = coef(0.5, "d", why="w", plausible=(0.25, 1.0), ge=0, le=1)

    found = {name: _range_problems(field) for name, field in Bad.model_fields.items()}
    assert found == {
        "missing": ["no plausible range"],
        "outside": ["default 0.5 outside 0.6–0.9"],
        "low": ["-0.1 below ge=0"],
        "high": ["1.5 above le=1"],
        "strict": ["0.0 not above gt=0", "1.0 not below lt=1"],
        "single": ["a single plausible value, but the why does not call it a reference"],
        "sourced": [],
        "good": [],
    }
    with pytest.raises(ValueError, match="not increasing"):
        coef(0.5, "d", why="w", plausible=(0.9, 0.1))


def test_the_calibration_searches_at_least_each_plausible_range() -> None:
    fields = _fields()
    for group, name, (low, high) in COEFFICIENTS:
        p_low, p_high = fields[f"{group}.{name}"].json_schema_extra["plausible"]
        assert low <= p_low and p_high <= high, f"{group}.{name}"


def test_the_inertia_half_life_stated_is_the_one_the_coefficients_give() -> None:
    # alignment_dynamics: A += rate · (… − inertia (A − A0)), so a departure keeps
    # 1 − rate·inertia of itself each month without other pulls.
    p = Parameters().alignment
    months = math.log(0.5) / math.log1p(-p.rate * p.inertia)
    why = next(r["why"] for r in provenance(Parameters()) if r["path"].endswith(".inertia"))
    assert f"rate of {p.rate:g} a month" in why
    assert f"rate × inertia = {p.rate * p.inertia:.0%} a month" in why
    assert f"halving in about {months:.0f} months" in why
    low, high = _fields()["alignment.inertia"].json_schema_extra["plausible"]
    years = [math.log(0.5) / math.log1p(-p.rate * w) / 12 for w in (high, low)]
    assert f"{years[0]:.0f} to {years[1]:.0f} years over the plausible range" in why


def test_the_threat_sensitivity_states_china_s_threat_in_the_status_quo() -> None:
    world = compile_world(load_scenario("hub_and_spoke"))
    threat = initial_state(world, replicate_keys(0, [0])).threat[0]
    codes = list(world.codes)
    china, north_korea = threat[codes.index("CHN")], threat[codes.index("PRK")]
    why = next(r["why"] for r in provenance(Parameters()) if r["path"].endswith(".sensitivity"))
    assert china == threat.max() and north_korea == np.sort(threat)[-2]  # the two highest
    assert f"North Korea's {north_korea:.2f} next" in why
    assert f"China's threat is {china:.2f} in hub_and_spoke's 2025" in why
    theta = Parameters().threat.sensitivity
    low, high = _fields()["threat.sensitivity"].json_schema_extra["plausible"]
    ends = [1 - (1 - china) ** (t / theta) for t in (low, high)]  # 1 − exp(−t Σ T)
    assert f"between {ends[0]:.2f} and {ends[1]:.2f}" in why


def test_calibrated_coefficients_remember_their_judgement_value() -> None:
    assert set(JUDGEMENT_DEFAULTS) <= {
        f"{g}.{n}"
        for g in Parameters.model_fields
        for n in type(getattr(Parameters(), g)).model_fields
    }


def test_bounds_unknown_names_and_non_finite_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        Parameters.model_validate({"arms": {"fatigue": 0}})
    with pytest.raises(ValidationError):
        Parameters.model_validate({"arms": {"fatgue": 0.3}})
    with pytest.raises(ValidationError):
        Parameters.model_validate({"threat": {"sensitivity": float("inf")}})
    changed = Parameters.model_validate({"arms": {"fatigue": 0.3}})
    row = next(r for r in provenance(changed) if r["path"] == "parameters.arms.fatigue")
    assert (row["value"], row["default"]) == (0.3, 0.25)


@pytest.fixture
def calibration(tmp_path, monkeypatch):
    """A temporary calibration file, read afresh by calibrated_coef (the shipped one after)."""
    target = tmp_path / "calibration.yaml"
    monkeypatch.setattr(parameters, "calibration_file", lambda: target)
    monkeypatch.setattr(parameters, "JUDGEMENT_DEFAULTS", dict(JUDGEMENT_DEFAULTS))
    parameters._calibration.cache_clear()
    yield target
    parameters._calibration.cache_clear()


def _entry(fitted: float, identified: bool) -> dict:
    return {
        "target": "t",
        "fitted": fitted,
        "bounds": [0.0, 6.0],
        "judgement": 2.0,
        "identified": identified,
        "optimum": "interior" if identified else "flat",
        "indifferent": [fitted, fitted] if identified else [0.0, 6.0],
        "relative_range": 0.3 if identified else 7e-16,
        "curvature": 1.0 if identified else 0.0,
        "slope": 0.0,
        "plausible": [fitted - 0.5, fitted + 0.5] if identified else [0.0, 6.0],
        "profile": {"grid": [0.0, fitted, 6.0], "loss": [0.3, 0.2, 0.3]},
    }


def _targets() -> dict:
    scores = {"calibrated": 0.23, "judgement": 0.3, "baseline": 0.26}
    return {
        "t": {
            "label": "a test fit",
            "metric": "loss",
            "baseline": "persistence",
            "identifiability": {"threshold": 0.005, "relative_threshold": 0.022},
            "scores": {
                "in_sample": {"window": "2015-2019", **scores},
                "out_of_sample": {"window": "2019-2023", **scores},
            },
        }
    }


def _field(name: str):
    return parameters.calibrated_coef(
        name, 2.0, "a weight", why="a reason", plausible=(1, 4), ge=0, le=10
    )


def test_a_coefficient_calibration_cannot_identify_keeps_its_judgement_value(
    calibration,
) -> None:
    calibration.write_text(
        yaml.safe_dump(
            {
                "targets": _targets(),
                "coefficients": {"a.flat": _entry(5.162, False), "a.curved": _entry(4.0, True)},
            }
        )
    )
    flat, curved = _field("a.flat"), _field("a.curved")
    assert flat.default == 2.0
    assert flat.json_schema_extra["free"] is True
    assert flat.json_schema_extra["source"] == "free coefficient"
    assert flat.json_schema_extra["why"] == (
        "a reason; not identified by calibration (a test fit: profile over bounds [0.0, 6.0] "
        "flat within 7e-16 of the optimum loss, threshold 2.2%); judgement value kept"
    )
    assert curved.default == 4.0
    assert curved.json_schema_extra["free"] is False
    source = curved.json_schema_extra["source"]
    assert source.startswith("calibrated (a test fit): loss 0.230 in sample")
    assert "out of sample 2019–2023 0.230 (judgement 0.300, persistence 0.260)" in source
    assert flat.json_schema_extra["plausible"] == [1, 4]  # its judgement range
    assert curved.json_schema_extra["plausible"] == [3.5, 4.5]  # what calibration cannot tell


def test_a_calibration_without_identifiability_calibrates_nothing(calibration) -> None:
    calibration.write_text(yaml.safe_dump({"coefficients": {"a.old": {"value": 5.162}}}))
    old = _field("a.old")
    assert old.default == 2.0 and old.json_schema_extra["free"] is True
    assert "no identifiability recorded" in old.json_schema_extra["why"]
    assert old.json_schema_extra["plausible"] == [1, 4]


def test_an_optimum_at_a_search_bound_keeps_the_judgement_value_and_the_range(
    calibration,
) -> None:
    edge = {**_entry(0.0, True), "optimum": "lower bound"}
    calibration.write_text(
        yaml.safe_dump({"targets": _targets(), "coefficients": {"a.edge": edge}})
    )
    field = _field("a.edge")
    assert field.default == 2.0 and field.json_schema_extra["free"] is True
    assert (
        "lower bound of the calibration's search range [0.0, 6.0]" in field.json_schema_extra["why"]
    )
    assert field.json_schema_extra["plausible"] == [1, 4]


def test_a_refit_that_reaches_its_grid_end_says_so_not_the_search_range(calibration) -> None:
    edge = {
        **_entry(0.6, True),
        "optimum": "upper bound",
        "refit": {"grid": [0.0, 0.3, 0.6], "loss": [0.3, 0.2, 0.1], "se": [0.0, 0.0, 0.0]},
    }
    calibration.write_text(
        yaml.safe_dump({"targets": _targets(), "coefficients": {"a.edge": edge}})
    )
    field = _field("a.edge")
    why = field.json_schema_extra["why"]
    assert field.default == 2.0 and "at the upper bound of its refit's grid [0, 0.6]" in why
    assert "search range" not in why
