"""A supplier with filed footprints and a lead factory's PACT client, through the real APIs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from esgx_platform.machine.services import create_oauth_client, issue_access_token
from tests.platform.intake.helpers import Filer, make_filer
from tests.platform.intake.test_footprints import file_footprint, footprint

HOST = "https://pact.esgx.test:8443"


def variant(**changes: Any) -> dict[str, Any]:
    """The example footprint under a new id, with top-level or `pcf.` members changed."""
    body = footprint()
    body["id"] = str(uuid.uuid4())
    for name, value in changes.items():
        target, key = (body["pcf"], name[5:]) if name.startswith("pcf__") else (body, name)
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return body


def file(filer: Filer, body: dict[str, Any]) -> str:
    response = file_footprint(filer, body)
    assert response.status_code == 201, response.get_json()
    return str(body["id"])


def client_token(session: Session, filer: Filer, scopes: list[str] | None = None) -> str:
    issued = create_oauth_client(
        session,
        organization=filer.factory,
        name="pact client",
        scopes=scopes or ["footprints:read"],
        actor_user_id=None,
    )
    token, _ = issue_access_token(
        session,
        client_id=issued.record.client_id,
        client_secret=issued.secret,
        lifetime=timedelta(hours=1),
    )
    session.commit()
    return token


@dataclass
class Pact:
    """A PACT client over the app: HTTPS on a host and port of its own, with a bearer token."""

    http: FlaskClient
    token: str

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        url = path if path.startswith("http") else HOST + path
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.http.get(url, headers=headers, **kwargs)

    def post(self, path: str, body: Any) -> TestResponse:
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.http.post(HOST + path, json=body, headers=headers)

    def ids(self, path: str) -> list[str]:
        response = self.get(path)
        assert response.status_code == 200, response.get_json()
        return [f["id"] for f in response.get_json()["data"]]


def pact_world(session: Session, client: FlaskClient) -> tuple[Filer, Pact]:
    filer = make_filer(session, client)
    return filer, Pact(client.application.test_client(), client_token(session, filer))
