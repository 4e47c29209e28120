"""`esgx factors`, `esgx factory configure` and `esgx relationship set-sector` through click's
runner, against a database of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from esgx_platform.cli import main
from tests.platform.factors.helpers import SPEND_CSV

LEAD = "91120116MA05R7T29K"
SUPPLIER = "91320500MA1N2K3P99"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {
        "ESGX_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    run(env, "db", "upgrade")
    return env


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def _file(tmp_path: Path, text: str, name: str = "f.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _import_spend(env: dict[str, str], path: str, *extra: str) -> tuple[int, str]:
    return run(
        env,
        "factors",
        "import-spend",
        path,
        "--name",
        "Test factors",
        "--version",
        "v1",
        "--source",
        "Test source",
        "--currency",
        "USD",
        "--price-year",
        "2022",
        *extra,
    )


def _orgs(env: dict[str, str]) -> None:
    for kind, uscc, name in (("lead_factory", LEAD, "Lead"), ("supplier", SUPPLIER, "Supplier")):
        code, out = run(
            env,
            "org",
            "create",
            "--kind",
            kind,
            "--name-zh",
            name,
            "--name-en",
            name,
            "--uscc",
            uscc,
        )
        assert code == 0, out
    code, out = run(
        env, "relationship", "create", "--factory", LEAD, "--supplier", SUPPLIER, "--category", "1"
    )
    assert code == 0, out


def test_import_list_and_reimport(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = _file(tmp_path, SPEND_CSV)
    code, out = _import_spend(cli_env, path, "--illustrative")
    assert code == 0, out
    assert out.startswith("imported Test factors@v1 ILLUSTRATIVE: kgCO2e per USD at 2022 prices")
    code, out = _import_spend(cli_env, path, "--illustrative")
    assert code == 0, out
    assert "is imported already (identical content)" in out
    code, out = run(cli_env, "factors", "list")
    assert code == 0
    assert "Test factors@v1 USD 2022 prices, 2 sectors ILLUSTRATIVE" in out
    changed = _file(tmp_path, SPEND_CSV.replace("0.25", "0.3"), "changed.csv")
    code, out = _import_spend(cli_env, changed, "--illustrative")
    assert code == 1
    assert "Error: Test factors v1 was imported already with different content" in out
    assert "已导入且内容不同" in out


def test_import_errors_are_bilingual_lines_and_store_nothing(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    bad = "# comment\nsector_code,name_en,name_zh,kgco2e_per_unit\npcb,P,印,-1\npcb,P,印,x\n"
    code, out = _import_spend(cli_env, _file(tmp_path, bad))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        "Error: The import has 3 error(s); nothing was imported. / "
        "导入有 3 处错误，未导入任何内容。"
    )
    assert "  line 3, kgco2e_per_unit: Must not be negative. / 不能为负数。" in lines
    assert "  line 4, sector_code: Duplicate of line 3. / 与第 3 行重复。" in lines
    assert "Traceback" not in out
    _, out = run(cli_env, "factors", "list")
    assert "no spend-factor tables" in out


def test_rates_and_indices(cli_env: dict[str, str], tmp_path: Path) -> None:
    rates = _file(tmp_path, "currency,quote_currency,year,rate\nCNY,USD,2025,0.14\n", "r.csv")
    code, out = run(cli_env, "factors", "import-rates", rates, "--source", "Test bank")
    assert code == 0 and "exchange rates: 1 added, 0 replaced, 0 unchanged" in out
    revised = _file(tmp_path, "currency,quote_currency,year,rate\nCNY,USD,2025,0.15\n", "r2.csv")
    code, out = run(cli_env, "factors", "import-rates", revised, "--source", "Test bank")
    assert code == 0 and "exchange rates: 0 added, 1 replaced, 0 unchanged" in out
    indices = _file(tmp_path, "currency,year,index\nUSD,2022,100\nUSD,2025,0\n", "i.csv")
    code, out = run(cli_env, "factors", "import-indices", indices, "--source", "Test stats")
    assert code == 1
    assert "  line 3, index: Must be greater than zero. / 必须大于零。" in out
    code, out = run(cli_env, "factors", "import-indices", "--help")
    assert code == 0 and "currency,year,index" in out


def test_factory_configure_and_set_sector(cli_env: dict[str, str], tmp_path: Path) -> None:
    _orgs(cli_env)
    _import_spend(cli_env, _file(tmp_path, SPEND_CSV))
    code, out = run(cli_env, "factory", "configure", "--org", LEAD)
    assert code == 0, out
    assert out.strip() == (
        "Lead: factor table none, reporting currency CNY, deadline 30 days, "
        "renewable threshold 50 %"
    )
    code, out = run(
        cli_env,
        "factory",
        "configure",
        "--org",
        LEAD,
        "--factor-table",
        "Test factors@v1",
        "--deadline-days",
        "45",
        "--renewable-threshold",
        "62.5",
        "--currency",
        "USD",
    )
    assert code == 0, out
    assert "factor table Test factors@v1, reporting currency USD, deadline 45 days, " in out
    assert "renewable threshold 62.5 %" in out
    code, out = run(
        cli_env,
        "relationship",
        "set-sector",
        "--lead",
        LEAD,
        "--supplier",
        SUPPLIER,
        "--sector",
        "glass",
    )
    assert code == 0 and "Supplier: spend sector glass" in out
    code, out = run(
        cli_env,
        "relationship",
        "set-sector",
        "--lead",
        LEAD,
        "--supplier",
        SUPPLIER,
        "--sector",
        "steel",
    )
    assert code == 1
    assert (
        "has no sector steel. / 该龙头工厂的支出排放因子表 Test factors v1 中没有行业 steel。"
        in out
    )


def test_factory_configure_errors(cli_env: dict[str, str], tmp_path: Path) -> None:
    _orgs(cli_env)
    code, out = run(
        cli_env,
        "factory",
        "configure",
        "--org",
        LEAD,
        "--deadline-days",
        "0",
        "--renewable-threshold",
        "101",
    )
    assert code == 1
    assert out.splitlines() == [
        "Error: The settings have 2 error(s); nothing was changed. / "
        "设置有 2 处错误，未作任何更改。",
        "  deadline_days: From 1 to 180 days. / 须为 1 至 180 天。",
        "  renewable_threshold_pct: From 0 to 100 percent. / 须为 0 至 100%。",
    ]
    code, out = run(cli_env, "factory", "configure", "--org", LEAD, "--factor-table", "x@v9")
    assert code == 1 and "No spend-factor table x@v9" in out and "没有支出排放因子表 x@v9" in out
    code, out = run(cli_env, "factory", "configure", "--org", LEAD, "--factor-table", "noversion")
    assert code == 2 and "use NAME@VERSION" in out
    code, out = run(cli_env, "factory", "configure", "--org", SUPPLIER, "--deadline-days", "9")
    assert code == 1
    assert "Only a lead factory has roll-up settings. / 只有龙头工厂才有汇总设置。" in out
    code, out = run(cli_env, "factory", "configure", "--org", LEAD)
    assert "deadline 30 days" in out  # the refused changes left nothing behind
    code, out = run(
        cli_env,
        "relationship",
        "set-sector",
        "--lead",
        SUPPLIER,
        "--supplier",
        LEAD,
        "--sector",
        "glass",
    )
    assert code == 1
    assert "The lead factory has no relationship with this supplier." in out
