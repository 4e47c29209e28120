"""`esgx oauth-client list|rotate|revoke`: a lead factory's OAuth2 clients from the command line
(`create` is in cli.py); every change is audited by the services, with no acting user."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from esgx_platform.cli_support import find_org, transaction

if TYPE_CHECKING:  # `esgx --help` does not import the database layer
    from sqlalchemy.orm import Session

    from esgx_platform.machine.models import OAuthClient

ORG = click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
CLIENT = click.option("--client-id", required=True, help="The client's id, esgxc_...")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ") if moment else "-"


@click.command("list", help="A lead factory's clients: id, state, created, rotated, scopes, name.")
@ORG
def list_clients(org_ref: str) -> None:
    from esgx_platform.machine.services import list_oauth_clients

    with transaction(write=False) as session:
        org = find_org(session, org_ref)
        for client in list_oauth_clients(session, organization_id=org.id):
            state = f"revoked {_when(client.revoked_at)}" if client.revoked_at else "active"
            click.echo(
                f"{client.client_id} {state} created {_when(client.created_at)} "
                f"rotated {_when(client.rotated_at)} {','.join(client.scopes)} {client.name}"
            )


def _client(session: Session, org_ref: str, client_id: str) -> OAuthClient:
    """The organization's client; NotFound (exit 1) for another organization's."""
    from esgx_platform.machine.services import get_oauth_client

    org = find_org(session, org_ref)
    return get_oauth_client(session, organization_id=org.id, client_id=client_id)


@click.command("rotate", help="Give a client a new secret (printed once); the old one stops.")
@ORG
@CLIENT
def rotate_client(org_ref: str, client_id: str) -> None:
    from esgx_platform.machine.services import rotate_oauth_client_secret

    with transaction() as session:
        client = _client(session, org_ref, client_id)
        issued = rotate_oauth_client_secret(session, client, actor_user_id=None)
        click.echo(f"client_id: {issued.record.client_id}")
        click.echo(f"client_secret (shown once): {issued.secret}")


@click.command("revoke", help="Revoke a client at once, with every token issued to it.")
@ORG
@CLIENT
def revoke_client(org_ref: str, client_id: str) -> None:
    from esgx_platform.machine.services import revoke_oauth_client

    with transaction() as session:
        client = _client(session, org_ref, client_id)
        revoke_oauth_client(session, client, actor_user_id=None)
        click.echo(f"revoked {client.client_id}")
