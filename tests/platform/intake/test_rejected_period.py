"""A refused disclosure's audit event names the period its payload claims, when it says one."""

from __future__ import annotations

import base64
import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.intake.credentials import claimed_period
from tests.platform.intake.helpers import example_subject, make_filer


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


HEADER = _segment(json.dumps({"alg": "EdDSA", "kid": "k"}).encode())


def _jws(payload: bytes) -> str:
    return ".".join((HEADER, _segment(payload), _segment(b"sig")))


def _claiming(period: object) -> str:
    return _jws(json.dumps({"credentialSubject": {"period": period}}).encode())


def _rejections(session: Session) -> list[dict[str, object]]:
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "disclosure.rejected").order_by(AuditEvent.id)
    ).all()
    return [dict(e.details) for e in events]


def test_claimed_period_reads_the_unverified_payload() -> None:
    assert claimed_period(_claiming("2025-Q3")) == "2025-Q3"
    assert claimed_period(f"  {_claiming('2024-Q4')}\n") == "2024-Q4"


@pytest.mark.parametrize(
    "jws",
    [
        "",
        "garbage",
        "a.b",
        "a.b.c.d",
        "..",
        "x.%%%.y",
        "x.é.y",
        _jws(b"not json"),
        _jws(b"\xff\xfe"),
        _jws(b"[1, 2]"),
        _jws(b'{"credentialSubject": "2025-Q3"}'),
        _jws(b'{"period": "2025-Q3"}'),
        _jws(b"[" * 100_000 + b"]" * 100_000),
        _claiming(2025),
        _claiming(None),
        _claiming("2025-Q5"),
        _claiming("2025-q3"),
        _claiming("2025-Q3\n"),
        _claiming(" 2025-Q3"),
        _claiming("25-Q3"),
        _claiming("٢٠٢٥-Q3"),  # Arabic-Indic digits: \d alone would take them
        _claiming("2025-Q3" * 50),
    ],
)
def test_claimed_period_is_none_for_anything_else(jws: str) -> None:
    assert claimed_period(jws) is None


def test_single_submission_refusal_records_the_claimed_period(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    broken = example_subject()
    broken["allocations"][0]["allocatedTco2e"] = "5000.00"  # 4686.42 expected
    assert filer.submit(broken).status_code == 422
    assert filer.post("/api/v1/disclosures", {"jws": "garbage"}).status_code == 400
    refused = _rejections(session)
    assert [(r["problem"], r.get("period")) for r in refused] == [
        ("rule-violation", "2025-Q3"),
        ("malformed", None),
    ]
    assert "period" not in refused[1]


def test_batch_refusals_record_the_claimed_period(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    broken = example_subject()
    broken["period"] = "2025-Q2"
    broken["allocations"][0]["allocatedTco2e"] = "5000.00"
    response = filer.post(
        "/api/v1/disclosures/batch",
        {"jws": [filer.sign(example_subject()), "garbage", filer.sign(broken)]},
    )
    assert [r["status"] for r in response.get_json()["results"]] == [201, 400, 422]
    refused = _rejections(session)
    assert sorted((r["batch_position"], r.get("period")) for r in refused) == [
        (1, None),
        (2, "2025-Q2"),
    ]
