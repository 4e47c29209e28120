"""What every `esgx` command shares: settings, one transaction, bilingual errors, lookups."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.orm import Session

from esgx_platform.config import Settings
from esgx_platform.db import Database
from esgx_platform.errors import EsgxError
from esgx_platform.i18n import Text


def settings() -> Settings:
    try:
        return Settings.from_env()
    except EsgxError as exc:
        raise click.ClickException(exc.detail.en) from None


def database() -> Database:
    return Database(settings().database_url)


BEHIND = Text(
    "The database schema is not at this version's migrations: run `esgx db upgrade` first.",
    "数据库结构与当前版本的迁移不一致：请先运行 `esgx db upgrade`。",
)


def current_database() -> Database:
    """The configured database, refused (exit 1, one bilingual line) when its schema is not at
    the newest migration: a command would otherwise fail halfway with a raw SQL error."""
    from esgx_platform.migrate import is_at_head

    opened = database()
    with opened.engine.connect() as connection:
        current = is_at_head(connection)
    if not current:
        opened.dispose()
        raise click.ClickException(both(BEHIND))
    return opened


@contextmanager
def transaction(*, write: bool = True) -> Iterator[Session]:
    """One committed transaction for a command; platform errors become a clean exit 1."""
    opened = current_database()
    try:
        with opened.transaction(write=write) as session:
            yield session
    except EsgxError as exc:
        raise fail(exc) from None
    finally:
        opened.dispose()


def fail(exc: EsgxError) -> click.ClickException:
    """One bilingual line for the error, then one for each field it names."""
    lines = [both(exc.detail)] + [f"  {e.path}: {both(e.message)}" for e in exc.errors]
    return click.ClickException("\n".join(lines))


def both(text: Text) -> str:
    return text.en if text.en == text.zh else f"{text.en} / {text.zh}"


def find_org(session: Any, org_ref: str) -> Any:
    from esgx_platform.organizations.services import find_by_uscc, get_organization

    try:
        return get_organization(session, uuid.UUID(org_ref))
    except ValueError:
        found = find_by_uscc(session, org_ref)
        if found is None:
            raise click.ClickException(f"no organization {org_ref!r}") from None
        return found
