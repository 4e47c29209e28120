"""Log entries, stored subtree hashes, the tree's right edge, checkpoints and the log key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from esgx_platform.db import Base, CreatedAt

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")


class LogRecord(Base):
    """One log entry: its canonical bytes exactly as hashed into the tree."""

    __tablename__ = "log_entries"

    index: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))  # "disclosure" | "keyEvent"
    body: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    logged_at: Mapped[datetime]


class LogSubtree(Base):
    """The hash of a complete subtree (level 0: a leaf), so proofs read O(log n) rows."""

    __tablename__ = "log_subtrees"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogState(Base):
    """The single row holding the tree's size, root and right edge; appends lock it."""

    __tablename__ = "log_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(_BIGINT)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    # [[level, hex hash], ...], highest level first: all CompactTree needs to keep appending.
    frontier: Mapped[list[Any]] = mapped_column()
    updated_at: Mapped[datetime]


class LogKey(Base):
    """An Ed25519 key that signs checkpoints; the private half is encrypted at rest."""

    __tablename__ = "log_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    verifier_key: Mapped[str] = mapped_column(String(300), unique=True)
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[CreatedAt]
    retired_at: Mapped[datetime | None]


class LogCheckpoint(Base):
    """A signed checkpoint (C2SP signed note) of the tree at `size`."""

    __tablename__ = "log_checkpoints"
    __table_args__ = (UniqueConstraint("size", "log_key_id"),)

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(_BIGINT, index=True)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    log_key_id: Mapped[int] = mapped_column(ForeignKey("log_keys.id"))
    created_at: Mapped[CreatedAt]


class LogCosignature(Base):
    """A witness's cosignature line for a checkpoint (C2SP tlog-cosignature)."""

    __tablename__ = "log_cosignatures"
    __table_args__ = (UniqueConstraint("checkpoint_id", "witness_name"),)

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("log_checkpoints.id"), index=True)
    witness_name: Mapped[str] = mapped_column(String(200))
    signature_line: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[CreatedAt]
