"""C2SP tlog-checkpoint signed notes and tlog-cosignature witness cosignatures."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ed25519

from signing._encoding import b64_decode, b64_encode
from signing._errors import CheckpointError, MalformedError, ProofError
from signing._merkle import HASH_SIZE, verify_consistency
from signing._note import (
    SIG_COSIGNATURE,
    SIG_ED25519,
    Note,
    NoteSignature,
    VerifierKey,
    cosigned_message,
    make_verifier_key,
    parse_note,
    parse_verifier_key,
    sign_note,
    signature_verifies,
    verify_note,
)

_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin line, tree size, root hash, optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint note text (each line newline-terminated)."""
        lines = [self.origin, str(self.size), b64_encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint whose log signature verified, with the witnesses that cosigned it.

    `witnesses` maps each trusted witness name whose cosignature verified to its timestamp.
    """

    checkpoint: Checkpoint
    note: Note
    witnesses: dict[str, int] = field(default_factory=dict)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text (origin, size, base64 root, extensions); CheckpointError."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or "" in lines[:-1]:
        raise CheckpointError("checkpoint needs at least 3 non-empty newline-terminated lines")
    origin, size, root, *extensions = lines[:-1]
    if not _SIZE.fullmatch(size) or int(size) >= 2**63:
        raise CheckpointError(
            f"checkpoint tree size {size!r} is not a decimal without leading zeros"
        )
    try:
        root_hash = b64_decode(root, what="checkpoint root hash")
    except MalformedError as exc:
        raise CheckpointError(str(exc)) from None
    if len(root_hash) != HASH_SIZE:
        raise CheckpointError("checkpoint root hash is not 32 bytes")
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


def verifier_key(*, name: str, key: ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey) -> str:
    """Return the vkey `name+hex(key ID)+base64(0x01 || pk)` of a log (note signing) key."""
    return str(make_verifier_key(name, key, SIG_ED25519))


def cosigner_verifier_key(
    *, name: str, key: ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey
) -> str:
    """Return the vkey of a witness cosigning key (signature type 0x04)."""
    return str(make_verifier_key(name, key, SIG_COSIGNATURE))


def sign_checkpoint(
    checkpoint: Checkpoint, *, private_key: ed25519.Ed25519PrivateKey, name: str | None = None
) -> str:
    """Sign a checkpoint as a C2SP signed note; the key name defaults to the origin."""
    parse_checkpoint(checkpoint.text())  # refuse to sign what verifiers would refuse to read
    return sign_note(checkpoint.text(), name=name or checkpoint.origin, private_key=private_key)


def _as_key(key: str | VerifierKey, sig_type: int, role: str) -> VerifierKey:
    parsed = parse_verifier_key(key) if isinstance(key, str) else key
    if parsed.sig_type != sig_type:
        raise CheckpointError(f"{role} key {parsed.name} has signature type {parsed.sig_type:#04x}")
    return parsed


def _verify_witnesses(note: Note, keys: Sequence[VerifierKey], quorum: int) -> dict[str, int]:
    witnesses: dict[str, int] = {}
    for key in keys:
        for signature in note.signatures:
            if (signature.name, signature.key_id) != (key.name, key.key_id):
                continue
            if not signature_verifies(key, note.text, signature):
                raise CheckpointError(f"cosignature by {key.name} does not verify")
            witnesses[key.name] = int.from_bytes(signature.signature[:8], "big")
    if len(witnesses) < quorum:
        raise CheckpointError(f"{len(witnesses)} trusted witness cosignatures, {quorum} required")
    return witnesses


def verify_checkpoint(
    note: str | bytes,
    *,
    log_key: str | VerifierKey,
    witness_keys: Sequence[str | VerifierKey] = (),
    quorum: int = 0,
) -> VerifiedCheckpoint:
    """Verify a signed checkpoint: the log's signature, its origin, and witness cosignatures.

    The origin line must equal the log key's name. Every cosignature by a trusted witness
    must verify and at least `quorum` must be present. Raises CheckpointError.
    """
    log = _as_key(log_key, SIG_ED25519, "log")
    witnesses = [_as_key(k, SIG_COSIGNATURE, "witness") for k in witness_keys]
    parsed = parse_note(note)
    verify_note(parsed, keys=[log])
    checkpoint = parse_checkpoint(parsed.text)
    if checkpoint.origin != log.name:
        raise CheckpointError(
            f"checkpoint origin {checkpoint.origin!r} is not the log {log.name!r}"
        )
    return VerifiedCheckpoint(checkpoint, parsed, _verify_witnesses(parsed, witnesses, quorum))


def cosign_checkpoint(
    note: str,
    *,
    log_key: str | VerifierKey,
    name: str,
    private_key: ed25519.Ed25519PrivateKey,
    timestamp: int | None = None,
    previous: str | None = None,
    consistency_proof: Sequence[bytes] = (),
) -> str:
    """Witness a checkpoint: verify it, check it extends `previous`, add a cosignature.

    `previous` is the last checkpoint this witness accepted from the log (signed note) and
    `consistency_proof` the proof from its size to the new one. Returns the note with the
    timestamped Ed25519 cosignature (type 0x04) appended. Raises CheckpointError or
    ProofError when the new checkpoint is not signed by the log or not consistent.
    """
    current = verify_checkpoint(note, log_key=log_key)
    if previous is not None:
        old = verify_checkpoint(previous, log_key=log_key).checkpoint
        new = current.checkpoint
        if old.size > new.size:
            raise ProofError(f"checkpoint size {new.size} is smaller than the seen {old.size}")
        if old.size:
            verify_consistency(old.size, new.size, consistency_proof, old.root_hash, new.root_hash)
    stamp = int(time.time()) if timestamp is None else timestamp
    if not 0 <= stamp < 2**63:
        raise CheckpointError("cosignature timestamp out of range")
    key = make_verifier_key(name, private_key, SIG_COSIGNATURE)
    text = current.note.text
    signature = private_key.sign(cosigned_message(text, stamp))
    line = NoteSignature(name, key.key_id, stamp.to_bytes(8, "big") + signature)
    return str(Note(text, (*current.note.signatures, line)))
