"""The `esgx` command line: database, organizations, users, serving and the demo."""

from __future__ import annotations

import sys
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

import click
from sqlalchemy.orm import Session

from esgx_platform.cli_assessment import assessment
from esgx_platform.cli_backup import backup_command, restore_command
from esgx_platform.cli_clients import list_clients, revoke_client, rotate_client
from esgx_platform.cli_jobs import jobs, scheduler
from esgx_platform.cli_pact import dev_certificate, pact_callback
from esgx_platform.cli_scoring import ranking
from esgx_platform.cli_support import database as _database
from esgx_platform.cli_support import fail as _fail
from esgx_platform.cli_support import find_org as _find_org
from esgx_platform.cli_support import settings as _settings
from esgx_platform.cli_support import transaction as _transaction
from esgx_platform.db import utcnow
from esgx_platform.errors import EsgxError, NotFound
from esgx_platform.i18n import Text

CLIENT_SCOPE_CHOICES = [
    "assessments:read",
    "disclosures:read",
    "footprints:read",
    "rankings:read",
    "rollups:read",
    "webhooks:manage",
]

_ORG_KINDS = ("supplier", "lead_factory", "operator")
_ROLES = (
    "supplier_admin",
    "supplier_member",
    "procurement",
    "factory_analyst",
    "factory_admin",
    "operator_admin",
)


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


@relationship.command(
    "set-sector", help="Choose the spend-factor sector a relationship's spend is estimated with."
)
@click.option(
    "--lead", "--factory", "lead_ref", required=True, help="Lead factory id or credit code."
)
@click.option("--supplier", "supplier_ref", required=True, help="Supplier id or credit code.")
@click.option(
    "--sector",
    required=True,
    help="Sector code in the lead factory's spend-factor table, e.g. printed-circuit-boards.",
)
def relationship_set_sector(lead_ref: str, supplier_ref: str, sector: str) -> None:
    from esgx_platform.factors.services import set_spend_sector
    from esgx_platform.organizations.services import list_relationships

    with _transaction() as session:
        lead, supplier = _find_org(session, lead_ref), _find_org(session, supplier_ref)
        found = list_relationships(session, lead_factory_id=lead.id, supplier_id=supplier.id)
        if not found:
            raise NotFound(_NO_RELATIONSHIP)
        set_spend_sector(session, found[0], sector, actor_user_id=None)
        click.echo(f"{supplier.name_en}: spend sector {sector}")


_NO_RELATIONSHIP = Text(
    "The lead factory has no relationship with this supplier.", "该龙头工厂与此供应商没有供应关系。"
)


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
    # The same list as machine.services.CLIENT_SCOPES (a test keeps them equal); written out
    # so that `esgx --help` does not import the database layer.
    type=click.Choice(CLIENT_SCOPE_CHOICES),
    # Reading only, unless asked: managing webhooks is a change a client must be given.
    default=tuple(s for s in CLIENT_SCOPE_CHOICES if s.endswith(":read")),
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


oauth_client.add_command(list_clients)
oauth_client.add_command(rotate_client)
oauth_client.add_command(revoke_client)


@main.group(help="Spend-based emission factors, exchange rates and price indices.")
def factors() -> None:
    pass


@factors.command(
    "import-spend",
    help="Import one version of a spend-factor table from a UTF-8 CSV file with the columns "
    "sector_code,name_en,name_zh,kgco2e_per_unit ('#' lines are comments). A version is never "
    "changed: importing identical content again does nothing, other content is refused.",
)
@click.argument("file", type=click.File("rb"))
@click.option("--name", required=True, help="Table name, e.g. 'USEEIO supply chain factors'.")
@click.option("--version", "table_version", required=True, help="Table version, e.g. v1.3.")
@click.option("--source", required=True, help="Citation: publisher, title, year, URL.")
@click.option("--currency", required=True, help="ISO 4217 code the factors are per unit of.")
@click.option("--price-year", type=int, required=True, help="Year of the factors' prices.")
@click.option("--illustrative", is_flag=True, help="Mark the factors as not for reporting.")
def factors_import_spend(
    file: BinaryIO,
    name: str,
    table_version: str,
    source: str,
    currency: str,
    price_year: int,
    illustrative: bool,
) -> None:
    from esgx_platform.factors.services import find_factor_table, import_spend_factors

    with _transaction() as session:
        existed = find_factor_table(session, name.strip(), table_version.strip()) is not None
        table = import_spend_factors(
            session,
            name=name,
            version=table_version,
            source=source,
            currency=currency,
            price_year=price_year,
            rows=file,
            illustrative=illustrative,
            actor_user_id=None,
        )
        if existed:
            click.echo(f"{table.name}@{table.version} is imported already (identical content)")
        else:
            flag = " ILLUSTRATIVE" if table.illustrative else ""
            click.echo(
                f"imported {table.name}@{table.version}{flag}: kgCO2e per {table.currency} "
                f"at {table.price_year} prices, sha256 {table.sha256}"
            )


@factors.command(
    "import-rates",
    help="Import annual average exchange rates from CSV (currency,quote_currency,year,rate: "
    "units of the quote currency per unit of the currency); replaces rates for the same key.",
)
@click.argument("file", type=click.File("rb"))
@click.option("--source", required=True, help="Citation: publisher, series, URL.")
def factors_import_rates(file: BinaryIO, source: str) -> None:
    from esgx_platform.factors.services import import_exchange_rates

    with _transaction() as session:
        done = import_exchange_rates(session, file, source=source)
        click.echo(
            f"exchange rates: {done.inserted} added, {done.updated} replaced, "
            f"{done.unchanged} unchanged"
        )


@factors.command(
    "import-indices",
    help="Import price indices from CSV (currency,year,index; any base year); replaces the "
    "index for the same currency and year.",
)
@click.argument("file", type=click.File("rb"))
@click.option("--source", required=True, help="Citation: publisher, series, URL.")
def factors_import_indices(file: BinaryIO, source: str) -> None:
    from esgx_platform.factors.services import import_price_indices

    with _transaction() as session:
        done = import_price_indices(session, file, source=source)
        click.echo(
            f"price indices: {done.inserted} added, {done.updated} replaced, "
            f"{done.unchanged} unchanged"
        )


@factors.command("list", help="Imported spend-factor tables: id, NAME@VERSION, currency, year.")
def factors_list() -> None:
    from esgx_platform.factors.services import list_factor_tables

    with _transaction(write=False) as session:
        listed = list_factor_tables(session)
        for table, sectors in listed:
            flag = " ILLUSTRATIVE" if table.illustrative else ""
            click.echo(
                f"{table.id} {table.name}@{table.version} {table.currency} {table.price_year} "
                f"prices, {sectors} sectors{flag}"
            )
        if not listed:
            click.echo("no spend-factor tables: import one with `esgx factors import-spend`")


@main.group(help="Lead factories' roll-up settings.")
def factory() -> None:
    pass


@factory.command(
    "configure", help="Change a lead factory's roll-up settings; options left out stay as they are."
)
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
@click.option(
    "--factor-table",
    help="Spend-factor table as NAME@VERSION (see `esgx factors list`); 'none' for no table.",
)
@click.option("--currency", help="Reporting currency (ISO 4217), e.g. CNY.")
@click.option("--deadline-days", type=int, help="Days after a quarter's end to file (1-180).")
@click.option(
    "--renewable-threshold", help="Renewable electricity share counted as 'high', in % (0-100)."
)
def factory_configure(
    org_ref: str,
    factor_table: str | None,
    currency: str | None,
    deadline_days: int | None,
    renewable_threshold: str | None,
) -> None:
    from esgx_platform.factors.services import configure_factory

    with _transaction() as session:
        organization = _find_org(session, org_ref)
        given = {
            "reporting_currency": currency,
            "deadline_days": deadline_days,
            "renewable_threshold_pct": _percent(renewable_threshold),
        }
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if factor_table is not None:  # None is a value here: no table
            changes["spend_factor_table_id"] = _factor_table_id(session, factor_table)
        settings = configure_factory(
            session, organization=organization, actor_user_id=None, **changes
        )
        click.echo(f"{organization.name_en}: {_settings_line(session, settings)}")


def _percent(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(
            f"{value!r} is not a number", param_hint="--renewable-threshold"
        ) from None


def _factor_table_id(session: Session, ref: str) -> uuid.UUID | None:
    from esgx_platform.factors.services import find_factor_table

    if ref.strip().lower() == "none":
        return None
    name, at, version = ref.rpartition("@")
    if not at:
        raise click.BadParameter("use NAME@VERSION", param_hint="--factor-table")
    table = find_factor_table(session, name, version)
    if table is None:
        raise NotFound(_NO_TABLE.format(ref=ref))
    return table.id


_NO_TABLE = Text(
    "No spend-factor table {ref} (see `esgx factors list`).",
    "没有支出排放因子表 {ref}（见 `esgx factors list`）。",
)


def _settings_line(session: Session, settings: Any) -> str:
    from esgx_platform.factors.models import SpendFactorTable

    table = (
        session.get(SpendFactorTable, settings.spend_factor_table_id)
        if settings.spend_factor_table_id
        else None
    )
    return (
        f"factor table {f'{table.name}@{table.version}' if table else 'none'}, "
        f"reporting currency {settings.reporting_currency}, "
        f"deadline {settings.deadline_days} days, "
        f"renewable threshold {settings.renewable_threshold_pct.normalize():f} %"
    )


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
    "reencrypt",
    help="Re-encrypt stored log keys and webhook secrets under the first ESGX_ENCRYPTION_KEYS key.",
)
def log_reencrypt() -> None:
    from esgx_platform.ledger.checkpoints import reencrypt_log_keys
    from esgx_platform.webhooks.endpoints import reencrypt_secrets

    signer, database = _log_signer(), _database()
    try:
        with database.transaction() as session:
            count = reencrypt_log_keys(session, box=signer.box)
            click.echo(f"re-encrypted {count} log key(s)")
            count = reencrypt_secrets(session, box=signer.box)
            click.echo(f"re-encrypted the secrets of {count} webhook endpoint(s)")
    finally:
        database.dispose()


def _serve_options(func: Any) -> Any:
    func = click.option("--host", default="127.0.0.1", show_default=True)(func)
    func = click.option("--port", default=8000, show_default=True, type=int)(func)
    func = click.option("--workers", type=int, help="Worker processes (default: 2 per core).")(func)
    func = click.option(
        "--threads",
        type=click.IntRange(min=1),
        default=4,
        show_default=True,
        help="Threads per worker process.",
    )(func)
    func = click.option(
        "--certfile",
        type=click.Path(exists=True, dir_okay=False),
        help="TLS certificate (PEM); with --keyfile serves HTTPS.",
    )(func)
    return click.option(
        "--keyfile", type=click.Path(exists=True, dir_okay=False), help="TLS private key (PEM)."
    )(func)


def _run_server(
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    certfile: str | None,
    keyfile: str | None,
) -> None:
    from flask import Flask

    from esgx_platform.app import create_app
    from esgx_platform.db import Database
    from esgx_platform.server import PortInUse, serve

    if bool(certfile) != bool(keyfile):
        raise click.UsageError("--certfile and --keyfile go together")
    settings = _settings()

    def app() -> Flask:
        # Each of a worker's threads holds a connection at a time, now and then two (a group
        # commit's leader). A smaller pool would open and close connections under load: on
        # PostgreSQL a server process each (measured: CPU lost, and worse tail latency).
        database = Database(settings.database_url, pool_size=threads + 1, max_overflow=threads)
        return create_app(settings, database=database)

    try:
        serve(
            app,
            host=host,
            port=port,
            workers=workers,
            threads=threads,
            certfile=certfile,
            keyfile=keyfile,
        )
    except PortInUse as exc:
        raise click.ClickException(
            f"{exc.strerror}: stop what listens there or choose another --port"
        ) from None


@main.command(help="Serve the platform with the production WSGI server (gunicorn).")
@_serve_options
def serve(**options: Any) -> None:
    _run_server(**options)


@main.command(help="Migrate, seed the demo world and serve it (safe to run again).")
@_serve_options
@click.option("--no-serve", is_flag=True, help="Seed only; do not start the server.")
def demo(no_serve: bool, **options: Any) -> None:
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
    scheme = "https" if options["certfile"] else "http"
    address = f"{scheme}://{options['host']}:{options['port']}/"
    click.echo(
        f"demo seeded: {report.created_orgs} organizations and {report.created_users} "
        f"users created now; quarters {report.quarters[0]} to {report.quarters[-1]}"
    )
    if report.filings is not None:
        f = report.filings
        click.echo(
            f"signed disclosures: {f.accepted} from suppliers ({f.restated} restatement) and "
            f"{report.own_filings} of the lead factory's own operations accepted now, "
            f"{f.rejected} rejected (see the audit log); private keys in {setup.key_dir}"
        )
    click.echo(f"\nesgx demo at {address}  (password for every demo user: {DEMO_PASSWORD})")
    for account in USERS:
        click.echo(f"  {account.role.value:16} {account.email}")
    sys.stdout.flush()
    if not no_serve:
        _run_server(**options)


# Registered before the `__main__` guard: `python -m esgx_platform.cli` runs main() there.
main.add_command(assessment)
main.add_command(ranking)
main.add_command(scheduler)
main.add_command(jobs)
main.add_command(pact_callback)
main.add_command(dev_certificate)
main.add_command(backup_command)
main.add_command(restore_command)

if __name__ == "__main__":
    main()
