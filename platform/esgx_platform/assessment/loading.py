"""Loading assessment models from parsed JSON, a file, or the default shipped in the package."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, cast

from esgx_platform.assessment.model import AssessmentModel
from esgx_platform.assessment.model_schema import ModelSchema
from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.schemas import load

DEFAULT_MODEL_FILE = "default_model.json"
# Marshmallow files whole-object errors under "_schema"; the object's own path says the same.
_SCHEMA_STEP = re.compile(r"\._schema(?=$|[.\[])")
_SCHEMA = ModelSchema()

NOT_JSON = Text("Not a JSON document: {reason}.", "不是有效的 JSON 文档：{reason}。")
REPEATED_KEY = Text(
    "The member {key} appears twice in one object.", "同一对象中成员 {key} 出现了两次。"
)
INVALID_MODEL = Text("The assessment model has {n} error(s).", "评价模型有 {n} 处错误。")


def load_model(data: Mapping[str, Any]) -> AssessmentModel:
    """Check `data` (parsed JSON) and build the model; raises InvalidInput listing every error
    with its JSON path (`$.modules[0].indicators[1].metric`) in English and Chinese."""
    try:
        # Typed as a dict, but the schema's post_load makes it the model.
        model = cast(AssessmentModel, load(_SCHEMA, data))
    except InvalidInput as exc:
        errors = tuple(FieldError(_SCHEMA_STEP.sub("", e.path), e.message) for e in exc.errors)
        raise InvalidInput(INVALID_MODEL.format(n=len(errors)), errors=errors) from None
    return model


def load_model_file(path: str | Path) -> AssessmentModel:
    """Read a UTF-8 JSON model file and load it; raises InvalidInput for malformed JSON or an
    invalid model, OSError when the file cannot be read."""
    return load_model(parse_json(Path(path).read_text("utf-8")))


@functools.cache
def default_model() -> AssessmentModel:
    """The model shipped with the platform (`default_model.json`), loaded once."""
    return load_model(parse_json(default_model_text()))


def default_model_text() -> str:
    """The default model file as shipped (a starting point for a factory's own model)."""
    package = resources.files("esgx_platform.assessment")
    return package.joinpath(DEFAULT_MODEL_FILE).read_text("utf-8")


def parse_json(text: str) -> Any:
    """Parse JSON text, refusing repeated keys (the second would silently win, and the model's
    identity would hide it); raises InvalidInput."""
    try:
        return json.loads(text, object_pairs_hook=_unique_members)
    except _RepeatedKey as exc:
        message = REPEATED_KEY.format(key=exc.key)
    except json.JSONDecodeError as exc:
        message = NOT_JSON.format(reason=str(exc))
    raise InvalidInput(message, errors=(FieldError("$", message),))


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key[:80]


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for key, value in pairs:
        if key in members:
            raise _RepeatedKey(key)
        members[key] = value
    return members
