"""`esgx assessment` on the demo: the default model, a factory's own model, a run."""

from __future__ import annotations

import json
from pathlib import Path

from tests.platform.test_cli import cli_env, run

__all__ = ["cli_env"]  # the fixture, shared with the other CLI tests

FACTORY = "91120116MA05R7T29K"  # the demo's lead factory


def test_models_and_runs_on_the_demo(cli_env: dict[str, str], tmp_path: Path) -> None:
    code, out = run(cli_env, "demo", "--no-serve")
    assert code == 0, out
    code, out = run(cli_env, "assessment", "run", "--org", FACTORY, "--year", "2025")
    assert code == 0, out
    assert "2025: grade near_zero" in out and "esgx-zero-carbon-factory 1.0.0" in out

    # A factory's own model: the default with the near-zero threshold raised above its score.
    code, text = run(cli_env, "assessment", "default-model")
    model = json.loads(text)
    model["id"], model["version"] = "own-model", "2.0.0"
    near_zero = next(g for g in model["grades"] if g["id"] == "near_zero")
    near_zero["minScore"] = "74"  # still below zero-carbon's 75, so grades stay ascending
    own = tmp_path / "own.json"
    own.write_text(json.dumps(model), encoding="utf-8")
    code, out = run(cli_env, "assessment", "set-model", "--org", FACTORY, str(own))
    assert code == 0 and "model own-model 2.0.0 (sha256 " in out, out
    code, out = run(cli_env, "assessment", "run", "--org", FACTORY, "--year", "2025")
    assert code == 0 and "grade not_qualified" in out and "own-model 2.0.0" in out, out

    # A broken model is refused with where and what, in both languages; nothing changes.
    model["modules"][0]["weight"] = "0"
    own.write_text(json.dumps(model), encoding="utf-8")
    code, out = run(cli_env, "assessment", "set-model", "--org", FACTORY, str(own))
    assert code == 1
    assert "$.modules[0].weight" in out and " / " in out
    code, out = run(cli_env, "assessment", "run", "--org", FACTORY, "--year", "2025")
    assert "own-model 2.0.0" in out
