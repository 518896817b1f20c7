"""Model coefficients: every one has a description, a reason and a source or a FREE label."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

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
