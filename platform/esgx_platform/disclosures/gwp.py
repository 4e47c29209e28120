"""100-year global warming potentials (IPCC AR5 and AR6) for converting tonnes of gas to CO2e.

Source: `docs/domain.md` (IPCC AR5 WG1 table 8.7 without climate-carbon feedback; AR6 WG1
table 7.15). AR6 gives methane two values: a plain `CH4` is taken as **fossil** (29.8), the
conservative choice for a factory's Scope 1 (combustion and process leaks); biogenic methane
(wastewater, biomass) is declared as `CH4_nonfossil` (27.0), and `CH4_fossil` may be spelled
out. AR5 has one methane value (28) for all three keys. A gas without a value here can still be
reported in CO2e (`byGasUnit: "co2e"`), just not converted from tonnes of gas.
"""

from __future__ import annotations

from decimal import Decimal

from esgx_platform.disclosures.model import GwpSet

GWP100: dict[GwpSet, dict[str, Decimal]] = {
    GwpSet.AR5: {
        "CO2": Decimal(1),
        "CH4": Decimal(28),
        "CH4_fossil": Decimal(28),
        "CH4_nonfossil": Decimal(28),
        "N2O": Decimal(265),
        "SF6": Decimal(23500),
        "NF3": Decimal(16100),
        "HFC-134a": Decimal(1300),
    },
    GwpSet.AR6: {
        "CO2": Decimal(1),
        "CH4": Decimal("29.8"),
        "CH4_fossil": Decimal("29.8"),
        "CH4_nonfossil": Decimal("27.0"),
        "N2O": Decimal(273),
        "SF6": Decimal(24300),
        "NF3": Decimal(17400),
        "HFC-134a": Decimal(1530),
    },
}


def gwp(gwp_set: GwpSet, gas: str) -> Decimal | None:
    """The gas's GWP in the set, or None when the set has no value for it."""
    return GWP100[gwp_set].get(gas)
