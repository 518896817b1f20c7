"""Every number of every shipped scenario and of one shipped sweep is what the snapshot says.

The snapshot (``tests/golden_snapshot.json``, written by ``tests/golden.py --write``) guards
changes that must not move numbers, such as moving modules. A change meant to move numbers
regenerates it in the same commit.
"""

from __future__ import annotations

import json

import golden
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(golden.SNAPSHOT.read_text())


@pytest.fixture(scope="module", autouse=True)
def same_platform(expected: dict) -> None:
    if golden.platform_fingerprint() != expected["platform"]:
        pytest.skip(
            "this CPU computes exp/log/BLAS differently in the last bit from the machine the "
            "snapshot was made on, so a bit-for-bit comparison does not apply here"
        )


def test_snapshot_covers_every_shipped_scenario(expected: dict) -> None:
    from sim.scenario import shipped_scenarios

    assert sorted(expected["scenarios"]) == sorted(shipped_scenarios())


@pytest.mark.parametrize("name", sorted(json.loads(golden.SNAPSHOT.read_text())["scenarios"]))
def test_scenario_numbers_are_unchanged(name: str, expected: dict) -> None:
    found = golden.differences(expected["scenarios"][name], golden.scenario_snapshot(name))
    assert not found, f"{name}: {len(found)} arrays differ, e.g.\n" + "\n".join(found[:12])


def test_sweep_tables_are_unchanged(expected: dict) -> None:
    found = golden.differences(expected["sweep"][golden.SWEEP], golden.sweep_snapshot())
    assert not found, "\n".join(found)


def test_differences_name_the_array_and_its_means() -> None:
    old = {"a": golden.digest([1.0, 2.0]), "b": golden.digest("text")}
    new = {"a": golden.digest([1.0, 2.5]), "b": golden.digest("text"), "c": 1}
    assert golden.differences(old, new) == ["a (mean 1.5 → 1.75)", "c: new"]
