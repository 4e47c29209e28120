"""C2SP signed notes: Ed25519 note signatures, verifier keys, parsing and verification."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from signing._ed25519 import check_ed25519_public_key
from signing._encoding import b64_decode, b64_encode
from signing._errors import CheckpointError, InvalidKeyError, MalformedError

SIG_ED25519 = 0x01
SIG_COSIGNATURE = 0x04  # timestamped Ed25519 checkpoint cosignature (c2sp.org/tlog-cosignature)
MAX_SIGNATURES = 64  # the spec requires accepting at least 16
_NAME = re.compile(r"[^\s+]+")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


@dataclass(frozen=True)
class VerifierKey:
    """A parsed verifier key: name, 4-byte key ID, signature type and Ed25519 public key."""

    name: str
    key_id: bytes
    sig_type: int
    public_key: ed25519.Ed25519PublicKey

    def __str__(self) -> str:
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return f"{self.name}+{self.key_id.hex()}+{b64_encode(bytes([self.sig_type]) + raw)}"


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key ID and the signature bytes after the ID."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """The signature line, without its newline."""
        return f"\u2014 {self.name} {b64_encode(self.key_id + self.signature)}"


@dataclass(frozen=True)
class Note:
    """A signed note: its text (ending in a newline) and its signature lines."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line() + "\n" for s in self.signatures)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise CheckpointError(f"key name {name!r} must be non-empty without spaces or '+'")


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """Return the key ID SHA-256(name || 0x0A || type || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public_key).digest()[
        :4
    ]


def _raw(key: ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, ed25519.Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def make_verifier_key(
    name: str, key: ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey, sig_type: int
) -> VerifierKey:
    """Build the VerifierKey for `key` under `name` with the given signature type."""
    _check_name(name)
    if not isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        raise InvalidKeyError("note keys must be Ed25519")
    raw = _raw(key)
    return VerifierKey(
        name, key_id(name, sig_type, raw), sig_type, ed25519.Ed25519PublicKey.from_public_bytes(raw)
    )


def parse_verifier_key(vkey: str) -> VerifierKey:
    """Parse `name+hex(key ID)+base64(type || public key)` for types 0x01 and 0x04.

    Raises CheckpointError for a malformed string, another signature type, a key ID that
    does not match, or an invalid Ed25519 key.
    """
    parts = vkey.strip().split("+", 2) if isinstance(vkey, str) else []
    if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise CheckpointError("verifier key must be name+hex(key ID)+base64(type || key)")
    name, id_hex, material = parts
    _check_name(name)
    try:
        decoded = b64_decode(material, what="verifier key material")
        if len(decoded) != 33 or decoded[0] not in (SIG_ED25519, SIG_COSIGNATURE):
            raise CheckpointError("verifier key must hold an Ed25519 key of type 0x01 or 0x04")
        check_ed25519_public_key(decoded[1:])
    except (MalformedError, InvalidKeyError) as exc:
        raise CheckpointError(f"verifier key: {exc}") from None
    if key_id(name, decoded[0], decoded[1:]).hex() != id_hex:
        raise CheckpointError("verifier key ID does not match its name and key")
    return VerifierKey(
        name,
        bytes.fromhex(id_hex),
        decoded[0],
        ed25519.Ed25519PublicKey.from_public_bytes(decoded[1:]),
    )


def _parse_signature_line(line: str) -> NoteSignature:
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != "\u2014":
        raise CheckpointError("signature line must be '\u2014 <name> <base64>'")
    _check_name(parts[1])
    try:
        blob = b64_decode(parts[2], what="note signature")
    except MalformedError as exc:
        raise CheckpointError(str(exc)) from None
    if len(blob) < 5:
        raise CheckpointError("note signature is too short")
    return NoteSignature(parts[1], blob[:4], blob[4:])


def parse_note(data: str | bytes) -> Note:
    """Parse a signed note: text, blank line, one or more signature lines (CheckpointError)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointError("signed note is not valid UTF-8") from None
    if _CONTROL.search(data):
        raise CheckpointError("signed note contains a control character")
    split = data.rfind("\n\n")
    if split < 0 or not data.endswith("\n"):
        raise CheckpointError("signed note needs text, a blank line and signature lines")
    lines = data[split + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"signed note has more than {MAX_SIGNATURES} signatures")
    return Note(data[: split + 1], tuple(_parse_signature_line(line) for line in lines))


def check_text(text: str) -> None:
    """Refuse note text that cannot be signed: no final newline or a control character."""
    if not isinstance(text, str) or not text.endswith("\n") or _CONTROL.search(text):
        raise CheckpointError("note text must end in a newline and hold no control characters")


def sign_note(text: str, *, name: str, private_key: ed25519.Ed25519PrivateKey) -> str:
    """Sign note text with an Ed25519 key (type 0x01); return the signed note."""
    check_text(text)
    key = make_verifier_key(name, private_key, SIG_ED25519)
    signature = NoteSignature(name, key.key_id, private_key.sign(text.encode("utf-8")))
    return str(Note(text, (signature,)))


def cosigned_message(text: str, timestamp: int) -> bytes:
    """The message an Ed25519 cosignature signs (tlog-cosignature 'Ed25519 signed message')."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def signature_verifies(key: VerifierKey, text: str, signature: NoteSignature) -> bool:
    """Whether a signature by a matching key verifies over the note text."""
    message = text.encode("utf-8")
    body = signature.signature
    if key.sig_type == SIG_COSIGNATURE:
        if len(body) != 72:
            return False
        timestamp = int.from_bytes(body[:8], "big")
        if timestamp >= 2**63:
            return False
        message, body = cosigned_message(text, timestamp), body[8:]
    try:
        key.public_key.verify(body, message)
    except InvalidSignature:
        return False
    return True


def verify_note(
    note: str | bytes | Note, *, keys: Sequence[str | VerifierKey]
) -> list[VerifierKey]:
    """Verify a signed note against trusted verifier keys; return the keys that verified.

    Signatures whose (name, key ID) match no trusted key are ignored; one from a trusted
    key that fails rejects the note; no verified trusted signature rejects it too.
    Raises CheckpointError.
    """
    parsed = note if isinstance(note, Note) else parse_note(note)
    trusted = [parse_verifier_key(k) if isinstance(k, str) else k for k in keys]
    verified: list[VerifierKey] = []
    for signature in parsed.signatures:
        for key in trusted:
            if key.name == signature.name and key.key_id == signature.key_id:
                if not signature_verifies(key, parsed.text, signature):
                    raise CheckpointError(f"signature by {key.name} does not verify")
                if key not in verified:
                    verified.append(key)
    if not verified:
        raise CheckpointError("note carries no signature from a trusted key")
    return verified
