"""`esgx ranking`: procurement's scoring configuration, rankings and their snapshots."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import click

from esgx_platform.cli_support import fail, find_org, transaction
from esgx_platform.errors import EsgxError


@click.group(help="Procurement's supplier rankings: configuration, rankings, snapshots.")
def ranking() -> None:
    pass


@ranking.command("default-config", help="Print the platform's default scoring configuration.")
def default_config() -> None:
    from esgx_platform.scoring.config import default_config_text

    click.echo(default_config_text(), nl=False)


@ranking.command(
    "set-config",
    help="Check a JSON scoring configuration and make it the lead factory's next version; "
    "snapshots keep the configuration they were taken with.",
)
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
@click.argument("config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def set_config(org_ref: str, config_file: Path) -> None:
    from esgx_platform.scoring.config_schema import load_config_text
    from esgx_platform.scoring.services import set_config as store

    try:
        body, _ = load_config_text(config_file.read_text("utf-8"))
    except (EsgxError, UnicodeDecodeError) as exc:
        if isinstance(exc, EsgxError):
            raise fail(exc) from None
        raise click.ClickException(f"{config_file}: not UTF-8 / 不是 UTF-8 编码") from None
    with transaction() as session:
        organization = find_org(session, org_ref)
        stored = store(session, organization=organization, body=body, actor_user_id=None)
        click.echo(
            f"{organization.name_en}: configuration v{stored.version} (sha256 {stored.sha256})"
        )


def _lines(cards: list[Any]) -> list[str]:
    return [
        f"  {c.rank:>3}. {c.band.id if c.band else '-':6} {c.total:>6}  "
        f"(-{c.penalty_points} penalties)  {c.supplier.name_en}"
        for c in cards
    ]


@ranking.command("show", help="Rank a lead factory's suppliers for a period (nothing stored).")
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
@click.option("--period", required=True, help="A year (2025) or a quarter (2025-Q3).")
def show(org_ref: str, period: str) -> None:
    from esgx_platform.scoring.services import compute_ranking

    with transaction(write=False) as session:
        organization = find_org(session, org_ref)
        live = compute_ranking(session, lead_factory_id=organization.id, period=period)
        counts = ", ".join(f"{k} {v}" for k, v in live.ranking.band_counts().items())
        click.echo(
            f"{organization.name_en} {period}: configuration v{live.config.version}; {counts}"
        )
        for line in _lines(live.ranking.scorecards):
            click.echo(line)


@ranking.command("snapshot", help="Rank a lead factory's suppliers and store the snapshot.")
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
@click.option("--period", required=True, help="A year (2025) or a quarter (2025-Q3).")
@click.option("--top", default=3, show_default=True, help="How many of the top and bottom to list.")
def snapshot(org_ref: str, period: str, top: int) -> None:
    from esgx_platform.scoring.snapshots import store_snapshot

    with transaction() as session:
        organization = find_org(session, org_ref)
        stored = store_snapshot(
            session, organization=organization, period=period, actor_user_id=None
        )
        result = stored.result
        counts = ", ".join(f"{k} {v}" for k, v in result["bandCounts"].items())
        click.echo(
            f"{stored.id} {organization.name_en} {period}: {stored.supplier_count} suppliers, "
            f"configuration v{stored.config_version} (sha256 {stored.config_sha256[:12]}…); "
            f"bands: {counts}"
        )
        cards = result["suppliers"]
        for title, chosen in (("top", cards[:top]), ("bottom", cards[-top:])) if top > 0 else ():
            click.echo(f"{title}:")
            for c in chosen:
                click.echo(
                    f"  {c['rank']:>3}. {c['band']['id']:6} {c['totalScore']:>6}  "
                    f"(-{c['penaltyPoints']} penalties)  {c['name']['en']}"
                )


@ranking.command("verify", help="Recompute a stored snapshot and compare (exit 1 if it differs).")
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
@click.argument("snapshot_id", type=click.UUID)
def verify(org_ref: str, snapshot_id: uuid.UUID) -> None:
    from esgx_platform.scoring.snapshots import get_snapshot, verify_snapshot

    with transaction(write=False) as session:
        organization = find_org(session, org_ref)
        check = verify_snapshot(session, get_snapshot(session, organization.id, snapshot_id))
        for key, value in check.as_json().items():
            click.echo(f"{key}: {value}")
        if not check.ok:
            raise click.ClickException("the snapshot does not reproduce / 快照无法复现")
