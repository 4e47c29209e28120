"""Invitation e-mails: queued with the invitation in the invitee's chosen language, delivered
over real SMTP (aiosmtpd) with the one-time link the administrator also sees once, and the
link from the mail opens the acceptance page. A refused invitation queues nothing."""

from __future__ import annotations

import re
from email.message import EmailMessage

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.config import Settings
from esgx_platform.db import Database
from esgx_platform.notifications.mail import SmtpBackend
from esgx_platform.notifications.models import OutboxMail
from esgx_platform.notifications.outbox import deliver_due
from tests.platform.factories import make_world, sign_in
from tests.platform.jobs.conftest import SmtpServer


def _invite(client: FlaskClient, org_id: object, email: str, locale: str) -> tuple[int, str]:
    with client.session_transaction() as sess:
        token = str(sess["csrf"])
    response = client.post(
        f"/portal/orgs/{org_id}/invitations",
        data={"email": email, "role": "supplier_member", "locale": locale, "csrf_token": token},
    )
    return response.status_code, response.text


def _shown_link(page: str) -> str:
    found = re.search(r"<code>(http[^<]+/invite/[^<]+)</code>", page)
    assert found is not None
    return found.group(1)


def _part(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())


def test_invitation_mail_arrives_with_the_link_in_the_chosen_language(
    client: FlaskClient,
    session: Session,
    test_db: Database,
    settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    world = make_world(session)
    admin = world.users["a_admin"]
    sign_in(client, admin)
    status, page = _invite(client, world.supplier_a.id, "Xin.Yuangong@esgx.example", "zh")
    assert status == 201
    zh_link = _shown_link(page)
    assert "xin.yuangong@esgx.example" in page  # the page says where the mail went
    status, page = _invite(client, world.supplier_a.id, "new.hire@esgx.example", "en")
    assert status == 201
    en_link = _shown_link(page)
    queued = session.scalars(select(OutboxMail).order_by(OutboxMail.to_address)).all()
    assert [(m.to_address, m.locale) for m in queued] == [
        ("new.hire@esgx.example", "en"),
        ("xin.yuangong@esgx.example", "zh"),
    ]

    smtp = SmtpBackend("127.0.0.1", smtp_server.port)
    delivery = deliver_due(test_db, smtp, sender=settings.mail_sender)
    assert delivery.sent == 2
    by_address = {str(m["To"]): m for m in smtp_server.inbox.messages}

    zh = by_address["xin.yuangong@esgx.example"]
    assert zh["Subject"].strip() == "邀请您加入 esgx 平台上的Supplier A（中文）"
    text = _part(zh, "plain")
    assert text.startswith("您好：")
    assert (
        f"{admin.display_name}邀请您以成员身份加入 esgx 供应链碳数据交换平台上的Supplier A（中文）"
        in text
    )
    assert f"接受邀请: {zh_link}" in text
    assert f'<a href="{zh_link}">接受邀请</a>' in _part(zh, "html")

    en = by_address["new.hire@esgx.example"]
    assert en["Subject"].strip() == "Invitation to join Supplier A on esgx"
    text = _part(en, "plain")
    assert text.startswith("Hello,\r\n")
    assert f"{admin.display_name} invites you to join Supplier A on esgx" in text
    assert "as a member" in text and "works once, until" in text
    assert f"Accept the invitation: {en_link}" in text
    html = _part(en, "html")
    assert f'<a href="{en_link}">Accept the invitation</a>' in html
    assert "<img" not in html and "<script" not in html

    # The link in the mail is the working one-time link.
    newcomer = client.application.test_client()
    opened = newcomer.get(en_link.split("localhost", 1)[-1])
    assert opened.status_code == 200 and "new.hire@esgx.example" in opened.text


def test_a_refused_invitation_queues_no_mail(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    sign_in(client, world.users["a_admin"])
    member = world.users["a_member"]
    assert _invite(client, world.supplier_a.id, member.email, "en")[0] == 422  # a member
    assert _invite(client, world.supplier_a.id, "not-an-address", "en")[0] == 422
    assert session.scalars(select(OutboxMail)).all() == []
