"""The copied conformance vectors are byte-identical to the files their provenance notes list."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tests.signing.support import VECTORS

_LISTED = re.compile(r"^\s+(\S+)\s+\(\d+ B\).*sha256 ([0-9a-f]{64})\s*$", re.MULTILINE)


def _listed_files() -> list[tuple[Path, str]]:
    listed: dict[Path, str] = {}
    for readme in sorted(VECTORS.glob("*/README.txt")):
        for name, digest in _LISTED.findall(readme.read_text(encoding="utf-8")):
            listed[readme.parent / name] = digest
    for manifest in sorted(VECTORS.glob("*/MANIFEST.tsv")):
        for line in manifest.read_text(encoding="utf-8").splitlines():
            name, _commit, _blob, digest = line.split("\t")
            listed[manifest.parent / name] = digest
    return sorted(listed.items())


def test_every_vector_folder_has_provenance() -> None:
    folders = [p for p in VECTORS.iterdir() if p.is_dir()]
    assert len(folders) == 8
    assert all((folder / "README.txt").is_file() for folder in folders)


@pytest.mark.parametrize(("path", "digest"), _listed_files(), ids=lambda v: str(v)[-40:])
def test_vector_file_matches_its_listed_sha256(path: Path, digest: str) -> None:
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
