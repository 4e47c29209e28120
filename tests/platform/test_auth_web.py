"""Sign-in, sign-out, CSRF, problem+json and the language switch over the Flask test client."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.throttle import ACCOUNT_LIMIT
from esgx_platform.audit.models import AuditEvent
from tests.platform.factories import PASSWORD, csrf_from, make_world, sign_in


def test_sign_in_sets_session_and_redirects_by_role(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    sign_in(client, world.users["a_admin"])
    assert client.get("/").headers["Location"] == "/portal/"
    me = client.get("/api/v1/me").get_json()
    assert me["email"] == world.users["a_admin"].email
    assert me["memberships"] == [
        {"organization_id": str(world.supplier_a.id), "role": "supplier_admin"}
    ]


def test_wrong_password_is_refused_with_a_message_and_audited(
    client: FlaskClient, session: Session
) -> None:
    world = make_world(session)
    user = world.users["analyst"]
    token = csrf_from(client)
    response = client.post(
        "/login", data={"email": user.email, "password": "not the password", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "E-mail or password is wrong." in response.text
    assert client.get("/api/v1/me").status_code == 401
    session.refresh(user)
    assert user.failed_logins == 1
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_user_id == user.id)
    ).all()
    assert "auth.login_failed" in actions


def test_unknown_email_gets_the_same_message(client: FlaskClient, session: Session) -> None:
    make_world(session)
    token = csrf_from(client)
    response = client.post(
        "/login", data={"email": "nobody@esgx.example", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 401
    assert "E-mail or password is wrong." in response.text


def test_account_locks_after_repeated_failures(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    user = world.users["procurement"]
    token = csrf_from(client)
    for _ in range(ACCOUNT_LIMIT):
        client.post(
            "/login", data={"email": user.email, "password": "wrong-wrong", "csrf_token": token}
        )
    # Even the right password is refused now, with the lock explained (tests/platform/security
    # has the throttle's own tests).
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text


def test_sign_in_rotates_the_session(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    token_before = csrf_from(client)
    sign_in(client, world.users["analyst"])
    with client.session_transaction() as sess:
        assert sess.get("csrf") != token_before


def test_sign_out_ends_the_session(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    sign_in(client, world.users["analyst"])
    with client.session_transaction() as sess:
        token = sess["csrf"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_post_without_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    response = client.post(
        "/login", data={"email": world.users["analyst"].email, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "security token" in response.text
    assert client.get("/api/v1/me").status_code == 401


def test_csrf_token_from_another_session_is_refused(
    client: FlaskClient, app: object, session: Session
) -> None:
    world = make_world(session)
    other = client.application.test_client()
    foreign_token = csrf_from(other)
    csrf_from(client)
    response = client.post(
        "/login",
        data={
            "email": world.users["analyst"].email,
            "password": PASSWORD,
            "csrf_token": foreign_token,
        },
    )
    assert response.status_code == 403


def test_consent_form_needs_csrf(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    sign_in(client, world.users["b_admin"])
    url = f"/portal/relationships/{world.rel_b.id}/consent/give"
    assert client.post(url).status_code == 403
    session.refresh(world.rel_b)
    assert not world.rel_b.has_consent
    with client.session_transaction() as sess:
        token = sess["csrf"]
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    session.refresh(world.rel_b)
    assert world.rel_b.has_consent


def test_api_errors_are_problem_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "urn:esgx:problem:unauthenticated"
    assert body["status"] == 401
    assert body["detail_zh"] == "请先登录。"
    unknown = client.get("/api/v1/nothing-here")
    assert unknown.status_code == 404
    assert unknown.mimetype == "application/problem+json"


def test_problem_detail_follows_accept_language(client: FlaskClient) -> None:
    body = client.get("/api/v1/me", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_json()
    assert body["detail"] == "请先登录。"
    assert body["title"] == "需要登录"


def test_html_errors_are_pages_not_json(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    sign_in(client, world.users["a_admin"])
    response = client.get(f"/orgs/{world.supplier_b.id}", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Traceback" not in response.text


def test_language_switch_is_remembered_for_the_user(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    user = world.users["analyst"]
    sign_in(client, user)
    assert "Your organizations" in client.get("/").text
    with client.session_transaction() as sess:
        token = sess["csrf"]
    client.post("/language", data={"locale": "zh", "next": "/", "csrf_token": token})
    assert "您的组织" in client.get("/").text
    session.refresh(user)
    assert user.locale == "zh"


def test_language_switch_refuses_open_redirect(client: FlaskClient) -> None:
    token = csrf_from(client)
    response = client.post(
        "/language", data={"locale": "en", "next": "//evil.example/", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_login_next_parameter_stays_on_site(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    token = csrf_from(client)
    response = client.post(
        "/login",
        data={
            "email": world.users["analyst"].email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example/",
        "/\\evil.example",
        "//evil.example",
        "https://evil.example/",
        "/\n/evil.example",
        "javascript:x",
    ],
)
def test_next_never_leaves_the_site(client: FlaskClient, session: Session, target: str) -> None:
    world = make_world(session)
    token = csrf_from(client)
    response = client.post(
        "/login",
        data={
            "email": world.users["analyst"].email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": target,
        },
    )
    assert response.headers["Location"] == "/"
    again = client.get("/login", query_string={"next": target})
    assert again.headers["Location"] == "/"


def test_next_keeps_a_local_path(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    token = csrf_from(client)
    response = client.post(
        "/login",
        data={
            "email": world.users["analyst"].email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/orgs/123?tab=suppliers",
        },
    )
    assert response.headers["Location"] == "/orgs/123?tab=suppliers"
