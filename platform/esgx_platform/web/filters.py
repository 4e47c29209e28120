"""Template helpers that render domain values in the request's language."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency
from babel.numbers import format_decimal as babel_format_decimal
from flask import Flask

from esgx_platform.db import utcnow
from esgx_platform.ghg import SCOPE3_CATEGORIES
from esgx_platform.i18n import Text
from esgx_platform.jobs.deadlines import overdue_quarters
from esgx_platform.organizations.models import OrgKind
from esgx_platform.organizations.provinces import PROVINCES
from esgx_platform.web.i18n import current_locale

_KINDS = {
    OrgKind.SUPPLIER: Text("Supplier", "供应商"),
    OrgKind.LEAD_FACTORY: Text("Lead factory", "龙头工厂"),
    OrgKind.OPERATOR: Text("Platform operator", "平台运营方"),
}


def kind_label(kind: OrgKind) -> str:
    return _KINDS[kind].render(current_locale())


def province_label(code: str | None) -> str:
    text = PROVINCES.get(code or "")
    return text.render(current_locale()) if text else (code or "—")


def category_label(category: int) -> str:
    text = SCOPE3_CATEGORIES.get(category)
    return text.render(current_locale()) if text else str(category)


def format_decimal(amount: Decimal) -> str:
    babel_locale = "zh_Hans_CN" if current_locale() == "zh" else "en_US"
    return str(babel_format_decimal(amount, format="#,##0.00", locale=babel_locale))


def format_money(amount: Decimal, currency: str | None) -> str:
    babel_locale = "zh_Hans_CN" if current_locale() == "zh" else "en_US"
    return str(format_currency(amount, currency or "CNY", locale=babel_locale))


def overdue_of(quarters: Iterable[Any], deadline_days: int) -> list[str]:
    """Of a scorecard's quarters (`.quarter`, `.status`), those still unfiled after the
    factory's deadline: the "overdue" badge wherever suppliers are listed."""
    return overdue_quarters(((q.quarter, q.status) for q in quarters), deadline_days, utcnow())


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        kind_label=kind_label,
        province_label=province_label,
        category_label=category_label,
        format_money=format_money,
        format_decimal=format_decimal,
        overdue_of=overdue_of,
    )
