"""The stylized-facts suite: each documented verdict still holds, with a clear margin."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.studies.stylized import FACTS, paired_interval, run_facts, verdict

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


@pytest.fixture(scope="module")
def results():
    """Every fact at the documented ensemble size (200 paired replicates, seed 2025)."""
    return {r.fact.id: r for r in run_facts(200, seed=2025)}


@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f.id)
def test_each_fact_gives_its_documented_verdict(results, fact) -> None:
    result = results[fact.id]
    assert result.verdict == fact.expected, (
        f"{fact.id}: {result.verdict} (effect {result.effect:+.4g}, "
        f"CI [{result.low:+.4g}, {result.high:+.4g}]) but docs/validation.md says "
        f"{fact.expected}: rerun `geosim facts` and update the document"
    )
    if fact.expected != "inconclusive" and fact.direction != 0:
        half_width = (result.high - result.low) / 2
        stable = abs(result.effect) > 2 * half_width
        assert stable != fact.marginal, (
            "too close to zero to be a stable verdict" if not stable else "no longer marginal"
        )
        assert not fact.marginal or fact.note.startswith("Marginal")
    if fact.expected == "holds" and fact.direction == 0:  # well inside its bound, not at its edge
        assert max(abs(result.low), abs(result.high)) < 0.75 * fact.bound


def test_the_document_reports_every_fact_with_its_verdict() -> None:
    text = DOC.read_text(encoding="utf-8")
    for fact in FACTS:
        row = re.search(rf"^\| `{fact.id}` \|.*$", text, flags=re.MULTILINE)
        assert row, f"{fact.id} missing from docs/validation.md"
        assert f"**{fact.expected}**" in row.group(0)
    failing = [f for f in FACTS if f.expected != "holds"]
    assert all(f.note for f in failing), "every fact that does not hold needs its investigation"


def test_every_fact_cites_a_seed_fact_or_the_literature() -> None:
    import yaml

    facts_file = DOC.parents[1] / "seeds" / "facts.yaml"
    known = set(yaml.safe_load(facts_file.read_text(encoding="utf-8"))["facts"])
    for fact in FACTS:
        seeds = [s.removeprefix("fact:") for s in fact.sources if s.startswith("fact:")]
        assert set(seeds) <= known, f"{fact.id} cites an unknown seed fact"
        assert seeds or fact.sources


def test_verdicts_follow_the_interval_and_the_claimed_sign() -> None:
    rng = np.random.default_rng(0)
    rising = paired_interval(rng.normal(1.0, 0.5, 200))
    falling = paired_interval(rng.normal(-1.0, 0.5, 200))
    null = paired_interval(rng.normal(0.0, 0.5, 200))
    assert verdict(*rising[1:], direction=+1) == "holds"
    assert verdict(*rising[1:], direction=-1) == "fails"
    assert verdict(*falling[1:], direction=-1) == "holds"
    assert verdict(*null[1:], direction=+1) == "inconclusive"
    assert paired_interval(np.zeros(50)) == (0.0, 0.0, 0.0)
    assert verdict(0.0, 0.0, +1) == "inconclusive"
    # "barely moves it": inside the bound holds, wholly outside fails, straddling is open
    assert verdict(-0.5, 0.5, 0, bound=1.0) == "holds"
    assert verdict(1.2, 1.5, 0, bound=1.0) == "fails"
    assert verdict(-1.5, -1.2, 0, bound=1.0) == "fails"
    assert verdict(0.5, 1.5, 0, bound=1.0) == "inconclusive"


def test_geosim_facts_writes_its_table_and_plot(tmp_path: Path) -> None:
    out = tmp_path / "facts"
    result = CliRunner().invoke(main, ["facts", "-n", "8", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "| `pact_raises_china_threat` |" in result.output
    for name in ("facts.csv", "facts.md", "forest.png", "forest.svg"):
        assert (out / name).stat().st_size > 0
    assert len((out / "facts.csv").read_text().splitlines()) == len(FACTS) + 1
