"""Other names of the model's states, for the hint an unknown country code gets.

The model writes a state by its ISO 3166-1 alpha-3 code (``KOR``, ``PRK``). Users write what
they are used to: ``ROK``, ``DPRK``, ``PRC``, ``ROC``, ``US``, an Olympic code (``TPE``,
``VIE``), an English name (``South Korea``, ``Viet Nam``, ``Burma``). Spelling distance alone
answers those badly (``ROK`` is closest to ``PRK``, ``PRC`` to ``PRK``: the adversary), so every
place that takes a code asks :func:`alias_hint` first and falls back on a close spelling only
when the text is no known name.

An alias is only ever *suggested*, never accepted in the code's place: a scenario is read as
it is written (its echo, its record and its citations say what the file says), and some
aliases are ambiguous (``Korea``) or belong to no state of the model (``UK``). The error names
the code to write instead, so the fix is one edit.
"""

from __future__ import annotations

import re
from functools import cache

from sim.scenario.baseline import countries
from sim.scenario.problems import shorten

#: Other ways of writing each state: ISO 3166-1 alpha-2, Olympic (IOC) and other common codes,
#: short, formal and former English names. Case, dots, apostrophes and a leading "the" do not
#: matter (``U.S.``, ``the philippines``).
ALIASES: dict[str, tuple[str, ...]] = {
    "USA": ("US", "United States", "United States of America", "America"),
    "CHN": ("CN", "PRC", "China", "People's Republic of China", "PR China", "Mainland China"),
    "JPN": ("JP", "Japan", "Nippon", "Nihon"),
    "KOR": (
        "KR",
        "ROK",
        "SK",
        "South Korea",
        "Republic of Korea",
        "Korea, Republic of",
        "Korea Republic",
        "Korea (South)",
        "S Korea",
    ),
    "AUS": ("AU", "Australia", "Commonwealth of Australia"),
    "IND": ("IN", "India", "Republic of India", "Bharat"),
    "TWN": (
        "TW",
        "ROC",
        "TPE",
        "Taiwan",
        "Republic of China",
        "Chinese Taipei",
        "Taiwan, Province of China",
        "Formosa",
    ),
    "RUS": ("RU", "RF", "Russia", "Russian Federation"),
    "PRK": (
        "KP",
        "DPRK",
        "NK",
        "North Korea",
        "Democratic People's Republic of Korea",
        "Korea, Democratic People's Republic of",
        "Korea DPR",
        "Korea (North)",
        "N Korea",
    ),
    "PHL": ("PH", "PHI", "RP", "Philippines", "Republic of the Philippines"),
    "VNM": ("VN", "VIE", "SRV", "Vietnam", "Viet Nam", "Socialist Republic of Vietnam"),
    "MYS": ("MY", "MAS", "MAL", "Malaysia"),
    "SGP": ("SG", "SIN", "Singapore", "Republic of Singapore"),
    "IDN": ("ID", "INA", "INDO", "RI", "Indonesia", "Republic of Indonesia"),
    "THA": ("TH", "Thailand", "Siam", "Kingdom of Thailand"),
    "KHM": ("KH", "CAM", "Cambodia", "Kampuchea", "Kingdom of Cambodia"),
    "LAO": ("LA", "Laos", "Lao PDR", "Lao People's Democratic Republic"),
    "MMR": ("MM", "MYA", "BUR", "Myanmar", "Burma", "Republic of the Union of Myanmar"),
    "BRN": ("BN", "BRU", "Brunei", "Brunei Darussalam"),
}
#: Names that stand for more than one state of the model.
AMBIGUOUS: dict[str, tuple[str, ...]] = {"Korea": ("KOR", "PRK")}
#: States of the region, and groupings, that the model does not have, by their codes and names.
NOT_MODELLED: dict[str, tuple[str, ...]] = {
    "the United Kingdom": ("UK", "GB", "GBR", "United Kingdom", "Britain", "Great Britain"),
    "New Zealand": ("NZ", "NZL", "New Zealand"),
    "France": ("FR", "FRA", "France"),
    "Canada": ("CA", "CAN", "Canada"),
    "Pakistan": ("PK", "PAK", "Pakistan"),
    "Bangladesh": ("BD", "BGD", "Bangladesh"),
    "Sri Lanka": ("LK", "LKA", "Sri Lanka"),
    "Mongolia": ("MN", "MNG", "Mongolia"),
    "Timor-Leste": ("TL", "TLS", "TMP", "Timor-Leste", "East Timor"),
    "Papua New Guinea": ("PG", "PNG", "Papua New Guinea"),
    "Hong Kong": ("HK", "HKG", "Hong Kong"),
}
#: Names that take "the" in a sentence.
_ARTICLED = {"United States", "Philippines"}


def _key(text: str) -> str:
    """A text as looked up: case, dots, apostrophes, spacing and a leading "the" ignored."""
    plain = re.sub(r"[.'’]", "", text.casefold())
    plain = re.sub(r"[^0-9a-z]+", " ", plain).strip()
    return plain.removeprefix("the ")


def _name(code: str) -> str:
    name = {c.iso3: c.name for c in countries()}.get(code, code)
    return f"the {name}" if name in _ARTICLED else name


@cache
def _lookup() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Looked-up text → (what it is: "state", "ambiguous" or "absent", the codes or the name)."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for code, names in ALIASES.items():
        for name in (code, *names):
            found[_key(name)] = ("state", (code,))
    for name, codes in AMBIGUOUS.items():
        found[_key(name)] = ("ambiguous", codes)
    for name, names in NOT_MODELLED.items():
        for other in names:
            found[_key(other)] = ("absent", (name,))
    return found


def alias_of(text: str) -> str | None:
    """The model's code of a state written another way (``ROK`` → ``KOR``), or None.

    None as well for a name of several states (``Korea``) or of none of the model's.
    """
    kind, what = _lookup().get(_key(text), ("", ()))
    return what[0] if kind == "state" else None


def alias_hint(text: object) -> str | None:
    """What to tell a user who wrote ``text`` where a country code belongs, or None.

    E.g. ``ROK is not a code here; South Korea is KOR``, ``Korea is not a code here; South
    Korea is KOR, North Korea is PRK``, ``UK is not a code here, and the United Kingdom is
    not a state of this model``. None when ``text`` is no name this module knows (then a
    close spelling is the best hint).
    """
    if not isinstance(text, str) or not text.strip():
        return None
    shown = shorten(" ".join(text.split()), 40)
    codes = {c.iso3 for c in countries()}
    if text.strip().upper() in codes:
        return f"codes are written in capitals: {text.strip().upper()}"
    kind, what = _lookup().get(_key(text), ("", ()))
    if kind == "state":
        (code,) = what
        if _key(text) == _key(_name(code)):
            return f"states are written by code: {_name(code)} is {code}"
        return f"{shown} is not a code here; {_name(code)} is {code}"
    if kind == "ambiguous":
        listed = ", ".join(f"{_name(c)} is {c}" for c in what)
        return f"{shown} is not a code here; {listed}"
    if kind == "absent":
        return f"{shown} is not a code here, and {what[0]} is not a state of this model"
    return None
