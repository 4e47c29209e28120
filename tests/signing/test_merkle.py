"""RFC 9162 Merkle log: reference tree, proofs and their verification, the compact tree."""

from __future__ import annotations

import hashlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import signing
from tests.signing.support import load_vector

TREE = load_vector("rfc6962-reference-tree", "rfc6962_8leaf_tree.json")
LEAVES = [signing.leaf_hash(bytes.fromhex(h)) for h in TREE["leafInputs_hex"]]


def _leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]


def _flip(value: bytes, position: int = 0) -> bytes:
    return value[:position] + bytes([value[position] ^ 1]) + value[position + 1 :]


def test_reference_tree_leaf_hashes() -> None:
    assert [h.hex() for h in LEAVES] == TREE["leafHashes_hex"]


@pytest.mark.parametrize("size", range(9))
def test_reference_tree_roots(size: int) -> None:
    expected = bytes.fromhex(TREE["rootHashesBySize_hex"][size])
    assert signing.root_hash(LEAVES[:size]) == expected
    tree = signing.CompactTree()
    for leaf in LEAVES[:size]:
        tree.append(leaf)
    assert tree.root() == expected


def test_reference_tree_proofs_verify_at_every_size() -> None:
    for size in range(1, 9):
        root = bytes.fromhex(TREE["rootHashesBySize_hex"][size])
        for index in range(size):
            proof = signing.inclusion_proof(index, LEAVES[:size])
            signing.verify_inclusion(LEAVES[index], index, size, proof, root)
        for size1 in range(1, size + 1):
            old = bytes.fromhex(TREE["rootHashesBySize_hex"][size1])
            proof = signing.consistency_proof(size1, LEAVES[:size])
            signing.verify_consistency(size1, size, proof, old, root)


def test_rfc9162_proof_shapes() -> None:
    # RFC 9162 2.1.5 worked examples: PATH(d0, D[7]) = [b, h, l]; PROOF(3, D[7]) = [c, d, g, l].
    node = signing.node_hash
    a, b, c, d, e, f, g = LEAVES[:7]
    assert signing.inclusion_proof(0, LEAVES[:7]) == [b, node(c, d), node(node(e, f), g)]
    assert signing.consistency_proof(3, LEAVES[:7]) == [c, d, node(a, b), node(node(e, f), g)]
    assert signing.consistency_proof(4, LEAVES[:7]) == [node(node(e, f), g)]
    assert signing.consistency_proof(6, LEAVES[:7]) == [node(e, f), g, node(node(a, b), node(c, d))]


# RFC 9162 verification binds the tree size only through the proof's shape: leaf 0 of a 3-leaf
# tree has the same path shape in a 4-leaf tree, so the same proof and root pass (a signed
# checkpoint binds size and root together). Size changes below therefore change the depth.
@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 300).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(0, n - 1), st.integers(0, n - 1))
    )
)
def test_inclusion_proofs_verify_and_break_on_any_change(case: tuple[int, int, int]) -> None:
    size, index, other = case
    leaves = _leaves(size)
    root = signing.root_hash(leaves)
    proof = signing.inclusion_proof(index, leaves)
    assert len(proof) <= max(1, math.ceil(math.log2(size))) if size > 1 else proof == []
    signing.verify_inclusion(leaves[index], index, size, proof, root)
    leaf = leaves[index]
    bad_calls = [
        (_flip(leaf, index % 32), index, size, proof, root),
        (leaf, index, size, proof, _flip(root, 31)),
        (leaf, index, 2 * size, proof, root),
        (leaf, size, size, proof, root),
        (leaf, index, size, [*proof, root], root),
        *[
            (leaf, index, size, [*proof[:i], _flip(p, i % 32), *proof[i + 1 :]], root)
            for i, p in enumerate(proof)
        ],
    ]
    if other != index:
        bad_calls.append((leaf, other, size, proof, root))
    if size // 2 > index:
        bad_calls.append((leaf, index, size // 2, proof, root))
    if proof:
        bad_calls.append((leaf, index, size, proof[:-1], root))
    for call in bad_calls:
        with pytest.raises(signing.ProofError):
            signing.verify_inclusion(*call)


def test_consistency_for_every_size_pair_up_to_64() -> None:
    leaves = _leaves(64)
    roots = [signing.root_hash(leaves[:n]) for n in range(65)]
    for size2 in range(1, 65):
        for size1 in range(1, size2 + 1):
            proof = signing.consistency_proof(size1, leaves[:size2])
            signing.verify_consistency(size1, size2, proof, roots[size1], roots[size2])
            if size1 == size2:
                assert proof == []
                continue
            with pytest.raises(signing.ProofError):
                signing.verify_consistency(size1, size2, proof, _flip(roots[size1]), roots[size2])
            with pytest.raises(signing.ProofError):
                signing.verify_consistency(size1, size2, proof, roots[size1], _flip(roots[size2]))
            for i in range(len(proof)):
                broken = [*proof[:i], _flip(proof[i]), *proof[i + 1 :]]
                with pytest.raises(signing.ProofError):
                    signing.verify_consistency(size1, size2, broken, roots[size1], roots[size2])


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 64).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))))
def test_consistency_proofs_fail_for_other_sizes(sizes: tuple[int, int]) -> None:
    size1, size2 = sizes
    leaves = _leaves(size2 + 1)
    root1, root2 = signing.root_hash(leaves[:size1]), signing.root_hash(leaves[:size2])
    proof = signing.consistency_proof(size1, leaves[:size2])
    # As for inclusion, size2 + 1 can share the proof's shape; doubling size2 cannot.
    for other1, other2 in [(size1 + 1, size2), (size1, 2 * size2), (size1 - 1, size2)]:
        if other1 == 0:
            continue
        with pytest.raises(signing.ProofError):
            signing.verify_consistency(other1, other2, proof, root1, root2)


@pytest.mark.parametrize(
    ("size1", "size2", "proof", "root1", "root2", "message"),
    [
        (0, 5, [], b"\0" * 32, b"\0" * 32, "from size 0"),
        (6, 5, [b"\0" * 32], b"\0" * 32, b"\0" * 32, "from size 6 to size 5"),
        (5, 5, [b"\0" * 32], b"\0" * 32, b"\0" * 32, "must be empty"),
        (5, 5, [], b"\0" * 32, b"\1" * 32, "roots differ"),
        (3, 5, [], b"\0" * 32, b"\0" * 32, "empty"),
        (3, 5, [b"\0" * 31], b"\0" * 32, b"\0" * 32, "proof hash 0"),
        (3, 5, [b"\0" * 32], b"\0" * 33, b"\0" * 32, "first root"),
    ],
    ids=[
        "from-zero",
        "shrinking",
        "equal-nonempty",
        "equal-different",
        "empty",
        "short-hash",
        "long-root",
    ],
)
def test_consistency_policies(
    size1: int, size2: int, proof: list[bytes], root1: bytes, root2: bytes, message: str
) -> None:
    with pytest.raises(signing.ProofError, match=message):
        signing.verify_consistency(size1, size2, proof, root1, root2)


def test_equal_sizes_with_equal_roots_verify() -> None:
    root = signing.root_hash(_leaves(5))
    signing.verify_consistency(5, 5, [], root, root)


@pytest.mark.parametrize(
    ("leaf", "index", "size", "message"),
    [
        (b"\0" * 31, 0, 1, "leaf hash"),
        (b"\0" * 32, 1, 1, "outside"),
        (b"\0" * 32, -1, 1, "outside"),
        (b"\0" * 32, 0, 0, "outside"),
    ],
)
def test_inclusion_policies(leaf: bytes, index: int, size: int, message: str) -> None:
    with pytest.raises(signing.ProofError, match=message):
        signing.verify_inclusion(leaf, index, size, [], b"\0" * 32)


def test_proof_builders_refuse_impossible_requests() -> None:
    with pytest.raises(signing.InputError):
        signing.inclusion_proof(3, _leaves(3))
    with pytest.raises(signing.InputError):
        signing.consistency_proof(0, _leaves(3))
    with pytest.raises(signing.InputError):
        signing.root_hash([b"short"])


def test_empty_tree_root() -> None:
    assert signing.root_hash([]) == hashlib.sha256(b"").digest() == signing.CompactTree().root()


def test_compact_tree_emits_subtrees_that_answer_every_proof() -> None:
    leaves = _leaves(100)
    tree, stored = signing.CompactTree(), {}
    for n, leaf in enumerate(leaves, start=1):
        for level, index, value in tree.append(leaf):
            assert value == signing.root_hash(leaves[index << level : (index + 1) << level])
            stored[(level, index)] = value
        assert tree.size == n and tree.root() == signing.root_hash(leaves[:n])
        restored = signing.CompactTree.from_frontier(tree.frontier())
        assert (restored.size, restored.root()) == (n, tree.root())
    assert len(stored) == 2 * 100 - bin(100).count("1")  # sum of floor(n / 2**level)

    def read(level: int, index: int) -> bytes:
        return stored[(level, index)]

    for size in (1, 2, 3, 64, 65, 99, 100):
        assert signing.root_from_subtrees(size=size, subtree_hash=read) == signing.root_hash(
            leaves[:size]
        )
        for index in range(0, size, 7):
            assert signing.inclusion_proof_from_subtrees(
                index=index, size=size, subtree_hash=read
            ) == signing.inclusion_proof(index, leaves[:size])
        for size1 in range(1, size + 1, 5):
            assert signing.consistency_proof_from_subtrees(
                size1=size1, size2=size, subtree_hash=read
            ) == signing.consistency_proof(size1, leaves[:size])


def test_frontier_is_one_subtree_per_set_bit() -> None:
    tree = signing.CompactTree()
    for leaf in _leaves(13):
        tree.append(leaf)
    assert [level for level, _ in tree.frontier()] == [3, 2, 0]


@pytest.mark.parametrize(
    "frontier",
    [
        [(0, b"\0" * 32), (1, b"\0" * 32)],
        [(2, b"\0" * 32), (2, b"\0" * 32)],
        [(-1, b"\0" * 32)],
        [(0, b"\0")],
    ],
    ids=["increasing", "repeated", "negative", "short-hash"],
)
def test_from_frontier_refuses_malformed_frontiers(frontier: list[tuple[int, bytes]]) -> None:
    with pytest.raises(signing.InputError):
        signing.CompactTree.from_frontier(frontier)


def test_proofs_from_subtrees_read_logarithmically_many_nodes() -> None:
    reads: list[tuple[int, int]] = []

    def read(level: int, index: int) -> bytes:
        reads.append((level, index))
        return hashlib.sha256(f"{level}/{index}".encode()).digest()

    size = 1_000_003
    for index in (0, 1, 500_000, size - 1):
        reads.clear()
        signing.inclusion_proof_from_subtrees(index=index, size=size, subtree_hash=read)
        assert len(reads) <= 2 * math.ceil(math.log2(size))
    reads.clear()
    signing.consistency_proof_from_subtrees(size1=777_777, size2=size, subtree_hash=read)
    assert len(reads) <= 2 * math.ceil(math.log2(size))
