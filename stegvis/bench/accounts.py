"""The generated users' log-ins (no Django imports: the load test's locustfile reads them)."""

from __future__ import annotations

import base64
import hashlib

PASSWORD = "stegvis-bench-2026"
EMAIL_DOMAIN = "bench.example"


def bench_totp_key(email: str) -> str:
    """The TOTP secret (hex) of a generated user: derived from the address, so that the load
    test can compute its codes. Fictional test accounts only."""
    return hashlib.sha256(f"stegvis-bench-totp:{email}".encode()).hexdigest()[:40]


def totp_secret_b32(email: str) -> str:
    return base64.b32encode(bytes.fromhex(bench_totp_key(email))).decode()
