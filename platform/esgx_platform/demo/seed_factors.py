"""The demo's spend-based estimates: an ILLUSTRATIVE factor table and price index, the demo
lead factory's choice of that table, and each supply relationship's sector."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files

from sqlalchemy.orm import Session

from esgx_platform.factors.services import (
    configure_factory,
    factory_settings,
    import_price_indices,
    import_spend_factors,
    load_conversions,
    load_factor_table,
    set_spend_sector,
)
from esgx_platform.organizations.models import Organization
from esgx_platform.organizations.services import list_relationships
from esgx_platform.rollups.models import FactorySettings

DEMO_TABLE_NAME = "esgx-demo-illustrative"
DEMO_TABLE_VERSION = "2023.1"
DEMO_TABLE_SOURCE = (
    "ILLUSTRATIVE spend factors invented for the esgx demo: NOT an EEIO table (not USEEIO, "
    "not EXIOBASE, not any published source) and never to be used for reporting. "
    "kgCO2e per CNY at 2023 prices."
)
DEMO_INDEX_SOURCE = (
    "ILLUSTRATIVE CNY price index invented for the esgx demo (2023 = 100): NOT official statistics."
)

# Each demo supplier's sector in the demo table, by its English name in world.SUPPLIERS.
SECTORS: dict[str, str] = {
    "Suzhou Hualan Circuit Boards Co., Ltd.": "printed-circuit-boards",
    "Shenzhen Ruijing Display Technology Co., Ltd.": "displays",
    "Dongguan Hengfeng Precision Metal Co., Ltd.": "metal-parts",
    "Huizhou Xinyuan Battery Co., Ltd.": "batteries",
    "Kunshan Lida Connector Co., Ltd.": "connectors",
    "Ningbo Yongsu Injection Moulding Co., Ltd.": "plastics",
    "Hefei Xinchen Semiconductor Co., Ltd.": "semiconductors",
    "Wuhan Guanggu Power Supply Technology Co., Ltd.": "power-supplies",
    "Chengdu Tianfu Thermal Components Co., Ltd.": "thermal",
    "Qingdao Haiyue Packaging Materials Co., Ltd.": "packaging",
    "Tianjin Binhai Keyboard Technology Co., Ltd.": "keyboards",
    "Shanghai Pujiang Storage Technology Co., Ltd.": "storage",
    "Hangzhou Yunshan Electronic Components Co., Ltd.": "passive-components",
    "Xiamen Ludao Touch Technology Co., Ltd.": "touch-modules",
    "Chongqing Liangjiang Aluminium Co., Ltd.": "aluminium",
    "Changsha Xiangjiang Chemical Materials Co., Ltd.": "chemicals",
    "Wuxi Taihu Camera Module Co., Ltd.": "camera-modules",
    "Zhengzhou Zhongyuan Glass Technology Co., Ltd.": "glass",
    "Beijing Zhongguancun Software Services Co., Ltd.": "software-services",
    "Suzhou Jinggong Automation Equipment Co., Ltd.": "machinery",
    "Shenzhen Chuangce Instruments Co., Ltd.": "instruments",
    "Tianjin Jinneng HVAC Engineering Co., Ltd.": "hvac",
    "Tianjin Integrated Energy Services Co., Ltd.": "energy-services",
    "Jingjin Warehousing and Logistics Co., Ltd.": "road-freight",
    "Shunda International Freight Forwarding Co., Ltd.": "freight-forwarding",
    "North China Rail Express Co., Ltd.": "rail-freight",
    "Tianjin Lühuan Resource Recycling Co., Ltd.": "waste",
    "Cangzhou Qingyuan Hazardous Waste Treatment Co., Ltd.": "hazardous-waste",
    "Jinlü Business Travel Services Co., Ltd.": "travel",
    "Tianjin Commuter Coach Co., Ltd.": "commuting",
    "Binhai Smart Warehouse Leasing Co., Ltd.": "leasing",
    "Jiaxing Nanhu Paper Co., Ltd.": "paper",
}


def demo_data(name: str) -> bytes:
    """A file shipped in `esgx_platform/factors/data/`."""
    return (files("esgx_platform.factors") / "data" / name).read_bytes()


def seed_factors(
    session: Session, lead: Organization, suppliers: Mapping[str, Organization]
) -> None:
    """Seed only what is missing, so a second run changes nothing and choices made since
    (another table, other sectors, real price indices) are kept."""
    table = import_spend_factors(  # idempotent: the same content returns the stored table
        session,
        name=DEMO_TABLE_NAME,
        version=DEMO_TABLE_VERSION,
        source=DEMO_TABLE_SOURCE,
        currency="CNY",
        price_year=2023,
        rows=demo_data("demo-spend-factors.csv"),
        illustrative=True,
    )
    if not any(currency == "CNY" for currency, _ in load_conversions(session).indices):
        import_price_indices(session, demo_data("demo-price-indices.csv"), source=DEMO_INDEX_SOURCE)
    if session.get(FactorySettings, lead.id) is None:
        configure_factory(
            session, organization=lead, spend_factor_table_id=table.id, reporting_currency="CNY"
        )
    chosen = load_factor_table(session, factory_settings(session, lead.id).spend_factor_table_id)
    known = chosen.factors if chosen is not None else {}
    names = {org.id: name for name, org in suppliers.items()}
    for rel in list_relationships(session, lead_factory_id=lead.id):
        sector = SECTORS.get(names.get(rel.supplier_id, ""))
        if rel.spend_sector_code is None and sector in known:
            set_spend_sector(session, rel, sector)
