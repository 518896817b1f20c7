"""Model coefficients: every one has a description, a reason and a source or a FREE label.

A calibrated coefficient takes its fitted value only where the calibration identified it.
"""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from sim.scenario import parameters
from sim.scenario.parameters import JUDGEMENT_DEFAULTS, Parameters, provenance


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
        "fitted": fitted,
        "bounds": [0.0, 6.0],
        "judgement": 2.0,
        "identified": identified,
        "optimum": "interior" if identified else "flat",
        "indifferent": [fitted, fitted] if identified else [0.0, 6.0],
        "relative_range": 0.3 if identified else 7e-16,
        "curvature": 1.0 if identified else 0.0,
        "slope": 0.0,
        "profile": {"grid": [0.0, fitted, 6.0], "rmse": [0.3, 0.2, 0.3]},
    }


def _field(name: str):
    return parameters.calibrated_coef(name, 2.0, "a weight", why="a reason", ge=0, le=10)


def test_a_coefficient_calibration_cannot_identify_keeps_its_judgement_value(
    calibration,
) -> None:
    rmse = {"calibrated": 0.23, "judgement": 0.3, "persistence": 0.26}
    calibration.write_text(
        yaml.safe_dump(
            {
                "identifiability": {"threshold": 0.005, "relative_threshold": 0.022},
                "coefficients": {"a.flat": _entry(5.162, False), "a.curved": _entry(4.0, True)},
                "rmse": {"in_sample_2015_2019": rmse, "out_of_sample_2019_2023": rmse},
            }
        )
    )
    flat, curved = _field("a.flat"), _field("a.curved")
    assert flat.default == 2.0
    assert flat.json_schema_extra["free"] is True
    assert flat.json_schema_extra["source"] == "free coefficient"
    assert flat.json_schema_extra["why"] == (
        "a reason; not identified by the 2015–2019 UN-vote backtest (profile over bounds "
        "[0.0, 6.0] flat within 7e-16 of the optimum RMSE, threshold 2.2%); judgement value kept"
    )
    assert curved.default == 4.0
    assert curved.json_schema_extra["free"] is False
    assert curved.json_schema_extra["source"].startswith("calibrated (backtest 2015–2019)")


def test_a_calibration_without_identifiability_calibrates_nothing(calibration) -> None:
    calibration.write_text(yaml.safe_dump({"coefficients": {"a.old": {"value": 5.162}}}))
    old = _field("a.old")
    assert old.default == 2.0 and old.json_schema_extra["free"] is True
    assert "no identifiability recorded" in old.json_schema_extra["why"]
