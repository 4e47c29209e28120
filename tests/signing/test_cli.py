"""esgx-sign in a subprocess: every command, exit codes, file modes, and no web stack."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import signing
from signing._encoding import b64url_decode
from tests.signing.support import ORG, disclosure_subject, scenario

REPO = Path(__file__).resolve().parents[2]
COMMANDS = ["keygen", "public-jwk", "sign", "verify", "pop", "verify-bundle"]
# Runs the CLI with flask and sqlalchemy made unimportable, as on a supplier's machine.
BLOCKED = """
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("flask", "sqlalchemy"):
            raise ImportError("blocked: " + name)
        return None
sys.meta_path.insert(0, Blocker())
from signing.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run(
    *args: str, stdin: str = "", blocked: bool = False, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", BLOCKED] if blocked else [sys.executable, "-m", "signing.cli"]
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One key per algorithm, made by `keygen`, with its printed public JWK saved next to it."""
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for alg in ("Ed25519", "ES256"):
        key = folder / f"{alg}.pem"
        result = run("keygen", "--alg", alg, "--out", str(key))
        assert result.returncode == 0, result.stderr
        (folder / f"{alg}.json").write_text(result.stdout)
        made[alg] = key
    return made


@pytest.mark.parametrize("alg", ["Ed25519", "ES256"])
def test_keygen_writes_a_0600_pkcs8_key_and_prints_its_jwk(keys: dict[str, Path], alg: str) -> None:
    key = keys[alg]
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    jwk = json.loads(key.with_suffix(".json").read_text())
    loaded = signing.load_private_key(key.read_bytes())
    assert jwk == signing.public_jwk(loaded) and jwk["kid"] == signing.jwk_thumbprint(jwk)


def test_keygen_refuses_to_overwrite(keys: dict[str, Path]) -> None:
    before = keys["Ed25519"].read_bytes()
    result = run("keygen", "--alg", "Ed25519", "--out", str(keys["Ed25519"]))
    assert result.returncode == 1 and "refusing to overwrite" in result.stderr
    assert keys["Ed25519"].read_bytes() == before


def test_public_jwk_from_file_and_stdin(keys: dict[str, Path]) -> None:
    expected = keys["ES256"].with_suffix(".json").read_text()
    assert run("public-jwk", str(keys["ES256"])).stdout == expected
    assert run("public-jwk", "-", stdin=keys["ES256"].read_text()).stdout == expected


def _sign(keys: dict[str, Path], tmp_path: Path, alg: str = "Ed25519") -> Path:
    disclosure = tmp_path / "disclosure.json"
    disclosure.write_text(json.dumps(disclosure_subject()))
    result = run("sign", "--key", str(keys[alg]), "--issuer", ORG, str(disclosure))
    assert result.returncode == 0, result.stderr
    jws = tmp_path / "disclosure.jws"
    jws.write_text(result.stdout)
    return jws


@pytest.mark.parametrize("alg", ["Ed25519", "ES256"])
def test_sign_then_verify_prints_the_canonical_payload(
    keys: dict[str, Path], tmp_path: Path, alg: str
) -> None:
    jws = _sign(keys, tmp_path, alg)
    result = run("verify", "--jwk", str(keys[alg].with_suffix(".json")), str(jws))
    assert result.returncode == 0, result.stderr
    payload = result.stdout.rstrip("\n").encode()
    assert signing.canonicalize(json.loads(payload)) == payload
    assert json.loads(payload)["credentialSubject"] == disclosure_subject()
    assert json.loads(payload)["issuer"] == ORG


def test_verify_reads_the_jws_from_stdin(keys: dict[str, Path], tmp_path: Path) -> None:
    jws = _sign(keys, tmp_path)
    result = run(
        "verify", "--jwk", str(keys["Ed25519"].with_suffix(".json")), "-", stdin=jws.read_text()
    )
    assert result.returncode == 0, result.stderr


def test_tampered_jws_exits_1_with_one_line(keys: dict[str, Path], tmp_path: Path) -> None:
    jws = _sign(keys, tmp_path)
    header, payload, signature = jws.read_text().strip().split(".")
    jws.write_text(f"{header}.{payload}.{('B' if signature[0] == 'A' else 'A')}{signature[1:]}")
    result = run("verify", "--jwk", str(keys["Ed25519"].with_suffix(".json")), str(jws))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == "esgx-sign verify: signature does not verify\n"


def test_wrong_key_exits_1(keys: dict[str, Path], tmp_path: Path) -> None:
    jws = _sign(keys, tmp_path)
    result = run("verify", "--jwk", str(keys["ES256"].with_suffix(".json")), str(jws))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "kid" in result.stderr


def test_sign_complete_credential_as_is(keys: dict[str, Path], tmp_path: Path) -> None:
    credential = signing.build_credential(
        subject={"period": "2025-Q3"}, issuer=ORG, kind="ProductFootprint"
    )
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(credential))
    result = run("sign", "--key", str(keys["Ed25519"]), "--credential", str(path))
    assert result.returncode == 0, result.stderr
    verified = signing.verify(
        result.stdout.strip(), json.loads(keys["Ed25519"].with_suffix(".json").read_text())
    )
    assert verified.payload == credential


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--issuer", ORG, "--credential"], "do not apply"),
        ([], "--issuer is required"),
        (["--issuer", "not-a-urn"], "URN"),
    ],
)
def test_sign_argument_problems_exit_1(
    keys: dict[str, Path], tmp_path: Path, args: list[str], message: str
) -> None:
    path = tmp_path / "d.json"
    path.write_text("{}")
    result = run("sign", "--key", str(keys["Ed25519"]), *args, str(path))
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_sign_rejects_invalid_json_with_its_location(keys: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text('{"a": 1, "a": 2}')
    result = run("sign", "--key", str(keys["Ed25519"]), "--issuer", ORG, str(path))
    assert result.returncode == 1 and "duplicate key" in result.stderr and "$.a" in result.stderr


def test_pop_answers_a_challenge(keys: dict[str, Path], tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    challenge = signing.build_challenge(
        organization=ORG, expires_at=datetime.now(UTC) + timedelta(hours=1)
    )
    result = run("pop", "--key", str(keys["ES256"]), "-", stdin=json.dumps(challenge))
    assert result.returncode == 0, result.stderr
    jwk = signing.verify_pop(result.stdout.strip(), nonce=challenge["nonce"], organization=ORG)
    assert jwk == json.loads(keys["ES256"].with_suffix(".json").read_text())


def test_verify_bundle_ok_and_bad(tmp_path: Path) -> None:
    state = scenario()
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(state.bundle()))
    vkey_file = tmp_path / "log.vkey"
    vkey_file.write_text(state.log.vkey + "\n")
    for log_key in (state.log.vkey, str(vkey_file)):
        result = run("verify-bundle", "--log-key", log_key, str(bundle))
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("OK ") and "index 1" in result.stdout
    broken = state.bundle()
    broken["receipt"] = broken["receipt"].replace("index 1", "index 0")
    bundle.write_text(json.dumps(broken))
    result = run("verify-bundle", "--log-key", state.log.vkey, str(bundle))
    assert result.returncode == 1
    assert (
        result.stderr == "esgx-sign verify-bundle: inclusion proof does not lead to the root hash\n"
    )


@pytest.mark.parametrize(
    "args", [[], ["frobnicate"], ["keygen", "--alg", "RSA", "--out", "x"], ["verify", "x.jws"]]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2 and "usage:" in result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0 and result.stdout.startswith(f"usage: esgx-sign {command}")


def test_missing_file_is_one_line_not_a_traceback(keys: dict[str, Path]) -> None:
    result = run("verify", "--jwk", "/nonexistent/key.json", "/nonexistent/x.jws")
    assert (
        result.returncode == 1 and result.stderr.count("\n") == 1 and "cannot read" in result.stderr
    )


def test_main_returns_exit_codes_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    from signing.cli import main

    assert main(["--help"]) == 0
    assert main(["verify"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_importing_signing_loads_neither_flask_nor_sqlalchemy() -> None:
    code = (
        "import sys, signing, signing.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"


def test_cli_works_where_flask_and_sqlalchemy_cannot_be_imported(tmp_path: Path) -> None:
    probe = run("-c", "", blocked=True)  # argparse error: proves the blocker script runs main
    assert probe.returncode == 2
    check = subprocess.run(
        [sys.executable, "-c", BLOCKED.split("from signing")[0] + "import flask"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "blocked: flask" in check.stderr
    key = tmp_path / "k.pem"
    assert run("keygen", "--alg", "Ed25519", "--out", str(key), blocked=True).returncode == 0
    disclosure = tmp_path / "d.json"
    disclosure.write_text(json.dumps({"period": "2025-Q3"}))
    signed = run("sign", "--key", str(key), "--issuer", ORG, str(disclosure), blocked=True)
    assert signed.returncode == 0, signed.stderr
    jwk = tmp_path / "k.json"
    jwk.write_text(run("public-jwk", str(key), blocked=True).stdout)
    verified = run("verify", "--jwk", str(jwk), "-", stdin=signed.stdout, blocked=True)
    assert verified.returncode == 0, verified.stderr
    state = scenario()
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps(state.bundle()))
    assert (
        run("verify-bundle", "--log-key", state.log.vkey, str(bundle), blocked=True).returncode == 0
    )


def test_a_kid_beginning_with_a_dash_is_a_value_not_an_option(keys: dict[str, Path]) -> None:
    """Thumbprints are base64url: one in 64 begins with "-", which argparse alone would take
    for an option ("--kid: expected one argument")."""
    kid = "-" + "A" * 42
    result = run(
        "revoke", "--key", str(keys["Ed25519"]), "--organization", ORG,
        "--kid", kid, "--reason", "superseded",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    event = json.loads(result.stdout)["event"]
    payload = json.loads(b64url_decode(event["payload"], what="payload"))
    assert payload["kid"] == kid and payload["event"] == "revoked"
