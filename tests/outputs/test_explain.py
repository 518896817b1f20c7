"""``geosim explain``: every number a scenario uses, with its value and its source."""

from __future__ import annotations

from conftest import scenario

from sim.outputs.explain import explain, plausible_text
from sim.scenario import baseline, load_scenario
from sim.scenario.parameters import Parameters, provenance


def test_every_coefficient_is_listed_with_its_value_and_provenance() -> None:
    text = explain(load_scenario("hub_and_spoke"))
    params = Parameters()
    for group in type(params).model_fields:
        for name in type(getattr(params, group)).model_fields:
            assert f"parameters.{group}.{name} = " in text
    assert text.count("[FREE]") + text.count("[data]") + text.count("[calibrated]") == sum(
        len(type(getattr(params, g)).model_fields) for g in type(params).model_fields
    )
    assert "source:" in text and "why:" in text


def test_each_free_coefficient_is_shown_with_its_plausible_range() -> None:
    text = explain(load_scenario("hub_and_spoke"), only="coefficients")
    lines = {line.split(" = ")[0].strip(): line for line in text.splitlines() if " = " in line}
    free = [row for row in provenance(Parameters()) if row["free"]]
    assert free
    for row in free:
        shown = plausible_text(row["plausible"])
        assert shown.startswith(("plausible ", "reference")), row["path"]
        assert f"[FREE] ({shown}) " in lines[row["path"]], row["path"]
    assert "parameters.arms.reaction = 0.3  [FREE] (plausible 0.1–0.5) Elasticity" in text
    assert "escalation_base = -3.4  [FREE] (plausible -4.1 to -2.7) Logit" in text
    assert "bilateral_treaty_weight = 1.0  [FREE] (reference, not varied) Strength" in text
    assert plausible_text(None) == ""


def test_countries_overrides_alliances_policies_and_events_are_shown_with_sources() -> None:
    text = explain(
        scenario(
            countries={"VNM": {"milex_usd_bn": 12.5, "source": "SIPRI Milex 2025"}},
            policies={
                "aid": {"kind": "security_assistance", "actor": "USA", "partners": ["PHL"],
                        "usd_m_per_year": 90, "source": "fact:some_fact"},
            },
            events={"shoal": {"kind": "incident", "step": 3, "actors": ["CHN", "PHL"]}},
        )
    )  # fmt: skip
    assert "VNM   " in text and "12.50" in text
    assert "override VNM: {'milex_usd_bn': 12.5} — source: SIPRI Milex 2025" in text
    assert "aid: security_assistance USA→PHL" in text and "fact:some_fact" in text
    assert "shoal: incident at month 3 — (no source given)" in text
    assert "us_jpn: bilateral_treaty USA-JPN" in text


def test_each_dispute_is_shown_with_its_fitted_propensity() -> None:
    text = explain(load_scenario("hub_and_spoke"), only="disputes")
    for (a, b), kappa in baseline.propensities().items():
        assert f"  {a}–{b} " in text and f" ψ {kappa:.3g}  " in text.split(f"  {a}–{b} ")[1]
