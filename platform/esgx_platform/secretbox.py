"""Encryption of secrets at rest (Fernet: AES-128-CBC + HMAC-SHA256), with key rotation."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from esgx_platform.errors import ConfigurationError
from esgx_platform.i18n import Text


class SecretBox:
    """Encrypts with the first key and decrypts with any, so keys can be rotated."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ConfigurationError(Text("No encryption key configured.", "未配置加密密钥。"))
        self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in keys])

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def decrypt(self, token: bytes) -> bytes:
        """Plaintext, or ConfigurationError when no configured key opens it."""
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise ConfigurationError(
                Text(
                    "A stored secret cannot be decrypted with ESGX_ENCRYPTION_KEYS; was a key "
                    "removed before re-encryption?",
                    "无法用 ESGX_ENCRYPTION_KEYS 解密已存储的机密；是否在重新加密前删除了密钥？",
                )
            ) from None

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the first (newest) key."""
        return self._fernet.rotate(token)
