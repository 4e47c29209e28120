"""Rebuild an organization's key status from its logged key events, and judge a key at an index."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from signing._encoding import format_time
from signing._errors import KeyStatusError
from signing._keyevents import KeyEvent, verify_key_event


@dataclass(frozen=True)
class KeyState:
    """One key's history as the log recorded it (indices are log indices, times log times)."""

    kid: str
    jwk: Mapping[str, str]
    registered_index: int
    not_after: datetime | None = None
    rotated_index: int | None = None
    revoked_index: int | None = None
    revoked_effective: datetime | None = None
    revocation_reason: str | None = None


class KeyHistory:
    """Replays one organization's key events in log order; judges a key at a log position.

    Apply events with their log index and log time in increasing index order, then call
    `check_valid` for the index and time at which a signed document was logged.
    """

    def __init__(self, organization: str) -> None:
        self.organization = organization
        self.states: dict[str, KeyState] = {}
        self._last: tuple[int, datetime] | None = None

    def apply(self, envelope: Mapping[str, Any], *, index: int, logged_at: datetime) -> KeyEvent:
        """Verify one key event against the history so far and record it.

        Raises KeyStatusError for an event out of log order, for another organization, or
        one that contradicts the history (unknown or revoked key, a second registration or
        revocation, a rotation whose overlap ends before it was logged); other
        VerificationError subclasses when the event itself does not verify.
        """
        if self._last and (index <= self._last[0] or logged_at < self._last[1]):
            raise KeyStatusError(f"key event at log index {index} is out of log order")
        self._last = (index, logged_at)
        usable = {kid: s.jwk for kid, s in self.states.items() if s.revoked_index is None}
        event = verify_key_event(envelope, known_keys=usable)
        if event.organization != self.organization:
            raise KeyStatusError(f"key event for {event.organization}, not {self.organization}")
        if event.event == "revoked":
            self._revoke(event, index)
            return event
        if event.kid in self.states:
            raise KeyStatusError(f"key {event.kid} is registered twice")
        if event.event == "rotated":
            self._retire(event, index, logged_at)
        assert event.jwk is not None  # registered and rotated events always carry the key
        self.states[event.kid] = KeyState(event.kid, event.jwk, index)
        return event

    def _retire(self, event: KeyEvent, index: int, logged_at: datetime) -> None:
        old = self.states[str(event.previous_kid)]  # it signed, so it is a usable known key
        if old.not_after is not None:
            raise KeyStatusError(f"key {old.kid} was already rotated away")
        assert event.previous_not_after is not None
        if event.previous_not_after < logged_at:
            raise KeyStatusError("rotation overlap ends before the rotation was logged")
        self.states[old.kid] = dataclasses.replace(
            old, not_after=event.previous_not_after, rotated_index=index
        )

    def _revoke(self, event: KeyEvent, index: int) -> None:
        state = self.states.get(event.kid)
        if state is None:
            raise KeyStatusError(f"revocation of key {event.kid}, which was never registered")
        if state.revoked_index is not None:
            raise KeyStatusError(f"key {event.kid} is revoked twice")
        self.states[event.kid] = dataclasses.replace(
            state,
            revoked_index=index,
            revoked_effective=event.effective_at,
            revocation_reason=event.reason,
        )

    def check_valid(self, *, kid: str, index: int, logged_at: datetime) -> KeyState:
        """Return the key's state if it was valid for a document logged at (index, time).

        Valid means: registered at a smaller log index; not revoked by an entry before the
        index nor with an effective time at or before the log time; not rotated away with
        its overlap ended before the log time. Raises KeyStatusError saying which.
        """
        state = self.states.get(kid)
        at = f"the document was logged at index {index}, {format_time(logged_at)}"
        if state is None:
            raise KeyStatusError(f"key {kid} has no registration among the key events")
        if state.registered_index >= index:
            raise KeyStatusError(
                f"key {kid} was registered at index {state.registered_index}; {at}"
            )
        if state.revoked_index is not None:
            assert state.revoked_effective is not None
            if state.revoked_index < index or logged_at >= state.revoked_effective:
                raise KeyStatusError(
                    f"key {kid} was revoked ({state.revocation_reason}) effective "
                    f"{format_time(state.revoked_effective)} at index {state.revoked_index}; {at}"
                )
        if state.not_after is not None and logged_at > state.not_after:
            raise KeyStatusError(
                f"key {kid} was rotated away at index {state.rotated_index}, overlap ended "
                f"{format_time(state.not_after)}; {at}"
            )
        return state
