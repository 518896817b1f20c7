"""The observed record 2013–2024 that the model is scored against, and the security-alignment index.

Three hand-coded tables in ``seeds/`` (codebook in ``seeds/README.md``, "The historical
record"): incidents by dispute dyad and year, military burden by state and year, and
security-alignment indicators by state and year. This module reads them and builds, from the
indicators, the **security-alignment index** that replaces UN voting as the alignment the model
is scored against.

The index of state ``i`` in year ``y`` is the mean of five components, each the US's side minus
China's on a common scale of [−1, 1]:

    A_iy = (1/5) [ (T_US − T_CN)                      treaty in force (0/1)
                 + (P_US − P_CN) / 3                  partnership level (0–3)
                 + (ln(1 + X_US) − ln(1 + X_CN)) / ln 16   named exercises a year (0–15)
                 + (S_US − S_CN)                      share of major-arms imports (5 years)
                 + (B_US − B_CN) / 2 ]                access or basing (0–2)

so a treaty ally with US bases, exercises and arms and no Chinese ties scores +1, its mirror
−1. Exercises are taken as the mean of the year and the one before: some series (RIMPAC) are
biennial and would otherwise make every other year look closer to the US. Russian arms count
on neither side: the axis is the US–China one, and buying Russian arms (India, Vietnam) is not
siding with China. Where both arms shares are missing (no recorded imports: North Korea,
Russia) the mean runs over the other four components; where a component cannot vary because
of a state's status (Taiwan's treaty and exercises: :data:`STRUCTURAL`) it is missing too. The
five weights are equal, a judgement: no component is a better proxy of security alignment than
the others on the record (Walt 1987 reads alignment from commitments, cooperation and arms; ATOP
codes the commitments). ``tests/scenario/test_observed.py`` checks that the ranking of the
states other than the treaty allies survives dropping any one component.

Known limits (a referee's reading): the index measures the breadth of security ties, so a state
whose tie to China is a treaty and little else scores less than one with broad but lesser ties
(North Korea −0.50 every year, Cambodia −0.54 in 2024); a treaty ally is coded at the top
partnership level too, so its treaty counts twice; Taiwan's index (0.72 in 2024) rests on
three components only, its treaty and exercises left out as structural; the coarse access
scale does not register the 2023 expansion of EDCA, so the Philippines' swing from Duterte to
Marcos is small (0.61 in 2013, 0.49 in 2020–21, 0.55 in 2024); and Russia and North Korea sit on
a US–China axis that does not describe them well. Every indicator is recalled (``seeds/README.md``).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd

from sim.scenario.resources import seeds_dir

#: The files of the record, by what they hold.
FILES = {
    "incidents": "incidents_2013_2024.csv",
    "burden": "burden_2013_2024.csv",
    "alignment": "security_alignment_2013_2024.csv",
}
#: First and last year of the record.
FIRST_YEAR, LAST_YEAR = 2013, 2024
#: The components of the index: name, US column, China column, the scale a difference is
#: divided by (exercises are put on a log scale first).
COMPONENTS = (
    ("treaty", "us_treaty", "china_treaty", 1.0),
    ("partnership", "us_partnership", "china_partnership", 3.0),
    ("exercises", "us_exercises", "china_exercises", math.log(16.0)),
    ("arms", "us_arms_share", "china_arms_share", 1.0),
    ("access", "us_access", "china_access", 2.0),
)
#: Components that cannot vary for a state because of its status, so they are missing rather
#: than zero (as arms are where nothing is recorded). The rule is status, not choice: no state
#: keeps a defence treaty with, or holds named exercises with, a government it does not
#: recognise, so Taiwan's treaty and exercises are zero on both sides whatever its alignment (its
#: US ties are the Taiwan Relations Act, arms and trainers, which the other three components
#: record). A zero a government chose (Vietnam's "four noes": no alliance, no bases) is a
#: measurement and stays; Taiwan's arms component stays too, since others than the US could
#: sell to it and have (France, 1991–92; recalled). Taiwan is the only state in the file whose
#: status rules a component out. Counting the two zeros puts Taiwan at 0.43 in 2024 instead of
#: 0.72 (docs/validation.md §4 gives what changed with it and §3's calibration together).
STRUCTURAL = {"TWN": ("treaty", "exercises")}


@cache
def _table(kind: str) -> pd.DataFrame:
    return pd.read_csv(seeds_dir() / FILES[kind], keep_default_na=False, na_values=[""])


def incidents() -> pd.DataFrame:
    """Incident episodes by dispute dyad and year, counted at their peak rung (a copy)."""
    return _table("incidents").copy()


def burden() -> pd.DataFrame:
    """Military expenditure, GDP and burden (percent of GDP) by state and year (a copy)."""
    return _table("burden").copy()


def indicators() -> pd.DataFrame:
    """Security-alignment indicators by state and year (a copy)."""
    return _table("alignment").copy()


def alignment_components(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The five components of the index by state and year, each in [−1, 1].

    Args:
        table: Indicator rows (the columns of ``seeds/security_alignment_2013_2024.csv``);
            default the shipped ones.

    Returns:
        One row per ``(iso3, year)``, a column per component (NaN where both of its
        indicators are missing, or where the state's status fixes it: :data:`STRUCTURAL`).
    """
    rows = (indicators() if table is None else table.copy()).sort_values(["iso3", "year"])
    out = rows[["iso3", "year"]].copy()
    for name, us, china, scale in COMPONENTS:
        a, b = rows[us].astype(float), rows[china].astype(float)
        unknown = a.isna() & b.isna()  # e.g. no recorded arms imports: no sign either way
        a, b = a.fillna(0.0), b.fillna(0.0)
        if name == "exercises":  # the mean of the year and the one before (biennial series)
            a = np.log1p(_two_year_mean(rows, a))
            b = np.log1p(_two_year_mean(rows, b))
        status = rows["iso3"].isin([c for c, parts in STRUCTURAL.items() if name in parts])
        out[name] = ((a - b) / scale).clip(-1.0, 1.0).mask(unknown | status)
    return out.reset_index(drop=True)


def _two_year_mean(rows: pd.DataFrame, values: pd.Series) -> pd.Series:
    """Each state's mean of a year's value and the previous year's (the first year alone)."""
    before = values.groupby(rows["iso3"]).shift(1)
    return ((values + before) / 2.0).fillna(values)


def security_alignment(
    table: pd.DataFrame | None = None, *, drop: str | None = None
) -> pd.DataFrame:
    """The security-alignment index by state and year: the mean of its components.

    Args:
        table: Indicator rows; default the shipped ones.
        drop: A component to leave out (to check that no single one decides the ranking).

    Returns:
        Columns ``iso3``, ``year``, ``alignment`` (−1 China's side … +1 the US's side).
    """
    parts = alignment_components(table)
    names = [name for name, *_ in COMPONENTS if name != drop]
    if len(names) == len(COMPONENTS) and drop is not None:
        raise ValueError(f"no component {drop!r}; there are {[n for n, *_ in COMPONENTS]}")
    return parts[["iso3", "year"]].assign(alignment=parts[names].mean(axis=1))


#: The year of the record the 2025 world starts from: its last (the index of 2024).
STARTING_YEAR = LAST_YEAR
#: The poles of the axis, fixed: the US at +1 and China at −1 (the index is US minus China).
POLES = {"USA": 1.0, "CHN": -1.0}


def starting_alignment(year: int = STARTING_YEAR) -> dict[str, float]:
    """The model's alignment at the start of a run from ``year``: the index, with the poles.

    Every state the model has, by ISO3 code: the index of that year for the 17 states it scores,
    and the poles at ±1. The 2025 world starts from 2024, the last year of the record; a
    hindcast starts from the index of its first year.
    """
    return {**alignment_in(year), **POLES}


def alignment_in(year: int) -> dict[str, float]:
    """The index of every scored state in ``year`` (2013–2024), by ISO3 code."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the record covers {FIRST_YEAR}–{LAST_YEAR}, not {year}")
    return dict(_shipped_index(year))


@cache
def _shipped_index(year: int) -> tuple[tuple[str, float], ...]:
    """The shipped record's index in ``year``, computed once a process (every compile reads it)."""
    index = security_alignment()
    rows = index[index["year"] == year]
    return tuple(zip(rows["iso3"], rows["alignment"].astype(float), strict=True))
