"""What an invitation e-mail says, in English and Chinese: who invites, to which organization
and role, the one-time link and until when it works."""

from __future__ import annotations

from datetime import datetime

from esgx_platform.accounts.models import Role
from esgx_platform.i18n import Text
from esgx_platform.notifications.letters import Letter, both, day_en, day_zh
from esgx_platform.organizations.models import Organization

_TITLE = Text("Invitation to join {org} on esgx", "邀请您加入 esgx 平台上的{org}")
_INVITE = Text(
    "{inviter} invites you to join {org} on esgx, the supply-chain carbon data exchange, as "
    "{role}. There you file your organization's quarterly emissions disclosures for its "
    "customers, signed with your organization's own key.",
    "{inviter}邀请您以{role}身份加入 esgx 供应链碳数据交换平台上的{org}。您可以在平台上为贵单位的"
    "客户提交季度排放披露，并用贵单位自己的密钥签名。",
)
_EXPIRES = Text(
    "The link below works once, until {day} {time} UTC: open it to set your name and "
    "password. If you did not expect this invitation, ignore this message; nothing happens "
    "without the link.",
    "下面的链接只能使用一次，有效期至{day} UTC {time}：打开后设置您的姓名和密码。如果您并未"
    "期待此邀请，请忽略本邮件；不打开链接就不会有任何变化。",
)
_SOMEONE = Text("An administrator of {org}", "{org}的管理员")
_ROLES = {
    Role.SUPPLIER_ADMIN: Text("an administrator", "管理员"),
    Role.SUPPLIER_MEMBER: Text("a member", "成员"),
}
_ACCEPT = Text("Accept the invitation", "接受邀请")
_FOOTER = Text(
    "You receive this because an administrator of {org} entered your address on esgx.",
    "您收到此邮件，是因为{org}的管理员在 esgx 平台上填写了您的邮箱地址。",
)


def invitation_letter(
    *,
    organization: Organization,
    role: Role,
    inviter: str | None,
    link: str,
    expires_at: datetime,
) -> Letter:
    """The invitation in both languages; `inviter` is the inviting person's name, if known."""
    en = {"org": organization.name_en}
    zh = {"org": organization.name_zh}
    who = Text(inviter, inviter) if inviter else both(_SOMEONE, en, zh)
    role_text = _ROLES.get(role, Text(role.value, role.value))
    invite = both(
        _INVITE,
        {**en, "inviter": who.en, "role": role_text.en},
        {**zh, "inviter": who.zh, "role": role_text.zh},
    )
    at = f"{expires_at:%H:%M}"
    expires = both(
        _EXPIRES,
        {"day": day_en(expires_at.date()), "time": at},
        {"day": day_zh(expires_at.date()), "time": at},
    )
    return Letter(
        both(_TITLE, en, zh),
        (invite, expires),
        link,
        both(_FOOTER, en, zh),
        link_label=_ACCEPT,
    )
