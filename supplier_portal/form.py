"""The quarterly disclosure form: HTML fields named by their JSON path, turned into the
credential subject the API takes (so the very same schema and rules judge both), and errors
turned back into the fields they belong to.

A field's name is its path under `credentialSubject` (`scope1.tco2e`, `scope3[3].method`).
Blank fields are left out; list rows that are wholly blank are dropped, and the remaining rows
are renumbered, which `FormSubject.field_for` undoes for error messages. One member is not a
list on the wire but rows in the form: `scope1.byGas` (a JSON object from gas to amount) is
typed as rows `scope1.byGas[i].gas` / `.amount`, so any gas can be named; two rows naming the
same gas cannot both reach the object, and that is the one problem the form itself reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from esgx_platform.disclosures.schemas import GasAmounts
from esgx_platform.errors import FieldError
from esgx_platform.exports import CONTROL
from esgx_platform.i18n import Text

# Members that are whole numbers or flags on the wire; every other value is a string (decimal
# quantities are decimal strings on the wire, so they stay text).
WHOLE_NUMBERS = {"category", "customerScope3Category", "vintage", "baseYear", "targetYear"}
FLAGS = {"takeBack"}
YES, NO = {"1", "on", "true", "yes", "是"}, {"0", "off", "false", "no", "否"}
LISTS_OF_TEXT = {
    "certificateIds",
    "serials",
    "productFootprintIds",
    "companyIds",
    "productIds",
    "precedingPfIds",
    "ipccCharacterizationFactors",
    "crossSectoralStandards",
}
# PACT timestamps: a date alone (as a person types it) means midnight UTC.
TIMESTAMPS = {"created", "referencePeriodStart", "referencePeriodEnd"}
GAS_ROWS = "byGas"
REPEATED_GAS = Text(
    "This gas is already given in an earlier row; give each gas once.",
    "该气体已在前面一行填报；每种气体只填一次。",
)
# Rows of these lists come with preset choices (a customer, a basis, a status, a gas name, a
# footprint's id and PACT defaults); a row counts as filled only when one of these members
# (dotted: inside a section of the row) has a value.
FILLED_WHEN = {
    "allocations": {"customerQuantity", "totalQuantity", "allocatedTco2e"},
    "targets": {"baseYear", "baseTco2e", "targetYear", "reductionPercent"},
    "offsets": {"serials", "tco2e"},
    "renewableInstruments": {"mwh"},
    "scope3": {"tco2e"},
    GAS_ROWS: {"amount"},
    "initiatives": {"description", "expectedTco2ePerYear"},
    "productFootprints": {
        "productNameCompany",
        "productDescription",
        "productIds",
        "pcf.productMassPerDeclaredUnit",
        "pcf.pcfExcludingBiogenicUptake",
        "pcf.pcfIncludingBiogenicUptake",
        "pcf.fossilGhgEmissions",
    },
}
# Rows of these lists are numbered by a member (scope3 rows by their category, 1-15).
NUMBERED_BY = {"scope3": "category"}
MAX_DEPTH = 6  # the deepest real field is four parts (energy.renewableInstruments[i].mwh)
NAME = re.compile(r"[A-Za-z0-9]{1,40}(\[\d{1,3}\])?(\.[A-Za-z0-9]{1,40}(\[\d{1,3}\])?){0,5}")
_TOKEN = re.compile(r"([A-Za-z0-9]+)(?:\[(\d{1,3})\])?")
_THOUSANDS = re.compile(r"(?<=\d)[,\s](?=\d{3}\b)")
# An item of a list typed into one field (`offsets[0].serials[1]`) is that field.
_LIST_ITEM = re.compile(r"(\.(?:" + "|".join(sorted(LISTS_OF_TEXT)) + r"))\[\d+\]$")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_GAS_NAMES = GasAmounts()


@dataclass
class FormSubject:
    subject: dict[str, Any]
    # "scope3[0]" (as sent) -> "scope3[3]" (the form row it came from)
    renumbered: dict[str, str] = field(default_factory=dict)
    # Exact paths of the wire that no form field spells: "scope1.byGas.CH4" -> its row's field
    pointers: dict[str, str] = field(default_factory=dict)
    # What the form found wrong before any schema saw it, at form fields (a repeated gas)
    problems: tuple[FieldError, ...] = ()

    def field_for(self, json_path: str) -> str:
        """The form field an error path points at (or the nearest section)."""
        path = json_path.removeprefix("$.credentialSubject").lstrip(".")
        if path in self.pointers:
            return self.pointers[path]
        for sent, row in sorted(self.renumbered.items(), key=lambda kv: -len(kv[0])):
            if path == sent or path.startswith(sent + ".") or path.startswith(sent + "["):
                return _LIST_ITEM.sub(r"\1", row + path[len(sent) :])
        # A whole section missing (every field of it left empty) points at its first field,
        # so the error summary's link lands on something a keyboard user can type into.
        return FIRST_FIELD.get(path, _LIST_ITEM.sub(r"\1", path)) or "form"


FIRST_FIELD = {
    "scope1": "scope1.tco2e",
    "scope2": "scope2.locationBasedTco2e",
    "energy": "energy.electricityMwh",
    "activity": "activity.revenue.amount",
    "activity.revenue": "activity.revenue.amount",
    "activity.output": "activity.output.amount",
    "dataQuality": "dataQuality.primaryDataShare",
    "verification": "verification.level",
    # The gases' sum disagreeing with Scope 1: shown at the unit, the first thing to check.
    "scope1.byGas": "scope1.byGasUnit",
}


def _value(name: str, raw: str) -> Any:
    text = CONTROL.sub("", raw).strip()
    if name in FLAGS:
        # Blank is "not stated"; anything else unrecognized goes on for the schema to refuse.
        return True if text.lower() in YES else False if text.lower() in NO else text
    if name in WHOLE_NUMBERS:
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else text
    if name in LISTS_OF_TEXT:
        return text_list(text)
    if name in TIMESTAMPS and _DAY.fullmatch(text):
        return f"{text}T00:00:00Z"
    return _THOUSANDS.sub("", text) if re.fullmatch(r"[\d.,\s-]+", text) else text


def text_list(raw: str) -> list[str]:
    """The items of a list typed into one field (commas, semicolons or lines between them)."""
    return [part.strip() for part in re.split(r"[\n,;]+", raw) if part.strip()]


def _has(row: Any, member: str) -> bool:
    for part in member.split("."):
        if not isinstance(row, dict) or part not in row:
            return False
        row = row[part]
    return True


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
            if name in FILLED_WHEN and not any(_has(row, m) for m in FILLED_WHEN[name]):
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
        if value in ("", []):
            continue
        _set(tree, tokens, value)
    renumbered: dict[str, str] = {}
    compacted = _compact(tree, "", renumbered)
    mapped = FormSubject(compacted if isinstance(compacted, dict) else {}, renumbered)
    _gases_to_object(mapped)
    return mapped


def _gases_to_object(mapped: FormSubject) -> None:
    """`scope1.byGas` rows become the wire's object; errors at `scope1.byGas.<gas>` then point
    at the row's amount, or at its gas when the schema refuses the name itself."""
    scope1 = mapped.subject.get("scope1")
    if not isinstance(scope1, dict):
        return
    rows = scope1.pop(GAS_ROWS, [])
    by_gas: dict[str, Any] = {}
    problems: list[FieldError] = []
    for sent, row in enumerate(rows if isinstance(rows, list) else []):
        form_row = mapped.renumbered.pop(f"scope1.{GAS_ROWS}[{sent}]")
        gas = row.get("gas", "") if isinstance(row, dict) else ""
        if not isinstance(gas, str) or not isinstance(row, dict):
            continue
        if gas in by_gas:
            problems.append(FieldError(f"{form_row}.gas", REPEATED_GAS))
            continue
        by_gas[gas] = row["amount"]
        where = ".amount" if _names_a_gas(gas) else ".gas"
        mapped.pointers[f"scope1.{GAS_ROWS}.{gas[:40]}"] = form_row + where
    if by_gas:
        scope1[GAS_ROWS] = by_gas
    else:
        scope1.pop("byGasUnit", None)  # a unit for no figures is only the preset choice
    if not scope1:
        del mapped.subject["scope1"]
    mapped.problems = tuple(problems)


def _names_a_gas(gas: str) -> bool:
    """Whether the schema takes `gas` as a gas name (asked of the schema, not repeated here)."""
    try:
        _GAS_NAMES.deserialize({gas: "0"})
    except ValidationError:
        return False
    return True


def fields_from_post(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Posted fields as a draft keeps them: a list member sent several times (footprints
    ticked for an allocation) is one comma-separated value; any other field's first value."""
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values and name.rsplit(".", 1)[-1] in LISTS_OF_TEXT:
            values[name] = f"{values[name]}, {value}"
        else:
            values.setdefault(name, value)
    return values


def form_from_subject(subject: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Field values for a stored draft or an earlier filing (the inverse, rows kept in order)."""
    values: dict[str, str] = {}
    for key, value in subject.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and key == GAS_ROWS:
            for index, (gas, amount) in enumerate(value.items()):
                values[f"{name}[{index}].gas"] = str(gas)
                values[f"{name}[{index}].amount"] = str(amount)
        elif isinstance(value, dict):
            values.update(form_from_subject(value, name))
        elif isinstance(value, list) and key in LISTS_OF_TEXT:
            values[name] = "\n".join(str(v) for v in value)
        elif isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, dict):
                    values.update(form_from_subject(row, f"{name}[{index}]"))
        elif isinstance(value, bool):
            values[name] = "true" if value else "false"
        else:
            values[name] = str(value)
    return values
