"""An append-only Merkle tree kept as its right edge (compact range), for O(log n) appends."""

from __future__ import annotations

from collections.abc import Sequence

from signing._errors import InputError
from signing._merkle import EMPTY_ROOT, HASH_SIZE, node_hash

Subtree = tuple[int, int, bytes]
"""(level, index, hash) of the complete subtree over leaves [index << level, (index+1) << level)."""


class CompactTree:
    """An RFC 9162 tree that stores only its frontier: one complete subtree per set bit of n.

    `append` is O(log n) and reports every complete subtree it finishes, so a database can
    store them and answer proofs through `inclusion_proof_from_subtrees` and friends; the
    frontier (`frontier()`, `from_frontier`) is all a log must persist to keep appending.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []  # frontier hashes, highest level (leftmost) first

    @classmethod
    def from_frontier(cls, frontier: Sequence[tuple[int, bytes]]) -> CompactTree:
        """Rebuild a tree from `frontier()` output: (level, hash) pairs, levels decreasing.

        Raises InputError when levels are not strictly decreasing and non-negative or a
        hash is not 32 bytes.
        """
        tree = cls()
        previous = None
        for level, value in frontier:
            if level < 0 or (previous is not None and level >= previous):
                raise InputError("frontier levels must be non-negative and strictly decreasing")
            if not isinstance(value, bytes) or len(value) != HASH_SIZE:
                raise InputError(f"frontier hash at level {level} is not {HASH_SIZE} bytes")
            tree._size += 1 << level
            tree._hashes.append(value)
            previous = level
        return tree

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def frontier(self) -> list[tuple[int, bytes]]:
        """The right edge as (level, hash) pairs, leftmost (highest level) first."""
        levels = [
            level for level in range(self._size.bit_length() - 1, -1, -1) if self._size >> level & 1
        ]
        return list(zip(levels, self._hashes, strict=True))

    def append(self, leaf_hash: bytes) -> list[Subtree]:
        """Append one leaf hash; return the (level, index, hash) subtrees it completes, leaf first.

        Raises InputError when the leaf hash is not 32 bytes.
        """
        if not isinstance(leaf_hash, bytes) or len(leaf_hash) != HASH_SIZE:
            raise InputError(f"leaf hash is not {HASH_SIZE} bytes")
        position = self._size
        finished: list[Subtree] = [(0, position, leaf_hash)]
        value, level = leaf_hash, 0
        # Each trailing one bit of the old size is a left sibling that now completes a pair.
        while position >> level & 1:
            value = node_hash(self._hashes.pop(), value)
            level += 1
            finished.append((level, position >> level, value))
        self._hashes.append(value)
        self._size += 1
        return finished

    def root(self) -> bytes:
        """The current root hash: fold the frontier right to left (SHA-256("") when empty)."""
        if not self._hashes:
            return EMPTY_ROOT
        value = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            value = node_hash(left, value)
        return value
