"""`esgx backup` and `esgx restore`: copies of the database, and the log check that proves one."""

from __future__ import annotations

from pathlib import Path

import click

from esgx_platform.backup import backup, check_database, restore, verify_backup
from esgx_platform.cli_support import both, fail, settings
from esgx_platform.errors import EsgxError
from esgx_platform.i18n import Text

LOG_KEY = click.option(
    "--log-key",
    "log_keys",
    multiple=True,
    help="A log verifier key to trust (as /api/v1/log/key lists it; repeatable). Default: the "
    "key stored with the log, which is printed to compare with the published one.",
)
FORCE_HELP = "Overwrite (a backup file that exists; a target database that is not empty)."


@click.command(
    "backup",
    help="Back up the configured database to FILE: SQLite with its online backup API (safe "
    "while the platform runs), PostgreSQL with pg_dump (custom format). With --verify, check "
    "the log inside FILE against its newest signed checkpoint instead.",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--verify", is_flag=True, help="Check the backup FILE; write nothing.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
@LOG_KEY
def backup_command(file: Path, verify: bool, force: bool, log_keys: tuple[str, ...]) -> None:
    url = settings().database_url
    try:
        if verify:
            click.echo(both(verify_backup(file, url, trusted_keys=log_keys).summary()))
            return
        copied = backup(url, file, force=force)
    except EsgxError as exc:
        raise fail(exc) from None
    message = Text(
        "{k} backup written to {p}: {n} bytes in {s} s.",
        "{k} 备份已写入 {p}：{n} 字节，用时 {s} 秒。",
    )
    click.echo(
        both(message.format(k=copied.kind, p=copied.path, n=copied.size, s=f"{copied.seconds:.2f}"))
    )


@click.command(
    "restore",
    help="Restore a backup FILE (from `esgx backup`) into the configured database, then check "
    "the restored log against its newest signed checkpoint (exit 1 when it does not match). "
    "Refuses a database that is not empty unless --force. Stop the platform first.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help=FORCE_HELP)
@LOG_KEY
def restore_command(file: Path, force: bool, log_keys: tuple[str, ...]) -> None:
    from esgx_platform.cli_support import database
    from esgx_platform.migrate import current_revision, head_revision

    url = settings().database_url
    try:
        copied = restore(file, url, force=force)
        click.echo(
            both(
                Text("Restored {p} in {s} s.", "已恢复 {p}，用时 {s} 秒。").format(
                    p=copied.path, s=f"{copied.seconds:.2f}"
                )
            )
        )
        click.echo(both(check_database(url, trusted_keys=log_keys).summary()))
    except EsgxError as exc:
        raise fail(exc) from None
    opened = database()
    try:
        with opened.engine.connect() as connection:
            revision = current_revision(connection)
    finally:
        opened.dispose()
    if revision != head_revision():
        click.echo(
            both(
                Text(
                    "The restored schema is at {r}: run `esgx db upgrade` before serving.",
                    "恢复的数据库结构处于 {r}：启动服务前请运行 `esgx db upgrade`。",
                ).format(r=revision)
            )
        )
