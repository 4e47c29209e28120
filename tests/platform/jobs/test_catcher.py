"""The development mail catcher's handler prints what arrives decoded, in either language."""

from __future__ import annotations

import io
import uuid

from aiosmtpd.controller import Controller

from esgx_platform.i18n import Text
from esgx_platform.notifications.catcher import Readable
from esgx_platform.notifications.letters import Letter
from esgx_platform.notifications.mail import Mail, SmtpBackend, build_message
from tests.platform.jobs.conftest import free_port


def test_the_catcher_prints_chinese_mail_readably() -> None:
    letter = Letter(
        Text("Reminder", "提醒：请提交2026-Q4排放披露"),
        (Text("Please file.", "请尽快提交。"),),
        "https://esgx.example/portal",
        Text("Footer", "页脚"),
    )
    mail = Mail(
        id=uuid.uuid4(),
        to="taihu-admin@esgx.example",
        subject=letter.title.zh,
        text=letter.mail_text("zh", "太湖"),
        html=letter.mail_html("zh", "太湖"),
    )
    stream = io.StringIO()
    port = free_port()
    controller = Controller(Readable(stream), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        SmtpBackend("127.0.0.1", port).send(build_message(mail, sender="esgx@esgx.example"))
    finally:
        controller.stop()
    shown = stream.getvalue()
    assert "To: taihu-admin@esgx.example" in shown
    assert "Subject: 提醒：请提交2026-Q4排放披露" in shown
    assert "太湖，您好：\n\n请尽快提交。\n\n打开供应商门户: https://esgx.example/portal" in shown
    assert "base64" not in shown
