"""Check a stored log against its newest signed checkpoint: after a restore, or of a backup.

Every entry's bytes are hashed again (RFC 9162 leaf hashes, the stored ones not trusted), the
tree is rebuilt over the first `size` entries of the newest checkpoint and its root compared
with the checkpoint's, whose signature is verified with the log key: the key stored with the
log, or one the operator trusts (as published at `/api/v1/log/key`). The log's state row (the
size and root new entries are appended to) must agree with all entries too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.errors import EsgxError
from esgx_platform.i18n import Text
from esgx_platform.ledger.checkpoints import latest_checkpoint
from esgx_platform.ledger.log import STATE_ID
from esgx_platform.ledger.models import LogKey, LogRecord, LogState
from signing import CompactTree, SigningError, leaf_hash, parse_verifier_key, verify_checkpoint

BATCH = 2000  # entries read per round trip


class LogMismatch(EsgxError):
    """The stored log does not match its signed checkpoint (or cannot be checked)."""

    type_slug = "log-mismatch"
    title = Text("The log does not match its checkpoint", "日志与其检查点不符")
    status = 500


@dataclass(frozen=True)
class LogCheck:
    """What was checked: the log's size, the checkpoint's size and root, the key used."""

    size: int
    checkpoint_size: int
    root_hex: str
    log_key: str | None

    def summary(self) -> Text:
        if self.log_key is None:
            return Text("The log is empty: nothing to check.", "日志为空，无需检查。")
        return Text(
            "The log's {n} entries match the signed checkpoint of size {c} (root {r}), "
            "verified with {k}.",
            "日志的 {n} 个条目与规模为 {c} 的已签名检查点相符（根哈希 {r}），验证密钥 {k}。",
        ).format(n=self.size, c=self.checkpoint_size, r=self.root_hex, k=self.log_key)


def _mismatch(en: str, zh: str, **values: object) -> LogMismatch:
    return LogMismatch(Text(en, zh).format(**values))


def check_log(session: Session, *, trusted_keys: tuple[str, ...] = ()) -> LogCheck:
    """Verify the newest checkpoint's signature and that the entries rebuild its root and the
    state row's; raises LogMismatch saying what differs. `trusted_keys` (verifier keys) replace
    the keys stored with the log when given."""
    state = session.get(LogState, STATE_ID)
    if state is None:
        raise _mismatch("The log is not initialized.", "日志尚未初始化。")
    checkpoint = latest_checkpoint(session)
    if checkpoint is None:
        if state.size == 0:
            return LogCheck(0, 0, state.root.hex(), None)
        raise _mismatch(
            "The log has {n} entries but no signed checkpoint to check them against.",
            "日志有 {n} 个条目，但没有可供核对的已签名检查点。",
            n=state.size,
        )
    key = _verifier_key(session, checkpoint.log_key_id, trusted_keys)
    try:
        verified = verify_checkpoint(checkpoint.note, log_key=key).checkpoint
    except SigningError as exc:
        raise _mismatch(
            "The newest checkpoint's signature does not verify with {k}: {r}",
            "最新检查点的签名无法用 {k} 验证：{r}",
            k=key,
            r=str(exc),
        ) from None
    if (verified.size, verified.root_hash) != (checkpoint.size, checkpoint.root):
        raise _mismatch(
            "The checkpoint's stored size or root differs from its signed note.",
            "检查点存储的规模或根哈希与其签名注释不一致。",
        )
    root_at_checkpoint, root, size = _rebuild(session, checkpoint.size)
    if size < checkpoint.size or root_at_checkpoint != checkpoint.root:
        raise _mismatch(
            "The root of the first {c} entries is not the signed checkpoint's: the log was "
            "changed or is incomplete ({n} entries found).",
            "前 {c} 个条目的根哈希与已签名检查点不符：日志已被改动或不完整（找到 {n} 个条目）。",
            c=checkpoint.size,
            n=size,
        )
    if (size, root) != (state.size, state.root):
        raise _mismatch(
            "The entries ({n}) do not rebuild the log's state ({s} entries and its root).",
            "条目（{n} 个）无法重建日志状态（{s} 个条目及其根哈希）。",
            n=size,
            s=state.size,
        )
    return LogCheck(size, checkpoint.size, checkpoint.root.hex(), key)


def _verifier_key(session: Session, key_id: int, trusted: tuple[str, ...]) -> str:
    stored = session.get(LogKey, key_id)
    if not trusted:
        if stored is None:
            raise _mismatch("The checkpoint's log key is missing.", "检查点的日志密钥缺失。")
        return stored.verifier_key
    try:
        keys = {str(parse_verifier_key(k)) for k in trusted}
    except SigningError as exc:
        raise _mismatch("Not a verifier key: {r}", "不是验证密钥：{r}", r=str(exc)) from None
    if stored is not None and stored.verifier_key in keys:
        return stored.verifier_key  # the trusted key's own text: its signature is checked
    raise _mismatch(
        "The newest checkpoint is signed by {k}, which is not among the trusted keys.",
        "最新检查点由 {k} 签名，不在受信任的密钥之中。",
        k=stored.verifier_key if stored else "?",
    )


def _rebuild(session: Session, checkpoint_size: int) -> tuple[bytes, bytes, int]:
    """Hash every entry again, in index order: the root at the checkpoint's size, the root of
    all entries and their number. A gap in the indices ends the count there."""
    tree = CompactTree()
    at_checkpoint = tree.root()
    after = -1
    while True:
        rows = session.execute(
            select(LogRecord.index, LogRecord.body)
            .where(LogRecord.index > after)
            .order_by(LogRecord.index)
            .limit(BATCH)
        ).all()
        for index, body in rows:
            if index != tree.size:
                return at_checkpoint, tree.root(), tree.size
            # A value written around the model (SQLite keeps TEXT in a BLOB column) still
            # hashes, to a leaf that differs: the mismatch is reported, not a crash.
            raw = body if isinstance(body, bytes) else str(body).encode("utf-8")
            tree.append(leaf_hash(raw))
            if tree.size == checkpoint_size:
                at_checkpoint = tree.root()
        if len(rows) < BATCH:
            return at_checkpoint, tree.root(), tree.size
        after = rows[-1][0]
