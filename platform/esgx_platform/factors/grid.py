"""China's grid CO2 emission factors (tCO2/MWh), as published by MEE and NBS.

Source: Ministry of Ecology and Environment / National Bureau of Statistics announcements of
national, regional and provincial average grid emission factors (2021, 2022, 2023 data years),
as summarized in the project's domain brief. The 0.5703 figure is a separate series fixed for
power-sector ETS reporting and deliberately absent: it is not for inventories.
"""

from __future__ import annotations

from decimal import Decimal

TABLE_VERSION = "cn-grid-2023.1"

NATIONAL_AVERAGE = {2021: Decimal("0.5568"), 2022: Decimal("0.5366"), 2023: Decimal("0.5306")}
# 2023 national factor excluding market-traded non-fossil power: the market-based residual mix.
RESIDUAL_MIX_2023 = Decimal("0.6096")
FOSSIL_2023 = Decimal("0.8273")

REGIONAL_2023 = {
    "north": Decimal("0.6361"),
    "northeast": Decimal("0.5122"),
    "east": Decimal("0.5500"),
    "central": Decimal("0.5271"),
    "northwest": Decimal("0.5543"),
    "south": Decimal("0.4042"),
    "southwest": Decimal("0.2472"),
}

PROVINCIAL_2023 = {
    "TJ": Decimal("0.6796"),
    "HB": Decimal("0.4044"),
    "AH": Decimal("0.6553"),
    "SC": Decimal("0.1564"),
    "GD": Decimal("0.4419"),
    "BJ": Decimal("0.5554"),
    "SH": Decimal("0.5737"),
    "JS": Decimal("0.5827"),
    "ZJ": Decimal("0.4974"),
    "SD": Decimal("0.6191"),
}

# Grid regions of the provinces without a published provincial example (China's regional grids).
PROVINCE_REGION = {
    "HE": "north",
    "SX": "north",
    "NM": "north",
    "LN": "northeast",
    "JL": "northeast",
    "HL": "northeast",
    "FJ": "east",
    "JX": "central",
    "HA": "central",
    "HN": "central",
    "CQ": "southwest",
    "GX": "south",
    "HI": "south",
    "GZ": "south",
    "YN": "south",
    "XZ": "southwest",
    "SN": "northwest",
    "GS": "northwest",
    "QH": "northwest",
    "NX": "northwest",
    "XJ": "northwest",
}


def location_factor_2023(province: str | None) -> tuple[Decimal, str]:
    """The most specific 2023 location-based factor for a province and what it is."""
    if province in PROVINCIAL_2023:
        return PROVINCIAL_2023[province], f"provincial 2023 ({province})"
    region = PROVINCE_REGION.get(province or "")
    if region is not None:
        return REGIONAL_2023[region], f"regional 2023 ({region})"
    return NATIONAL_AVERAGE[2023], "national average 2023"
