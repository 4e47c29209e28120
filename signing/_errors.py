"""The exception hierarchy of the signing package: one base, verification failures below it."""

from __future__ import annotations


class SigningError(Exception):
    """Base of every error the signing package raises on purpose."""


class KeyFormatError(SigningError):
    """A private key could not be loaded, generated or serialized as asked."""


class CanonicalizationError(SigningError):
    """A value cannot be written as RFC 8785 canonical JSON (NaN, a huge integer, ...)."""


class VerificationError(SigningError):
    """Base of every verification failure; the message says exactly what failed."""


class MalformedError(VerificationError):
    """Input is not well formed: bad base64, wrong segment count, missing or mistyped member."""


class JSONError(MalformedError):
    """Strict JSON parsing failed; `path` (JSON path) or `offset` (byte offset) says where."""

    def __init__(self, message: str, *, path: str | None = None, offset: int | None = None):
        where = f" at {path}" if path is not None else ""
        where += f" at byte {offset}" if offset is not None else ""
        super().__init__(message + where)
        self.reason = message
        self.path = path
        self.offset = offset


class InvalidKeyError(VerificationError):
    """A public key was rejected: wrong type, non-canonical encoding, invalid or weak point."""


class AlgorithmError(VerificationError):
    """The JWS algorithm is not allowed or does not match the key type."""


class HeaderError(VerificationError):
    """A protected header member (typ, cty, kid, crit, jwk) is missing or wrong."""


class SignatureError(VerificationError):
    """A signature does not verify."""


class NonCanonicalError(VerificationError):
    """Signed bytes differ from the RFC 8785 canonical form of their own parse."""


class CredentialError(VerificationError):
    """A payload is not the expected document (VC shape, challenge, key event, log entry)."""


class ChallengeError(VerificationError):
    """A proof of possession answers another challenge (nonce, organization) or expired."""


class KeyStatusError(VerificationError):
    """The signing key was not valid when the log recorded the signed document."""


class ProofError(VerificationError):
    """A Merkle inclusion or consistency proof does not verify."""


class CheckpointError(VerificationError):
    """A signed note, checkpoint or cosignature is malformed or not signed by a trusted key."""


class BundleError(VerificationError):
    """An offline bundle is inconsistent: its log entry does not bind its contents."""


class InputError(SigningError, ValueError):
    """An argument given to a builder or signer is invalid (caller error, not bad evidence)."""
