"""Dependency direction: `signing` and the domain core never load the web framework."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CORE_MODULES = [
    "signing",
    "esgx_platform.models",
    "esgx_platform.tenancy",
    "esgx_platform.organizations.services",
    "esgx_platform.accounts.services",
    "esgx_platform.audit.services",
    "esgx_platform.periods.services",
    "esgx_platform.demo.seed",
    "esgx_platform.disclosures.rules",
    "esgx_platform.intake.pipeline",
    "esgx_platform.keys.services",
    "esgx_platform.ledger.checkpoints",
    "esgx_platform.migrate",
    "esgx_platform.jobs.scheduler",
    "esgx_platform.notifications.outbox",
]


def test_core_and_signing_do_not_import_flask() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}: importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug',"
        " 'flask_babel', 'supplier_portal') or m.split('.')[:2] == ['esgx_platform', 'web'])\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.strip() == ""


def test_signing_does_not_import_sqlalchemy() -> None:
    code = "import sys, signing; print('sqlalchemy' in sys.modules, 'flask' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.strip() == "False False"


def test_stdlib_platform_module_is_not_shadowed() -> None:
    # platform/ is a source root, not a package: from the repository root the standard
    # library's platform module must still be the one imported.
    code = "import platform; print(platform.system()); print(platform.__file__)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    system, path = result.stdout.split()
    assert system in ("Linux", "Darwin", "Windows")
    assert not Path(path).resolve().is_relative_to(REPO)
    assert not (REPO / "platform" / "__init__.py").exists()
