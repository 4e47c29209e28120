"""The `esgx` command line through click's runner, against a database of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from esgx_platform.cli import main


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    return {
        "ESGX_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
    }


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, input=stdin)
    return result.exit_code, result.output


def test_db_upgrade_then_check(cli_env: dict[str, str]) -> None:
    code, out = run(cli_env, "db", "check")
    assert code == 1 and "run `esgx db upgrade`" in out  # nothing migrated yet
    code, out = run(cli_env, "db", "upgrade")
    assert code == 0, out
    code, out = run(cli_env, "db", "check")
    assert code == 0 and "no drift" in out


def test_db_check_on_the_suite_database(database_url: str, database: object) -> None:
    code, out = run({"ESGX_DATABASE_URL": database_url}, "db", "check")
    assert code == 0, out


def test_org_and_user_create(cli_env: dict[str, str]) -> None:
    run(cli_env, "db", "upgrade")
    code, out = run(
        cli_env,
        "org",
        "create",
        "--kind",
        "supplier",
        "--name-zh",
        "测试供应商",
        "--name-en",
        "Test Supplier",
        "--uscc",
        "91320500MA1N2K3P99",
        "--province",
        "JS",
    )
    assert code == 0, out
    assert "urn:esgx:org:91320500MA1N2K3P99" in out
    code, out = run(
        cli_env,
        "user",
        "create",
        "--email",
        "Admin@Test.example",
        "--name",
        "Admin",
        "--org",
        "91320500MA1N2K3P99",
        "--role",
        "supplier_admin",
        stdin="a long password\na long password\n",
    )
    assert code == 0, out
    assert "admin@test.example supplier_admin of Test Supplier" in out


def test_org_create_reports_validation_errors(cli_env: dict[str, str]) -> None:
    run(cli_env, "db", "upgrade")
    code, out = run(
        cli_env,
        "org",
        "create",
        "--kind",
        "supplier",
        "--name-zh",
        "坏",
        "--name-en",
        "Bad",
        "--uscc",
        "91320500MA1N2K3P98",
    )
    assert code == 1
    assert "$.uscc" in out and "expected 9, got 8" in out
    assert "Traceback" not in out


def test_user_create_rejects_role_of_wrong_kind(cli_env: dict[str, str]) -> None:
    run(cli_env, "db", "upgrade")
    run(
        cli_env,
        "org",
        "create",
        "--kind",
        "supplier",
        "--name-zh",
        "供应商",
        "--name-en",
        "S",
        "--uscc",
        "91320500MA1N2K3P99",
    )
    code, out = run(
        cli_env,
        "user",
        "create",
        "--email",
        "p@test.example",
        "--name",
        "P",
        "--org",
        "91320500MA1N2K3P99",
        "--role",
        "procurement",
        "--password",
        "a long password",
    )
    assert code == 1
    assert "does not exist in an organization of kind supplier" in out


def test_demo_seeds_without_serving_and_twice_is_safe(cli_env: dict[str, str]) -> None:
    code, out = run(cli_env, "demo", "--no-serve")
    assert code == 0, out
    assert "34 organizations and 9 users created now" in out
    # Twelve quarters: 32 suppliers (one misses the latest, one restates) and the lead factory.
    assert "384 from suppliers (1 restatement) and 12 of the lead factory's own operations" in out
    assert "http://127.0.0.1:8000/" in out and "supplier-admin@esgx.example" in out
    code, out = run(cli_env, "demo", "--no-serve")
    assert code == 0 and "0 organizations and 0 users created now" in out
    assert "0 from suppliers (0 restatement) and 0 of the lead factory's own operations" in out


def test_serve_help_lists_tls_options(cli_env: dict[str, str]) -> None:
    code, out = run(cli_env, "serve", "--help")
    assert code == 0
    for option in ("--host", "--port", "--certfile", "--keyfile"):
        assert option in out


def test_token_and_oauth_client_create(cli_env: dict[str, str]) -> None:
    run(cli_env, "demo", "--no-serve")
    code, out = run(
        cli_env,
        "token",
        "create",
        "--org",
        "91120116MA05R7T29K",
        "--name",
        "x",
        "--scope",
        "disclosures:read",
    )
    assert code == 1
    assert "for suppliers" in out  # a lead factory gets OAuth2 clients, not API tokens
    code, out = run(
        cli_env, "oauth-client", "create", "--org", "91120116MA05R7T29K", "--name", "SAP"
    )
    assert code == 0, out
    assert "client_id: esgxc_" in out
    assert "client_secret (shown once): " in out


def test_token_create_list_revoke(cli_env: dict[str, str]) -> None:
    run(cli_env, "db", "upgrade")
    run(
        cli_env,
        "org",
        "create",
        "--kind",
        "supplier",
        "--name-zh",
        "供应商",
        "--name-en",
        "S",
        "--uscc",
        "91320500MA1N2K3P99",
    )
    code, out = run(
        cli_env,
        "token",
        "create",
        "--org",
        "91320500MA1N2K3P99",
        "--name",
        "erp",
        "--scope",
        "disclosures:submit",
    )
    assert code == 0, out
    token_id = out.split()[1]
    code, out = run(cli_env, "token", "list", "--org", "91320500MA1N2K3P99")
    assert f"{token_id} esgx_at_" in out
    assert " active disclosures:submit erp" in out
    code, out = run(cli_env, "token", "revoke", "--org", "91320500MA1N2K3P99", "--id", token_id)
    assert code == 0, out
    _, out = run(cli_env, "token", "list", "--org", "91320500MA1N2K3P99")
    assert " revoked " in out


def test_oauth_client_scope_choices_match_the_service() -> None:
    from esgx_platform.cli import CLIENT_SCOPE_CHOICES
    from esgx_platform.machine.services import CLIENT_SCOPES

    assert sorted(CLIENT_SCOPES) == CLIENT_SCOPE_CHOICES


def test_commands_refuse_a_schema_behind_the_code(cli_env: dict[str, str]) -> None:
    # Nothing migrated: a clear instruction in both languages, not a raw SQL error.
    for args in (
        ("org", "list"),
        ("jobs", "list"),
        ("assessment", "run", "--org", "x", "--year", "2025"),
    ):
        code, out = run(cli_env, *args)
        assert code == 1, args
        assert "run `esgx db upgrade` first" in out and "请先运行" in out
        assert "Traceback" not in out
