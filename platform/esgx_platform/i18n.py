"""Bilingual text for the domain core: every message a person reads exists in English and Chinese.

The core never imports Flask, so it cannot use request-bound gettext; instead each user-facing
message is a `Text` pair, rendered for a locale at the edge (API response, page, e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SUPPORTED_LOCALES = ("en", "zh")
DEFAULT_LOCALE = "en"


def normalize_locale(value: str | None) -> str:
    """Map a browser or user locale tag (zh-CN, zh_Hans, en-GB, ...) to a supported locale."""
    if not value:
        return DEFAULT_LOCALE
    tag = value.replace("_", "-").lower()
    if tag.startswith("zh"):
        return "zh"
    return "en" if tag.startswith("en") else DEFAULT_LOCALE


@dataclass(frozen=True)
class Text:
    """A message in English and Chinese, with `{name}` placeholders filled by `format`."""

    en: str
    zh: str

    def format(self, **params: Any) -> Text:
        return Text(self.en.format(**params), self.zh.format(**params))

    def render(self, locale: str) -> str:
        return self.zh if normalize_locale(locale) == "zh" else self.en
