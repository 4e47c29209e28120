"""Assessment computations are domain core: importing them loads neither Flask nor a database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
MODULES = [
    "esgx_platform.assessment.loading",
    "esgx_platform.assessment.scoring",
    "esgx_platform.assessment.findings",
    "esgx_platform.assessment.neutrality",
    "esgx_platform.assessment.pathway",
]


def test_assessment_does_not_import_flask_or_the_database() -> None:
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
