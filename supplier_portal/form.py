"""The quarterly disclosure form: HTML fields named by their JSON path, turned into the
credential subject the API takes (so the very same schema and rules judge both), and errors
turned back into the fields they belong to.

A field's name is its path under `credentialSubject` (`scope1.tco2e`, `scope3[3].method`).
Blank fields are left out; list rows that are wholly blank are dropped, and the remaining rows
are renumbered, which `FormSubject.field_for` undoes for error messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from esgx_platform.exports import CONTROL

# Members that are whole numbers or flags on the wire; every other value is a string (decimal
# quantities are decimal strings on the wire, so they stay text).
WHOLE_NUMBERS = {"category", "customerScope3Category", "vintage", "baseYear", "targetYear"}
FLAGS = {"takeBack"}
LISTS_OF_TEXT = {"certificateIds", "serials"}
# Rows of these lists come with preset choices (a customer, a basis, a status); a row counts as
# filled only when one of these members has a value.
FILLED_WHEN = {
    "allocations": {"customerQuantity", "totalQuantity", "allocatedTco2e"},
    "targets": {"baseYear", "baseTco2e", "targetYear", "reductionPercent"},
    "offsets": {"serials", "tco2e"},
    "renewableInstruments": {"mwh"},
    "scope3": {"tco2e"},
}
# Rows of these lists are numbered by a member (scope3 rows by their category, 1-15).
NUMBERED_BY = {"scope3": "category"}
MAX_DEPTH = 6  # the deepest real field is four parts (energy.renewableInstruments[i].mwh)
NAME = re.compile(r"[A-Za-z0-9]{1,40}(\[\d{1,3}\])?(\.[A-Za-z0-9]{1,40}(\[\d{1,3}\])?){0,5}")
_TOKEN = re.compile(r"([A-Za-z0-9]+)(?:\[(\d{1,3})\])?")
_THOUSANDS = re.compile(r"(?<=\d)[,\s](?=\d{3}\b)")


@dataclass
class FormSubject:
    subject: dict[str, Any]
    # "scope3[0]" (as sent) -> "scope3[3]" (the form row it came from)
    renumbered: dict[str, str] = field(default_factory=dict)

    def field_for(self, json_path: str) -> str:
        """The form field an error path points at (or the nearest section)."""
        path = json_path.removeprefix("$.credentialSubject").lstrip(".")
        for sent, row in sorted(self.renumbered.items(), key=lambda kv: -len(kv[0])):
            if path == sent or path.startswith(sent + ".") or path.startswith(sent + "["):
                return row + path[len(sent) :]
        # A whole section missing (every field of it left empty) points at its first field,
        # so the error summary's link lands on something a keyboard user can type into.
        return FIRST_FIELD.get(path, path) or "form"


FIRST_FIELD = {
    "scope1": "scope1.tco2e",
    "scope2": "scope2.locationBasedTco2e",
    "energy": "energy.electricityMwh",
    "activity": "activity.revenue.amount",
    "activity.revenue": "activity.revenue.amount",
    "activity.output": "activity.output.amount",
    "dataQuality": "dataQuality.primaryDataShare",
    "verification": "verification.level",
}


def _value(name: str, raw: str) -> Any:
    text = CONTROL.sub("", raw).strip()
    if name in FLAGS:
        return text in ("1", "on", "true", "yes")
    if name in WHOLE_NUMBERS:
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else text
    if name in LISTS_OF_TEXT:
        return [part.strip() for part in re.split(r"[\n,;]+", text) if part.strip()]
    return _THOUSANDS.sub("", text) if re.fullmatch(r"[\d.,\s-]+", text) else text


def _set(tree: dict[str, Any], tokens: list[tuple[str, int | None]], value: Any) -> None:
    """Place a value; a name that clashes with another (used as text and as a section, or as
    a section and a list) is ignored rather than trusted."""
    node: Any = tree
    for position, (name, index) in enumerate(tokens):
        last = position == len(tokens) - 1
        if not isinstance(node, dict):
            return
        if index is None:
            if last:
                if not isinstance(node.get(name), dict):
                    node[name] = value
                return
            node = node.setdefault(name, {})
        else:
            rows = node.setdefault(name, {})
            if not isinstance(rows, dict) or (rows and not all(isinstance(k, int) for k in rows)):
                return
            if last:
                rows[index] = value
                return
            node = rows.setdefault(index, {})


def _compact(node: Any, path: str, renumbered: dict[str, str]) -> Any:
    """Sparse row dicts become lists without blank rows; remember the renumbering."""
    if isinstance(node, dict) and node and all(isinstance(k, int) for k in node):
        name = path.rsplit(".", 1)[-1]
        rows: list[Any] = []
        for index in sorted(node):
            row = _compact(node[index], f"{path}[{index}]", renumbered)
            if row in ({}, "", None, []):
                continue
            if name in FILLED_WHEN and not (isinstance(row, dict) and FILLED_WHEN[name] & set(row)):
                continue
            if name in NUMBERED_BY and isinstance(row, dict):
                row = {NUMBERED_BY[name]: index, **row}
            renumbered[f"{path}[{len(rows)}]"] = f"{path}[{index}]"
            rows.append(row)
        return rows
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            child = _compact(value, f"{path}.{key}" if path else key, renumbered)
            if child not in ({}, "", None, []):
                out[key] = child
        return out
    return node


def subject_from_form(form: Mapping[str, str]) -> FormSubject:
    """The credential subject the form describes (fields outside the naming are ignored)."""
    tree: dict[str, Any] = {}
    for name, raw in form.items():
        if not NAME.fullmatch(name):
            continue
        tokens = [
            (m.group(1), int(m.group(2)) if m.group(2) else None) for m in _TOKEN.finditer(name)
        ]
        if not tokens or "".join(
            f"{n}[{i}]" if i is not None else n for n, i in tokens
        ) != name.replace(".", ""):
            continue
        value = _value(tokens[-1][0], raw)
        if value in ("", []) and tokens[-1][0] not in FLAGS:
            continue
        _set(tree, tokens, value)
    renumbered: dict[str, str] = {}
    subject = _compact(tree, "", renumbered)
    return FormSubject(subject if isinstance(subject, dict) else {}, renumbered)


def form_from_subject(subject: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Field values for a stored draft or an earlier filing (the inverse, rows kept in order)."""
    values: dict[str, str] = {}
    for key, value in subject.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            values.update(form_from_subject(value, name))
        elif isinstance(value, list) and key in LISTS_OF_TEXT:
            values[name] = "\n".join(str(v) for v in value)
        elif isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, dict):
                    values.update(form_from_subject(row, f"{name}[{index}]"))
        elif isinstance(value, bool):
            values[name] = "on" if value else ""
        else:
            values[name] = str(value)
    return values
