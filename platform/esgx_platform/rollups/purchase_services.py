"""Recording what a lead factory bought from a supplier: quantities of products by period.

With the supplier's product footprint per declared unit, a recorded quantity gives the roll-up's
most specific figure (see `purchases.py`); the unit must therefore be the footprint's PACT
`declaredUnitOfMeasurement` and the product id one of the footprint's `productIds`.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.disclosures.model import DeclaredUnit
from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import SupplyRelationship
from esgx_platform.periods.models import ReportingPeriod
from esgx_platform.rollups.models import RelationshipPurchase

MAX_PRODUCT_ID = 200  # the column's length
# RFC 8141 as PACT uses it for productIds: "urn:" NID ":" NSS.
_URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+")
_STEP = Decimal("0.000001")  # the column's scale
_MAX_QUANTITY = Decimal(10) ** 18  # the column's 18 digits before the point

INVALID_PURCHASE = Text("The purchase was not recorded.", "采购数量未记录。")
BAD_PRODUCT_ID = Text(
    "Give the product's PACT productId, a URN (urn:<namespace>:<id>) of at most 200 characters.",
    "请填写产品的 PACT productId：不超过 200 个字符的 URN（urn:<命名空间>:<标识>）。",
)
BAD_QUANTITY = Text(
    "The quantity must be a number greater than 0, with at most 6 decimal places.",
    "数量必须是大于 0 的数字，最多 6 位小数。",
)
BAD_UNIT = Text(
    "The unit must be a PACT declared unit: {units}.",
    "单位必须是 PACT 声明单位之一：{units}。",
).format(units=", ".join(u.value for u in DeclaredUnit))


def record_purchase(
    session: Session,
    relationship: SupplyRelationship,
    period: ReportingPeriod,
    *,
    product_id: str,
    quantity: Decimal | int | str,
    unit: str,
    actor_user_id: uuid.UUID | None = None,
) -> RelationshipPurchase:
    """Set the quantity of one product bought in one period, in the unit the supplier's
    footprint declares (replacing an earlier figure for the same product and period). A
    quantity given as text (a form field) is read as a decimal number; a float is refused.

    Raises InvalidInput listing every bad field. A change is audited with the previous figure;
    recording the same figure again changes nothing.
    """
    product_id, quantity = _checked(product_id, quantity, unit)
    purchase = session.scalar(
        select(RelationshipPurchase).where(
            RelationshipPurchase.relationship_id == relationship.id,
            RelationshipPurchase.period_id == period.id,
            RelationshipPurchase.product_id == product_id,
        )
    )
    previous: dict[str, str] | None = None
    if purchase is None:
        purchase = RelationshipPurchase(
            relationship_id=relationship.id,
            period_id=period.id,
            product_id=product_id,
            quantity=quantity,
            unit=unit,
        )
        session.add(purchase)
    elif purchase.quantity == quantity and purchase.unit == unit:
        return purchase  # unchanged: nothing to record
    else:
        previous = {"quantity": str(purchase.quantity), "unit": purchase.unit}
        purchase.quantity, purchase.unit = quantity, unit
    session.flush()
    # Quantities drive supplier-specific Scope 3 figures, so a changed one must stay traceable.
    record_event(
        session,
        action="relationship.purchase_recorded",
        actor_user_id=actor_user_id,
        organization_id=relationship.lead_factory_id,
        target_type="supply_relationship",
        target_id=relationship.id,
        details={
            "period": period.key,
            "productId": product_id,
            "quantity": str(quantity),
            "unit": unit,
            "previous": previous,
        },
    )
    return purchase


def _checked(product_id: object, quantity: object, unit: object) -> tuple[str, Decimal]:
    """The product id (trimmed) and the quantity as a Decimal; InvalidInput otherwise."""
    errors: list[FieldError] = []
    product = product_id.strip() if isinstance(product_id, str) else ""
    if len(product) > MAX_PRODUCT_ID or not _URN.fullmatch(product):
        errors.append(FieldError("product_id", BAD_PRODUCT_ID))
    amount = _decimal(quantity)
    if amount is None:
        errors.append(FieldError("quantity", BAD_QUANTITY))
    if unit not in {u.value for u in DeclaredUnit}:
        errors.append(FieldError("unit", BAD_UNIT))
    if errors or amount is None:
        raise InvalidInput(INVALID_PURCHASE, errors=tuple(errors))
    return product, amount


def _decimal(value: object) -> Decimal | None:
    """A positive finite quantity the column holds exactly, else None (bool and float refused:
    a float is already rounded)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount >= _MAX_QUANTITY:
        return None
    return amount if amount == amount.quantize(_STEP) else None
