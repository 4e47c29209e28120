"""The disclosures package is domain core: importing it never loads the web framework."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
MODULES = [
    "esgx_platform.disclosures.rules",
    "esgx_platform.disclosures.schemas",
    "esgx_platform.disclosures.pact",
]


def test_disclosures_do_not_import_flask_or_the_database() -> None:
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
