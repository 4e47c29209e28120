"""The PACT v3 host: ListFootprints filters and paging, GetFootprint, authentication, tenancy."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from esgx_platform.db import utcnow
from esgx_platform.machine.models import OAuthAccessToken
from esgx_platform.machine.services import create_api_token, sha256_hex
from esgx_platform.organizations.services import withdraw_consent
from tests.platform.factories import make_org
from tests.platform.pact.helpers import HOST, Pact, client_token, file, pact_world, variant

PRODUCT = "urn:pact:example.com:product-id:housing-a7"


def _next(response: object) -> str | None:
    link = getattr(response, "headers", {}).get("Link")
    if link is None:
        return None
    found = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert found, link
    return found.group(1)


def test_lists_and_gets_the_suppliers_footprints_as_filed(
    client: FlaskClient, session: Session
) -> None:
    filer, pact = pact_world(session, client)
    body = variant()
    file(filer, body)
    listed = pact.get("/3/footprints")
    assert listed.status_code == 200
    assert listed.get_json() == {"data": [body]}  # exactly as filed, unknown members included
    one = pact.get(f"/3/footprints/{body['id']}")
    assert one.status_code == 200
    assert one.get_json() == {"data": body}
    assert one.get_json()["data"]["pcf"]["pcfExcludingBiogenicUptake"] == "5.31"  # a string


def test_empty_list_is_a_list_never_null(client: FlaskClient, session: Session) -> None:
    _, pact = pact_world(session, client)
    response = pact.get("/3/footprints")
    assert response.status_code == 200
    assert response.get_json() == {"data": []}


def test_identifier_filters_match_case_insensitively_and_or_repeated_values(
    client: FlaskClient, session: Session
) -> None:
    filer, pact = pact_world(session, client)
    a7 = file(filer, variant())
    b9 = file(filer, variant(productIds=["urn:pact:example.com:product-id:bracket-b9"]))
    assert pact.ids(f"/3/footprints?productId={PRODUCT.upper()}") == [a7]
    assert pact.ids("/3/footprints?productId=urn:pact:example.com:product-id:BRACKET-B9") == [b9]
    both = f"/3/footprints?productId={PRODUCT}&productId=urn:pact:example.com:product-id:bracket-b9"
    assert pact.ids(both) == [a7, b9]
    assert pact.ids("/3/footprints?productId=urn:pact:null") == []
    company = "urn:esgx:org:91320500MA1N2K3P99"
    assert pact.ids(f"/3/footprints?companyId={company.lower()}") == [a7, b9]
    assert pact.ids("/3/footprints?companyId=urn:esgx:org:91110000000000000X") == []
    cpc = "urn:pact:productclassification:un-cpc:4299"
    other = file(filer, variant(productClassifications=["urn:pact:productclassification:x:1"]))
    assert pact.ids(f"/3/footprints?classification={cpc.upper()}") == [a7, b9]
    assert pact.ids("/3/footprints?classification=urn:pact:productclassification:x:1") == [other]
    # Different parameters are AND-ed.
    assert pact.ids(f"/3/footprints?productId={PRODUCT}&classification=urn:x:y") == []


def test_geography_matches_region_country_or_subdivision(
    client: FlaskClient, session: Session
) -> None:
    filer, pact = pact_world(session, client)
    country = file(filer, variant())  # geographyCountry CN
    subdivision = file(
        filer, variant(pcf__geographyCountry=None, pcf__geographyCountrySubdivision="CN-TJ")
    )
    region = file(
        filer, variant(pcf__geographyCountry=None, pcf__geographyRegionOrSubregion="Eastern Asia")
    )
    assert pact.ids("/3/footprints?geography=cn") == [country]
    assert pact.ids("/3/footprints?geography=CN-TJ") == [subdivision]
    assert pact.ids("/3/footprints?geography=eastern%20asia") == [region]
    assert pact.ids("/3/footprints?geography=CN&geography=CN-TJ") == [country, subdivision]
    assert pact.ids("/3/footprints?geography=DE") == []


def test_validity_filters_use_the_given_period_or_three_years_after_the_reference_end(
    client: FlaskClient, session: Session
) -> None:
    filer, pact = pact_world(session, client)
    given = file(filer, variant())  # valid 2025-10-01 .. 2028-09-30 as filed
    # No validity period: 2025-10-01 (referencePeriodEnd) .. 2028-10-01.
    default = file(filer, variant(validityPeriodStart=None, validityPeriodEnd=None))
    assert pact.ids("/3/footprints?validOn=2026-01-01T00:00:00Z") == [given, default]
    assert pact.ids("/3/footprints?validOn=2028-09-30T12:00:00Z") == [default]
    assert pact.ids("/3/footprints?validOn=2025-09-30T00:00:00Z") == []
    assert pact.ids("/3/footprints?validAfter=2025-09-30T00:00:00Z") == [given, default]
    assert pact.ids("/3/footprints?validAfter=2025-10-01T00:00:00Z") == []  # start > t
    assert pact.ids("/3/footprints?validBefore=2028-10-01T00:00:00Z") == [given]  # end < t
    assert pact.ids("/3/footprints?validBefore=2028-10-02T00:00:00Z") == [given, default]
    assert pact.ids("/3/footprints?validBefore=2028-09-30T00:00:00Z") == []


def test_a_successor_deprecates_the_footprint_it_names(
    client: FlaskClient, session: Session
) -> None:
    filer, pact = pact_world(session, client)
    old = file(filer, variant())
    new = file(filer, variant(precedingPfIds=[old]))
    assert pact.ids("/3/footprints?status=Active") == [new]
    assert pact.ids("/3/footprints?status=deprecated") == [old]
    assert pact.ids("/3/footprints?status=Active&status=Deprecated") == [old, new]
    assert pact.get(f"/3/footprints/{old}").get_json()["data"]["status"] == "Deprecated"
    successor = pact.get(f"/3/footprints/{new}").get_json()["data"]
    assert successor["status"] == "Active"
    assert successor["precedingPfIds"] == [old]


def test_pages_are_linked_absolutely_and_stay_the_same_while_footprints_arrive(
    client: FlaskClient, session: Session
) -> None:
    filer, pact = pact_world(session, client)
    ids = [file(filer, variant()) for _ in range(5)]
    first = pact.get(f"/3/footprints?limit=2&productId={PRODUCT}")
    assert [f["id"] for f in first.get_json()["data"]] == ids[:2]
    link = _next(first)
    assert link is not None
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("https", "pact.esgx.test:8443")
    assert parse_qs(parts.query)["productId"] == [PRODUCT]  # the filters travel along
    assert parse_qs(parts.query)["limit"] == ["2"]
    second = pact.get(link)
    assert [f["id"] for f in second.get_json()["data"]] == ids[2:4]
    # New footprints, one of them deprecating a footprint of the second page.
    file(filer, variant())
    file(filer, variant(precedingPfIds=[ids[2]]))
    again = pact.get(link)
    assert again.get_json() == second.get_json()  # the same page, statuses included
    assert again.headers["ETag"] == second.headers["ETag"]
    third_link = _next(again)
    assert third_link is not None
    third = pact.get(third_link)
    assert [f["id"] for f in third.get_json()["data"]] == ids[4:]
    assert _next(third) is None
    fresh = pact.ids(f"/3/footprints?productId={PRODUCT}&limit=100")
    assert len(fresh) == 7  # a new listing sees the new footprints


def test_conditional_get_answers_not_modified(client: FlaskClient, session: Session) -> None:
    filer, pact = pact_world(session, client)
    file(filer, variant())
    first = pact.get("/3/footprints")
    etag = first.headers["ETag"]
    assert pact.get("/3/footprints", headers={"If-None-Match": etag}).status_code == 304
    file(filer, variant())
    assert pact.get("/3/footprints", headers={"If-None-Match": etag}).status_code == 200


def test_bad_parameters_are_bad_requests(client: FlaskClient, session: Session) -> None:
    filer, pact = pact_world(session, client)
    file(filer, variant())
    file(filer, variant())
    for query in ("limit=0", "limit=-1", "limit=ten", "validOn=yesterday", "status=Retired"):
        response = pact.get(f"/3/footprints?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["code"] == "BadRequest", query
        assert response.get_json()["message"], query
    link = _next(pact.get("/3/footprints?limit=1"))
    assert link is not None
    tampered = re.sub(r"cursor=([^&]+)", lambda m: "cursor=x" + m.group(1)[1:], link)
    assert pact.get(tampered).get_json()["code"] == "BadRequest"


def test_unknown_and_other_suppliers_footprints_are_not_found(
    client: FlaskClient, session: Session
) -> None:
    _, pact = pact_world(session, client)
    for path in (
        "/3/footprints/5b8f0d3e-0000-4000-8000-000000000000",
        "/3/footprints/not-a-uuid",
        "/3/no-such-thing",
    ):
        response = pact.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["code"] == "NotFound", path


def test_authentication_failures_carry_pact_codes(client: FlaskClient, session: Session) -> None:
    filer, pact = pact_world(session, client)
    http = pact.http
    missing = http.get(HOST + "/3/footprints")
    assert missing.status_code == 401
    assert missing.get_json()["code"] == "BadRequest"
    made_up = Pact(http, "esgxc_at_made-up").get("/3/footprints")
    assert (made_up.status_code, made_up.get_json()["code"]) == (401, "BadRequest")
    session.execute(
        update(OAuthAccessToken)
        .where(OAuthAccessToken.token_sha256 == sha256_hex(pact.token))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    expired = pact.get("/3/footprints")
    assert (expired.status_code, expired.get_json()["code"]) == (401, "TokenExpired")
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")
    no_scope = Pact(http, client_token(session, filer, ["disclosures:read"]))
    denied = no_scope.get("/3/footprints")
    assert (denied.status_code, denied.get_json()["code"]) == (403, "AccessDenied")
    supplier_token = create_api_token(
        session,
        organization=filer.supplier,
        name="erp",
        scopes=["disclosures:read"],
        actor_user_id=None,
    )
    session.commit()
    supplier = Pact(http, supplier_token.secret).get("/3/footprints")
    assert (supplier.status_code, supplier.get_json()["code"]) == (403, "AccessDenied")


def test_plain_http_is_not_answered(client: FlaskClient, session: Session) -> None:
    _, pact = pact_world(session, client)
    response = pact.http.get(
        "http://pact.esgx.test/3/footprints", headers={"Authorization": f"Bearer {pact.token}"}
    )
    assert response.status_code == 400
    assert "HTTPS" in response.get_json()["message"]


def test_a_client_sees_only_consenting_suppliers_of_its_own_factory(
    client: FlaskClient, session: Session
) -> None:
    filer, pact = pact_world(session, client)
    mine = file(filer, variant())
    assert pact.ids("/3/footprints") == [mine]
    # Another lead factory's client: nothing, and not found by id.
    other = make_org(session, "lead_factory", "Another Plant")
    session.commit()
    outsider_filer = type(filer)(
        filer.supplier, other, filer.relationship, filer.admin, filer.analyst, filer.key, client
    )
    outsider = Pact(pact.http, client_token(session, outsider_filer))
    assert outsider.ids("/3/footprints") == []
    assert outsider.get(f"/3/footprints/{mine}").status_code == 404
    # Consent withdrawn: the factory's own client sees nothing either.
    withdraw_consent(session, filer.relationship, actor_user_id=None)
    session.commit()
    assert pact.ids("/3/footprints") == []
    assert pact.get(f"/3/footprints/{mine}").status_code == 404
