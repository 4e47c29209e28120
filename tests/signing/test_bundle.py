"""Offline bundles: a valid bundle verifies; every tampered field and bad key history fails."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

import signing
from tests.signing.support import (
    ORG,
    T0,
    MemoryLog,
    Scenario,
    disclosure_subject,
    forge_jws,
    scenario,
)

H = timedelta(hours=1)


@pytest.mark.parametrize("alg", ["Ed25519", "ES256"])
def test_valid_bundle_verifies(alg: str) -> None:
    state = scenario(alg)
    bundle = state.bundle()
    result = signing.verify_bundle(json.dumps(bundle), log_key=state.log.vkey)
    assert result.credential.jws == state.jws
    assert (result.index, result.logged_at) == (1, T0 + H)
    assert result.key.kid == state.jwk["kid"] and result.key.registered_index == 0
    assert [e.event for e in result.key_events] == ["registered"]
    assert result.checkpoint.checkpoint.size == 2
    assert signing.verify_bundle(bundle, log_key=state.log.vkey) == result


def test_bundle_shape() -> None:
    bundle = scenario().bundle()
    assert set(bundle) == {"esgxBundleVersion", "credential", "receipt", "keyEvents", "logKey"}
    assert bundle["esgxBundleVersion"] == 1
    assert bundle["receipt"].startswith("c2sp.org/tlog-proof@v1\nextra ")
    entry = json.loads(base64.b64decode(bundle["receipt"].split("\n")[1][len("extra ") :]))
    assert set(entry) == {"kind", "contentId", "issuer", "kid", "jwsSha256", "loggedAt"}
    assert entry["kind"] == "disclosure" and entry["loggedAt"] == "2025-10-01T09:00:00Z"


def _receipt_line(
    key: str, position: int, change: Callable[[str], str]
) -> Callable[[dict[str, Any]], None]:
    def apply(bundle: dict[str, Any]) -> None:
        holder = bundle if key == "receipt" else bundle["keyEvents"][0]
        lines = holder["receipt"].split("\n")
        lines[position] = change(lines[position])
        holder["receipt"] = "\n".join(lines)

    return apply


def _entry(change: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    def apply(line: str) -> str:
        entry = json.loads(base64.b64decode(line[len("extra ") :]))
        change(entry)
        return "extra " + base64.b64encode(signing.canonicalize(entry)).decode()

    return apply


def _flip_b64(text: str) -> str:
    return ("B" if text[0] == "A" else "A") + text[1:]


def _resign_credential(bundle: dict[str, Any], state: Scenario) -> None:
    subject = {**disclosure_subject(), "period": "2025-Q4"}
    credential = signing.build_credential(subject=subject, issuer=ORG, valid_from=T0)
    bundle["credential"] = signing.sign(credential=credential, private_key=state.key)


def _swap_event_envelope(bundle: dict[str, Any], state: Scenario) -> None:
    other = signing.generate_key("Ed25519")
    event = signing.build_registration(
        organization=ORG, public_jwk=signing.public_jwk(other), issued_at=T0
    )
    bundle["keyEvents"][0]["event"] = signing.sign_key_event(event, private_keys=[other])


def _edit_event_payload(bundle: dict[str, Any], state: Scenario) -> None:
    envelope = bundle["keyEvents"][0]["event"]
    envelope["payload"] = _flip_b64(envelope["payload"])


Tamper = Callable[[dict[str, Any], Scenario], None]
BUNDLE_TAMPERED: list[tuple[str, Tamper, type[Exception]]] = [
    ("credential-resigned", _resign_credential, signing.BundleError),
    (
        "credential-signature",
        lambda b, s: b.update(
            credential=b["credential"][:-3] + ("AAA" if b["credential"][-3:] != "AAA" else "BBB")
        ),
        signing.BundleError,
    ),
    (
        "receipt-extra-loggedAt",
        lambda b, s: _receipt_line(
            "receipt", 1, _entry(lambda e: e.update(loggedAt="2025-10-01T07:00:00Z"))
        )(b),
        signing.ProofError,
    ),
    (
        "receipt-extra-kind",
        lambda b, s: _receipt_line("receipt", 1, _entry(lambda e: e.update(kind="keyEvent")))(b),
        signing.ProofError,
    ),
    (
        "receipt-index",
        lambda b, s: _receipt_line("receipt", 2, lambda _: "index 0")(b),
        signing.ProofError,
    ),
    (
        "receipt-proof-hash",
        lambda b, s: _receipt_line("receipt", 3, _flip_b64)(b),
        signing.ProofError,
    ),
    (
        "receipt-checkpoint-root",
        lambda b, s: _receipt_line("receipt", 7, _flip_b64)(b),
        signing.CheckpointError,
    ),
    (
        "receipt-is-key-event-receipt",
        lambda b, s: b.update(receipt=b["keyEvents"][0]["receipt"]),
        signing.BundleError,
    ),
    ("log-key", lambda b, s: b.update(logKey=MemoryLog().vkey), signing.BundleError),
    ("version", lambda b, s: b.update(esgxBundleVersion=2), signing.BundleError),
    ("extra-member", lambda b, s: b.update(note="x"), signing.MalformedError),
    ("key-event-removed", lambda b, s: b["keyEvents"].clear(), signing.KeyStatusError),
    ("key-event-envelope-swapped", _swap_event_envelope, signing.BundleError),
    ("key-event-payload", _edit_event_payload, signing.VerificationError),
    (
        "key-event-receipt-index",
        lambda b, s: _receipt_line("keyEvents", 2, lambda _: "index 1")(b),
        signing.ProofError,
    ),
    (
        "key-event-receipt-is-disclosure",
        lambda b, s: b["keyEvents"][0].update(receipt=b["receipt"]),
        signing.BundleError,
    ),
    (
        "key-event-extra-member",
        lambda b, s: b["keyEvents"][0].update(extra=1),
        signing.MalformedError,
    ),
]


@pytest.mark.parametrize(
    ("tamper", "error"), [pytest.param(t, e, id=n) for n, t, e in BUNDLE_TAMPERED]
)
def test_tampered_bundle_is_rejected(tamper: Tamper, error: type[Exception]) -> None:
    state = scenario()
    bundle = state.bundle()
    signing.verify_bundle(bundle, log_key=state.log.vkey)
    tampered = copy.deepcopy(bundle)
    tamper(tampered, state)
    with pytest.raises(error):
        signing.verify_bundle(tampered, log_key=state.log.vkey)


def test_untrusted_log_key_is_rejected() -> None:
    state = scenario()
    with pytest.raises(signing.BundleError, match="log key"):
        signing.verify_bundle(state.bundle(), log_key=MemoryLog().vkey)


def test_logged_jws_with_a_bad_signature_is_rejected() -> None:
    # The log entry binds the JWS exactly, so only a log that logged a bad JWS gets this far.
    state = scenario()
    payload = signing.canonicalize(signing.build_credential(subject={}, issuer=ORG, valid_from=T0))
    header = {"alg": "EdDSA", "kid": state.jwk["kid"], "typ": "vc+jwt", "cty": "vc"}
    forged = forge_jws(header, payload, signing.generate_key("Ed25519"))
    entry = signing.canonicalize(
        {
            "kind": "disclosure",
            "contentId": hashlib.sha256(payload).hexdigest(),
            "issuer": ORG,
            "kid": state.jwk["kid"],
            "jwsSha256": hashlib.sha256(forged.encode()).hexdigest(),
            "loggedAt": "2025-10-01T10:00:00Z",
        }
    )
    state.jws, state.disclosure_index = forged, state.log.append(entry)
    with pytest.raises(signing.SignatureError):
        signing.verify_bundle(state.bundle(), log_key=state.log.vkey)


def _disclose(state: Scenario, key: signing.PrivateKey, at: Any) -> None:
    credential = signing.build_credential(subject=disclosure_subject(), issuer=ORG, valid_from=T0)
    jws = signing.sign(credential=credential, private_key=key)
    state.log_disclosure(jws, signing.public_jwk(key), at)


def _disclosure_entry(state: Scenario, **changes: str) -> bytes:
    credential = signing.verify(state.jws, state.jwk)
    entry = json.loads(signing.disclosure_log_entry(credential=credential, logged_at=T0 + H))
    return signing.canonicalize({**entry, **changes})


@pytest.mark.parametrize("member", ["contentId", "issuer", "kid"])
def test_entry_naming_another_content_issuer_or_key_is_rejected(member: str) -> None:
    state = scenario()
    state.disclosure_index = state.log.append(_disclosure_entry(state, **{member: "x" * 64}))
    with pytest.raises(signing.VerificationError):
        signing.verify_bundle(state.bundle(), log_key=state.log.vkey)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"extra": "member"}, "exactly its members"),
        ({"kind": "restatement"}, "kind"),
        ({"jwsSha256": "ABC"}, "digest"),
        ({"loggedAt": "yesterday"}, "loggedAt"),
    ],
)
def test_parse_log_entry_rejects(change: dict[str, str], message: str) -> None:
    state = scenario()
    signing.parse_log_entry(_disclosure_entry(state))
    with pytest.raises(signing.VerificationError, match=message):
        signing.parse_log_entry(_disclosure_entry(state, **change))


def test_parse_log_entry_requires_every_member() -> None:
    entry = json.loads(_disclosure_entry(scenario()))
    del entry["kid"]
    with pytest.raises(signing.CredentialError, match="exactly its members"):
        signing.parse_log_entry(signing.canonicalize(entry))


def test_disclosure_within_rotation_overlap_verifies_and_after_it_fails() -> None:
    state = scenario()
    new = signing.generate_key("ES256")
    rotation = signing.build_rotation(
        organization=ORG,
        new_jwk=signing.public_jwk(new),
        previous_kid=state.jwk["kid"],
        previous_not_after=T0 + 4 * H,
        issued_at=T0,
    )
    state.log_event(signing.sign_key_event(rotation, private_keys=[state.key, new]), T0 + 2 * H)
    _disclose(state, state.key, T0 + 3 * H)
    assert signing.verify_bundle(state.bundle(), log_key=state.log.vkey).key.rotated_index == 2
    _disclose(state, new, T0 + 5 * H)
    signing.verify_bundle(state.bundle(), log_key=state.log.vkey)
    _disclose(state, state.key, T0 + 5 * H)
    with pytest.raises(signing.KeyStatusError, match="rotated away"):
        signing.verify_bundle(state.bundle(), log_key=state.log.vkey)


@pytest.mark.parametrize(
    ("reason", "effective", "valid"),
    [
        ("keyCompromise", T0 + H / 2, False),
        ("keyCompromise", T0 + H, False),
        ("superseded", T0 + 2 * H, True),
    ],
    ids=["compromised-before", "compromised-at", "superseded-after"],
)
def test_revocation_logged_after_the_disclosure(reason: str, effective: Any, valid: bool) -> None:
    state = scenario()  # disclosure logged at T0 + 1h, index 1
    revocation = signing.build_revocation(
        organization=ORG,
        kid=state.jwk["kid"],
        reason=reason,
        effective_at=effective,
        issued_at=T0 + 3 * H,
    )
    state.log_event(signing.sign_key_event(revocation, private_keys=[state.key]), T0 + 3 * H)
    if valid:
        signing.verify_bundle(state.bundle(), log_key=state.log.vkey)
    else:
        with pytest.raises(signing.KeyStatusError, match=reason):
            signing.verify_bundle(state.bundle(), log_key=state.log.vkey)


def test_disclosure_logged_before_its_key_was_registered_is_rejected() -> None:
    state = Scenario(log=MemoryLog(), key=signing.generate_key("Ed25519"), jwk={}, jws="")
    state.jwk = signing.public_jwk(state.key)
    _disclose(state, state.key, T0)
    registration = signing.build_registration(organization=ORG, public_jwk=state.jwk, issued_at=T0)
    state.log_event(signing.sign_key_event(registration, private_keys=[state.key]), T0 + H)
    with pytest.raises(signing.KeyStatusError, match="registered at index 1"):
        signing.verify_bundle(state.bundle(), log_key=state.log.vkey)


def test_log_time_running_backwards_is_rejected() -> None:
    state = scenario()  # registration logged at T0, index 0
    _disclose(state, state.key, T0 - H)
    with pytest.raises(signing.BundleError, match="log time goes backwards at index 2"):
        signing.verify_bundle(state.bundle(), log_key=state.log.vkey)


def test_key_event_of_another_organization_is_rejected() -> None:
    state = scenario()
    other = signing.generate_key("Ed25519")
    event = signing.build_registration(
        organization="urn:esgx:org:OTHER", public_jwk=signing.public_jwk(other), issued_at=T0
    )
    envelope = signing.sign_key_event(event, private_keys=[other])
    index = state.log.append(
        signing.key_event_log_entry(event=signing.verify_key_event(envelope), logged_at=T0 + 2 * H)
    )
    state.events.append((envelope, index))
    with pytest.raises(signing.KeyStatusError, match="OTHER"):
        signing.verify_bundle(state.bundle(), log_key=state.log.vkey)


def test_split_view_between_receipts_is_detected() -> None:
    state = scenario()
    fork = MemoryLog(state.log.origin)
    fork.key, fork.vkey = state.log.key, state.log.vkey
    fork.append(state.log.entries[0])
    fork.append(b"a different second entry")
    bundle = state.bundle()
    bundle["keyEvents"][0]["receipt"] = fork.receipt(0)
    with pytest.raises(signing.BundleError, match="different roots"):
        signing.verify_bundle(bundle, log_key=state.log.vkey)


def test_two_entries_at_one_index_are_detected() -> None:
    # A forked log (same key) places another key event at the disclosure's index 1.
    state = scenario()
    fork = MemoryLog(state.log.origin)
    fork.key, fork.vkey = state.log.key, state.log.vkey
    fork.append(state.log.entries[0])
    other = signing.generate_key("Ed25519")
    event = signing.build_registration(
        organization=ORG, public_jwk=signing.public_jwk(other), issued_at=T0
    )
    envelope = signing.sign_key_event(event, private_keys=[other])
    verified = signing.verify_key_event(envelope)
    fork.append(signing.key_event_log_entry(event=verified, logged_at=T0 + H))
    fork.append(b"a third entry")
    bundle = state.bundle()
    bundle["keyEvents"].append({"event": envelope, "receipt": fork.receipt(1)})
    with pytest.raises(signing.BundleError, match="two log entries claim index 1"):
        signing.verify_bundle(bundle, log_key=state.log.vkey)


def test_witness_quorum_applies_to_bundle_receipts() -> None:
    state = scenario()
    witness = ed25519.Ed25519PrivateKey.generate()
    witness_vkey = signing.cosigner_verifier_key(name="factory.example/witness", key=witness)
    note = signing.cosign_checkpoint(
        state.log.checkpoint(),
        log_key=state.log.vkey,
        name="factory.example/witness",
        private_key=witness,
        timestamp=1,
    )
    bundle = signing.build_bundle(
        credential=state.jws,
        receipt=state.log.receipt(state.disclosure_index, note),
        key_events=[(env, state.log.receipt(i, note)) for env, i in state.events],
        log_key=state.log.vkey,
    )
    result = signing.verify_bundle(
        bundle, log_key=state.log.vkey, witness_keys=[witness_vkey], quorum=1
    )
    assert result.checkpoint.witnesses == {"factory.example/witness": 1}
    with pytest.raises(signing.CheckpointError, match="required"):
        signing.verify_bundle(
            state.bundle(), log_key=state.log.vkey, witness_keys=[witness_vkey], quorum=1
        )
