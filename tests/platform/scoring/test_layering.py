"""Scoring computations are domain core: importing them loads neither Flask nor a database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
MODULES = [
    "esgx_platform.scoring.config_schema",
    "esgx_platform.scoring.engine",
    "esgx_platform.scoring.facts",
    "esgx_platform.scoring.normalize",
    "esgx_platform.scoring.report",
    "esgx_platform.scoring.values",
]


def test_scoring_does_not_import_flask_or_the_database() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('flask', 'werkzeug', 'flask_babel', 'sqlalchemy', 'supplier_portal'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.strip() == ""
