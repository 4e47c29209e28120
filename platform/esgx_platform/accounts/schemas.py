"""Input schemas for users and sign-in."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from esgx_platform.accounts.models import Role
from esgx_platform.accounts.passwords import MIN_PASSWORD_LENGTH
from esgx_platform.i18n import SUPPORTED_LOCALES


class UserCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=200)
    )
    locale = fields.String(load_default="zh", validate=validate.OneOf(SUPPORTED_LOCALES))


class MembershipCreateSchema(Schema):
    role = fields.Enum(Role, by_value=True, required=True)


class LoginSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
