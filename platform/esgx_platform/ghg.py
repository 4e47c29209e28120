"""GHG Protocol vocabulary: the 15 Scope 3 categories, in English and Chinese."""

from __future__ import annotations

from esgx_platform.i18n import Text

SCOPE3_CATEGORIES: dict[int, Text] = {
    1: Text("Purchased goods and services", "外购商品和服务"),
    2: Text("Capital goods", "资本货物"),
    3: Text("Fuel- and energy-related activities", "燃料和能源相关活动"),
    4: Text("Upstream transportation and distribution", "上游运输和配送"),
    5: Text("Waste generated in operations", "运营中产生的废弃物"),
    6: Text("Business travel", "商务差旅"),
    7: Text("Employee commuting", "员工通勤"),
    8: Text("Upstream leased assets", "上游租赁资产"),
    9: Text("Downstream transportation and distribution", "下游运输和配送"),
    10: Text("Processing of sold products", "售出产品的加工"),
    11: Text("Use of sold products", "售出产品的使用"),
    12: Text("End-of-life treatment of sold products", "售出产品的报废处理"),
    13: Text("Downstream leased assets", "下游租赁资产"),
    14: Text("Franchises", "特许经营"),
    15: Text("Investments", "投资"),
}
UPSTREAM_CATEGORIES = frozenset(range(1, 9))
