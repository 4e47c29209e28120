"""The OpenAPI 3.1 document: valid, complete over every JSON route (a new route without its
`@operation` fails here), the strict wire fields stated truly, and its bilingual page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate

from esgx_platform.app import create_app
from esgx_platform.config import Settings
from esgx_platform.db import Database
from esgx_platform.machine.services import CLIENT_SCOPES
from esgx_platform.web.openapi_build import openapi_path

# Where JSON clients call: the API, PACT, OAuth2 and discovery, and the health check.
JSON_PREFIXES = ("/api/", "/2/", "/3/", "/auth/", "/.well-known/")
EXAMPLES = Path(__file__).parent / "disclosures"


def undocumented(app: Flask, document: dict[str, Any]) -> list[str]:
    """Every JSON route and method of the URL map that the document leaves out."""
    missing = []
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith(JSON_PREFIXES) or rule.rule == "/healthz"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            item = document["paths"].get(openapi_path(rule), {})
            if method.lower() not in item:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    return missing


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    found: dict[str, Any] = response.get_json()
    return found


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"
    schemes = document["components"]["securitySchemes"]
    flow = schemes["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/auth/token"
    assert set(flow["scopes"]) == CLIENT_SCOPES
    assert schemes["apiToken"] == {**schemes["apiToken"], "type": "http", "scheme": "bearer"}
    assert schemes["session"]["in"] == "cookie"
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_every_json_route_is_documented(app: Flask, document: dict[str, Any]) -> None:
    assert undocumented(app, document) == []
    assert "/api/v1/disclosures" in document["paths"]  # the check looks at real routes


def test_a_route_without_documentation_is_caught(
    app: Flask, settings: Settings, test_db: Database
) -> None:
    before = set(undocumented(app, app.test_client().get("/api/openapi.json").get_json()))
    grown = create_app(settings, database=test_db, TESTING=True)

    @grown.get("/api/v1/undocumented")
    def undocumented_view() -> Any:
        return jsonify({})

    after = set(undocumented(grown, grown.test_client().get("/api/openapi.json").get_json()))
    assert after - before == {"GET /api/v1/undocumented (undocumented_view)"}


def test_security_comes_from_the_views_own_decorators(document: dict[str, Any]) -> None:
    def security(path: str, method: str) -> list[dict[str, list[str]]]:
        found: list[dict[str, list[str]]] = document["paths"][path][method]["security"]
        return found

    # Suppliers' tokens submit; lead factories' clients cannot (no such client scope).
    assert security("/api/v1/disclosures", "post") == [
        {"session": []},
        {"apiToken": ["disclosures:submit"]},
    ]
    assert security("/api/v1/factories/{org_id}/rollups/{period}", "get") == [
        {"session": []},
        {"oauth2": ["rollups:read"]},
    ]
    assert security("/api/v1/factories/{org_id}/assessments", "post") == [{"session": []}]
    assert security("/api/v1/me", "get") == [{"session": []}]
    assert security("/api/v1/log/checkpoint", "get") == []
    assert security("/auth/token", "post") == [{"clientBasic": []}, {}]


def test_errors_reference_their_vocabulary(document: dict[str, Any]) -> None:
    submit = document["paths"]["/api/v1/disclosures"]["post"]["responses"]
    for status in ("400", "401", "403", "409", "413", "415", "422"):
        assert submit[status]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    token = document["paths"]["/auth/token"]["post"]["responses"]
    assert set(token) == {"200", "400", "401"}
    assert token["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OAuthError"
    }
    problem = document["components"]["schemas"]["Problem"]
    assert {"detail_en", "detail_zh", "type", "status"} <= set(problem["required"])


def _component(document: dict[str, Any], name: str) -> Draft202012Validator:
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_wire_fields_state_the_json_types_they_accept(document: dict[str, Any]) -> None:
    """The signed payloads' schemas accept the documented examples and refuse what the
    platform refuses: a JSON number for a quantity, an unknown member, a bad quarter."""
    disclosure = json.loads((EXAMPLES / "example_disclosure.json").read_text(encoding="utf-8"))
    footprint = json.loads((EXAMPLES / "example_footprint.json").read_text(encoding="utf-8"))
    check = _component(document, "Disclosure")
    assert list(check.iter_errors(disclosure)) == []
    assert list(_component(document, "ProductFootprint").iter_errors(footprint)) == []
    for path, value in (
        (("scope1", "tco2e"), 812.4),  # JSON numbers are refused
        (("scope1", "tco2e"), "8e2"),
        (("period",), "2025-Q5"),
        (("scope1", "unknownMember"), "x"),
    ):
        broken = json.loads(json.dumps(disclosure))
        target = broken
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        assert list(check.iter_errors(broken)), (path, value)
    quantity = document["components"]["schemas"]["Scope1"]["properties"]["tco2e"]
    assert quantity["type"] == "string" and quantity["pattern"].startswith("^")


def test_query_parameters_are_never_null(document: dict[str, Any]) -> None:
    ranking = document["paths"]["/api/v1/factories/{org_id}/rankings/{period}"]["get"]
    by_name = {p["name"]: p for p in ranking["parameters"]}
    assert by_name["period"]["schema"]["pattern"] == r"^[0-9]{4}(-Q[1-4])?$"
    assert by_name["category"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 15}
    assert by_name["org_id"]["schema"] == {"type": "string", "format": "uuid"}


@pytest.mark.parametrize(
    ("locale", "heading", "summary"),
    [
        ("en", "API documentation", "Submit a signed disclosure"),
        ("zh", "接口文档", "提交签名披露"),
    ],
)
def test_the_docs_page_lists_every_operation_in_the_readers_language(
    client: FlaskClient, document: dict[str, Any], locale: str, heading: str, summary: str
) -> None:
    client.set_cookie("esgx_locale", locale)
    response = client.get("/api/docs", headers={"Accept-Language": locale})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.text
    assert f"<h1>{heading}</h1>" in page and summary in page
    for item in document["paths"].values():
        for op in item.values():
            assert f'id="op-{op["operationId"]}"' in page
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    # Served whole from here: no script, style or link elsewhere.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
