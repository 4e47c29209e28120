"""What each machine scope allows, in both languages (the API document and the client pages)."""

from __future__ import annotations

from esgx_platform.i18n import Text

SCOPE_TEXT = {
    "footprints:read": Text("Read product footprints (PACT)", "读取产品碳足迹（PACT）"),
    "disclosures:read": Text("Read verified disclosures", "读取已验证的披露"),
    "disclosures:submit": Text("Submit signed disclosures", "提交签名披露"),
    "keys:manage": Text("Register, rotate and revoke signing keys", "注册、轮换和撤销签名密钥"),
    "rollups:read": Text("Read Scope 3 roll-ups", "读取范围三汇总"),
    "assessments:read": Text("Read assessments", "读取评价结果"),
    "rankings:read": Text("Read supplier rankings", "读取供应商排名"),
    "webhooks:manage": Text("Manage webhook endpoints", "管理 Webhook 端点"),
}


def scope_text(scope: str) -> Text:
    return SCOPE_TEXT.get(scope) or Text(scope, scope)
