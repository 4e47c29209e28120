"""esgx-sign: generate keys, sign and verify disclosures, answer challenges, check bundles."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from signing import (
    KEY_ALGORITHMS,
    REVOCATION_REASONS,
    PrivateKey,
    SigningError,
    build_credential,
    build_registration,
    build_revocation,
    build_rotation,
    canonicalize,
    generate_key,
    load_private_key,
    parse_json,
    private_key_pem,
    public_jwk,
    sign,
    sign_key_event,
    sign_pop,
    verify,
    verify_bundle,
)


class _CliError(Exception):
    """A failure reported as one line on stderr with exit status 1."""


def _read(path: str, stdin: BinaryIO) -> bytes:
    if path == "-":
        return stdin.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _CliError(f"cannot read {path}: {exc.strerror}") from None


def _read_json(path: str, stdin: BinaryIO) -> Any:
    try:
        return parse_json(_read(path, stdin))
    except SigningError as exc:
        raise _CliError(f"{path}: {exc}") from None


def _key(path: str, stdin: BinaryIO) -> PrivateKey:
    return load_private_key(_read(path, stdin))


def _print_json(value: Any) -> None:
    print(canonicalize(value).decode("utf-8"))


def _keygen(args: argparse.Namespace, stdin: BinaryIO) -> int:
    key = generate_key(args.alg)
    try:
        # Created with mode 0600 in one step: the private key is never readable by others.
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise _CliError(f"{args.out} exists; refusing to overwrite a key") from None
    except OSError as exc:
        raise _CliError(f"cannot create {args.out}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(private_key_pem(key))
    _print_json(public_jwk(key))
    return 0


def _public_jwk(args: argparse.Namespace, stdin: BinaryIO) -> int:
    _print_json(public_jwk(_key(args.key, stdin)))
    return 0


def _sign(args: argparse.Namespace, stdin: BinaryIO) -> int:
    document = _read_json(args.file, stdin)
    if args.credential:
        if args.issuer or args.kind:
            raise _CliError("--issuer and --kind do not apply with --credential")
        credential = document
    else:
        if not args.issuer:
            raise _CliError("--issuer is required unless --credential is given")
        credential = build_credential(
            subject=document, issuer=args.issuer, kind=args.kind or "EmissionDisclosure"
        )
    print(sign(credential=credential, private_key=_key(args.key, stdin)))
    return 0


def _verify(args: argparse.Namespace, stdin: BinaryIO) -> int:
    jwk = _read_json(args.jwk, stdin)
    verified = verify(_read(args.file, stdin).decode("ascii", errors="replace"), jwk)
    print(verified.payload_bytes.decode("utf-8"))
    return 0


def _pop(args: argparse.Namespace, stdin: BinaryIO) -> int:
    challenge = _read_json(args.file, stdin)
    print(sign_pop(challenge, private_key=_key(args.key, stdin)))
    return 0


def _register(args: argparse.Namespace, stdin: BinaryIO) -> int:
    """The body to POST to the platform's key registration: proof and signed event."""
    challenge = _read_json(args.file, stdin)
    key = _key(args.key, stdin)
    organization = challenge.get("organization") if isinstance(challenge, dict) else None
    if not isinstance(organization, str):
        raise _CliError("the challenge names no organization")
    event = build_registration(organization=organization, public_jwk=public_jwk(key))
    _print_json(
        {
            "proof": sign_pop(challenge, private_key=key),
            "event": sign_key_event(event, private_keys=[key]),
        }
    )
    return 0


def _rotate(args: argparse.Namespace, stdin: BinaryIO) -> int:
    old, new = _key(args.old, stdin), _key(args.new, stdin)
    not_after = datetime.now(UTC).replace(microsecond=0) + timedelta(days=args.overlap_days)
    event = build_rotation(
        organization=args.organization,
        new_jwk=public_jwk(new),
        previous_kid=public_jwk(old)["kid"],
        previous_not_after=not_after,
    )
    _print_json({"event": sign_key_event(event, private_keys=[old, new])})
    return 0


def _revoke(args: argparse.Namespace, stdin: BinaryIO) -> int:
    try:
        effective = (
            datetime.fromisoformat(args.effective.replace("Z", "+00:00"))
            if args.effective
            else datetime.now(UTC).replace(microsecond=0)
        )
    except ValueError:
        raise _CliError(f"--effective {args.effective!r} is not an ISO 8601 time") from None
    event = build_revocation(
        organization=args.organization, kid=args.kid, reason=args.reason, effective_at=effective
    )
    _print_json({"event": sign_key_event(event, private_keys=[_key(args.key, stdin)])})
    return 0


def _verifier_key(value: str, stdin: BinaryIO) -> str:
    """The argument itself, or the contents of the file (or stdin, "-") it names."""
    if value == "-" or Path(value).is_file():
        return _read(value, stdin).decode("utf-8", errors="replace").strip()
    return value


def _verify_bundle(args: argparse.Namespace, stdin: BinaryIO) -> int:
    result = verify_bundle(
        _read(args.file, stdin),
        log_key=_verifier_key(args.log_key, stdin),
        witness_keys=[_verifier_key(k, stdin) for k in args.witness_key],
        quorum=args.quorum,
    )
    credential = result.credential
    print(
        f"OK {credential.content_id} issuer {credential.issuer} key {credential.kid} "
        f"logged {result.logged_at:%Y-%m-%dT%H:%M:%SZ} at index {result.index} "
        f"of {result.checkpoint.checkpoint.origin} size {result.checkpoint.checkpoint.size}"
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="esgx-sign", description="Sign and verify esgx disclosures offline."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    keygen = command("keygen", _keygen, "Generate a private key (PKCS#8 PEM, mode 0600).")
    keygen.add_argument("--alg", required=True, choices=KEY_ALGORITHMS)
    keygen.add_argument("--out", required=True, metavar="KEY.pem", help="new file for the key")
    pub = command("public-jwk", _public_jwk, "Print the public JWK (with kid) of a private key.")
    pub.add_argument("key", metavar="KEY.pem", help="private key file, or - for stdin")
    signer = command("sign", _sign, "Sign a disclosure as a VC 2.0 credential; print the JWS.")
    signer.add_argument("--key", required=True, metavar="KEY.pem")
    signer.add_argument("--issuer", metavar="URN", help="issuer URN, urn:esgx:org:<code>")
    signer.add_argument("--kind", help="credential kind (default EmissionDisclosure)")
    signer.add_argument("--credential", action="store_true", help="FILE is a complete VC")
    signer.add_argument("file", metavar="FILE.json", help="disclosure JSON, or - for stdin")
    verifier = command("verify", _verify, "Verify a credential JWS; print its canonical payload.")
    verifier.add_argument("--jwk", required=True, metavar="PUBLIC.json")
    verifier.add_argument("file", metavar="FILE.jws", help="compact JWS, or - for stdin")
    pop = command("pop", _pop, "Answer a key-registration challenge with a proof of possession.")
    pop.add_argument("--key", required=True, metavar="KEY.pem")
    pop.add_argument("file", metavar="CHALLENGE.json", help="challenge JSON, or - for stdin")
    register = command(
        "register", _register, "Answer a registration challenge: print the proof and signed event."
    )
    register.add_argument("--key", required=True, metavar="KEY.pem", help="the new key")
    register.add_argument("file", metavar="CHALLENGE.json", help="challenge JSON, or - for stdin")
    rotate = command("rotate", _rotate, "Print a key rotation event signed by old and new key.")
    rotate.add_argument("--old", required=True, metavar="OLD.pem")
    rotate.add_argument("--new", required=True, metavar="NEW.pem")
    rotate.add_argument("--organization", required=True, metavar="URN")
    rotate.add_argument(
        "--overlap-days", type=int, default=30, help="days the old key stays valid (default 30)"
    )
    revoke = command("revoke", _revoke, "Print a key revocation event signed by KEY.pem.")
    revoke.add_argument(
        "--key",
        required=True,
        metavar="KEY.pem",
        help="a registered key of the organization (it may be the revoked one)",
    )
    revoke.add_argument("--organization", required=True, metavar="URN")
    revoke.add_argument("--kid", required=True, help="thumbprint of the key to revoke")
    revoke.add_argument("--reason", required=True, choices=REVOCATION_REASONS)
    revoke.add_argument(
        "--effective",
        metavar="TIME",
        help="when the key stopped being trustworthy (default now), e.g. 2025-09-01T00:00:00Z",
    )
    bundle = command("verify-bundle", _verify_bundle, "Verify an offline bundle.")
    bundle.add_argument("--log-key", required=True, metavar="VERIFIER_KEY", help="string or file")
    bundle.add_argument("--witness-key", action="append", default=[], metavar="VERIFIER_KEY")
    bundle.add_argument("--quorum", type=int, default=0, help="witness cosignatures required")
    bundle.add_argument("file", metavar="BUNDLE.json", help="bundle JSON, or - for stdin")
    return parser


# Options whose values are key thumbprints: base64url, so one in 64 begins with "-", which
# argparse would take for an option ("--kid -Xy..." fails with "expected one argument").
_THUMBPRINT_OPTIONS = ("--kid",)


def _joined(argv: Sequence[str]) -> list[str]:
    """`argv` with each thumbprint option joined to its value (`--kid=VALUE`)."""
    joined: list[str] = []
    rest = iter(argv)
    for arg in rest:
        value = next(rest, None) if arg in _THUMBPRINT_OPTIONS else None
        joined.append(arg if value is None else f"{arg}={value}")
    return joined


def main(argv: Sequence[str] | None = None) -> int:
    """Run esgx-sign; return 0 on success, 1 on failure (one line on stderr), 2 on misuse."""
    try:
        args = _parser().parse_args(_joined(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse exits 2 on misuse, 0 after --help
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return int(args.handler(args, sys.stdin.buffer))
    except (SigningError, _CliError) as exc:
        reason = str(exc).replace("\n", " ")
        print(f"esgx-sign {args.command}: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: still one line, never a traceback, for the user
        print(f"esgx-sign {args.command}: unexpected error: {exc!r}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
