"""`esgx assessment`: the indicator model, and assessments run from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from esgx_platform.cli_support import fail, find_org, transaction
from esgx_platform.errors import EsgxError


@click.group(help="Lead factories' graded assessments and their indicator model.")
def assessment() -> None:
    pass


@assessment.command("default-model", help="Print the platform's default indicator model (JSON).")
def default_model() -> None:
    from esgx_platform.assessment.loading import default_model_text

    click.echo(default_model_text(), nl=False)


@assessment.command(
    "set-model",
    help="Check a JSON indicator model and make it the lead factory's; earlier assessments keep "
    "the model they were made with.",
)
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
@click.argument("model_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def set_model(org_ref: str, model_file: Path) -> None:
    from esgx_platform.assessment.loading import parse_json
    from esgx_platform.assessment.services import upload_model

    try:
        body = parse_json(model_file.read_text("utf-8"))
    except (EsgxError, UnicodeDecodeError) as exc:
        if isinstance(exc, EsgxError):
            raise fail(exc) from None
        raise click.ClickException(f"{model_file}: not UTF-8 / 不是 UTF-8 编码") from None
    with transaction() as session:
        organization = find_org(session, org_ref)
        record = upload_model(session, organization=organization, body=body, actor_user_id=None)
        click.echo(
            f"{organization.name_en}: model {record.model_id} {record.version} "
            f"(sha256 {record.sha256})"
        )


@assessment.command("run", help="Assess a lead factory for a year and store the snapshot.")
@click.option("--org", "org_ref", required=True, help="Lead factory id or credit code.")
@click.option("--year", type=int, required=True)
def run(org_ref: str, year: int) -> None:
    from esgx_platform.assessment.services import run_assessment

    with transaction() as session:
        organization = find_org(session, org_ref)
        snapshot = run_assessment(session, organization=organization, year=year, actor_user_id=None)
        click.echo(
            f"{snapshot.id} {organization.name_en} {snapshot.period}: grade {snapshot.grade}, "
            f"{snapshot.total_score} points, model {snapshot.model_id} {snapshot.model_version}"
        )
