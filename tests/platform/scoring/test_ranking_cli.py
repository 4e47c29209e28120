"""`esgx ranking` on the demo: the default configuration, a factory's own, snapshots."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.platform.test_cli import cli_env, run

__all__ = ["cli_env"]  # the fixture, shared with the other CLI tests

FACTORY = "91120116MA05R7T29K"  # the demo's lead factory


def test_rankings_on_the_demo(cli_env: dict[str, str], tmp_path: Path) -> None:
    code, out = run(cli_env, "demo", "--no-serve")
    assert code == 0, out
    code, out = run(cli_env, "ranking", "snapshot", "--org", FACTORY, "--period", "2025")
    assert code == 0, out
    # 32 suppliers in 2025: bands cut at 20/70/90 % of 32 = 6.4 → 6, 22.4 → 22, 28.8 → 29.
    assert "32 suppliers, configuration v0" in out
    assert "bands: green 6, blue 16, orange 7, red 3" in out
    assert "top:" in out and "bottom:" in out
    snapshot_id = out.split()[0]
    code, out = run(cli_env, "ranking", "verify", "--org", FACTORY, snapshot_id)
    assert code == 0 and "reproduced: True" in out, out

    code, out = run(cli_env, "ranking", "show", "--org", FACTORY, "--period", "2025-Q3")
    assert code == 0 and re.search(r"^\s+1\. green ", out, re.MULTILINE), out

    # A factory's own configuration: the default with offsets weighted out.
    code, text = run(cli_env, "ranking", "default-config")
    config = json.loads(text)
    offsets = next(m for m in config["metrics"] if m["metric"] == "offsetQuality")
    targets = next(m for m in config["metrics"] if m["metric"] == "targetStatus")
    offsets["weight"], targets["weight"] = "0", "17"
    own = tmp_path / "own.json"
    own.write_text(json.dumps(config), encoding="utf-8")
    code, out = run(cli_env, "ranking", "set-config", "--org", FACTORY, str(own))
    assert code == 0 and ": configuration v1 (sha256 " in out, out
    code, out = run(cli_env, "ranking", "snapshot", "--org", FACTORY, "--period", "2025")
    assert code == 0 and "configuration v1" in out, out

    # A broken configuration is refused with where and what, in both languages.
    targets["weight"] = "18"
    own.write_text(json.dumps(config), encoding="utf-8")
    code, out = run(cli_env, "ranking", "set-config", "--org", FACTORY, str(own))
    assert code == 1
    assert "$.metrics: The weights sum to 101; they must sum to 100. / 各项权重之和为 101" in out
