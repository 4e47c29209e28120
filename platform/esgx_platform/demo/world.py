"""The demo world: one lead factory in Tianjin, its suppliers, and a user for every role.

Names are invented; places, Scope 3 categories and spend magnitudes are typical of an
electronics assembly plant's supply chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from esgx_platform.accounts.models import Role

DEMO_PASSWORD = "esgx-demo-2026"  # noqa: S105 - printed by `esgx demo`; demo data only
LEAD_FACTORY_USCC = "91120116MA05R7T29K"  # the customer in docs/disclosure-model.md's example
OPERATOR_USCC_BODY = "91110108MA00PLT1"


@dataclass(frozen=True)
class DemoSupplier:
    name_zh: str
    name_en: str
    province: str
    division: str  # 6-digit administrative division code inside the credit code
    category: int
    description: str
    quarterly_spend_cny: int  # typical spend per quarter; the seed varies it by quarter


SUPPLIERS: tuple[DemoSupplier, ...] = (
    DemoSupplier(
        "苏州华澜电路板有限公司",
        "Suzhou Hualan Circuit Boards Co., Ltd.",
        "JS",
        "320500",
        1,
        "Printed circuit boards",
        21_625_000,
    ),
    DemoSupplier(
        "深圳锐晶显示科技有限公司",
        "Shenzhen Ruijing Display Technology Co., Ltd.",
        "GD",
        "440300",
        1,
        "LCD panels",
        38_400_000,
    ),
    DemoSupplier(
        "东莞恒锋精密五金有限公司",
        "Dongguan Hengfeng Precision Metal Co., Ltd.",
        "GD",
        "441900",
        1,
        "Stamped chassis parts",
        9_800_000,
    ),
    DemoSupplier(
        "惠州新源电池有限公司",
        "Huizhou Xinyuan Battery Co., Ltd.",
        "GD",
        "441300",
        1,
        "Lithium-ion battery packs",
        27_300_000,
    ),
    DemoSupplier(
        "昆山立达连接器有限公司",
        "Kunshan Lida Connector Co., Ltd.",
        "JS",
        "320583",
        1,
        "Connectors and cables",
        6_450_000,
    ),
    DemoSupplier(
        "宁波甬塑注塑科技有限公司",
        "Ningbo Yongsu Injection Moulding Co., Ltd.",
        "ZJ",
        "330200",
        1,
        "Plastic housings",
        7_900_000,
    ),
    DemoSupplier(
        "合肥芯辰半导体有限公司",
        "Hefei Xinchen Semiconductor Co., Ltd.",
        "AH",
        "340100",
        1,
        "Power-management chips",
        18_750_000,
    ),
    DemoSupplier(
        "武汉光谷电源技术有限公司",
        "Wuhan Guanggu Power Supply Technology Co., Ltd.",
        "HB",
        "420100",
        1,
        "Power adapters",
        11_200_000,
    ),
    DemoSupplier(
        "成都天府散热器件有限公司",
        "Chengdu Tianfu Thermal Components Co., Ltd.",
        "SC",
        "510100",
        1,
        "Heat sinks and fans",
        4_350_000,
    ),
    DemoSupplier(
        "青岛海岳包装材料有限公司",
        "Qingdao Haiyue Packaging Materials Co., Ltd.",
        "SD",
        "370200",
        1,
        "Corrugated packaging",
        2_900_000,
    ),
    DemoSupplier(
        "天津滨海键盘科技有限公司",
        "Tianjin Binhai Keyboard Technology Co., Ltd.",
        "TJ",
        "120116",
        1,
        "Keyboards",
        5_600_000,
    ),
    DemoSupplier(
        "上海浦江存储科技有限公司",
        "Shanghai Pujiang Storage Technology Co., Ltd.",
        "SH",
        "310115",
        1,
        "Solid-state drives",
        32_800_000,
    ),
    DemoSupplier(
        "杭州云杉电子元件有限公司",
        "Hangzhou Yunshan Electronic Components Co., Ltd.",
        "ZJ",
        "330100",
        1,
        "Passive components",
        3_750_000,
    ),
    DemoSupplier(
        "厦门鹭岛触控技术有限公司",
        "Xiamen Ludao Touch Technology Co., Ltd.",
        "FJ",
        "350200",
        1,
        "Touch modules",
        8_650_000,
    ),
    DemoSupplier(
        "重庆两江铝业有限公司",
        "Chongqing Liangjiang Aluminium Co., Ltd.",
        "CQ",
        "500100",
        1,
        "Aluminium alloy sheet",
        6_100_000,
    ),
    DemoSupplier(
        "长沙湘江化工材料有限公司",
        "Changsha Xiangjiang Chemical Materials Co., Ltd.",
        "HN",
        "430100",
        1,
        "Solder paste and flux",
        1_850_000,
    ),
    DemoSupplier(
        "无锡太湖摄像模组有限公司",
        "Wuxi Taihu Camera Module Co., Ltd.",
        "JS",
        "320200",
        1,
        "Camera modules",
        9_300_000,
    ),
    DemoSupplier(
        "郑州中原玻璃科技有限公司",
        "Zhengzhou Zhongyuan Glass Technology Co., Ltd.",
        "HA",
        "410100",
        1,
        "Cover glass",
        4_900_000,
    ),
    DemoSupplier(
        "北京中关村软件服务有限公司",
        "Beijing Zhongguancun Software Services Co., Ltd.",
        "BJ",
        "110108",
        1,
        "Firmware and test services",
        2_400_000,
    ),
    DemoSupplier(
        "苏州精工自动化设备有限公司",
        "Suzhou Jinggong Automation Equipment Co., Ltd.",
        "JS",
        "320506",
        2,
        "SMT placement lines",
        12_500_000,
    ),
    DemoSupplier(
        "深圳创测仪器有限公司",
        "Shenzhen Chuangce Instruments Co., Ltd.",
        "GD",
        "440305",
        2,
        "Test and inspection equipment",
        5_200_000,
    ),
    DemoSupplier(
        "天津津能暖通工程有限公司",
        "Tianjin Jinneng HVAC Engineering Co., Ltd.",
        "TJ",
        "120104",
        2,
        "Chillers and HVAC retrofit",
        3_300_000,
    ),
    DemoSupplier(
        "天津综合能源服务有限公司",
        "Tianjin Integrated Energy Services Co., Ltd.",
        "TJ",
        "120101",
        3,
        "Electricity and steam supply services",
        4_100_000,
    ),
    DemoSupplier(
        "京津仓储物流有限公司",
        "Jingjin Warehousing and Logistics Co., Ltd.",
        "TJ",
        "120110",
        4,
        "Inbound trucking",
        3_850_000,
    ),
    DemoSupplier(
        "顺达国际货运代理有限公司",
        "Shunda International Freight Forwarding Co., Ltd.",
        "SH",
        "310112",
        4,
        "Sea and air freight",
        5_750_000,
    ),
    DemoSupplier(
        "华北铁路快运有限公司",
        "North China Rail Express Co., Ltd.",
        "HE",
        "130100",
        4,
        "Rail freight",
        1_950_000,
    ),
    DemoSupplier(
        "天津绿环再生资源有限公司",
        "Tianjin Lühuan Resource Recycling Co., Ltd.",
        "TJ",
        "120113",
        5,
        "Waste collection and recycling",
        620_000,
    ),
    DemoSupplier(
        "沧州清源危废处理有限公司",
        "Cangzhou Qingyuan Hazardous Waste Treatment Co., Ltd.",
        "HE",
        "130900",
        5,
        "Hazardous waste treatment",
        480_000,
    ),
    DemoSupplier(
        "津旅商务差旅服务有限公司",
        "Jinlü Business Travel Services Co., Ltd.",
        "TJ",
        "120103",
        6,
        "Business travel management",
        900_000,
    ),
    DemoSupplier(
        "天津通勤客运有限公司",
        "Tianjin Commuter Coach Co., Ltd.",
        "TJ",
        "120111",
        7,
        "Employee shuttle buses",
        750_000,
    ),
    DemoSupplier(
        "滨海智慧仓储租赁有限公司",
        "Binhai Smart Warehouse Leasing Co., Ltd.",
        "TJ",
        "120116",
        8,
        "Leased warehouse",
        1_200_000,
    ),
    DemoSupplier(
        "嘉兴南湖纸业有限公司",
        "Jiaxing Nanhu Paper Co., Ltd.",
        "ZJ",
        "330400",
        1,
        "Manuals and printed matter",
        650_000,
    ),
)
# Suppliers that have not (yet) given the lead factory data-sharing consent.
WITHOUT_CONSENT = frozenset(
    {"Xiamen Ludao Touch Technology Co., Ltd.", "North China Rail Express Co., Ltd."}
)


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    role: Role
    org: str  # "lead", "operator", or the English name of a supplier
    locale: str


USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "supplier-admin@esgx.example",
        "供应商管理员 Supplier admin",
        Role.SUPPLIER_ADMIN,
        SUPPLIERS[0].name_en,
        "zh",
    ),
    DemoUser(
        "supplier-member@esgx.example",
        "供应商成员 Supplier member",
        Role.SUPPLIER_MEMBER,
        SUPPLIERS[0].name_en,
        "zh",
    ),
    DemoUser(
        "supplier-b-admin@esgx.example",
        "供应商 B 管理员 Supplier B admin",
        Role.SUPPLIER_ADMIN,
        SUPPLIERS[1].name_en,
        "zh",
    ),
    # The supplier that files nothing for the newest quarter (seed_filings.SILENT): its people
    # get the scheduler's overdue reminder, one in Chinese and one in English (README).
    DemoUser(
        "taihu-admin@esgx.example",
        "太湖模组管理员 Taihu admin",
        Role.SUPPLIER_ADMIN,
        SUPPLIERS[16].name_en,
        "zh",
    ),
    DemoUser(
        "taihu-member@esgx.example",
        "太湖模组成员 Taihu member",
        Role.SUPPLIER_MEMBER,
        SUPPLIERS[16].name_en,
        "en",
    ),
    DemoUser("procurement@esgx.example", "采购 Procurement", Role.PROCUREMENT, "lead", "zh"),
    DemoUser(
        "analyst@esgx.example", "碳分析师 Factory analyst", Role.FACTORY_ANALYST, "lead", "en"
    ),
    DemoUser(
        "factory-admin@esgx.example", "工厂管理员 Factory admin", Role.FACTORY_ADMIN, "lead", "zh"
    ),
    DemoUser(
        "operator@esgx.example", "平台运营 Operator admin", Role.OPERATOR_ADMIN, "operator", "en"
    ),
)
