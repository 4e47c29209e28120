"""Receipts in the C2SP tlog-proof text format: index, inclusion proof, signed checkpoint."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from signing._checkpoint import VerifiedCheckpoint, verify_checkpoint
from signing._encoding import b64_decode, b64_encode
from signing._errors import CheckpointError, MalformedError
from signing._merkle import HASH_SIZE, leaf_hash, verify_inclusion
from signing._note import VerifierKey, parse_note

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"index (0|[1-9][0-9]{0,19})")


@dataclass(frozen=True)
class Receipt:
    """A tlog-proof: entry index, inclusion proof, the signed checkpoint, optional extra data.

    In esgx the extra data is the log entry's bytes, so the leaf can be recomputed from it.
    """

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def __str__(self) -> str:
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {b64_encode(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(b64_encode(h) for h in self.proof)
        return "\n".join(lines) + "\n\n" + self.checkpoint


@dataclass(frozen=True)
class VerifiedReceipt:
    """A receipt whose checkpoint and inclusion proof verified for `leaf_hash`."""

    receipt: Receipt
    checkpoint: VerifiedCheckpoint
    leaf_hash: bytes


def build_receipt(
    *, index: int, proof: Sequence[bytes], checkpoint: str, extra: bytes | None = None
) -> str:
    """Write a tlog-proof receipt; raises CheckpointError if the parts cannot form one."""
    text = str(Receipt(index, tuple(proof), checkpoint, extra))
    parse_receipt(text)  # refuse to write what parse_receipt would refuse to read
    return text


def _decode(text: str, what: str) -> bytes:
    try:
        return b64_decode(text, what=what)
    except MalformedError as exc:
        raise CheckpointError(f"receipt: {exc}") from None


def parse_receipt(text: str) -> Receipt:
    """Parse tlog-proof text; raise CheckpointError saying which line is wrong."""
    if not isinstance(text, str) or "\n\n" not in text:
        raise CheckpointError("receipt needs its proof lines, a blank line and a checkpoint")
    head, checkpoint = text.split("\n\n", 1)
    lines = head.split("\n")
    if lines[0] != PROOF_HEADER:
        raise CheckpointError(f"receipt must start with {PROOF_HEADER}")
    extra = None
    position = 1
    if len(lines) > 1 and lines[1].startswith("extra "):
        extra = _decode(lines[1][len("extra ") :], "extra data")
        position = 2
    match = _INDEX.fullmatch(lines[position]) if len(lines) > position else None
    if match is None:
        raise CheckpointError("receipt needs an 'index N' line without leading zeros")
    proof = tuple(_decode(line, "inclusion proof hash") for line in lines[position + 1 :])
    if any(len(h) != HASH_SIZE for h in proof):
        raise CheckpointError("receipt inclusion proof hashes must be 32 bytes")
    parse_note(checkpoint)
    return Receipt(int(match.group(1)), proof, checkpoint, extra)


def verify_receipt(
    receipt: str | Receipt,
    *,
    log_key: str | VerifierKey,
    leaf: bytes | None = None,
    witness_keys: Sequence[str | VerifierKey] = (),
    quorum: int = 0,
) -> VerifiedReceipt:
    """Verify a receipt: checkpoint signed by the log (and witnesses), leaf included.

    `leaf` is the leaf hash; when omitted it is leaf_hash(extra), the esgx convention.
    Raises CheckpointError (checkpoint, cosignatures, missing extra) or ProofError.
    """
    parsed = parse_receipt(receipt) if isinstance(receipt, str) else receipt
    if leaf is None:
        if parsed.extra is None:
            raise CheckpointError("receipt has no extra line holding the log entry")
        leaf = leaf_hash(parsed.extra)
    verified = verify_checkpoint(
        parsed.checkpoint, log_key=log_key, witness_keys=witness_keys, quorum=quorum
    )
    tree = verified.checkpoint
    verify_inclusion(leaf, parsed.index, tree.size, parsed.proof, tree.root_hash)
    return VerifiedReceipt(parsed, verified, leaf)
