"""China's provincial-level divisions (GB/T 2260 two-letter codes as in ISO 3166-2:CN)."""

from __future__ import annotations

from esgx_platform.i18n import Text

PROVINCES: dict[str, Text] = {
    "BJ": Text("Beijing", "北京市"),
    "TJ": Text("Tianjin", "天津市"),
    "HE": Text("Hebei", "河北省"),
    "SX": Text("Shanxi", "山西省"),
    "NM": Text("Inner Mongolia", "内蒙古自治区"),
    "LN": Text("Liaoning", "辽宁省"),
    "JL": Text("Jilin", "吉林省"),
    "HL": Text("Heilongjiang", "黑龙江省"),
    "SH": Text("Shanghai", "上海市"),
    "JS": Text("Jiangsu", "江苏省"),
    "ZJ": Text("Zhejiang", "浙江省"),
    "AH": Text("Anhui", "安徽省"),
    "FJ": Text("Fujian", "福建省"),
    "JX": Text("Jiangxi", "江西省"),
    "SD": Text("Shandong", "山东省"),
    "HA": Text("Henan", "河南省"),
    "HB": Text("Hubei", "湖北省"),
    "HN": Text("Hunan", "湖南省"),
    "GD": Text("Guangdong", "广东省"),
    "GX": Text("Guangxi", "广西壮族自治区"),
    "HI": Text("Hainan", "海南省"),
    "CQ": Text("Chongqing", "重庆市"),
    "SC": Text("Sichuan", "四川省"),
    "GZ": Text("Guizhou", "贵州省"),
    "YN": Text("Yunnan", "云南省"),
    "XZ": Text("Tibet", "西藏自治区"),
    "SN": Text("Shaanxi", "陕西省"),
    "GS": Text("Gansu", "甘肃省"),
    "QH": Text("Qinghai", "青海省"),
    "NX": Text("Ningxia", "宁夏回族自治区"),
    "XJ": Text("Xinjiang", "新疆维吾尔自治区"),
    "HK": Text("Hong Kong", "香港特别行政区"),
    "MO": Text("Macao", "澳门特别行政区"),
    "TW": Text("Taiwan", "台湾省"),
}
