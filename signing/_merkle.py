"""RFC 9162 Merkle tree hashing, inclusion and consistency proofs, and their verification."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from signing._errors import InputError, ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeHash = Callable[[int, int], bytes]
"""`subtree_hash(level, index)`: hash of the complete subtree over leaves
[index * 2**level, (index + 1) * 2**level); level 0 is a leaf hash."""


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 9162 leaf hash SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_leaves(leaf_hashes: Sequence[bytes]) -> None:
    for position, value in enumerate(leaf_hashes):
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise InputError(f"leaf hash {position} is not {HASH_SIZE} bytes")


def _reduce(level: list[bytes]) -> bytes:
    # Pairing left to right and carrying an odd last node up unchanged builds exactly the
    # RFC 9162 tree (split at the largest power of two below n), without recursion.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return the Merkle tree hash of a list of leaf hashes (SHA-256("") when empty).

    Raises InputError when a leaf hash is not 32 bytes.
    """
    _check_leaves(leaf_hashes)
    return _reduce(list(leaf_hashes)) if leaf_hashes else EMPTY_ROOT


def _split(size: int) -> int:
    """The largest power of two smaller than size (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def _range_hash(start: int, end: int, subtree_hash: SubtreeHash) -> bytes:
    """Hash of leaves [start, end) where start is aligned as in every RFC 9162 proof node.

    A complete subtree is one read; a right-edge partial subtree is rebuilt from the
    complete subtrees of its binary decomposition (at most log2(n) reads).
    """
    size = end - start
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return subtree_hash(level, start >> level)
    k = _split(size)
    return node_hash(
        _range_hash(start, start + k, subtree_hash), _range_hash(start + k, end, subtree_hash)
    )


def root_from_subtrees(*, size: int, subtree_hash: SubtreeHash) -> bytes:
    """Return the root of the first `size` leaves using O(log n) subtree reads."""
    if size < 0:
        raise InputError("tree size must not be negative")
    return _range_hash(0, size, subtree_hash) if size else EMPTY_ROOT


def inclusion_proof_from_subtrees(
    *, index: int, size: int, subtree_hash: SubtreeHash
) -> list[bytes]:
    """Return the RFC 9162 inclusion proof (PATH) of leaf `index` in a tree of `size` leaves.

    Reads only complete subtrees through `subtree_hash`, O(log n) of them. Raises InputError
    when index is not in [0, size).
    """
    if not 0 <= index < size:
        raise InputError(f"leaf index {index} is outside a tree of size {size}")
    proof: list[bytes] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            proof.append(_range_hash(start + k, end, subtree_hash))
            end = start + k
        else:
            proof.append(_range_hash(start, start + k, subtree_hash))
            start, m = start + k, m - k
    proof.reverse()  # PATH lists the deepest sibling first
    return proof


def consistency_proof_from_subtrees(
    *, size1: int, size2: int, subtree_hash: SubtreeHash
) -> list[bytes]:
    """Return the RFC 9162 consistency proof (SUBPROOF) from size1 to size2.

    Reads O(log n) complete subtrees. Raises InputError unless 0 < size1 <= size2.
    """
    if not 0 < size1 <= size2:
        raise InputError(f"consistency proof needs 0 < size1 <= size2, got {size1}, {size2}")
    proof: list[bytes] = []
    start, end, m, complete = 0, size2, size1, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(_range_hash(start + k, end, subtree_hash))
            end = start + k
        else:
            proof.append(_range_hash(start, start + k, subtree_hash))
            start, m, complete = start + k, m - k, False
    if not complete:
        proof.append(_range_hash(start, end, subtree_hash))
    proof.reverse()
    return proof


def _list_subtrees(leaf_hashes: Sequence[bytes]) -> SubtreeHash:
    _check_leaves(leaf_hashes)

    def subtree_hash(level: int, index: int) -> bytes:
        return _reduce(list(leaf_hashes[index << level : (index + 1) << level]))

    return subtree_hash


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """Return the inclusion proof of leaf `index` in the tree of all `leaf_hashes`.

    Raises InputError for an index outside the tree or a leaf hash that is not 32 bytes.
    """
    return inclusion_proof_from_subtrees(
        index=index, size=len(leaf_hashes), subtree_hash=_list_subtrees(leaf_hashes)
    )


def consistency_proof(size1: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """Return the consistency proof from the first `size1` leaves to all `leaf_hashes`.

    Raises InputError unless 0 < size1 <= len(leaf_hashes), or for a malformed leaf hash.
    """
    return consistency_proof_from_subtrees(
        size1=size1, size2=len(leaf_hashes), subtree_hash=_list_subtrees(leaf_hashes)
    )


def _check_hashes(named: Sequence[tuple[str, bytes]], proof: Sequence[bytes]) -> None:
    for name, value in [*named, *((f"proof hash {i}", p) for i, p in enumerate(proof))]:
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise ProofError(f"{name} is not exactly {HASH_SIZE} bytes")


def _shift_to_odd(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Verify an RFC 9162 section 2.1.3.2 inclusion proof; raise ProofError if it fails."""
    _check_hashes([("leaf hash", leaf_hash), ("root", root)], proof)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = _shift_to_odd(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is too short for the tree size")
    if r != root:
        raise ProofError("inclusion proof does not lead to the root hash")


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Verify an RFC 9162 section 2.1.4.2 consistency proof; raise ProofError if it fails.

    Policy: every hash is 32 bytes; size1 must be > 0 and <= size2; equal sizes need an
    empty proof and equal roots.
    """
    _check_hashes([("first root", root1), ("second root", root2)], proof)
    if size1 <= 0 or size1 > size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == size2:
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if root1 != root2:
            raise ProofError("roots differ for the same tree size")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = [root1, *proof] if size1 & (size1 - 1) == 0 else list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                fn, sn = _shift_to_odd(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is too short for the tree sizes")
    if fr != root1:
        raise ProofError("consistency proof does not lead to the first root")
    if sr != root2:
        raise ProofError("consistency proof does not lead to the second root")
