"""Every interface string has a Chinese translation (extracted the way `make messages` does)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[2]
CATALOG = (
    REPO / "platform" / "esgx_platform" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
)


def test_every_interface_string_is_translated() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    assert not catalog.fuzzy  # a fuzzy catalog is not compiled at all
    method_map = [
        ("platform/esgx_platform/**.py", "python"),
        ("supplier_portal/**.py", "python"),
        ("platform/esgx_platform/templates/**.html", "jinja2"),
        ("supplier_portal/templates/**.html", "jinja2"),
    ]
    extracted = {
        message
        for _, _, message, _, _ in extract_from_dir(str(REPO), method_map)
        if isinstance(message, str)
    }
    assert extracted, "nothing extracted: the extraction map is wrong"
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(extracted - translated)
    assert missing == []
    fuzzy = sorted(m.id for m in catalog if m.id and m.fuzzy)
    assert fuzzy == []
