"""Loading credential subjects; marshmallow errors become FieldErrors at `$.credentialSubject`."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema

from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.schemas import load

ROOT = "$.credentialSubject"
# Marshmallow files errors that concern a whole object (wrong JSON type, schema validators
# without a field) under "_schema"; the object's own path says the same thing to a reader.
_SCHEMA_STEP = re.compile(r"\._schema(?=$|[.\[])")


def path(*steps: str | int) -> str:
    """A JSON path under the subject: path("allocations", 0, "customer")."""
    return ROOT + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in steps)


def load_subject(schema: Schema, subject: Any) -> Any:
    """Load `subject` with `schema`; raise InvalidInput whose paths start at the subject."""
    try:
        # Typed for mappings, but given anything else marshmallow answers "Invalid input type.".
        return load(schema, subject)
    except InvalidInput as exc:
        errors = tuple(FieldError(_rooted(e.path), e.message) for e in exc.errors)
        raise InvalidInput(
            Text(
                "The credential subject has {n} error(s).",
                "凭证主体（credentialSubject）有 {n} 处错误。",
            ).format(n=len(errors)),
            errors=errors,
        ) from None


def _rooted(where: str) -> str:
    return ROOT + _SCHEMA_STEP.sub("", where)[1:]


def frozen(data: dict[str, Any]) -> dict[str, Any]:
    """Loaded members ready for a frozen dataclass: JSON arrays become tuples."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}
