"""The ranking API: who may read and write what, the supplier's own scorecard (nothing of any
other supplier's), OAuth2 client scopes, filters and bilingual problem+json errors."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.machine.services import create_api_token, create_oauth_client
from esgx_platform.organizations.models import Organization
from esgx_platform.scoring.config import default_config_body
from esgx_platform.scoring.snapshots import store_snapshot
from tests.platform.factories import csrf_from, make_org, make_user, sign_in
from tests.platform.rollups.world import Scenario, Supplier, at

Q3 = "2025-Q3"


@dataclass
class World:
    w: Scenario
    other: Organization
    alpha: Supplier
    beta: Supplier
    gamma: Supplier
    users: dict[str, User]

    @property
    def base(self) -> str:
        return f"/api/v1/factories/{self.w.factory.id}"


def _world(session: Session) -> World:
    """Factory L: Alpha (category 1, Jiangsu) files on time; Beta (category 4, Guangdong)
    files late with assurance; Gamma withholds consent. Another factory M with a supplier of
    its own, and people of every kind."""
    w = Scenario(session)
    w.periods("2025-Q2", Q3)
    alpha = w.supplier("Alpha")
    beta = w.supplier("Beta", category=4, province="GD")
    gamma = w.supplier("Gamma", consent=False)
    w.file(alpha, "2025-Q2", "20.00")
    w.file(alpha, Q3, "18.00", renewable="30.00", target="committed")
    w.file(beta, Q3, "40.00", verification="reasonable", when=at("2025-11-20"))
    w.file(gamma, Q3, "5.00")
    other = make_org(session, "lead_factory", "Other Plant")
    operator = make_org(session, "operator", "Operator", "BJ")
    users = {
        "procurement": make_user(session, w.factory, Role.PROCUREMENT),
        "analyst": make_user(session, w.factory, Role.FACTORY_ANALYST),
        "other_procurement": make_user(session, other, Role.PROCUREMENT),
        "other_analyst": make_user(session, other, Role.FACTORY_ANALYST),
        "alpha_admin": make_user(session, alpha.org, Role.SUPPLIER_ADMIN),
        "beta_member": make_user(session, beta.org, Role.SUPPLIER_MEMBER),
        "operator": make_user(session, operator, Role.OPERATOR_ADMIN),
    }
    session.commit()
    return World(w, other, alpha, beta, gamma, users)


@pytest.fixture
def world(session: Session) -> World:
    return _world(session)


def _as(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, user)
    return client


def _csrf(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRF-Token": csrf_from(client)}


def _bearer(
    client: FlaskClient, session: Session, org: Organization, scopes: list[str]
) -> dict[str, str]:
    issued = create_oauth_client(
        session, organization=org, name="ERP", scopes=scopes, actor_user_id=None
    )
    session.commit()
    raw = f"{issued.record.client_id}:{issued.secret}".encode()
    response = client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(raw).decode()},
    )
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def _reads(world: World) -> Iterator[str]:
    yield f"{world.base}/rankings/{Q3}"
    yield f"{world.base}/ranking-config"
    yield f"{world.base}/ranking-snapshots"
    yield f"{world.base}/suppliers/{world.alpha.org.id}/ratings"


def test_procurement_reads_the_ranking_with_its_breakdown(app: Flask, world: World) -> None:
    response = _as(app, world.users["procurement"]).get(f"{world.base}/rankings/{Q3}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["period"], body["quarters"], body["supplierCount"]) == (Q3, [Q3], 3)
    assert body["config"]["version"] == 0 and len(body["config"]["metrics"]) == 14
    assert sum(body["bandCounts"].values()) == 3
    names = [s["name"]["en"] for s in body["suppliers"]]
    assert names[-1] == "Gamma"  # no consent: ranked last, not dropped
    gamma = body["suppliers"][-1]
    assert gamma["missingData"] and gamma["penalties"][0]["kind"] == "noConsent"
    alpha = next(s for s in body["suppliers"] if s["name"]["en"] == "Alpha")
    assert {c["metric"] for c in alpha["components"]} >= {"intensityRevenue", "pathGap"}
    assert all(c["reason"]["en"] and c["reason"]["zh"] for c in alpha["components"])
    assert alpha["trend"]["previousPeriod"] == "2025-Q2"


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("category=4", ["Beta"]),
        ("province=GD", ["Beta"]),
        ("missing=true", ["Gamma"]),
        ("missing=false&category=1", ["Alpha"]),
        ("band=nonesuch", []),
    ],
)
def test_filters_narrow_the_list_not_the_ranking(
    app: Flask, world: World, query: str, names: list[str]
) -> None:
    body = _as(app, world.users["analyst"]).get(f"{world.base}/rankings/{Q3}?{query}").get_json()
    assert [s["name"]["en"] for s in body["suppliers"]] == names
    assert body["supplierCount"] == 3


def test_filter_by_band_and_a_bad_filter(app: Flask, world: World) -> None:
    client = _as(app, world.users["procurement"])
    full = client.get(f"{world.base}/rankings/{Q3}").get_json()
    red = [s["name"]["en"] for s in full["suppliers"] if s["band"]["id"] == "red"]
    body = client.get(f"{world.base}/rankings/{Q3}?band=red").get_json()
    assert [s["name"]["en"] for s in body["suppliers"]] == red
    quick = client.get(f"{world.base}/rankings/{Q3}?trend=false").get_json()
    assert quick["previousPeriod"] is None and all(x["trend"] is None for x in quick["suppliers"])
    assert [x["totalScore"] for x in quick["suppliers"]] == [
        x["totalScore"] for x in full["suppliers"]
    ]
    bad = client.get(f"{world.base}/rankings/{Q3}?category=abc")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert [e["path"] for e in bad.get_json()["errors"]] == ["$.category"]
    period = client.get(f"{world.base}/rankings/2025-Q5")
    assert period.status_code == 422 and period.get_json()["errors"][0]["path"] == "period"
    assert client.get(f"{world.base}/rankings/2031").status_code == 404


def _snapshot_urls(world: World) -> list[str]:
    snapshot = store_snapshot(
        world.w.session, organization=world.w.factory, period=Q3, actor_user_id=None
    )
    world.w.session.commit()
    url = f"{world.base}/ranking-snapshots/{snapshot.id}"
    return [url, f"{url}/verification"]


@pytest.mark.parametrize("who", ["procurement", "analyst", "operator"])
def test_the_factorys_people_and_operators_read_and_write(
    app: Flask, world: World, who: str
) -> None:
    client = _as(app, world.users[who])
    for url in [*_reads(world), *_snapshot_urls(world)]:
        assert client.get(url).status_code == 200, url
    headers = _csrf(client)
    assert client.post(f"{world.base}/rankings/{Q3}/snapshots", headers=headers).status_code == 201
    ratings = client.put(
        f"{world.base}/suppliers/{world.alpha.org.id}/ratings",
        json={"cdpScore": "A", "ecovadisMedal": None},
        headers=headers,
    )
    # External ratings are procurement's (and operators'), through the API as on the pages.
    assert ratings.status_code == (403 if who == "analyst" else 200)
    config = client.put(f"{world.base}/ranking-config", json=default_config_body(), headers=headers)
    assert config.status_code == 200 and config.get_json()["version"] == 0  # the default again


@pytest.mark.parametrize(
    "who", ["other_procurement", "other_analyst", "alpha_admin", "beta_member"]
)
def test_everyone_else_finds_no_factory(
    app: Flask, session: Session, world: World, who: str
) -> None:
    client = _as(app, world.users[who])
    headers = _csrf(client)
    for url in [*_reads(world), *_snapshot_urls(world)]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["type"] == "urn:esgx:problem:not-found"
        assert "Alpha" not in response.get_data(as_text=True)
    writes = [
        client.post(f"{world.base}/rankings/{Q3}/snapshots", headers=headers),
        client.put(f"{world.base}/ranking-config", json=default_config_body(), headers=headers),
        client.put(
            f"{world.base}/suppliers/{world.alpha.org.id}/ratings",
            json={"cdpScore": "A", "ecovadisMedal": None},
            headers=headers,
        ),
    ]
    assert [r.status_code for r in writes] == [404, 404, 404]


def test_anonymous_is_asked_to_sign_in(client: FlaskClient, world: World) -> None:
    response = client.get(f"{world.base}/rankings/{Q3}")
    assert response.status_code == 401
    assert response.get_json()["type"] == "urn:esgx:problem:unauthenticated"


def test_snapshots_over_the_api(app: Flask, world: World) -> None:
    client = _as(app, world.users["procurement"])
    created = client.post(f"{world.base}/rankings/{Q3}/snapshots", headers=_csrf(client))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers["Location"].endswith(f"/ranking-snapshots/{body['id']}")
    assert body["result"]["supplierCount"] == 3 and world.alpha.filed[Q3] in body["contentIds"]
    assert world.gamma.filed[Q3] not in json.dumps(body)  # no consent: none of its ids
    listed = client.get(f"{world.base}/ranking-snapshots").get_json()["data"]
    assert [s["id"] for s in listed] == [body["id"]]
    got = client.get(f"{world.base}/ranking-snapshots/{body['id']}?inputs=true").get_json()
    assert got["result"] == body["result"] and got["inputs"]["period"] == Q3
    check = client.get(f"{world.base}/ranking-snapshots/{body['id']}/verification").get_json()
    assert check["ok"] and check["reproduced"] and check["changedSince"] == []
    # Another factory's people cannot see it, even by id.
    outsider = _as(app, world.users["other_procurement"])
    url = f"/api/v1/factories/{world.other.id}/ranking-snapshots/{body['id']}"
    assert outsider.get(url).status_code == 404


def test_configuration_over_the_api(app: Flask, world: World) -> None:
    client = _as(app, world.users["procurement"])
    url = f"{world.base}/ranking-config"
    config = default_config_body()
    config["metrics"][0]["weight"] = "25"
    config["bands"]["bands"][0]["share"] = "30"
    refused = client.put(url, json=config, headers=_csrf(client))
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["type"] == "urn:esgx:problem:invalid-input"
    assert problem["detail_en"] == "The scoring configuration has 2 error(s)."
    assert problem["detail_zh"] == "评分配置有 2 处错误。"
    assert sorted((e["path"], e["message_en"], e["message_zh"]) for e in problem["errors"]) == [
        (
            "$.bands.bands",
            "The band shares sum to 110; they must sum to 100.",
            "各档位占比之和为 110，必须等于 100。",
        ),
        (
            "$.metrics",
            "The weights sum to 105; they must sum to 100.",
            "各项权重之和为 105，必须等于 100。",
        ),
    ]
    # A person who reads Chinese gets the detail in Chinese.
    reader = make_user(world.w.session, world.w.factory, Role.PROCUREMENT, locale="zh")
    world.w.session.commit()
    zh_client = _as(app, reader)
    zh = zh_client.put(url, json=config, headers=_csrf(zh_client)).get_json()
    assert zh["detail"] == "评分配置有 2 处错误。"
    assert zh["errors"][0]["message"] == "各档位占比之和为 110，必须等于 100。"
    config["metrics"][1]["weight"] = "0"
    config["bands"]["bands"][0]["share"] = "20"
    stored = client.put(url, json=config, headers=_csrf(client))
    assert stored.status_code == 200 and stored.get_json()["version"] == 1
    current = client.get(url).get_json()
    assert current["version"] == 1 and current["body"]["metrics"][0]["weight"] == "25"
    ranked = client.get(f"{world.base}/rankings/{Q3}").get_json()
    assert ranked["config"]["version"] == 1


def test_ratings_over_the_api(app: Flask, world: World) -> None:
    client = _as(app, world.users["procurement"])
    url = f"{world.base}/suppliers/{world.alpha.org.id}/ratings"
    saved = client.put(
        url, json={"cdpScore": "B", "ecovadisMedal": "silver"}, headers=_csrf(client)
    )
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["recordedBy"] == str(world.users["procurement"].id)
    bad = client.put(url, json={"cdpScore": "Z", "ecovadisMedal": None}, headers=_csrf(client))
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "$.cdpScore"
    missing = client.put(url, json={"cdpScore": "B"}, headers=_csrf(client))
    assert missing.get_json()["errors"][0]["path"] == "$.ecovadisMedal"
    assert [r["cdpScore"] for r in client.get(url).get_json()["data"]] == ["B"]
    ranked = client.get(f"{world.base}/rankings/{Q3}").get_json()
    alpha = next(s for s in ranked["suppliers"] if s["name"]["en"] == "Alpha")
    cdp = next(c for c in alpha["components"] if c["metric"] == "cdpScore")
    assert (cdp["label"], cdp["value"], cdp["score"]) == ("B", "5", "71.43")  # 5 / 7
    stranger = make_org(world.w.session, "supplier", "Stranger")
    world.w.session.commit()
    assert client.get(f"{world.base}/suppliers/{stranger.id}/ratings").status_code == 404


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def test_a_supplier_sees_its_own_scorecard_and_nothing_of_others(app: Flask, world: World) -> None:
    client = _as(app, world.users["alpha_admin"])
    url = f"/api/v1/organizations/{world.alpha.org.id}/scorecards/{world.w.factory.id}/{Q3}"
    response = client.get(url)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    card = body["scorecard"]
    assert card["supplierId"] == str(world.alpha.org.id) and card["components"]
    assert card["band"]["id"] in {"green", "blue", "orange", "red"}
    text = response.get_data(as_text=True)
    for other in (world.beta, world.gamma):
        for secret in (
            str(other.org.id),
            str(other.relationship.id),
            other.org.name_en,
            other.org.name_zh,
        ):
            assert secret not in text
        assert other.filed[Q3] not in text
    keys = list(_keys(body))
    # One total (its own), no rank, no group sizes, no counts of the factory's suppliers.
    assert keys.count("totalScore") == 1
    assert not {
        "rank",
        "previousRank",
        "groupSize",
        "supplierCount",
        "bandCounts",
        "suppliers",
    } & set(keys)
    # Beta's member sees Beta's, and cannot ask for Alpha's.
    beta = _as(app, world.users["beta_member"])
    own = f"/api/v1/organizations/{world.beta.org.id}/scorecards/{world.w.factory.id}/{Q3}"
    assert beta.get(own).get_json()["scorecard"]["name"]["en"] == "Beta"
    assert beta.get(url).status_code == 404
    # No relationship with that factory: nothing to see.
    elsewhere = f"/api/v1/organizations/{world.alpha.org.id}/scorecards/{world.other.id}/{Q3}"
    assert client.get(elsewhere).status_code == 404
    # The factory's own people use the ranking, not the supplier's route.
    assert _as(app, world.users["procurement"]).get(url).status_code == 403


def test_oauth_clients_read_with_rankings_read_and_never_write(
    app: Flask, session: Session, world: World
) -> None:
    client = app.test_client()
    reader = _bearer(client, session, world.w.factory, ["rankings:read"])
    for url in _reads(world):
        assert client.get(url, headers=reader).status_code == 200, url
    assert client.post(f"{world.base}/rankings/{Q3}/snapshots", headers=reader).status_code == 403
    put = client.put(f"{world.base}/ranking-config", json=default_config_body(), headers=reader)
    assert put.status_code == 403 and "rankings:write" in put.get_json()["detail_en"]
    # Without the scope: refused, naming the scope.
    rollups_only = _bearer(client, session, world.w.factory, ["rollups:read"])
    refused = client.get(f"{world.base}/rankings/{Q3}", headers=rollups_only)
    assert refused.status_code == 403 and "rankings:read" in refused.get_json()["detail_en"]
    # Another factory's client: the factory does not exist for it.
    theirs = _bearer(client, session, world.other, ["rankings:read"])
    assert client.get(f"{world.base}/rankings/{Q3}", headers=theirs).status_code == 404
    # A supplier's API token never reads scorecards.
    issued = create_api_token(
        session,
        organization=world.alpha.org,
        name="ERP",
        scopes=["disclosures:read"],
        actor_user_id=None,
    )
    session.commit()
    token = {"Authorization": f"Bearer {issued.secret}"}
    url = f"/api/v1/organizations/{world.alpha.org.id}/scorecards/{world.w.factory.id}/{Q3}"
    assert client.get(url, headers=token).status_code == 403
