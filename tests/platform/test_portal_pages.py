"""The supplier portal's own pages: filings with receipts, keys, the emissions chart."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from tests.platform.factories import make_org, make_user, sign_in
from tests.platform.intake.helpers import example_subject, make_filer


def test_supplier_sees_its_filings_keys_and_chart(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    accepted = filer.submit(example_subject()).get_json()
    home = client.get("/portal/").text
    assert "<svg" in home and "2025-Q3" in home  # the chart has the filed quarter
    history = client.get(f"/portal/orgs/{filer.supplier.id}/disclosures").text
    assert "2025-Q3" in history
    assert f"/api/v1/disclosures/{accepted['id']}/bundle" in history
    # Scope 1 + market-based Scope 2 of the example: 812.40 + 2282.77 = 3095.17.
    assert "3,095.17" in history
    keys = client.get(f"/portal/orgs/{filer.supplier.id}/keys").text
    assert filer.relationship is not None and "active" in keys


def test_pages_are_the_suppliers_own(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    filer.submit(example_subject())
    outsider = make_user(session, make_org(session, "supplier", "Outsider"), Role.SUPPLIER_ADMIN)
    session.commit()
    other = client.application.test_client()
    sign_in(other, outsider)
    for path in (
        f"/portal/orgs/{filer.supplier.id}/disclosures",
        f"/portal/orgs/{filer.supplier.id}/keys",
    ):
        response = other.get(path)
        assert response.status_code == 404
        assert "2025-Q3" not in response.text
    analyst = client.application.test_client()
    sign_in(analyst, filer.analyst)  # the customer uses its own pages, not the portal
    assert analyst.get(f"/portal/orgs/{filer.supplier.id}/disclosures").status_code == 403
