"""The inject menu: every kind becomes a valid scenario entry with a plain-words summary."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sim.core.model import IndoPacificModel
from sim.scenario import load_scenario
from sim.ui.injects import INJECT_KINDS, InjectForm, build_inject, unique_name


@pytest.fixture(scope="module")
def definition():
    return load_scenario("hub_and_spoke")


@pytest.mark.parametrize("kind", list(INJECT_KINDS))
def test_every_kind_of_inject_validates_with_its_defaults(kind: str, definition) -> None:
    form = InjectForm().with_kind(kind, definition)
    if kind == "join_alliance":
        form = replace(form, alliance="us_vietnam_csp", actor="JPN")
    inject = build_inject(form)
    assert inject.summary and inject.target not in ("USA", "CHN")
    model = IndoPacificModel(definition, rng=1)
    name = unique_name(definition, inject, model.month)
    changed = model.with_inject(inject.block, name, inject.spec)
    assert name in getattr(changed, inject.block)


def test_names_are_fresh_and_missing_choices_are_refused(definition) -> None:
    incident = build_inject(InjectForm(kind="incident", actor="CHN", other="PHL"))
    assert incident.spec == {"kind": "incident", "actors": ["CHN", "PHL"], "level": "clash"}
    assert unique_name(definition, incident, 5) == "incident_m5"
    with pytest.raises(ValueError, match="two different countries"):
        build_inject(InjectForm(kind="incident", actor="PHL", other="PHL"))
    with pytest.raises(ValueError, match="at least one partner"):
        build_inject(InjectForm(kind="exercises", actor="USA", partners=("USA",), amount=4))
    with pytest.raises(ValueError, match="choose an alliance"):
        build_inject(InjectForm(kind="join_alliance", alliance=""))
