"""How a JSON view documents itself: `@operation(...)` next to the route, read by the OpenAPI
generator (`openapi_build`) from the URL map, so a route and its documentation never drift apart.

    @bp.get("/organizations/<uuid:org_id>/keys")
    @auth_required()
    @operation(
        Text("Signing keys of an organization", "组织的签名密钥"),
        tags=("keys",),
        responses={200: listing(KeyOut)},
    )
    def keys(org_id): ...

Path parameters come from the rule's converters; who may call comes from the view's own
`auth_required` / `login_required` / `roles_required` (or `security=` when a view authenticates
otherwise); the problem+json errors every such view can answer (401, 403, 404, 415, 422...) are
added from those facts, and `problems=` names the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from marshmallow import Schema

from esgx_platform.i18n import Text

F = TypeVar("F", bound=Callable[..., Any])
# A marshmallow schema (class or instance) or a literal JSON Schema (for text, binary, free JSON).
SchemaLike = type[Schema] | Schema | Mapping[str, Any]
ATTRIBUTE = "openapi_operations"  # where a view keeps its declarations

SESSION, API_TOKEN, OAUTH2, CLIENT_BASIC = "session", "apiToken", "oauth2", "clientBasic"
TEXT: Mapping[str, Any] = {"type": "string"}
BINARY: Mapping[str, Any] = {"type": "string", "contentMediaType": "application/octet-stream"}
ANY_JSON_OBJECT: Mapping[str, Any] = {"type": "object", "additionalProperties": True}


@dataclass(frozen=True)
class Reply:
    """One response: its body's schema and media type (none for 204), headers it sets."""

    schema: SchemaLike | None = None
    description: Text | None = None
    content_type: str = "application/json"
    headers: Mapping[str, Text] = field(default_factory=dict)


@dataclass(frozen=True)
class Body:
    """The request body: one schema per accepted media type."""

    content: Mapping[str, SchemaLike]
    description: Text | None = None
    required: bool = True

    @property
    def is_json(self) -> bool:
        return any(ct == "application/json" or ct.endswith("+json") for ct in self.content)


@dataclass(frozen=True)
class ErrorBody:
    """The shape of a view's error answers: problem+json, OAuth2's or PACT's."""

    content_type: str
    schema: SchemaLike


# Who may call: alternatives, each a security scheme with its scopes (OpenAPI's requirement).
Security = tuple[Mapping[str, tuple[str, ...]], ...]
PUBLIC: Security = ()
PEOPLE: Security = ({SESSION: ()},)


@dataclass(frozen=True)
class Operation:
    summary: Text
    description: Text | None = None
    tags: tuple[str, ...] = ()
    path: type[Schema] | None = None  # refines the converters' types (patterns, descriptions)
    query: type[Schema] | None = None
    body: Body | None = None
    responses: Mapping[int, Reply] = field(default_factory=dict)
    security: Security | None = None  # None: from the view's authentication decorators
    problems: tuple[int, ...] = ()  # error statuses beyond those the facts above imply
    errors: ErrorBody | None = None  # None: problem+json
    method: str | None = None  # for a view serving several methods
    deprecated: bool = False
    # Schemas the description refers to without a body carrying them (a JWS's payload).
    see: tuple[type[Schema], ...] = ()


def operation(
    summary: Text,
    *,
    description: Text | None = None,
    tags: tuple[str, ...] = (),
    path: type[Schema] | None = None,
    query: type[Schema] | None = None,
    body: Body | SchemaLike | None = None,
    responses: Mapping[int, Reply | SchemaLike | None],
    security: Security | None = None,
    problems: tuple[int, ...] = (),
    errors: ErrorBody | None = None,
    method: str | None = None,
    deprecated: bool = False,
    see: tuple[type[Schema], ...] = (),
) -> Callable[[F], F]:
    """Record the view's OpenAPI operation on it (stacks: one per method when `method` is set).

    `body` and each response accept a schema as shorthand for JSON; a response of None has no
    body (204).
    """
    declared = Operation(
        summary=summary,
        description=description,
        tags=tags,
        path=path,
        query=query,
        body=body if isinstance(body, Body) or body is None else Body({"application/json": body}),
        responses={status: _reply(value) for status, value in responses.items()},
        security=security,
        problems=problems,
        errors=errors,
        method=method.upper() if method else None,
        deprecated=deprecated,
        see=see,
    )

    def decorator(view: F) -> F:
        # functools.wraps copies __dict__, so the declaration survives any decorator above.
        setattr(view, ATTRIBUTE, (*getattr(view, ATTRIBUTE, ()), declared))
        return view

    return decorator


def _reply(value: Reply | SchemaLike | None) -> Reply:
    if isinstance(value, Reply):
        return value
    return Reply(schema=None if value is None else value, content_type="application/json")


def declared_operation(view: Callable[..., Any], method: str) -> Operation | None:
    """The view's declaration for `method`, if it has one."""
    found: tuple[Operation, ...] = getattr(view, ATTRIBUTE, ())
    for candidate in found:
        if candidate.method in (None, method):
            return candidate
    return None


def requires(*scopes: str, people: bool = True) -> Security:
    """Who `auth_required(*scopes)` lets in: people by session, and each kind of machine token
    whose possible scopes include all of `scopes` (no scopes: any token of that kind)."""
    from esgx_platform.machine.services import CLIENT_SCOPES, SUPPLIER_TOKEN_SCOPES

    wanted = tuple(sorted(scopes))
    found: list[Mapping[str, tuple[str, ...]]] = [{SESSION: ()}] if people else []
    if set(wanted) <= SUPPLIER_TOKEN_SCOPES:
        found.append({API_TOKEN: wanted})
    if set(wanted) <= CLIENT_SCOPES:
        found.append({OAUTH2: wanted})
    return tuple(found)


def marks(view: Callable[..., Any]) -> Security | None:
    """The security the view's own authentication decorators imply (None: they say nothing)."""
    scopes: tuple[str, ...] | None = getattr(view, "auth_scopes", None)
    if scopes is not None:
        return requires(*scopes)
    if getattr(view, "people_only", False):
        return PEOPLE
    return None
