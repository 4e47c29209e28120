"""C2SP signed notes, checkpoints, witness cosignatures and tlog-proof receipts."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

import signing
from tests.signing.support import MemoryLog, load_vector

EXAMPLE = load_vector("c2sp-signed-note", "signed_note_example.json")
WITNESS = ed25519.Ed25519PrivateKey.generate()
WITNESS_VKEY = signing.cosigner_verifier_key(name="witness.example/w1", key=WITNESS)


def _raw(key: ed25519.Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _log(entries: int = 5) -> MemoryLog:
    log = MemoryLog()
    for i in range(entries):
        log.append(f"entry {i}".encode())
    return log


def test_c2sp_example_verifier_key_and_note() -> None:
    key = signing.parse_verifier_key(EXAMPLE["vkey"])
    raw = key.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    expected_id = hashlib.sha256(b"example.com/foo\n\x01" + raw).digest()[:4]
    assert (key.name, key.key_id, key.sig_type) == ("example.com/foo", expected_id, 1)
    assert str(key) == EXAMPLE["vkey"]
    note = signing.parse_note(EXAMPLE["signedNote"])
    assert note.text == EXAMPLE["noteText"] and str(note) == EXAMPLE["signedNote"]
    assert signing.verify_note(EXAMPLE["signedNote"], keys=[EXAMPLE["vkey"]]) == [key]


def test_c2sp_example_tampered_text_fails() -> None:
    tampered = EXAMPLE["signedNote"].replace("example message", "example massage")
    with pytest.raises(signing.CheckpointError, match="does not verify"):
        signing.verify_note(tampered, keys=[EXAMPLE["vkey"]])


def test_unknown_signatures_are_ignored_but_one_trusted_is_needed() -> None:
    other = ed25519.Ed25519PrivateKey.generate()
    other_vkey = signing.verifier_key(name="example.com/foo", key=other)  # same name, other id
    with pytest.raises(signing.CheckpointError, match="no signature from a trusted key"):
        signing.verify_note(EXAMPLE["signedNote"], keys=[other_vkey])
    extra = signing.sign_note(EXAMPLE["noteText"], name="other.example", private_key=other)
    combined = EXAMPLE["signedNote"] + extra.split("\n\n", 1)[1]
    assert len(signing.verify_note(combined, keys=[EXAMPLE["vkey"]])) == 1


def test_verifier_key_encoding() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    vkey = signing.verifier_key(name="log.example/a", key=key)
    name, key_id, material = vkey.split("+", 2)
    assert name == "log.example/a"
    assert bytes.fromhex(key_id) == hashlib.sha256(b"log.example/a\n\x01" + _raw(key)).digest()[:4]
    assert base64.b64decode(material) == b"\x01" + _raw(key)
    cosigner = signing.cosigner_verifier_key(name="w", key=key)
    assert base64.b64decode(cosigner.split("+", 2)[2])[0] == 4


@pytest.mark.parametrize(
    "vkey",
    [
        EXAMPLE["vkey"].replace("530d903a", "530d903b"),
        EXAMPLE["vkey"].replace("+AekyeR", "+AukyeR"),
        "example.com/foo+530d903a",
        "exa mple+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2",
    ],
    ids=["key-id", "sig-type", "two-parts", "space-in-name", "uppercase-hex", "bad-base64"],
)
def test_malformed_verifier_keys_are_refused(vkey: str) -> None:
    with pytest.raises(signing.CheckpointError):
        signing.parse_verifier_key(vkey)


def test_checkpoint_text_format_and_round_trip() -> None:
    log = _log()
    note = log.checkpoint()
    root = signing.root_hash([signing.leaf_hash(e) for e in log.entries])
    text = f"{log.origin}\n5\n{base64.b64encode(root).decode()}\n"
    assert note.startswith(text + "\n\u2014 " + log.origin + " ")
    verified = signing.verify_checkpoint(note, log_key=log.vkey)
    assert verified.checkpoint == signing.Checkpoint(log.origin, 5, root)
    assert verified.witnesses == {}


def _edit(change: Callable[[list[str]], None]) -> Callable[[str], str]:
    def apply(note: str) -> str:
        lines = note.split("\n")
        change(lines)
        return "\n".join(lines)

    return apply


def _flip_signature(lines: list[str]) -> None:
    prefix, blob = lines[4].rsplit(" ", 1)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    lines[4] = f"{prefix} {base64.b64encode(bytes(raw)).decode()}"


CHECKPOINT_TAMPERED = [
    ("origin", _edit(lambda ls: ls.__setitem__(0, ls[0] + "x")), "does not verify"),
    ("size", _edit(lambda ls: ls.__setitem__(1, "6")), "does not verify"),
    ("size-leading-zero", _edit(lambda ls: ls.__setitem__(1, "05")), "does not verify"),
    ("root", _edit(lambda ls: ls.__setitem__(2, "A" + ls[2][1:])), "does not verify"),
    ("extension-line", _edit(lambda ls: ls.insert(3, "extra")), "does not verify"),
    ("signature", _edit(_flip_signature), "does not verify"),
    (
        "key-name",
        _edit(lambda ls: ls.__setitem__(4, ls[4].replace("/test", "/tset"))),
        "no signature from a trusted key",
    ),
    ("no-blank-line", lambda note: note.replace("\n\n", "\n"), "blank line"),
    ("control-char", lambda note: note.replace("\n", "\t\n", 1), "control character"),
]


@pytest.mark.parametrize(
    ("tamper", "message"), [pytest.param(t, m, id=n) for n, t, m in CHECKPOINT_TAMPERED]
)
def test_tampered_checkpoint_is_rejected(tamper: Callable[[str], str], message: str) -> None:
    log = _log()
    note = log.checkpoint()
    signing.verify_checkpoint(note, log_key=log.vkey)
    with pytest.raises(signing.CheckpointError, match=message):
        signing.verify_checkpoint(tamper(note), log_key=log.vkey)


def test_checkpoint_from_another_log_is_rejected() -> None:
    log, other = _log(), MemoryLog("log.esgx.example/other")
    with pytest.raises(signing.CheckpointError):
        signing.verify_checkpoint(log.checkpoint(), log_key=other.vkey)


def test_checkpoint_whose_origin_is_not_the_key_name_is_rejected() -> None:
    log = _log()
    note = signing.sign_checkpoint(
        signing.Checkpoint("elsewhere", 0, signing.EMPTY_ROOT), private_key=log.key, name=log.origin
    )
    with pytest.raises(signing.CheckpointError, match="origin"):
        signing.verify_checkpoint(note, log_key=log.vkey)


def test_witness_cosignature_format_and_quorum() -> None:
    log = _log()
    note = log.checkpoint()
    cosigned = signing.cosign_checkpoint(
        note,
        log_key=log.vkey,
        name="witness.example/w1",
        private_key=WITNESS,
        timestamp=1_700_000_000,
    )
    line = cosigned.rstrip("\n").split("\n")[-1]
    assert line.startswith("\u2014 witness.example/w1 ")
    blob = base64.b64decode(line.rsplit(" ", 1)[1])
    key_id = hashlib.sha256(b"witness.example/w1\n\x04" + _raw(WITNESS)).digest()[:4]
    assert blob[:4] == key_id and int.from_bytes(blob[4:12], "big") == 1_700_000_000
    body = signing.parse_note(note).text
    WITNESS.public_key().verify(blob[12:], f"cosignature/v1\ntime 1700000000\n{body}".encode())
    verified = signing.verify_checkpoint(
        cosigned, log_key=log.vkey, witness_keys=[WITNESS_VKEY], quorum=1
    )
    assert verified.witnesses == {"witness.example/w1": 1_700_000_000}
    with pytest.raises(signing.CheckpointError, match="1 trusted witness cosignatures, 2 required"):
        signing.verify_checkpoint(cosigned, log_key=log.vkey, witness_keys=[WITNESS_VKEY], quorum=2)
    with pytest.raises(signing.CheckpointError, match="0 trusted witness"):
        signing.verify_checkpoint(note, log_key=log.vkey, witness_keys=[WITNESS_VKEY], quorum=1)


def test_tampered_cosignature_timestamp_is_rejected() -> None:
    log = _log()
    cosigned = signing.cosign_checkpoint(
        log.checkpoint(),
        log_key=log.vkey,
        name="witness.example/w1",
        private_key=WITNESS,
        timestamp=100,
    )
    prefix, blob = cosigned.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(blob))
    raw[11] ^= 1  # last byte of the timestamp
    tampered = f"{prefix} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(signing.CheckpointError, match=r"cosignature by witness\.example/w1"):
        signing.verify_checkpoint(tampered, log_key=log.vkey, witness_keys=[WITNESS_VKEY])


def test_witness_checks_consistency_before_cosigning() -> None:
    log = _log(5)
    old = log.checkpoint()
    log.append(b"entry 5")
    new = log.checkpoint()
    proof = signing.consistency_proof_from_subtrees(size1=5, size2=6, subtree_hash=log.subtree)
    signing.cosign_checkpoint(
        new, log_key=log.vkey, name="w", private_key=WITNESS, previous=old, consistency_proof=proof
    )
    forked = _log(5)
    forked.key, forked.vkey = log.key, log.vkey
    forked.append(b"another entry 5")
    with pytest.raises(signing.ProofError):
        signing.cosign_checkpoint(
            forked.checkpoint(),
            log_key=log.vkey,
            name="w",
            private_key=WITNESS,
            previous=new,
            consistency_proof=[],
        )
    with pytest.raises(signing.ProofError, match="smaller"):
        signing.cosign_checkpoint(
            old, log_key=log.vkey, name="w", private_key=WITNESS, previous=new
        )


def test_receipt_text_format() -> None:
    log = _log(5)
    note = log.checkpoint()
    receipt = log.receipt(3, note)
    proof = signing.inclusion_proof(3, [signing.leaf_hash(e) for e in log.entries])
    expected = "\n".join(
        [
            "c2sp.org/tlog-proof@v1",
            f"extra {base64.b64encode(b'entry 3').decode()}",
            "index 3",
            *(base64.b64encode(h).decode() for h in proof),
        ]
    )
    assert receipt == expected + "\n\n" + note
    parsed = signing.parse_receipt(receipt)
    assert (parsed.index, list(parsed.proof), parsed.checkpoint, parsed.extra) == (
        3,
        proof,
        note,
        b"entry 3",
    )
    assert str(parsed) == receipt
    verified = signing.verify_receipt(receipt, log_key=log.vkey)
    assert verified.leaf_hash == signing.leaf_hash(b"entry 3")


def test_receipt_without_extra_and_single_leaf() -> None:
    log = _log(1)
    receipt = signing.build_receipt(index=0, proof=[], checkpoint=log.checkpoint())
    assert receipt.startswith("c2sp.org/tlog-proof@v1\nindex 0\n\n")
    signing.verify_receipt(receipt, log_key=log.vkey, leaf=signing.leaf_hash(b"entry 0"))
    with pytest.raises(signing.CheckpointError, match="no extra"):
        signing.verify_receipt(receipt, log_key=log.vkey)


def _receipt_edit(change: Callable[[list[str]], None]) -> Callable[[str], str]:
    def apply(receipt: str) -> str:
        head, checkpoint = receipt.split("\n\n", 1)
        lines = head.split("\n")
        change(lines)
        return "\n".join(lines) + "\n\n" + checkpoint

    return apply


RECEIPT_TAMPERED = [
    (
        "header",
        _receipt_edit(lambda ls: ls.__setitem__(0, "c2sp.org/tlog-proof@v2")),
        signing.CheckpointError,
    ),
    (
        "extra",
        _receipt_edit(
            lambda ls: ls.__setitem__(1, "extra " + base64.b64encode(b"entry 4").decode())
        ),
        signing.ProofError,
    ),
    ("index", _receipt_edit(lambda ls: ls.__setitem__(2, "index 2")), signing.ProofError),
    (
        "index-leading-zero",
        _receipt_edit(lambda ls: ls.__setitem__(2, "index 03")),
        signing.CheckpointError,
    ),
    (
        "proof-hash",
        _receipt_edit(
            lambda ls: ls.__setitem__(3, "A" + ls[3][1:] if ls[3][0] != "A" else "B" + ls[3][1:])
        ),
        signing.ProofError,
    ),
    ("proof-dropped", _receipt_edit(lambda ls: ls.__delitem__(-1)), signing.ProofError),
    (
        "proof-short-hash",
        _receipt_edit(lambda ls: ls.__setitem__(3, base64.b64encode(b"x" * 31).decode())),
        signing.CheckpointError,
    ),
    ("checkpoint-size", lambda r: r.replace("\n5\n", "\n6\n"), signing.CheckpointError),
]


@pytest.mark.parametrize(
    ("tamper", "error"), [pytest.param(t, e, id=n) for n, t, e in RECEIPT_TAMPERED]
)
def test_tampered_receipt_is_rejected(tamper: Callable[[str], str], error: type[Exception]) -> None:
    log = _log(5)
    receipt = log.receipt(3)
    signing.verify_receipt(receipt, log_key=log.vkey)
    with pytest.raises(error):
        signing.verify_receipt(tamper(receipt), log_key=log.vkey)
