"""Test support: an in-memory transparency log and a ready-made offline bundle scenario."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import strategies as st

import signing
from signing._encoding import b64url_encode
from signing._jws import sign_message

VECTORS = Path(__file__).parent / "vectors"
DATA = Path(__file__).parent / "data"
ORG = "urn:esgx:org:91320500MA1N2K3P99"
T0 = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)


# JSON values as canonicalize writes them: integers within ±(2**53-1), finite floats except
# the integral ones JCS would write as more than 2**53 in plain digits, any text.
_FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda f: not (f.is_integer() and 2**53 <= abs(f) < 1e21)
)
_INTEGERS = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | _INTEGERS | _FLOATS | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=25,
)
# What disclosures look like: no floats (decimal strings), so parse_canonical's fast path.
JSON_NO_FLOATS = st.recursive(
    st.none() | st.booleans() | _INTEGERS | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=25,
)


def forge_jws(header: dict[str, Any], payload: bytes, key: signing.PrivateKey) -> str:
    """A compact JWS with exactly this header (alg included), signed by key, for tampering."""
    signing_input = f"{b64url_encode(json.dumps(header).encode())}.{b64url_encode(payload)}"
    signature = sign_message(key, signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def load_vector(*parts: str) -> Any:
    """Load a JSON test vector from tests/signing/vectors."""
    return json.loads(VECTORS.joinpath(*parts).read_text(encoding="utf-8"))


def disclosure_subject() -> dict[str, Any]:
    """The example disclosure of disclosure-model.md (its credentialSubject)."""
    return dict(
        json.loads((DATA / "example_credential.json").read_text(encoding="utf-8"))[
            "credentialSubject"
        ]
    )


class MemoryLog:
    """A transparency log kept in memory the way the platform keeps it in a database:
    the frontier plus every completed subtree, answering proofs by subtree reads."""

    def __init__(self, origin: str = "log.esgx.example/test") -> None:
        self.origin = origin
        self.key = ed25519.Ed25519PrivateKey.generate()
        self.vkey = signing.verifier_key(name=origin, key=self.key)
        self.tree = signing.CompactTree()
        self.subtrees: dict[tuple[int, int], bytes] = {}
        self.entries: list[bytes] = []

    def append(self, entry: bytes) -> int:
        """Log entry bytes; return their index."""
        for level, index, value in self.tree.append(signing.leaf_hash(entry)):
            self.subtrees[(level, index)] = value
        self.entries.append(entry)
        return self.tree.size - 1

    def subtree(self, level: int, index: int) -> bytes:
        return self.subtrees[(level, index)]

    def checkpoint(self, size: int | None = None) -> str:
        """A signed checkpoint of the first `size` entries (default: all)."""
        size = self.tree.size if size is None else size
        root = signing.root_from_subtrees(size=size, subtree_hash=self.subtree)
        return signing.sign_checkpoint(
            signing.Checkpoint(self.origin, size, root), private_key=self.key
        )

    def receipt(self, index: int, checkpoint: str | None = None) -> str:
        """A tlog-proof receipt for entry `index` with the entry bytes as extra data."""
        note = checkpoint or self.checkpoint()
        size = signing.parse_checkpoint(signing.parse_note(note).text).size
        proof = signing.inclusion_proof_from_subtrees(
            index=index, size=size, subtree_hash=self.subtree
        )
        return signing.build_receipt(
            index=index, proof=proof, checkpoint=note, extra=self.entries[index]
        )


@dataclass
class Scenario:
    """An organization with a registered key, a logged disclosure and its bundle parts."""

    log: MemoryLog
    key: signing.PrivateKey
    jwk: dict[str, str]
    jws: str
    events: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    disclosure_index: int = -1

    def log_event(self, envelope: dict[str, Any], at: datetime) -> int:
        known = {s.kid: s.jwk for s in self.history().states.values()}
        event = signing.verify_key_event(envelope, known_keys=known)
        index = self.log.append(signing.key_event_log_entry(event=event, logged_at=at))
        self.events.append((envelope, index))
        return index

    def log_disclosure(self, jws: str, jwk: dict[str, str], at: datetime) -> int:
        credential = signing.verify(jws, jwk)
        self.jws = jws
        self.disclosure_index = self.log.append(
            signing.disclosure_log_entry(credential=credential, logged_at=at)
        )
        return self.disclosure_index

    def history(self) -> signing.KeyHistory:
        history = signing.KeyHistory(ORG)
        for envelope, index in self.events:
            entry = signing.parse_log_entry(self.log.entries[index])
            history.apply(envelope, index=index, logged_at=entry.logged_at)
        return history

    def bundle(self) -> dict[str, Any]:
        checkpoint = self.log.checkpoint()
        return signing.build_bundle(
            credential=self.jws,
            receipt=self.log.receipt(self.disclosure_index, checkpoint),
            key_events=[(env, self.log.receipt(i, checkpoint)) for env, i in self.events],
            log_key=self.log.vkey,
        )


def scenario(alg: str = "Ed25519") -> Scenario:
    """Register a key at T0, log a signed disclosure an hour later."""
    key = signing.generate_key(alg)
    jwk = signing.public_jwk(key)
    state = Scenario(log=MemoryLog(), key=key, jwk=jwk, jws="")
    registration = signing.build_registration(organization=ORG, public_jwk=jwk, issued_at=T0)
    state.log_event(signing.sign_key_event(registration, private_keys=[key]), T0)
    credential = signing.build_credential(
        subject=disclosure_subject(), issuer=ORG, valid_from=T0 + timedelta(minutes=30)
    )
    jws = signing.sign(credential=credential, private_key=key)
    state.log_disclosure(jws, jwk, T0 + timedelta(hours=1))
    return state
