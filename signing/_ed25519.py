"""Ed25519 public-key checks that OpenSSL does not make: canonical encoding and small order."""

from __future__ import annotations

from signing._errors import InvalidKeyError

_P = 2**255 - 19
_D = -121665 * pow(121666, -1, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _decode_point(encoded: bytes) -> tuple[int, int]:
    """Decode a point per RFC 8032 section 5.1.3, refusing every non-canonical encoding."""
    y = int.from_bytes(encoded, "little") & ((1 << 255) - 1)
    sign = encoded[31] >> 7
    if y >= _P:
        raise InvalidKeyError("Ed25519 key is non-canonical: y coordinate is not below p")
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x2 = u * pow(v, -1, _P) % _P
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        raise InvalidKeyError("Ed25519 key is not a point on the curve")
    if x == 0 and sign:
        raise InvalidKeyError("Ed25519 key is non-canonical: sign bit set for x = 0")
    if x & 1 != sign:
        x = _P - x
    return x, y


def _double(point: tuple[int, int]) -> tuple[int, int]:
    # The twisted Edwards addition law (a = -1) is complete on Ed25519, so it is also doubling.
    x, y = point
    t = _D * x * x * y * y % _P
    x3 = 2 * x * y * pow(1 + t, -1, _P) % _P
    y3 = (y * y + x * x) * pow(1 - t, -1, _P) % _P
    return x3, y3


def check_ed25519_public_key(encoded: bytes) -> None:
    """Accept a 32-byte canonical Ed25519 point of large order; raise InvalidKeyError otherwise.

    A small-order key (order dividing 8) lets anyone forge signatures that verify under
    some implementations, so registration refuses it.
    """
    if len(encoded) != 32:
        raise InvalidKeyError(f"Ed25519 key must be 32 bytes, got {len(encoded)}")
    point = _decode_point(encoded)
    for _ in range(3):
        point = _double(point)
    if point == (0, 1):
        raise InvalidKeyError("Ed25519 key is a small-order point")
