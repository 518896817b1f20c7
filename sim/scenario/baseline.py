"""Country baseline: the observed starting point of every scenario.

The tables live in ``seeds/`` (one row per country, one row per dispute), each figure with
its dataset and year. This module reads them once and derives the quantities the model needs:
initial alignment on the US–China axis from UN General Assembly ideal points, great-circle
distances between capitals, and power-projection reach.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.scenario.resources import seeds_dir

#: Citations for the columns of ``seeds/countries.csv`` (grammar: :mod:`sim.scenario.citations`).
#: Figures listed in a row's ``approx`` column were recalled rather than checked at source.
COLUMN_SOURCES = {
    "gdp_usd_bn": "World Bank WDI 2024 (current US$; recalled where the approx column says so); "
    "PRK: Bank of Korea estimate of North Korea's nominal GNI for 2023 (about KRW 40 trillion, "
    "in US$; recalled)",
    "milex_usd_bn": "SIPRI Military Expenditure Database (April 2026 release for 2025 values, as "
    "reported in the press; April 2025 fact sheet for 2024 values; recalled where the approx "
    "column says so); THA, KHM: IISS Military Balance 2025 (2024 defence budgets; recalled "
    "where the approx column says so); VNM: IISS Military Balance 2025 estimate (SIPRI "
    "publishes no Vietnam figure; recalled); LAO: judgement: about US$0.03bn, an order of "
    "magnitude for a state for which SIPRI publishes no figure (recalled); PRK: US State Dept "
    "WMEAT (of the order of its estimates, about US$3.5bn a year over 2004-2014; recalled)",
    "trade_china_share": "National customs data 2024 (goods trade share with China; recalled); "
    "PRK: KOTRA 2023 (North Korea's trade, almost all with China; recalled)",
    "trade_us_share": "National customs data 2024 (goods trade share with the US; recalled); "
    "PRK: KOTRA 2023 (no recorded trade with the US; recalled)",
    "unga_2015": "Voeten UNGA ideal points, July 2025 release (idealpointall, 2015)",
    "unga_2023": "Voeten UNGA ideal points, July 2025 release (idealpointall, 2023)",
    "scs_claimant": "fact:china_scs_claim_share (China's claim; the note names the other "
    "claimants, Brunei, Malaysia, the Philippines and Vietnam, as outside context: recalled)",
    "nuclear": "fact:asia_nuclear_armed_states (CHN, IND, PRK); "
    "fact:non_asian_nuclear_armed_states (USA)",
    "asean": "fact:asean_member_count",
    "alignment_prior": "judgement: TWN has no UN seat and RUS no row in the shipped ideal-point "
    "extract, so each takes a prior on the alignment axis (recalled)",
}

#: The two poles of the alignment axis.
US, CHINA = "USA", "CHN"

#: Myanmar's UN seat has been held by an envoy of the National Unity Government since 2021, so
#: its ideal points do not describe the junta. We use a junta prior (a judgement, as the
#: project's grounding notes on the ideal points suggest) at 15% of the way from China to the
#: US on the ideal-point scale.
MYANMAR_JUNTA_RELATIVE_POSITION = 0.15

#: Width of the tanh mapping from ideal points to alignment, in ideal-point units. A free
#: coefficient: 0.8 puts the US treaty allies JPN/KOR/AUS near +0.9 and China near −0.7.
ALIGNMENT_MAPPING_WIDTH = 0.8


@dataclass(frozen=True)
class Country:
    """One row of the country baseline.

    Attributes:
        iso3: ISO 3166-1 alpha-3 code.
        name: English short name.
        gdp_usd_bn: GDP, current US$ bn.
        milex_usd_bn: Military expenditure, US$ bn per year.
        trade_china_share: Share of goods trade with China (0 for China itself).
        trade_us_share: Share of goods trade with the US (0 for the US itself).
        unga_2015: UNGA ideal point in 2015.
        unga_2023: UNGA ideal point in 2023.
        scs_claimant: Whether the state claims parts of the South China Sea.
        nuclear: Whether the state is nuclear-armed.
        asean: Whether the state is an ASEAN member.
        alignment_prior: Alignment used instead of UN ideal points, for states whose votes
            are not in ``seeds/ideal_points.csv`` (Taiwan has no UN seat), else None.
        lat: Latitude of the reference point (capital; Honolulu for the US).
        lon: Longitude of the reference point.
        approx: Fields whose figure was recalled rather than verified at source.
    """

    iso3: str
    name: str
    gdp_usd_bn: float
    milex_usd_bn: float
    trade_china_share: float
    trade_us_share: float
    unga_2015: float
    unga_2023: float
    scs_claimant: bool
    nuclear: bool
    asean: bool
    alignment_prior: float | None
    lat: float
    lon: float
    approx: tuple[str, ...]


@dataclass(frozen=True)
class Dispute:
    """A standing dispute between two states, the driver of incidents.

    Attributes:
        a: First state (ISO3).
        b: Second state (ISO3).
        intensity: Graded 0–1 (free coefficient; the dispute itself is sourced).
        issue: The kind of stake, one of :data:`DISPUTE_ISSUES` (it sets how readily the
            dispute's incidents turn to force; ``docs/model.md`` §5).
        kind: What the dispute is about, in words.
        source: Citation for the dispute's existence.
    """

    a: str
    b: str
    intensity: float
    issue: str
    kind: str
    source: str


#: Kinds of stake a dispute is over: a land border or territory, maritime claims, the
#: sovereignty of one party, or a rivalry without a territorial stake between the two.
DISPUTE_ISSUES = ("land", "maritime", "sovereignty", "rivalry")


def _float(text: str) -> float:
    return float(text) if text.strip() else 0.0


@cache
def countries() -> tuple[Country, ...]:
    """Return the baseline countries in the canonical (file) order."""
    with (seeds_dir() / "countries.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        Country(
            iso3=row["iso3"],
            name=row["name"],
            gdp_usd_bn=_float(row["gdp_usd_bn"]),
            milex_usd_bn=_float(row["milex_usd_bn"]),
            trade_china_share=_float(row["trade_china_share"]),
            trade_us_share=_float(row["trade_us_share"]),
            unga_2015=_float(row["unga_2015"]),
            unga_2023=_float(row["unga_2023"]),
            scs_claimant=row["scs_claimant"] == "1",
            nuclear=row["nuclear"] == "1",
            asean=row["asean"] == "1",
            alignment_prior=float(row["alignment_prior"]) if row["alignment_prior"] else None,
            lat=_float(row["capital_lat"]),
            lon=_float(row["capital_lon"]),
            approx=tuple(f for f in row["approx"].split(";") if f),
        )
        for row in rows
    )


@cache
def country_codes() -> tuple[str, ...]:
    """Return the ISO3 codes of the baseline countries, in canonical order."""
    return tuple(c.iso3 for c in countries())


@cache
def disputes() -> tuple[Dispute, ...]:
    """Return the standing disputes between baseline countries."""
    with (seeds_dir() / "disputes.csv").open(newline="", encoding="utf-8") as fh:
        return tuple(
            Dispute(
                a=row["a"],
                b=row["b"],
                intensity=float(row["intensity"]),
                issue=row["issue"],
                kind=row["kind"],
                source=row["source"],
            )
            for row in csv.DictReader(fh)
        )


#: The file of the dyads' incident propensities, written by ``geosim calibrate --propensities``.
PROPENSITY_FILE = "propensities.csv"


@dataclass(frozen=True)
class Propensity:
    """A dispute dyad's fitted incident propensity (a row of ``seeds/propensities.csv``).

    Attributes:
        a: First state (ISO3), as in ``disputes.csv``.
        b: Second state.
        value: The shipped propensity ``ψ``.
        low: The fit's 10% point.
        high: The fit's 90% point.
    """

    a: str
    b: str
    value: float
    low: float
    high: float


@cache
def propensity_table() -> tuple[Propensity, ...]:
    """The fitted propensities, in the order of ``disputes.csv`` (none if the file is absent)."""
    path = seeds_dir() / PROPENSITY_FILE
    if not path.exists():
        return ()
    with path.open(newline="", encoding="utf-8") as fh:
        return tuple(
            Propensity(r["a"], r["b"], float(r["propensity"]), float(r["low"]), float(r["high"]))
            for r in csv.DictReader(fh)
        )


def propensities() -> dict[tuple[str, str], float]:
    """Each dispute dyad's incident propensity ``ψ``, keyed ``(a, b)`` as in ``disputes.csv``.

    ``ψ`` multiplies the dyad's incident hazard (``docs/model.md`` §5): a fitted, partially
    pooled estimate of how incident-prone the dyad has been beyond what its dispute's
    intensity and the model's hazards give (``seeds/README.md``, ``propensities.csv``;
    :mod:`sim.studies.propensity`). A dyad the file does not list has ``ψ = 1``.
    """
    return {(p.a, p.b): p.value for p in propensity_table()}


def ideal_point(country: Country, year: int = 2023) -> float:
    """Return the UNGA ideal point used for ``country``, with the Myanmar junta prior."""
    by_code = {c.iso3: c for c in countries()}
    if country.alignment_prior is not None:
        raise ValueError(f"{country.iso3} has no UN ideal point; it takes an alignment prior")
    value = {2015: country.unga_2015, 2023: country.unga_2023}[year]
    if country.iso3 == "MMR":
        us = getattr(by_code[US], f"unga_{year}")
        cn = getattr(by_code[CHINA], f"unga_{year}")
        value = cn + MYANMAR_JUNTA_RELATIVE_POSITION * (us - cn)
    return value


def alignment_from_ideal_points(year: int = 2023) -> dict[str, float]:
    """Map UNGA ideal points to alignment on the China (−1) – US (+1) axis.

    UN voting mostly measures global-South, non-interference preferences, and every ASEAN
    state votes closer to China than to the US. Read as security alignment, a linear rescaling
    would make US treaty allies such as the Philippines pro-China. We therefore centre the scale
    on the regional median ideal point (the typical hedger) and squash it with a tanh:
    ``alignment = tanh((x − median) / width)``, with the poles fixed at US = +1 and China = −1.

    Args:
        year: 2015 or 2023 (the ideal-point columns in the baseline).

    Returns:
        Alignment per ISO3 code.
    """
    points = {c.iso3: ideal_point(c, year) for c in countries() if c.alignment_prior is None}
    return _aligned(points)


def _aligned(points: dict[str, float]) -> dict[str, float]:
    """Ideal points → alignment (centred on their median), with the priors and the poles.

    The median runs over the states with ideal points only; states with a prior
    (``Country.alignment_prior``) take it as their alignment.
    """
    centre = float(np.median(list(points.values())))
    alignment = {}
    for country in countries():
        if country.alignment_prior is not None:
            alignment[country.iso3] = country.alignment_prior
        else:
            x = points[country.iso3]
            alignment[country.iso3] = math.tanh((x - centre) / ALIGNMENT_MAPPING_WIDTH)
    alignment[US], alignment[CHINA] = 1.0, -1.0
    return alignment


def distance_km(a: Country, b: Country) -> float:
    """Great-circle distance between two reference points (haversine, R = 6371 km)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlmb = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Treaty:
    """A defence pledge coded in ATOP v5.1 (2018): the reference alliance network.

    Attributes:
        a: First party (ISO3).
        b: Second party (ISO3).
        type: Alliance type in the scenario language.
        source: Citation.
    """

    a: str
    b: str
    type: str
    source: str


@cache
def treaties() -> tuple[Treaty, ...]:
    """Return the reference (ATOP 2018) treaty network used to anchor the dynamics."""
    with (seeds_dir() / "treaties.csv").open(newline="", encoding="utf-8") as fh:
        return tuple(Treaty(**row) for row in csv.DictReader(fh))


#: First year in which Myanmar's UN votes stop describing its government (the 2021 coup).
MYANMAR_COUP_YEAR = 2021


@cache
def ideal_points() -> dict[tuple[str, int], float]:
    """UNGA ideal points (``idealpointall``) by ``(iso3, year)``, 2005–2023."""
    with (seeds_dir() / "ideal_points.csv").open(newline="", encoding="utf-8") as fh:
        return {
            (row["iso3"], int(row["year"])): float(row["idealpointall"])
            for row in csv.DictReader(fh)
        }


def observed_alignment(year: int) -> dict[str, float]:
    """Alignment in ``year`` from that year's ideal points, as :func:`alignment_from_ideal_points`.

    Uses the four-decimal estimates of ``seeds/ideal_points.csv``. Myanmar gets the junta prior
    from 2021 on, when its UN seat stopped speaking for the government.

    Args:
        year: 2005–2023.

    Returns:
        Alignment per ISO3 code, poles at ±1.
    """
    table = ideal_points()
    points = {c.iso3: table[(c.iso3, year)] for c in countries() if c.alignment_prior is None}
    if year >= MYANMAR_COUP_YEAR:
        us, cn = points[US], points[CHINA]
        points["MMR"] = cn + MYANMAR_JUNTA_RELATIVE_POSITION * (us - cn)
    return _aligned(points)


@cache
def history(year: int) -> dict[str, tuple[float, float]]:
    """GDP and military spending (US$ bn) by ISO3 code in 2013, 2015 or 2019 (``history.csv``)."""
    with (seeds_dir() / "history.csv").open(newline="", encoding="utf-8") as fh:
        rows = [row for row in csv.DictReader(fh) if int(row["year"]) == year]
    return {row["iso3"]: (float(row["gdp_usd_bn"]), float(row["milex_usd_bn"])) for row in rows}


@dataclass(frozen=True)
class Trajectory:
    """A state's projected economy and announced defence effort (``seeds/trajectories.csv``).

    Attributes:
        iso3: ISO3 code.
        real_growth: Real GDP growth per year (a fraction).
        burden_target: Announced military burden (share of GDP) to reach, or None (the
            current burden is kept).
        burden_target_month: Month by which the target is reached (from month 0), or None.
        burden_min: Lowest burden of the state's record (share of GDP).
        burden_max: Highest burden of the state's record (share of GDP).
        regional_share: Share of the state's forces available in the Indo-Pacific theatre.
        approx: Fields whose figure was recalled rather than verified at source.
        source: Citations.
    """

    iso3: str
    real_growth: float
    burden_target: float | None
    burden_target_month: int | None
    burden_min: float
    burden_max: float
    regional_share: float
    approx: tuple[str, ...]
    source: str


@cache
def trajectories() -> dict[str, Trajectory]:
    """Growth projections, announced burdens and record bands by ISO3 code."""
    with (seeds_dir() / "trajectories.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        row["iso3"]: Trajectory(
            iso3=row["iso3"],
            real_growth=float(row["real_growth_pct"]) / 100.0,
            burden_target=(
                float(row["burden_target_pct"]) / 100.0 if row["burden_target_pct"] else None
            ),
            burden_target_month=(
                int(row["burden_target_month"]) if row["burden_target_month"] else None
            ),
            burden_min=float(row["burden_record_min_pct"]) / 100.0,
            burden_max=float(row["burden_record_max_pct"]) / 100.0,
            regional_share=float(row["regional_share"]),
            approx=tuple(f for f in row["approx"].split(";") if f),
            source=row["source"],
        )
        for row in rows
    }
