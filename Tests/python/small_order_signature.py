#!/usr/bin/python3
"""Makes the signature Tests/SodiumTests/Ed25519Tests.swift uses to pin libsodium's
small-order key check: a signature that satisfies the verification equation
[S]B = R + [h]A for a public key A of order 8, with a canonical S and an R that is
not of small order, so that the key check is the only one that refuses it.

    /usr/bin/python3 Tests/python/small_order_signature.py

A has order 8, so [h]A = [h mod 8]A. Pick a torsion point T = [k]A, a random s,
R = [s]B - T, and keep trying until h = H(R || A || M) mod L has h mod 8 = k;
then [s]B = R + [h]A. Prints the key, message and signature as hex, after checking
the equation and that PyNaCl's own verification refuses the signature."""
import hashlib
import os

import nacl.bindings as b
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

A = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")  # order 8
M = b"SealDrop: a small-order key verifies nothing"
IDENTITY = bytes([1]) + bytes(31)


def multiple(k: int, point: bytes) -> bytes:
    out = IDENTITY
    for _ in range(k):
        out = b.crypto_core_ed25519_add(out, point)
    return out


assert multiple(8, A) == IDENTITY and multiple(4, A) != IDENTITY, "A must have order 8"
for _ in range(1000):
    k = 1 + os.urandom(1)[0] % 7
    s = b.crypto_core_ed25519_scalar_reduce(os.urandom(64))
    R = b.crypto_core_ed25519_sub(b.crypto_scalarmult_ed25519_base_noclamp(s), multiple(k, A))
    h = b.crypto_core_ed25519_scalar_reduce(hashlib.sha512(R + A + M).digest())
    if int.from_bytes(h, "little") % 8 == k:
        break
else:
    raise SystemExit("no signature found")
# The equation holds, and R is no small-order point.
assert b.crypto_scalarmult_ed25519_base_noclamp(s) == b.crypto_core_ed25519_add(R, multiple(int.from_bytes(h, "little") % 8, A))
assert all(multiple(n, R) != IDENTITY for n in (1, 2, 4, 8))
try:
    VerifyKey(A).verify(M, R + s)
    raise SystemExit("libsodium accepted it")
except BadSignatureError:
    pass
print("key", A.hex())
print("message", M.hex())
print("signature", (R + s).hex())
