"""Offline bundles: a credential JWS, its issuer's key events and log receipts, verified offline."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from signing._checkpoint import VerifiedCheckpoint
from signing._credentials import VC_TYP, VerifiedCredential, verify
from signing._errors import BundleError, MalformedError
from signing._json import parse_json
from signing._jws import open_compact
from signing._keyevents import KeyEvent
from signing._keyhistory import KeyHistory, KeyState
from signing._logentry import LogEntry, parse_log_entry
from signing._note import VerifierKey, parse_verifier_key
from signing._receipt import VerifiedReceipt, verify_receipt

BUNDLE_VERSION = 1
_MEMBERS = {"esgxBundleVersion", "credential", "receipt", "keyEvents", "logKey"}


@dataclass(frozen=True)
class VerifiedBundle:
    """What verify_bundle established: the credential, where and when the log recorded it,
    the checkpoint proving it, the signing key's state, and the replayed key events."""

    credential: VerifiedCredential
    index: int
    logged_at: datetime
    checkpoint: VerifiedCheckpoint
    key: KeyState
    key_events: tuple[KeyEvent, ...]


@dataclass(frozen=True)
class _Logged:
    entry: LogEntry
    receipt: VerifiedReceipt

    @property
    def index(self) -> int:
        return self.receipt.receipt.index


@dataclass(frozen=True)
class _Trust:
    log: VerifierKey
    witnesses: Sequence[str | VerifierKey]
    quorum: int

    def logged(self, receipt: object, *, kind: str, what: str) -> _Logged:
        """Verify a receipt whose extra line holds a log entry of `kind`; return both."""
        if not isinstance(receipt, str):
            raise MalformedError(f"{what} must be tlog-proof text")
        verified = verify_receipt(
            receipt, log_key=self.log, witness_keys=self.witnesses, quorum=self.quorum
        )
        assert verified.receipt.extra is not None  # verify_receipt demands it without a leaf
        entry = parse_log_entry(verified.receipt.extra)
        if entry.kind != kind:
            raise BundleError(f"{what} is for a {entry.kind} log entry, not {kind}")
        return _Logged(entry, verified)


def build_bundle(
    *,
    credential: str,
    receipt: str,
    key_events: Sequence[tuple[Mapping[str, Any], str]],
    log_key: str,
) -> dict[str, Any]:
    """Assemble a version-1 bundle: the compact JWS, its receipt, (envelope, receipt) pairs
    for every key event of the issuer, and the log's verifier key."""
    return {
        "esgxBundleVersion": BUNDLE_VERSION,
        "credential": credential,
        "receipt": receipt,
        "keyEvents": [{"event": dict(event), "receipt": text} for event, text in key_events],
        "logKey": log_key,
    }


def _load(bundle: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(bundle, str):
        bundle = bundle.encode("utf-8")
    doc = parse_json(bundle) if isinstance(bundle, bytes) else dict(bundle)
    if not isinstance(doc, dict):
        raise MalformedError("bundle must be a JSON object")
    if doc.get("esgxBundleVersion") != BUNDLE_VERSION:
        raise BundleError(f"unsupported bundle version {doc.get('esgxBundleVersion')!r}")
    if set(doc) != _MEMBERS:
        raise MalformedError(f"bundle must have exactly the members {', '.join(sorted(_MEMBERS))}")
    if not isinstance(doc["credential"], str) or not isinstance(doc["keyEvents"], list):
        raise MalformedError("bundle credential must be a string and keyEvents a list")
    for item in doc["keyEvents"]:
        if not isinstance(item, dict) or set(item) != {"event", "receipt"}:
            raise MalformedError("each bundle keyEvents item needs exactly 'event' and 'receipt'")
    return doc


def _replay(
    items: list[dict[str, Any]], issuer: str, trust: _Trust
) -> tuple[KeyHistory, list[KeyEvent], list[_Logged]]:
    logged = [
        (
            trust.logged(item["receipt"], kind="keyEvent", what=f"key event {i} receipt"),
            item["event"],
        )
        for i, item in enumerate(items)
    ]
    logged.sort(key=lambda pair: pair[0].index)
    history = KeyHistory(issuer)
    events = []
    for record, envelope in logged:
        event = history.apply(envelope, index=record.index, logged_at=record.entry.logged_at)
        members = record.entry.members
        if (members["event"], members["issuer"], members["kid"], members["eventSha256"]) != (
            event.event,
            event.organization,
            event.kid,
            event.digest,
        ):
            raise BundleError(f"log entry at index {record.index} does not bind its key event")
        events.append(event)
    return history, events, [record for record, _ in logged]


def _check_views(records: Sequence[_Logged]) -> None:
    """One log, one history: equal sizes need equal roots, one entry per index, and log
    time never runs backwards."""
    roots: dict[int, bytes] = {}
    for record in records:
        tree = record.receipt.checkpoint.checkpoint
        if roots.setdefault(tree.size, tree.root_hash) != tree.root_hash:
            raise BundleError(f"two checkpoints of size {tree.size} have different roots")
    ordered = sorted(records, key=lambda r: r.index)
    for before, after in itertools.pairwise(ordered):
        if after.index == before.index:
            raise BundleError(f"two log entries claim index {after.index}")
        if after.entry.logged_at < before.entry.logged_at:
            raise BundleError(f"log time goes backwards at index {after.index}")


def verify_bundle(
    bundle: bytes | str | Mapping[str, Any],
    *,
    log_key: str | VerifierKey,
    witness_keys: Sequence[str | VerifierKey] = (),
    quorum: int = 0,
) -> VerifiedBundle:
    """Verify an offline bundle with no database and no network.

    Checks: every receipt's checkpoint is signed by `log_key` (and by `quorum` of the
    trusted witnesses) and includes its log entry; the disclosure entry binds the JWS by
    SHA-256; key events replay in log order, each bound by its entry; the signing key was
    valid at the disclosure's log index and time; the JWS verifies with that key; the
    entry's contentId, issuer and kid match it. Raises the VerificationError subclass for
    the first failing check.
    """
    doc = _load(bundle)
    log = parse_verifier_key(log_key) if isinstance(log_key, str) else log_key
    if doc["logKey"] != str(log):
        raise BundleError(f"bundle names log key {doc['logKey']!r}, not the trusted one")
    trust = _Trust(log, witness_keys, quorum)
    disclosure = trust.logged(doc["receipt"], kind="disclosure", what="disclosure receipt")
    members = disclosure.entry.members
    if hashlib.sha256(doc["credential"].encode("utf-8")).hexdigest() != members["jwsSha256"]:
        raise BundleError("the disclosure's log entry does not bind this JWS")
    history, events, records = _replay(doc["keyEvents"], members["issuer"], trust)
    _check_views([disclosure, *records])
    kid = open_compact(doc["credential"], typ=VC_TYP).header.get("kid")
    state = history.check_valid(
        kid=str(kid), index=disclosure.index, logged_at=disclosure.entry.logged_at
    )
    credential = verify(doc["credential"], state.jwk)
    written = (members["contentId"], members["issuer"], members["kid"])
    if written != (credential.content_id, credential.issuer, credential.kid):
        raise BundleError("the disclosure's log entry names another content id, issuer or key")
    return VerifiedBundle(
        credential=credential,
        index=disclosure.index,
        logged_at=disclosure.entry.logged_at,
        checkpoint=disclosure.receipt.checkpoint,
        key=state,
        key_events=tuple(events),
    )
