"""The `esgx` command line: database, organizations, users, serving and the demo."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.orm import Session

from esgx_platform.config import Settings
from esgx_platform.db import Database, utcnow
from esgx_platform.errors import EsgxError

_ORG_KINDS = ("supplier", "lead_factory", "operator")
_ROLES = ("supplier_admin", "supplier_member", "procurement", "factory_analyst", "operator_admin")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except EsgxError as exc:
        raise click.ClickException(exc.detail.en) from None


def _database() -> Database:
    return Database(_settings().database_url)


@contextmanager
def _transaction(*, write: bool = True) -> Iterator[Session]:
    """One committed transaction for a command; platform errors become a clean exit 1."""
    database = _database()
    try:
        with database.transaction(write=write) as session:
            yield session
    except EsgxError as exc:
        raise _fail(exc) from None
    finally:
        database.dispose()


def _fail(exc: EsgxError) -> click.ClickException:
    lines = [exc.detail.en] + [f"  {e.path}: {e.message.en}" for e in exc.errors]
    return click.ClickException("\n".join(lines))


@click.group(help="esgx: the supply-chain ESG data exchange platform.")
@click.version_option(package_name="esgx")
def main() -> None:
    """Entry point of the console script."""


@main.group(help="Database schema: migrate and check.")
def db() -> None:
    pass


@db.command("upgrade", help="Apply all pending migrations (creates the SQLite file if needed).")
def db_upgrade() -> None:
    from esgx_platform.migrate import head_revision, upgrade_to_head

    database = _database()
    try:
        upgrade_to_head(database.engine)
    finally:
        database.dispose()
    click.echo(f"database at revision {head_revision()}")


@db.command("check", help="Compare the models with the migrated schema; exit 1 on drift.")
def db_check() -> None:
    from esgx_platform.migrate import current_revision, head_revision, schema_drift

    database = _database()
    try:
        with database.engine.connect() as connection:
            current = current_revision(connection)
            drift = schema_drift(connection)
    finally:
        database.dispose()
    if current != head_revision():
        raise click.ClickException(
            f"database at revision {current}, migrations head is {head_revision()}: "
            "run `esgx db upgrade`"
        )
    if drift:
        raise click.ClickException("models and migrations differ:\n" + "\n".join(drift))
    click.echo(f"no drift: schema at {current} matches the models")


@main.group(help="Organizations.")
def org() -> None:
    pass


@org.command("create", help="Create an organization (suppliers, lead factories, the operator).")
@click.option("--kind", type=click.Choice(_ORG_KINDS), required=True)
@click.option("--name-zh", required=True, help="Registered Chinese name.")
@click.option("--name-en", required=True, help="English name.")
@click.option("--uscc", help="18-character unified social credit code (required in China).")
@click.option("--country", default="CN", show_default=True, help="ISO 3166 alpha-2 code.")
@click.option("--province", help="Two-letter province code, e.g. TJ, JS, GD.")
def org_create(**values: Any) -> None:
    from esgx_platform.organizations.services import create_organization

    with _transaction() as session:
        created = create_organization(session, values)
        click.echo(f"{created.id} {created.urn}")


@org.command("list", help="List organizations: id, URN, kind and English name.")
@click.option("--uscc", help="Only the organization with this credit code.")
def org_list(uscc: str | None) -> None:
    from sqlalchemy import select

    from esgx_platform.organizations.models import Organization

    with _transaction(write=False) as session:
        stmt = select(Organization).order_by(Organization.kind, Organization.name_en)
        if uscc:
            stmt = stmt.where(Organization.uscc == uscc.upper())
        for item in session.scalars(stmt):
            click.echo(f"{item.id} {item.urn} {item.kind.value} {item.name_en}")


@main.group(help="Supply relationships between lead factories and suppliers.")
def relationship() -> None:
    pass


@relationship.command("create", help="Record that a lead factory buys from a supplier.")
@click.option("--factory", "factory_ref", required=True, help="Lead factory id or credit code.")
@click.option("--supplier", "supplier_ref", required=True, help="Supplier id or credit code.")
@click.option(
    "--category",
    type=click.IntRange(1, 15),
    required=True,
    help="The lead factory's Scope 3 category for what it buys (1-15).",
)
@click.option(
    "--consent",
    is_flag=True,
    help="Record the supplier's data-sharing consent (given on its behalf).",
)
def relationship_create(factory_ref: str, supplier_ref: str, category: int, consent: bool) -> None:
    from esgx_platform.organizations.services import create_relationship, give_consent

    with _transaction() as session:
        rel = create_relationship(
            session,
            lead_factory=_find_org(session, factory_ref),
            supplier=_find_org(session, supplier_ref),
            scope3_category=category,
            started_on=utcnow().date(),
        )
        if consent:
            give_consent(session, rel, actor_user_id=None)
        click.echo(f"{rel.id} category {category} consent {'given' if consent else 'not given'}")


@main.group(help="User accounts.")
def user() -> None:
    pass


@user.command("create", help="Create a user and give them a role in an organization.")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="Name shown in the interface.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when omitted.",
)
@click.option("--org", "org_ref", required=True, help="Organization id or credit code.")
@click.option("--role", type=click.Choice(_ROLES), required=True)
@click.option("--locale", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def user_create(org_ref: str, role: str, **values: Any) -> None:
    from esgx_platform.accounts.models import Role
    from esgx_platform.accounts.services import add_membership, create_user

    with _transaction() as session:
        organization = _find_org(session, org_ref)
        created = create_user(session, values)
        add_membership(session, created, organization, Role(role))
        click.echo(f"{created.id} {created.email} {role} of {organization.name_en}")


def _find_org(session: Any, org_ref: str) -> Any:
    from esgx_platform.organizations.services import find_by_uscc, get_organization

    try:
        return get_organization(session, uuid.UUID(org_ref))
    except ValueError:
        found = find_by_uscc(session, org_ref)
        if found is None:
            raise click.ClickException(f"no organization {org_ref!r}") from None
        return found


@main.group(help="API tokens for suppliers' own systems.")
def token() -> None:
    pass


@token.command("create", help="Create an API token for a supplier; the token is printed once.")
@click.option("--org", "org_ref", required=True, help="Organization id or credit code.")
@click.option("--name", required=True, help="What the token is for, e.g. 'ERP export'.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(["disclosures:submit", "disclosures:read", "keys:manage"]),
)
def token_create(org_ref: str, name: str, scopes: tuple[str, ...]) -> None:
    from esgx_platform.machine.services import create_api_token

    with _transaction() as session:
        issued = create_api_token(
            session,
            organization=_find_org(session, org_ref),
            name=name,
            scopes=scopes,
            actor_user_id=None,
        )
        click.echo(f"token {issued.record.id} ({', '.join(issued.record.scopes)})")
        click.echo(f"secret (shown once): {issued.secret}")


@token.command("list", help="A supplier's API tokens (never their secrets).")
@click.option("--org", "org_ref", required=True, help="Organization id or credit code.")
def token_list(org_ref: str) -> None:
    from esgx_platform.machine.services import list_api_tokens

    with _transaction(write=False) as session:
        for item in list_api_tokens(session, organization_id=_find_org(session, org_ref).id):
            state = "revoked" if item.revoked_at else "active"
            click.echo(f"{item.id} {item.prefix}… {state} {','.join(item.scopes)} {item.name}")


@token.command("revoke", help="Revoke an API token at once.")
@click.option("--org", "org_ref", required=True, help="Organization id or credit code.")
@click.option("--id", "token_id", required=True, type=click.UUID)
def token_revoke(org_ref: str, token_id: uuid.UUID) -> None:
    from esgx_platform.machine.services import get_api_token, revoke_api_token

    with _transaction() as session:
        org = _find_org(session, org_ref)
        revoke_api_token(
            session,
            get_api_token(session, organization_id=org.id, token_id=token_id),
            actor_user_id=None,
        )
        click.echo(f"revoked {token_id}")


@main.group("oauth-client", help="OAuth2 client credentials for lead factories' systems.")
def oauth_client() -> None:
    pass


@oauth_client.command("create", help="Create a client; the secret is printed once.")
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
@click.option("--name", required=True)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["footprints:read", "disclosures:read", "rollups:read"]),
    default=("footprints:read", "disclosures:read", "rollups:read"),
    show_default=True,
)
def oauth_client_create(org_ref: str, name: str, scopes: tuple[str, ...]) -> None:
    from esgx_platform.machine.services import create_oauth_client

    with _transaction() as session:
        issued = create_oauth_client(
            session,
            organization=_find_org(session, org_ref),
            name=name,
            scopes=scopes,
            actor_user_id=None,
        )
        click.echo(f"client_id: {issued.record.client_id}")
        click.echo(f"client_secret (shown once): {issued.secret}")


def _log_signer() -> Any:
    from esgx_platform.intake.receipts import LogSigner
    from esgx_platform.secretbox import SecretBox

    settings = _settings()
    return LogSigner(SecretBox(settings.encryption_keys), settings.log_origin)


@main.group(help="The transparency log: checkpoints and its signing key.")
def log() -> None:
    pass


@log.command("checkpoint", help="Sign a checkpoint of the log as it is now and print it.")
def log_checkpoint() -> None:
    from esgx_platform.ledger.checkpoints import publish_checkpoint

    signer, database = _log_signer(), _database()
    try:
        with database.transaction() as session:
            checkpoint = publish_checkpoint(session, box=signer.box, origin=signer.origin)
            click.echo(checkpoint.note, nl=False)
    finally:
        database.dispose()


@log.command("rotate-key", help="Retire the log's signing key and start signing with a new one.")
def log_rotate_key() -> None:
    from esgx_platform.ledger.checkpoints import publish_checkpoint, rotate_log_key

    signer, database = _log_signer(), _database()
    try:
        with database.transaction() as session:
            key = rotate_log_key(session, box=signer.box, origin=signer.origin)
            publish_checkpoint(session, box=signer.box, origin=signer.origin)
            click.echo(f"new log verifier key: {key.verifier_key}")
    finally:
        database.dispose()


@log.command(
    "reencrypt", help="Re-encrypt stored log keys under the first ESGX_ENCRYPTION_KEYS key."
)
def log_reencrypt() -> None:
    from esgx_platform.ledger.checkpoints import reencrypt_log_keys

    signer, database = _log_signer(), _database()
    try:
        with database.transaction() as session:
            count = reencrypt_log_keys(session, box=signer.box)
            click.echo(f"re-encrypted {count} log key(s)")
    finally:
        database.dispose()


def _serve_options(func: Any) -> Any:
    func = click.option("--host", default="127.0.0.1", show_default=True)(func)
    func = click.option("--port", default=8000, show_default=True, type=int)(func)
    func = click.option("--workers", type=int, help="Worker processes (default: 2 per core).")(func)
    func = click.option(
        "--certfile",
        type=click.Path(exists=True, dir_okay=False),
        help="TLS certificate (PEM); with --keyfile serves HTTPS.",
    )(func)
    return click.option(
        "--keyfile", type=click.Path(exists=True, dir_okay=False), help="TLS private key (PEM)."
    )(func)


def _run_server(
    host: str, port: int, workers: int | None, certfile: str | None, keyfile: str | None
) -> None:
    from esgx_platform.app import create_app
    from esgx_platform.server import serve

    if bool(certfile) != bool(keyfile):
        raise click.UsageError("--certfile and --keyfile go together")
    settings = _settings()
    serve(
        lambda: create_app(settings),
        host=host,
        port=port,
        workers=workers,
        certfile=certfile,
        keyfile=keyfile,
    )


@main.command(help="Serve the platform with the production WSGI server (gunicorn).")
@_serve_options
def serve(
    host: str, port: int, workers: int | None, certfile: str | None, keyfile: str | None
) -> None:
    _run_server(host, port, workers, certfile, keyfile)


@main.command(help="Migrate, seed the demo world and serve it (safe to run again).")
@_serve_options
@click.option("--no-serve", is_flag=True, help="Seed only; do not start the server.")
def demo(
    host: str,
    port: int,
    workers: int | None,
    certfile: str | None,
    keyfile: str | None,
    no_serve: bool,
) -> None:
    from esgx_platform.demo.seed import FilingSetup, seed_demo
    from esgx_platform.demo.world import DEMO_PASSWORD, USERS
    from esgx_platform.intake.receipts import LogSigner
    from esgx_platform.migrate import upgrade_to_head
    from esgx_platform.secretbox import SecretBox

    settings = _settings()
    setup = FilingSetup(
        settings.instance_dir / "demo-supplier-keys",
        LogSigner(SecretBox(settings.encryption_keys), settings.log_origin),
    )
    database = _database()
    try:
        upgrade_to_head(database.engine)
        with database.transaction() as session:
            # The demo is dated by the UTC calendar, like every stored time.
            report = seed_demo(session, today=utcnow().date(), filings=setup)
    except EsgxError as exc:
        raise _fail(exc) from None
    finally:
        database.dispose()
    scheme = "https" if certfile else "http"
    click.echo(
        f"demo seeded: {report.created_orgs} organizations and {report.created_users} "
        f"users created now; quarters {report.quarters[0]} to {report.quarters[-1]}"
    )
    if report.filings is not None:
        f = report.filings
        click.echo(
            f"signed disclosures: {f.accepted} accepted now ({f.restated} restatement), "
            f"{f.rejected} rejected (see the audit log); supplier keys in {setup.key_dir}"
        )
    click.echo(
        f"\nesgx demo at {scheme}://{host}:{port}/  (password for every demo user: {DEMO_PASSWORD})"
    )
    for account in USERS:
        click.echo(f"  {account.role.value:16} {account.email}")
    sys.stdout.flush()
    if not no_serve:
        _run_server(host, port, workers, certfile, keyfile)


if __name__ == "__main__":
    main()
