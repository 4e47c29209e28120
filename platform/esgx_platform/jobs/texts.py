"""What reminders and key-expiry warnings say, in English and Chinese."""

from __future__ import annotations

from datetime import date, datetime

from esgx_platform.i18n import Text
from esgx_platform.jobs.deadlines import Stage
from esgx_platform.notifications.letters import Letter, both, day_en, day_zh, period_long
from esgx_platform.organizations.models import Organization
from esgx_platform.periods.quarters import Quarter

_TITLES = {
    Stage.EARLY: Text(
        "Reminder: {period} emissions disclosure for {factory} due {deadline}",
        "提醒：{factory}要求的{period}排放披露将于{deadline}截止",
    ),
    Stage.FINAL: Text(
        "Deadline near: {period} emissions disclosure for {factory} due {deadline}",
        "即将截止：{factory}要求的{period}排放披露将于{deadline}截止",
    ),
    Stage.OVERDUE: Text(
        "Overdue: {period} emissions disclosure for {factory} was due {deadline}",
        "已逾期：{factory}要求的{period}排放披露已于{deadline}截止",
    ),
}
_ASK = Text(
    "{factory} asks {supplier} to file its signed emissions disclosure for {period} by "
    "{deadline} (end of day, UTC). It has not been filed yet; {left}.",
    "{factory}请{supplier}于{deadline}（UTC 当日结束前）提交{period}的签名排放披露。"
    "目前尚未提交，{left}。",
)
_LATE = Text(
    "The deadline {factory} set for {supplier}'s emissions disclosure for {period} passed on "
    "{deadline} (end of day, UTC) and it has not been filed. {factory} now sees {supplier} as "
    "overdue: please file as soon as you can.",
    "{factory}为{supplier}设定的{period}排放披露截止日期{deadline}（UTC 当日结束）已过，"
    "目前仍未提交。{factory}现已将{supplier}标记为逾期，请尽快提交。",
)
_HOW = Text(
    "File it in the supplier portal (online form or spreadsheet) and sign it with your "
    "organization's key.",
    "请在供应商门户中填写（在线表单或电子表格），并用贵单位的密钥签名后提交。",
)
_FOOTER = Text(
    "You receive this as a member of {org} on esgx. Each reminder stage is sent only once.",
    "您作为{org}在 esgx 平台上的成员收到此提醒；每个提醒阶段只发送一次。",
)


def _left(deadline_day: date, today: date) -> Text:
    days = (deadline_day - today).days
    if days <= 0:
        return Text("today is the deadline", "今天即为截止日")
    return Text(f"{days} days remain", f"距截止还有 {days} 天")


def reminder_letter(
    *,
    stage: Stage,
    factory: Organization,
    supplier: Organization,
    quarter: Quarter,
    deadline: datetime,
    today: date,
    link: str,
) -> Letter:
    """A filing reminder in both languages, with the deadline, the period and the factory."""
    day = deadline.date()
    period = period_long(quarter)
    left = _left(day, today)
    en = {"factory": factory.name_en, "supplier": supplier.name_en, "deadline": day_en(day)}
    zh = {"factory": factory.name_zh, "supplier": supplier.name_zh, "deadline": day_zh(day)}
    title = both(_TITLES[stage], {**en, "period": quarter.key}, {**zh, "period": quarter.key})
    main = _LATE if stage is Stage.OVERDUE else _ASK
    text = both(
        main,
        {**en, "period": period.en, "left": left.en},
        {**zh, "period": period.zh, "left": left.zh},
    )
    footer = both(_FOOTER, {"org": supplier.name_en}, {"org": supplier.name_zh})
    return Letter(title, (text, _HOW), link, footer)


_KEY_TITLE = Text(
    "Signing key {label} stops being valid on {day}",
    "签名密钥 {label} 将于{day}失效",
)
_KEY_TEXT = Text(
    "The signing key {kid} ({label}) of {org} was rotated and stops being valid on {day} "
    "({when} UTC), in {days} days. Disclosures signed with it after then are refused: sign with "
    "the new key, and make sure every system that files for {org} has it.",
    "{org}的签名密钥 {kid}（{label}）已轮换，将于{day}（UTC {when}）失效，还剩 {days} 天。"
    "此后用它签名的披露将被拒绝：请使用新密钥签名，并确认所有代表{org}提交数据的系统都已更换。",
)
_KEY_FOOTER = Text(
    "You receive this as an administrator of {org} on esgx.",
    "您作为{org}在 esgx 平台上的管理员收到此通知。",
)


def key_expiry_letter(
    *, org: Organization, kid: str, label: str | None, not_after: datetime, days: int, link: str
) -> Letter:
    day = not_after.date()
    shown = label or kid[:12]
    common = {"kid": kid, "label": shown, "when": f"{not_after:%Y-%m-%d %H:%M}", "days": days}
    title = both(
        _KEY_TITLE, {"label": shown, "day": day_en(day)}, {"label": shown, "day": day_zh(day)}
    )
    text = both(
        _KEY_TEXT,
        {**common, "org": org.name_en, "day": day_en(day)},
        {**common, "org": org.name_zh, "day": day_zh(day)},
    )
    footer = both(_KEY_FOOTER, {"org": org.name_en}, {"org": org.name_zh})
    return Letter(title, (text,), link, footer)
