"""`esgx oauth-client create|list|rotate|revoke` through click's runner, on a database of its
own: the secret printed once, the old one dead after a rotation, revocation final and audited,
another organization's client not found."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from esgx_platform.audit.models import AuditEvent
from esgx_platform.cli import main
from esgx_platform.db import Database
from esgx_platform.errors import Unauthenticated
from esgx_platform.machine.services import issue_access_token

FACTORY, OTHER = "91120116MA05R7T29K", "91120116MA05R7T37E"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return {
        "ESGX_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def _factory(env: dict[str, str], uscc: str, name: str) -> None:
    code, out = run(
        env, "org", "create", "--kind", "lead_factory", "--name-zh", name, "--name-en", name,
        "--uscc", uscc,
    )  # fmt: skip
    assert code == 0, out


def _issued(out: str) -> tuple[str, str]:
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    return lines["client_id"], lines["client_secret (shown once)"]


def _exchange(env: dict[str, str], client_id: str, secret: str) -> bool:
    database = Database(env["ESGX_DATABASE_URL"])
    try:
        with database.transaction() as session:
            issue_access_token(
                session, client_id=client_id, client_secret=secret, lifetime=timedelta(minutes=5)
            )
        return True
    except Unauthenticated:
        return False
    finally:
        database.dispose()


def test_list_rotate_and_revoke(cli_env: dict[str, str]) -> None:
    assert run(cli_env, "db", "upgrade")[0] == 0
    _factory(cli_env, FACTORY, "工厂")
    _factory(cli_env, OTHER, "另一工厂")
    code, out = run(
        cli_env, "oauth-client", "create", "--org", FACTORY, "--name", "SAP ERP",
        "--scope", "rollups:read", "--scope", "rankings:read",
    )  # fmt: skip
    assert code == 0, out
    client_id, secret = _issued(out)

    code, out = run(cli_env, "oauth-client", "list", "--org", FACTORY)
    assert code == 0, out
    assert out.startswith(f"{client_id} active created ")
    assert "rotated - rankings:read,rollups:read SAP ERP" in out
    assert secret not in out
    assert run(cli_env, "oauth-client", "list", "--org", OTHER) == (0, "")

    code, out = run(cli_env, "oauth-client", "rotate", "--org", FACTORY, "--client-id", client_id)
    assert code == 0, out
    rotated_id, new_secret = _issued(out)
    assert rotated_id == client_id and new_secret != secret
    assert not _exchange(cli_env, client_id, secret)
    assert _exchange(cli_env, client_id, new_secret)
    assert "rotated -" not in run(cli_env, "oauth-client", "list", "--org", FACTORY)[1]

    # Another lead factory's id for the client: no such client there.
    code, out = run(cli_env, "oauth-client", "revoke", "--org", OTHER, "--client-id", client_id)
    assert code == 1 and "No such OAuth2 client" in out and "不存在" in out

    code, out = run(cli_env, "oauth-client", "revoke", "--org", FACTORY, "--client-id", client_id)
    assert (code, out) == (0, f"revoked {client_id}\n")
    assert not _exchange(cli_env, client_id, new_secret)
    assert " revoked " in run(cli_env, "oauth-client", "list", "--org", FACTORY)[1]
    code, out = run(cli_env, "oauth-client", "rotate", "--org", FACTORY, "--client-id", client_id)
    assert code == 1 and "revoked" in out

    database = Database(cli_env["ESGX_DATABASE_URL"])
    try:
        with database.transaction(write=False) as session:
            actions = session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.target_type == "oauth_client")
                .order_by(AuditEvent.id)
            ).all()
    finally:
        database.dispose()
    assert actions == ["oauth_client.created", "oauth_client.rotated", "oauth_client.revoked"]
