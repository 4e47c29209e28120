"""`esgx pact-callback`: the credentials the PACT host uses to answer a lead factory's requests
at the factory's own PACT endpoint (docs/pact.md)."""

from __future__ import annotations

import click

from esgx_platform.cli_support import find_org, settings, transaction


@click.group(
    "pact-callback",
    help="Credentials for answering a lead factory's PACT footprint requests at its endpoint.",
)
def pact_callback() -> None:
    pass


@pact_callback.command(
    "set",
    help="Register or replace the client id and secret the host uses at BASE_URL/auth/token "
    "before posting answers to BASE_URL/3/events. The secret is read from standard input "
    "(or asked for without echo) and stored encrypted.",
)
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
@click.option("--base-url", required=True, help="The https:// `source` of the factory's events.")
@click.option("--client-id", required=True)
@click.option("--secret", prompt=True, hide_input=True, help="Read from stdin when piped.")
def pact_callback_set(org_ref: str, base_url: str, client_id: str, secret: str) -> None:
    from esgx_platform.pact.services import set_callback_credential
    from esgx_platform.secretbox import SecretBox

    box = SecretBox(settings().encryption_keys)
    with transaction() as session:
        row = set_callback_credential(
            session,
            organization=find_org(session, org_ref),
            base_url=base_url,
            client_id=client_id,
            secret=secret,
            box=box,
            actor_user_id=None,
        )
        click.echo(f"callback credentials set for {row.base_url}")


@pact_callback.command("list", help="The sources a lead factory has credentials for.")
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
def pact_callback_list(org_ref: str) -> None:
    from esgx_platform.pact.services import callback_credentials

    with transaction(write=False) as session:
        for row in callback_credentials(session, find_org(session, org_ref).id):
            click.echo(f"{row.base_url}\tclient_id={row.client_id}\tupdated={row.updated_at:%F}")


@pact_callback.command("remove", help="Forget the credentials for one source.")
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
@click.option("--base-url", required=True)
def pact_callback_remove(org_ref: str, base_url: str) -> None:
    from esgx_platform.pact.services import remove_callback_credential

    with transaction() as session:
        remove_callback_credential(
            session,
            organization=find_org(session, org_ref),
            base_url=base_url,
            actor_user_id=None,
        )
        click.echo(f"removed {base_url}")


@click.command(
    "dev-certificate",
    help="Write a self-signed certificate (cert.pem) and key (key.pem, mode 0600) for 127.0.0.1 "
    "and localhost into DIR, for trying `esgx serve --certfile --keyfile` and PACT clients on "
    "this machine. Clients trust it with cert.pem (e.g. curl --cacert). Not for production.",
)
@click.option("--dir", "directory", default="instance/tls", show_default=True)
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 825))
@click.option("--host", "hosts", multiple=True, help="Another DNS name to include.")
def dev_certificate(directory: str, days: int, hosts: tuple[str, ...]) -> None:
    from pathlib import Path

    from esgx_platform.devcert import self_signed

    made = self_signed(Path(directory), days=days, hosts=hosts)
    click.echo(f"certificate: {made.cert_file}")
    click.echo(f"key:         {made.key_file}")
