"""What notifications say, in English and Chinese, and their plain-text and HTML renderings.

Mail carries no remote images or scripts: plain text plus a simple HTML alternative with one
link to the portal, so it reads the same in any client and leaks nothing when opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from esgx_platform.i18n import Text, normalize_locale
from esgx_platform.periods.quarters import Quarter

GREETING = Text("Hello {name},", "{name}，您好：")
GREETING_UNNAMED = Text("Hello,", "您好：")  # someone without an account yet (an invitee)
PORTAL = Text("Open the supplier portal", "打开供应商门户")
# Spelled out: strftime's %B follows the process locale, and mail must not.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Letter:
    """A notification's content in both languages: a title, paragraphs, a link, a footer."""

    title: Text
    paragraphs: tuple[Text, ...]
    link: str | None
    footer: Text
    link_label: Text = PORTAL

    def body(self, locale: str) -> str:
        """The inbox text: the paragraphs and the link (no greeting, no footer)."""
        parts = [p.render(locale) for p in self.paragraphs]
        if self.link:
            parts.append(f"{self.link_label.render(locale)}: {self.link}")
        return "\n\n".join(parts)

    def mail_text(self, locale: str, name: str | None) -> str:
        greeting = _greeting(name).render(locale)
        return f"{greeting}\n\n{self.body(locale)}\n\n-- \n{self.footer.render(locale)}\n"

    def mail_html(self, locale: str, name: str | None) -> str:
        lang = "zh-CN" if normalize_locale(locale) == "zh" else "en"
        paragraphs = [_greeting(name), *self.paragraphs]
        html = [f"<p>{escape(p.render(locale))}</p>" for p in paragraphs]
        if self.link:
            label = escape(self.link_label.render(locale))
            html.append(f'<p><a href="{escape(self.link)}">{label}</a></p>')
        html.append(
            f'<p style="color:#52606d;font-size:0.9em">{escape(self.footer.render(locale))}</p>'
        )
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(self.title.render(locale))}</title></head>\n"
            '<body style="font-family:sans-serif;line-height:1.5;color:#1f2933">\n'
            + "\n".join(html)
            + "\n</body></html>\n"
        )


def _greeting(name: str | None) -> Text:
    return GREETING_UNNAMED if name is None else GREETING.format(name=name)


def both(template: Text, en: dict[str, Any], zh: dict[str, Any]) -> Text:
    """Fill a template with values of each language (names differ: name_en and name_zh)."""
    return Text(template.en.format(**en), template.zh.format(**zh))


def day_en(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def day_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_long(quarter: Quarter) -> Text:
    start, end = quarter.starts_on, quarter.ends_on
    return Text(
        f"{quarter.key} ({start.day} {MONTHS[start.month - 1]} – {day_en(end)})",
        f"{quarter.year}年第{quarter.quarter}季度（{day_zh(start)}至{end.month}月{end.day}日）",
    )
